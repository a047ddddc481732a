-- Settings that need a restart to change: Citus must be preloaded; shard moves need logical WAL.
select
    pg_catalog.current_setting('shared_preload_libraries') as shared_preload_libraries,
    pg_catalog.current_setting('wal_level') as wal_level
