-- Composed with psycopg.sql: {role} is an Identifier, {password} a Literal (utility statements
-- take no bound parameters). The server stores only the SCRAM-SHA-256 verifier.
create role {role} with login nosuperuser nocreatedb nocreaterole password {password}
