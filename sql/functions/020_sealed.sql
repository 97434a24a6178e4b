-- Values stored in clear before sealing began (migration 026), for the
-- server to seal (src/core/reseal.c): a few of each kind at a time. The
-- purge's blanked number ('00000000000') is no one's and stays.
CREATE OR REPLACE FUNCTION drop_unsealed_values(p_limit integer)
RETURNS TABLE (kind text, id text, value text)
LANGUAGE sql STABLE AS $$
	(SELECT 'national_id', k.id, k.national_id FROM kyc_submissions k
	    WHERE k.national_id NOT LIKE 's1:%' AND
	    k.national_id <> '00000000000' LIMIT p_limit)
	UNION ALL
	(SELECT 'secret', w.id, w.secret FROM webhook_endpoints w
	    WHERE w.secret NOT LIKE 's1:%' LIMIT p_limit)
$$;

-- One value replaced by its sealed form, if it is still the one read (a
-- worker that sealed it first wins); whether it was.
CREATE OR REPLACE FUNCTION drop_seal_value(p_kind text, p_id text,
    p_clear text, p_sealed text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	IF p_sealed NOT LIKE 's1:%' THEN
		RETURN false;
	END IF;
	IF p_kind = 'national_id' THEN
		UPDATE kyc_submissions SET national_id = p_sealed
		    WHERE id = p_id AND national_id = p_clear;
	ELSIF p_kind = 'secret' THEN
		UPDATE webhook_endpoints SET secret = p_sealed
		    WHERE id = p_id AND secret = p_clear;
	ELSE
		RETURN false;
	END IF;
	RETURN FOUND;
END;
$$;
