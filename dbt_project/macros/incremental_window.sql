{#-
    The window an incremental model replaces. Returns none when the model builds from scratch
    (first run or --full-refresh), else a dict:
      start_date      var('window_start'), or the newest `watermark_column` value already in
                      the model's own table (redo the last day and anything newer);
      start_block     the lowest height dated on or after start_date. Windows are open-ended and
                      cut by height, not time: block timestamps are not monotone, so a block
                      dated the day before can follow the first block of start_date;
      scan_from_date  the oldest block_date at or above start_block (partition pruning of raw
                      tables and whole-day windows of the daily models).
    With lower_for_late_inputs, the window is lowered to the oldest input that
    int_inputs_joined_to_spent_outputs re-resolved in this invocation (a spent output that
    arrived after its spender), so every downstream model redoes those transactions too.
-#}
{% macro incremental_window(watermark_column='block_date', lower_for_late_inputs=true) %}
    {%- set blocks = ref('stg_bitcoin__blocks') -%}
    {%- if lower_for_late_inputs -%}
        {%- set late_inputs = ref('int_inputs_joined_to_spent_outputs') -%}
    {%- endif -%}
    {%- if not execute or this is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set start_date = var('window_start', none) -%}
    {%- if start_date is none -%}
        {%- set watermark_sql -%}
            select max({{ watermark_column }})::text from {{ this }}
        {%- endset -%}
        {%- set start_date = run_query(watermark_sql).columns[0].values()[0] -%}
        {%- if start_date is none -%}
            {{ return(none) }}
        {%- endif -%}
    {%- endif -%}
    {%- set window_sql -%}
        with
        requested as (
            select coalesce(
                (select min(block_number) from {{ blocks }}
                 where block_date >= '{{ start_date }}'::date),
                (select coalesce(max(block_number), -1) + 1 from {{ blocks }})
            ) as start_block,
            '{{ start_date }}'::date as start_date
        ),
        late as (
            {%- if lower_for_late_inputs %}
            select min(block_number) as start_block, min(block_date) as start_date
            from {{ late_inputs }}
            where resolved_by_invocation_id = '{{ invocation_id }}'
            {%- else %}
            select null::bigint as start_block, null::date as start_date
            {%- endif %}
        ),
        effective as (
            select
                least(requested.start_block, late.start_block) as start_block,
                least(requested.start_date, late.start_date) as start_date
            from requested cross join late
        )
        select
            effective.start_block,
            coalesce(
                (select min(block_date) from {{ blocks }}
                 where block_number >= effective.start_block
                   and block_date >= effective.start_date - 7),
                effective.start_date
            )::text as scan_from_date,
            effective.start_date::text as start_date
        from effective
    {%- endset -%}
    {%- set row = run_query(window_sql).rows[0] -%}
    {{ return({
        'start_block': row[0] | int,
        'scan_from_date': row[1],
        'start_date': row[2],
    }) }}
{% endmacro %}

{#- Predicate selecting the rows of a window (true when building from scratch). -#}
{% macro in_window(w, block_number='block_number', block_date='block_date') -%}
    {%- if w is none -%}
        true
    {%- else -%}
        ({{ block_date }} >= '{{ w.scan_from_date }}'::date
        and {{ block_number }} >= {{ w.start_block }})
    {%- endif -%}
{%- endmacro %}

{#- Predicate selecting whole days of a window, for the daily models. -#}
{% macro in_window_days(w, date_column='block_date') -%}
    {%- if w is none -%}
        true
    {%- else -%}
        {{ date_column }} >= '{{ w.scan_from_date }}'::date
    {%- endif -%}
{%- endmacro %}

{#-
    Pre-hook of the window models: delete the window from the model's table inside the
    model's transaction; delete+insert then inserts the recomputed window. Deleting by window
    (not only by the batch's keys) also removes rows whose source rows vanished on a reload.
-#}
{% macro delete_window(watermark_column='block_date', by='block', lower_for_late_inputs=true) -%}
    {%- set w = incremental_window(watermark_column, lower_for_late_inputs) -%}
    {%- if w is not none -%}
        {%- if by == 'block' %}
    delete from {{ this }}
    where {{ in_window(w) }}
        {%- else %}
    delete from {{ this }}
    where {{ in_window_days(w, watermark_column) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
