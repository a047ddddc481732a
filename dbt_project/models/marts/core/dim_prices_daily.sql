-- grain: one row per price_date (UTC), every day from the first price to the last block or price
{{
    config(
        materialized='table',
        post_hook=[
            "{{ ensure_index('price_date', unique=true) }}",
            "{{ reference_if_citus() }}",
        ],
    )
}}

-- Forward-filled daily close: a day without a price (gaps in the source, days after the last
-- price) takes the last known close and is_filled = true. Days before the first price have no
-- row, so USD values of those days are null.
with

prices as (
    select * from {{ ref('stg_prices__btc_usd_daily') }}
),

blocks as (
    select * from {{ ref('stg_bitcoin__blocks') }}
),

date_range as (
    select
        (select min(price_date) from prices) as first_date,
        greatest(
            (select max(price_date) from prices),
            (select max(block_date) from blocks)
        ) as last_date
),

calendar as (
    select calendar_day::date as price_date
    from date_range
    cross join
        lateral generate_series(date_range.first_date, date_range.last_date, interval '1 day')
            as calendar_day
    where date_range.first_date is not null
),

calendar_joined_to_prices as (
    select
        calendar.price_date,
        prices.price_usd,
        prices.is_filled,
        prices.price_source,
        max(prices.price_date) over (order by calendar.price_date) as last_price_date
    from calendar
    left join prices on calendar.price_date = prices.price_date
),

final as (
    select
        filled.price_date,
        last_price.price_usd,
        (filled.price_date <> filled.last_price_date or last_price.is_filled) as is_filled,
        filled.last_price_date as price_observed_date,
        last_price.price_source
    from calendar_joined_to_prices as filled
    inner join prices as last_price on filled.last_price_date = last_price.price_date
)

select * from final
