-- The balances of all addresses add up to the value of the outputs with an address that no
-- loaded input spends (the UTXO set as far as it is known; BIP30 duplicates resolved as the
-- inputs resolve them).
-- A daily run (macros/test_window.sql) checks the same identity by induction, in time
-- proportional to its window: the change of the sum of balances over the window's blocks (each
-- touched address's last running balance, minus its running balance before the window) equals
-- the change of the UTXO set (addressed outputs created in the window, minus the addressed
-- outputs its inputs spent). It fails on window rows whose running balances do not continue
-- from the address's last row before the window, and on ledger rows missing from or added to
-- the window. The full check (no window) compares the totals with the whole UTXO set.
{%- set first_day = test_window_first_day() %}
{%- if first_day is not none %}
with

-- the window as the models cut it (macros/incremental_window.sql): every block from the first
-- one dated in the test window on, by height (block times are not monotone)
window_bounds as (
    select
        start_block,
        (
            select min(blocks.block_date) from {{ ref('stg_bitcoin__blocks') }} as blocks
            where
                blocks.block_number >= first_block.start_block
                and blocks.block_date >= date '{{ first_day }}' - 7
        ) as scan_from_date
    from (
        select min(block_number) as start_block
        from {{ ref('stg_bitcoin__blocks') }}
        where block_date >= date '{{ first_day }}'
    ) as first_block
),

-- not materialized: read twice (window and lookups), it would be copied whole
ledger as not materialized (select * from {{ ref('fct_address_ledger') }}),

window_last_rows as (
    select distinct on (ledger.address)
        ledger.address,
        ledger.balance_after_sats
    from ledger
    where
        ledger.block_number >= (select start_block from window_bounds)
        and ledger.block_date >= (select scan_from_date from window_bounds)
    order by ledger.address asc, ledger.block_number desc, ledger.transaction_index desc
),

balance_changes as (
    select
        window_last_rows.balance_after_sats
        - coalesce(last_row_before.balance_after_sats, 0) as change_sats
    from window_last_rows
    left join lateral (
        select earlier.balance_after_sats
        from ledger as earlier
        where
            earlier.address = window_last_rows.address
            and earlier.block_number < (select start_block from window_bounds)
        order by earlier.block_number desc, earlier.transaction_index desc
        limit 1
    ) as last_row_before on true
),

created as (
    select value_sats from {{ ref('int_outputs') }}
    where
        address is not null
        and block_number >= (select start_block from window_bounds)
        and block_date >= (select scan_from_date from window_bounds)
),

spent as (
    select value_sats from {{ ref('int_inputs_joined_to_spent_outputs') }}
    where
        address is not null
        and spent_block_number is not null
        and block_number >= (select start_block from window_bounds)
        and block_date >= (select scan_from_date from window_bounds)
),

compared as (
    select
        (select start_block from window_bounds) as window_start_block,
        (select coalesce(sum(value_sats), 0) from created)
        - (select coalesce(sum(value_sats), 0) from spent) as utxo_change_sats,
        (select coalesce(sum(change_sats), 0) from balance_changes) as balance_change_sats
)

select * from compared
where utxo_change_sats <> balance_change_sats
{%- else %}
with

outputs as (select * from {{ ref('int_outputs') }}),

inputs as (select * from {{ ref('int_inputs_joined_to_spent_outputs') }}),

totals as (select * from {{ ref('dim_address_totals') }}),

spent as (
    select distinct
        spent_transaction_hash,
        spent_output_index,
        spent_block_number
    from inputs
    where spent_block_number is not null
),

unspent_outputs as (
    select outputs.value_sats
    from outputs
    left join spent
        on
            outputs.transaction_hash = spent.spent_transaction_hash
            and outputs.output_index = spent.spent_output_index
            and outputs.block_number = spent.spent_block_number
    where outputs.address is not null and spent.spent_transaction_hash is null
),

compared as (
    select
        (select coalesce(sum(value_sats), 0) from unspent_outputs) as utxo_total_sats,
        (select coalesce(sum(balance_sats), 0) from totals) as balance_total_sats
)

select * from compared
where utxo_total_sats <> balance_total_sats
{%- endif %}
