-- One row per load attempt of a day (status loaded | failed).
insert into raw.load_audit (
    block_date,
    lake_url,
    lake_format,
    files,
    row_counts,
    checksums,
    started_at,
    finished_at,
    duration_s,
    status
)
values (
    %(block_date)s,
    %(lake_url)s,
    %(lake_format)s,
    %(files)s,
    %(row_counts)s,
    %(checksums)s,
    %(started_at)s,
    %(finished_at)s,
    %(duration_s)s,
    %(status)s
)
