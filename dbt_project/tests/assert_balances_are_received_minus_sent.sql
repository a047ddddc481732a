-- balance = received - sent >= 0 for every address, and the last ledger row agrees.
-- A daily run (macros/test_window.sql) checks the same in time proportional to its window, by
-- induction: each window row of the ledger continues the address's previous row (the one
-- before the window for its first window row: balance, received, sent and transaction count
-- add up), no balance goes negative, and the totals of every address touched in the window
-- equal its last ledger row. The full check (no window) sums every address's whole ledger.
{%- set first_day = test_window_first_day() %}
{%- if first_day is not none %}
{%- set start_block, scan_from_date = test_window_blocks(first_day) %}
with

window_rows as (
    select
        address,
        block_number,
        transaction_index,
        received_sats,
        sent_sats,
        net_sats,
        balance_after_sats,
        cum_received_sats,
        cum_sent_sats,
        cum_tx_count
    from {{ ref('fct_address_ledger') }}
    where
        block_number >= {{ start_block }}
        and block_date >= date '{{ scan_from_date }}'
),

-- the last row before the window of each touched address (macros/test_window.sql)
rows_before_window as (
    {{ ledger_rows_before_test_window(
        start_block,
        scan_from_date,
        ['balance_after_sats', 'cum_received_sats', 'cum_sent_sats', 'cum_tx_count']
    ) }}
),

chained as (
    select
        window_rows.*,
        coalesce(
            lag(window_rows.balance_after_sats) over chain_order,
            rows_before_window.balance_after_sats,
            0
        ) as balance_before_sats,
        coalesce(
            lag(window_rows.cum_received_sats) over chain_order,
            rows_before_window.cum_received_sats,
            0
        ) as cum_received_before_sats,
        coalesce(
            lag(window_rows.cum_sent_sats) over chain_order,
            rows_before_window.cum_sent_sats,
            0
        ) as cum_sent_before_sats,
        coalesce(
            lag(window_rows.cum_tx_count) over chain_order,
            rows_before_window.cum_tx_count,
            0
        ) as cum_tx_count_before,
        row_number() over last_first as newest
    from window_rows
    left join rows_before_window on window_rows.address = rows_before_window.address
    window
        chain_order as (
            partition by window_rows.address
            order by window_rows.block_number, window_rows.transaction_index
        ),
        last_first as (
            partition by window_rows.address
            order by window_rows.block_number desc, window_rows.transaction_index desc
        )
),

broken_chains as (
    select distinct address
    from chained
    where
        balance_after_sats <> balance_before_sats + net_sats
        or balance_after_sats < 0
        or cum_received_sats <> cum_received_before_sats + received_sats
        or cum_sent_sats <> cum_sent_before_sats + sent_sats
        or cum_tx_count <> cum_tx_count_before + 1
),

last_rows as (
    select * from chained
    where newest = 1
),

-- the addresses touched in the window: a ledger row in it, or totals last updated in it (an
-- address whose window rows vanished on a reload)
touched_addresses as (
    select address from window_rows
    union
    select address from {{ ref('dim_address_totals') }}
    where last_block_number >= {{ start_block }}
),

totals_to_check as (
    select totals.*
    from {{ ref('dim_address_totals') }} as totals
    inner join touched_addresses on totals.address = touched_addresses.address
),

mismatched_totals as (
    select coalesce(totals_to_check.address, last_rows.address) as address
    from totals_to_check
    full outer join last_rows on totals_to_check.address = last_rows.address
    where
        totals_to_check.address is null
        or last_rows.address is null
        or totals_to_check.balance_sats
        <> totals_to_check.received_sats - totals_to_check.sent_sats
        or totals_to_check.balance_sats < 0
        or totals_to_check.received_sats <> last_rows.cum_received_sats
        or totals_to_check.sent_sats <> last_rows.cum_sent_sats
        or totals_to_check.tx_count <> last_rows.cum_tx_count
        or totals_to_check.balance_sats <> last_rows.balance_after_sats
)

select address from broken_chains
union
select address from mismatched_totals
{%- else %}
with

totals as (select * from {{ ref('dim_address_totals') }}),

ledger_sums as (
    select
        address,
        sum(received_sats) as received_sats,
        sum(sent_sats) as sent_sats,
        count(*) as tx_count,
        min(balance_after_sats) as lowest_balance_sats
    from {{ ref('fct_address_ledger') }}
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
{%- endif %}
