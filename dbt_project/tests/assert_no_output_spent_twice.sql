-- No output is spent by more than one input. An output is (transaction_hash, output_index,
-- block_number): the two outputs of a BIP30 duplicate txid are different outputs, and each input
-- spends the one int_inputs_joined_to_spent_outputs resolved (spent_block_number). One failing
-- row per output spent twice, naming its spenders as 'block_number:transaction_hash:input_index'.
-- A daily run (macros/test_window.sql) checks the outputs spent by inputs of its window against
-- every spend of them in history, so a spend in the window of an output spent years ago fails.
-- That lookup is by (spent_transaction_hash, spent_output_index): an index on those columns of
-- int_inputs_joined_to_spent_outputs makes it proportional to the window; without one it is a
-- scan of the inputs (no sort or aggregate of the history, though).
-- array_agg has no order by: Citus rejects an ordered array_agg in a multi-shard aggregate.
{%- set is_daily_run = test_window_start() is not none %}
with

-- not materialized: used twice, it would be copied whole instead of filtered
inputs as not materialized (
    select * from {{ ref('int_inputs_joined_to_spent_outputs') }}
),

resolved_spends as not materialized (
    select
        transaction_hash,
        block_number,
        input_index,
        spent_transaction_hash,
        spent_output_index,
        spent_block_number,
        block_date
    from inputs
    where spent_block_number is not null and not is_coinbase
),

window_spent_outputs as (
    select
        spent_transaction_hash,
        spent_output_index,
        spent_block_number
    from resolved_spends
    where {{ in_test_window_of_invocation() }}
),

spends_to_check as (
    select * from resolved_spends
    {%- if is_daily_run %}
    where (spent_transaction_hash, spent_output_index, spent_block_number) in (
            select
                spent_transaction_hash,
                spent_output_index,
                spent_block_number
            from window_spent_outputs
        )
    {%- endif %}
),

outputs_spent_twice as (
    select
        spent_transaction_hash,
        spent_output_index,
        spent_block_number,
        count(*) as spend_count,
        array_agg(
            block_number::text || ':' || transaction_hash || ':' || input_index::text
        ) as spending_inputs
    from spends_to_check
    group by spent_transaction_hash, spent_output_index, spent_block_number
    having count(*) > 1
)

select * from outputs_spent_twice
