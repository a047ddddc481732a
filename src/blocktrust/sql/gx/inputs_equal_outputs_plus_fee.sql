-- Check inputs_equal_outputs_plus_fee ({batch} = the day's transactions): output_value_sats is
-- the sum of the loaded outputs; for a non-coinbase transaction whose source resolved its
-- inputs (input_value_sats not null), input value = output value + fee and the loaded input
-- values add up to it. Unenriched transactions (input values unknown) are left to the
-- warehouse, which resolves the spent outputs (dbt test assert_resolved_inputs_equal_...).
with

gate as (
    select current_setting('blocktrust.gate_day')::date as gate_day
),

day_transactions as (
    select
        block_number,
        block_hash,
        transaction_hash,
        is_coinbase,
        input_value_sats,
        output_value_sats,
        fee_sats
    from {batch} as batch_rows
),

input_sums as (
    select
        inputs.block_hash,
        inputs.transaction_hash,
        count(*) as input_rows,
        count(inputs.value_sats) as valued_rows,
        sum(inputs.value_sats) as value_sats
    from raw.inputs
    cross join gate
    where inputs.block_date = gate.gate_day
    group by inputs.block_hash, inputs.transaction_hash
),

output_sums as (
    select
        outputs.block_hash,
        outputs.transaction_hash,
        sum(outputs.value_sats) as value_sats
    from raw.outputs
    cross join gate
    where outputs.block_date = gate.gate_day
    group by outputs.block_hash, outputs.transaction_hash
),

joined as (
    select
        day_transactions.*,
        coalesce(output_sums.value_sats, 0) as loaded_output_sats,
        input_sums.input_rows,
        input_sums.valued_rows,
        input_sums.value_sats as loaded_input_sats
    from day_transactions
    left join output_sums
        on
            day_transactions.block_hash = output_sums.block_hash
            and day_transactions.transaction_hash = output_sums.transaction_hash
    left join input_sums
        on
            day_transactions.block_hash = input_sums.block_hash
            and day_transactions.transaction_hash = input_sums.transaction_hash
),

violations as (
    select
        block_number,
        'transaction ' || transaction_hash || ' output_value_sats ' || output_value_sats
        || ' but its outputs sum to ' || loaded_output_sats as violation
    from joined
    where output_value_sats <> loaded_output_sats

    union all

    select
        block_number,
        'transaction ' || transaction_hash || ' inputs ' || input_value_sats || ' <> outputs '
        || output_value_sats || ' + fee ' || coalesce(fee_sats::text, 'null') as violation
    from joined
    where
        not is_coinbase
        and input_value_sats is not null
        and input_value_sats is distinct from output_value_sats + fee_sats

    union all

    select
        block_number,
        'transaction ' || transaction_hash || ' input_value_sats ' || input_value_sats
        || ' but its inputs sum to ' || loaded_input_sats as violation
    from joined
    where
        not is_coinbase
        and input_value_sats is not null
        and valued_rows = input_rows
        and input_value_sats <> loaded_input_sats
)

select * from violations
