{#-
    on-run-start: SQL functions the models use, created idempotently in schema intermediate.

    avg_cost_basis_usd(received_sats, sent_sats, received_usd, seed_balance_sats, seed_cost_usd)
    is an ordered aggregate for the average-cost basis of a running balance, used as a window
    function over an address's ledger in (block_number, transaction_index) order:
      - a receipt adds its USD value at the day's close to the cost (zero when no price);
      - a spend removes cost in proportion: cost *= balance_after / balance_before
        (receipts of the same transaction count first, so change does not realise cost);
      - the result is rounded to 8 decimals at every step, so an incremental run that seeds the
        state with the last stored (balance, cost) reproduces a full rebuild exactly.
    The seed arguments carry the state from the last ledger row before the window (constant per
    address; 0 on a full build). On Citus the functions must exist on every node (Citus 11+
    propagates CREATE FUNCTION/AGGREGATE; older versions need create_distributed_function).
-#}
{% macro create_warehouse_functions() -%}
    create schema if not exists intermediate;

    create or replace function intermediate.avg_cost_basis_step(
        state numeric[],
        received_sats bigint,
        sent_sats bigint,
        received_usd numeric,
        seed_balance_sats bigint,
        seed_cost_usd numeric
    ) returns numeric[]
    language sql immutable parallel safe
    as $step$
        select case
            when before_spend.balance_sats > 0
                then array[
                    before_spend.balance_sats - coalesce(sent_sats, 0),
                    round(
                        before_spend.cost_usd
                        * (before_spend.balance_sats - coalesce(sent_sats, 0))
                        / before_spend.balance_sats,
                        8
                    )
                ]
            else array[before_spend.balance_sats - coalesce(sent_sats, 0), 0::numeric]
        end
        from (
            select
                coalesce(state[1], seed_balance_sats, 0) + coalesce(received_sats, 0)
                    as balance_sats,
                coalesce(state[2], seed_cost_usd, 0) + coalesce(received_usd, 0) as cost_usd
        ) as before_spend
    $step$;

    create or replace function intermediate.avg_cost_basis_final(state numeric[])
    returns numeric
    language sql immutable parallel safe
    as $final$ select state[2] $final$;

    create or replace aggregate intermediate.avg_cost_basis_usd(
        bigint, bigint, numeric, bigint, numeric
    ) (
        sfunc = intermediate.avg_cost_basis_step,
        stype = numeric[],
        finalfunc = intermediate.avg_cost_basis_final
    );
{%- endmacro %}
