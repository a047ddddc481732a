{#-
    Post-hook (every intermediate and mart table, dbt_project.yml): ANALYZE `this` when it has
    never been analyzed, i.e. right after a first build or a --full-refresh (a new table).
    The next models of the same run plan against it at once; without statistics PostgreSQL
    guessed a third of fct_address_flows for `last_block_number >= start_block` and merge-joined
    every flow edge (3.4 s instead of milliseconds), and autovacuum comes too late for a run in
    progress. Incremental runs find statistics and skip it: a day changes a big table by far
    less than autovacuum's 10 % threshold, and the indexes give the planner the current ends of
    block_number ranges. A no-op for views (not in pg_stat_user_tables).
-#}
{% macro analyze_if_unanalyzed() -%}
    do $analyze_if_unanalyzed$
    begin
        if exists (
            select 1 from pg_stat_user_tables
            where relid = '{{ this }}'::regclass
                and last_analyze is null
                and last_autoanalyze is null
        ) then
            execute 'analyze {{ this }}';
        end if;
    end
    $analyze_if_unanalyzed$
{%- endmacro %}
