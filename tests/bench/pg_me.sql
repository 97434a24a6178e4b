-- pgbench: what GET /api/users/me runs for one of users 1-100
-- (session.c sql_session, then users.c sql_me).
\set n random(1, 100)
SELECT u.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = 'ses_' || lpad(to_hex(:n::int), 16, '0') AND s.user_id = 'usr_' || lpad(to_hex(:n::int), 16, '0') AND s.revoked_at IS NULL AND s.expires_at > now() AND u.deleted_at IS NULL;
SELECT u.*, b.id AS ba_id, b.bank_name, b.account_number, b.balance, b.currency, b.is_primary, iso(b.balance_updated_at) AS ba_updated FROM user_view u LEFT JOIN bank_accounts b ON b.user_id = u.id WHERE u.id = 'usr_' || lpad(to_hex(:n::int), 16, '0') ORDER BY b.created_at, b.id;
