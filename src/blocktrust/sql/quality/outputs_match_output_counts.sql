-- The day's output rows = the sum of its transactions' output_count.
with

declared as (
    select coalesce(sum(output_count), 0) as declared_outputs
    from raw.transactions
    where block_date = %(day)s
),

loaded as (
    select count(*) as loaded_outputs
    from raw.outputs
    where block_date = %(day)s
)

select
    declared.declared_outputs as expected,
    loaded.loaded_outputs as actual,
    '' as detail
from declared cross join loaded
