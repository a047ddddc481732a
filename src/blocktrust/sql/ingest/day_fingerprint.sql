-- Row count and an order-independent content hash of one day of a raw chain table.
select
    count(*) as row_count,
    coalesce(md5(string_agg(day_rows::text, E'\n' order by day_rows::text)), '') as content_md5
from {table} as day_rows
where block_date = %(day)s
