{#-
    The rank of dim_address_totals.recipient_floor_sats among an address's flows to other
    addresses. Two hops out (src/blocktrust/sql/queries/two_hops_out.sql) keeps the top
    hop2_limit recipients of each hop-1 address other than the origin address; they all lie at
    or above the (hop2_limit + 1)th-largest flow, so the floor serves hop2_limit up to this
    rank - 1 (the query reads every flow above that).
-#}
{% macro recipient_floor_rank() -%}
    {{ return(21) }}
{%- endmacro %}
