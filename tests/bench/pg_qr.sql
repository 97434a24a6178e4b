-- pgbench: what POST /api/transactions/qr-payment (1.50 NOK, no key)
-- runs for one of users 1-100 (session.c sql_session, payments.c sql_qr,
-- then sql_tx), and an update of its outbox row standing for the claim and
-- the answer (marked done, so the running Kore sends none of these to the
-- bank: the bank's share is measured on its own).
\set n random(1, 100)
SELECT u.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = 'ses_' || lpad(to_hex(:n::int), 16, '0') AND s.user_id = 'usr_' || lpad(to_hex(:n::int), 16, '0') AND s.revoked_at IS NULL AND s.expires_at > now() AND u.deleted_at IS NULL;
SELECT tx_id FROM drop_qr_pay('usr_' || lpad(to_hex(:n::int), 16, '0'), NULL, NULL, 'tx_qr_' || substr(md5(random()::text), 1, 16), 'noti_' || substr(md5(random()::text), 1, 16), 'mer_00000000000000a1', 150::bigint, 2::bigint, '127.0.0.1', NULL) \gset
UPDATE bank_outbox SET done_at = now(), attempts = 1 WHERE tx_id = :tx_id;
SELECT * FROM tx_view WHERE id = :tx_id AND user_id = 'usr_' || lpad(to_hex(:n::int), 16, '0');
