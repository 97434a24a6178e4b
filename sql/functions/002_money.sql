-- Payments: each is ONE transaction. The balance check and the debit are a
-- single conditional UPDATE on the account row, so concurrent payments can
-- neither overdraw nor double-debit; the idempotency key is inserted first
-- in the same transaction, so concurrent retries of one key serialize on it.

CREATE OR REPLACE VIEW tx_view AS
	SELECT t.*, iso(t.created_at) AS created_iso,
	    iso(t.updated_at) AS updated_iso, iso(t.completed_at) AS completed_iso,
	    to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created_date,
	    b.account_number AS from_account
	FROM transactions t JOIN bank_accounts b ON b.id = t.bank_account_id;

-- Records the outcome of the first request with a key.
CREATE OR REPLACE FUNCTION drop_idem_finish(p_user text, p_key text,
    p_status integer, p_error text, p_tx text) RETURNS void
LANGUAGE sql AS $$
	UPDATE idempotency_keys SET status = p_status, error = p_error,
	    transaction_id = p_tx
	WHERE p_key IS NOT NULL AND user_id = p_user AND key = p_key;
$$;

-- NULL when this request owns the key (or there is none); otherwise the
-- answer for a retry: the stored outcome, or a conflict.
CREATE OR REPLACE FUNCTION drop_idem_begin(p_user text, p_key text,
    p_endpoint text, p_hash text)
RETURNS TABLE (code text, status integer, tx_id text, response text)
LANGUAGE plpgsql AS $$
DECLARE
	k idempotency_keys%ROWTYPE;
BEGIN
	IF p_key IS NULL THEN
		RETURN;
	END IF;
	INSERT INTO idempotency_keys (user_id, key, endpoint, request_hash, status)
	VALUES (p_user, p_key, p_endpoint, p_hash, 0)
	ON CONFLICT (user_id, key) DO NOTHING;
	IF FOUND THEN
		RETURN;
	END IF;
	SELECT * INTO k FROM idempotency_keys i
	    WHERE i.user_id = p_user AND i.key = p_key;
	IF k.endpoint <> p_endpoint OR k.request_hash <> p_hash THEN
		RETURN QUERY SELECT 'idempotency_conflict'::text, 409, NULL::text,
		    NULL::text;
	ELSE
		RETURN QUERY SELECT COALESCE(k.error, 'replay'), k.status,
		    k.transaction_id, k.response;
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION drop_notify(p_noti text, p_user text, p_type text,
    p_title text, p_body text, p_tx text) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO notifications (id, user_id, type, title, body, transaction_id)
	VALUES (p_noti, p_user, p_type, p_title, p_body, p_tx);
$$;

-- Debits total from the account if it covers it (one conditional UPDATE,
-- which locks the row); false otherwise.
CREATE OR REPLACE FUNCTION drop_debit(p_account text, p_total bigint)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE bank_accounts SET balance = balance - p_total
	    WHERE id = p_account AND balance >= p_total;
	RETURN FOUND;
END;
$$;

-- The caller's account: the one asked for, else the primary. NULL with
-- code no_bank_account (none linked) or account_not_found.
CREATE OR REPLACE FUNCTION drop_pick_account(p_user text, p_account text,
    OUT account_id text, OUT code text)
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM bank_accounts WHERE user_id = p_user) THEN
		code := 'no_bank_account';
		RETURN;
	END IF;
	IF p_account IS NULL THEN
		SELECT id INTO account_id FROM bank_accounts
		    WHERE user_id = p_user AND is_primary;
	ELSE
		SELECT id INTO account_id FROM bank_accounts
		    WHERE user_id = p_user AND id = p_account;
	END IF;
	IF account_id IS NULL THEN
		code := CASE WHEN p_account IS NULL THEN 'no_bank_account'
		    ELSE 'account_not_found' END;
	END IF;
END;
$$;

-- After a payment's row is inserted: its ledger debit, its notification
-- and the idempotency outcome; the answer the payment functions return.
CREATE OR REPLACE FUNCTION drop_pay_recorded(p_user text, p_key text,
    p_tx text, p_account text, p_debit bigint, p_noti text, p_type text,
    p_title text, p_body text)
RETURNS TABLE (code text, status integer, tx_id text, response text)
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO balance_events (bank_account_id, kind, delta, transaction_id)
	VALUES (p_account, 'debit', -p_debit, p_tx);
	PERFORM drop_notify(p_noti, p_user, p_type, p_title, p_body, p_tx);
	PERFORM drop_idem_finish(p_user, p_key, 201, NULL, p_tx);
	RETURN QUERY SELECT 'ok'::text, 201, p_tx, NULL::text;
END;
$$;

-- A business refusal: nothing was debited; retries get the same answer.
CREATE OR REPLACE FUNCTION drop_pay_refused(p_user text, p_key text,
    p_code text)
RETURNS TABLE (code text, status integer, tx_id text, response text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM drop_idem_finish(p_user, p_key, 0, p_code, NULL);
	RETURN QUERY SELECT p_code, 0, NULL::text, NULL::text;
END;
$$;

-- Picks the account (drop_pick_account) and debits total from it; code is
-- NULL on success, else no_bank_account, account_not_found or
-- insufficient_balance (and nothing was debited).
CREATE OR REPLACE FUNCTION drop_pay_debit(p_user text, p_account text,
    p_total bigint, OUT account_id text, OUT code text)
LANGUAGE plpgsql AS $$
BEGIN
	SELECT a.account_id, a.code INTO account_id, code
	    FROM drop_pick_account(p_user, p_account) a;
	IF code IS NULL AND NOT drop_debit(account_id, p_total) THEN
		code := 'insufficient_balance';
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION drop_remit(p_user text, p_key text, p_hash text,
    p_tx text, p_noti text, p_recipient text, p_amount bigint, p_fee bigint,
    p_account text)
RETURNS TABLE (code text, status integer, tx_id text, response text)
LANGUAGE plpgsql AS $$
DECLARE
	v_kyc	text;
	v_rcp	recipients%ROWTYPE;
	v_rate	numeric;
	v_acct	text;
	v_code	text;
	v_total	bigint := p_amount + p_fee;
BEGIN
	RETURN QUERY SELECT * FROM drop_idem_begin(p_user, p_key, 'remittance',
	    p_hash);
	IF FOUND THEN
		RETURN;
	END IF;

	SELECT kyc_status INTO v_kyc FROM users WHERE id = p_user;
	IF v_kyc IS DISTINCT FROM 'approved' THEN
		v_code := 'kyc_required';
	END IF;
	IF v_code IS NULL THEN
		SELECT * INTO v_rcp FROM recipients r
		    WHERE r.id = p_recipient AND r.user_id = p_user
		    AND r.deleted_at IS NULL;
		IF NOT FOUND THEN
			v_code := 'recipient_not_found';
		END IF;
	END IF;
	IF v_code IS NULL THEN
		SELECT rate INTO v_rate FROM exchange_rates
		    WHERE currency = v_rcp.currency;
		IF v_rate IS NULL THEN
			v_code := 'unsupported_corridor';
		END IF;
	END IF;
	IF v_code IS NULL THEN
		SELECT d.account_id, d.code INTO v_acct, v_code
		    FROM drop_pay_debit(p_user, p_account, v_total) d;
	END IF;
	IF v_code IS NOT NULL THEN
		RETURN QUERY SELECT * FROM drop_pay_refused(p_user, p_key, v_code);
		RETURN;
	END IF;

	INSERT INTO transactions (id, user_id, type, status, amount, fee, total,
	    exchange_rate, receive_amount, receive_currency, bank_account_id,
	    recipient_id, recipient_name, recipient_country, reference)
	VALUES (p_tx, p_user, 'remittance', 'processing', p_amount, p_fee,
	    v_total, v_rate, round(p_amount * v_rate), v_rcp.currency, v_acct,
	    v_rcp.id, v_rcp.name, v_rcp.country, upper(substr(p_tx, 8)));
	RETURN QUERY SELECT * FROM drop_pay_recorded(p_user, p_key, p_tx,
	    v_acct, v_total, p_noti, 'remittance_created', 'Transfer on its way',
	    'Your transfer to ' || v_rcp.name || ' is being processed.');
END;
$$;

CREATE OR REPLACE FUNCTION drop_qr_pay(p_user text, p_key text, p_hash text,
    p_tx text, p_noti text, p_merchant text, p_amount bigint, p_fee bigint)
RETURNS TABLE (code text, status integer, tx_id text, response text)
LANGUAGE plpgsql AS $$
DECLARE
	v_mer	merchants%ROWTYPE;
	v_acct	text;
	v_code	text;
BEGIN
	RETURN QUERY SELECT * FROM drop_idem_begin(p_user, p_key, 'qr_payment',
	    p_hash);
	IF FOUND THEN
		RETURN;
	END IF;

	SELECT * INTO v_mer FROM merchants m
	    WHERE m.id = p_merchant AND m.active;
	IF NOT FOUND THEN
		v_code := 'merchant_not_found';
	ELSIF v_mer.user_id = p_user THEN
		v_code := 'own_merchant';
	END IF;
	IF v_code IS NULL THEN
		SELECT d.account_id, d.code INTO v_acct, v_code
		    FROM drop_pay_debit(p_user, NULL, p_amount) d;
	END IF;
	IF v_code IS NOT NULL THEN
		RETURN QUERY SELECT * FROM drop_pay_refused(p_user, p_key, v_code);
		RETURN;
	END IF;

	INSERT INTO transactions (id, user_id, type, status, amount, fee, total,
	    exchange_rate, receive_amount, receive_currency, bank_account_id,
	    merchant_id, merchant_name, reference, completed_at)
	VALUES (p_tx, p_user, 'qr_payment', 'completed', p_amount, p_fee,
	    p_amount, 1, p_amount, 'NOK', v_acct, v_mer.id, v_mer.business_name,
	    upper(substr(p_tx, 7)), now());
	RETURN QUERY SELECT * FROM drop_pay_recorded(p_user, p_key, p_tx,
	    v_acct, p_amount, p_noti, 'qr_payment_completed', 'Payment completed',
	    'You paid ' || v_mer.business_name || '.');
END;
$$;

-- Completes or fails a processing remittance; a failure refunds the whole
-- debited total. Anything but a processing remittance is a conflict.
CREATE OR REPLACE FUNCTION drop_settle(p_tx text, p_status text,
    p_noti text, p_request text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	t	transactions%ROWTYPE;
BEGIN
	SELECT * INTO t FROM transactions WHERE id = p_tx FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'not_found';
	END IF;
	IF t.type <> 'remittance' OR t.status <> 'processing' THEN
		RETURN 'conflict';
	END IF;
	IF p_status = 'completed' THEN
		UPDATE transactions SET status = 'completed', completed_at = now(),
		    updated_at = now() WHERE id = p_tx;
		PERFORM drop_notify(p_noti, t.user_id, 'remittance_completed',
		    'Transfer delivered',
		    'Your transfer to ' || t.recipient_name || ' has arrived.', p_tx);
	ELSE
		UPDATE transactions SET status = 'failed', updated_at = now()
		    WHERE id = p_tx;
		UPDATE bank_accounts SET balance = balance + t.total
		    WHERE id = t.bank_account_id;
		INSERT INTO balance_events (bank_account_id, kind, delta,
		    transaction_id)
		VALUES (t.bank_account_id, 'refund', t.total, p_tx);
		PERFORM drop_notify(p_noti, t.user_id, 'remittance_failed',
		    'Transfer failed',
		    'Your transfer to ' || t.recipient_name ||
		    ' failed; the full amount was returned.', p_tx);
	END IF;
	INSERT INTO audit_log (actor, action, entity, entity_id, before, after,
	    request_id)
	VALUES ('admin', 'transaction.settle', 'transaction', p_tx,
	    jsonb_build_object('status', t.status),
	    jsonb_build_object('status', p_status), p_request);
	RETURN 'ok';
END;
$$;

-- d plus n business days (Monday to Friday).
CREATE OR REPLACE FUNCTION drop_add_business_days(d date, n integer)
RETURNS date
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	left_days integer := n;
BEGIN
	WHILE left_days > 0 LOOP
		d := d + 1;
		IF extract(isodow FROM d) < 6 THEN
			left_days := left_days - 1;
		END IF;
	END LOOP;
	RETURN d;
END;
$$;
