-- The daily price series is replaced as a whole.
delete from raw.prices_btc_usd_daily
