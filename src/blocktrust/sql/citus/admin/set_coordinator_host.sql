-- Register the coordinator itself (group 0) under the name the workers reach it by.
select pg_catalog.citus_set_coordinator_host(%(name)s, %(port)s)
