{#- Heights form one contiguous run between the lowest and the highest loaded block. -#}
{% test no_height_gaps(model, column_name) %}
with heights as (
    select
        {{ column_name }} as height,
        lag({{ column_name }}) over (order by {{ column_name }}) as previous_height
    from {{ model }}
)
select * from heights
where height - previous_height <> 1
{% endtest %}

{#- Each block's previous_block_hash is the hash of the loaded block one lower (when known). -#}
{% test parent_hash_matches(model, column_name, hash_column='block_hash', height_column='block_number') %}
select child.{{ height_column }}, child.{{ column_name }}, parent.{{ hash_column }} as parent_hash
from {{ model }} as child
inner join {{ model }} as parent on parent.{{ height_column }} = child.{{ height_column }} - 1
where child.{{ column_name }} is not null
    and child.{{ column_name }} <> parent.{{ hash_column }}
{% endtest %}

{#- The transactions loaded for each block are as many as its header says. -#}
{% test transaction_count_matches_header(model, column_name, transactions) %}
with loaded as (
    select block_hash, count(*) as loaded_count
    from {{ transactions }}
    group by block_hash
)
select blocks.block_hash, blocks.{{ column_name }}, loaded.loaded_count
from {{ model }} as blocks
left join loaded on blocks.block_hash = loaded.block_hash
where coalesce(loaded.loaded_count, 0) <> blocks.{{ column_name }}
{% endtest %}
