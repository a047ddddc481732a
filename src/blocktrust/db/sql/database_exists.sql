-- Does a database exist? Parameter: name.
select exists (select 1 from pg_catalog.pg_database where datname = %(name)s)
