-- Who received the coins this address spent, and who they paid next: two hops out, one
-- set-based step per hop (no recursive CTE: Citus refuses those across shards). Hop 1 is the
-- address's top recipients; hop 2 joins their flows out (one join on the distribution column
-- from_address) and keeps the top of each. Hop-1 addresses that paid nobody are not listed. A hop's value is not traced
-- (the hop-2 recipient may be paid with other coins): it shows the neighbourhood, ranked.
-- Hop 2 reads only each hop-1 address's flows at or above its recipient_floor_sats (the 21st
-- largest, dim_address_totals): the top 20 other than the origin lie there, so an exchange with
-- thousands of recipients costs about 21 index rows, not thousands ranked. A hop2_limit above
-- 20 reads every flow.
-- Parameters (psycopg, named): address, hop1_limit, hop2_limit
with

hop_1 as (
    select
        to_address as hop_1_address,
        value_sats as hop_1_value_sats,
        value_usd as hop_1_value_usd
    from marts.fct_address_flows
    where from_address = %(address)s and to_address <> from_address
    order by value_sats desc, to_address
    limit %(hop1_limit)s
),

hop_2_ranked as (
    select
        hop_1.hop_1_address,
        hop_1.hop_1_value_sats,
        hop_1.hop_1_value_usd,
        flows.to_address as hop_2_address,
        flows.value_sats as hop_2_value_sats,
        flows.value_usd as hop_2_value_usd,
        row_number() over (
            partition by flows.from_address
            order by flows.value_sats desc, flows.to_address
        ) as hop_2_rank
    from hop_1
    inner join marts.dim_address_totals as hop_1_totals
        on hop_1.hop_1_address = hop_1_totals.address
    inner join marts.fct_address_flows as flows
        on
            hop_1_totals.address = flows.from_address
            and flows.value_sats >= case
                when %(hop2_limit)s <= 20 then coalesce(hop_1_totals.recipient_floor_sats, 0)
                else 0
            end
    where flows.to_address <> flows.from_address and flows.to_address <> %(address)s
)

select
    hop_1_address,
    hop_1_value_sats,
    hop_1_value_usd,
    hop_2_address,
    hop_2_value_sats,
    hop_2_value_usd
from hop_2_ranked
where hop_2_rank <= %(hop2_limit)s
order by hop_1_value_sats desc, hop_1_address, hop_2_value_sats desc, hop_2_address
