-- Merchant payouts (issue 19): the job that makes each business day's
-- payouts, what the bank's answers do to them, and the page of them.

-- Øre as the API writes kroner: 1234.50.
CREATE OR REPLACE FUNCTION drop_nok(p_ore bigint) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT (p_ore / 100)::text || '.' || lpad((p_ore % 100)::text, 2, '0')
$$;

-- The business day of the latest payout run due at p_now: today once
-- p_time (Europe/Oslo) has passed on a business day, else the business
-- day before.
CREATE OR REPLACE FUNCTION drop_payout_due_day(p_now timestamptz,
    p_time time) RETURNS date
LANGUAGE plpgsql STABLE AS $$
DECLARE
	d	date := oslo_day(p_now);
BEGIN
	IF NOT drop_business_day(d) OR
	    (p_now AT TIME ZONE 'Europe/Oslo')::time < p_time THEN
		d := drop_prev_business_day(d);
	END IF;
	RETURN d;
END;
$$;

-- The payouts due at p_now, made once: for each merchant, every QR
-- payment the bank booked that no payout took, made before the due day,
-- less every refund that left the collection account since the last
-- payout, in one payout of that day (a run missed while Drop was down is
-- caught up by the next, whose payout takes every day since; refunds that
-- outweigh the payments wait, with them, for a day they do not). Its
-- call goes in the bank outbox. One caller at a time (the others return
-- at once); the unique (merchant, day) makes a second payout of a day
-- impossible. Returns the new payouts' ids.
CREATE OR REPLACE FUNCTION drop_payouts_run(p_now timestamptz, p_time time,
    p_debtor text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	v_day		date;
	v_before	timestamptz;
	v_merchant	text;
	v_id		text;
	v_txs		text[];
	v_rfs		text[];
	v_net		bigint;
	v_fees		bigint;
	v_back		bigint;
BEGIN
	IF NOT pg_try_advisory_xact_lock(hashtext('drop_payouts_run')) THEN
		RETURN;
	END IF;
	v_day := drop_payout_due_day(p_now, p_time);
	v_before := v_day::timestamp AT TIME ZONE 'Europe/Oslo';
	FOR v_merchant IN SELECT DISTINCT t.merchant_id FROM transactions t
	    WHERE t.merchant_id IS NOT NULL AND t.status = 'completed' AND
	    t.bank_booked_at IS NOT NULL AND t.payout_id IS NULL AND
	    t.created_at < v_before LOOP
		SELECT array_agg(t.id), sum(t.amount - t.fee), sum(t.fee)
		    INTO v_txs, v_net, v_fees FROM transactions t
		    WHERE t.merchant_id = v_merchant AND
		    t.status = 'completed' AND t.bank_booked_at IS NOT NULL AND
		    t.payout_id IS NULL AND t.created_at < v_before;
		-- The refunds taken are the ones locked here, whatever
		-- succeeds meanwhile.
		SELECT array_agg(id), coalesce(sum(amount), 0) INTO v_rfs, v_back
		    FROM (SELECT r.id, r.amount FROM refunds r
		    WHERE r.merchant_id = v_merchant AND r.status = 'succeeded'
		    AND r.payout_id IS NULL FOR UPDATE) s;
		CONTINUE WHEN v_net - v_back <= 0;
		v_id := drop_new_id('po_');
		INSERT INTO payouts (id, merchant_id, scheduled_for, amount, fees,
		    refunds, payment_count, debtor, creditor, creditor_name)
		SELECT v_id, m.id, v_day, v_net - v_back, v_fees, v_back,
		    cardinality(v_txs), p_debtor, m.bank_account,
		    m.business_name FROM merchants m WHERE m.id = v_merchant
		ON CONFLICT (merchant_id, scheduled_for) DO NOTHING;
		CONTINUE WHEN NOT FOUND;
		UPDATE transactions SET payout_id = v_id WHERE id = ANY (v_txs);
		UPDATE refunds SET payout_id = v_id WHERE id = ANY (v_rfs);
		INSERT INTO bank_outbox (payout_id, kind) VALUES (v_id, 'initiate');
		RETURN NEXT v_id;
	END LOOP;
END;
$$;

-- The bank's status of a payout (its answer, a poll or a callback):
-- booked, it is paid and the merchant told; refused or cancelled, it
-- failed and its payments go back to wait for the next business day's
-- payout. Returns the payout's status.
CREATE OR REPLACE FUNCTION drop_payout_bank_status(p_id text, p_status text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	p	payouts%ROWTYPE;
	v_user	text;
BEGIN
	SELECT * INTO p FROM payouts WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE payouts SET bank_status = p_status WHERE id = p_id;
	IF p.status <> 'processing' THEN
		RETURN p.status;
	END IF;
	IF p_status IN ('ACSC', 'ACCC') THEN
		SELECT user_id INTO v_user FROM merchants
		    WHERE id = p.merchant_id;
		UPDATE payouts SET status = 'paid', paid_at = now()
		    WHERE id = p_id;
		PERFORM drop_notify(drop_new_id('noti_'), v_user, 'payout_paid',
		    'Payout sent', 'Your payout of ' || drop_nok(p.amount) ||
		    ' NOK for ' || p.payment_count || ' payments is on its way to '
		    || 'your bank account.', NULL);
		RETURN 'paid';
	ELSIF p_status IN ('RJCT', 'CANC') THEN
		PERFORM drop_payout_fail(p_id, 'the bank refused it (' ||
		    p_status || ')');
		RETURN 'failed';
	END IF;
	RETURN p.status;
END;
$$;

-- A payout the bank will not make: failed, its payments free again for
-- the next business day's payout, the merchant told.
CREATE OR REPLACE FUNCTION drop_payout_fail(p_id text, p_why text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_user	text;
BEGIN
	UPDATE payouts SET status = 'failed', failure = p_why WHERE id = p_id;
	UPDATE transactions SET payout_id = NULL WHERE payout_id = p_id;
	UPDATE refunds SET payout_id = NULL WHERE payout_id = p_id;
	SELECT m.user_id INTO v_user FROM payouts p JOIN merchants m ON
	    m.id = p.merchant_id WHERE p.id = p_id;
	PERFORM drop_notify(drop_new_id('noti_'), v_user, 'payout_failed',
	    'Payout failed', 'Your bank refused today''s payout; it is tried '
	    || 'again with the next one. Check your payout account.', NULL);
END;
$$;
