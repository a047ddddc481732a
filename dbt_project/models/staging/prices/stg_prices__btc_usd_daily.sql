-- grain: one row per price_date (UTC)
with

source as (select * from {{ source('prices', 'btc_usd_daily') }}),

renamed as (
    select
        ---------- ids
        price_date,
        ---------- numerics
        close_usd::numeric(20, 8) as price_usd,
        ---------- booleans
        is_filled,
        ---------- lineage
        source as price_source,
        loaded_at
    from source
)

select * from renamed
