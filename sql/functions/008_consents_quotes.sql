-- The user's side of PSD2: the clock business rules read, consent expiry,
-- quotes that lock a remittance's price, and unlinking a bank account.

-- The time business rules go by: now() plus the skew tests may set.
CREATE OR REPLACE FUNCTION drop_now() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT now() + coalesce((SELECT skew FROM drop_clock), '0')
$$;

-- A consent is valid through its last day (validUntil, UTC).
CREATE OR REPLACE FUNCTION drop_consent_over(p_until timestamptz)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT p_until IS NOT NULL AND drop_now() >= p_until + interval '1 day'
$$;

-- The last day of a consent asked for today: 180 days on (UTC).
CREATE OR REPLACE FUNCTION drop_consent_until() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT to_char((drop_now() AT TIME ZONE 'UTC') + interval '180 days',
	    'YYYY-MM-DD')
$$;

-- A remittance's price, held for ten minutes: the rate of now and the fee
-- the caller computed. No row when the recipient is not the user's; a
-- row without quote when the corridor has no rate. The user's expired
-- quotes go, and at most 20 live ones are kept.
DROP FUNCTION IF EXISTS drop_quote(text, text, bigint, bigint);
CREATE FUNCTION drop_quote(p_user text, p_recipient text, p_amount bigint,
    p_fee bigint)
RETURNS TABLE (currency text, country text, rate text, receive bigint,
    quote_id text, expires_at text)
LANGUAGE plpgsql AS $$
DECLARE
	v_rcp	recipients%ROWTYPE;
	v_rate	numeric;
	v_id	text;
	v_exp	timestamptz := drop_now() + interval '10 minutes';
BEGIN
	SELECT * INTO v_rcp FROM recipients r WHERE r.id = p_recipient
	    AND r.user_id = p_user AND r.deleted_at IS NULL;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT e.rate INTO v_rate FROM exchange_rates e
	    WHERE e.currency = v_rcp.currency;
	IF v_rate IS NOT NULL THEN
		DELETE FROM quotes q WHERE q.user_id = p_user AND q.used_by IS NULL
		    AND (q.expires_at <= drop_now() OR q.id IN (SELECT o.id
		    FROM quotes o WHERE o.user_id = p_user AND o.used_by IS NULL
		    ORDER BY o.created_at DESC OFFSET 19));
		v_id := drop_new_id('quo_');
		INSERT INTO quotes (id, user_id, recipient_id, amount, fee, rate,
		    currency, created_at, expires_at)
		VALUES (v_id, p_user, v_rcp.id, p_amount, p_fee, v_rate,
		    v_rcp.currency, drop_now(), v_exp);
	END IF;
	RETURN QUERY SELECT v_rcp.currency, v_rcp.country, v_rate::text,
	    round(p_amount * v_rate)::bigint, v_id,
	    CASE WHEN v_id IS NULL THEN NULL ELSE iso(v_exp) END;
END;
$$;

-- Unlinks an account whose consent the bank has let go: it leaves the
-- user's lists (another becomes primary) and stays in past transactions.
-- 'not_found', 'busy' (a payment from it is open) or 'ok'.
CREATE OR REPLACE FUNCTION drop_unlink(p_user text, p_account text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	a	bank_accounts%ROWTYPE;
BEGIN
	-- The user's accounts, locked: primary moves and debits wait.
	PERFORM 1 FROM bank_accounts WHERE user_id = p_user FOR UPDATE;
	SELECT * INTO a FROM bank_accounts WHERE id = p_account
	    AND user_id = p_user AND deleted_at IS NULL;
	IF NOT FOUND THEN
		RETURN 'not_found';
	END IF;
	IF EXISTS (SELECT 1 FROM transactions WHERE bank_account_id = p_account
	    AND status IN ('pending_authorisation', 'processing')) THEN
		RETURN 'busy';
	END IF;
	UPDATE bank_accounts SET deleted_at = now(), is_primary = false,
	    consent_status = 'terminatedByTpp', consent_sca_url = NULL
	    WHERE id = p_account;
	IF a.is_primary THEN
		UPDATE bank_accounts SET is_primary = true WHERE id = (SELECT id
		    FROM bank_accounts WHERE user_id = p_user AND deleted_at IS NULL
		    AND status = 'active' ORDER BY created_at, id LIMIT 1);
	END IF;
	RETURN 'ok';
END;
$$;
