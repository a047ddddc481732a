-- The balances of all addresses add up to the value of the outputs with an address that no
-- loaded input spends (the UTXO set as far as it is known; BIP30 duplicates resolved as the
-- inputs resolve them).
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
