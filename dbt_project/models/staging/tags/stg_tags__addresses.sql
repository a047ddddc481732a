-- grain: one row per (tagpack, address, label)
with

source as (select * from {{ source('tags', 'addresses') }}),

renamed as (
    select
        ---------- ids
        address,
        label,
        tagpack,
        ---------- attributes
        category,
        source as tag_source,
        loaded_at
    from source
)

select * from renamed
