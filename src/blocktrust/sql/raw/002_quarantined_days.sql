-- raw.quarantined_days: days the quality gate stopped, with why. Flag-and-exclude: the raw rows
-- stay where they are; staging models skip days with an open row (released_at is null). A day
-- that passes a later gate run is released (released_at set); rows are never deleted, so the
-- table is the day's quarantine history. Applied by `blocktrust db up` (and by blocktrust.gx.quarantine).
create table if not exists raw.quarantined_days (
    block_date date not null,
    reason text not null,
    quarantined_at timestamptz not null default now(),
    released_at timestamptz,
    primary key (block_date, quarantined_at)
);

create unique index if not exists quarantined_days_open_idx
on raw.quarantined_days (block_date)
where released_at is null;

grant select on raw.quarantined_days to blocktrust_loader;
