-- Check outputs_match_output_count ({batch} = the day's transactions): each transaction has as
-- many output rows loaded as its output_count, and every output row belongs to a transaction of
-- the day.
with

gate as (
    select current_setting('blocktrust.gate_day')::date as gate_day
),

day_transactions as (
    select
        block_number,
        block_hash,
        transaction_hash,
        output_count
    from {batch} as batch_rows
),

loaded_per_transaction as (
    select
        outputs.block_hash,
        outputs.transaction_hash,
        min(outputs.block_number) as block_number,
        count(*) as loaded_count
    from raw.outputs
    cross join gate
    where outputs.block_date = gate.gate_day
    group by outputs.block_hash, outputs.transaction_hash
),

violations as (
    select
        day_transactions.block_number,
        'transaction ' || day_transactions.transaction_hash || ' declares '
        || day_transactions.output_count || ' outputs, '
        || coalesce(loaded_per_transaction.loaded_count, 0) || ' loaded' as violation
    from day_transactions
    left join loaded_per_transaction
        on
            day_transactions.block_hash = loaded_per_transaction.block_hash
            and day_transactions.transaction_hash = loaded_per_transaction.transaction_hash
    where coalesce(loaded_per_transaction.loaded_count, 0) <> day_transactions.output_count

    union all

    select
        loaded_per_transaction.block_number,
        loaded_per_transaction.loaded_count || ' outputs name transaction '
        || loaded_per_transaction.transaction_hash
        || ', which is not a transaction of the day' as violation
    from loaded_per_transaction
    where not exists (
        select 1
        from day_transactions
        where
            day_transactions.block_hash = loaded_per_transaction.block_hash
            and day_transactions.transaction_hash = loaded_per_transaction.transaction_hash
    )
)

select * from violations
