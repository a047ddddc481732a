-- Check one_coinbase_per_block ({batch} = the day's blocks): exactly one coinbase transaction
-- per block, at index 0.
with

gate as (
    select current_setting('blocktrust.gate_day')::date as gate_day
),

day_blocks as (
    select
        block_number,
        block_hash
    from {batch} as batch_rows
),

coinbases as (
    select
        transactions.block_hash,
        count(*) as coinbase_count,
        bool_and(transactions.transaction_index = 0) as is_first
    from raw.transactions
    cross join gate
    where transactions.block_date = gate.gate_day and transactions.is_coinbase
    group by transactions.block_hash
),

violations as (
    select
        day_blocks.block_number,
        'block ' || day_blocks.block_number || ' has '
        || coalesce(coinbases.coinbase_count, 0) || ' coinbase transactions'
        || case when coinbases.is_first = false then ' (not at index 0)' else '' end as violation
    from day_blocks
    left join coinbases on day_blocks.block_hash = coinbases.block_hash
    where coalesce(coinbases.coinbase_count, 0) <> 1 or not coinbases.is_first
)

select * from violations
