-- The distinct (script type, address) pairs of %(day)s's outputs and resolved inputs, for the
-- address check done in Python (Base58Check / Bech32 / Bech32m need checksums SQL lacks).
select distinct
    script_type,
    unnest(addresses) as address
from raw.outputs
where block_date = %(day)s
union
select distinct
    script_type,
    unnest(addresses) as address
from raw.inputs
where block_date = %(day)s and addresses is not null
