-- Users, sessions and the audit log: the foundation tables.

CREATE TABLE users (
	id		text PRIMARY KEY CHECK (id ~ '^usr_[0-9a-f]{16}$'),
	email		text NOT NULL CHECK (length(email) <= 254),
	password_hash	text NOT NULL,
	first_name	text NOT NULL,
	last_name	text NOT NULL,
	phone		text,
	date_of_birth	date NOT NULL,
	role		text NOT NULL DEFAULT 'user'
			CHECK (role IN ('user', 'merchant', 'admin')),
	kyc_status	text NOT NULL DEFAULT 'pending'
			CHECK (kyc_status IN ('pending', 'approved', 'rejected')),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	deleted_at	timestamptz
);
CREATE UNIQUE INDEX users_email_ci ON users (lower(email));

CREATE TABLE sessions (
	id		text PRIMARY KEY CHECK (id ~ '^ses_[0-9a-f]{16}$'),
	user_id		text NOT NULL REFERENCES users (id),
	ip		text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	revoked_at	timestamptz
);
CREATE INDEX sessions_user_live ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE audit_log (
	id		bigserial PRIMARY KEY,
	actor		text NOT NULL,
	action		text NOT NULL,
	entity		text NOT NULL,
	entity_id	text NOT NULL,
	before		jsonb,
	after		jsonb,
	request_id	text,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
