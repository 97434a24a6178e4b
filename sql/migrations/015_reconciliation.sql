-- Reconciliation with the bank (issue 19): each day, the collection
-- account's booked transactions as the bank states them, matched to
-- Drop's payments, payouts and refunds; what does not match is a break,
-- kept for people to resolve and never fixed by Drop.

-- One run per Oslo day: asked for (the daily job, or an operator), being
-- read under a lease, done.
CREATE TABLE reconciliations (
	day		date PRIMARY KEY,
	status		text NOT NULL DEFAULT 'due'
			CHECK (status IN ('due', 'running', 'done')),
	attempts	integer NOT NULL DEFAULT 0,
	next_at		timestamptz NOT NULL DEFAULT now(),
	locked_until	timestamptz,
	last_error	text,
	bank_lines	integer,
	breaks		integer,
	done_at		timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reconciliations_due ON reconciliations (next_at)
	WHERE status <> 'done';

-- The statement read for a run (the day and its neighbours), page by page.
CREATE TABLE reconciliation_lines (
	day		date NOT NULL REFERENCES reconciliations (day),
	bank_tx_id	text NOT NULL,
	booking_date	date NOT NULL,
	amount		bigint NOT NULL,	-- øre; negative: out of the account
	remittance	text NOT NULL DEFAULT '',
	reference	text,			-- the Drop id it names, if any
	PRIMARY KEY (day, bank_tx_id)
);
CREATE INDEX reconciliation_lines_ref ON reconciliation_lines (day, reference);

CREATE TABLE reconciliation_breaks (
	id		bigserial PRIMARY KEY,
	day		date NOT NULL REFERENCES reconciliations (day),
	kind		text NOT NULL CHECK (kind IN ('unknown_at_bank',
			    'amount_differs', 'duplicate_at_bank',
			    'not_booked_in_drop', 'missing_at_bank')),
	reference	text,			-- a tx_, po_ or rf_ id
	bank_tx_id	text,
	expected	bigint,			-- øre as Drop would have it booked
	booked		bigint,			-- øre as the bank booked it
	detail		text NOT NULL,
	resolved_at	timestamptz,		-- by a person, never by Drop
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX reconciliation_breaks_once ON reconciliation_breaks
	(day, kind, coalesce(reference, ''), coalesce(bank_tx_id, ''));

-- Drop's own consent to read the collection account (AIS).
CREATE TABLE collection_consent (
	bban		text PRIMARY KEY,
	consent_id	text NOT NULL,
	valid_until	date NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);
