-- grain: one row per (address, label)
{{
    config(
        materialized='table',
        post_hook=[
            "{{ ensure_index('address, label', unique=true) }}",
            "{{ reference_if_citus() }}",
        ],
    )
}}

-- Address labels from every loaded TagPack. The same (address, label) from several tagpacks is
-- one row listing its tagpacks and sources.
with

tags as (
    select * from {{ ref('stg_tags__addresses') }}
),

final as (
    select
        address,
        label,
        min(category) as category,
        array_agg(distinct tagpack order by tagpack) as tagpacks,
        array_agg(distinct tag_source order by tag_source)
        filter (where tag_source is not null) as tag_sources
    from tags
    group by address, label
)

select * from final
