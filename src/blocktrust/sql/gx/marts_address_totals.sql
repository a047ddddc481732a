-- Query asset marts_address_totals: the per-address totals the marts publish.
select * from marts.dim_address_totals
