-- A resolved non-coinbase transaction spends exactly its outputs plus a fee that is not negative.
select *
from {{ ref('fct_transactions') }}
where
    is_resolved
    and not is_coinbase
    and (input_value_sats <> output_value_sats + fee_sats or fee_sats < 0)
