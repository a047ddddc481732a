-- A resolved non-coinbase transaction spends exactly its outputs plus a fee that is not negative.
-- A daily run checks the transactions of its window (macros/test_window.sql).
select *
from {{ ref('fct_transactions') }}
where
    {{ in_test_window_of_invocation() }}
    and is_resolved
    and not is_coinbase
    and (input_value_sats <> output_value_sats + fee_sats or fee_sats < 0)
