-- Check transactions_match_block_header ({batch} = the day's blocks): each block has as many
-- transactions loaded as its header's transaction_count, and every transaction of the day
-- belongs to a block of the day.
with

gate as (
    select current_setting('blocktrust.gate_day')::date as gate_day
),

day_blocks as (
    select
        block_number,
        block_hash,
        transaction_count
    from {batch} as batch_rows
),

loaded_per_block as (
    select
        transactions.block_hash,
        min(transactions.block_number) as block_number,
        count(*) as loaded_count
    from raw.transactions
    cross join gate
    where transactions.block_date = gate.gate_day
    group by transactions.block_hash
),

violations as (
    select
        day_blocks.block_number,
        'block ' || day_blocks.block_number || ' header says ' || day_blocks.transaction_count
        || ' transactions, ' || coalesce(loaded_per_block.loaded_count, 0)
        || ' loaded' as violation
    from day_blocks
    left join loaded_per_block on day_blocks.block_hash = loaded_per_block.block_hash
    where coalesce(loaded_per_block.loaded_count, 0) <> day_blocks.transaction_count

    union all

    select
        loaded_per_block.block_number,
        loaded_per_block.loaded_count || ' transactions name block ' || loaded_per_block.block_hash
        || ', which is not a block of the day' as violation
    from loaded_per_block
    where not exists (
        select 1 from day_blocks where day_blocks.block_hash = loaded_per_block.block_hash
    )
)

select * from violations
