-- Query asset raw_day_transactions: the gate day's rows of raw.transactions.
select * from raw.transactions where block_date = current_setting('blocktrust.gate_day')::date
