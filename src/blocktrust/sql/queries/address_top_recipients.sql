-- Top recipients of an address (flows out, proportional split), change back to itself excluded.
-- Index: fct_address_flows (from_address, value_sats desc).
-- Parameters (psycopg, named): address, limit
select
    flows.to_address as counterparty,
    flows.value_sats,
    flows.value_usd,
    flows.transaction_count,
    flows.first_seen_at,
    flows.last_seen_at,
    array(
        select tags.label from marts.dim_tags as tags
        where tags.address = flows.to_address
        order by tags.label
    ) as tags
from marts.fct_address_flows as flows
where flows.from_address = %(address)s and flows.to_address <> flows.from_address
order by flows.value_sats desc, flows.to_address
limit %(limit)s
