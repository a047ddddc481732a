-- raw.analyze_month_partitions(days): ANALYZE the monthly partitions of raw.blocks,
-- raw.transactions, raw.inputs and raw.outputs that hold the loaded days, where the partition
-- has statistics that do not know one of those days yet. Returns the partitions analyzed.
-- The loader calls it once after loading days. The dbt run that follows selects the new days by
-- block_date; statistics taken before the load put a new day above the histogram's last value,
-- PostgreSQL estimated 1 row for it and joined the day's inputs and outputs in nested loops
-- (quadratic in the day's size: 0.6 s for 377 transactions at 1M, minutes at 10M). One day
-- does not reach autovacuum's threshold (10 % of the partition).
-- Left alone: partitions without statistics (autovacuum's; the planner then estimates from
-- their size, not 1 row: analyzing every new month of a bulk load cost 18 s of 65 s at 1M), and
-- partitions whose block_date statistics already list every loaded day of that month among
-- their most common values or inside their histogram (autovacuum analyzed the month after
-- those days arrived, as it does for most months of a bulk load).
-- SECURITY DEFINER, owned by blocktrust_owner, which owns the partitions; the loader only has
-- the right to call it.
drop function if exists raw.analyze_month_partitions(date);

create or replace function raw.analyze_month_partitions(days date[])
returns integer
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    month_start date;
    parent text;
    child_name text;
    analyzed integer := 0;
begin
    if days is null or array_position(days, null) is not null then
        raise exception 'raw.analyze_month_partitions: days must be dates, got %', days;
    end if;
    for month_start in
        select distinct date_trunc('month', d)::date from unnest(days) as d order by 1
    loop
        foreach parent in array array['blocks', 'transactions', 'inputs', 'outputs'] loop
            child_name := format(
                '%s_y%sm%s', parent, to_char(month_start, 'YYYY'), to_char(month_start, 'MM')
            );
            continue when to_regclass(format('raw.%I', child_name)) is null;
            continue when not exists (
                select 1 from pg_stats
                where schemaname = 'raw' and tablename = child_name and attname = 'block_date'
            );
            continue when not exists (
                select 1
                from unnest(days) as loaded (day)
                cross join pg_stats as stats
                where
                    date_trunc('month', loaded.day) = month_start
                    and stats.schemaname = 'raw'
                    and stats.tablename = child_name
                    and stats.attname = 'block_date'
                    and not coalesce(
                        loaded.day = any(stats.most_common_vals::text::date[]), false
                    )
                    and not coalesce(
                        loaded.day between (stats.histogram_bounds::text::date[])[1]
                        and (stats.histogram_bounds::text::date[])[
                            cardinality(stats.histogram_bounds::text::date[])
                        ],
                        false
                    )
            );
            execute format('analyze raw.%I', child_name);
            analyzed := analyzed + 1;
        end loop;
    end loop;
    return analyzed;
end;
$$;

alter function raw.analyze_month_partitions(date []) owner to blocktrust_owner;
revoke all on function raw.analyze_month_partitions(date []) from public;
grant execute on function raw.analyze_month_partitions(date []) to blocktrust_loader;
