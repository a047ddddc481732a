-- Does a role exist? Parameter: name.
select exists (select 1 from pg_catalog.pg_roles where rolname = %(name)s)
