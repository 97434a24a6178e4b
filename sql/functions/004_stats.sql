-- The transaction aggregates of migration 004, kept by a trigger.

CREATE OR REPLACE FUNCTION oslo_month(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
	SELECT date_trunc('month', ts AT TIME ZONE 'Europe/Oslo')::date
$$;

-- One statement's net change to the aggregates: one upsert per aggregate
-- row, in key order (no deadlock between statements), so a bulk INSERT,
-- settlement or purge is linear in its rows (row triggers rewrote one row
-- thousands of times per transaction). A statement-level trigger's
-- transition tables are new_rows and old_rows; each branch names only
-- those its event has, and PL/pgSQL keeps each branch's plan (EXECUTE
-- would plan every time: half the single-payment rate, measured).
CREATE OR REPLACE FUNCTION drop_stats_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO tx_stats AS s (user_id, month, type, status, n,
		    amount, fee, total)
		SELECT user_id, oslo_month(created_at), type, status, sum(sign),
		    sum(sign * amount), sum(sign * fee), sum(sign * total)
		FROM (SELECT 1 AS sign, * FROM new_rows) d
		GROUP BY 1, 2, 3, 4
		HAVING sum(sign) <> 0 OR sum(sign * amount) <> 0 OR
		    sum(sign * fee) <> 0 OR sum(sign * total) <> 0
		ORDER BY 1, 2, 3, 4
		ON CONFLICT (user_id, month, type, status) DO UPDATE SET
		    n = s.n + EXCLUDED.n, amount = s.amount + EXCLUDED.amount,
		    fee = s.fee + EXCLUDED.fee, total = s.total + EXCLUDED.total;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO tx_stats AS s (user_id, month, type, status, n,
		    amount, fee, total)
		SELECT user_id, oslo_month(created_at), type, status, sum(sign),
		    sum(sign * amount), sum(sign * fee), sum(sign * total)
		FROM (SELECT -1 AS sign, * FROM old_rows) d
		GROUP BY 1, 2, 3, 4
		HAVING sum(sign) <> 0 OR sum(sign * amount) <> 0 OR
		    sum(sign * fee) <> 0 OR sum(sign * total) <> 0
		ORDER BY 1, 2, 3, 4
		ON CONFLICT (user_id, month, type, status) DO UPDATE SET
		    n = s.n + EXCLUDED.n, amount = s.amount + EXCLUDED.amount,
		    fee = s.fee + EXCLUDED.fee, total = s.total + EXCLUDED.total;
	ELSE
		INSERT INTO tx_stats AS s (user_id, month, type, status, n,
		    amount, fee, total)
		SELECT user_id, oslo_month(created_at), type, status, sum(sign),
		    sum(sign * amount), sum(sign * fee), sum(sign * total)
		FROM (SELECT 1 AS sign, * FROM new_rows
		    UNION ALL SELECT -1, * FROM old_rows) d
		GROUP BY 1, 2, 3, 4
		HAVING sum(sign) <> 0 OR sum(sign * amount) <> 0 OR
		    sum(sign * fee) <> 0 OR sum(sign * total) <> 0
		ORDER BY 1, 2, 3, 4
		ON CONFLICT (user_id, month, type, status) DO UPDATE SET
		    n = s.n + EXCLUDED.n, amount = s.amount + EXCLUDED.amount,
		    fee = s.fee + EXCLUDED.fee, total = s.total + EXCLUDED.total;
	END IF;
	RETURN NULL;
END;
$$;

DROP FUNCTION IF EXISTS drop_stats_add(transactions, integer);
DROP TRIGGER IF EXISTS transactions_stats ON transactions;
-- Transition tables allow one event per trigger, and no column list.
CREATE OR REPLACE TRIGGER transactions_stats_ins AFTER INSERT ON transactions
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION drop_stats_trigger();
CREATE OR REPLACE TRIGGER transactions_stats_upd AFTER UPDATE ON transactions
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION drop_stats_trigger();
CREATE OR REPLACE TRIGGER transactions_stats_del AFTER DELETE ON transactions
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION drop_stats_trigger();

-- Microseconds since the epoch, exactly (the cursor's position).
CREATE OR REPLACE FUNCTION drop_ts_us(ts timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT (extract(epoch FROM ts) * 1000000)::bigint
$$;

CREATE OR REPLACE FUNCTION drop_us_ts(us bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
	SELECT 'epoch'::timestamptz + us * interval '1 microsecond'
$$;
