-- Account (§11): settings, consents with their history, complaints, GDPR
-- data-access requests, and per-user notification counts.

CREATE TABLE user_settings (
	user_id		text PRIMARY KEY REFERENCES users (id),
	currency	text NOT NULL DEFAULT 'NOK'
			CHECK (currency IN ('EUR', 'USD', 'GBP', 'BAM', 'CHF',
			    'PLN', 'NOK', 'RSD', 'TRY', 'PKR')),
	language	text NOT NULL DEFAULT 'nb'
			CHECK (language IN ('nb', 'en', 'bs', 'sq')),
	push_enabled	boolean NOT NULL DEFAULT true,
	email_enabled	boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);

-- The current state of each consent type; every change is also an event.
CREATE TABLE consents (
	id		text PRIMARY KEY CHECK (id ~ '^con_[0-9a-f]{16}$'),
	user_id		text NOT NULL REFERENCES users (id),
	consent_type	text NOT NULL CHECK (consent_type IN ('terms', 'privacy',
			    'marketing', 'cookies_analytics',
			    'cookies_marketing')),
	granted		boolean NOT NULL,
	granted_at	timestamptz,
	withdrawn_at	timestamptz,
	ip_address	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, consent_type)
);

CREATE TABLE consent_events (
	id		bigserial PRIMARY KEY,
	consent_id	text NOT NULL REFERENCES consents (id),
	user_id		text NOT NULL REFERENCES users (id),
	consent_type	text NOT NULL,
	granted		boolean NOT NULL,
	at		timestamptz NOT NULL DEFAULT now(),
	ip_address	text
);
CREATE INDEX consent_events_user ON consent_events (user_id, id);

CREATE TABLE complaints (
	id		text PRIMARY KEY CHECK (id ~ '^cmp_[0-9a-f]{16}$'),
	user_id		text NOT NULL REFERENCES users (id),
	category	text NOT NULL CHECK (category IN ('transaction', 'service',
			    'fees', 'privacy', 'technical', 'other')),
	subject		text NOT NULL,
	description	text NOT NULL,
	status		text NOT NULL DEFAULT 'received'
			CHECK (status IN ('received', 'in_review', 'resolved',
			    'rejected')),
	resolution	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	resolved_at	timestamptz
);
CREATE INDEX complaints_user ON complaints (user_id, created_at DESC, id DESC);

CREATE TABLE data_access_requests (
	id		text PRIMARY KEY CHECK (id ~ '^dar_[0-9a-f]{16}$'),
	user_id		text NOT NULL REFERENCES users (id),
	type		text NOT NULL CHECK (type IN ('export', 'erasure')),
	status		text NOT NULL CHECK (status IN ('pending', 'completed')),
	purge_after	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	completed_at	timestamptz
);
CREATE INDEX data_access_requests_user ON data_access_requests (user_id);

-- Notification pages in list order; totals from a per-user counter.
DROP INDEX notifications_user;
CREATE INDEX notifications_user ON notifications
	(user_id, created_at DESC, id DESC);

CREATE TABLE notification_counts (
	user_id		text PRIMARY KEY REFERENCES users (id),
	n		bigint NOT NULL
);
INSERT INTO notification_counts (user_id, n)
	SELECT user_id, count(*) FROM notifications GROUP BY 1;

-- "A sign-in from a new address": is this address known for the user?
CREATE INDEX sessions_user_ip ON sessions (user_id, ip);
