-- grain: one row per output (transaction_hash, output_index, block_number)
{{
    config(
        pre_hook="{{ delete_window(lower_for_late_inputs=false) }}",
        post_hook=[
            "{{ ensure_index('transaction_hash, output_index, block_number desc') }}",
            "{{ ensure_index('block_date, block_number') }}",
            "{{ distribute_if_citus('transaction_hash') }}",
        ],
    )
}}
{%- set w = incremental_window(lower_for_late_inputs=false) %}

-- The outputs, indexed by (transaction_hash, output_index) so that inputs find the output they
-- spend without scanning history (raw.outputs is keyed by day).
with

outputs as (
    select * from {{ ref('stg_bitcoin__outputs') }}
    where {{ in_window(w) }}
),

final as (
    select
        transaction_hash,
        output_index,
        block_number,
        block_hash,
        block_date,
        address,
        script_type,
        value_sats
    from outputs
)

select * from final
