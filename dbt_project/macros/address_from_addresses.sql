{#-
    One address key per script, from the text[] of addresses the lake gives:
    - exactly one address: that address;
    - several (bare multisig): a synthetic key 'multisig:' || the addresses sorted (byte order)
      and joined by ',', so the same key set always gives the same key;
    - none (OP_RETURN, unenriched input): null.
-#}
{% macro address_from_addresses(addresses) -%}
    case
        when cardinality({{ addresses }}) = 1 then {{ addresses }}[1]
        when cardinality({{ addresses }}) > 1
            then 'multisig:' || array_to_string(
                array(
                    select distinct member_address collate "C" as sorted_address
                    from unnest({{ addresses }}) as member_address
                    order by sorted_address
                ),
                ','
            )
    end
{%- endmacro %}
