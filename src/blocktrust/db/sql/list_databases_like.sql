-- Databases whose name starts with a prefix. Parameter: pattern (a LIKE pattern).
select datname from pg_catalog.pg_database where datname like %(pattern)s order by datname
