-- The SMTP outbox (issue 20): messages queued in the transaction that
-- causes them, claimed under a lease by one worker at a time (FOR UPDATE
-- SKIP LOCKED), retried with doubling waits, given up after a day; the
-- body is dropped once sent or given up. src/core/mailer.c sends them.

CREATE OR REPLACE FUNCTION drop_mail_queue(p_user text, p_to text,
    p_kind text, p_subject text, p_body text) RETURNS text
LANGUAGE sql AS $$
	INSERT INTO emails (id, user_id, to_addr, kind, subject, body)
	VALUES (drop_new_id('eml_'), p_user, p_to, p_kind, left(p_subject, 400),
	    p_body)
	RETURNING id
$$;

-- A notification is e-mailed too while the user's emailEnabled is on
-- (on when they never chose), unless the account is erased.
CREATE OR REPLACE FUNCTION drop_notification_mail() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	v_to	text;
BEGIN
	SELECT u.email INTO v_to FROM users u LEFT JOIN user_settings s ON
	    s.user_id = u.id WHERE u.id = NEW.user_id AND u.deleted_at IS NULL
	    AND coalesce(s.email_enabled, true);
	IF v_to IS NOT NULL THEN
		PERFORM drop_mail_queue(NEW.user_id, v_to, NEW.type, NEW.title,
		    NEW.body || E'\n\n-- \nDrop. You get this e-mail because '
		    'e-mail notifications are on in your settings.');
	END IF;
	RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS notifications_mail ON notifications;
CREATE TRIGGER notifications_mail AFTER INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION drop_notification_mail();

-- Up to p_limit due messages, leased for p_lease_ms.
CREATE OR REPLACE FUNCTION drop_mail_claim(p_limit integer,
    p_lease_ms integer)
RETURNS TABLE (id text, to_addr text, subject text, body text,
    attempt integer)
LANGUAGE sql AS $$
	UPDATE emails e SET lease_until = now() + p_lease_ms *
	    interval '1 millisecond', attempts = e.attempts + 1
	FROM (SELECT x.id FROM emails x WHERE x.status = 'queued' AND
	    x.next_at <= now() AND (x.lease_until IS NULL OR
	    x.lease_until < now()) ORDER BY x.next_at LIMIT p_limit
	    FOR UPDATE SKIP LOCKED) due
	WHERE e.id = due.id
	RETURNING e.id, e.to_addr, e.subject, e.body, e.attempts
$$;

-- The relay's answer: sent, or the next try (p_base_ms doubling, at
-- most an hour), or failed after p_giveup_s. The new status.
CREATE OR REPLACE FUNCTION drop_mail_done(p_id text, p_attempt integer,
    p_ok boolean, p_error text, p_base_ms integer, p_giveup_s integer)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	m	emails%ROWTYPE;
BEGIN
	SELECT * INTO m FROM emails WHERE id = p_id FOR UPDATE;
	IF NOT FOUND OR m.status <> 'queued' OR m.attempts <> p_attempt THEN
		RETURN 'stale';
	END IF;
	IF p_ok THEN
		UPDATE emails SET status = 'sent', sent_at = now(), body = NULL,
		    lease_until = NULL, last_error = NULL WHERE id = p_id;
		RETURN 'sent';
	END IF;
	IF m.created_at < now() - p_giveup_s * interval '1 second' THEN
		UPDATE emails SET status = 'failed', body = NULL,
		    lease_until = NULL, last_error = left(p_error, 200)
		    WHERE id = p_id;
		RETURN 'failed';
	END IF;
	UPDATE emails SET lease_until = NULL, last_error = left(p_error, 200),
	    next_at = now() + least(3600000, p_base_ms * 2 ^ least(m.attempts
	    - 1, 20)) * interval '1 millisecond' WHERE id = p_id;
	RETURN 'queued';
END;
$$;

-- A reset link for the address, if it is a live account's and it has
-- asked fewer than 5 times in the hour: the link (p_url and the token)
-- goes by e-mail, only the token's SHA-256 is kept, valid 30 minutes.
-- Nothing tells the caller which happened.
CREATE OR REPLACE FUNCTION drop_reset_request(p_email text, p_token text,
    p_url text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	u	users%ROWTYPE;
BEGIN
	SELECT * INTO u FROM users WHERE lower(email) = lower(p_email) AND
	    deleted_at IS NULL;
	IF NOT FOUND OR (SELECT count(*) FROM password_resets WHERE
	    user_id = u.id AND created_at > drop_now() - interval '1 hour')
	    >= 5 THEN
		RETURN;
	END IF;
	INSERT INTO password_resets (id, user_id, token_hash, expires_at)
	VALUES (drop_new_id('pwr_'), u.id, encode(sha256(convert_to(p_token,
	    'UTF8')), 'hex'), drop_now() + interval '30 minutes');
	PERFORM drop_mail_queue(u.id, u.email, 'password_reset',
	    'Reset your Drop password', 'Hello ' || u.first_name || E',\n\n' ||
	    E'someone (we hope you) asked to reset the password of your Drop ' ||
	    E'account. Open this link within 30 minutes to choose a new one:\n\n' ||
	    p_url || '/#/reset/' || p_token || E'\n\nThe link works once. ' ||
	    'If you did not ask, ignore this e-mail: your password stays as ' ||
	    E'it is.\n\n-- \nDrop');
END;
$$;

-- A new password through a reset link: the link used up (and every
-- other open one), every session revoked, the sign-in pause lifted, the
-- user told. The user's id, or NULL for an unknown, used or old link.
CREATE OR REPLACE FUNCTION drop_reset_confirm(p_token text, p_hash text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	r	password_resets%ROWTYPE;
BEGIN
	SELECT * INTO r FROM password_resets WHERE token_hash =
	    encode(sha256(convert_to(p_token, 'UTF8')), 'hex') FOR UPDATE;
	IF NOT FOUND OR r.used_at IS NOT NULL OR r.expires_at <= drop_now() OR
	    NOT EXISTS (SELECT 1 FROM users WHERE id = r.user_id AND
	    deleted_at IS NULL) THEN
		RETURN NULL;
	END IF;
	UPDATE password_resets SET used_at = drop_now() WHERE user_id =
	    r.user_id AND used_at IS NULL;
	PERFORM drop_password_set(r.user_id, p_hash, NULL, 'password.reset');
	RETURN r.user_id;
END;
$$;

-- The password replaced: every session but p_keep revoked, the sign-in
-- pause lifted, the user notified (and e-mailed), audited by the user.
CREATE OR REPLACE FUNCTION drop_password_set(p_user text, p_hash text,
    p_keep text, p_action text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_revoked	integer;
BEGIN
	UPDATE users SET password_hash = p_hash, updated_at = now()
	    WHERE id = p_user;
	UPDATE sessions SET revoked_at = now() WHERE user_id = p_user AND
	    revoked_at IS NULL AND id IS DISTINCT FROM p_keep;
	GET DIAGNOSTICS v_revoked = ROW_COUNT;
	DELETE FROM login_throttle WHERE user_id = p_user;
	PERFORM drop_notify(drop_new_id('noti_'), p_user,
	    'security_password_changed', 'Your password was changed',
	    'The password of your Drop account was just changed, and every ' ||
	    'other device was signed out. If this was not you, reset it at ' ||
	    'once and contact support.', NULL);
	INSERT INTO audit_log (actor, action, entity, entity_id, after)
	VALUES (p_user, p_action, 'user', p_user,
	    jsonb_build_object('sessionsRevoked', v_revoked));
	RETURN v_revoked;
END;
$$;
