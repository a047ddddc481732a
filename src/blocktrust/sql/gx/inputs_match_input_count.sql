-- Check inputs_match_input_count ({batch} = the day's transactions): each transaction has as
-- many input rows loaded as its input_count, and every input row belongs to a transaction of
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
        input_count
    from {batch} as batch_rows
),

loaded_per_transaction as (
    select
        inputs.block_hash,
        inputs.transaction_hash,
        min(inputs.block_number) as block_number,
        count(*) as loaded_count
    from raw.inputs
    cross join gate
    where inputs.block_date = gate.gate_day
    group by inputs.block_hash, inputs.transaction_hash
),

violations as (
    select
        day_transactions.block_number,
        'transaction ' || day_transactions.transaction_hash || ' declares '
        || day_transactions.input_count || ' inputs, '
        || coalesce(loaded_per_transaction.loaded_count, 0) || ' loaded' as violation
    from day_transactions
    left join loaded_per_transaction
        on
            day_transactions.block_hash = loaded_per_transaction.block_hash
            and day_transactions.transaction_hash = loaded_per_transaction.transaction_hash
    where coalesce(loaded_per_transaction.loaded_count, 0) <> day_transactions.input_count

    union all

    select
        loaded_per_transaction.block_number,
        loaded_per_transaction.loaded_count || ' inputs name transaction '
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
