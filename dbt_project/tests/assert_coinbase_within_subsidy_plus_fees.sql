-- A coinbase may claim less than subsidy + fees of its block, never more (blocks whose
-- transactions are all resolved; a pending fee is unknown).
with

transactions as (select * from {{ ref('fct_transactions') }}),

per_block as (
    select
        block_number,
        block_hash,
        sum(output_value_sats) filter (where is_coinbase) as coinbase_sats,
        sum(fee_sats) filter (where not is_coinbase) as fee_sats,
        bool_and(is_resolved) as is_resolved
    from transactions
    group by block_number, block_hash
)

select *
from per_block
where
    is_resolved
    and coinbase_sats > {{ block_subsidy_sats('block_number') }} + coalesce(fee_sats, 0)
