-- Citus only: distribute the raw tables. Applied by blocktrust.db.citus (as the cluster
-- superuser) after `create extension citus` and the worker registrations; idempotent (a table
-- already in pg_dist_partition is skipped), so `blocktrust db up --citus` runs it every time.
--
-- raw.transactions, raw.inputs, raw.outputs: hash-distributed on transaction_hash and
-- co-located, so one transaction's inputs and outputs sit on the same shard as the transaction
-- (a join on transaction_hash is shard-local). Their primary keys already include
-- transaction_hash, so the partitioned DDL of sql/raw/001_raw_tables.sql is used unchanged;
-- new monthly partitions (raw.ensure_month_partitions) are distributed by Citus automatically.
-- raw.blocks: partitioned tables cannot be reference tables, so blocks are hash-distributed on
-- block_hash (in their key) in a colocation group of their own.
-- Small tables that the marts join (prices, tags): reference tables.
-- raw.quarantined_days and raw.load_audit stay plain tables on the coordinator. The staging
-- views filter every chain table with a subquery on quarantined_days: as a local table it is
-- read once on the coordinator and shipped as a result. As a reference table every shard task
-- would read its placement, and a dbt model that then creates a reference table in the same
-- transaction fails ("cannot perform DDL on placement ... read over multiple connections").
do $distribute$
declare
    tbl text;
begin
    if not exists (select 1 from pg_catalog.pg_extension where extname = 'citus') then
        raise exception 'the citus extension is not created in database %', current_database();
    end if;

    foreach tbl in array array['raw.transactions', 'raw.inputs', 'raw.outputs'] loop
        if not exists (
            select 1 from pg_catalog.pg_dist_partition where logicalrelid = tbl::regclass
        ) then
            perform create_distributed_table(
                tbl, 'transaction_hash', colocate_with => case
                    when tbl = 'raw.transactions' then 'none' else 'raw.transactions'
                end
            );
        end if;
    end loop;

    if not exists (
        select 1 from pg_catalog.pg_dist_partition where logicalrelid = 'raw.blocks'::regclass
    ) then
        perform create_distributed_table('raw.blocks', 'block_hash', colocate_with => 'none');
    end if;

    foreach tbl in array array[
        'raw.prices_btc_usd_daily', 'raw.address_tags'
    ] loop
        if not exists (
            select 1 from pg_catalog.pg_dist_partition where logicalrelid = tbl::regclass
        ) then
            perform create_reference_table(tbl);
        end if;
    end loop;

    -- The spent-output lookup (inputs by spending tx -> outputs by spent tx) and joins to
    -- raw.blocks are repartition joins; Citus refuses them unless this is on.
    execute format(
        'alter database %I set citus.enable_repartition_joins = on', current_database()
    );
end
$distribute$;
