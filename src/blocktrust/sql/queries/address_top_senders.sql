-- Top senders to an address (flows in, proportional split), its own change excluded.
-- Index: fct_address_flows (to_address, value_sats desc).
-- Parameters (psycopg, named): address, limit
select
    flows.from_address as counterparty,
    flows.value_sats,
    flows.value_usd,
    flows.transaction_count,
    flows.first_seen_at,
    flows.last_seen_at,
    array(
        select tags.label from marts.dim_tags as tags
        where tags.address = flows.from_address
        order by tags.label
    ) as tags
from marts.fct_address_flows as flows
where flows.to_address = %(address)s and flows.from_address <> flows.to_address
order by flows.value_sats desc, flows.from_address
limit %(limit)s
