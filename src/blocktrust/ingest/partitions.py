"""Is a day's partition in the lake yet? What the DAG's sensor asks on every poke."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from blocktrust.ingest.errors import MissingPartitionError
from blocktrust.lake import lake_root

if TYPE_CHECKING:
    from blocktrust.settings import Settings


def missing_partition(
    settings: Settings, day: date, lake_url: str | None = None, lake_format: str | None = None
) -> MissingPartitionError | None:
    """None when both chain partitions of ``day`` hold files of the format; else the error."""
    from blocktrust.ingest.loader import day_files

    try:
        day_files(
            lake_root(lake_url or settings.lake_url), day, lake_format or settings.lake_format
        )
    except MissingPartitionError as err:
        return err
    return None


def poke_partition(settings: Settings, day: date, now: datetime, deadline: datetime) -> bool:
    """One poke: True when ready, False to wait; MissingPartitionError once past ``deadline``.

    The deadline is relative to the data interval, so a run for a long-past day whose partition
    is absent fails at once with a clear message instead of waiting out the sensor timeout.
    """
    missing = missing_partition(settings, day)
    if missing is None:
        return True
    if now >= deadline:
        raise MissingPartitionError(
            missing.day,
            missing.partition,
            missing.lake_format,
            note=f"gave up at {now.isoformat()} (deadline {deadline.isoformat()})",
        )
    return False
