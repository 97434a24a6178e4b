-- A user's monthly statement (issue 20, PSD2 art. 57): every payment
-- executed or under way that month (completed or processing, by the
-- Oslo day it was made) with the fee the user paid (total - amount: a
-- shop's fee on a QR payment is the shop's) and its rate, and every
-- refund paid back to the user that month, oldest first. Money leaving
-- is negative; NOK with two decimals, made from øre without floats.
CREATE OR REPLACE FUNCTION drop_statement(p_user text, p_month date,
    p_max integer)
RETURNS TABLE (at timestamptz, day text, kind text, id text,
    counterparty text, reference text, amount text, fee text, total text,
    currency text, exchange_rate text, received text, received_currency text,
    status text)
LANGUAGE sql STABLE AS $$
	WITH m AS (SELECT p_month::timestamp AT TIME ZONE 'Europe/Oslo' AS lo,
	    (p_month + interval '1 month')::timestamp AT TIME ZONE
	    'Europe/Oslo' AS hi)
	SELECT * FROM (
	SELECT t.created_at, to_char(t.created_at AT TIME ZONE 'Europe/Oslo',
	    'YYYY-MM-DD HH24:MI'), t.type, t.id,
	    coalesce(t.recipient_name, t.merchant_name), t.reference,
	    drop_kr(-t.amount)::text, drop_kr(t.amount - t.total)::text,
	    drop_kr(-t.total)::text, t.currency, t.exchange_rate::text,
	    CASE WHEN t.type = 'remittance' THEN
	    drop_kr(t.receive_amount)::text END,
	    CASE WHEN t.type = 'remittance' THEN t.receive_currency END,
	    t.status
	FROM transactions t, m WHERE t.user_id = p_user AND
	    t.created_at >= m.lo AND t.created_at < m.hi AND
	    t.status IN ('completed', 'processing')
	UNION ALL
	SELECT r.succeeded_at, to_char(r.succeeded_at AT TIME ZONE
	    'Europe/Oslo', 'YYYY-MM-DD HH24:MI'), 'refund', r.id,
	    t.merchant_name, t.id, drop_kr(r.amount)::text, '0.00',
	    drop_kr(r.amount)::text, 'NOK', NULL, NULL, NULL, r.status
	FROM refunds r JOIN transactions t ON t.id = r.tx_id, m
	WHERE t.user_id = p_user AND r.status = 'succeeded' AND
	    r.succeeded_at >= m.lo AND r.succeeded_at < m.hi
	) s ORDER BY 1, 4 LIMIT p_max
$$;
