-- Libraries the server preloads (citus must be one to be usable).
select pg_catalog.current_setting('shared_preload_libraries')
