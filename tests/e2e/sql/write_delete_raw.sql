delete from raw.address_tags
