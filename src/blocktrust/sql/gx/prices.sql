-- Query asset raw_prices: every row of raw.prices_btc_usd_daily.
select * from raw.prices_btc_usd_daily
