{# Staging skips the days the quality gate quarantined (an open row in raw.quarantined_days).
   Flag-and-exclude: raw keeps every row; a day released by a later passing gate run comes back
   at the next transform of its window. See docs/quality.md. #}
{% macro exclude_quarantined_days(date_column='block_date') %}
    {{ date_column }} not in (
        select quarantined.block_date
        from {{ source('bitcoin', 'quarantined_days') }} as quarantined
        where quarantined.released_at is null
    )
{% endmacro %}
