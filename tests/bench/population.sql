-- make bench: the bench population, loaded into a throwaway database.
-- Users 1-100 pay and read (password BenchPass123, bcrypt cost 4 so the
-- harness can log them all in quickly); users 1001, 1002, 1003 hold
-- 1,000, 10,000 and 1,000,000 transactions spread over the past years;
-- user 2000 has a bcrypt cost 12 hash, for the login scenarios.

CREATE OR REPLACE FUNCTION bench_id(prefix text, n bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT prefix || lpad(to_hex(n), 16, '0')
$$;

INSERT INTO users (id, email, password_hash, first_name, last_name,
    date_of_birth, kyc_status)
SELECT bench_id('usr_', i), 'bench' || i || '@drop.example',
    CASE WHEN i = 2000 THEN crypt('BenchPass123', gen_salt('bf', 12))
    ELSE h.hash END, 'Bench', 'User', '1990-01-01', 'approved'
FROM (SELECT generate_series(1, 100) AS i UNION ALL
      SELECT unnest(ARRAY[1001, 1002, 1003, 2000])) u,
     (SELECT crypt('BenchPass123', gen_salt('bf', 4)) AS hash) h;

WITH a AS (
	INSERT INTO bank_accounts (id, user_id, bank_name, account_number,
	    balance, is_primary)
	SELECT bench_id('ba_', ('x' || substr(id, 5))::bit(64)::bigint), id, 'DNB',
	    (10000000000 + ('x' || substr(id, 5))::bit(64)::bigint)::text,
	    100000000000, true
	FROM users WHERE email LIKE 'bench%@drop.example'
	RETURNING id, balance)
INSERT INTO balance_events (bank_account_id, kind, delta)
	SELECT id, 'link', balance FROM a;

-- Sessions for pgbench, which runs each endpoint's SQL without HTTP.
INSERT INTO sessions (id, user_id, expires_at)
	SELECT 'ses_' || substr(id, 5), id, now() + interval '1 day'
	FROM users WHERE email LIKE 'bench%@drop.example';

-- History in one statement: the statement-level triggers keep the
-- aggregates (sql/functions/004_stats.sql).

INSERT INTO transactions (id, user_id, type, status, amount, fee, total,
    exchange_rate, receive_amount, receive_currency, bank_account_id,
    merchant_id, merchant_name, recipient_name, recipient_country,
    reference, created_at, updated_at, completed_at)
SELECT bench_id(CASE WHEN g % 4 = 0 THEN 'tx_rem_' ELSE 'tx_qr_' END,
        u.n::bigint * 10000000 + g),
    bench_id('usr_', u.n),
    CASE WHEN g % 4 = 0 THEN 'remittance' ELSE 'qr_payment' END,
    CASE WHEN g % 50 = 0 THEN 'failed' ELSE 'completed' END,
    10000 + g % 5000, 100, 10100 + g % 5000, 1, 10000 + g % 5000,
    CASE WHEN g % 4 = 0 THEN 'RSD' ELSE 'NOK' END,
    bench_id('ba_', u.n),
    CASE WHEN g % 4 = 0 THEN NULL ELSE 'mer_00000000000000a1' END,
    CASE WHEN g % 4 = 0 THEN NULL ELSE 'Kafé Oslo' END,
    CASE WHEN g % 4 = 0 THEN 'Marko Petrović' END,
    CASE WHEN g % 4 = 0 THEN 'RS' END,
    'BENCH' || g, ts, ts, ts
FROM (VALUES (1001, 1000), (1002, 10000), (1003, 1000000)) u (n, cnt),
    LATERAL generate_series(1, u.cnt) g,
    LATERAL (SELECT now() - (u.cnt - g) * interval '1 minute' *
        (94608000.0 / 60 / u.cnt)) t (ts);

VACUUM ANALYZE users, sessions, bank_accounts, transactions, tx_stats;
