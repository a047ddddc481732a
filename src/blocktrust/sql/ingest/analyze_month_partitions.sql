-- Refresh the planner statistics of the month partitions that hold this day (after loading).
select raw.analyze_month_partitions(%(day)s::date)
