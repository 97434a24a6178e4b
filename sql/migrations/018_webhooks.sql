-- Signed webhooks (issue 19): a shop's endpoints, the events Drop owes
-- them (made in the transaction that completes a payment, a refund or a
-- payout), one delivery per event and endpoint (the outbox item, leased
-- by one worker at a time) and every attempt at it.

CREATE TABLE webhook_endpoints (
	id		text PRIMARY KEY CHECK (id ~ '^whk_[0-9a-f]{16}$'),
	merchant_id	text NOT NULL REFERENCES merchants (id),
	url		text NOT NULL CHECK (length(url) <= 500),
	events		text[] NOT NULL CHECK (cardinality(events) >= 1 AND
			    events <@ ARRAY['payment.completed',
			    'refund.succeeded', 'payout.paid']),
	secret		text NOT NULL CHECK (secret ~ '^whsec_[0-9a-f]{64}$'),
	created_at	timestamptz NOT NULL DEFAULT now(),
	deleted_at	timestamptz
);
CREATE INDEX webhook_endpoints_merchant ON webhook_endpoints
	(merchant_id, created_at DESC) WHERE deleted_at IS NULL;

-- The body is kept as the exact text signed and sent, the same on every
-- attempt; one event per thing that happened (UNIQUE type, object).
CREATE TABLE webhook_events (
	id		text PRIMARY KEY CHECK (id ~ '^evt_[0-9a-f]{16}$'),
	merchant_id	text NOT NULL REFERENCES merchants (id),
	type		text NOT NULL CHECK (type IN ('payment.completed',
			    'refund.succeeded', 'payout.paid')),
	object_id	text NOT NULL,
	body		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (type, object_id)
);

-- next_at is when it is due: a claim moves it one lease ahead, so a
-- worker that dies mid-attempt leaves it to another once the lease ends.
CREATE TABLE webhook_deliveries (
	id		text PRIMARY KEY CHECK (id ~ '^whd_[0-9a-f]{16}$'),
	event_id	text NOT NULL REFERENCES webhook_events (id),
	endpoint_id	text NOT NULL REFERENCES webhook_endpoints (id),
	status		text NOT NULL DEFAULT 'pending' CHECK (status IN
			    ('pending', 'delivered', 'failed', 'cancelled')),
	attempts	integer NOT NULL DEFAULT 0,
	next_at		timestamptz NOT NULL DEFAULT now(),
	delivered_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at)
	WHERE status = 'pending';

CREATE TABLE webhook_attempts (
	id		text PRIMARY KEY CHECK (id ~ '^wha_[0-9a-f]{16}$'),
	delivery_id	text NOT NULL REFERENCES webhook_deliveries (id),
	endpoint_id	text NOT NULL REFERENCES webhook_endpoints (id),
	attempt		integer NOT NULL CHECK (attempt >= 1),
	http_status	integer,
	error		text,
	duration_ms	integer NOT NULL CHECK (duration_ms >= 0),
	next_at		timestamptz,
	created_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	UNIQUE (delivery_id, attempt)
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts
	(endpoint_id, created_at DESC, id);
