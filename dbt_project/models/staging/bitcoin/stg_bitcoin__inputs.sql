-- grain: one row per (transaction_hash, block_hash, input_index)
with

source as (
    select * from {{ source('bitcoin', 'inputs') }}
    where {{ exclude_quarantined_days() }}
),

renamed as (
    select
        ---------- ids
        transaction_hash::text as transaction_hash,
        block_hash::text as block_hash,
        block_number,
        input_index,
        spent_transaction_hash::text as spent_transaction_hash,
        spent_output_index,
        ---------- addresses (null when unenriched; the raw text[] stays in raw;
        -- multisig members are readable from the key; see address_from_addresses)
        {{ address_from_addresses('addresses') }} as address,
        script_type,
        ---------- numerics
        value_sats,
        sequence,
        required_signatures,
        ---------- booleans
        spent_transaction_hash is null as is_coinbase,
        value_sats is not null as is_enriched,
        ---------- timestamps
        block_date
    from source
)

select * from renamed
