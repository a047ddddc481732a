-- Query asset raw_day_outputs: the gate day's rows of raw.outputs.
select * from raw.outputs where block_date = current_setting('blocktrust.gate_day')::date
