-- The busiest addresses (most transactions): the large lookups of the workload.
select address, tx_count, last_seen_date
from marts.dim_address_totals
order by tx_count desc, address
limit %(n)s
