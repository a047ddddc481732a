-- The address's largest recipient (for the flows-between pair), itself excluded.
select to_address
from marts.fct_address_flows
where from_address = %(address)s and to_address <> from_address
order by value_sats desc, to_address
limit 1
