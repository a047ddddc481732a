-- Daily balance of an address over a date range, every day (the days without a transaction
-- carry the previous balance), marked to each day's close. Starts from the last balance before
-- the range. Index: fct_address_daily_balances (address, balance_date).
-- Parameters (psycopg, named): address, date_from, date_to
with

activity as (
    select balance_date, balance_sats, cost_basis_usd
    from marts.fct_address_daily_balances
    where address = %(address)s and balance_date between %(date_from)s and %(date_to)s
    union all
    (
        select %(date_from)s::date, balance_sats, cost_basis_usd
        from marts.fct_address_daily_balances
        where address = %(address)s and balance_date < %(date_from)s
        -- matches the (address, balance_date) index, scanned backwards
        order by address desc, balance_date desc
        limit 1
    )
),

days as (
    select day::date as balance_date
    from generate_series(%(date_from)s::date, %(date_to)s::date, interval '1 day') as day
),

filled as (
    -- one lookup per day of the (small) activity set, both columns at once
    select
        days.balance_date,
        last_activity.balance_sats,
        last_activity.cost_basis_usd
    from days
    left join lateral (
        select activity.balance_sats, activity.cost_basis_usd
        from activity
        where activity.balance_date <= days.balance_date
        order by activity.balance_date desc
        limit 1
    ) as last_activity on true
)

select
    filled.balance_date,
    coalesce(filled.balance_sats, 0) as balance_sats,
    prices.price_usd,
    coalesce(filled.balance_sats, 0)::numeric * prices.price_usd / 100000000 as balance_usd,
    coalesce(filled.cost_basis_usd, 0) as cost_basis_usd
from filled
left join marts.dim_prices_daily as prices on filled.balance_date = prices.price_date
order by filled.balance_date
