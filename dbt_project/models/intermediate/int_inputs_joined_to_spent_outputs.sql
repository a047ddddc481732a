-- grain: one row per input (transaction_hash, block_number, input_index)
{{
    config(
        unique_key=['transaction_hash', 'block_number', 'input_index'],
        pre_hook="{{ delete_window(lower_for_late_inputs=false) }}",
        post_hook=[
            "{{ ensure_index('transaction_hash, block_number, input_index', unique=true) }}",
            "{{ ensure_index('block_date, block_number') }}",
            "{{ ensure_index('block_number', where='is_pending') }}",
            "{{ ensure_index('resolved_by_invocation_id', where='resolved_by_invocation_id is not null') }}",
            "{{ distribute_if_citus('transaction_hash') }}",
        ],
    )
}}
{%- set w = incremental_window(lower_for_late_inputs=false) %}

-- Unenriched inputs (bitcoin-etl before enrich_transactions) carry no value or address: take
-- them from the output they spend. Txids repeat (BIP30), so the spent output is the latest one
-- with that (transaction_hash, output_index) at or below the spending block. An input whose
-- spent output is not loaded yet stays is_pending; later runs re-resolve pending rows from
-- before their window and mark them with the invocation id, which lowers the window of every
-- downstream model (macro incremental_window) so those transactions are redone too.
with

window_inputs as (
    select
        transaction_hash,
        block_number,
        block_hash,
        block_date,
        input_index,
        spent_transaction_hash,
        spent_output_index,
        is_coinbase,
        is_enriched,
        address as source_address,
        script_type as source_script_type,
        value_sats as source_value_sats,
        false as was_pending
    from {{ ref('stg_bitcoin__inputs') }}
    where {{ in_window(w) }}
),

{% if w is not none %}
earlier_pending_inputs as (
    select
        transaction_hash,
        block_number,
        block_hash,
        block_date,
        input_index,
        spent_transaction_hash,
        spent_output_index,
        is_coinbase,
        is_enriched,
        source_address,
        source_script_type,
        source_value_sats,
        true as was_pending
    from {{ this }}
    where is_pending and block_number < {{ w.start_block }}
),
{% else %}
earlier_pending_inputs as (
    select * from window_inputs
    where false
),
{% endif %}

inputs as (
    select * from window_inputs
    union all
    select * from earlier_pending_inputs
),

spent_outputs as (
    select * from {{ ref('int_outputs') }}
),

inputs_joined_to_candidate_outputs as (
    select
        inputs.transaction_hash,
        inputs.block_number,
        inputs.input_index,
        spent_outputs.block_number as spent_block_number,
        spent_outputs.address as spent_address,
        spent_outputs.script_type as spent_script_type,
        spent_outputs.value_sats as spent_value_sats,
        row_number() over (
            partition by inputs.transaction_hash, inputs.block_number, inputs.input_index
            order by spent_outputs.block_number desc
        ) as candidate_rank
    from inputs
    inner join spent_outputs
        on
            inputs.spent_transaction_hash = spent_outputs.transaction_hash
            and inputs.spent_output_index = spent_outputs.output_index
            and inputs.block_number >= spent_outputs.block_number
    where not inputs.is_coinbase
),

latest_spent_outputs as (
    select * from inputs_joined_to_candidate_outputs
    where candidate_rank = 1
),

resolved as (
    select
        ---------- ids
        inputs.transaction_hash,
        inputs.block_number,
        inputs.input_index,
        inputs.block_hash,
        inputs.spent_transaction_hash,
        inputs.spent_output_index,
        latest_spent_outputs.spent_block_number,
        ---------- resolved values (source first, spent output when unenriched)
        coalesce(inputs.source_address, latest_spent_outputs.spent_address) as address,
        coalesce(inputs.source_script_type, latest_spent_outputs.spent_script_type)
            as script_type,
        coalesce(inputs.source_value_sats, latest_spent_outputs.spent_value_sats) as value_sats,
        ---------- source values (kept so that pending rows can be re-resolved later)
        inputs.source_address,
        inputs.source_script_type,
        inputs.source_value_sats,
        ---------- booleans
        inputs.is_coinbase,
        inputs.is_enriched,
        (
            not inputs.is_coinbase
            and inputs.source_value_sats is null
            and latest_spent_outputs.spent_value_sats is null
        ) as is_pending,
        ---------- lineage
        case
            when inputs.was_pending and latest_spent_outputs.spent_value_sats is not null
                then '{{ invocation_id }}'
        end as resolved_by_invocation_id,
        ---------- dates
        inputs.block_date
    from inputs
    left join latest_spent_outputs
        on
            inputs.transaction_hash = latest_spent_outputs.transaction_hash
            and inputs.block_number = latest_spent_outputs.block_number
            and inputs.input_index = latest_spent_outputs.input_index
),

final as (
    select * from resolved
)

select * from final
