{#-
    Citus readiness. Post-hooks that distribute a table on Citus and do nothing on plain
    PostgreSQL: they act only when the citus extension is installed in this database and the
    table is not distributed yet (a --full-refresh builds a new, local table; an incremental run
    finds it already distributed and skips). pg_dist_partition exists only with Citus, hence the
    dynamic SQL.
    After distributing, the coordinator's local copy of the rows (the CTAS result, now hidden
    behind the shards) is truncated, so the coordinator does not keep a second copy of each mart.
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
                execute 'select truncate_local_data_after_distributing_table($1::regclass)'
                    using '{{ this }}';
            end if;
        end if;
    end
    $citus$
{%- endmacro %}

{#-
    Large tables: hash-distributed on `column` (their unique keys include it). Co-location is
    chosen by key family, not left to Citus' default (which groups every table whose key has the
    same type and fails when the collations differ: `address` is collate "C", transaction_hash is
    not): address, from_address and to_address form one family, any other column name its own.
    The table joins the colocation group of the oldest distributed table of the same family with
    the same key type and collation, or starts a new group.
-#}
{% macro distribute_if_citus(column) -%}
    {{ _citus_once(
        "select create_distributed_table('" ~ this ~ "', '" ~ column ~ "', colocate_with => "
        ~ "coalesce((" ~ _citus_colocation_partner(column) ~ "), 'none'))"
    ) }}
{%- endmacro %}

{% macro _citus_colocation_partner(column) -%}
    select partner.logicalrelid::regclass::text
    from pg_catalog.pg_dist_partition as partner
    inner join pg_catalog.pg_attribute as partner_key
        on partner_key.attrelid = partner.logicalrelid
        and partner_key.attname = pg_catalog.column_to_column_name(
            partner.logicalrelid, partner.partkey
        )
    inner join pg_catalog.pg_attribute as own_key
        on own_key.attrelid = '{{ this }}'::regclass
        and own_key.attname = '{{ column }}'
    where partner.partmethod = 'h'
        and partner_key.atttypid = own_key.atttypid
        and partner_key.attcollation = own_key.attcollation
        and (
            case when partner_key.attname in ('address', 'from_address', 'to_address')
                then 'address' else partner_key.attname end
        ) = (
            case when '{{ column }}' in ('address', 'from_address', 'to_address')
                then 'address' else '{{ column }}' end
        )
    order by partner.logicalrelid::oid
    limit 1
{%- endmacro %}

{#- Small tables (prices, tags, daily network): reference tables, a copy on every node. -#}
{% macro reference_if_citus() -%}
    {{ _citus_once("select create_reference_table('" ~ this ~ "')") }}
{%- endmacro %}
