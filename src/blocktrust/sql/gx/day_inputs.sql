-- Query asset raw_day_inputs: the gate day's rows of raw.inputs.
select * from raw.inputs where block_date = current_setting('blocktrust.gate_day')::date
