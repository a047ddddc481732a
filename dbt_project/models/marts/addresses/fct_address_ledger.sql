-- grain: one row per (address, transaction_hash, block_number)
{{
    config(
        pre_hook="{{ delete_window() }}",
        post_hook=[
            "{{ ensure_index('address, block_number desc, transaction_index desc', unique=true) }}",
            "{{ ensure_index('block_date, block_number') }}",
            "{{ distribute_if_citus('address') }}",
        ],
    )
}}
{%- set w = incremental_window() %}

-- Every transaction of every address in chain order (block_number, transaction_index), with
-- USD at the block day's close and running totals. The running totals of a window start from
-- the address's last row before the window, so the last row of an address is its summary:
-- dim_addresses reads only that row.
-- That last row is one LIMIT 1 lookup on the (address, block_number desc, transaction_index
-- desc) index per window row, deduplicated per address: the cost grows with the window, not
-- with the address's history (a DISTINCT ON over the ledger rows before the window would read
-- every earlier row of each touched address). The lateral lookup is correlated with the
-- int_address_transactions table itself, not with a CTE or subquery over it: Citus pushes a
-- LIMIT inside a lateral subquery down to the shards only when it references a distributed
-- table joined on the distribution column (both tables are distributed by address and
-- co-located).
-- balance_after_usd marks the balance at that day's close; cost_basis_after_usd is the average
-- cost basis (macro create_warehouse_functions).
with

address_transactions as (
    select * from {{ ref('int_address_transactions') }}
    where {{ in_window(w) }}
),

prices as (
    select * from {{ ref('dim_prices_daily') }}
),

{% if w is not none %}
last_rows_before_window as (
    select distinct on (window_rows.address)
        window_rows.address,
        last_row.balance_after_sats,
        last_row.cost_basis_after_usd,
        last_row.cum_received_sats,
        last_row.cum_sent_sats,
        last_row.cum_received_usd,
        last_row.cum_sent_usd,
        last_row.cum_tx_count,
        last_row.cum_received_tx_count,
        last_row.cum_sent_tx_count,
        last_row.first_seen_at,
        last_row.last_seen_at,
        last_row.first_received_at,
        last_row.last_received_at,
        last_row.first_sent_at,
        last_row.last_sent_at
    from {{ ref('int_address_transactions') }} as window_rows
    inner join lateral (
        select * from {{ this }} as ledger
        where
            ledger.address = window_rows.address
            and ledger.block_number < {{ w.start_block }}  -- noqa: LT02
        order by ledger.block_number desc, ledger.transaction_index desc
        limit 1
    ) as last_row on true
    where {{ in_window(w, 'window_rows.block_number', 'window_rows.block_date') }}
    order by window_rows.address
),
{% else %}
last_rows_before_window as (
    select
        address,
        null::bigint as balance_after_sats,
        null::numeric as cost_basis_after_usd,
        null::bigint as cum_received_sats,
        null::bigint as cum_sent_sats,
        null::numeric as cum_received_usd,
        null::numeric as cum_sent_usd,
        null::bigint as cum_tx_count,
        null::bigint as cum_received_tx_count,
        null::bigint as cum_sent_tx_count,
        null::timestamptz as first_seen_at,
        null::timestamptz as last_seen_at,
        null::timestamptz as first_received_at,
        null::timestamptz as last_received_at,
        null::timestamptz as first_sent_at,
        null::timestamptz as last_sent_at
    from address_transactions
    where false
),
{% endif %}

priced as (
    select
        address_transactions.*,
        address_transactions.received_sats - address_transactions.sent_sats as net_sats,
        prices.price_usd,
        {{ sats_to_usd('address_transactions.received_sats', 'prices.price_usd') }}
            as received_usd,
        {{ sats_to_usd('address_transactions.sent_sats', 'prices.price_usd') }} as sent_usd
    from address_transactions
    left join prices on address_transactions.block_date = prices.price_date
),

running as (
    select
        ---------- ids
        priced.address,
        priced.transaction_hash,
        priced.block_number,
        priced.transaction_index,
        priced.block_date,
        priced.mined_at,
        priced.is_coinbase,
        ---------- this transaction
        priced.received_sats,
        priced.sent_sats,
        priced.net_sats,
        priced.price_usd,
        priced.received_usd,
        priced.sent_usd,
        ---------- running balance
        (
            coalesce(base.balance_after_sats, 0) + sum(priced.net_sats) over chain_order
        )::bigint as balance_after_sats,
        intermediate.avg_cost_basis_usd(
            priced.received_sats,
            priced.sent_sats,
            priced.received_usd,
            coalesce(base.balance_after_sats, 0),
            coalesce(base.cost_basis_after_usd, 0)
        ) over chain_order as cost_basis_after_usd,
        ---------- running totals
        (coalesce(base.cum_received_sats, 0) + sum(priced.received_sats) over chain_order)::bigint
            as cum_received_sats,
        (coalesce(base.cum_sent_sats, 0) + sum(priced.sent_sats) over chain_order)::bigint
            as cum_sent_sats,
        coalesce(base.cum_received_usd, 0)
        + coalesce(sum(priced.received_usd) over chain_order, 0) as cum_received_usd,
        coalesce(base.cum_sent_usd, 0)
        + coalesce(sum(priced.sent_usd) over chain_order, 0) as cum_sent_usd,
        coalesce(base.cum_tx_count, 0) + count(*) over chain_order as cum_tx_count,
        coalesce(base.cum_received_tx_count, 0)
        + count(*) filter (where priced.output_count > 0) over chain_order
            as cum_received_tx_count,
        coalesce(base.cum_sent_tx_count, 0)
        + count(*) filter (where priced.input_count > 0) over chain_order as cum_sent_tx_count,
        ---------- first and last seen (min/max of block time: block times are not monotone)
        least(base.first_seen_at, min(priced.mined_at) over chain_order) as first_seen_at,
        greatest(base.last_seen_at, max(priced.mined_at) over chain_order) as last_seen_at,
        least(
            base.first_received_at,
            min(priced.mined_at) filter (where priced.output_count > 0) over chain_order
        ) as first_received_at,
        greatest(
            base.last_received_at,
            max(priced.mined_at) filter (where priced.output_count > 0) over chain_order
        ) as last_received_at,
        least(
            base.first_sent_at,
            min(priced.mined_at) filter (where priced.input_count > 0) over chain_order
        ) as first_sent_at,
        greatest(
            base.last_sent_at,
            max(priced.mined_at) filter (where priced.input_count > 0) over chain_order
        ) as last_sent_at
    from priced
    left join last_rows_before_window as base on priced.address = base.address
    window chain_order as (
        partition by priced.address
        order by priced.block_number, priced.transaction_index
        rows between unbounded preceding and current row
    )
),

final as (
    select
        *,
        {{ sats_to_usd('balance_after_sats', 'price_usd') }} as balance_after_usd
    from running
)

select * from final
