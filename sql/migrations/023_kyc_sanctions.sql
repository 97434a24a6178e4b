-- Identity checks and sanctions screening (issue 20): what a user submits
-- for a Norwegian identity check, reviewed by compliance (two operators
-- when the name is near a sanctioned one); the sanctions list loaded
-- from a file (scripts/sanctions.sh); remittances held by a hit.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

ALTER TABLE users DROP CONSTRAINT users_kyc_status_check;
ALTER TABLE users ADD CONSTRAINT users_kyc_status_check
	CHECK (kyc_status IN ('pending', 'in_review', 'approved', 'rejected'));

CREATE TABLE kyc_submissions (
	id		text PRIMARY KEY CHECK (id ~ '^kyc_[0-9a-f]{16}$'),
	user_id		text NOT NULL REFERENCES users (id),
	legal_name	text NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 200),
	address		text NOT NULL CHECK (length(address) BETWEEN 1 AND 300),
	national_id	text NOT NULL CHECK (national_id ~ '^[0-9]{11}$'),
	purpose		text NOT NULL CHECK (purpose IN ('family_support',
			    'savings', 'education', 'gifts', 'business', 'other')),
	purpose_detail	text CHECK (length(purpose_detail) <= 500),
	status		text NOT NULL DEFAULT 'in_review'
			CHECK (status IN ('in_review', 'approved', 'rejected')),
	sanctions_entry	text,
	sanctions_name	text,
	sanctions_score	real,
	first_approver	text REFERENCES operators (id),
	decided_by	text REFERENCES operators (id),
	reason		text CHECK (length(reason) <= 1000),
	decided_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX kyc_one_open ON kyc_submissions (user_id)
    WHERE status = 'in_review';
CREATE INDEX kyc_queue ON kyc_submissions (status, created_at DESC, id DESC);

-- The list, replaced whole by each load; one row per name or alias.
CREATE TABLE sanctions_entries (
	id		text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
	name		text NOT NULL,
	country		text,
	listed_on	date,
	source		text NOT NULL
);
CREATE TABLE sanctions_names (
	entry_id	text NOT NULL REFERENCES sanctions_entries (id)
			ON DELETE CASCADE,
	name		text NOT NULL,
	norm		text NOT NULL
);
CREATE INDEX sanctions_names_trgm ON sanctions_names USING gin
    (norm gin_trgm_ops);
CREATE TABLE sanctions_loads (
	id		bigserial PRIMARY KEY,
	file		text NOT NULL,
	sha256		text NOT NULL,
	entries		integer NOT NULL,
	names		integer NOT NULL,
	loaded_by	text NOT NULL,
	loaded_at	timestamptz NOT NULL DEFAULT now()
);

-- A remittance held by a sanctions hit: failed (nothing debited, nothing
-- sent) until compliance releases or rejects it.
ALTER TABLE transactions DROP CONSTRAINT transactions_failure_reason_check;
ALTER TABLE transactions ADD CONSTRAINT transactions_failure_reason_check
	CHECK (failure_reason IN ('rejected_by_bank', 'expired',
	    'bank_unavailable', 'cancelled', 'held_for_review',
	    'rejected_by_compliance', 'insufficient_balance'));
ALTER TABLE transactions
	ADD COLUMN hold_entry text,
	ADD COLUMN hold_score real,
	ADD COLUMN reviewed_by text REFERENCES operators (id),
	ADD COLUMN reviewed_at timestamptz;
CREATE INDEX transactions_held ON transactions (created_at)
    WHERE failure_reason = 'held_for_review';
