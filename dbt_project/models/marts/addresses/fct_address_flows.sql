-- grain: one row per (from_address, to_address)
{{
    config(
        unique_key=['from_address', 'to_address'],
        post_hook=[
            "{{ ensure_index('from_address, to_address', unique=true) }}",
            "{{ ensure_index('from_address, value_sats desc') }}",
            "{{ ensure_index('to_address, value_sats desc') }}",
            "{{ ensure_index('last_block_number') }}",
            "delete from {{ this }} where last_block_number is null and transaction_count = 0",
            "{{ distribute_if_citus('from_address') }}",
        ],
    )
}}
{%- set w = incremental_window('last_seen_date') %}

-- Money that went from one address to another, summed over all transactions (edges of
-- int_flow_edges: proportional split). value_usd sums each edge at its block day's close.
-- Incremental runs update by delta: a daily run's window starts above every stored pair's last
-- block, so a pair's new totals are its stored totals plus the window's edges (sums, counts,
-- min/max are all additive), O(window) however many edges the pair has (an exchange's hot
-- wallet paying the same address for years). Pairs whose stored totals already include blocks
-- of the window (a rerun or a backfill of a loaded day) cannot be split that way and are
-- recomputed from all their edges (index on int_flow_edges (from_address, to_address)).
-- A redone pair left with no edge (a reloaded day without it) has transaction_count 0 and no
-- last block; the post-hook deletes it by the last_block_number index (the predicate on the
-- count alone scanned the whole table each daily run: 1.2 s of 8.3M pairs at 3M).
with

window_pair_totals as (
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
    from {{ ref('int_flow_edges') }}
    where {{ in_window(w) }}
    group by from_address, to_address
),
{%- if w is none %}

final as (
    select * from window_pair_totals
)
{%- else %}

-- stored totals that include blocks of the window: recompute these pairs from all their edges
redone_pairs as (
    select
        from_address,
        to_address
    from {{ this }}
    where last_block_number >= {{ w.start_block }}
),

redone_pair_totals as (
    select
        redone_pairs.from_address,
        redone_pairs.to_address,
        coalesce(sum(edges.value_sats), 0)::bigint as value_sats,
        coalesce(sum(edges.value_usd), 0) as value_usd,
        count(edges.from_address) as transaction_count,
        min(edges.mined_at) as first_seen_at,
        max(edges.mined_at) as last_seen_at,
        min(edges.block_number) as first_block_number,
        max(edges.block_number) as last_block_number,
        max(edges.block_date) as last_seen_date
    from redone_pairs
    left join {{ ref('int_flow_edges') }} as edges
        on
            redone_pairs.from_address = edges.from_address
            and redone_pairs.to_address = edges.to_address
    group by redone_pairs.from_address, redone_pairs.to_address
),

-- every other pair of the window: stored totals (all from before the window) plus the window
added_pair_totals as (
    select
        window_pair_totals.from_address,
        window_pair_totals.to_address,
        (coalesce(stored_pair.value_sats, 0) + window_pair_totals.value_sats)::bigint as value_sats,
        coalesce(stored_pair.value_usd, 0) + window_pair_totals.value_usd as value_usd,
        coalesce(stored_pair.transaction_count, 0) + window_pair_totals.transaction_count
            as transaction_count,
        least(stored_pair.first_seen_at, window_pair_totals.first_seen_at) as first_seen_at,
        greatest(stored_pair.last_seen_at, window_pair_totals.last_seen_at) as last_seen_at,
        least(stored_pair.first_block_number, window_pair_totals.first_block_number)
            as first_block_number,
        window_pair_totals.last_block_number,
        greatest(stored_pair.last_seen_date, window_pair_totals.last_seen_date) as last_seen_date
    from window_pair_totals
    left join {{ this }} as stored_pair
        on
            window_pair_totals.from_address = stored_pair.from_address
            and window_pair_totals.to_address = stored_pair.to_address
    left join redone_pairs
        on
            window_pair_totals.from_address = redone_pairs.from_address
            and window_pair_totals.to_address = redone_pairs.to_address
    where redone_pairs.from_address is null
),

final as (
    select * from added_pair_totals
    union all
    select * from redone_pair_totals
)
{%- endif %}

select * from final
