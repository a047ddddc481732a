-- dim_address_totals.recipient_floor_sats is the recipient_floor_rank()-th largest value among
-- the address's flows to other addresses (null when it paid fewer): the two-hop query trusts
-- it to skip every smaller flow. A daily run (macros/test_window.sql) checks the addresses last
-- seen in its window, whose flows it could have changed; without the var, every address.
{%- set floor_rank = recipient_floor_rank() %}
with

totals_to_check as (
    select
        address,
        recipient_floor_sats
    from {{ ref('dim_address_totals') }}
    where {{ in_test_window_of_invocation('last_seen_date') }}
),

ranked_flows as (
    select
        flows.from_address as address,
        flows.value_sats,
        row_number() over (
            partition by flows.from_address order by flows.value_sats desc
        ) as value_rank
    from totals_to_check
    inner join {{ ref('fct_address_flows') }} as flows
        on totals_to_check.address = flows.from_address
    where flows.to_address <> flows.from_address
),

expected_floors as (
    select
        address,
        value_sats as floor_sats
    from ranked_flows
    where value_rank = {{ floor_rank }}
)

select
    totals_to_check.address,
    totals_to_check.recipient_floor_sats,
    expected_floors.floor_sats as expected_floor_sats
from totals_to_check
left join expected_floors on totals_to_check.address = expected_floors.address
where totals_to_check.recipient_floor_sats is distinct from expected_floors.floor_sats
