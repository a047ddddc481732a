-- Query asset marts_address_flows: the address-to-address flows the marts publish.
select * from marts.fct_address_flows
