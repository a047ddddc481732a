-- Bytes per schema (tables with their indexes and TOAST; partitions counted once each).
select
    pg_namespace.nspname as schema_name,
    sum(pg_total_relation_size(pg_class.oid))::bigint as bytes
from pg_class
inner join pg_namespace on pg_namespace.oid = pg_class.relnamespace
where
    pg_class.relkind in ('r', 'm')
    and pg_namespace.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
group by pg_namespace.nspname
order by bytes desc
