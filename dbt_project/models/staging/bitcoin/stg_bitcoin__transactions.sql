-- grain: one row per (transaction_hash, block_hash); txids repeat across blocks (BIP30)
with

source as (
    select * from {{ source('bitcoin', 'transactions') }}
    where {{ exclude_quarantined_days() }}
),

renamed as (
    select
        ---------- ids
        transaction_hash::text as transaction_hash,
        block_hash::text as block_hash,
        block_number,
        transaction_index,
        ---------- booleans
        is_coinbase,
        ---------- numerics
        size as size_bytes,
        virtual_size as virtual_size_vbytes,
        version,
        lock_time,
        input_count,
        output_count,
        input_value_sats,
        output_value_sats,
        fee_sats,
        ---------- timestamps
        block_date,
        block_timestamp as mined_at
    from source
)

select * from renamed
