-- Check block_time_after_median_time_past ({batch} = the day's blocks): each block's time is
-- later than the median time of the (up to) 11 blocks before it, taken from the day and the
-- last 11 blocks loaded before it (Bitcoin's median-time-past rule; the median of n times is
-- the element n/2 of the sorted times, as in Bitcoin Core).
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

previous_blocks as (
    select
        blocks.block_number,
        blocks.block_timestamp
    from raw.blocks
    cross join gate
    where blocks.block_date < gate.gate_day
    order by blocks.block_date desc, blocks.block_number desc
    limit 11
),

chain as (
    select block_number, block_timestamp from day_blocks
    union all
    select block_number, block_timestamp from previous_blocks
),

with_median_time_past as (
    select
        day_blocks.block_number,
        day_blocks.block_timestamp,
        window_times.time_count,
        window_times.sorted_times[window_times.time_count / 2 + 1] as median_time_past
    from day_blocks
    cross join lateral (
        select
            count(*) as time_count,
            array_agg(chain.block_timestamp order by chain.block_timestamp) as sorted_times
        from chain
        where chain.block_number between day_blocks.block_number - 11 and day_blocks.block_number - 1
    ) as window_times
),

violations as (
    select
        block_number,
        'block ' || block_number || ' time ' || block_timestamp
        || ' is not after the median time past ' || median_time_past || ' of the '
        || time_count || ' blocks before it' as violation
    from with_median_time_past
    where time_count > 0 and block_timestamp <= median_time_past
)

select * from violations
