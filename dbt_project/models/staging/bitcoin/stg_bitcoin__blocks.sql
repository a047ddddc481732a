-- grain: one row per block (block_hash)
with

source as (
    select * from {{ source('bitcoin', 'blocks') }}
    where {{ exclude_quarantined_days() }}
),

renamed as (
    select
        ---------- ids
        block_hash::text as block_hash,
        block_number,
        previous_block_hash::text as previous_block_hash,
        merkle_root::text as merkle_root,
        ---------- numerics
        transaction_count,
        size as size_bytes,
        stripped_size as stripped_size_bytes,
        weight as weight_units,
        version,
        nonce,
        bits,
        coinbase_param,
        ---------- timestamps
        block_date,
        block_timestamp as mined_at
    from source
)

select * from renamed
