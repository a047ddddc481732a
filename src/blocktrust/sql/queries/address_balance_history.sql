-- Daily balance of an address over a date range, every day (the days without a transaction
-- carry the previous balance), marked to each day's close. Starts from the last balance before
-- the range. Index: fct_address_daily_balances (address, balance_date).
-- Parameters (psycopg, named): address, date_from, date_to
with

activity as (
    select balance_date, balance_sats, cost_basis_usd, 1 as priority
    from marts.fct_address_daily_balances
    where address = %(address)s and balance_date between %(date_from)s and %(date_to)s
    union all
    (
        -- the balance carried into the range, stamped on its first day
        select %(date_from)s::date, balance_sats, cost_basis_usd, 0 as priority
        from marts.fct_address_daily_balances
        where address = %(address)s and balance_date < %(date_from)s
        -- matches the (address, balance_date) index, scanned backwards
        order by address desc, balance_date desc
        limit 1
    )
),

activity_per_day as (
    -- a real row on the first day wins over the carried balance
    select distinct on (balance_date) balance_date, balance_sats, cost_basis_usd
    from activity
    order by balance_date asc, priority desc
),

days as (
    select day::date as balance_date
    from generate_series(%(date_from)s::date, %(date_to)s::date, interval '1 day') as day
),

grouped as (
    -- a day without activity falls in the group of the last active day before it
    select
        days.balance_date,
        activity_per_day.balance_sats,
        activity_per_day.cost_basis_usd,
        count(activity_per_day.balance_date) over (order by days.balance_date) as activity_group
    from days
    left join activity_per_day on days.balance_date = activity_per_day.balance_date
),

filled as (
    -- two window passes over the range's days: no per-day lookup
    select
        balance_date,
        first_value(balance_sats) over by_group as balance_sats,
        first_value(cost_basis_usd) over by_group as cost_basis_usd
    from grouped
    window by_group as (partition by activity_group order by balance_date)
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
