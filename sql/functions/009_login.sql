-- The per-account sign-in throttle: five failed passwords in a row pause
-- the account's sign-in for 30 s, each further failure doubles the pause
-- up to 15 minutes, and 15 quiet minutes after the last pause (or
-- failure) start the count again. A correct password clears it. The
-- first pause of a series tells the user. Goes by drop_now() (tests move
-- it).

-- Seconds the account's sign-in is still paused (0: not paused).
CREATE OR REPLACE FUNCTION drop_login_paused(p_user text) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT ceil(extract(epoch FROM locked_until -
	    drop_now()))::integer FROM login_throttle WHERE user_id = p_user
	    AND locked_until > drop_now()), 0)
$$;

-- A wrong password for the account: its new pause in seconds (0: none).
CREATE OR REPLACE FUNCTION drop_login_failed(p_user text, p_noti text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	r	login_throttle%ROWTYPE;
	v_n	integer;
	v_pause	integer := 0;
BEGIN
	INSERT INTO login_throttle (user_id, failures, last_failed_at)
	VALUES (p_user, 0, drop_now()) ON CONFLICT (user_id) DO NOTHING;
	SELECT * INTO r FROM login_throttle WHERE user_id = p_user FOR UPDATE;
	v_n := r.failures + 1;
	IF greatest(r.last_failed_at, r.locked_until) < drop_now() -
	    interval '15 minutes' THEN
		v_n := 1;
	END IF;
	IF v_n >= 5 THEN
		v_pause := least(900, 30 * 2 ^ least(v_n - 5, 5))::integer;
	END IF;
	UPDATE login_throttle SET failures = v_n, last_failed_at = drop_now(),
	    locked_until = CASE WHEN v_pause > 0 THEN drop_now() +
	    v_pause * interval '1 second' END
	    WHERE user_id = p_user;
	IF v_n = 5 THEN
		PERFORM drop_notify(p_noti, p_user, 'security_login_paused',
		    'Sign-in paused', 'After 5 wrong passwords in a row we ' ||
		    'paused sign-in to your account for a while. If this was ' ||
		    'not you, change your password.', NULL);
	END IF;
	RETURN v_pause;
END;
$$;
