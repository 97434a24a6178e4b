-- Per-user limits (payments, PIN changes) counted in the database, so
-- they hold for every instance together (sql/functions/019_limits.sql).
-- One row per user and group: a sliding minute of per-second hits, the
-- window of src/lib/ratewin.c.
CREATE TABLE user_limits (
	user_id		text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	grp		text NOT NULL,
	sec		bigint NOT NULL,	-- the last second counted
	hits		integer[] NOT NULL,	-- by second % 61
	PRIMARY KEY (user_id, grp)
);
