-- grain: one row per address
{{
    config(
        unique_key='address',
        post_hook=[
            "{{ ensure_index('address', unique=true) }}",
            "{{ ensure_index('last_block_number') }}",
            "{{ ensure_index('balance_sats desc') }}",
            "delete from {{ this }} where tx_count = 0",
            "{{ distribute_if_citus('address') }}",
        ],
    )
}}
{%- set w = incremental_window('last_seen_date') %}

-- Per-address totals as of the last transaction: the last ledger row of each address touched
-- in the window (one index lookup each), so an incremental run costs O(touched addresses).
-- Touched = addresses with ledger rows in the window, plus addresses whose stored totals came
-- from the window (so an address that vanished on a reload is recomputed to tx_count 0 and
-- deleted by the post-hook). dim_addresses adds the latest price and tags on top.
with

ledger as (
    select * from {{ ref('fct_address_ledger') }}
),

touched_addresses as (
    select distinct address from ledger
    where {{ in_window(w) }}
    {%- if w is not none %}
    union
    select address from {{ this }}
    where last_block_number >= {{ w.start_block }}
    {%- endif %}
),

last_ledger_rows as (
    select last_row.*
    from touched_addresses
    -- The model itself, not the `ledger` CTE: a CTE referenced twice is materialised without
    -- indexes, which turned this lookup into a scan per address (O(addresses x ledger rows)).
    inner join lateral (
        select * from {{ ref('fct_address_ledger') }} as ledger_rows
        where ledger_rows.address = touched_addresses.address
        order by ledger_rows.block_number desc, ledger_rows.transaction_index desc
        limit 1
    ) as last_row on true
),

final as (
    select
        ---------- ids
        touched_addresses.address,
        ---------- satoshis
        coalesce(last_ledger_rows.cum_received_sats, 0) as received_sats,
        coalesce(last_ledger_rows.cum_sent_sats, 0) as sent_sats,
        coalesce(last_ledger_rows.balance_after_sats, 0) as balance_sats,
        ---------- usd at the time of each transfer, and average cost basis
        coalesce(last_ledger_rows.cum_received_usd, 0) as received_usd,
        coalesce(last_ledger_rows.cum_sent_usd, 0) as sent_usd,
        coalesce(last_ledger_rows.cost_basis_after_usd, 0) as cost_basis_usd,
        ---------- counts
        coalesce(last_ledger_rows.cum_tx_count, 0) as tx_count,
        coalesce(last_ledger_rows.cum_received_tx_count, 0) as received_tx_count,
        coalesce(last_ledger_rows.cum_sent_tx_count, 0) as sent_tx_count,
        ---------- timestamps
        last_ledger_rows.first_seen_at,
        last_ledger_rows.last_seen_at,
        last_ledger_rows.first_received_at,
        last_ledger_rows.last_received_at,
        last_ledger_rows.first_sent_at,
        last_ledger_rows.last_sent_at,
        ---------- the last ledger row (for keyset paging and incremental windows)
        last_ledger_rows.block_number as last_block_number,
        last_ledger_rows.transaction_index as last_transaction_index,
        last_ledger_rows.block_date as last_seen_date
    from touched_addresses
    left join last_ledger_rows on touched_addresses.address = last_ledger_rows.address
)

select * from final
