-- The balances of all addresses add up to the value of the outputs with an address that no
-- loaded input spends (the UTXO set as far as it is known; BIP30 duplicates resolved as the
-- inputs resolve them).
-- A daily run (macros/test_window.sql) checks the same identity by induction, in time
-- proportional to its window: the change of the sum of balances over the window's blocks (each
-- touched address's last running balance, minus its running balance before the window) equals
-- the change of the UTXO set (addressed outputs created in the window, minus the addressed
-- outputs its inputs spent). It fails on window rows whose running balances do not continue
-- from the address's last row before the window, and on ledger rows missing from or added to
-- the window. The full check (no window) compares the totals with the whole UTXO set; the
-- weekly warehouse_audit DAG runs it.
{%- set first_day = test_window_first_day() %}
{%- if first_day is not none %}
{%- set start_block, scan_from_date = test_window_blocks(first_day) %}
with

-- the window's ledger rows; the blocks are cut as the models cut them
-- (macros/incremental_window.sql): by height from the first block dated in the test window
window_rows as (
    select * from {{ ref('fct_address_ledger') }}
    where
        block_number >= {{ start_block }}
        and block_date >= date '{{ scan_from_date }}'
),

last_window_rows as (
    select distinct on (address)
        address,
        balance_after_sats
    from window_rows
    order by address asc, block_number desc, transaction_index desc
),

last_rows_before_window as (
    {{ ledger_rows_before_test_window(start_block, scan_from_date, ['balance_after_sats']) }}
),

created as (
    select value_sats from {{ ref('int_outputs') }}
    where
        address is not null
        and block_number >= {{ start_block }}
        and block_date >= date '{{ scan_from_date }}'
),

spent as (
    select value_sats from {{ ref('int_inputs_joined_to_spent_outputs') }}
    where
        address is not null
        and spent_block_number is not null
        and block_number >= {{ start_block }}
        and block_date >= date '{{ scan_from_date }}'
),

compared as (
    select
        {{ start_block }} as window_start_block,
        (select coalesce(sum(value_sats), 0) from created)
        - (select coalesce(sum(value_sats), 0) from spent) as utxo_change_sats,
        (select coalesce(sum(balance_after_sats), 0) from last_window_rows)
        - (select coalesce(sum(balance_after_sats), 0) from last_rows_before_window)
            as balance_change_sats
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
