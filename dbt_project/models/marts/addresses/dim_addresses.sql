-- grain: one row per address
{{ config(materialized='view') }}

-- The address dimension analysts query: dim_address_totals (kept incrementally) plus what
-- changes without any new transaction of the address, computed on read so it never goes stale:
-- the balance marked to the latest close, and the tags.
with

address_totals as (
    select * from {{ ref('dim_address_totals') }}
),

prices as (
    select * from {{ ref('dim_prices_daily') }}
),

tags as (
    select * from {{ ref('dim_tags') }}
),

latest_price as (
    select
        price_date as latest_price_date,
        price_usd as latest_price_usd
    from prices
    order by price_date desc
    limit 1
),

final as (
    select
        ---------- ids
        address_totals.address,
        array(
            select tags.label from tags
            where tags.address = address_totals.address
            order by tags.label
        ) as tags,
        ---------- satoshis and btc
        address_totals.received_sats,
        address_totals.sent_sats,
        address_totals.balance_sats,
        {{ sats_to_btc('address_totals.received_sats') }} as received_btc,
        {{ sats_to_btc('address_totals.sent_sats') }} as sent_btc,
        {{ sats_to_btc('address_totals.balance_sats') }} as balance_btc,
        ---------- usd
        address_totals.received_usd,
        address_totals.sent_usd,
        address_totals.cost_basis_usd,
        latest_price.latest_price_date,
        latest_price.latest_price_usd,
        {{ sats_to_usd('address_totals.balance_sats', 'latest_price.latest_price_usd') }}
            as balance_usd,
        ---------- counts
        address_totals.tx_count,
        address_totals.received_tx_count,
        address_totals.sent_tx_count,
        ---------- timestamps
        address_totals.first_seen_at,
        address_totals.last_seen_at,
        address_totals.first_received_at,
        address_totals.last_received_at,
        address_totals.first_sent_at,
        address_totals.last_sent_at,
        address_totals.last_block_number,
        address_totals.last_transaction_index,
        address_totals.last_seen_date
    from address_totals
    left join latest_price on true
)

select * from final
