update marts.dim_address_totals set balance_sats = 0 where address = %(address)s
