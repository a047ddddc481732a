-- Register a worker (idempotent in Citus: returns the existing node id).
select pg_catalog.citus_add_node(%(name)s, %(port)s)
