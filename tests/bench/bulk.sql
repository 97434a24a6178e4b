-- make bench: one INSERT of :n transactions for one new user (a migration
-- or batch settlement), timed in the database; then the aggregates the
-- statement-level triggers kept, against a recount. Rolled back.
-- Variables: uid (usr_ and 16 hex, its first 8 unique), acct (11 digits),
-- n. Prints the milliseconds, then a line per aggregate row that
-- differs from a recount (tests/aggregates.sql).
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
    * 1000) AS ms;
\set agg_user :uid
\set agg_merchant mer_00000000000000a1
\ir ../aggregates.sql
ROLLBACK;
