-- fct_address_flows is the sum of int_flow_edges per pair (incremental pair updates included).
-- A daily run (macros/test_window.sql) checks the pairs its window touched (an edge in the
-- window, or a flow last seen in it) against all their edges.
{%- set is_daily_run = test_window_start() is not none %}
with

-- not materialized: used several times, they would be copied whole instead of filtered
edges as not materialized (select * from {{ ref('int_flow_edges') }}),

flows as not materialized (select * from {{ ref('fct_address_flows') }}),

window_pairs as (
    select
        from_address,
        to_address
    from edges
    where {{ in_test_window_of_invocation() }}
    union
    select
        from_address,
        to_address
    from flows
    where {{ in_test_window_of_invocation('last_seen_date') }}
),

flows_to_check as (
    select * from flows
    {%- if is_daily_run %}
    where (from_address, to_address) in (
            select
                from_address,
                to_address
            from window_pairs
        )
    {%- endif %}
),

edges_to_check as (
    select * from edges
    {%- if is_daily_run %}
    where (from_address, to_address) in (
            select
                from_address,
                to_address
            from window_pairs
        )
    {%- endif %}
),

edge_totals as (
    select
        from_address,
        to_address,
        sum(value_sats) as value_sats,
        count(*) as transaction_count
    from edges_to_check
    group by from_address, to_address
)

select coalesce(flows_to_check.from_address, edge_totals.from_address) as from_address
from flows_to_check
full outer join edge_totals
    on
        flows_to_check.from_address = edge_totals.from_address
        and flows_to_check.to_address = edge_totals.to_address
where
    flows_to_check.from_address is null
    or edge_totals.from_address is null
    or flows_to_check.value_sats <> edge_totals.value_sats
    or flows_to_check.transaction_count <> edge_totals.transaction_count
