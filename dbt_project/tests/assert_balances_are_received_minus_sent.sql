-- balance = received - sent >= 0 for every address, and the last ledger row agrees.
with

totals as (select * from {{ ref('dim_address_totals') }}),

ledger as (select * from {{ ref('fct_address_ledger') }}),

ledger_sums as (
    select
        address,
        sum(received_sats) as received_sats,
        sum(sent_sats) as sent_sats,
        count(*) as tx_count,
        min(balance_after_sats) as lowest_balance_sats
    from ledger
    group by address
)

select totals.address
from totals
full outer join ledger_sums on totals.address = ledger_sums.address
where
    totals.address is null
    or ledger_sums.address is null
    or totals.balance_sats <> totals.received_sats - totals.sent_sats
    or totals.balance_sats < 0
    or ledger_sums.lowest_balance_sats < 0
    or totals.received_sats <> ledger_sums.received_sats
    or totals.sent_sats <> ledger_sums.sent_sats
    or totals.tx_count <> ledger_sums.tx_count
