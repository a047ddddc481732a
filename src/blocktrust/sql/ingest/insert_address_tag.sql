insert into raw.address_tags (address, label, category, source, tagpack)
values (%(address)s, %(label)s, %(category)s, %(source)s, %(tagpack)s)
