-- A coinbase may claim less than subsidy + fees of its block, never more (blocks whose
-- transactions are all resolved; a pending fee is unknown). A daily run checks the blocks of its
-- window (macros/test_window.sql).
with

transactions as (
    select * from {{ ref('fct_transactions') }}
    where {{ in_test_window_of_invocation() }}
),

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
