-- The day's transactions loaded = the sum of its blocks' header transaction_count.
with

day_blocks as (
    select
        count(*) as block_count,
        coalesce(sum(transaction_count), 0) as header_transactions
    from raw.blocks
    where block_date = %(day)s
),

day_transactions as (
    select count(*) as loaded_transactions
    from raw.transactions
    where block_date = %(day)s
)

select
    day_blocks.header_transactions as expected,
    day_transactions.loaded_transactions as actual,
    day_blocks.block_count || ' blocks' as detail
from day_blocks cross join day_transactions
