-- Every block of the day has exactly one coinbase transaction, at index 0.
with

day_blocks as (
    select
        block_hash,
        block_number
    from raw.blocks
    where block_date = %(day)s
),

coinbases as (
    select
        block_hash,
        count(*) as coinbase_count,
        bool_and(transaction_index = 0) as is_first
    from raw.transactions
    where block_date = %(day)s and is_coinbase
    group by block_hash
),

checked as (
    select
        day_blocks.block_number,
        coalesce(coinbases.coinbase_count, 0) = 1 and coinbases.is_first as is_ok
    from day_blocks
    left join coinbases on day_blocks.block_hash = coinbases.block_hash
)

select
    count(*) as expected,
    count(*) filter (where is_ok) as actual,
    coalesce(
        'bad blocks: ' || string_agg(block_number::text, ', ' order by block_number)
            filter (where not is_ok),
        ''
    ) as detail
from checked
