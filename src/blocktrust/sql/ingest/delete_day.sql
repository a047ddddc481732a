-- Remove one UTC day from a raw chain table before it is loaded again.
delete from {table} where block_date = %(day)s
