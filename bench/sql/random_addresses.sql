-- A reproducible random sample of addresses (order by a salted hash, not random()).
select address, tx_count, last_seen_date
from marts.dim_address_totals
order by md5(address || %(salt)s)
limit %(n)s
