-- Month partitions of the bare-COPY target database for one day (same function as the loader).
select raw.ensure_month_partitions(%(day)s::date)
