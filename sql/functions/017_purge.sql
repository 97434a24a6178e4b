-- Retention and purge (issue 20; docs/retention.md says what goes when
-- and why). Once per Oslo day from 03:00 (drop_now(), so tests move the
-- clock), whichever worker of whichever instance asks first (an advisory
-- lock and the day's row): what the law no longer lets Drop keep is
-- removed or made anonymous, at most p_batch rows of a kind per call (the
-- day stays partial, and the next call goes on), and every kind purged is
-- counted in the audit log. SECURITY DEFINER: only this function, run
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
	DELETE FROM idempotency_keys WHERE user_id = p_user;
	DELETE FROM quotes WHERE user_id = p_user;
	UPDATE audit_log SET before = NULL, after = NULL WHERE entity = 'user'
	    AND entity_id = p_user AND action IN ('user.profile');
	UPDATE data_access_requests SET purged_at = now()
	    WHERE user_id = p_user AND type = 'erasure';
END;
$$;

CREATE OR REPLACE FUNCTION drop_purge_run(p_batch integer) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	v_now	timestamptz := drop_now();
	v_day	date := drop_purge_day(drop_now());
	c	jsonb := '{}';
	n	integer;
	u	text;
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
	c := c || jsonb_build_object('erasedAccounts', n);

	DELETE FROM sessions WHERE ctid IN (SELECT ctid FROM sessions WHERE
	    expires_at < v_now - interval '30 days' OR revoked_at < v_now -
	    interval '30 days' LIMIT p_batch);
	GET DIAGNOSTICS n = ROW_COUNT;
	c := c || jsonb_build_object('sessions', n);

	DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM
	    idempotency_keys WHERE created_at < v_now - interval '24 hours'
	    LIMIT p_batch);
	GET DIAGNOSTICS n = ROW_COUNT;
	c := c || jsonb_build_object('idempotencyKeys', n);

	DELETE FROM notifications WHERE ctid IN (SELECT ctid FROM
	    notifications WHERE created_at < v_now - interval '13 months'
	    LIMIT p_batch);
	GET DIAGNOSTICS n = ROW_COUNT;
	c := c || jsonb_build_object('notifications', n);

	DELETE FROM emails WHERE ctid IN (SELECT ctid FROM emails WHERE
	    status <> 'queued' AND created_at < v_now - interval '30 days'
	    LIMIT p_batch);
	GET DIAGNOSTICS n = ROW_COUNT;
	c := c || jsonb_build_object('emails', n);

	DELETE FROM password_resets WHERE ctid IN (SELECT ctid FROM
	    password_resets WHERE created_at < v_now - interval '1 day'
	    LIMIT p_batch);
	GET DIAGNOSTICS n = ROW_COUNT;
	c := c || jsonb_build_object('passwordResets', n);

	INSERT INTO purge_runs AS r (day, status, counts, done_at)
	VALUES (v_day, CASE WHEN EXISTS (SELECT 1 FROM jsonb_each(c) e WHERE
	    e.value::integer >= p_batch) THEN 'partial' ELSE 'done' END, c,
	    now())
	ON CONFLICT (day) DO UPDATE SET status = EXCLUDED.status,
	    counts = (SELECT jsonb_object_agg(k.key, k.value::integer +
	    coalesce((r.counts->>k.key)::integer, 0)) FROM jsonb_each(c) k),
	    done_at = now();
	INSERT INTO audit_log (actor, action, entity, entity_id, after)
	SELECT 'purge', 'purge.' || e.key, 'purge', v_day::text,
	    jsonb_build_object('count', e.value::integer)
	FROM jsonb_each(c) e WHERE e.value::integer > 0;
	RETURN c;
END;
$$;
