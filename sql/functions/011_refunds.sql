-- Refunds by the merchant (issue 19): one made (idempotent, never more
-- than the payment), what the bank's answers do to it, and the part the
-- outbox shares between payouts and refunds, the two transfers paid out
-- of the collection account.

-- A refund of p_amount øre (NULL: all that is left) of the caller's
-- shop's completed QR payment p_tx, with its bank call in the outbox: ONE
-- transaction. The payment's row lock serializes refunds of it, and its
-- refund_held can never pass its amount (a CHECK as well). Answers as
-- drop_idem_begin does; a retry of the key gets the first outcome.
CREATE OR REPLACE FUNCTION drop_refund_create(p_user text, p_key text,
    p_hash text, p_tx text, p_refund text, p_amount bigint, p_debtor text,
    p_request text)
RETURNS TABLE (code text, status integer, tx_id text, response text)
LANGUAGE plpgsql AS $$
DECLARE
	t	transactions%ROWTYPE;
	v_mer	text;
	v_amt	bigint;
	v_to	text;
	v_name	text;
BEGIN
	RETURN QUERY SELECT * FROM drop_idem_begin(p_user, p_key, 'refund',
	    p_hash);
	IF FOUND THEN
		RETURN;
	END IF;
	SELECT id INTO v_mer FROM merchants WHERE user_id = p_user;
	SELECT * INTO t FROM transactions WHERE id = p_tx AND
	    merchant_id = v_mer FOR UPDATE;
	IF NOT FOUND THEN
		RETURN QUERY SELECT * FROM drop_pay_refused(p_user, p_key,
		    'not_found');
		RETURN;
	ELSIF t.status <> 'completed' THEN
		RETURN QUERY SELECT * FROM drop_pay_refused(p_user, p_key,
		    'not_refundable');
		RETURN;
	END IF;
	v_amt := coalesce(p_amount, t.amount - t.refund_held);
	IF v_amt <= 0 OR t.refund_held + v_amt > t.amount THEN
		RETURN QUERY SELECT * FROM drop_pay_refused(p_user, p_key,
		    'refund_exceeds_payment');
		RETURN;
	END IF;
	SELECT b.account_number, u.first_name || ' ' || u.last_name
	    INTO v_to, v_name FROM bank_accounts b JOIN users u ON
	    u.id = t.user_id WHERE b.id = t.bank_account_id;
	INSERT INTO refunds (id, tx_id, merchant_id, amount, debtor, creditor,
	    creditor_name)
	VALUES (p_refund, p_tx, v_mer, v_amt, p_debtor, v_to,
	    coalesce(v_name, 'Drop customer'));
	UPDATE transactions SET refund_held = refund_held + v_amt
	    WHERE id = p_tx;
	INSERT INTO bank_outbox (refund_id, kind, next_at)
	VALUES (p_refund, 'initiate', now() + interval '2 seconds');
	PERFORM drop_tx_event(p_tx, 'completed', 'the shop refunds ' ||
	    drop_nok(v_amt) || ' NOK (' || p_refund || ')');
	INSERT INTO audit_log (actor, action, entity, entity_id, after,
	    request_id)
	VALUES (p_user, 'merchant.refund', 'transaction', p_tx,
	    jsonb_build_object('refundId', p_refund, 'amount', v_amt),
	    p_request);
	PERFORM drop_idem_finish(p_user, p_key, 201, NULL, p_refund);
	RETURN QUERY SELECT 'ok'::text, 201, p_refund, NULL::text;
END;
$$;

-- The bank's status of a refund: booked, it succeeded and the payer is
-- told; refused or cancelled, it failed and what it held of the payment
-- is free again. Returns the refund's status.
CREATE OR REPLACE FUNCTION drop_refund_bank_status(p_id text, p_status text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	r	refunds%ROWTYPE;
	t	transactions%ROWTYPE;
BEGIN
	SELECT * INTO r FROM refunds WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE refunds SET bank_status = p_status WHERE id = p_id;
	IF r.status <> 'processing' THEN
		RETURN r.status;
	END IF;
	IF p_status IN ('ACSC', 'ACCC') THEN
		UPDATE refunds SET status = 'succeeded', succeeded_at = now()
		    WHERE id = p_id;
		UPDATE transactions SET refunded = refunded + r.amount,
		    updated_at = now() WHERE id = r.tx_id RETURNING * INTO t;
		PERFORM drop_tx_event(r.tx_id, 'completed', 'refunded ' ||
		    drop_nok(r.amount) || ' NOK to your account (' || p_id ||
		    ')');
		PERFORM drop_notify(drop_new_id('noti_'), t.user_id,
		    'qr_payment_refunded', 'Refund received', t.merchant_name ||
		    ' refunded ' || drop_nok(r.amount) || ' NOK of your payment '
		    || 'to your bank account.', r.tx_id);
		RETURN 'succeeded';
	ELSIF p_status IN ('RJCT', 'CANC') THEN
		PERFORM drop_refund_fail(p_id, 'the bank refused it (' ||
		    p_status || ')');
		RETURN 'failed';
	END IF;
	RETURN r.status;
END;
$$;

-- A refund the bank will not make: failed, what it held of the payment
-- free again, the merchant told (a new refund can be asked for).
CREATE OR REPLACE FUNCTION drop_refund_fail(p_id text, p_why text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r	refunds%ROWTYPE;
BEGIN
	UPDATE refunds SET status = 'failed', failure = p_why
	    WHERE id = p_id AND status = 'processing' RETURNING * INTO r;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	UPDATE transactions SET refund_held = refund_held - r.amount
	    WHERE id = r.tx_id;
	PERFORM drop_tx_event(r.tx_id, 'completed', 'the refund ' || p_id ||
	    ' failed: ' || p_why);
	PERFORM drop_notify(drop_new_id('noti_'), m.user_id, 'refund_failed',
	    'Refund failed', 'The bank refused your refund of ' ||
	    drop_nok(r.amount) || ' NOK; nothing was paid. You can refund '
	    || 'the payment again.', NULL)
	    FROM merchants m WHERE m.id = r.merchant_id;
END;
$$;

-- The bank's status of a transfer out of the collection account.
CREATE OR REPLACE FUNCTION drop_transfer_status(p_id text, p_status text)
RETURNS text
LANGUAGE sql AS $$
	SELECT CASE WHEN p_id LIKE 'po\_%' THEN
	    drop_payout_bank_status(p_id, p_status)
	    ELSE drop_refund_bank_status(p_id, p_status) END
$$;

DROP FUNCTION IF EXISTS drop_payout_initiated(bank_outbox, boolean, integer,
    text, text, text);

-- The answer to a transfer's initiation (drop_outbox_initiated's half
-- for payouts and refunds): unanswered, a 5xx or a 429, retried with
-- back-off for as long as it takes (the same X-Request-ID; nobody waits,
-- and the money is owed); a 4xx fails it; else the bank's payment id and
-- status.
CREATE OR REPLACE FUNCTION drop_transfer_initiated(o bank_outbox,
    p_answered boolean, p_http integer, p_status text, p_payment_id text,
    p_error text) RETURNS TABLE (tx_id text, status text)
LANGUAGE plpgsql AS $$
DECLARE
	v_id	text := coalesce(o.payout_id, o.refund_id);
	v_why	text := 'the bank refused it (' || coalesce(p_error, 'HTTP ' ||
		    p_http) || ')';
BEGIN
	IF NOT p_answered OR p_http >= 500 OR p_http = 429 THEN
		UPDATE bank_outbox SET locked_until = NULL,
		    next_at = drop_outbox_backoff(o.attempts),
		    last_error = coalesce(p_error, 'HTTP ' || p_http)
		    WHERE id = o.id;
	ELSIF p_http >= 400 OR p_payment_id IS NULL THEN
		UPDATE bank_outbox SET done_at = now(), last_error = p_error
		    WHERE id = o.id;
		IF o.payout_id IS NOT NULL THEN
			PERFORM drop_payout_fail(v_id, v_why);
		ELSE
			PERFORM drop_refund_fail(v_id, v_why);
		END IF;
	ELSE
		UPDATE bank_outbox SET done_at = now(), last_error = NULL
		    WHERE id = o.id;
		UPDATE payouts SET bank_payment_id = p_payment_id,
		    bank_poll_at = now() + interval '2 seconds'
		    WHERE id = o.payout_id AND bank_payment_id IS NULL;
		UPDATE refunds SET bank_payment_id = p_payment_id,
		    bank_poll_at = now() + interval '2 seconds'
		    WHERE id = o.refund_id AND bank_payment_id IS NULL;
		PERFORM drop_transfer_status(v_id, p_status);
	END IF;
	RETURN QUERY SELECT p.id, p.status FROM payouts p WHERE p.id = v_id
	    UNION ALL SELECT r.id, r.status FROM refunds r WHERE r.id = v_id;
END;
$$;
