-- Reconciliation (issue 19): the collection account's statement as the
-- bank books it, against Drop's payments in, payouts and refunds out.
-- The job (src/core/reconcile.c) claims a day, stores the statement page
-- by page, then asks for the breaks; nothing here changes a payment.

-- What Drop says moved through the collection account: each payment in
-- (its total), each payout and refund out (negative), booked or not.
CREATE OR REPLACE VIEW collection_items AS
	SELECT t.id, t.total AS expected, t.bank_booked_at IS NOT NULL AS booked,
	    t.bank_booked_at AS booked_at FROM transactions t
	UNION ALL
	SELECT p.id, -p.amount, p.status = 'paid', p.paid_at FROM payouts p
	UNION ALL
	SELECT r.id, -r.amount, r.status = 'succeeded', r.succeeded_at
	FROM refunds r;

-- The Drop id a bank line's remittance names, if any.
CREATE OR REPLACE FUNCTION drop_remittance_ref(p_text text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT substring(coalesce(p_text, '') FROM
	    '^Drop (?:payout |refund )?((?:tx_(?:rem|qr)|po|rf)_[0-9a-f]{16})')
$$;

-- Øre of a statement amount ("-12.30"); an error for anything else.
CREATE OR REPLACE FUNCTION drop_statement_ore(p_text text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_text IS NULL OR p_text !~ '^-?[0-9]{1,12}(\.[0-9]{1,2})?$' THEN
		RAISE EXCEPTION 'statement amount %', left(p_text, 20);
	END IF;
	RETURN (p_text::numeric * 100)::bigint;
END;
$$;

-- The day a run may read now: each Oslo day from p_time on the next day
-- (a day missed while Drop was down is asked for too, 31 days back at
-- most), or a day an operator asked for again; one at a time per day,
-- under a lease. With it, what the bank calls need: the window around
-- the day, Drop's consent for the collection account if one is valid,
-- and the last day a new consent would ask for.
DROP FUNCTION IF EXISTS drop_reconcile_claim(timestamptz, time, text);
CREATE FUNCTION drop_reconcile_claim(p_now timestamptz, p_time time,
    p_bban text)
RETURNS TABLE (day text, date_from text, date_to text, consent_id text,
    consent_until text)
LANGUAGE plpgsql AS $$
DECLARE
	v_due	date := oslo_day(p_now) - CASE WHEN
		    (p_now AT TIME ZONE 'Europe/Oslo')::time >= p_time THEN 1
		    ELSE 2 END;
	v_day	date;
BEGIN
	INSERT INTO reconciliations (day)
	SELECT d::date FROM generate_series(greatest(v_due - 31, coalesce(
	    (SELECT max(r.day) + 1 FROM reconciliations r WHERE r.day <= v_due),
	    v_due)), v_due, interval '1 day') d
	ON CONFLICT DO NOTHING;
	SELECT r.day INTO v_day FROM reconciliations r
	    WHERE r.status <> 'done' AND r.next_at <= now() AND
	    (r.locked_until IS NULL OR r.locked_until < now())
	    ORDER BY r.day LIMIT 1 FOR UPDATE SKIP LOCKED;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	UPDATE reconciliations r SET status = 'running',
	    attempts = r.attempts + 1, locked_until = now() +
	    interval '2 minutes' WHERE r.day = v_day;
	DELETE FROM reconciliation_lines l WHERE l.day = v_day;
	RETURN QUERY SELECT v_day::text, (v_day - 1)::text, (v_day + 1)::text,
	    (SELECT c.consent_id FROM collection_consent c WHERE
	    c.bban = p_bban AND c.valid_until > current_date),
	    (current_date + 89)::text;
END;
$$;

CREATE OR REPLACE FUNCTION drop_reconcile_consent(p_bban text,
    p_consent text, p_until date) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO collection_consent (bban, consent_id, valid_until)
	VALUES (p_bban, p_consent, p_until)
	ON CONFLICT (bban) DO UPDATE SET consent_id = EXCLUDED.consent_id,
	    valid_until = EXCLUDED.valid_until, created_at = now();
$$;

-- One page of the statement stored; the next page's link, if any.
CREATE OR REPLACE FUNCTION drop_reconcile_page(p_day date, p_body text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_doc	jsonb := p_body::jsonb;
BEGIN
	INSERT INTO reconciliation_lines (day, bank_tx_id, booking_date, amount,
	    remittance, reference)
	SELECT p_day, left(e->>'transactionId', 100),
	    (e->>'bookingDate')::date,
	    drop_statement_ore(e->'transactionAmount'->>'amount'),
	    left(coalesce(e->>'remittanceInformationUnstructured', ''), 500),
	    drop_remittance_ref(e->>'remittanceInformationUnstructured')
	FROM jsonb_array_elements(v_doc->'transactions'->'booked') e
	WHERE e->'transactionAmount'->>'currency' = 'NOK'
	ON CONFLICT DO NOTHING;
	RETURN v_doc->'transactions'->'_links'->'next'->>'href';
END;
$$;

-- The day's breaks, recorded once each: a line of the day that names no
-- Drop payment, payout or refund; one whose amount is not Drop's; one
-- the bank booked twice; one Drop does not count as booked; and what
-- Drop counts as booked that day with no line anywhere in the window.
-- The run is done; returns the breaks it found, for the log.
CREATE OR REPLACE FUNCTION drop_reconcile_finish(p_day date)
RETURNS TABLE (kind text, reference text, bank_tx_id text, expected bigint,
    booked bigint)
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO reconciliation_breaks AS b (day, kind, reference,
	    bank_tx_id, expected, booked, detail)
	SELECT p_day, x.kind, x.reference, x.bank_tx_id, x.expected,
	    x.amount, x.detail FROM (
		SELECT l.reference, l.bank_tx_id, l.amount, i.expected,
		    CASE WHEN i.id IS NULL THEN 'unknown_at_bank'
		    WHEN l.n > 1 THEN 'duplicate_at_bank'
		    WHEN l.amount <> i.expected THEN 'amount_differs'
		    WHEN NOT i.booked THEN 'not_booked_in_drop' END AS kind,
		    CASE WHEN i.id IS NULL THEN 'a booking Drop did not make'
		    WHEN l.n > 1 THEN 'booked ' || l.n || ' times'
		    WHEN l.amount <> i.expected THEN 'booked ' ||
		        (l.amount - i.expected) || ' øre off what Drop recorded'
		    ELSE 'booked at the bank, not in Drop' END AS detail
		FROM (SELECT l.*, count(*) OVER (PARTITION BY
		    coalesce(l.reference, l.bank_tx_id)) AS n
		    FROM reconciliation_lines l WHERE l.day = p_day) l
		LEFT JOIN collection_items i ON i.id = l.reference
		WHERE l.booking_date = p_day) x
	WHERE x.kind IS NOT NULL
	ON CONFLICT DO NOTHING;
	INSERT INTO reconciliation_breaks (day, kind, reference, expected,
	    detail)
	SELECT p_day, 'missing_at_bank', i.id, i.expected,
	    'booked in Drop, not in the bank''s statement'
	FROM collection_items i
	WHERE i.booked AND i.booked_at >= p_day::timestamp AT TIME ZONE
	    'Europe/Oslo' AND i.booked_at < (p_day + 1)::timestamp AT TIME
	    ZONE 'Europe/Oslo' AND NOT EXISTS (SELECT 1 FROM
	    reconciliation_lines l WHERE l.day = p_day AND l.reference = i.id)
	ON CONFLICT DO NOTHING;
	UPDATE reconciliations r SET status = 'done', done_at = now(),
	    locked_until = NULL, last_error = NULL,
	    bank_lines = (SELECT count(*) FROM reconciliation_lines l WHERE
	    l.day = p_day AND l.booking_date = p_day),
	    breaks = (SELECT count(*) FROM reconciliation_breaks b WHERE
	    b.day = p_day)
	WHERE r.day = p_day;
	RETURN QUERY SELECT b.kind, b.reference, b.bank_tx_id, b.expected,
	    b.booked FROM reconciliation_breaks b
	    WHERE b.day = p_day AND b.created_at = now() ORDER BY b.id;
END;
$$;

-- A run that could not read the statement: asked again after a back-off.
CREATE OR REPLACE FUNCTION drop_reconcile_failed(p_day date, p_error text)
RETURNS void
LANGUAGE sql AS $$
	UPDATE reconciliations SET status = 'due', locked_until = NULL,
	    last_error = left(p_error, 200), next_at = now() +
	    least(3600, 30 * 2 ^ least(attempts, 7)) * interval '1 second'
	WHERE day = p_day AND status = 'running';
$$;

-- An operator asks for a day (again): due now; its breaks so far stay.
CREATE OR REPLACE FUNCTION drop_reconcile_ask(p_day date)
RETURNS TABLE (day text, status text)
LANGUAGE sql AS $$
	INSERT INTO reconciliations AS r (day) VALUES (p_day)
	ON CONFLICT (day) DO UPDATE SET status = CASE WHEN r.status =
	    'running' THEN r.status ELSE 'due' END, next_at = now(),
	    attempts = 0
	RETURNING r.day::text, r.status;
$$;
