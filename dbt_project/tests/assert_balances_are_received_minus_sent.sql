-- balance = received - sent >= 0 for every address, and the last ledger row agrees.
-- A daily run (macros/test_window.sql) checks the addresses its window touched (a ledger row in
-- the window, or totals last updated in it) against their whole ledger.
{%- set is_daily_run = test_window_start() is not none %}
with

-- not materialized: used several times, they would be copied whole instead of filtered
totals as not materialized (select * from {{ ref('dim_address_totals') }}),

ledger as not materialized (select * from {{ ref('fct_address_ledger') }}),

window_ledger as (
    select
        address,
        block_number
    from ledger
    where {{ in_test_window_of_invocation() }}
),

window_addresses as (
    select address from window_ledger
    union
    select address from totals
    where last_block_number >= (select min(block_number) from window_ledger)
),

totals_to_check as (
    select * from totals
    {%- if is_daily_run %}
    where address in (select address from window_addresses)
    {%- endif %}
),

ledger_to_check as (
    select * from ledger
    {%- if is_daily_run %}
    where address in (select address from window_addresses)
    {%- endif %}
),

ledger_sums as (
    select
        address,
        sum(received_sats) as received_sats,
        sum(sent_sats) as sent_sats,
        count(*) as tx_count,
        min(balance_after_sats) as lowest_balance_sats
    from ledger_to_check
    group by address
)

select totals_to_check.address
from totals_to_check
full outer join ledger_sums on totals_to_check.address = ledger_sums.address
where
    totals_to_check.address is null
    or ledger_sums.address is null
    or totals_to_check.balance_sats
    <> totals_to_check.received_sats - totals_to_check.sent_sats
    or totals_to_check.balance_sats < 0
    or ledger_sums.lowest_balance_sats < 0
    or totals_to_check.received_sats <> ledger_sums.received_sats
    or totals_to_check.sent_sats <> ledger_sums.sent_sats
    or totals_to_check.tx_count <> ledger_sums.tx_count
