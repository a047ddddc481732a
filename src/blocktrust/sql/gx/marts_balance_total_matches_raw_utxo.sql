-- Check marts_balance_total_matches_raw_utxo ({batch} = marts.dim_address_totals): the balances
-- the marts publish add up to the unspent addressed outputs computed straight from raw, up to
-- the last day the marts hold and without quarantined days: a reconciliation of the marts with
-- their source, independent of the dbt models in between.
with

address_totals as (
    select
        balance_sats,
        last_seen_date
    from {batch} as batch_rows
),

marts_horizon as (
    select max(last_seen_date) as last_date from address_totals
),

quarantined as (
    select block_date from raw.quarantined_days where released_at is null
),

addressed_outputs as (
    select
        outputs.transaction_hash,
        outputs.output_index,
        outputs.value_sats
    from raw.outputs
    cross join marts_horizon
    where
        outputs.block_date <= marts_horizon.last_date
        and cardinality(outputs.addresses) > 0
        and outputs.block_date not in (select block_date from quarantined)
),

spent_outpoints as (
    select distinct
        inputs.spent_transaction_hash,
        inputs.spent_output_index
    from raw.inputs
    cross join marts_horizon
    where
        inputs.block_date <= marts_horizon.last_date
        and inputs.spent_transaction_hash is not null
        and inputs.block_date not in (select block_date from quarantined)
),

compared as (
    select
        (select coalesce(sum(balance_sats), 0) from address_totals) as balance_total_sats,
        (
            select coalesce(sum(addressed_outputs.value_sats), 0)
            from addressed_outputs
            where not exists (
                select 1
                from spent_outpoints
                where
                    spent_outpoints.spent_transaction_hash = addressed_outputs.transaction_hash
                    and spent_outpoints.spent_output_index = addressed_outputs.output_index
            )
        ) as raw_utxo_total_sats
),

violations as (
    select
        balance_total_sats,
        raw_utxo_total_sats,
        'balances sum to ' || balance_total_sats || ' sats, raw unspent addressed outputs to '
        || raw_utxo_total_sats as violation
    from compared
    where balance_total_sats <> raw_utxo_total_sats
)

select * from violations
