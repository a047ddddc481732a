"""Load one UTC day of the lake into raw.blocks/transactions/inputs/outputs, in one transaction.

The steps, as the loader role: create the month partitions (own short transaction), then in ONE
transaction delete the day from the four tables, COPY every file of the day (blocks first), insert
the audit row, commit.
A rerun therefore replaces the day; any error rolls back to the previous state. A file that cannot
be read (malformed record, truncated gzip, schema drift, a record of another day, a value the
table refuses) is copied to <lake>/quarantine/date=D/ with a reason file, and the error names it.

Records stream from ``read_file`` straight into COPY; the inputs and outputs of a transactions file
are spooled (memory, then disk) while its transactions stream, then copied, so memory stays flat.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from psycopg.copy import Copy, FileWriter
from psycopg.types.json import Jsonb

from blocktrust.chain.formats import ChainDataError, read_file
from blocktrust.db import connect
from blocktrust.ingest.errors import BadInputError, MissingPartitionError, RecordOutOfPartitionError
from blocktrust.ingest.quarantine import quarantine_file
from blocktrust.ingest.reference import load_prices, load_tags
from blocktrust.ingest.rows import (
    COLUMNS,
    RAW_TABLES,
    block_row,
    input_rows,
    output_rows,
    transaction_row,
)
from blocktrust.ingest.sqlfiles import query
from blocktrust.lake import CHAIN_TABLES, chain_partition, files_of_format, lake_root

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

    from blocktrust.settings import Settings

__all__ = [
    "LoadResult",
    "Progress",
    "load_day",
    "load_prices",
    "load_tags",
    "day_files",
    "iter_days",
]

log = logging.getLogger(__name__)

# progress(table, records of that table so far) runs every PROGRESS_EVERY records and after each
# file. An exception it raises aborts the load like any other: tests inject faults through it.
Progress = Callable[[str, int], None]
PROGRESS_EVERY = 1000
SPOOL_IN_MEMORY = 32 << 20
READ_CHUNK = 1 << 20

# Errors that mean "this file is bad", as opposed to "the database or network is down".
_BAD_FILE_ERRORS = (
    ChainDataError,
    RecordOutOfPartitionError,
    psycopg.errors.DataError,
    psycopg.errors.IntegrityError,
)


@dataclass(frozen=True)
class LoadResult:
    day: date
    files: tuple[str, ...]
    row_counts: dict[str, int]
    checksums: dict[str, str]  # file url -> sha256 of its bytes
    duration_s: float
    lake_url: str = ""
    lake_format: str = ""

    def summary(self) -> str:
        counts = ", ".join(f"{t}={self.row_counts[t]}" for t in RAW_TABLES)
        return f"{self.day.isoformat()}: {counts} ({len(self.files)} files, {self.duration_s:.2f}s)"


class _FileFailed(Exception):
    """Internal: one file's COPY failed on bad data; carries what the quarantine needs."""

    def __init__(self, table: str, path: Any, location: str, detail: str, cause: BaseException):
        super().__init__(detail)
        self.table = table
        self.path = path
        self.location = location
        self.detail = detail
        self.cause = cause


def day_files(
    root: ObjectStoragePath, day: date, lake_format: str
) -> dict[str, list[ObjectStoragePath]]:
    """The day's files per chain table; a table without files is a missing partition."""
    found: dict[str, list[ObjectStoragePath]] = {}
    for table in CHAIN_TABLES:
        partition = chain_partition(root, table, day)
        files = files_of_format(partition, lake_format)
        if not files:
            raise MissingPartitionError(day, str(partition), lake_format)
        found[table] = files
    return found


def sha256_of(path: ObjectStoragePath) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def load_day(
    settings: Settings,
    day: date,
    lake_url: str | None = None,
    lake_format: str | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Replace ``day`` in the raw chain tables with the lake's files of that day."""
    url = lake_url or settings.lake_url
    fmt = lake_format or settings.lake_format
    root = lake_root(url)
    files = day_files(root, day, fmt)
    all_files = [p for table in CHAIN_TABLES for p in files[table]]
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    checksums = {str(p): sha256_of(p) for p in all_files}
    counts = dict.fromkeys(RAW_TABLES, 0)
    tick = progress or _no_progress
    audit = {
        "block_date": day,
        "lake_url": url,
        "lake_format": fmt,
        "files": Jsonb([str(p) for p in all_files]),
        "checksums": Jsonb(checksums),
        "started_at": started_at,
    }
    try:
        with connect(settings, role="loader") as conn, conn.cursor() as cur:
            # Partitions in their own short transaction: creating one locks the parent table
            # until commit, which would serialise concurrent day loads. Empty ones are harmless.
            cur.execute(query("ingest", "ensure_month_partitions"), {"day": day})
            conn.commit()
            for table in RAW_TABLES:
                cur.execute(query("ingest", "delete_day", table=_raw(table)), {"day": day})
            for path in files["blocks"]:
                counts["blocks"] += _guarded(
                    "blocks", path, lambda p=path: _copy_blocks(cur, p, day, fmt, tick)
                )
            for path in files["transactions"]:
                added = _guarded(
                    "transactions", path, lambda p=path: _copy_transactions(cur, p, day, fmt, tick)
                )
                for table, n in added.items():
                    counts[table] += n
            duration = time.perf_counter() - clock
            cur.execute(
                query("ingest", "insert_load_audit"),
                audit | _audit_end(counts, duration, "loaded"),
            )
    except _FileFailed as failed:
        reason = f"{failed.path}:{failed.location}: {failed.detail}"
        target = _try_quarantine(root, day, failed, reason)
        _record_failure(settings, audit, time.perf_counter() - clock)
        raise BadInputError(str(failed.path), failed.location, failed.detail, target) from (
            failed.cause
        )
    except Exception:
        _record_failure(settings, audit, time.perf_counter() - clock)
        raise
    return LoadResult(
        day=day,
        files=tuple(str(p) for p in all_files),
        row_counts=counts,
        checksums=checksums,
        duration_s=duration,
        lake_url=url,
        lake_format=fmt,
    )


def _no_progress(table: str, rows: int) -> None:
    return None


def _raw(table: str) -> sql.Identifier:
    return sql.Identifier("raw", table)


def _copy_statement(table: str) -> sql.Composed | sql.SQL:
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS[table])
    return query("ingest", "copy_from_stdin", table=_raw(table), columns=columns)


def _audit_end(counts: dict[str, int], duration: float, status: str) -> dict[str, Any]:
    return {
        "row_counts": Jsonb(dict(counts)),
        "finished_at": datetime.now(UTC),
        "duration_s": duration,
        "status": status,
    }


def _guarded(table: str, path: ObjectStoragePath, copy: Callable[[], Any]) -> Any:
    """Run one file's COPY; turn a bad-data error into _FileFailed naming file and location."""
    try:
        return copy()
    except _BAD_FILE_ERRORS as err:
        raise _FileFailed(table, path, _location(err), str(err), err) from err


def _location(err: BaseException) -> str:
    location = getattr(err, "location", None)
    if location:
        return str(location)
    diag = getattr(err, "diag", None)
    if diag is not None and diag.context:
        # e.g. "COPY transactions, line 17, column fee_sats: ..." (line = row of that COPY)
        return diag.context.splitlines()[0]
    return ""


def _check_day(source: str, record: int, field_name: str, found: date, day: date) -> None:
    if found != day:
        raise RecordOutOfPartitionError(source, record, field_name, found, day)


def _copy_blocks(cur: psycopg.Cursor, path: ObjectStoragePath, day: date, fmt: str, tick) -> int:
    source = str(path)
    n = 0
    with cur.copy(_copy_statement("blocks")) as copy:
        for n, block in enumerate(read_file(path, "blocks", fmt), start=1):
            _check_day(source, n, "timestamp", block.block_date, day)
            copy.write_row(block_row(block))
            if n % PROGRESS_EVERY == 0:
                tick("blocks", n)
    tick("blocks", n)
    return n


@contextmanager
def _spool() -> Iterator[IO[bytes]]:
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="w+b") as fh:
        yield fh  # type: ignore[misc]


def _copy_transactions(
    cur: psycopg.Cursor, path: ObjectStoragePath, day: date, fmt: str, tick
) -> dict[str, int]:
    """One pass over the file: transactions stream to the server, inputs/outputs to spools.

    One connection runs one COPY at a time, so inputs and outputs are rendered by psycopg's
    COPY formatter into spools (``Copy`` on a ``FileWriter``) and sent right after.
    """
    source = str(path)
    counts = {"transactions": 0, "inputs": 0, "outputs": 0}
    formatter = cur.connection.cursor()  # only lends its adapters to the spool formatters
    with _spool() as inputs_spool, _spool() as outputs_spool:
        with (
            Copy(formatter, binary=False, writer=FileWriter(inputs_spool)) as inputs,
            Copy(formatter, binary=False, writer=FileWriter(outputs_spool)) as outputs,
            cur.copy(_copy_statement("transactions")) as copy,
        ):
            for n, tx in enumerate(read_file(path, "transactions", fmt), start=1):
                _check_day(source, n, "block_timestamp", tx.block_date, day)
                copy.write_row(transaction_row(tx))
                for row in input_rows(tx):
                    inputs.write_row(row)
                for row in output_rows(tx):
                    outputs.write_row(row)
                counts["inputs"] += len(tx.inputs)
                counts["outputs"] += len(tx.outputs)
                counts["transactions"] = n
                if n % PROGRESS_EVERY == 0:
                    tick("transactions", n)
        tick("transactions", counts["transactions"])
        for table, spool in (("inputs", inputs_spool), ("outputs", outputs_spool)):
            spool.seek(0)
            with cur.copy(_copy_statement(table)) as copy:
                while chunk := spool.read(READ_CHUNK):
                    copy.write(chunk)
            tick(table, counts[table])
    return counts


def _try_quarantine(root, day: date, failed: _FileFailed, reason: str) -> str | None:
    try:
        return str(quarantine_file(root, day, failed.table, failed.path, reason))
    except OSError as err:  # the original error matters more than the copy
        log.error("could not quarantine %s: %s", failed.path, err)
        return None


def _record_failure(settings: Settings, audit: dict[str, Any], duration: float) -> None:
    """A 'failed' audit row in its own transaction; never hides the original error."""
    try:
        with connect(settings, role="loader") as conn:
            conn.execute(
                query("ingest", "insert_load_audit"), audit | _audit_end({}, duration, "failed")
            )
    except Exception as err:
        log.warning("could not record the failed load of %s: %s", audit["block_date"], err)


def iter_days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
