-- What the server's role (drop) may do, applied after every migration by
-- the owner (drop_owner): read and write rows, never change the schema;
-- the audit log only grows (no UPDATE, DELETE or TRUNCATE of it).
GRANT USAGE ON SCHEMA public TO drop;
REVOKE CREATE ON SCHEMA public FROM drop;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO drop;
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public
    FROM drop;
REVOKE UPDATE, DELETE ON audit_log FROM drop;
REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM drop;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO drop;
-- Operators are made and disabled by their owner's command line
-- (scripts/operator.sh), never by the server.
REVOKE INSERT, UPDATE, DELETE ON operators FROM drop;
-- The purge blanks an erased account past its retention, as the owner;
-- the server may ask for the day's purge, never for one account's.
REVOKE EXECUTE ON FUNCTION drop_purge_user(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION drop_purge_rows(text, text, timestamptz, integer)
    FROM PUBLIC;
-- The sanctions list is loaded by its owner's command line
-- (scripts/sanctions.sh); the server only reads it.
REVOKE INSERT, UPDATE, DELETE ON sanctions_entries, sanctions_names,
    sanctions_loads FROM drop;
