-- fct_address_flows is the sum of int_flow_edges per pair (incremental pair updates included).
with

edges as (select * from {{ ref('int_flow_edges') }}),

flows as (select * from {{ ref('fct_address_flows') }}),

edge_totals as (
    select
        from_address,
        to_address,
        sum(value_sats) as value_sats,
        count(*) as transaction_count
    from edges
    group by from_address, to_address
)

select coalesce(flows.from_address, edge_totals.from_address) as from_address
from flows
full outer join edge_totals
    on
        flows.from_address = edge_totals.from_address
        and flows.to_address = edge_totals.to_address
where
    flows.from_address is null
    or edge_totals.from_address is null
    or flows.value_sats <> edge_totals.value_sats
    or flows.transaction_count <> edge_totals.transaction_count
