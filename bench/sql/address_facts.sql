-- One address's totals row (the hub's, for its parameters).
select address, tx_count, last_seen_date
from marts.dim_address_totals
where address = %(address)s
