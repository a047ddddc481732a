-- Size on disk of a database, bytes and human-readable. Parameter: name.
select
    pg_catalog.pg_database_size(datname) as size_bytes,
    pg_catalog.pg_size_pretty(pg_catalog.pg_database_size(datname)) as size_pretty
from pg_catalog.pg_database
where datname = %(name)s
