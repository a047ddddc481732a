-- Stream rows in COPY text format into a raw table.
copy {table} ({columns}) from stdin
