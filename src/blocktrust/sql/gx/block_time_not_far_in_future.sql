-- Check block_time_not_far_in_future ({batch} = the day's blocks): no block time is more than
-- 2 hours ahead of the network's clock when the block was accepted. The clock is not recorded,
-- so its stand-in is the latest time among the next 11 blocks of the day (mined after it), or,
-- for the day's last block, the time the day was loaded (load_audit; now() if no audit row).
with

gate as (
    select current_setting('blocktrust.gate_day')::date as gate_day
),

day_blocks as (
    select
        block_number,
        block_timestamp
    from {batch} as batch_rows
),

day_load as (
    select max(load_audit.started_at) as loaded_at
    from raw.load_audit
    cross join gate
    where load_audit.block_date = gate.gate_day and load_audit.status = 'loaded'
),

with_reference_time as (
    select
        day_blocks.block_number,
        day_blocks.block_timestamp,
        coalesce(following.latest_time, day_load.loaded_at, now()) as reference_time
    from day_blocks
    cross join day_load
    cross join lateral (
        select max(later.block_timestamp) as latest_time
        from day_blocks as later
        where later.block_number between day_blocks.block_number + 1 and day_blocks.block_number + 11
    ) as following
),

violations as (
    select
        block_number,
        'block ' || block_number || ' time ' || block_timestamp || ' is more than 2 hours after '
        || reference_time || ' (latest of the next blocks, or the load time)' as violation
    from with_reference_time
    where block_timestamp > reference_time + interval '2 hours'
)

select * from violations
