-- Money movement: recipients, transactions, notifications, idempotency
-- keys and the balance ledger every cached-balance change writes.

CREATE TABLE recipients (
	id		text PRIMARY KEY CHECK (id ~ '^rcp_[0-9a-f]{16}$'),
	user_id		text NOT NULL REFERENCES users (id),
	name		text NOT NULL,
	country		text NOT NULL,
	currency	text NOT NULL,
	bank_account	text NOT NULL,
	bank_name	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	deleted_at	timestamptz
);
CREATE INDEX recipients_user ON recipients (user_id, created_at DESC)
	WHERE deleted_at IS NULL;

-- Amounts in øre; receive_amount in minor units of receive_currency.
CREATE TABLE transactions (
	id			text PRIMARY KEY
				CHECK (id ~ '^tx_(rem|qr)_[0-9a-f]{16}$'),
	user_id			text NOT NULL REFERENCES users (id),
	type			text NOT NULL
				CHECK (type IN ('remittance', 'qr_payment')),
	status			text NOT NULL
				CHECK (status IN ('processing', 'completed', 'failed')),
	amount			bigint NOT NULL CHECK (amount > 0),
	fee			bigint NOT NULL CHECK (fee >= 0),
	total			bigint NOT NULL CHECK (total > 0),
	currency		text NOT NULL DEFAULT 'NOK',
	exchange_rate		numeric(18, 6) NOT NULL,
	receive_amount		bigint NOT NULL,
	receive_currency	text NOT NULL,
	bank_account_id		text NOT NULL REFERENCES bank_accounts (id),
	recipient_id		text REFERENCES recipients (id),
	recipient_name		text,
	recipient_country	text,
	merchant_id		text REFERENCES merchants (id),
	merchant_name		text,
	reference		text NOT NULL,
	created_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	completed_at		timestamptz
);
CREATE INDEX transactions_user ON transactions (user_id, created_at DESC, id DESC);
CREATE INDEX transactions_merchant ON transactions (merchant_id, created_at DESC)
	WHERE merchant_id IS NOT NULL;

CREATE TABLE notifications (
	id		text PRIMARY KEY CHECK (id ~ '^noti_[0-9a-f]{16}$'),
	user_id		text NOT NULL REFERENCES users (id),
	type		text NOT NULL,
	title		text NOT NULL,
	body		text NOT NULL,
	read		boolean NOT NULL DEFAULT false,
	transaction_id	text REFERENCES transactions (id),
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC);

-- One row per (user, key): the first request's outcome, replayed to retries.
CREATE TABLE idempotency_keys (
	user_id		text NOT NULL REFERENCES users (id),
	key		text NOT NULL,
	endpoint	text NOT NULL,
	request_hash	text NOT NULL,
	status		integer NOT NULL,
	error		text,
	message		text,
	transaction_id	text REFERENCES transactions (id),
	response	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, key)
);

-- Every change of a cached balance, so the ledger can be checked:
-- for each account, the sum of deltas equals the balance.
CREATE TABLE balance_events (
	id		bigserial PRIMARY KEY,
	bank_account_id	text NOT NULL REFERENCES bank_accounts (id),
	kind		text NOT NULL
			CHECK (kind IN ('link', 'sync', 'debit', 'refund')),
	delta		bigint NOT NULL,
	transaction_id	text REFERENCES transactions (id),
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX balance_events_account ON balance_events (bank_account_id);

-- Accounts that existed before the ledger start from their balance.
INSERT INTO balance_events (bank_account_id, kind, delta)
	SELECT id, 'link', balance FROM bank_accounts;
