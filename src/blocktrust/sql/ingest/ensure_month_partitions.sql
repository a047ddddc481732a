-- Create the monthly partitions of the raw chain tables that hold this day (idempotent).
select raw.ensure_month_partitions(%(day)s::date)
