-- The lifecycle of a payment at the bank (§13). The outbox hands each call
-- to one worker under a lease (FOR UPDATE SKIP LOCKED); the bank's answer,
-- a poll or a signed callback moves the transaction through
-- pending_authorisation, processing, completed or failed; a failure
-- releases exactly what the payment held, once. Every change is an event.

-- When an outbox call tried attempts times is tried again: back-off from
-- half a second, doubling, at most 30 s.
CREATE OR REPLACE FUNCTION drop_outbox_backoff(p_attempts integer)
RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT now() + least(30, 0.5 * 2 ^ least(p_attempts, 6)) *
	    interval '1 second'
$$;

-- A fresh id of a prefix and 16 hex characters from a CSPRNG.
CREATE OR REPLACE FUNCTION drop_new_id(p_prefix text) RETURNS text
LANGUAGE sql VOLATILE AS $$
	SELECT p_prefix || substr(encode(sha256(gen_random_uuid()::text::bytea),
	    'hex'), 1, 16)
$$;

CREATE OR REPLACE FUNCTION drop_tx_event(p_tx text, p_status text,
    p_detail text) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO transaction_events (tx_id, status, detail)
	VALUES (p_tx, p_status, p_detail);
$$;

-- Fails an open payment and releases what it held: the whole debited
-- total back to the cached balance, one refund, one notification. A
-- payment already completed or failed is left as it is.
CREATE OR REPLACE FUNCTION drop_tx_fail(p_tx text, p_reason text,
    p_detail text, p_noti text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	t	transactions%ROWTYPE;
BEGIN
	SELECT * INTO t FROM transactions WHERE id = p_tx FOR UPDATE;
	IF NOT FOUND OR t.status IN ('completed', 'failed') THEN
		RETURN false;
	END IF;
	UPDATE transactions SET status = 'failed', failure_reason = p_reason,
	    released_at = now(), updated_at = now(), sca_url = NULL
	    WHERE id = p_tx;
	UPDATE bank_accounts SET balance = balance + t.total
	    WHERE id = t.bank_account_id;
	-- A payment request it answered can be paid again.
	UPDATE payment_requests SET tx_id = NULL WHERE tx_id = p_tx;
	INSERT INTO balance_events (bank_account_id, kind, delta, transaction_id)
	VALUES (t.bank_account_id, 'refund', t.total, p_tx);
	PERFORM drop_tx_event(p_tx, 'failed', coalesce(p_reason || ': ', '') ||
	    p_detail);
	IF t.type = 'remittance' THEN
		PERFORM drop_notify(coalesce(p_noti, drop_new_id('noti_')),
		    t.user_id, 'remittance_failed', 'Transfer failed',
		    'Your transfer to ' || t.recipient_name ||
		    ' failed; the full amount was returned.', p_tx);
	ELSE
		PERFORM drop_notify(coalesce(p_noti, drop_new_id('noti_')),
		    t.user_id, 'qr_payment_failed', 'Payment failed',
		    'Your payment to ' || t.merchant_name ||
		    ' did not go through; nothing was taken.', p_tx);
	END IF;
	RETURN true;
END;
$$;

-- What the bank's transactionStatus means for the payment (ISO 20022):
-- RCVD, PDNG and PATC are not yet accepted (with an SCA link: waiting for
-- the PSU); ACSC/ACCC are booked (a QR payment is then completed, a
-- remittance waits for the payout partner); RJCT and CANC fail it;
-- anything else (ACTC, ACCP, ACSP, ...) is accepted and under way.
CREATE OR REPLACE FUNCTION drop_tx_bank_status(p_tx text, p_status text,
    p_sca_url text, p_detail text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	t	transactions%ROWTYPE;
BEGIN
	SELECT * INTO t FROM transactions WHERE id = p_tx FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF t.bank_status IS DISTINCT FROM p_status THEN
		UPDATE transactions SET bank_status = p_status WHERE id = p_tx;
	END IF;
	IF t.status IN ('completed', 'failed') THEN
		IF p_status IN ('ACSC', 'ACCC') AND t.status = 'failed' THEN
			-- Booked after Drop let it go: for operations to see.
			PERFORM drop_tx_event(p_tx, 'failed',
			    'the bank booked it after it failed (' || p_detail ||
			    ')');
		END IF;
		RETURN t.status;
	END IF;
	IF p_status IN ('RJCT') THEN
		PERFORM drop_tx_fail(p_tx, 'rejected_by_bank',
		    'the bank refused it (' || p_detail || ')', NULL);
	ELSIF p_status IN ('CANC') THEN
		PERFORM drop_tx_fail(p_tx, 'cancelled', 'cancelled at the bank (' ||
		    p_detail || ')', NULL);
	ELSIF p_status IN ('ACSC', 'ACCC') AND t.bank_booked_at IS NOT NULL THEN
		NULL;	-- told again (answer, callback, poll): booked once
	ELSIF p_status IN ('ACSC', 'ACCC') THEN
		UPDATE transactions SET bank_booked_at = coalesce(bank_booked_at,
		    now()), sca_url = NULL, updated_at = now() WHERE id = p_tx;
		IF t.type = 'qr_payment' THEN
			UPDATE transactions SET status = 'completed',
			    completed_at = now() WHERE id = p_tx;
			UPDATE payment_requests SET paid_at = now()
			    WHERE tx_id = p_tx;
			PERFORM drop_tx_event(p_tx, 'completed',
			    'paid by your bank (' || p_detail || ')');
			PERFORM drop_notify(drop_new_id('noti_'), t.user_id,
			    'qr_payment_completed', 'Payment completed',
			    'You paid ' || t.merchant_name || '.', p_tx);
		ELSE
			UPDATE transactions SET status = 'processing'
			    WHERE id = p_tx;
			PERFORM drop_tx_event(p_tx, 'processing',
			    'paid by your bank to the payout partner (' ||
			    p_detail || ')');
		END IF;
	ELSIF p_status IN ('RCVD', 'PDNG', 'PATC') AND p_sca_url IS NULL THEN
		NULL;	-- still waiting (for the PSU, or at the bank)
	ELSIF p_status IN ('RCVD', 'PDNG', 'PATC') THEN
		IF t.status <> 'pending_authorisation' THEN
			UPDATE transactions SET status = 'pending_authorisation',
			    sca_url = p_sca_url, sca_expires_at = now() +
			    interval '15 minutes', updated_at = now()
			    WHERE id = p_tx;
			PERFORM drop_tx_event(p_tx, 'pending_authorisation',
			    'your bank asks you to approve it (' || p_detail || ')');
		END IF;
	ELSIF t.status = 'pending_authorisation' THEN
		UPDATE transactions SET status = 'processing', sca_url = NULL,
		    updated_at = now() WHERE id = p_tx;
		PERFORM drop_tx_event(p_tx, 'processing',
		    'approved at your bank (' || p_detail || ')');
	END IF;
	SELECT * INTO t FROM transactions WHERE id = p_tx;
	RETURN t.status;
END;
$$;

-- Hands up to p_limit due calls (or the one of p_tx, due or new) to this
-- worker for 30 s (a call gives up after 20 s, bankio.c), with what the
-- call needs.
DROP FUNCTION IF EXISTS drop_outbox_claim(text, integer, text);
CREATE FUNCTION drop_outbox_claim(p_worker text, p_limit integer,
    p_tx text)
RETURNS TABLE (outbox_id bigint, kind text, request_id text, tx_id text,
    type text, product text, debtor text, amount bigint, psu_ip text,
    payment_id text, remittance text, creditor text, creditor_name text)
LANGUAGE sql AS $$
	WITH due AS (
		SELECT o.id FROM bank_outbox o
		WHERE o.done_at IS NULL AND (p_tx IS NULL OR
		    p_tx IN (o.tx_id, o.payout_id, o.refund_id))
		    AND (o.next_at <= now() OR (o.attempts = 0 AND
		    p_tx IN (o.tx_id, o.payout_id, o.refund_id)))
		    AND (o.locked_until IS NULL OR o.locked_until < now())
		ORDER BY o.next_at LIMIT p_limit FOR UPDATE SKIP LOCKED),
	claimed AS (
		UPDATE bank_outbox o SET locked_until = now() +
		    interval '30 seconds', locked_by = p_worker,
		    attempts = o.attempts + 1,
		    -- a lease that ran out unreported: that attempt may
		    -- have reached the bank
		    in_doubt = o.in_doubt OR o.locked_until IS NOT NULL
		FROM due WHERE o.id = due.id RETURNING o.*)
	SELECT c.id, c.kind, c.request_id::text, t.id, t.type, t.bank_product,
	    b.account_number, t.total, t.psu_ip, t.bank_payment_id,
	    'Drop ' || t.id || ' ' || CASE WHEN t.type = 'remittance' THEN
	    coalesce(t.recipient_name, '') || ' ' || coalesce(r.bank_account, '')
	    || ' ' || coalesce(t.recipient_country, '')
	    ELSE coalesce(t.merchant_name, '') END, NULL::text, NULL::text
	FROM claimed c JOIN transactions t ON t.id = c.tx_id
	JOIN bank_accounts b ON b.id = t.bank_account_id
	LEFT JOIN recipients r ON r.id = t.recipient_id
	UNION ALL
	SELECT c.id, c.kind, c.request_id::text, p.id, 'payout', p.bank_product,
	    p.debtor, p.amount, NULL::text, p.bank_payment_id, 'Drop payout ' ||
	    p.id || ' ' || p.scheduled_for::text, p.creditor, p.creditor_name
	FROM claimed c JOIN payouts p ON p.id = c.payout_id
	UNION ALL
	SELECT c.id, c.kind, c.request_id::text, r.id, 'refund', r.bank_product,
	    r.debtor, r.amount, NULL::text, r.bank_payment_id, 'Drop refund ' ||
	    r.id || ' of ' || r.tx_id, r.creditor, r.creditor_name
	FROM claimed c JOIN refunds r ON r.id = c.refund_id;
$$;

-- The answer to an initiation (or its absence). Unanswered, a 5xx or a
-- 429: retried with back-off, the same X-Request-ID each time. Once
-- p_giveup seconds have passed since it was recorded, it fails
-- bank_unavailable only if no attempt can have reached the bank (each
-- was refused before a byte was sent, or answered 503/429); one that may
-- have is never given up on, as the bank may have booked it. A 4xx:
-- refused. Else the bank has it: its payment id, and its status applied.
DROP FUNCTION IF EXISTS drop_outbox_initiated(bigint, boolean, integer,
    text, text, text, text, integer);
CREATE OR REPLACE FUNCTION drop_outbox_initiated(p_outbox bigint,
    p_answered boolean, p_http integer, p_status text, p_payment_id text,
    p_sca_url text, p_error text, p_giveup integer, p_in_doubt boolean)
RETURNS TABLE (tx_id text, status text)
LANGUAGE plpgsql AS $$
DECLARE
	o	bank_outbox%ROWTYPE;
	v_status text;
BEGIN
	SELECT * INTO o FROM bank_outbox WHERE id = p_outbox FOR UPDATE;
	IF FOUND AND o.tx_id IS NULL THEN
		IF o.done_at IS NULL THEN
			RETURN QUERY SELECT * FROM drop_transfer_initiated(o,
			    p_answered, p_http, p_status, p_payment_id, p_error);
		END IF;
		RETURN;
	END IF;
	IF NOT FOUND OR o.done_at IS NOT NULL THEN
		RETURN QUERY SELECT o.tx_id, t.status FROM transactions t
		    WHERE t.id = o.tx_id;
		RETURN;
	END IF;
	IF NOT p_answered OR p_http >= 500 OR p_http = 429 THEN
		IF now() - o.created_at > p_giveup * interval '1 second' AND
		    NOT (o.in_doubt OR p_in_doubt) THEN
			UPDATE bank_outbox SET done_at = now(), last_error =
			    coalesce(p_error, 'HTTP ' || p_http) WHERE id = o.id;
			PERFORM drop_tx_fail(o.tx_id, 'bank_unavailable',
			    'no answer from your bank after ' || o.attempts ||
			    ' attempts', NULL);
		ELSE
			UPDATE bank_outbox SET locked_until = NULL,
			    in_doubt = o.in_doubt OR p_in_doubt,
			    next_at = drop_outbox_backoff(o.attempts),
			    last_error = coalesce(p_error, 'HTTP ' || p_http)
			    WHERE id = o.id;
		END IF;
	ELSIF p_http >= 400 OR p_payment_id IS NULL THEN
		UPDATE bank_outbox SET done_at = now(), last_error = p_error
		    WHERE id = o.id;
		PERFORM drop_tx_fail(o.tx_id, 'rejected_by_bank',
		    'the bank refused the request (' || coalesce(p_error,
		    'HTTP ' || p_http) || ')', NULL);
	ELSE
		UPDATE bank_outbox SET done_at = now(), last_error = NULL
		    WHERE id = o.id;
		UPDATE transactions SET bank_payment_id = p_payment_id,
		    bank_poll_at = now() + interval '2 seconds'
		    WHERE id = o.tx_id AND bank_payment_id IS NULL;
		v_status := drop_tx_bank_status(o.tx_id, p_status, p_sca_url,
		    'initiated, ' || p_status);
	END IF;
	RETURN QUERY SELECT o.tx_id, t.status FROM transactions t
	    WHERE t.id = o.tx_id;
END;
$$;

-- A cancellation sent (or not): done once the bank answered, retried as
-- long as an initiation would be.
CREATE OR REPLACE FUNCTION drop_outbox_cancelled(p_outbox bigint,
    p_answered boolean, p_http integer, p_error text, p_giveup integer)
RETURNS TABLE (tx_id text, status text)
LANGUAGE plpgsql AS $$
DECLARE
	o	bank_outbox%ROWTYPE;
BEGIN
	SELECT * INTO o FROM bank_outbox WHERE id = p_outbox FOR UPDATE;
	IF FOUND AND o.done_at IS NULL THEN
		IF p_answered AND p_http < 500 THEN
			UPDATE bank_outbox SET done_at = now(), last_error = p_error
			    WHERE id = o.id;
		ELSIF now() - o.created_at > p_giveup * interval '1 second' THEN
			UPDATE bank_outbox SET done_at = now(), last_error =
			    coalesce(p_error, 'HTTP ' || p_http) WHERE id = o.id;
		ELSE
			UPDATE bank_outbox SET locked_until = NULL,
			    next_at = drop_outbox_backoff(o.attempts),
			    last_error = p_error WHERE id = o.id;
		END IF;
	END IF;
	RETURN QUERY SELECT o.tx_id, t.status FROM transactions t
	    WHERE t.id = o.tx_id;
END;
$$;

-- Open payments, payouts and refunds due for a status poll (a callback can be
-- lost): often at first, then less often; each is held by its next poll
-- time.
DROP FUNCTION IF EXISTS drop_bank_poll_claim(integer);
CREATE FUNCTION drop_bank_poll_claim(p_limit integer)
RETURNS TABLE (tx_id text, product text, payment_id text, debtor text)
LANGUAGE sql AS $$
	WITH due AS (
		SELECT t.id FROM transactions t
		WHERE t.bank_payment_id IS NOT NULL AND t.bank_booked_at IS NULL
		    AND t.status IN ('pending_authorisation', 'processing')
		    AND t.bank_poll_at <= now()
		ORDER BY t.bank_poll_at LIMIT p_limit FOR UPDATE SKIP LOCKED),
	polled AS (
		UPDATE transactions t SET bank_poll_at = now() + CASE
		    WHEN now() - t.created_at < interval '2 minutes' THEN
		    interval '2 seconds'
		    WHEN now() - t.created_at < interval '1 hour' THEN
		    interval '15 seconds' ELSE interval '5 minutes' END
		FROM due, bank_accounts b WHERE t.id = due.id
		    AND b.id = t.bank_account_id
		RETURNING t.id, t.bank_product, t.bank_payment_id,
		    b.account_number),
	due_po AS (
		SELECT p.id FROM payouts p
		WHERE p.status = 'processing' AND p.bank_payment_id IS NOT NULL
		    AND p.bank_poll_at <= now()
		ORDER BY p.bank_poll_at LIMIT p_limit FOR UPDATE SKIP LOCKED),
	polled_po AS (
		UPDATE payouts p SET bank_poll_at = now() + CASE
		    WHEN now() - p.created_at < interval '2 minutes' THEN
		    interval '2 seconds' ELSE interval '1 minute' END
		FROM due_po WHERE p.id = due_po.id
		RETURNING p.id, p.bank_product, p.bank_payment_id, p.debtor),
	due_rf AS (
		SELECT r.id FROM refunds r
		WHERE r.status = 'processing' AND r.bank_payment_id IS NOT NULL
		    AND r.bank_poll_at <= now()
		ORDER BY r.bank_poll_at LIMIT p_limit FOR UPDATE SKIP LOCKED),
	polled_rf AS (
		UPDATE refunds r SET bank_poll_at = now() + CASE
		    WHEN now() - r.created_at < interval '2 minutes' THEN
		    interval '2 seconds' ELSE interval '1 minute' END
		FROM due_rf WHERE r.id = due_rf.id
		RETURNING r.id, r.bank_product, r.bank_payment_id, r.debtor)
	SELECT * FROM polled UNION ALL SELECT * FROM polled_po
	UNION ALL SELECT * FROM polled_rf;
$$;

CREATE OR REPLACE FUNCTION drop_bank_polled(p_tx text, p_http integer,
    p_status text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	IF p_http BETWEEN 200 AND 299 AND p_status IS NOT NULL AND
	    (p_tx LIKE 'po\_%' OR p_tx LIKE 'rf\_%') THEN
		RETURN drop_transfer_status(p_tx, p_status);
	ELSIF p_http BETWEEN 200 AND 299 AND p_status IS NOT NULL THEN
		RETURN drop_tx_bank_status(p_tx, p_status, NULL, 'polled, ' ||
		    p_status);
	END IF;
	RETURN NULL;
END;
$$;

-- Payments not approved within 15 minutes fail as expired (funds
-- released) and the bank is told to cancel them.
DROP FUNCTION IF EXISTS drop_bank_expire();
CREATE FUNCTION drop_bank_expire() RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	v_tx	text;
BEGIN
	FOR v_tx IN SELECT id FROM transactions
	    WHERE status = 'pending_authorisation' AND sca_expires_at < now()
	    ORDER BY sca_expires_at LIMIT 50 FOR UPDATE SKIP LOCKED LOOP
		IF drop_tx_fail(v_tx, 'expired',
		    'not approved at your bank within 15 minutes', NULL) THEN
			INSERT INTO bank_outbox (tx_id, kind) VALUES (v_tx, 'cancel')
			    ON CONFLICT (tx_id, kind) DO NOTHING;
			RETURN NEXT v_tx;
		END IF;
	END LOOP;
END;
$$;

-- A signed callback of the bank, once per event id: 'ok', 'replay', or
-- 'unknown' for a payment Drop does not know (kept all the same).
CREATE OR REPLACE FUNCTION drop_bank_event(p_event text, p_payment text,
    p_status text) RETURNS TABLE (result text, tx_id text)
LANGUAGE plpgsql AS $$
DECLARE
	v_tx	text;
	v_po	text;
BEGIN
	SELECT id INTO v_tx FROM transactions WHERE bank_payment_id = p_payment;
	IF v_tx IS NULL THEN
		SELECT id INTO v_po FROM payouts WHERE bank_payment_id = p_payment
		    UNION ALL SELECT id FROM refunds
		    WHERE bank_payment_id = p_payment;
	END IF;
	IF v_po IS NOT NULL THEN
		INSERT INTO bank_events (event_id, payment_id, status, payout_id,
		    refund_id)
		VALUES (p_event, p_payment, p_status, CASE WHEN v_po LIKE 'po\_%'
		    THEN v_po END, CASE WHEN v_po LIKE 'rf\_%' THEN v_po END)
		ON CONFLICT (event_id) DO NOTHING;
		IF NOT FOUND THEN
			RETURN QUERY SELECT 'replay'::text, v_po;
			RETURN;
		END IF;
		PERFORM drop_transfer_status(v_po, p_status);
		RETURN QUERY SELECT 'ok'::text, v_po;
		RETURN;
	END IF;
	-- An event that came before Drop knew the payment applies when the
	-- bank sends it again; one that was applied never applies twice.
	INSERT INTO bank_events (event_id, payment_id, status, tx_id)
	VALUES (p_event, p_payment, p_status, v_tx)
	ON CONFLICT (event_id) DO UPDATE SET tx_id = EXCLUDED.tx_id
	    WHERE bank_events.tx_id IS NULL AND EXCLUDED.tx_id IS NOT NULL;
	IF NOT FOUND AND v_tx IS NOT NULL THEN
		RETURN QUERY SELECT 'replay'::text, v_tx;
		RETURN;
	END IF;
	IF v_tx IS NULL THEN
		RETURN QUERY SELECT 'unknown'::text, NULL::text;
		RETURN;
	END IF;
	PERFORM drop_tx_bank_status(v_tx, p_status, NULL, 'reported, ' ||
	    p_status);
	RETURN QUERY SELECT 'ok'::text, v_tx;
END;
$$;

-- What an account holds for payments its bank has not booked yet.
CREATE OR REPLACE FUNCTION drop_unbooked(p_account text) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT coalesce(sum(total), 0)::bigint FROM transactions
	WHERE bank_account_id = p_account AND bank_booked_at IS NULL
	    AND status IN ('pending_authorisation', 'processing')
$$;
