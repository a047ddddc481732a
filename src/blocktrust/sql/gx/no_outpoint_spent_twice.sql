-- Check no_outpoint_spent_twice ({batch} = the day's inputs): no outpoint (transaction hash,
-- output index) is spent by two inputs of the day, nor by an input of a day loaded before.
-- The lookup into earlier days scans raw.inputs unless it has an index on
-- (spent_transaction_hash, spent_output_index): see docs/quality.md.
with

gate as (
    select current_setting('blocktrust.gate_day')::date as gate_day
),

day_spends as (
    select
        block_number,
        transaction_hash,
        input_index,
        spent_transaction_hash,
        spent_output_index
    from {batch} as batch_rows
    where spent_transaction_hash is not null
),

spent_twice_within_day as (
    select
        spent_transaction_hash,
        spent_output_index,
        min(block_number) as block_number,
        count(*) as spend_count,
        string_agg(transaction_hash || ':' || input_index, ', ' order by transaction_hash) as spenders
    from day_spends
    group by spent_transaction_hash, spent_output_index
    having count(*) > 1
),

spent_before as (
    select
        day_spends.block_number,
        day_spends.transaction_hash,
        day_spends.spent_transaction_hash,
        day_spends.spent_output_index,
        earlier.block_number as earlier_block_number,
        earlier.transaction_hash as earlier_transaction_hash
    from day_spends
    cross join gate
    inner join raw.inputs as earlier
        on
            day_spends.spent_transaction_hash = earlier.spent_transaction_hash
            and day_spends.spent_output_index = earlier.spent_output_index
    where earlier.block_date < gate.gate_day
),

violations as (
    select
        block_number,
        'outpoint ' || spent_transaction_hash || ':' || spent_output_index || ' spent '
        || spend_count || ' times on the day (' || spenders || ')' as violation
    from spent_twice_within_day

    union all

    select
        block_number,
        'outpoint ' || spent_transaction_hash || ':' || spent_output_index
        || ' spent by ' || transaction_hash || ' was already spent by '
        || earlier_transaction_hash || ' in block ' || earlier_block_number as violation
    from spent_before
)

select * from violations
