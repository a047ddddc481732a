-- Distributed and reference tables with their distribution column and colocation group.
select
    table_name::text as table_name,
    citus_table_type,
    distribution_column,
    colocation_id,
    shard_count
from public.citus_tables  -- Citus creates this view in public
order by table_name::text
