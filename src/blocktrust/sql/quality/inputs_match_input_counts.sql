-- The day's input rows = the sum of its transactions' input_count.
with

declared as (
    select coalesce(sum(input_count), 0) as declared_inputs
    from raw.transactions
    where block_date = %(day)s
),

loaded as (
    select count(*) as loaded_inputs
    from raw.inputs
    where block_date = %(day)s
)

select
    declared.declared_inputs as expected,
    loaded.loaded_inputs as actual,
    '' as detail
from declared cross join loaded
