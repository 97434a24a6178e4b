-- Makes an account the user's only primary one; returns it, or no row when
-- the account is not the user's or was unlinked.
DROP FUNCTION IF EXISTS drop_set_primary(text, text);
CREATE FUNCTION drop_set_primary(p_user text, p_account text)
RETURNS SETOF bank_accounts
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM bank_accounts WHERE user_id = p_user FOR UPDATE;
	IF NOT EXISTS (SELECT 1 FROM bank_accounts
	    WHERE id = p_account AND user_id = p_user AND deleted_at IS NULL) THEN
		RETURN;
	END IF;
	UPDATE bank_accounts SET is_primary = false
	    WHERE user_id = p_user AND is_primary AND id <> p_account;
	UPDATE bank_accounts SET is_primary = true WHERE id = p_account;
	RETURN QUERY SELECT * FROM bank_accounts WHERE id = p_account;
END;
$$;
