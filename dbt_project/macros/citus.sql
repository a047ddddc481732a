{#-
    Citus readiness. Post-hooks that distribute a table on Citus and do nothing on plain
    PostgreSQL: they act only when the citus extension is installed in this database and the
    table is not distributed yet (a --full-refresh builds a new, local table; an incremental run
    finds it already distributed and skips). pg_dist_partition exists only with Citus, hence the
    dynamic SQL.
-#}
{% macro _citus_once(call) -%}
    do $citus$
    declare
        already_distributed boolean;
    begin
        if exists (select 1 from pg_extension where extname = 'citus') then
            execute 'select exists (select 1 from pg_catalog.pg_dist_partition'
                || ' where logicalrelid = $1::regclass)'
                into already_distributed using '{{ this }}';
            if not already_distributed then
                execute {{ "$call$" ~ call ~ "$call$" }};
            end if;
        end if;
    end
    $citus$
{%- endmacro %}

{#- Large tables: hash-distributed on `column` (their unique keys include it). -#}
{% macro distribute_if_citus(column) -%}
    {{ _citus_once("select create_distributed_table('" ~ this ~ "', '" ~ column ~ "')") }}
{%- endmacro %}

{#- Small tables (prices, tags, daily network): reference tables, a copy on every node. -#}
{% macro reference_if_citus() -%}
    {{ _citus_once("select create_reference_table('" ~ this ~ "')") }}
{%- endmacro %}
