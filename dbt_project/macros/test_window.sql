{#-
    Row filters of the data tests: a daily run (var('window_start') set, see
    incremental_window.sql) tests only the rows its models could have rewritten, so its tests take
    time in proportion to the day, not to the history. Without the var (`blocktrust transform`
    without a window, --full-refresh, CI) every filter is `true` and the tests check everything.

    The window of the models starts at the first block dated on or after window_start; blocks
    dated up to 7 days earlier can follow it (block timestamps are not monotone), so the tests
    start 7 days before window_start. That is a superset of what the models redo (their
    scan_from_date is never older than start_date - 7).

    Generic tests filter the same way with their `where` config in the model yml files. dbt
    renders that config when it parses the yml, where project macros are not available, so it
    spells the predicate out with var('window_start') (without the late-input lowering below).
-#}

{#- var('window_start') as 'YYYY-MM-DD', or none. A YAML date or a string; anything else fails. -#}
{% macro test_window_start() -%}
    {%- set window_start = var('window_start', none) -%}
    {%- if window_start is none or window_start | string | trim == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set day = (window_start | string | trim)[:10] -%}
    {%- if modules is defined -%}
        {%- do modules.datetime.date.fromisoformat(day) -%}
    {%- endif -%}
    {{ return(day) }}
{%- endmacro %}

{#-
    The first day a daily run's tests check (rendered when the test runs): none without the var,
    else window_start - 7, lowered to 7 days before the oldest input that
    int_inputs_joined_to_spent_outputs re-resolved in this dbt invocation (a spent output that
    arrived after its spender): incremental_window() lowers every downstream model's window to
    it, so the tests follow (dbt build: same invocation). Looked up once and inlined as a
    literal, so the planner sees a plain date range.
-#}
{% macro test_window_first_day() -%}
    {%- set late_inputs = ref('int_inputs_joined_to_spent_outputs') -%}
    {%- set window_start = test_window_start() -%}
    {%- if window_start is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set first_day = window_start -%}
    {%- if execute -%}
        {%- set lowest_sql -%}
            select (least(
                date '{{ window_start }}',
                (
                    select min(block_date) from {{ late_inputs }}
                    where resolved_by_invocation_id = '{{ invocation_id }}'
                )
            ) - 7)::text
        {%- endset -%}
        {%- set first_day = run_query(lowest_sql).columns[0].values()[0] -%}
    {%- endif -%}
    {{ return(first_day) }}
{%- endmacro %}

{#- Predicate of the rows a singular test checks: `true` without the var, else
    `date_column >= test_window_first_day()`. -#}
{% macro in_test_window_of_invocation(date_column='block_date') -%}
    {%- set first_day = test_window_first_day() -%}
    {%- if first_day is none -%}
        true
    {%- else -%}
        {{ date_column }} >= date '{{ first_day }}'
    {%- endif -%}
{%- endmacro %}

{#-
    The window of a daily run's tests in blocks, cut as incremental_window() cuts the models'
    windows: [start_block, scan_from_date] with start_block the first height dated on or after
    first_day (test_window_first_day()) and scan_from_date the oldest day at or above it (block
    times are not monotone). Looked up once and inlined as literals.
-#}
{% macro test_window_blocks(first_day) -%}
    {#- ref() before any return: dbt records the dependency while it parses -#}
    {%- set blocks = ref('stg_bitcoin__blocks') -%}
    {%- if not execute -%}
        {{ return([0, first_day]) }}
    {%- endif -%}
    {%- set bounds_sql -%}
        with first_block as (
            select coalesce(
                (select min(block_number) from {{ blocks }}
                 where block_date >= date '{{ first_day }}'),
                (select coalesce(max(block_number), -1) + 1 from {{ blocks }})
            ) as start_block
        )
        select
            first_block.start_block,
            coalesce(
                (select min(block_date) from {{ blocks }}
                 where block_number >= first_block.start_block
                   and block_date >= date '{{ first_day }}' - 7),
                date '{{ first_day }}'
            )::text
        from first_block
    {%- endset -%}
    {%- set row = run_query(bounds_sql).rows[0] -%}
    {{ return([row[0] | int, row[1]]) }}
{%- endmacro %}

{#-
    Body of a CTE for the daily tests: one row per address with a ledger row in the window
    [start_block, scan_from_date] (test_window_blocks()), holding `columns` of its last ledger
    row before the window. One index probe per window row, correlated with the ledger table
    itself (the pattern Citus pushes down, as in fct_address_ledger), then one row per address.
-#}
{% macro ledger_rows_before_test_window(start_block, scan_from_date, columns) -%}
    select distinct on (window_ledger.address)
        window_ledger.address
        {%- for column in columns %},
        last_row.{{ column }}
        {%- endfor %}
    from {{ ref('fct_address_ledger') }} as window_ledger
    inner join lateral (
        select
            {%- for column in columns %}
            earlier.{{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ ref('fct_address_ledger') }} as earlier
        where
            earlier.address = window_ledger.address
            and earlier.block_number < {{ start_block }}
        order by earlier.block_number desc, earlier.transaction_index desc
        limit 1
    ) as last_row on true
    where
        window_ledger.block_number >= {{ start_block }}
        and window_ledger.block_date >= date '{{ scan_from_date }}'
    order by window_ledger.address
{%- endmacro %}
