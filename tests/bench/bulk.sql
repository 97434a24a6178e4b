-- make bench: one INSERT of :n transactions for one new user (a migration
-- or batch settlement), timed in the database; then the aggregates the
-- statement-level triggers kept, against a recount. Rolled back.
-- Variables: uid (usr_ and 16 hex, its first 8 unique), acct (11 digits),
-- n. Prints: milliseconds, rows of tx_stats wrong, merchant days wrong.
BEGIN;
INSERT INTO users (id, email, password_hash, first_name, last_name,
    date_of_birth, kyc_status)
VALUES (:'uid', :'uid' || '@bulk.example', 'x', 'Bulk', 'User',
    '1990-01-01', 'approved');
INSERT INTO bank_accounts (id, user_id, bank_name, account_number, balance)
VALUES ('ba_' || substr(:'uid', 5), :'uid', 'DNB', :'acct', 0);
SELECT clock_timestamp() AS t0 \gset
INSERT INTO transactions (id, user_id, type, status, amount, fee, total,
    exchange_rate, receive_amount, receive_currency, bank_account_id,
    merchant_id, merchant_name, reference, created_at, updated_at)
SELECT 'tx_qr_' || substr(:'uid', 5, 8) || lpad(to_hex(g), 8, '0'), :'uid',
    'qr_payment', CASE WHEN g % 50 = 0 THEN 'failed' ELSE 'completed' END,
    1000 + g % 500, 10, 1010 + g % 500, 1, 1000 + g % 500, 'NOK',
    'ba_' || substr(:'uid', 5), 'mer_00000000000000a1', 'Kafé Oslo',
    'BULK' || g, ts, ts
FROM generate_series(1, :n) g,
    LATERAL (SELECT now() - g * interval '1 minute') t (ts);
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)
    * 1000) AS ms,
  (SELECT count(*) FROM (SELECT oslo_month(created_at) AS month, type,
        status, count(*) AS n, sum(amount) AS amount, sum(fee) AS fee,
        sum(total) AS total FROM transactions WHERE user_id = :'uid'
        GROUP BY 1, 2, 3) h
    FULL JOIN (SELECT * FROM tx_stats WHERE user_id = :'uid') s
        USING (month, type, status)
    WHERE h.n IS DISTINCT FROM s.n OR h.amount IS DISTINCT FROM s.amount
       OR h.fee IS DISTINCT FROM s.fee OR h.total IS DISTINCT FROM s.total)
    AS bad_user,
  (SELECT count(*) FROM (SELECT oslo_day(created_at) AS day, count(*) AS n,
        sum(amount) AS amount, sum(fee) AS fee FROM transactions
        WHERE merchant_id = 'mer_00000000000000a1' AND status = 'completed'
        GROUP BY 1) h
    FULL JOIN (SELECT day, sum(n) AS n, sum(amount) AS amount,
        sum(fee) AS fee FROM merchant_stats
        WHERE merchant_id = 'mer_00000000000000a1' GROUP BY 1) s USING (day)
    WHERE h.n IS DISTINCT FROM s.n OR h.amount IS DISTINCT FROM s.amount
       OR h.fee IS DISTINCT FROM s.fee) AS bad_merchant;
ROLLBACK;
