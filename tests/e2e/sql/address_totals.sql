-- the investigator's big numbers, straight from the mart
select received_sats, sent_sats, balance_sats, tx_count, received_usd, sent_usd, balance_usd
from marts.dim_addresses
where address = %(address)s
