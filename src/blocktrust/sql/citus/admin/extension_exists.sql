-- Is the citus extension created in the current database?
select exists (select 1 from pg_catalog.pg_extension where extname = 'citus')
