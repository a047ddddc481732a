-- Ledger of an address, newest first: the page after the last row shown (keyset, no offset),
-- so a deep page costs the same as the first.
-- Parameters (psycopg, named): address, after_block_number, after_transaction_index, page_size
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
where
    address = %(address)s
    and (block_number, transaction_index)
    < (%(after_block_number)s::bigint, %(after_transaction_index)s::integer)
order by block_number desc, transaction_index desc
limit %(page_size)s
