-- E-mail and self-service (issue 20): the SMTP outbox (one row per
-- message; the worker that claims it holds a lease; the body goes once
-- sent) and single-use password-reset links (only a hash kept).

CREATE TABLE emails (
	id		text PRIMARY KEY CHECK (id ~ '^eml_[0-9a-f]{16}$'),
	user_id		text REFERENCES users (id),
	to_addr		text NOT NULL CHECK (length(to_addr) <= 254),
	kind		text NOT NULL,
	subject		text NOT NULL CHECK (length(subject) <= 400),
	body		text,
	status		text NOT NULL DEFAULT 'queued'
			CHECK (status IN ('queued', 'sent', 'failed')),
	attempts	integer NOT NULL DEFAULT 0,
	next_at		timestamptz NOT NULL DEFAULT now(),
	lease_until	timestamptz,
	last_error	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	sent_at		timestamptz,
	CHECK (status <> 'queued' OR body IS NOT NULL)
);
CREATE INDEX emails_due ON emails (next_at) WHERE status = 'queued';
CREATE INDEX emails_user ON emails (user_id, created_at);

CREATE TABLE password_resets (
	id		text PRIMARY KEY CHECK (id ~ '^pwr_[0-9a-f]{16}$'),
	user_id		text NOT NULL REFERENCES users (id),
	token_hash	text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
