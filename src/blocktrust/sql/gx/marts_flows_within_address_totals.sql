-- Check marts_flows_within_address_totals ({batch} = marts.fct_address_flows): what flows out of
-- an address to others is at most what it sent, and what flows in is at most what it received
-- (flows split each sent value across outputs; fees and unaddressed outputs take the rest).
with

flows as (
    select
        from_address,
        to_address,
        value_sats
    from {batch} as batch_rows
),

address_totals as (
    select
        address,
        received_sats,
        sent_sats
    from marts.dim_address_totals
),

flows_out as (
    select
        from_address as address,
        sum(value_sats) as flow_sats
    from flows
    group by from_address
),

flows_in as (
    select
        to_address as address,
        sum(value_sats) as flow_sats
    from flows
    group by to_address
),

violations as (
    select
        flows_out.address,
        'flows out of ' || flows_out.address || ' sum to ' || flows_out.flow_sats
        || ' sats, more than it sent (' || coalesce(address_totals.sent_sats, 0) || ')'
        as violation
    from flows_out
    left join address_totals on flows_out.address = address_totals.address
    where flows_out.flow_sats > coalesce(address_totals.sent_sats, 0)

    union all

    select
        flows_in.address,
        'flows into ' || flows_in.address || ' sum to ' || flows_in.flow_sats
        || ' sats, more than it received (' || coalesce(address_totals.received_sats, 0) || ')'
        as violation
    from flows_in
    left join address_totals on flows_in.address = address_totals.address
    where flows_in.flow_sats > coalesce(address_totals.received_sats, 0)
)

select * from violations
