-- Per-user limits for every instance together: the user's row of
-- user_limits holds the hits of the last 61 seconds by second (the
-- window of src/lib/ratewin.c: no minute, wherever it starts, holds more
-- than the limit). Goes by the database's clock, one for all instances,
-- not by drop_now() (tests move that).

-- Counts a hit and returns 0 when the window holds fewer than p_limit;
-- else counts nothing and returns the seconds until one more fits.
CREATE OR REPLACE FUNCTION drop_user_limit_hit(p_user text, p_grp text,
    p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_now	bigint;
	v_sec	bigint;
	v_hits	integer[];
	v_left	integer;
	i	integer;
BEGIN
	-- A count lost in a crash costs a few hits, not a wait for the disk
	-- (and the synchronous standby) on every payment: this statement is
	-- its own transaction.
	PERFORM set_config('synchronous_commit', 'off', true);
	INSERT INTO user_limits (user_id, grp, sec, hits)
	VALUES (p_user, p_grp, 0, array_fill(0, ARRAY[61]))
	ON CONFLICT (user_id, grp) DO NOTHING;
	SELECT sec, hits INTO v_sec, v_hits FROM user_limits
	    WHERE user_id = p_user AND grp = p_grp FOR UPDATE;
	-- The clock is read under the row's lock: seconds only go forward.
	v_now := greatest(v_sec,
	    floor(extract(epoch FROM clock_timestamp()))::bigint);
	IF v_now - v_sec >= 61 THEN
		v_hits := array_fill(0, ARRAY[61]);
	ELSE
		FOR i IN 1 .. v_now - v_sec LOOP
			v_hits[(v_sec + i) % 61 + 1] := 0;
		END LOOP;
	END IF;
	v_left := (SELECT sum(h) FROM unnest(v_hits) h);
	IF v_left < p_limit THEN
		v_hits[v_now % 61 + 1] := v_hits[v_now % 61 + 1] + 1;
	END IF;
	UPDATE user_limits SET sec = v_now, hits = v_hits
	    WHERE user_id = p_user AND grp = p_grp;
	IF v_left < p_limit THEN
		RETURN 0;
	END IF;
	-- The oldest seconds leave first: when enough have, one fits.
	i := 0;
	LOOP
		v_left := v_left - v_hits[(v_now - 60 + i) % 61 + 1];
		EXIT WHEN v_left < p_limit OR i = 60;
		i := i + 1;
	END LOOP;
	RETURN i + 1;
END;
$$;
