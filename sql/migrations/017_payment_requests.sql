-- Payment requests (issue 19): a shop asks for one amount by a QR code;
-- the QR payment that answers it must match it, and pays it once.

CREATE TABLE payment_requests (
	id		text PRIMARY KEY CHECK (id ~ '^preq_[0-9a-f]{16}$'),
	merchant_id	text NOT NULL REFERENCES merchants (id),
	amount		bigint NOT NULL CHECK (amount > 0),
	description	text CHECK (length(description) <= 140),
	expires_at	timestamptz NOT NULL,
	tx_id		text UNIQUE REFERENCES transactions (id),
	paid_at		timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_requests_merchant ON payment_requests
	(merchant_id, created_at DESC, id);

ALTER TABLE transactions ADD COLUMN payment_request_id text
	REFERENCES payment_requests (id);
