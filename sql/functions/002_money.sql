-- Payments: each is ONE transaction. The balance check and the debit are a
-- single conditional UPDATE on the account row, so concurrent payments can
-- neither overdraw nor double-debit; the idempotency key is inserted first
-- in the same transaction, so concurrent retries of one key serialize on it.

DROP VIEW IF EXISTS tx_view;
CREATE VIEW tx_view AS
	SELECT t.*, iso(t.created_at) AS created_iso,
	    iso(t.updated_at) AS updated_iso, iso(t.completed_at) AS completed_iso,
	    to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created_date,
	    iso(t.sca_expires_at) AS sca_expires_iso,
	    b.account_number AS from_account
	FROM transactions t JOIN bank_accounts b ON b.id = t.bank_account_id;

-- Records the outcome of the first request with a key: what it made, a
-- payment (tx_) or a refund (rf_).
CREATE OR REPLACE FUNCTION drop_idem_finish(p_user text, p_key text,
    p_status integer, p_error text, p_tx text) RETURNS void
LANGUAGE sql AS $$
	UPDATE idempotency_keys SET status = p_status, error = p_error,
	    transaction_id = CASE WHEN p_tx LIKE 'rf\_%' THEN NULL ELSE p_tx END,
	    refund_id = CASE WHEN p_tx LIKE 'rf\_%' THEN p_tx END
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
		    coalesce(k.transaction_id, k.refund_id), k.response;
	END IF;
END;
$$;

CREATE OR REPLACE FUNCTION drop_notify(p_noti text, p_user text, p_type text,
    p_title text, p_body text, p_tx text) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO notifications (id, user_id, type, title, body, transaction_id)
	VALUES (p_noti, p_user, p_type, p_title, p_body, p_tx);
$$;

-- Debits total from the account if it covers it and is still linked (one
-- conditional UPDATE, which locks the row); false otherwise.
CREATE OR REPLACE FUNCTION drop_debit(p_account text, p_total bigint)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE bank_accounts SET balance = balance - p_total
	    WHERE id = p_account AND balance >= p_total AND deleted_at IS NULL
	    AND status = 'active';
	RETURN FOUND;
END;
$$;

-- The caller's account: the one asked for, else the primary. NULL with
-- code no_bank_account (none linked), account_not_found or
-- consent_expired (the bank's consent for it has run out).
CREATE OR REPLACE FUNCTION drop_pick_account(p_user text, p_account text,
    OUT account_id text, OUT code text)
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM bank_accounts WHERE user_id = p_user
	    AND status = 'active' AND deleted_at IS NULL) THEN
		code := 'no_bank_account';
		RETURN;
	END IF;
	IF p_account IS NULL THEN
		SELECT id INTO account_id FROM bank_accounts
		    WHERE user_id = p_user AND is_primary AND status = 'active'
		    AND deleted_at IS NULL;
	ELSE
		SELECT id INTO account_id FROM bank_accounts
		    WHERE user_id = p_user AND id = p_account AND status = 'active'
		    AND deleted_at IS NULL;
	END IF;
	IF account_id IS NULL THEN
		code := CASE WHEN p_account IS NULL THEN 'no_bank_account'
		    ELSE 'account_not_found' END;
	ELSIF EXISTS (SELECT 1 FROM bank_accounts WHERE id = account_id AND
	    drop_consent_over(consent_expires_at)) THEN
		account_id := NULL;
		code := 'consent_expired';
	END IF;
END;
$$;

-- After a payment's row is inserted: its ledger debit, the bank call it
-- owes (the outbox, in the same transaction), its first event, its
-- notification (a type of NULL: none yet) and the idempotency outcome.
DROP FUNCTION IF EXISTS drop_pay_recorded(text, text, text, text, bigint,
    text, text, text, text);
CREATE FUNCTION drop_pay_recorded(p_user text, p_key text,
    p_tx text, p_account text, p_debit bigint, p_noti text, p_type text,
    p_title text, p_body text)
RETURNS TABLE (code text, status integer, tx_id text, response text)
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO balance_events (bank_account_id, kind, delta, transaction_id)
	VALUES (p_account, 'debit', -p_debit, p_tx);
	-- Due for any dispatcher in 2 s; the request's own worker claims it
	-- at once (drop_outbox_claim), so the answer wakes the request there.
	INSERT INTO bank_outbox (tx_id, kind, next_at)
	VALUES (p_tx, 'initiate', now() + interval '2 seconds');
	PERFORM drop_tx_event(p_tx, 'processing',
	    'recorded; your bank is asked to pay');
	IF p_type IS NOT NULL THEN
		PERFORM drop_notify(p_noti, p_user, p_type, p_title, p_body, p_tx);
	END IF;
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

-- A remittance; with p_quote, at the quote's rate and fee (quote_expired
-- when it is not this user's, recipient's and amount's, used or expired).
DROP FUNCTION IF EXISTS drop_remit(text, text, text, text, text, text,
    bigint, bigint, text);
DROP FUNCTION IF EXISTS drop_remit(text, text, text, text, text, text,
    bigint, bigint, text, text);
CREATE OR REPLACE FUNCTION drop_remit(p_user text, p_key text, p_hash text,
    p_tx text, p_noti text, p_recipient text, p_amount bigint, p_fee bigint,
    p_account text, p_psu_ip text, p_quote text)
RETURNS TABLE (code text, status integer, tx_id text, response text)
LANGUAGE plpgsql AS $$
DECLARE
	v_kyc	text;
	v_rcp	recipients%ROWTYPE;
	v_rate	numeric;
	v_acct	text;
	v_code	text;
	v_fee	bigint := p_fee;
	v_total	bigint;
	v_hit	record;
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
	IF v_code IS NULL AND p_quote IS NOT NULL THEN
		-- Locked: of two payments racing for one quote, one gets it.
		SELECT q.rate, q.fee INTO v_rate, v_fee FROM quotes q
		    WHERE q.id = p_quote AND q.user_id = p_user
		    AND q.recipient_id = p_recipient AND q.amount = p_amount
		    AND q.used_by IS NULL AND q.expires_at > drop_now()
		    FOR UPDATE;
		IF NOT FOUND THEN
			v_code := 'quote_expired';
		END IF;
	END IF;
	-- A recipient near a sanctioned name: held, nothing debited.
	IF v_code IS NULL THEN
		SELECT * INTO v_hit FROM drop_sanctions_match(v_rcp.name);
		IF v_hit.entry_id IS NOT NULL THEN
			SELECT a.account_id, a.code INTO v_acct, v_code
			    FROM drop_pick_account(p_user, p_account) a;
			IF v_code IS NULL THEN
				RETURN QUERY SELECT * FROM drop_remit_held(p_user,
				    p_key, p_tx, p_noti, v_rcp, p_amount, v_fee,
				    v_rate, v_acct, p_psu_ip, p_quote, v_hit.entry_id,
				    v_hit.score, v_hit.exact);
				RETURN;
			END IF;
		END IF;
	END IF;
	v_total := p_amount + v_fee;
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
	    recipient_id, recipient_name, recipient_country, reference, psu_ip,
	    bank_product, quote_id)
	VALUES (p_tx, p_user, 'remittance', 'processing', p_amount, v_fee,
	    v_total, v_rate, round(p_amount * v_rate), v_rcp.currency, v_acct,
	    v_rcp.id, v_rcp.name, v_rcp.country, upper(substr(p_tx, 8)),
	    p_psu_ip, 'sepa-credit-transfers', p_quote);
	UPDATE quotes SET used_by = p_tx WHERE id = p_quote;
	RETURN QUERY SELECT * FROM drop_pay_recorded(p_user, p_key, p_tx,
	    v_acct, v_total, p_noti, 'remittance_created', 'Transfer on its way',
	    'Your transfer to ' || v_rcp.name || ' is being processed.');
END;
$$;

DROP FUNCTION IF EXISTS drop_qr_pay(text, text, text, text, text, text,
    bigint, bigint);
DROP FUNCTION IF EXISTS drop_qr_pay(text, text, text, text, text, text,
    bigint, bigint, text);
CREATE OR REPLACE FUNCTION drop_qr_pay(p_user text, p_key text, p_hash text,
    p_tx text, p_noti text, p_merchant text, p_amount bigint, p_fee bigint,
    p_psu_ip text, p_request text)
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
	ELSIF p_request IS NOT NULL THEN
		v_code := drop_request_take(p_request, v_mer.id, p_amount);
	END IF;
	IF v_code IS NULL THEN
		SELECT d.account_id, d.code INTO v_acct, v_code
		    FROM drop_pay_debit(p_user, NULL, p_amount) d;
	END IF;
	IF v_code IS NOT NULL THEN
		RETURN QUERY SELECT * FROM drop_pay_refused(p_user, p_key, v_code);
		RETURN;
	END IF;

	-- Completed only once the bank has executed it (drop_tx_bank_status).
	INSERT INTO transactions (id, user_id, type, status, amount, fee, total,
	    exchange_rate, receive_amount, receive_currency, bank_account_id,
	    merchant_id, merchant_name, reference, psu_ip, bank_product)
	VALUES (p_tx, p_user, 'qr_payment', 'processing', p_amount, p_fee,
	    p_amount, 1, p_amount, 'NOK', v_acct, v_mer.id, v_mer.business_name,
	    upper(substr(p_tx, 7)), p_psu_ip, 'instant-sepa-credit-transfers');
	IF p_request IS NOT NULL THEN
		UPDATE transactions SET payment_request_id = p_request
		    WHERE id = p_tx;
		UPDATE payment_requests SET tx_id = p_tx WHERE id = p_request;
	END IF;
	RETURN QUERY SELECT * FROM drop_pay_recorded(p_user, p_key, p_tx,
	    v_acct, p_amount, NULL, NULL, NULL, NULL);
END;
$$;

-- The payment request a QR payment answers, locked: NULL when p_amount
-- may pay it now, else why not (unknown or another shop's, paid or being
-- paid, expired, another amount).
CREATE OR REPLACE FUNCTION drop_request_take(p_request text, p_merchant text,
    p_amount bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	r	payment_requests%ROWTYPE;
BEGIN
	SELECT * INTO r FROM payment_requests WHERE id = p_request AND
	    merchant_id = p_merchant FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'request_not_found';
	ELSIF r.tx_id IS NOT NULL THEN
		RETURN 'request_paid';
	ELSIF r.expires_at <= now() THEN
		RETURN 'request_expired';
	ELSIF r.amount <> p_amount THEN
		RETURN 'request_amount';
	END IF;
	RETURN NULL;
END;
$$;

-- A request's state: paid (the bank booked its payment), paying, expired
-- or open.
CREATE OR REPLACE FUNCTION drop_request_status(r payment_requests)
RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN r.paid_at IS NOT NULL THEN 'paid'
	    WHEN r.tx_id IS NOT NULL THEN 'paying'
	    WHEN r.expires_at <= now() THEN 'expired' ELSE 'open' END
$$;

-- Completes or fails a processing remittance (the payout partner's report,
-- through operations); a failure releases the whole debited total. Only a
-- processing remittance can be settled, and completed only once the bank
-- has booked its payment; anything else is a conflict.
DROP FUNCTION IF EXISTS drop_settle(text, text, text, text);
CREATE OR REPLACE FUNCTION drop_settle(p_tx text, p_status text,
    p_noti text, p_request text, p_operator text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	t	transactions%ROWTYPE;
BEGIN
	SELECT * INTO t FROM transactions WHERE id = p_tx FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'not_found';
	END IF;
	IF t.type <> 'remittance' OR t.status <> 'processing' OR
	    (p_status = 'completed' AND t.bank_booked_at IS NULL) THEN
		RETURN 'conflict';
	END IF;
	IF p_status = 'completed' THEN
		UPDATE transactions SET status = 'completed', completed_at = now(),
		    updated_at = now() WHERE id = p_tx;
		PERFORM drop_tx_event(p_tx, 'completed', 'delivered to the recipient');
		PERFORM drop_notify(p_noti, t.user_id, 'remittance_completed',
		    'Transfer delivered',
		    'Your transfer to ' || t.recipient_name || ' has arrived.', p_tx);
	ELSE
		PERFORM drop_tx_fail(p_tx, NULL, 'not delivered; settled by operations',
		    p_noti);
	END IF;
	INSERT INTO audit_log (actor, action, entity, entity_id, before, after,
	    request_id)
	VALUES (p_operator, 'transaction.settle', 'transaction', p_tx,
	    jsonb_build_object('status', t.status),
	    jsonb_build_object('status', p_status), p_request);
	RETURN 'ok';
END;
$$;
