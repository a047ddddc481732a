-- Close the open quarantine of %(day)s, if any; returns the closed row.
update raw.quarantined_days
set released_at = now()
where block_date = %(day)s and released_at is null
returning block_date, reason, quarantined_at, released_at
