-- grain: one row per block_date (UTC)
{{
    config(
        pre_hook="{{ delete_window(by='day') }}",
        post_hook=[
            "{{ ensure_index('block_date', unique=true) }}",
            "{{ reference_if_citus() }}",
        ],
    )
}}
{%- set w = incremental_window() %}

-- Network activity per UTC day. volume = outputs of non-coinbase transactions (includes change);
-- minted = coinbase outputs; active addresses = distinct addresses that received or sent.
-- fee_sats sums resolved transactions only (pending_transaction_count says how many are not).
with

blocks as (
    select * from {{ ref('stg_bitcoin__blocks') }}
    where {{ in_window_days(w) }}
),

transactions as (
    select * from {{ ref('fct_transactions') }}
    where {{ in_window_days(w) }}
),

address_transactions as (
    select * from {{ ref('int_address_transactions') }}
    where {{ in_window_days(w) }}
),

prices as (
    select * from {{ ref('dim_prices_daily') }}
),

blocks_per_day as (
    select
        block_date,
        count(*) as block_count,
        min(block_number) as first_block_number,
        max(block_number) as last_block_number
    from blocks
    group by block_date
),

transactions_per_day as (
    select
        block_date,
        count(*) filter (where not is_coinbase) as transaction_count,
        count(*) filter (where not is_coinbase and not is_resolved)
            as pending_transaction_count,
        coalesce(sum(output_value_sats) filter (where not is_coinbase), 0)::bigint
            as volume_sats,
        coalesce(sum(output_value_sats) filter (where is_coinbase), 0)::bigint as minted_sats,
        coalesce(sum(fee_sats) filter (where not is_coinbase), 0)::bigint as fee_sats
    from transactions
    group by block_date
),

addresses_per_day as (
    select
        block_date,
        count(distinct address) as active_address_count
    from address_transactions
    group by block_date
),

final as (
    select
        blocks_per_day.block_date,
        blocks_per_day.block_count,
        blocks_per_day.first_block_number,
        blocks_per_day.last_block_number,
        coalesce(transactions_per_day.transaction_count, 0) as transaction_count,
        coalesce(transactions_per_day.pending_transaction_count, 0) as pending_transaction_count,
        coalesce(addresses_per_day.active_address_count, 0) as active_address_count,
        coalesce(transactions_per_day.volume_sats, 0) as volume_sats,
        {{ sats_to_btc('coalesce(transactions_per_day.volume_sats, 0)') }} as volume_btc,
        {{ sats_to_usd('coalesce(transactions_per_day.volume_sats, 0)', 'prices.price_usd') }}
            as volume_usd,
        coalesce(transactions_per_day.minted_sats, 0) as minted_sats,
        coalesce(transactions_per_day.fee_sats, 0) as fee_sats,
        {{ sats_to_usd('coalesce(transactions_per_day.fee_sats, 0)', 'prices.price_usd') }}
            as fee_usd,
        prices.price_usd,
        prices.is_filled as is_price_filled
    from blocks_per_day
    left join transactions_per_day on blocks_per_day.block_date = transactions_per_day.block_date
    left join addresses_per_day on blocks_per_day.block_date = addresses_per_day.block_date
    left join prices on blocks_per_day.block_date = prices.price_date
)

select * from final
