-- grain: one row per (transaction_hash, block_hash, output_index)
with

source as (
    select * from {{ source('bitcoin', 'outputs') }}
    where {{ exclude_quarantined_days() }}
),

renamed as (
    select
        ---------- ids
        transaction_hash::text as transaction_hash,
        block_hash::text as block_hash,
        block_number,
        output_index,
        ---------- addresses (null for OP_RETURN; the raw text[] stays in raw;
        -- multisig members are readable from the key; see address_from_addresses)
        {{ address_from_addresses('addresses') }} as address,
        script_type,
        ---------- numerics
        value_sats,
        required_signatures,
        ---------- timestamps
        block_date
    from source
)

select * from renamed
