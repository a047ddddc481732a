-- Query asset raw_day_blocks: the gate day's rows of raw.blocks.
-- The day is the session setting blocktrust.gate_day, set on the gate's own connection.
select * from raw.blocks where block_date = current_setting('blocktrust.gate_day')::date
