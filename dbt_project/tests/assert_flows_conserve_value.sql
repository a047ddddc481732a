-- The flow identity (docs/data-model.md): in every split transaction
--   1. the edges into each addressed output sum exactly to its value (largest remainder), so
--      sum(edges of the tx) = sum(addressed outputs) when every input has an address;
--   2. what an address sent = its edges out + its fee share, where the fee share is the
--      remainder; summed over the addresses the fee shares equal fee + unaddressed outputs;
--   3. each edge total lies within output_count satoshis of the exact proportional value
--      sent * addressed_outputs / total_input.
with

edges as (select * from {{ ref('int_flow_edges') }}),

inputs as (select * from {{ ref('int_inputs_joined_to_spent_outputs') }}),

outputs as (select * from {{ ref('stg_bitcoin__outputs') }}),

transactions as (select * from {{ ref('fct_transactions') }}),

split_transactions as (
    select distinct transaction_hash, block_number from edges
),

sent_per_address as (
    select
        inputs.transaction_hash,
        inputs.block_number,
        inputs.address,
        sum(inputs.value_sats) as sent_sats
    from inputs
    inner join split_transactions
        on
            inputs.transaction_hash = split_transactions.transaction_hash
            and inputs.block_number = split_transactions.block_number
    group by inputs.transaction_hash, inputs.block_number, inputs.address
),

addressed_outputs as (
    select
        outputs.transaction_hash,
        outputs.block_number,
        sum(outputs.value_sats) filter (where outputs.address is not null) as addressed_sats,
        count(*) filter (where outputs.address is not null) as addressed_count
    from outputs
    inner join split_transactions
        on
            outputs.transaction_hash = split_transactions.transaction_hash
            and outputs.block_number = split_transactions.block_number
    group by outputs.transaction_hash, outputs.block_number
),

edges_per_address as (
    select
        transaction_hash,
        block_number,
        from_address,
        sum(value_sats) as edge_sats
    from edges
    group by transaction_hash, block_number, from_address
),

per_address as (
    select
        sent_per_address.*,
        coalesce(edges_per_address.edge_sats, 0) as edge_sats,
        sent_per_address.sent_sats - coalesce(edges_per_address.edge_sats, 0) as fee_share_sats,
        transactions.input_value_sats,
        transactions.fee_sats,
        addressed_outputs.addressed_sats,
        addressed_outputs.addressed_count,
        transactions.output_value_sats
    from sent_per_address
    inner join transactions
        on
            sent_per_address.transaction_hash = transactions.transaction_hash
            and sent_per_address.block_number = transactions.block_number
    inner join addressed_outputs
        on
            sent_per_address.transaction_hash = addressed_outputs.transaction_hash
            and sent_per_address.block_number = addressed_outputs.block_number
    left join edges_per_address
        on
            sent_per_address.transaction_hash = edges_per_address.transaction_hash
            and sent_per_address.block_number = edges_per_address.block_number
            and sent_per_address.address = edges_per_address.from_address
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

select transaction_hash, block_number, 'edges do not sum to the addressed outputs' as failure
from per_transaction
where every_input_addressed and edge_sats <> addressed_sats
union all
select transaction_hash, block_number, 'fee shares do not sum to fee + unaddressed outputs'
from per_transaction
where
    every_input_addressed
    and fee_share_sats <> fee_sats + (output_value_sats - addressed_sats)
union all
select transaction_hash, block_number, 'an edge total strays from its proportional value'
from per_address
where
    address is not null
    and abs(edge_sats - sent_sats::numeric * addressed_sats / input_value_sats)
    > greatest(addressed_count, 1)
