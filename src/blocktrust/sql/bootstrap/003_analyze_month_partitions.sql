-- raw.analyze_month_partitions(d): ANALYZE the monthly partitions of raw.blocks,
-- raw.transactions, raw.inputs and raw.outputs that hold day d (those that exist).
-- The loader calls it after loading days: the dbt run that follows selects the new day by
-- block_date, and with statistics from before the load PostgreSQL estimated 1 row for it and
-- joined the day's inputs and outputs in nested loops (quadratic in the day's size: 0.6 s for
-- 377 transactions at 1M, minutes at 10M). Autovacuum's threshold (10 % of a partition) is not
-- reached by one day of a month. SECURITY DEFINER, owned by blocktrust_owner, which owns the
-- partitions; the loader only has the right to call it.
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
        if child is not null then
            execute format('analyze %s', child);
        end if;
    end loop;
end;
$$;

alter function raw.analyze_month_partitions(date) owner to blocktrust_owner;
revoke all on function raw.analyze_month_partitions(date) from public;
grant execute on function raw.analyze_month_partitions(date) to blocktrust_loader;
