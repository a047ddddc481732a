-- grain: one row per (transaction_hash, block_number, from_address, to_address)
{{
    config(
        pre_hook=[
            "{{ delete_window() }}",
            "set local enable_nestloop = off",
        ],
        post_hook=[
            "{{ ensure_index('block_date, block_number') }}",
            "{{ ensure_index('from_address, to_address') }}",
            "{{ distribute_if_citus('from_address') }}",
        ],
    )
}}
{%- set w = incremental_window() %}

-- Who paid whom inside each transaction (GraphSense method): every output is split across the
-- input addresses in proportion to their input value,
--     edge = input_value(from) / total_input * output_value,
-- computed exactly in numeric and rounded by the largest-remainder method: each edge gets the
-- floor of its exact share, and the satoshis left over (fewer than the number of input
-- addresses) go one each to the largest fractional remainders, ties to the smaller address.
-- So the edges of an output sum exactly to its value. Then edges are summed per
-- (from_address, to_address) over the outputs of the transaction.
-- Left out: coinbase transactions (they spend nothing: no from-address), transactions with a
-- pending input (split once resolved), outputs without an address (OP_RETURN) and inputs without
-- an address. Zero-value edges are kept (an address took part in paying, its share rounded to 0).
-- Self-edges (change back to an input address) are kept; queries drop them where unwanted.
-- Every join here is between two sets of the window (no index lookup into history), and the
-- window is the newest day, which statistics never estimate well (a range above the last
-- analyzed value: 1 row): the planner chose nested loops, quadratic in the day's size (0.4 s
-- for a day of 377 transactions). `set local enable_nestloop = off` (pre-hook; this model's
-- transaction only) leaves it hash and merge joins, linear in the day.
with

transactions as (
    select * from {{ ref('stg_bitcoin__transactions') }}
    where {{ in_window(w) }} and not is_coinbase
),

outputs as (
    select * from {{ ref('stg_bitcoin__outputs') }}
    where {{ in_window(w) }}
),

inputs as (
    select * from {{ ref('int_inputs_joined_to_spent_outputs') }}
    where {{ in_window(w) }} and not is_coinbase
),

prices as (
    select * from {{ ref('dim_prices_daily') }}
),

input_value_per_address as (
    select
        transaction_hash,
        block_number,
        address as from_address,
        sum(value_sats) as from_value_sats,
        bool_and(not is_pending) as is_resolved
    from inputs
    group by transaction_hash, block_number, address
),

-- The transaction's totals as window aggregates over its input addresses, not as a grouped
-- CTE joined back: a HAVING filter makes the planner expect a few rows, and the join of two
-- such estimates became a nested loop (27 s for 19k transactions, 650M rows compared).
input_value_per_address_with_totals as (
    select
        *,
        sum(from_value_sats) over per_transaction as total_input_sats,
        bool_and(is_resolved) over per_transaction as is_transaction_resolved
    from input_value_per_address
    window per_transaction as (partition by transaction_hash, block_number)
),

resolved_input_value_per_address as (
    select * from input_value_per_address_with_totals
    where is_transaction_resolved and total_input_sats > 0
),

exact_shares as (
    select
        resolved_input_value_per_address.transaction_hash,
        resolved_input_value_per_address.block_number,
        resolved_input_value_per_address.from_address,
        outputs.output_index,
        outputs.address as to_address,
        outputs.value_sats as output_value_sats,
        div(
            resolved_input_value_per_address.from_value_sats::numeric * outputs.value_sats,
            resolved_input_value_per_address.total_input_sats
        ) as floor_sats,
        mod(
            resolved_input_value_per_address.from_value_sats::numeric * outputs.value_sats,
            resolved_input_value_per_address.total_input_sats
        ) as remainder_sats_numerator
    from resolved_input_value_per_address
    inner join outputs
        on
            resolved_input_value_per_address.transaction_hash = outputs.transaction_hash
            and resolved_input_value_per_address.block_number = outputs.block_number
),

shares_ranked_by_remainder as (
    select
        *,
        output_value_sats - sum(floor_sats) over per_output as leftover_sats,
        row_number() over (
            partition by transaction_hash, block_number, output_index
            order by remainder_sats_numerator desc, from_address collate "C" asc nulls last
        ) as remainder_rank
    from exact_shares
    window per_output as (partition by transaction_hash, block_number, output_index)
),

edges_per_output as (
    select
        transaction_hash,
        block_number,
        from_address,
        to_address,
        (floor_sats + case when remainder_rank <= leftover_sats then 1 else 0 end)::bigint
            as value_sats
    from shares_ranked_by_remainder
),

edges as (
    select
        transaction_hash,
        block_number,
        from_address,
        to_address,
        sum(value_sats)::bigint as value_sats,
        count(*) as output_count
    from edges_per_output
    where from_address is not null and to_address is not null
    group by transaction_hash, block_number, from_address, to_address
),

final as (
    select
        edges.transaction_hash,
        edges.block_number,
        edges.from_address,
        edges.to_address,
        transactions.transaction_index,
        transactions.block_date,
        transactions.mined_at,
        edges.value_sats,
        edges.output_count,
        prices.price_usd,
        {{ sats_to_usd('edges.value_sats', 'prices.price_usd') }} as value_usd
    from edges
    inner join transactions
        on
            edges.transaction_hash = transactions.transaction_hash
            and edges.block_number = transactions.block_number
    left join prices on transactions.block_date = prices.price_date
)

select * from final
