-- Check prices_no_undocumented_gaps ({batch} = raw.prices_btc_usd_daily): one row for every
-- day between the first and the last price, and forward-filled rows (is_filled) only on the
-- days the source is known to miss (DATA.md): the Mt.Gox halt 2011-06-19..26 and the short
-- gaps of August 2020 (2020-08-06, 2020-08-15, 2020-08-20..22; UTC dates of the CoinAPI series).
with

prices as (
    select
        price_date,
        is_filled
    from {batch} as batch_rows
),

documented_gaps as (
    select gap_day::date as gap_day
    from generate_series(date '2011-06-19', date '2011-06-26', interval '1 day') as gap_day
    union all
    select gap_day::date
    from generate_series(date '2020-08-20', date '2020-08-22', interval '1 day') as gap_day
    union all
    select date '2020-08-06'
    union all
    select date '2020-08-15'
),

calendar as (
    select calendar_day::date as calendar_day
    from
        generate_series(
            (select min(price_date) from prices),
            (select max(price_date) from prices),
            interval '1 day'
        ) as calendar_day
),

violations as (
    select
        calendar.calendar_day as price_date,
        'no price row for ' || calendar.calendar_day as violation
    from calendar
    left join prices on calendar.calendar_day = prices.price_date
    where prices.price_date is null

    union all

    select
        prices.price_date,
        'price of ' || prices.price_date
        || ' is forward-filled but the day is not a documented gap' as violation
    from prices
    where
        prices.is_filled
        and prices.price_date not in (select gap_day from documented_gaps)
)

select * from violations
