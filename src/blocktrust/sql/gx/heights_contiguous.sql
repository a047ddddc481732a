-- Check heights_contiguous ({batch} = the day's blocks): heights run without gap or repeat
-- within the day, and the day's first height follows the last block loaded before it. The link
-- to the earlier block is checked only when every day between the two was loaded (load_audit
-- status 'loaded'), so a backfill that loads days out of order does not fail on a day not yet
-- loaded; days with no blocks are fine.
with

gate as (
    select current_setting('blocktrust.gate_day')::date as gate_day
),

day_blocks as (
    select block_number from {batch} as batch_rows
),

previous_block as (
    select
        blocks.block_date,
        blocks.block_number
    from raw.blocks
    cross join gate
    where blocks.block_date < gate.gate_day
    order by blocks.block_date desc, blocks.block_number desc
    limit 1
),

days_not_loaded_between as (
    select count(*) as day_count
    from previous_block
    cross join gate
    cross join
        generate_series(
            previous_block.block_date + 1, gate.gate_day - 1, interval '1 day'
        ) as between_day
    where not exists (
        select 1
        from raw.load_audit
        where load_audit.block_date = between_day::date and load_audit.status = 'loaded'
    )
),

ordered_blocks as (
    select
        block_number,
        lag(block_number) over (order by block_number) as previous_number
    from day_blocks
),

first_block as (
    select min(block_number) as block_number from day_blocks
),

violations as (
    select
        block_number,
        'height ' || block_number || ' follows height ' || previous_number
        || ' of the same day (expected ' || (previous_number + 1) || ')' as violation
    from ordered_blocks
    where previous_number is not null and block_number <> previous_number + 1

    union all

    select
        first_block.block_number,
        'first height of the day ' || first_block.block_number
        || ' does not follow the last loaded height ' || previous_block.block_number
        || ' (' || previous_block.block_date || ')' as violation
    from first_block
    cross join previous_block
    cross join days_not_loaded_between
    where
        first_block.block_number is not null
        and days_not_loaded_between.day_count = 0
        and first_block.block_number <> previous_block.block_number + 1
)

select * from violations
