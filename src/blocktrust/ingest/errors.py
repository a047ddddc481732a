"""What can go wrong while loading, each with a message an operator can act on."""

from __future__ import annotations

from datetime import date


class IngestError(Exception):
    """Base of every loader error; the raw tables are unchanged when one is raised."""


class MissingPartitionError(IngestError):
    """A day's partition (or its files of the configured format) is not in the lake."""

    def __init__(self, day: date, partition: str, lake_format: str, note: str = "") -> None:
        self.day = day
        self.partition = partition
        self.lake_format = lake_format
        tail = f"; {note}" if note else ""
        super().__init__(
            f"partition missing: no {lake_format} files for {day.isoformat()} in {partition}{tail}"
        )


class BadInputError(IngestError):
    """A lake file could not be loaded; it was copied to the quarantine folder."""

    def __init__(self, source: str, location: str, detail: str, quarantined: str | None) -> None:
        self.source = source
        self.location = location
        self.detail = detail
        self.quarantined = quarantined
        where = f"{source}:{location}" if location else source
        tail = f" (quarantined to {quarantined})" if quarantined else ""
        super().__init__(f"bad input in {where}: {detail}{tail}")


class RecordOutOfPartitionError(ValueError):
    """A record whose UTC block date is not the partition's date."""

    def __init__(self, source: str, record: int, field: str, found: date, day: date) -> None:
        self.source = source
        self.location = f"record {record}"
        self.field = field
        super().__init__(
            f"{source}:record {record}: {field}: UTC date {found.isoformat()} "
            f"is not the partition date {day.isoformat()}"
        )


class ReferenceDataError(IngestError):
    """A price CSV or TagPack entry that cannot be loaded (names file and entry)."""
