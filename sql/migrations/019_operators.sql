-- Named operators of the internal API (issue 20): each has a role and
-- a credential of their own (only its SHA-256 is kept; the secret has
-- 256 random bits), made by scripts/operator.sh; audit_log.actor names
-- the operator who made each internal change.

CREATE TABLE operators (
	id		text PRIMARY KEY CHECK (id ~ '^opr_[0-9a-f]{16}$'),
	name		text NOT NULL UNIQUE
			CHECK (name ~ '^[a-z][a-z0-9._-]{0,39}$'),
	role		text NOT NULL
			CHECK (role IN ('support', 'compliance', 'admin')),
	token_hash	text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	created_at	timestamptz NOT NULL DEFAULT now(),
	created_by	text NOT NULL,
	disabled_at	timestamptz
);

-- GET /internal/audit: by actor, by target, by time.
CREATE INDEX audit_log_actor ON audit_log (actor, created_at DESC, id DESC);
CREATE INDEX audit_log_time ON audit_log (created_at DESC, id DESC);
