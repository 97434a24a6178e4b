-- Bulk work stays linear (issue 21): deleting a transaction checks every
-- table that references it, and these columns had no index, so each
-- deleted row scanned the whole referencing table (a purge or correction
-- of N rows cost N full scans). Partial: most rows reference nothing.
-- The aggregates themselves moved to statement-level triggers
-- (sql/functions/004_stats.sql, 005_merchants.sql).

CREATE INDEX notifications_transaction ON notifications (transaction_id)
	WHERE transaction_id IS NOT NULL;
CREATE INDEX idempotency_keys_transaction ON idempotency_keys
	(transaction_id) WHERE transaction_id IS NOT NULL;
CREATE INDEX balance_events_transaction ON balance_events (transaction_id)
	WHERE transaction_id IS NOT NULL;
CREATE INDEX bank_events_tx ON bank_events (tx_id) WHERE tx_id IS NOT NULL;
CREATE INDEX quotes_used_by ON quotes (used_by) WHERE used_by IS NOT NULL;
