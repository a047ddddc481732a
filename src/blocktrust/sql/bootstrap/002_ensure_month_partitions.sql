-- raw.ensure_month_partitions(d): the monthly partitions of raw.blocks, raw.transactions,
-- raw.inputs and raw.outputs that hold day d, created if missing (named raw.<table>_yYYYYmMM).
-- SECURITY DEFINER, owned by blocktrust_owner: the loader may add partitions (owned by the owner,
-- so the owner's default privileges grant the loader its rights) without owning the tables.
-- Call it in its own short transaction before the day's COPY transaction: creating a partition
-- locks the parent table until commit, which would serialise concurrent day loads.
create or replace function raw.ensure_month_partitions(d date)
returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    month_start date := date_trunc('month', d)::date;
    month_end date := (date_trunc('month', d) + interval '1 month')::date;
    parent text;
    child text;
begin
    if d is null then
        raise exception 'raw.ensure_month_partitions: day is null';
    end if;
    foreach parent in array array['blocks', 'transactions', 'inputs', 'outputs'] loop
        child := format('%s_y%sm%s', parent, to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
        if to_regclass(format('raw.%I', child)) is null then
            begin
                execute format(
                    'create table raw.%I partition of raw.%I for values from (%L) to (%L)',
                    child, parent, month_start, month_end
                );
            exception when duplicate_table or unique_violation then
                null;  -- a concurrent load of the same month created it first
            end;
        end if;
    end loop;
end;
$$;

alter function raw.ensure_month_partitions(date) owner to blocktrust_owner;
revoke all on function raw.ensure_month_partitions(date) from public;
grant execute on function raw.ensure_month_partitions(date) to blocktrust_loader;
