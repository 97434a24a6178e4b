-- Retention and purge (issue 20; docs/retention.md says what goes when
-- and why). Once per Oslo day from 03:00 (drop_now(), so tests move the
-- clock), whichever worker of whichever instance asks first (an advisory
-- lock and the day's row): what the law no longer lets Drop keep is
-- removed or made anonymous, at most p_batch rows of a kind per call (the
-- day stays partial and the answer says "more": the caller goes on at
-- once), and every kind purged is counted in the audit log. SECURITY DEFINER: only this function, run
-- as the schema's owner, may blank personal values in audit rows.

-- The most recent Oslo day whose purge time (03:00) has come.
CREATE OR REPLACE FUNCTION drop_purge_day(p_now timestamptz) RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT oslo_day(p_now) - CASE WHEN (p_now AT TIME ZONE
	    'Europe/Oslo')::time >= '03:00' THEN 0 ELSE 1 END
$$;

-- One erased account past its retention: personal fields gone, money
-- records kept without them.
CREATE OR REPLACE FUNCTION drop_purge_user(p_user text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	UPDATE users SET email = 'erased-' || id || '@erased.invalid',
	    password_hash = '*', first_name = '-', last_name = '-',
	    phone = NULL, date_of_birth = '1900-01-01', updated_at = now()
	    WHERE id = p_user;
	UPDATE recipients SET name = '-', bank_account = '-', bank_name = NULL,
	    deleted_at = coalesce(deleted_at, now()) WHERE user_id = p_user;
	UPDATE transactions SET recipient_name = NULL WHERE user_id = p_user;
	UPDATE bank_accounts SET account_number = '00000000000',
	    deleted_at = coalesce(deleted_at, now()), consent_id = NULL,
	    consent_pending_id = NULL, consent_sca_url = NULL,
	    resource_id = NULL WHERE user_id = p_user;
	UPDATE cards SET shipping_address = NULL WHERE user_id = p_user;
	UPDATE kyc_submissions SET legal_name = '-', address = '-',
	    national_id = '00000000000', purpose_detail = NULL
	    WHERE user_id = p_user;
	UPDATE complaints SET subject = '-', description = '-',
	    resolution = CASE WHEN resolution IS NOT NULL THEN '-' END
	    WHERE user_id = p_user;
	DELETE FROM sessions WHERE user_id = p_user;
	DELETE FROM notifications WHERE user_id = p_user;
	DELETE FROM consent_events WHERE user_id = p_user;
	DELETE FROM consents WHERE user_id = p_user;
	DELETE FROM emails WHERE user_id = p_user;
	DELETE FROM password_resets WHERE user_id = p_user;
	DELETE FROM login_throttle WHERE user_id = p_user;
	DELETE FROM user_limits WHERE user_id = p_user;
	DELETE FROM idempotency_keys WHERE user_id = p_user;
	-- A quote a payment used is part of that money record.
	DELETE FROM quotes q WHERE q.user_id = p_user AND NOT EXISTS
	    (SELECT 1 FROM transactions t WHERE t.quote_id = q.id);
	UPDATE audit_log SET before = NULL, after = NULL WHERE entity = 'user'
	    AND entity_id = p_user AND action IN ('user.profile');
	UPDATE data_access_requests SET purged_at = now()
	    WHERE user_id = p_user AND type = 'erasure';
END;
$$;

-- At most p_batch rows of p_table that p_where ($1: now) names, deleted;
-- how many. The table and condition are this file's own, never input.
CREATE OR REPLACE FUNCTION drop_purge_rows(p_table text, p_where text,
    p_now timestamptz, p_batch integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n	integer;
BEGIN
	EXECUTE format('DELETE FROM %I WHERE ctid IN (SELECT ctid FROM %I '
	    'WHERE %s LIMIT $2)', p_table, p_table, p_where)
	    USING p_now, p_batch;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END;
$$;

CREATE OR REPLACE FUNCTION drop_purge_run(p_batch integer) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	v_now	timestamptz := drop_now();
	v_day	date := drop_purge_day(drop_now());
	c	jsonb;
	n	integer;
	u	text;
	v_more	boolean;
BEGIN
	IF EXISTS (SELECT 1 FROM purge_runs WHERE day >= v_day AND
	    status = 'done') THEN
		RETURN NULL;
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('drop_purge_run'));
	IF EXISTS (SELECT 1 FROM purge_runs WHERE day >= v_day AND
	    status = 'done') THEN
		RETURN NULL;
	END IF;

	n := 0;
	FOR u IN SELECT user_id FROM data_access_requests WHERE
	    type = 'erasure' AND purged_at IS NULL AND purge_after <= v_now
	    ORDER BY purge_after LIMIT p_batch LOOP
		PERFORM drop_purge_user(u);
		n := n + 1;
	END LOOP;
	c := jsonb_build_object('erasedAccounts', n);

	c := c || jsonb_build_object(
	    'sessions', drop_purge_rows('sessions', 'expires_at < $1 - '
	    'interval ''30 days'' OR revoked_at < $1 - interval ''30 days''',
	    v_now, p_batch),
	    'idempotencyKeys', drop_purge_rows('idempotency_keys',
	    'created_at < $1 - interval ''24 hours''', v_now, p_batch),
	    'notifications', drop_purge_rows('notifications',
	    'created_at < $1 - interval ''13 months''', v_now, p_batch),
	    'emails', drop_purge_rows('emails', 'status <> ''queued'' AND '
	    'created_at < $1 - interval ''30 days''', v_now, p_batch),
	    'passwordResets', drop_purge_rows('password_resets',
	    'created_at < $1 - interval ''1 day''', v_now, p_batch));

	v_more := EXISTS (SELECT 1 FROM jsonb_each(c) e WHERE
	    e.value::integer >= p_batch);
	INSERT INTO purge_runs AS r (day, status, counts, done_at)
	VALUES (v_day, CASE WHEN v_more THEN 'partial' ELSE 'done' END, c,
	    now())
	ON CONFLICT (day) DO UPDATE SET status = EXCLUDED.status,
	    counts = (SELECT jsonb_object_agg(k.key, k.value::integer +
	    coalesce((r.counts->>k.key)::integer, 0)) FROM jsonb_each(c) k),
	    done_at = now();
	INSERT INTO audit_log (actor, action, entity, entity_id, after)
	SELECT 'purge', 'purge.' || e.key, 'purge', v_day::text,
	    jsonb_build_object('count', e.value::integer)
	FROM jsonb_each(c) e WHERE e.value::integer > 0;
	RETURN c || jsonb_build_object('more', v_more);
END;
$$;
