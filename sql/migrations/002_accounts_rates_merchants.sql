-- Bank accounts (cached AISP balances in øre), exchange rates, merchants.

CREATE TABLE bank_accounts (
	id			text PRIMARY KEY CHECK (id ~ '^ba_[0-9a-f]{16}$'),
	user_id			text NOT NULL REFERENCES users (id),
	bank_name		text NOT NULL,
	account_number		text NOT NULL CHECK (account_number ~ '^[0-9]{11}$'),
	balance			bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
	currency		text NOT NULL DEFAULT 'NOK',
	is_primary		boolean NOT NULL DEFAULT false,
	balance_updated_at	timestamptz NOT NULL DEFAULT now(),
	created_at		timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, account_number)
);
CREATE UNIQUE INDEX bank_accounts_one_primary ON bank_accounts (user_id)
	WHERE is_primary;

-- Rates are NOK -> currency, exact decimals.
CREATE TABLE exchange_rates (
	currency	text PRIMARY KEY CHECK (currency ~ '^[A-Z]{3}$'),
	rate		numeric(18, 6) NOT NULL CHECK (rate > 0),
	updated_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE merchants (
	id		text PRIMARY KEY CHECK (id ~ '^mer_[0-9a-f]{16}$'),
	user_id		text NOT NULL UNIQUE REFERENCES users (id),
	business_name	text NOT NULL,
	org_number	text NOT NULL UNIQUE CHECK (org_number ~ '^[0-9]{9}$'),
	address		text,
	bank_account	text NOT NULL,
	active		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now()
);
