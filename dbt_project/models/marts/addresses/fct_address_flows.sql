-- grain: one row per (from_address, to_address)
{{
    config(
        unique_key=['from_address', 'to_address'],
        post_hook=[
            "{{ ensure_index('from_address, to_address', unique=true) }}",
            "{{ ensure_index('from_address, value_sats desc') }}",
            "{{ ensure_index('to_address, value_sats desc') }}",
            "{{ ensure_index('last_block_number') }}",
            "delete from {{ this }} where transaction_count = 0",
            "{{ distribute_if_citus('from_address') }}",
        ],
    )
}}
{%- set w = incremental_window('last_seen_date') %}

-- Money that went from one address to another, summed over all transactions (edges of
-- int_flow_edges: proportional split). value_usd sums each edge at its block day's close.
-- Incremental runs recompute only the pairs touched in the window, from all edges of those
-- pairs (index on int_flow_edges (from_address, to_address)).
with

flow_edges as (
    select * from {{ ref('int_flow_edges') }}
),

touched_pairs as (
    select distinct
        from_address,
        to_address
    from flow_edges
    where {{ in_window(w) }}
    {%- if w is not none %}
    union
    select
        from_address,
        to_address
    from {{ this }}
    where last_block_number >= {{ w.start_block }}
    {%- endif %}
),

edges_of_touched_pairs as (
    -- The model, not the `flow_edges` CTE: a CTE referenced twice is materialised without
    -- indexes, so the pair lookup would scan every edge of history on each daily run.
    select edges.*
    from touched_pairs
    inner join {{ ref('int_flow_edges') }} as edges
        on
            touched_pairs.from_address = edges.from_address
            and touched_pairs.to_address = edges.to_address
),

pair_totals as (
    select
        from_address,
        to_address,
        sum(value_sats)::bigint as value_sats,
        sum(value_usd) as value_usd,
        count(*) as transaction_count,
        min(mined_at) as first_seen_at,
        max(mined_at) as last_seen_at,
        min(block_number) as first_block_number,
        max(block_number) as last_block_number,
        max(block_date) as last_seen_date
    from edges_of_touched_pairs
    group by from_address, to_address
),

final as (
    select
        touched_pairs.from_address,
        touched_pairs.to_address,
        coalesce(pair_totals.value_sats, 0) as value_sats,
        coalesce(pair_totals.value_usd, 0) as value_usd,
        coalesce(pair_totals.transaction_count, 0) as transaction_count,
        pair_totals.first_seen_at,
        pair_totals.last_seen_at,
        pair_totals.first_block_number,
        pair_totals.last_block_number,
        pair_totals.last_seen_date
    from touched_pairs
    left join pair_totals
        on
            touched_pairs.from_address = pair_totals.from_address
            and touched_pairs.to_address = pair_totals.to_address
)

select * from final
