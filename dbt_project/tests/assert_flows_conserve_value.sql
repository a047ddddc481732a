-- The flow identity (docs/data-model.md): in every split transaction
--   1. the edges into each addressed output sum exactly to its value (largest remainder), so
--      sum(edges of the tx) = sum(addressed outputs) when every input has an address;
--   2. what an address sent = its edges out + its fee share, where the fee share is the
--      remainder; summed over the addresses the fee shares equal fee + unaddressed outputs;
--   3. each edge total lies within output_count satoshis of the exact proportional value
--      sent * addressed_outputs / total_input.
-- No joins on (transaction_hash, block_number): the planner multiplies the selectivities of
-- the two columns, expects ~1 row and nests loops (quadratic; > 6 min at 100k transactions).
-- The streams are stacked (union all) and combined by group by and window functions: sorts
-- and aggregates only. A daily run checks the transactions of its window (macros/test_window).
with

edges as (
    select * from {{ ref('int_flow_edges') }}
    where {{ in_test_window_of_invocation() }}
),

inputs as (
    select * from {{ ref('int_inputs_joined_to_spent_outputs') }}
    where {{ in_test_window_of_invocation() }}
),

outputs as (
    select * from {{ ref('stg_bitcoin__outputs') }}
    where {{ in_test_window_of_invocation() }}
),

transactions as (
    select * from {{ ref('fct_transactions') }}
    where {{ in_test_window_of_invocation() }}
),

-- inputs and edges per (transaction, address); an edge without a from-address marks its
-- transaction as split but matches no input address (as `null = null` matches nothing)
address_streams as (
    select
        transaction_hash,
        block_number,
        address,
        value_sats as sent_sats,
        null::bigint as edge_sats,
        true as is_input,
        false as is_edge
    from inputs
    union all
    select
        transaction_hash,
        block_number,
        from_address as address,
        null::bigint as sent_sats,
        case when from_address is not null then value_sats end as edge_sats,
        false as is_input,
        true as is_edge
    from edges
),

address_totals as (
    select
        transaction_hash,
        block_number,
        address,
        sum(sent_sats) as sent_sats,
        coalesce(sum(edge_sats), 0) as edge_sats,
        bool_or(is_input) as has_input,
        bool_or(is_edge) as has_edge
    from address_streams
    group by transaction_hash, block_number, address
),

addressed_outputs as (
    select
        transaction_hash,
        block_number,
        sum(value_sats) filter (where address is not null) as addressed_sats,
        count(*) filter (where address is not null) as addressed_count
    from outputs
    group by transaction_hash, block_number
),

-- one stream per transaction: its address rows, its outputs row and its fct_transactions row
transaction_streams as (
    select
        transaction_hash,
        block_number,
        'address' as row_kind,
        address,
        sent_sats,
        edge_sats,
        has_input,
        has_edge,
        null::numeric as addressed_sats,
        null::bigint as addressed_count,
        null::bigint as input_value_sats,
        null::bigint as fee_sats,
        null::bigint as output_value_sats
    from address_totals
    union all
    select
        transaction_hash,
        block_number,
        'outputs' as row_kind,
        null as address,
        null::numeric as sent_sats,
        null::numeric as edge_sats,
        false as has_input,
        false as has_edge,
        addressed_sats,
        addressed_count,
        null::bigint as input_value_sats,
        null::bigint as fee_sats,
        null::bigint as output_value_sats
    from addressed_outputs
    union all
    select
        transaction_hash,
        block_number,
        'transaction' as row_kind,
        null as address,
        null::numeric as sent_sats,
        null::numeric as edge_sats,
        false as has_input,
        false as has_edge,
        null::numeric as addressed_sats,
        null::bigint as addressed_count,
        input_value_sats,
        fee_sats,
        output_value_sats
    from transactions
),

transaction_context as (
    select
        transaction_hash,
        block_number,
        row_kind,
        address,
        sent_sats,
        edge_sats,
        has_input,
        bool_or(has_edge) over per_transaction as is_split,
        bool_or(row_kind = 'outputs') over per_transaction as has_outputs,
        bool_or(row_kind = 'transaction') over per_transaction as has_transaction,
        max(addressed_sats) over per_transaction as addressed_sats,
        max(addressed_count) over per_transaction as addressed_count,
        max(input_value_sats) over per_transaction as input_value_sats,
        max(fee_sats) over per_transaction as fee_sats,
        max(output_value_sats) over per_transaction as output_value_sats
    from transaction_streams
    window per_transaction as (partition by transaction_hash, block_number)
),

-- what the addresses sent in the split transactions that fct_transactions holds
per_address as (
    select
        transaction_hash,
        block_number,
        address,
        sent_sats,
        edge_sats,
        sent_sats - edge_sats as fee_share_sats,
        input_value_sats,
        fee_sats,
        addressed_sats,
        addressed_count,
        output_value_sats
    from transaction_context
    where row_kind = 'address' and has_input and is_split and has_outputs and has_transaction
),

per_transaction as (
    select
        transaction_hash,
        block_number,
        bool_and(address is not null) as every_input_addressed,
        sum(edge_sats) as edge_sats,
        sum(fee_share_sats) as fee_share_sats,
        max(fee_sats) as fee_sats,
        max(addressed_sats) as addressed_sats,
        max(output_value_sats) as output_value_sats
    from per_address
    group by transaction_hash, block_number
)

select
    transaction_hash,
    block_number,
    'edges do not sum to the addressed outputs' as failure
from per_transaction
where every_input_addressed and edge_sats <> addressed_sats
union all
select
    transaction_hash,
    block_number,
    'fee shares do not sum to fee + unaddressed outputs' as failure
from per_transaction
where
    every_input_addressed
    and fee_share_sats <> fee_sats + (output_value_sats - addressed_sats)
union all
select
    transaction_hash,
    block_number,
    'an edge total strays from its proportional value' as failure
from per_address
where
    address is not null
    and abs(edge_sats - sent_sats::numeric * addressed_sats / input_value_sats)
    > greatest(addressed_count, 1)
