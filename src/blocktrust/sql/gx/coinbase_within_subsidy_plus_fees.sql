-- Check coinbase_within_subsidy_plus_fees ({batch} = the day's transactions): a coinbase pays
-- at most the block subsidy (50 BTC halved every 210,000 blocks) plus the fees of its block.
-- Blocks with a transaction whose fee the source left unknown are skipped here (the warehouse
-- checks them once the fees are resolved).
with

day_transactions as (
    select
        block_number,
        block_hash,
        is_coinbase,
        output_value_sats,
        fee_sats
    from {batch} as batch_rows
),

per_block as (
    select
        block_number,
        block_hash,
        sum(output_value_sats) filter (where is_coinbase) as coinbase_sats,
        coalesce(sum(fee_sats) filter (where not is_coinbase), 0) as fee_sats,
        count(*) filter (where not is_coinbase and fee_sats is null) as unknown_fee_count
    from day_transactions
    group by block_number, block_hash
),

with_subsidy as (
    select
        per_block.*,
        subsidy.subsidy_sats
    from per_block
    cross join lateral (
        select
            case
                when per_block.block_number / 210000 >= 64 then 0
                else 5000000000::bigint >> (per_block.block_number / 210000)::integer
            end as subsidy_sats
    ) as subsidy
),

violations as (
    select
        block_number,
        'coinbase of block ' || block_number || ' pays ' || coinbase_sats || ' sats > subsidy '
        || subsidy_sats || ' + fees ' || fee_sats as violation
    from with_subsidy
    where unknown_fee_count = 0 and coinbase_sats > subsidy_sats + fee_sats
)

select * from violations
