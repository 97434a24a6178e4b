-- Helpers and views, re-created on every migrate run.

CREATE OR REPLACE FUNCTION iso(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE OR REPLACE VIEW user_view AS
	SELECT id, email, first_name, last_name, phone,
	    to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
	    kyc_status, role, iso(created_at) AS created_at
	FROM users WHERE deleted_at IS NULL;
