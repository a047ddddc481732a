-- Days in quarantine now, oldest first.
select
    block_date,
    reason,
    quarantined_at
from raw.quarantined_days
where released_at is null
order by block_date
