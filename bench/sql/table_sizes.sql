-- Bytes per table, a partitioned table summing its partitions: heap (with TOAST) and indexes.
with

relations as (
    select
        pg_class.oid,
        coalesce(pg_inherits.inhparent, pg_class.oid) as table_oid
    from pg_class
    left join pg_inherits on pg_class.oid = pg_inherits.inhrelid
    where pg_class.relkind in ('r', 'm')
)

select
    pg_namespace.nspname || '.' || tables.relname as table_name,
    sum(pg_table_size(relations.oid))::bigint as table_bytes,
    sum(pg_indexes_size(relations.oid))::bigint as index_bytes
from relations
inner join pg_class as tables on relations.table_oid = tables.oid
inner join pg_namespace on tables.relnamespace = pg_namespace.oid
where pg_namespace.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
group by pg_namespace.nspname, tables.relname
order by sum(pg_table_size(relations.oid) + pg_indexes_size(relations.oid)) desc
