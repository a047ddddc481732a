-- Open a quarantine for %(day)s, or refresh the reason of the one already open.
insert into raw.quarantined_days (block_date, reason)
values (%(day)s, %(reason)s)
on conflict (block_date) where released_at is null
do update set reason = excluded.reason
