-- Shards and bytes per node, over every distributed table (reference tables count once per node).
select
    nodename,
    nodeport,
    count(*) as shard_count,
    coalesce(sum(shard_size), 0)::bigint as shard_bytes
from pg_catalog.citus_shards
group by nodename, nodeport
order by nodeport
