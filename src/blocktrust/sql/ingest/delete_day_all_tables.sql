-- Remove one UTC day from the four raw chain tables before it is loaded again, in one statement
-- (one plan and one round trip instead of four; run unprepared so each delete is pruned to the
-- day's partition at plan time).
with
deleted_blocks as (delete from {blocks} where block_date = %(day)s),
deleted_transactions as (delete from {transactions} where block_date = %(day)s),
deleted_inputs as (delete from {inputs} where block_date = %(day)s)
delete from {outputs} where block_date = %(day)s
