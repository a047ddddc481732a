-- grain: one row per (address, balance_date), for the days the address had a transaction
{{
    config(
        pre_hook="{{ delete_window('balance_date', by='day') }}",
        post_hook=[
            "{{ ensure_index('address, balance_date', unique=true) }}",
            "{{ ensure_index('balance_date') }}",
            "{{ distribute_if_citus('address') }}",
        ],
    )
}}
{%- set w = incremental_window('balance_date') %}

-- End-of-day balance of each address on the days it transacted (the balance after its last
-- transaction of the day in chain order), marked to that day's close, with the average-cost
-- basis and the day's flows. Between two rows the balance is unchanged: a chart fills the days
-- in between with the previous row (see docs/queries.md, balance history).
-- Windows are whole days (scan_from_date), so a day is always recomputed from all its rows.
with

ledger as (
    select * from {{ ref('fct_address_ledger') }}
    where {{ in_window_days(w) }}
),

prices as (
    select * from {{ ref('dim_prices_daily') }}
),

ledger_ranked_within_day as (
    select
        *,
        row_number() over (
            partition by address, block_date
            order by block_number desc, transaction_index desc
        ) as rank_from_end_of_day,
        sum(received_sats) over per_day as day_received_sats,
        sum(sent_sats) over per_day as day_sent_sats,
        count(*) over per_day as day_tx_count
    from ledger
    window per_day as (partition by address, block_date)
),

final as (
    select
        ledger_ranked_within_day.address,
        ledger_ranked_within_day.block_date as balance_date,
        ledger_ranked_within_day.balance_after_sats as balance_sats,
        prices.price_usd,
        {{ sats_to_usd('ledger_ranked_within_day.balance_after_sats', 'prices.price_usd') }}
            as balance_usd,
        ledger_ranked_within_day.cost_basis_after_usd as cost_basis_usd,
        ledger_ranked_within_day.day_received_sats::bigint as received_sats,
        ledger_ranked_within_day.day_sent_sats::bigint as sent_sats,
        ledger_ranked_within_day.day_tx_count as tx_count,
        ledger_ranked_within_day.block_number as last_block_number
    from ledger_ranked_within_day
    left join prices on ledger_ranked_within_day.block_date = prices.price_date
    where ledger_ranked_within_day.rank_from_end_of_day = 1
)

select * from final
