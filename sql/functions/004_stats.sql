-- The transaction aggregates of migration 004, kept by a trigger.

CREATE OR REPLACE FUNCTION oslo_month(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
	SELECT date_trunc('month', ts AT TIME ZONE 'Europe/Oslo')::date
$$;

-- Adds sign × one transaction to its aggregate row.
CREATE OR REPLACE FUNCTION drop_stats_add(t transactions, sign integer)
RETURNS void
LANGUAGE sql AS $$
	INSERT INTO tx_stats AS s (user_id, month, type, status, n, amount,
	    fee, total)
	VALUES (t.user_id, oslo_month(t.created_at), t.type, t.status, sign,
	    sign * t.amount, sign * t.fee, sign * t.total)
	ON CONFLICT (user_id, month, type, status) DO UPDATE SET
	    n = s.n + EXCLUDED.n, amount = s.amount + EXCLUDED.amount,
	    fee = s.fee + EXCLUDED.fee, total = s.total + EXCLUDED.total;
$$;

CREATE OR REPLACE FUNCTION drop_stats_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		PERFORM drop_stats_add(OLD, -1);
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') THEN
		PERFORM drop_stats_add(NEW, 1);
	END IF;
	RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS transactions_stats ON transactions;
CREATE TRIGGER transactions_stats
	AFTER INSERT OR DELETE OR UPDATE OF user_id, type, status, amount, fee,
	    total, created_at ON transactions
	FOR EACH ROW EXECUTE FUNCTION drop_stats_trigger();

-- Microseconds since the epoch, exactly (the cursor's position).
CREATE OR REPLACE FUNCTION drop_ts_us(ts timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT (extract(epoch FROM ts) * 1000000)::bigint
$$;

CREATE OR REPLACE FUNCTION drop_us_ts(us bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
	SELECT 'epoch'::timestamptz + us * interval '1 microsecond'
$$;
