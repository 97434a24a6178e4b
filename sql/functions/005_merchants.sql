-- Merchants: the aggregates of migration 005, registration, dashboard and
-- payout; cards: creation under a per-user cap.

CREATE OR REPLACE FUNCTION oslo_day(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
	SELECT (ts AT TIME ZONE 'Europe/Oslo')::date
$$;

-- One statement's net change to the merchants' day rows (completed
-- payments only), as drop_stats_trigger does for tx_stats.
CREATE OR REPLACE FUNCTION drop_merchant_stats_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO merchant_stats AS s (merchant_id, day, shard, n,
		    amount, fee)
		SELECT merchant_id, oslo_day(created_at), hashtext(id) & 7,
		    sum(sign), sum(sign * amount), sum(sign * fee)
		FROM (SELECT 1 AS sign, * FROM new_rows) d
		WHERE merchant_id IS NOT NULL AND status = 'completed'
		GROUP BY 1, 2, 3
		HAVING sum(sign) <> 0 OR sum(sign * amount) <> 0 OR
		    sum(sign * fee) <> 0
		ORDER BY 1, 2, 3
		ON CONFLICT (merchant_id, day, shard) DO UPDATE SET
		    n = s.n + EXCLUDED.n, amount = s.amount + EXCLUDED.amount,
		    fee = s.fee + EXCLUDED.fee;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO merchant_stats AS s (merchant_id, day, shard, n,
		    amount, fee)
		SELECT merchant_id, oslo_day(created_at), hashtext(id) & 7,
		    sum(sign), sum(sign * amount), sum(sign * fee)
		FROM (SELECT -1 AS sign, * FROM old_rows) d
		WHERE merchant_id IS NOT NULL AND status = 'completed'
		GROUP BY 1, 2, 3
		HAVING sum(sign) <> 0 OR sum(sign * amount) <> 0 OR
		    sum(sign * fee) <> 0
		ORDER BY 1, 2, 3
		ON CONFLICT (merchant_id, day, shard) DO UPDATE SET
		    n = s.n + EXCLUDED.n, amount = s.amount + EXCLUDED.amount,
		    fee = s.fee + EXCLUDED.fee;
	ELSE
		INSERT INTO merchant_stats AS s (merchant_id, day, shard, n,
		    amount, fee)
		SELECT merchant_id, oslo_day(created_at), hashtext(id) & 7,
		    sum(sign), sum(sign * amount), sum(sign * fee)
		FROM (SELECT 1 AS sign, * FROM new_rows
		    UNION ALL SELECT -1, * FROM old_rows) d
		WHERE merchant_id IS NOT NULL AND status = 'completed'
		GROUP BY 1, 2, 3
		HAVING sum(sign) <> 0 OR sum(sign * amount) <> 0 OR
		    sum(sign * fee) <> 0
		ORDER BY 1, 2, 3
		ON CONFLICT (merchant_id, day, shard) DO UPDATE SET
		    n = s.n + EXCLUDED.n, amount = s.amount + EXCLUDED.amount,
		    fee = s.fee + EXCLUDED.fee;
	END IF;
	RETURN NULL;
END;
$$;

DROP FUNCTION IF EXISTS drop_merchant_stats_add(transactions, integer);
DROP TRIGGER IF EXISTS transactions_merchant_stats ON transactions;
CREATE OR REPLACE TRIGGER transactions_merchant_stats_ins AFTER INSERT ON
	transactions REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION drop_merchant_stats_trigger();
CREATE OR REPLACE TRIGGER transactions_merchant_stats_upd AFTER UPDATE ON
	transactions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION drop_merchant_stats_trigger();
CREATE OR REPLACE TRIGGER transactions_merchant_stats_del AFTER DELETE ON
	transactions REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION drop_merchant_stats_trigger();

-- The next payout at p_time Europe/Oslo after now: today if it is a
-- business day and p_time has not passed, else the next business day.
CREATE OR REPLACE FUNCTION drop_next_payout_day(p_now timestamptz,
    p_time time)
RETURNS date
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN drop_business_day(oslo_day(p_now)) AND
	    (p_now AT TIME ZONE 'Europe/Oslo')::time < p_time
	    THEN oslo_day(p_now)
	    ELSE drop_add_business_days(oslo_day(p_now), 1) END
$$;

-- Dashboard figures of one period (today, week, month): the payments'
-- aggregates and what refunds made in it took back (any not failed); and
-- the next payout: what that day's payout run will take, every booked
-- payment no payout took yet made before the payout day less the refunds
-- paid since the last payout (drop_payouts_run), none when they outweigh.
DROP FUNCTION IF EXISTS drop_merchant_dashboard(text, text, timestamptz,
    time);
CREATE FUNCTION drop_merchant_dashboard(p_merchant text,
    p_period text, p_now timestamptz, p_time time)
RETURNS TABLE (revenue bigint, n bigint, fees bigint, refunds bigint,
    payout_day date, payout bigint)
LANGUAGE sql STABLE AS $$
	WITH b AS (SELECT CASE p_period
	    WHEN 'week' THEN date_trunc('week', oslo_day(p_now))::date
	    WHEN 'month' THEN date_trunc('month', oslo_day(p_now))::date
	    ELSE oslo_day(p_now) END AS since,
	    drop_next_payout_day(p_now, p_time) AS pay)
	SELECT
	    coalesce(sum(s.amount), 0)::bigint,
	    coalesce(sum(s.n), 0)::bigint,
	    coalesce(sum(s.fee), 0)::bigint,
	    (SELECT coalesce(sum(r.amount), 0) FROM refunds r
	        WHERE r.merchant_id = p_merchant AND r.status <> 'failed' AND
	        r.created_at >= b.since::timestamp AT TIME ZONE 'Europe/Oslo'
	    )::bigint,
	    b.pay,
	    greatest(0, (SELECT coalesce(sum(t.amount - t.fee), 0)
	        FROM transactions t
	        WHERE t.merchant_id = p_merchant AND t.status = 'completed' AND
	        t.bank_booked_at IS NOT NULL AND t.payout_id IS NULL AND
	        t.created_at < b.pay::timestamp AT TIME ZONE 'Europe/Oslo') -
	        (SELECT coalesce(sum(r.amount), 0) FROM refunds r
	        WHERE r.merchant_id = p_merchant AND r.status = 'succeeded' AND
	        r.payout_id IS NULL))::bigint
	FROM b LEFT JOIN merchant_stats s ON s.merchant_id = p_merchant AND
	    s.day >= b.since AND s.day <= oslo_day(p_now)
	GROUP BY b.since, b.pay
$$;

-- Registers the caller's business, makes them a merchant and replaces
-- their session by p_session (the new JWT's): one transaction.
CREATE OR REPLACE FUNCTION drop_merchant_register(p_user text,
    p_old_session text, p_merchant text, p_name text, p_org text,
    p_address text, p_account text, p_session text, p_ip text,
    p_request text)
RETURNS TABLE (code text, merchant_id text, created text)
LANGUAGE plpgsql AS $$
DECLARE
	v_role	text;
	v_at	timestamptz;
BEGIN
	SELECT role INTO v_role FROM users WHERE id = p_user
	    AND deleted_at IS NULL FOR UPDATE;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'unauthorized'::text, NULL::text, NULL::text;
		RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM merchants m WHERE m.user_id = p_user) THEN
		RETURN QUERY SELECT 'already_merchant'::text, NULL::text,
		    NULL::text;
		RETURN;
	END IF;
	BEGIN
		INSERT INTO merchants (id, user_id, business_name, org_number,
		    address, bank_account)
		VALUES (p_merchant, p_user, p_name, p_org, p_address, p_account)
		RETURNING merchants.created_at INTO v_at;
	EXCEPTION WHEN unique_violation THEN
		RETURN QUERY SELECT 'org_taken'::text, NULL::text, NULL::text;
		RETURN;
	END;
	UPDATE users SET role = CASE WHEN role = 'admin' THEN role
	    ELSE 'merchant' END, updated_at = now() WHERE id = p_user;
	UPDATE sessions SET revoked_at = now() WHERE id = p_old_session
	    AND revoked_at IS NULL;
	INSERT INTO sessions (id, user_id, expires_at, ip)
	VALUES (p_session, p_user, now() + interval '24 hours', p_ip);
	INSERT INTO audit_log (actor, action, entity, entity_id, before, after,
	    request_id)
	VALUES (p_user, 'merchant.register', 'user', p_user,
	    jsonb_build_object('role', v_role),
	    jsonb_build_object('role', 'merchant', 'merchantId', p_merchant),
	    p_request);
	RETURN QUERY SELECT 'ok'::text, p_merchant, iso(v_at);
END;
$$;

-- A new card, unless the user already holds p_max live (not cancelled)
-- cards; the user row lock makes two creations at once count each other.
CREATE OR REPLACE FUNCTION drop_card_create(p_user text, p_card text,
    p_type text, p_brand text, p_last4 text, p_month integer,
    p_year integer, p_token text, p_address text, p_max integer)
RETURNS SETOF cards
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM users WHERE id = p_user FOR UPDATE;
	IF (SELECT count(*) FROM cards WHERE user_id = p_user AND
	    status <> 'cancelled') >= p_max THEN
		RETURN;
	END IF;
	RETURN QUERY INSERT INTO cards (id, user_id, type, brand, last4,
	    expiry_month, expiry_year, issuer_token, shipping_address)
	VALUES (p_card, p_user, p_type, p_brand, p_last4, p_month, p_year,
	    p_token, p_address) RETURNING *;
END;
$$;

-- A new API key of the caller's shop, unless it holds p_max live ones
-- already (the shop's row lock makes two creations count each other);
-- audited. NULL code: made.
CREATE OR REPLACE FUNCTION drop_api_key_create(p_user text, p_key text,
    p_name text, p_scopes text[], p_hash text, p_max integer,
    p_request text)
RETURNS TABLE (code text, created text)
LANGUAGE plpgsql AS $$
DECLARE
	v_mer	text;
	v_at	timestamptz;
BEGIN
	SELECT id INTO v_mer FROM merchants WHERE user_id = p_user FOR UPDATE;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'not_found'::text, NULL::text;
		RETURN;
	END IF;
	IF (SELECT count(*) FROM api_keys WHERE merchant_id = v_mer AND
	    revoked_at IS NULL) >= p_max THEN
		RETURN QUERY SELECT 'too_many'::text, NULL::text;
		RETURN;
	END IF;
	INSERT INTO api_keys (id, merchant_id, name, scopes, key_hash)
	VALUES (p_key, v_mer, p_name, p_scopes, p_hash)
	RETURNING created_at INTO v_at;
	INSERT INTO audit_log (actor, action, entity, entity_id, after,
	    request_id)
	VALUES (p_user, 'merchant.api_key.create', 'api_key', p_key,
	    jsonb_build_object('scopes', p_scopes), p_request);
	RETURN QUERY SELECT NULL::text, iso(v_at);
END;
$$;
