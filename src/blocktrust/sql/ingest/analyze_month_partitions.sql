-- Refresh the planner statistics of the month partitions that hold the loaded days, where the
-- statistics do not know those days yet (after loading; returns the partitions analyzed).
select raw.analyze_month_partitions(%(days)s::date [])
