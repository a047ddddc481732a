-- Address summary: one row from dim_addresses (an index lookup on address).
-- Parameters (psycopg, named): address
select
    address,
    tags,
    received_sats,
    sent_sats,
    balance_sats,
    received_usd,
    sent_usd,
    cost_basis_usd,
    balance_usd,
    latest_price_usd,
    latest_price_date,
    tx_count,
    received_tx_count,
    sent_tx_count,
    first_seen_at,
    last_seen_at,
    first_received_at,
    last_received_at,
    first_sent_at,
    last_sent_at
from marts.dim_addresses
where address = %(address)s
