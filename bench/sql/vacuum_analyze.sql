-- Steady state before the query step: visibility maps set and planner statistics fresh, as
-- autovacuum leaves a warehouse between loads.
vacuum (analyze)
