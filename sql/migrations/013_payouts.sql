-- Merchants paid (issue 19): one payout per merchant and business day of
-- what the bank booked for it and no earlier payout took, paid from the
-- collection account through the bank outbox.

CREATE TABLE payouts (
	id		text PRIMARY KEY CHECK (id ~ '^po_[0-9a-f]{16}$'),
	merchant_id	text NOT NULL REFERENCES merchants (id),
	scheduled_for	date NOT NULL,
	amount		bigint NOT NULL CHECK (amount >= 0),
	fees		bigint NOT NULL CHECK (fees >= 0),
	payment_count	integer NOT NULL CHECK (payment_count >= 0),
	debtor		text NOT NULL,
	creditor	text NOT NULL,
	creditor_name	text NOT NULL,
	status		text NOT NULL DEFAULT 'processing'
			CHECK (status IN ('processing', 'paid', 'failed')),
	failure		text,
	bank_product	text NOT NULL DEFAULT 'sepa-credit-transfers',
	bank_payment_id	text UNIQUE,
	bank_status	text,
	bank_poll_at	timestamptz,
	paid_at		timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (merchant_id, scheduled_for)
);
CREATE INDEX payouts_merchant ON payouts (merchant_id, scheduled_for DESC, id);
CREATE INDEX payouts_open ON payouts (bank_poll_at)
	WHERE status = 'processing' AND bank_payment_id IS NOT NULL;

-- Which payout paid each booked QR payment; the ones no payout took yet.
ALTER TABLE transactions ADD COLUMN payout_id text REFERENCES payouts (id);
CREATE INDEX transactions_unpaid_out ON transactions (merchant_id, created_at)
	WHERE merchant_id IS NOT NULL AND status = 'completed'
	AND bank_booked_at IS NOT NULL AND payout_id IS NULL;

-- A payout's bank call rides the same outbox as a payment's.
ALTER TABLE bank_outbox ALTER COLUMN tx_id DROP NOT NULL,
	ADD COLUMN payout_id text REFERENCES payouts (id),
	ADD CONSTRAINT bank_outbox_one_subject
	    CHECK ((tx_id IS NULL) <> (payout_id IS NULL)),
	ADD CONSTRAINT bank_outbox_payout_once UNIQUE (payout_id, kind);
ALTER TABLE bank_events ADD COLUMN payout_id text REFERENCES payouts (id);
