{#- Satoshis to USD at a daily close: exact numeric, never float; null when no price. -#}
{% macro sats_to_usd(sats, price_usd) -%}
    ({{ sats }}::numeric * {{ price_usd }} / 100000000)
{%- endmacro %}

{#- Satoshis to BTC as exact numeric(24, 8). -#}
{% macro sats_to_btc(sats) -%}
    ({{ sats }}::numeric / 100000000)::numeric(24, 8)
{%- endmacro %}

{#- Block subsidy in satoshis at a height: 50 BTC halved every 210,000 blocks, 0 after 64. -#}
{% macro block_subsidy_sats(block_number) -%}
    (case
        when {{ block_number }} / 210000 >= 64 then 0
        else 5000000000::bigint >> ({{ block_number }} / 210000)::int
    end)
{%- endmacro %}
