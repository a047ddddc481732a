{#-
    Post-hook: make sure `this` has an index on `columns` (a SQL column list such as
    'address, block_number desc'). The index name is <table>__<md5 of the definition>, so reruns
    find it and do nothing. On a full refresh dbt renames the previous table to a backup that still
    owns an index of that name: drop it from the backup (it is dropped after the commit anyway) and
    build it on the new table.
-#}
{% macro ensure_index(columns, unique=false, where=none) -%}
    {%- set definition = ('unique ' if unique else '') ~ columns ~ (' where ' ~ where if where else '') -%}
    {%- set index_name = (this.identifier ~ '__' ~ local_md5(definition))[:63] -%}
    do $ensure_index$
    declare
        owner_table text;
    begin
        select table_class.relname into owner_table
        from pg_index
        inner join pg_class as index_class on index_class.oid = pg_index.indexrelid
        inner join pg_class as table_class on table_class.oid = pg_index.indrelid
        inner join pg_namespace on pg_namespace.oid = index_class.relnamespace
        where pg_namespace.nspname = '{{ this.schema }}'
            and index_class.relname = '{{ index_name }}';
        if owner_table is not null and owner_table <> '{{ this.identifier }}' then
            execute 'drop index {{ this.schema }}.{{ index_name }}';
        end if;
        if owner_table is null or owner_table <> '{{ this.identifier }}' then
            execute $create$
                create {{ 'unique ' if unique }}index {{ index_name }}
                on {{ this }} ({{ columns }})
                {{- ' where ' ~ where if where }}
            $create$;
        end if;
    end
    $ensure_index$
{%- endmacro %}
