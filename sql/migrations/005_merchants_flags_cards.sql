-- Feature flags, merchant aggregates, and cards (issue-held card data:
-- never a full card number or CVV; a PIN only as a bcrypt hash).

CREATE TABLE feature_flags (
	name		text PRIMARY KEY CHECK (name ~ '^[A-Za-z]{1,32}$'),
	enabled		boolean NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now()
);
INSERT INTO feature_flags (name, enabled) VALUES
	('cards', false), ('physicalCards', false), ('cardPin', false),
	('spendingLimits', false), ('notifications', true);

-- QR payments received per merchant and Europe/Oslo day, kept by a trigger
-- (sql/functions/005_merchants.sql) in the paying transaction. Each day is
-- split into 8 shards (by transaction id) so that concurrent payments to
-- one busy shop do not all wait for the same row lock; readers sum them.
CREATE TABLE merchant_stats (
	merchant_id	text NOT NULL REFERENCES merchants (id),
	day		date NOT NULL,
	shard		smallint NOT NULL CHECK (shard BETWEEN 0 AND 7),
	n		bigint NOT NULL,
	amount		bigint NOT NULL,
	fee		bigint NOT NULL,
	PRIMARY KEY (merchant_id, day, shard)
);

INSERT INTO merchant_stats (merchant_id, day, shard, n, amount, fee)
	SELECT merchant_id, (created_at AT TIME ZONE 'Europe/Oslo')::date, 0,
	    count(*), sum(amount), sum(fee)
	FROM transactions
	WHERE merchant_id IS NOT NULL AND status = 'completed'
	GROUP BY 1, 2;

-- A merchant's history page, newest first, read by index only.
DROP INDEX transactions_merchant;
CREATE INDEX transactions_merchant ON transactions
	(merchant_id, created_at DESC, id DESC) WHERE merchant_id IS NOT NULL;

CREATE TABLE cards (
	id		text PRIMARY KEY CHECK (id ~ '^card_[0-9a-f]{16}$'),
	user_id		text NOT NULL REFERENCES users (id),
	type		text NOT NULL CHECK (type IN ('virtual', 'physical')),
	status		text NOT NULL DEFAULT 'active'
			CHECK (status IN ('active', 'frozen', 'cancelled')),
	brand		text NOT NULL,
	last4		text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
	expiry_month	integer NOT NULL CHECK (expiry_month BETWEEN 1 AND 12),
	expiry_year	integer NOT NULL CHECK (expiry_year BETWEEN 2000 AND 2999),
	issuer_token	text NOT NULL UNIQUE,
	pin_hash	text,
	shipping_address text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cards_user ON cards (user_id, created_at DESC, id DESC);

CREATE TABLE card_limits (
	card_id		text NOT NULL REFERENCES cards (id),
	limit_type	text NOT NULL
			CHECK (limit_type IN ('daily', 'weekly', 'monthly',
			    'transaction')),
	amount		bigint NOT NULL CHECK (amount > 0),
	currency	text NOT NULL DEFAULT 'NOK',
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (card_id, limit_type)
);
