-- grain: one row per (address, transaction_hash, block_number)
{{
    config(
        pre_hook="{{ delete_window() }}",
        post_hook=[
            "{{ ensure_index('block_date, block_number') }}",
            "{{ ensure_index('address, block_number, transaction_index') }}",
            "{{ distribute_if_citus('address') }}",
        ],
    )
}}
{%- set w = incremental_window() %}

-- What each address received (outputs paying it) and sent (inputs spending its outputs) in each
-- transaction. Outputs and inputs without an address (OP_RETURN, pending inputs) belong to no
-- address and are left out.
with

transactions as (
    select * from {{ ref('stg_bitcoin__transactions') }}
    where {{ in_window(w) }}
),

outputs as (
    select * from {{ ref('stg_bitcoin__outputs') }}
    where {{ in_window(w) }} and address is not null
),

inputs as (
    select * from {{ ref('int_inputs_joined_to_spent_outputs') }}
    where {{ in_window(w) }} and address is not null
),

received_per_address as (
    select
        address,
        transaction_hash,
        block_number,
        sum(value_sats)::bigint as received_sats,
        count(*) as output_count
    from outputs
    group by address, transaction_hash, block_number
),

sent_per_address as (
    select
        address,
        transaction_hash,
        block_number,
        sum(value_sats)::bigint as sent_sats,
        count(*) as input_count
    from inputs
    group by address, transaction_hash, block_number
),

received_and_sent as (
    select
        coalesce(received_per_address.address, sent_per_address.address) as address,
        coalesce(received_per_address.transaction_hash, sent_per_address.transaction_hash)
            as transaction_hash,
        coalesce(received_per_address.block_number, sent_per_address.block_number)
            as block_number,
        coalesce(received_per_address.received_sats, 0) as received_sats,
        coalesce(sent_per_address.sent_sats, 0) as sent_sats,
        coalesce(received_per_address.output_count, 0) as output_count,
        coalesce(sent_per_address.input_count, 0) as input_count
    from received_per_address
    full outer join sent_per_address
        on
            received_per_address.address = sent_per_address.address
            and received_per_address.transaction_hash = sent_per_address.transaction_hash
            and received_per_address.block_number = sent_per_address.block_number
),

final as (
    select
        received_and_sent.address,
        received_and_sent.transaction_hash,
        received_and_sent.block_number,
        transactions.transaction_index,
        transactions.block_date,
        transactions.mined_at,
        transactions.is_coinbase,
        received_and_sent.received_sats,
        received_and_sent.sent_sats,
        received_and_sent.output_count,
        received_and_sent.input_count
    from received_and_sent
    inner join transactions
        on
            received_and_sent.transaction_hash = transactions.transaction_hash
            and received_and_sent.block_number = transactions.block_number
)

select * from final
