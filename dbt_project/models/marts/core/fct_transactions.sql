-- grain: one row per transaction (transaction_hash, block_number)
{{
    config(
        pre_hook="{{ delete_window() }}",
        post_hook=[
            "{{ ensure_index('transaction_hash, block_number', unique=true) }}",
            "{{ ensure_index('block_date, block_number, transaction_index') }}",
            "{{ distribute_if_citus('transaction_hash') }}",
        ],
    )
}}
{%- set w = incremental_window() %}

-- Transactions with resolved input value and fee. A transaction with a pending input (spent
-- output not loaded) has null input value and fee and is_resolved = false. Coinbase: fee 0,
-- input value 0.
with

transactions as (
    select * from {{ ref('stg_bitcoin__transactions') }}
    where {{ in_window(w) }}
),

inputs as (
    select * from {{ ref('int_inputs_joined_to_spent_outputs') }}
    where {{ in_window(w) }}
),

prices as (
    select * from {{ ref('dim_prices_daily') }}
),

inputs_per_transaction as (
    select
        transaction_hash,
        block_number,
        count(*) filter (where is_pending) as pending_input_count,
        count(*) filter (where not is_enriched and not is_coinbase) as unenriched_input_count,
        sum(value_sats) as input_value_sats
    from inputs
    group by transaction_hash, block_number
),

transactions_with_fees as (
    select
        transactions.*,
        coalesce(inputs_per_transaction.pending_input_count, 0) as pending_input_count,
        coalesce(inputs_per_transaction.unenriched_input_count, 0) as unenriched_input_count,
        case
            when transactions.is_coinbase then 0
            when coalesce(inputs_per_transaction.pending_input_count, 0) = 0
                then inputs_per_transaction.input_value_sats
        end::bigint as resolved_input_value_sats
    from transactions
    left join inputs_per_transaction
        on
            transactions.transaction_hash = inputs_per_transaction.transaction_hash
            and transactions.block_number = inputs_per_transaction.block_number
),

final as (
    select
        ---------- ids
        transactions_with_fees.transaction_hash,
        transactions_with_fees.block_number,
        transactions_with_fees.block_hash,
        transactions_with_fees.transaction_index,
        ---------- booleans
        transactions_with_fees.is_coinbase,
        transactions_with_fees.pending_input_count = 0 as is_resolved,
        ---------- counts and sizes
        transactions_with_fees.input_count,
        transactions_with_fees.output_count,
        transactions_with_fees.pending_input_count,
        transactions_with_fees.unenriched_input_count,
        transactions_with_fees.size_bytes,
        transactions_with_fees.virtual_size_vbytes,
        ---------- satoshis
        transactions_with_fees.resolved_input_value_sats as input_value_sats,
        transactions_with_fees.output_value_sats,
        (
            transactions_with_fees.resolved_input_value_sats
            - case
                when transactions_with_fees.is_coinbase then 0 else
                    transactions_with_fees.output_value_sats
            end
        )::bigint as fee_sats,
        ---------- usd at the block day's close
        prices.price_usd,
        {{ sats_to_usd('transactions_with_fees.output_value_sats', 'prices.price_usd') }}
            as output_value_usd,
        {{ sats_to_usd(
            '(transactions_with_fees.resolved_input_value_sats'
            ~ ' - case when transactions_with_fees.is_coinbase then 0'
            ~ ' else transactions_with_fees.output_value_sats end)',
            'prices.price_usd'
        ) }} as fee_usd,
        ---------- timestamps
        transactions_with_fees.block_date,
        transactions_with_fees.mined_at
    from transactions_with_fees
    left join prices on transactions_with_fees.block_date = prices.price_date
)

select * from final
