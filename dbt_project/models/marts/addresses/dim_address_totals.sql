-- grain: one row per address
{{
    config(
        unique_key='address',
        post_hook=[
            "{{ ensure_index('address', unique=true) }}",
            "{{ ensure_index('last_block_number') }}",
            "{{ ensure_index('balance_sats desc') }}",
            "delete from {{ this }} where last_block_number is null and tx_count = 0",
            "{{ distribute_if_citus('address') }}",
        ],
    )
}}
{%- set w = incremental_window('last_seen_date') %}
{#- recipient_floor_sats is the value at this rank among an address's flows to others -#}
{%- set floor_rank = recipient_floor_rank() %}

-- Per-address totals as of the last transaction: the last ledger row of each address. The
-- ledger's window is open-ended (every row from start_block on is rebuilt), so the last row of
-- an address touched in the window lies in the window: one DISTINCT ON over the window's rows,
-- O(window), not O(history). Addresses whose stored totals came from the window but that have
-- no row there any more (a day reloaded with different data) get their last row from before the
-- window, and tx_count 0 and no last block when they have none: the post-hook deletes them
-- through the last_block_number index (not a scan of every address each daily run).
-- DISTINCT ON rather than a LATERAL ... LIMIT 1 lookup: Citus cannot push a LIMIT inside a
-- lateral subquery down to the shards. The model is read directly, not through a CTE used twice
-- (PostgreSQL materialises such a CTE, without indexes).
with

window_last_rows as (
    select distinct on (address) *
    from {{ ref('fct_address_ledger') }}
    where {{ in_window(w) }}
    order by address asc, block_number desc, transaction_index desc
),
{%- if w is not none %}

vanished_addresses as (
    select address from {{ this }}
    where last_block_number >= {{ w.start_block }}
    except
    select address from window_last_rows
),

vanished_last_rows as (  -- noqa: ST03
    select distinct on (ledger_rows.address) ledger_rows.*
    from {{ ref('fct_address_ledger') }} as ledger_rows
    inner join vanished_addresses on ledger_rows.address = vanished_addresses.address
    where ledger_rows.block_number < {{ w.start_block }}
    order by
        ledger_rows.address asc,
        ledger_rows.block_number desc,
        ledger_rows.transaction_index desc
),
{%- endif %}

touched_addresses as (
    select address from window_last_rows
    {%- if w is not none %}
    union all
    select address from vanished_addresses
    {%- endif %}
),

last_ledger_rows as (
    select * from window_last_rows
    {%- if w is not none %}
    union all
    select * from vanished_last_rows
    {%- endif %}
),

-- recipient_floor_sats: the {{ floor_rank }}th-largest value among the address's flows to other
-- addresses (null: it paid fewer). Two hops out reads, per hop-1 address, only the flows at or
-- above it: a hop's top 20 (less the origin address) always lie there, so an exchange's
-- thousands of recipients are not all ranked. Values of a touched sender's flows only grow in
-- a daily run (flows add the window's edges), so its new floor is found among the flows at or
-- above the stored one; a reloaded day can shrink flows: then fewer than {{ floor_rank }} remain
-- there and all the sender's flows are ranked again.
touched_floors as (
    select
        touched_addresses.address,
        {%- if w is not none %}
        stored.recipient_floor_sats as stored_floor_sats
        {%- else %}
        null::bigint as stored_floor_sats
        {%- endif %}
    from touched_addresses
    {%- if w is not none %}
    left join {{ this }} as stored on touched_addresses.address = stored.address
    {%- endif %}
),

candidate_flows as (
    select
        flows.from_address as address,
        flows.value_sats,
        row_number() over (
            partition by flows.from_address order by flows.value_sats desc
        ) as value_rank
    from touched_floors
    inner join {{ ref('fct_address_flows') }} as flows
        on
            touched_floors.address = flows.from_address
            and flows.value_sats >= coalesce(touched_floors.stored_floor_sats, 0)
    where flows.to_address <> flows.from_address
),

candidate_floors as (
    select
        touched_floors.address,
        touched_floors.stored_floor_sats,
        count(candidate_flows.address) as candidate_count,
        max(candidate_flows.value_sats) filter (
            where candidate_flows.value_rank = {{ floor_rank }}
        ) as floor_sats
    from touched_floors
    left join candidate_flows on touched_floors.address = candidate_flows.address
    group by touched_floors.address, touched_floors.stored_floor_sats
),

reranked_flows as (
    select
        flows.from_address as address,
        flows.value_sats,
        row_number() over (
            partition by flows.from_address order by flows.value_sats desc
        ) as value_rank
    from candidate_floors
    inner join {{ ref('fct_address_flows') }} as flows
        on candidate_floors.address = flows.from_address
    where
        candidate_floors.candidate_count < {{ floor_rank }}
        and candidate_floors.stored_floor_sats is not null
        and flows.to_address <> flows.from_address
),

recipient_floors as (
    select
        address,
        floor_sats
    from candidate_floors
    where candidate_count >= {{ floor_rank }} or stored_floor_sats is null
    union all
    select
        address,
        value_sats as floor_sats
    from reranked_flows
    where value_rank = {{ floor_rank }}
),

final as (
    select
        ---------- ids
        touched_addresses.address,
        ---------- satoshis
        coalesce(last_ledger_rows.cum_received_sats, 0) as received_sats,
        coalesce(last_ledger_rows.cum_sent_sats, 0) as sent_sats,
        coalesce(last_ledger_rows.balance_after_sats, 0) as balance_sats,
        ---------- usd at the time of each transfer, and average cost basis
        coalesce(last_ledger_rows.cum_received_usd, 0) as received_usd,
        coalesce(last_ledger_rows.cum_sent_usd, 0) as sent_usd,
        coalesce(last_ledger_rows.cost_basis_after_usd, 0) as cost_basis_usd,
        ---------- counts
        coalesce(last_ledger_rows.cum_tx_count, 0) as tx_count,
        coalesce(last_ledger_rows.cum_received_tx_count, 0) as received_tx_count,
        coalesce(last_ledger_rows.cum_sent_tx_count, 0) as sent_tx_count,
        ---------- timestamps
        last_ledger_rows.first_seen_at,
        last_ledger_rows.last_seen_at,
        last_ledger_rows.first_received_at,
        last_ledger_rows.last_received_at,
        last_ledger_rows.first_sent_at,
        last_ledger_rows.last_sent_at,
        ---------- the flow at the address's recipient floor rank (two hops out)
        recipient_floors.floor_sats as recipient_floor_sats,
        ---------- the last ledger row (for keyset paging and incremental windows)
        last_ledger_rows.block_number as last_block_number,
        last_ledger_rows.transaction_index as last_transaction_index,
        last_ledger_rows.block_date as last_seen_date
    from touched_addresses
    left join last_ledger_rows on touched_addresses.address = last_ledger_rows.address
    left join recipient_floors on touched_addresses.address = recipient_floors.address
)

select * from final
