-- Merchant API keys (issue 19): a till authenticates with X-API-Key
-- instead of a session; only a hash of each key is kept, and its scopes
-- say what it may do.

CREATE TABLE api_keys (
	id		text PRIMARY KEY CHECK (id ~ '^key_[0-9a-f]{16}$'),
	merchant_id	text NOT NULL REFERENCES merchants (id),
	name		text NOT NULL CHECK (length(name) <= 100),
	scopes		text[] NOT NULL CHECK (cardinality(scopes) >= 1 AND
			    scopes <@ ARRAY['payments:read', 'refunds:write',
			    'requests:write']),
	key_hash	text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_used_at	timestamptz,
	revoked_at	timestamptz
);
CREATE INDEX api_keys_merchant ON api_keys (merchant_id, created_at DESC);
