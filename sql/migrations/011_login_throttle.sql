-- Failed sign-ins per account (issue: security hardening): after five
-- failures in a row the account's sign-in pauses, longer each time
-- (sql/functions/009_login.sql). Only accounts that exist are counted: no
-- e-mail address is kept for strangers.
CREATE TABLE login_throttle (
	user_id		text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	failures	integer NOT NULL,
	last_failed_at	timestamptz NOT NULL,
	locked_until	timestamptz
);
