-- The ledger row at a depth (newest first): the keyset cursor of a deep page.
select block_number, transaction_index
from marts.fct_address_ledger
where address = %(address)s
order by block_number desc, transaction_index desc
offset %(depth)s
limit 1
