-- Check parent_hash_matches ({batch} = the day's blocks): each block's previous_block_hash is
-- the hash of the block one lower, found in the same day or as the last block loaded before
-- the day. Blocks whose source carries no previous hash (plain bitcoin-etl) are not checked.
with

gate as (
    select current_setting('blocktrust.gate_day')::date as gate_day
),

day_blocks as (
    select
        block_number,
        block_hash,
        previous_block_hash
    from {batch} as batch_rows
),

previous_block as (
    select
        blocks.block_number,
        blocks.block_hash
    from raw.blocks
    cross join gate
    where blocks.block_date < gate.gate_day
    order by blocks.block_date desc, blocks.block_number desc
    limit 1
),

candidate_parents as (
    select block_number, block_hash from day_blocks
    union all
    select block_number, block_hash from previous_block
),

violations as (
    select
        child.block_number,
        'block ' || child.block_number || ' has previous_block_hash '
        || child.previous_block_hash || ' but block ' || parent.block_number
        || ' has hash ' || parent.block_hash as violation
    from day_blocks as child
    inner join candidate_parents as parent on parent.block_number = child.block_number - 1
    where
        child.previous_block_hash is not null
        and child.previous_block_hash <> parent.block_hash
)

select * from violations
