-- Refunds by the merchant (issue 19): paid from the collection account
-- back to the account a QR payment came from, through the bank outbox;
-- a payout deducts what refunds took out of the collection account.

CREATE TABLE refunds (
	id		text PRIMARY KEY CHECK (id ~ '^rf_[0-9a-f]{16}$'),
	tx_id		text NOT NULL REFERENCES transactions (id),
	merchant_id	text NOT NULL REFERENCES merchants (id),
	amount		bigint NOT NULL CHECK (amount > 0),
	debtor		text NOT NULL,
	creditor	text NOT NULL,
	creditor_name	text NOT NULL,
	status		text NOT NULL DEFAULT 'processing'
			CHECK (status IN ('processing', 'succeeded', 'failed')),
	failure		text,
	bank_product	text NOT NULL DEFAULT 'sepa-credit-transfers',
	bank_payment_id	text UNIQUE,
	bank_status	text,
	bank_poll_at	timestamptz,
	payout_id	text REFERENCES payouts (id),
	succeeded_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_tx ON refunds (tx_id, created_at);
CREATE INDEX refunds_open ON refunds (bank_poll_at)
	WHERE status = 'processing' AND bank_payment_id IS NOT NULL;
CREATE INDEX refunds_undeducted ON refunds (merchant_id)
	WHERE status = 'succeeded' AND payout_id IS NULL;

-- What refunds hold of a payment (processing or succeeded: never more
-- than was paid, whatever runs at once) and what reached the payer.
ALTER TABLE transactions
	ADD COLUMN refund_held bigint NOT NULL DEFAULT 0,
	ADD COLUMN refunded bigint NOT NULL DEFAULT 0,
	ADD CONSTRAINT transactions_refund_bounds CHECK (refund_held >= 0 AND
	    refunded >= 0 AND refunded <= refund_held AND refund_held <= amount);

-- A payout names what refunds it deducted.
ALTER TABLE payouts ADD COLUMN refunds bigint NOT NULL DEFAULT 0
	CHECK (refunds >= 0);

-- A refund's bank call rides the bank outbox; its key replays it.
ALTER TABLE bank_outbox DROP CONSTRAINT bank_outbox_one_subject,
	ADD COLUMN refund_id text REFERENCES refunds (id),
	ADD CONSTRAINT bank_outbox_one_subject
	    CHECK (num_nonnulls(tx_id, payout_id, refund_id) = 1),
	ADD CONSTRAINT bank_outbox_refund_once UNIQUE (refund_id, kind);
ALTER TABLE bank_events ADD COLUMN refund_id text REFERENCES refunds (id);
ALTER TABLE idempotency_keys ADD COLUMN refund_id text
	REFERENCES refunds (id);
