-- Ledger of an address, newest first: the first page.
-- Index: fct_address_ledger (address, block_number desc, transaction_index desc).
-- Parameters (psycopg, named): address, page_size
select
    block_number,
    transaction_index,
    transaction_hash,
    mined_at,
    received_sats,
    sent_sats,
    net_sats,
    balance_after_sats,
    price_usd,
    received_usd,
    sent_usd,
    balance_after_usd
from marts.fct_address_ledger
where address = %(address)s
order by block_number desc, transaction_index desc
limit %(page_size)s
