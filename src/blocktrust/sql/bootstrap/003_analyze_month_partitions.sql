-- raw.analyze_month_partitions(d): ANALYZE those monthly partitions of raw.blocks,
-- raw.transactions, raw.inputs and raw.outputs holding day d that already have statistics.
-- The loader calls it after loading days. The dbt run that follows selects the new day by
-- block_date; statistics taken before the load put that day above the histogram's last value,
-- PostgreSQL estimated 1 row for it and joined the day's inputs and outputs in nested loops
-- (quadratic in the day's size: 0.6 s for 377 transactions at 1M, minutes at 10M). One day
-- does not reach autovacuum's threshold (10 % of the partition). Partitions without statistics
-- are left to autovacuum: the planner then estimates from their size, not 1 row, and a bulk
-- load of many new months would otherwise spend a third of its time here (18 s of 65 s at 1M).
-- SECURITY DEFINER, owned by blocktrust_owner, which owns the partitions; the loader only has
-- the right to call it.
create or replace function raw.analyze_month_partitions(d date)
returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    month_start date := date_trunc('month', d)::date;
    parent text;
    child regclass;
begin
    if d is null then
        raise exception 'raw.analyze_month_partitions: day is null';
    end if;
    foreach parent in array array['blocks', 'transactions', 'inputs', 'outputs'] loop
        child := to_regclass(format(
            'raw.%I',
            format('%s_y%sm%s', parent, to_char(month_start, 'YYYY'), to_char(month_start, 'MM'))
        ));
        if child is not null and exists (
            select 1 from pg_stat_user_tables
            where relid = child and coalesce(last_analyze, last_autoanalyze) is not null
        ) then
            execute format('analyze %s', child);
        end if;
    end loop;
end;
$$;

alter function raw.analyze_month_partitions(date) owner to blocktrust_owner;
revoke all on function raw.analyze_month_partitions(date) from public;
grant execute on function raw.analyze_month_partitions(date) to blocktrust_loader;
