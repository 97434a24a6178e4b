-- Signed webhooks (issue 19): events made where payments, refunds and
-- payouts complete (triggers: the same transaction, once per thing), the
-- deliveries the dispatcher claims (src/core/delivery.c) and what each
-- attempt did to them. Back-off doubles from p_base_ms up to an hour;
-- a delivery gives up p_giveup_s after its event.

-- An amount in øre as the API shows money: kroner with two decimals.
CREATE OR REPLACE FUNCTION drop_kr(p_ore bigint) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT round(p_ore::numeric / 100, 2)
$$;

-- An event for the merchant's endpoints that take p_type: nothing when
-- none does, once per (type, object) however often it is called.
CREATE OR REPLACE FUNCTION drop_webhook_emit(p_merchant text, p_type text,
    p_object text, p_data jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_id	text := drop_new_id('evt_');
BEGIN
	IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE merchant_id =
	    p_merchant AND deleted_at IS NULL AND p_type = ANY (events)) THEN
		RETURN;
	END IF;
	INSERT INTO webhook_events (id, merchant_id, type, object_id, body)
	VALUES (v_id, p_merchant, p_type, p_object, jsonb_build_object('id',
	    v_id, 'type', p_type, 'createdAt', iso(now()), 'data',
	    p_data)::text)
	ON CONFLICT (type, object_id) DO NOTHING;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	INSERT INTO webhook_deliveries (id, event_id, endpoint_id)
	SELECT drop_new_id('whd_'), v_id, w.id FROM webhook_endpoints w
	WHERE w.merchant_id = p_merchant AND w.deleted_at IS NULL AND
	    p_type = ANY (w.events);
END;
$$;

CREATE OR REPLACE FUNCTION drop_webhook_payment_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM drop_webhook_emit(NEW.merchant_id, 'payment.completed', NEW.id,
	    jsonb_build_object('id', NEW.id, 'amount', drop_kr(NEW.amount),
	    'fee', drop_kr(NEW.fee), 'currency', 'NOK', 'reference',
	    NEW.reference, 'paymentRequestId', NEW.payment_request_id,
	    'createdAt', iso(NEW.created_at), 'completedAt',
	    iso(coalesce(NEW.completed_at, now()))));
	RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS transactions_webhook ON transactions;
CREATE TRIGGER transactions_webhook AFTER UPDATE OF status ON transactions
	FOR EACH ROW WHEN (NEW.status = 'completed' AND OLD.status <>
	    'completed' AND NEW.merchant_id IS NOT NULL)
	EXECUTE FUNCTION drop_webhook_payment_trigger();

CREATE OR REPLACE FUNCTION drop_webhook_refund_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM drop_webhook_emit(NEW.merchant_id, 'refund.succeeded', NEW.id,
	    jsonb_build_object('id', NEW.id, 'paymentId', NEW.tx_id, 'amount',
	    drop_kr(NEW.amount), 'currency', 'NOK', 'createdAt',
	    iso(NEW.created_at), 'succeededAt',
	    iso(coalesce(NEW.succeeded_at, now()))));
	RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS refunds_webhook ON refunds;
CREATE TRIGGER refunds_webhook AFTER UPDATE OF status ON refunds
	FOR EACH ROW WHEN (NEW.status = 'succeeded' AND OLD.status <>
	    'succeeded')
	EXECUTE FUNCTION drop_webhook_refund_trigger();

CREATE OR REPLACE FUNCTION drop_webhook_payout_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM drop_webhook_emit(NEW.merchant_id, 'payout.paid', NEW.id,
	    jsonb_build_object('id', NEW.id, 'amount', drop_kr(NEW.amount),
	    'fees', drop_kr(NEW.fees), 'refunds', drop_kr(NEW.refunds),
	    'currency', 'NOK', 'paymentCount', NEW.payment_count,
	    'scheduledFor', NEW.scheduled_for::text, 'paidAt',
	    iso(coalesce(NEW.paid_at, now())), 'bankReference',
	    NEW.bank_payment_id));
	RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS payouts_webhook ON payouts;
CREATE TRIGGER payouts_webhook AFTER UPDATE OF status ON payouts
	FOR EACH ROW WHEN (NEW.status = 'paid' AND OLD.status <> 'paid')
	EXECUTE FUNCTION drop_webhook_payout_trigger();

-- Up to p_limit due deliveries, each leased for p_lease_ms: its attempt
-- number, where it goes, the secret to sign with and the body to send.
CREATE OR REPLACE FUNCTION drop_webhook_claim(p_limit integer,
    p_lease_ms integer)
RETURNS TABLE (delivery_id text, attempt integer, url text, secret text,
    event_id text, event_type text, body text)
LANGUAGE sql AS $$
	WITH due AS (
		SELECT d.id FROM webhook_deliveries d
		WHERE d.status = 'pending' AND d.next_at <= clock_timestamp()
		ORDER BY d.next_at LIMIT p_limit
		FOR UPDATE SKIP LOCKED
	), leased AS (
		UPDATE webhook_deliveries d SET attempts = d.attempts + 1,
		    next_at = clock_timestamp() + p_lease_ms *
		    interval '1 millisecond'
		FROM due WHERE d.id = due.id
		RETURNING d.id, d.attempts, d.event_id, d.endpoint_id
	)
	SELECT l.id, l.attempts, w.url, w.secret, e.id, e.type, e.body
	FROM leased l JOIN webhook_endpoints w ON w.id = l.endpoint_id
	JOIN webhook_events e ON e.id = l.event_id
$$;

-- What attempt p_attempt of a delivery got (an HTTP status, or none and
-- an error): recorded; a 2xx delivers it, anything else is tried again
-- after the back-off, until p_giveup_s after the event. A late answer of
-- an attempt a newer one has replaced is recorded and changes nothing.
CREATE OR REPLACE FUNCTION drop_webhook_attempted(p_delivery text,
    p_attempt integer, p_http integer, p_error text, p_ms integer,
    p_base_ms integer, p_giveup_s integer)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	d	webhook_deliveries%ROWTYPE;
	v_at	timestamptz;
	v_next	timestamptz;
	v_born	timestamptz;
	v_ok	boolean := coalesce(p_http BETWEEN 200 AND 299, false);
BEGIN
	SELECT * INTO d FROM webhook_deliveries WHERE id = p_delivery
	    FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	SELECT created_at INTO v_born FROM webhook_events WHERE id = d.event_id;
	v_at := clock_timestamp() - greatest(p_ms, 0) *
	    interval '1 millisecond';
	IF NOT v_ok THEN
		v_next := clock_timestamp() + least(3600000::numeric,
		    p_base_ms * 2::numeric ^ least(p_attempt - 1, 30)) *
		    interval '1 millisecond';
		IF v_next > v_born + p_giveup_s * interval '1 second' THEN
			v_next := NULL;
		END IF;
	END IF;
	INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, attempt,
	    http_status, error, duration_ms, next_at, created_at)
	VALUES (drop_new_id('wha_'), p_delivery, d.endpoint_id, p_attempt,
	    p_http, left(p_error, 200), greatest(p_ms, 0), v_next, v_at)
	ON CONFLICT (delivery_id, attempt) DO NOTHING;
	IF d.status <> 'pending' OR d.attempts <> p_attempt THEN
		RETURN d.status;
	END IF;
	IF v_ok THEN
		UPDATE webhook_deliveries SET status = 'delivered',
		    delivered_at = clock_timestamp() WHERE id = p_delivery;
		RETURN 'delivered';
	ELSIF v_next IS NULL THEN
		UPDATE webhook_deliveries SET status = 'failed'
		    WHERE id = p_delivery;
		RETURN 'failed';
	END IF;
	UPDATE webhook_deliveries SET next_at = v_next WHERE id = p_delivery;
	RETURN 'pending';
END;
$$;

-- A shop's new endpoint (at most p_max live ones), audited.
CREATE OR REPLACE FUNCTION drop_webhook_create(p_user text, p_id text,
    p_url text, p_events text[], p_secret text, p_max integer,
    p_request text)
RETURNS TABLE (code text, created text)
LANGUAGE plpgsql AS $$
DECLARE
	v_mer	text;
	v_at	timestamptz;
BEGIN
	SELECT id INTO v_mer FROM merchants WHERE user_id = p_user FOR UPDATE;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'not_found'::text, NULL::text;
		RETURN;
	END IF;
	IF (SELECT count(*) FROM webhook_endpoints WHERE merchant_id = v_mer
	    AND deleted_at IS NULL) >= p_max THEN
		RETURN QUERY SELECT 'too_many'::text, NULL::text;
		RETURN;
	END IF;
	INSERT INTO webhook_endpoints (id, merchant_id, url, events, secret)
	VALUES (p_id, v_mer, p_url, p_events, p_secret)
	RETURNING created_at INTO v_at;
	INSERT INTO audit_log (actor, action, entity, entity_id, after,
	    request_id)
	VALUES (p_user, 'merchant.webhook.create', 'webhook_endpoint', p_id,
	    jsonb_build_object('events', p_events), p_request);
	RETURN QUERY SELECT NULL::text, iso(v_at);
END;
$$;

-- The shop's endpoint removed: nothing more is sent to it (what was
-- still to be tried is cancelled), its attempts stay listed. Audited.
CREATE OR REPLACE FUNCTION drop_webhook_delete(p_user text, p_id text,
    p_request text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE webhook_endpoints w SET deleted_at = now() FROM merchants m
	WHERE w.id = p_id AND m.id = w.merchant_id AND m.user_id = p_user AND
	    w.deleted_at IS NULL;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	UPDATE webhook_deliveries SET status = 'cancelled'
	WHERE endpoint_id = p_id AND status = 'pending';
	INSERT INTO audit_log (actor, action, entity, entity_id, request_id)
	VALUES (p_user, 'merchant.webhook.delete', 'webhook_endpoint', p_id,
	    p_request);
	RETURN true;
END;
$$;
