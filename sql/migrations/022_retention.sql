-- Retention and purge (issue 20): one row per Oslo day the daily purge
-- ran (partial: a batch limit was reached, the job goes on), and when an
-- erased account's personal fields went.

CREATE TABLE purge_runs (
	day		date PRIMARY KEY,
	status		text NOT NULL CHECK (status IN ('partial', 'done')),
	counts		jsonb NOT NULL,
	started_at	timestamptz NOT NULL DEFAULT now(),
	done_at		timestamptz
);

ALTER TABLE data_access_requests ADD COLUMN purged_at timestamptz;
CREATE INDEX data_access_requests_purge ON data_access_requests (purge_after)
    WHERE type = 'erasure' AND purged_at IS NULL;
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX idempotency_keys_time ON idempotency_keys (created_at);
CREATE INDEX notifications_time ON notifications (created_at);
CREATE INDEX emails_done ON emails (created_at) WHERE status <> 'queued';
