-- grain: one row per (tagpack, address, label)
with

source as (select * from {{ source('tags', 'addresses') }}),

renamed as (
    select
        ---------- ids
        -- the collation of every address column of the warehouse (address_from_addresses):
        -- a join or lookup of addresses under two collations cannot use an index
        address collate "C" as address,
        label,
        tagpack,
        ---------- attributes
        category,
        source as tag_source,
        loaded_at
    from source
)

select * from renamed
