-- The bank over PSD2 (§13): payments initiated through an outbox, with the
-- bank's references and statuses, each transaction's history, the bank's
-- callbacks, and account-information consents on bank accounts.

ALTER TABLE transactions DROP CONSTRAINT transactions_status_check;
ALTER TABLE transactions ADD CONSTRAINT transactions_status_check
	CHECK (status IN ('pending_authorisation', 'processing', 'completed',
	    'failed'));
ALTER TABLE transactions
	ADD COLUMN failure_reason text CHECK (failure_reason IN
	    ('rejected_by_bank', 'expired', 'bank_unavailable', 'cancelled')),
	ADD COLUMN psu_ip text,
	ADD COLUMN bank_product text,
	ADD COLUMN bank_payment_id text,
	ADD COLUMN bank_status text,
	ADD COLUMN bank_booked_at timestamptz,
	ADD COLUMN bank_poll_at timestamptz,
	ADD COLUMN sca_url text,
	ADD COLUMN sca_expires_at timestamptz,
	ADD COLUMN released_at timestamptz;
CREATE UNIQUE INDEX transactions_bank_payment ON transactions (bank_payment_id)
	WHERE bank_payment_id IS NOT NULL;
-- Open at the bank: polled until booked or final.
CREATE INDEX transactions_bank_open ON transactions (bank_poll_at)
	WHERE bank_payment_id IS NOT NULL AND bank_booked_at IS NULL
	AND status IN ('pending_authorisation', 'processing');
CREATE INDEX transactions_sca_expiry ON transactions (sca_expires_at)
	WHERE status = 'pending_authorisation';
-- What an account holds for payments the bank has not booked.
CREATE INDEX transactions_unbooked ON transactions (bank_account_id)
	WHERE bank_booked_at IS NULL
	AND status IN ('pending_authorisation', 'processing');

-- The calls Drop owes the bank, each claimed under a lease and retried
-- with the same X-Request-ID until the bank has answered.
CREATE TABLE bank_outbox (
	id		bigserial PRIMARY KEY,
	tx_id		text NOT NULL REFERENCES transactions (id),
	kind		text NOT NULL CHECK (kind IN ('initiate', 'cancel')),
	request_id	uuid NOT NULL DEFAULT gen_random_uuid(),
	attempts	integer NOT NULL DEFAULT 0,
	next_at		timestamptz NOT NULL DEFAULT now(),
	locked_until	timestamptz,
	locked_by	text,
	last_error	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	done_at		timestamptz,
	UNIQUE (tx_id, kind)
);
CREATE INDEX bank_outbox_due ON bank_outbox (next_at) WHERE done_at IS NULL;

-- Each transaction's history (GET /api/transactions/{id}/events).
CREATE TABLE transaction_events (
	id		bigserial PRIMARY KEY,
	tx_id		text NOT NULL REFERENCES transactions (id),
	status		text NOT NULL,
	detail		text,
	at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transaction_events_tx ON transaction_events (tx_id, id);

-- The bank's signed callbacks, once each by event id.
CREATE TABLE bank_events (
	event_id	text PRIMARY KEY,
	payment_id	text NOT NULL,
	status		text NOT NULL,
	tx_id		text REFERENCES transactions (id),
	received_at	timestamptz NOT NULL DEFAULT now()
);

-- Account information through the bank's consent.
ALTER TABLE bank_accounts
	ADD COLUMN status text NOT NULL DEFAULT 'active'
	    CHECK (status IN ('active', 'pending_consent')),
	ADD COLUMN consent_id text,
	ADD COLUMN consent_status text,
	ADD COLUMN consent_expires_at timestamptz,
	ADD COLUMN consent_sca_url text,
	ADD COLUMN resource_id text,
	ADD COLUMN deleted_at timestamptz;

-- One active link per account number, across users (the later ones of
-- any older duplicates are let go first).
UPDATE bank_accounts SET deleted_at = now(), is_primary = false
	WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER
	    (PARTITION BY account_number ORDER BY created_at, id) AS n
	    FROM bank_accounts) d WHERE n > 1);
CREATE UNIQUE INDEX bank_accounts_one_link ON bank_accounts (account_number)
	WHERE deleted_at IS NULL;

