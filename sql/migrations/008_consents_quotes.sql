-- The user's side of PSD2: the clock business rules read (one place tests
-- can move), consent renewal and unlinking on bank accounts, and quotes
-- that lock a remittance's rate and fee for ten minutes.

-- now() plus a skew that only tests set; production leaves it at zero.
CREATE TABLE drop_clock (
	one	boolean PRIMARY KEY DEFAULT true CHECK (one),
	skew	interval NOT NULL DEFAULT '0'
);
INSERT INTO drop_clock DEFAULT VALUES;

-- consent_id is the consent Drop reads with (valid when given); one the
-- customer has still to approve waits beside it, with its own last day
-- and the 15 minutes its approval page lasts.
ALTER TABLE bank_accounts
	ADD COLUMN consent_pending_id text,
	ADD COLUMN consent_pending_until timestamptz,
	ADD COLUMN consent_sca_expires_at timestamptz;
UPDATE bank_accounts SET consent_pending_id = consent_id,
	consent_pending_until = consent_expires_at, consent_id = NULL,
	consent_sca_expires_at = now() + interval '15 minutes'
	WHERE consent_status = 'received';
UPDATE bank_accounts SET consent_expires_at = NULL
	WHERE status = 'pending_consent';

-- An unlinked number can be linked again, by the same user too; one
-- active link per number stays (bank_accounts_one_link).
ALTER TABLE bank_accounts DROP CONSTRAINT bank_accounts_user_id_account_number_key;

-- A disclosed remittance's price, used at most once before it expires.
CREATE TABLE quotes (
	id		text PRIMARY KEY CHECK (id ~ '^quo_[0-9a-f]{16}$'),
	user_id		text NOT NULL REFERENCES users (id),
	recipient_id	text NOT NULL REFERENCES recipients (id),
	amount		bigint NOT NULL CHECK (amount > 0),
	fee		bigint NOT NULL CHECK (fee >= 0),
	rate		numeric NOT NULL CHECK (rate > 0),
	currency	text NOT NULL,
	created_at	timestamptz NOT NULL,
	expires_at	timestamptz NOT NULL,
	used_by		text REFERENCES transactions (id)
);
CREATE INDEX quotes_user ON quotes (user_id, created_at);
ALTER TABLE transactions ADD COLUMN quote_id text REFERENCES quotes (id);
