-- A login's absolute lifetime: each session of a chain of refreshes keeps
-- the time its user last proved who they are (a password), and refreshing
-- never takes a login past SESSION_ABSOLUTE (src/api/auth.c).

ALTER TABLE sessions ADD COLUMN authenticated_at timestamptz;
UPDATE sessions SET authenticated_at = created_at;
ALTER TABLE sessions ALTER COLUMN authenticated_at SET DEFAULT now(),
	ALTER COLUMN authenticated_at SET NOT NULL;
