-- Tags are replaced one tagpack (file stem) at a time.
delete from raw.address_tags where tagpack = %(tagpack)s
