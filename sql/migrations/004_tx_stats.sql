-- Aggregates of each user's transactions per Europe/Oslo month, type and
-- status, kept by a trigger (sql/functions/004_stats.sql) in the same
-- transaction that records, settles or refunds a payment, so list totals
-- and summaries never scan history. tests/ledger.sql recomputes them.

CREATE TABLE tx_stats (
	user_id		text NOT NULL REFERENCES users (id),
	month		date NOT NULL,
	type		text NOT NULL,
	status		text NOT NULL,
	n		bigint NOT NULL,
	amount		bigint NOT NULL,
	fee		bigint NOT NULL,
	total		bigint NOT NULL,
	PRIMARY KEY (user_id, month, type, status)
);

INSERT INTO tx_stats (user_id, month, type, status, n, amount, fee, total)
	SELECT user_id,
	    date_trunc('month', created_at AT TIME ZONE 'Europe/Oslo')::date,
	    type, status, count(*), sum(amount), sum(fee), sum(total)
	FROM transactions GROUP BY 1, 2, 3, 4;

-- Filtered history pages: the user's rows of one type or one status, in
-- the order the list shows them.
CREATE INDEX transactions_user_type ON transactions
	(user_id, type, created_at DESC, id DESC);
CREATE INDEX transactions_user_status ON transactions
	(user_id, status, created_at DESC, id DESC);
