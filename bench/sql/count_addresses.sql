-- Addresses in the warehouse.
select count(*) as n from marts.dim_address_totals
