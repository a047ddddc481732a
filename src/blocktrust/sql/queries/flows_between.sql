-- Money between two addresses, both directions (two unique-index lookups).
-- Parameters (psycopg, named): address_a, address_b
select
    from_address,
    to_address,
    value_sats,
    value_usd,
    transaction_count,
    first_seen_at,
    last_seen_at
from marts.fct_address_flows
where
    (from_address = %(address_a)s and to_address = %(address_b)s)
    or (from_address = %(address_b)s and to_address = %(address_a)s)
order by from_address = %(address_a)s desc
