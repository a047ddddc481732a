"""Load UTC days of the lake into raw.blocks/transactions/inputs/outputs, one transaction per day.

The steps, as the loader role: create the month partitions (own short transaction, once per month
and connection), then in ONE transaction delete the day from the four tables, COPY every file of
the day (blocks first), insert the audit row, commit.
A rerun therefore replaces the day; any error rolls back to the previous state. A file that cannot
be read (malformed record, truncated gzip, schema drift, a record of another day, a value the
table refuses) is copied to <lake>/quarantine/date=D/ with a reason file, and the error names it.

``load_day`` loads one day on a connection of its own (the DAG's task); ``DayLoader`` loads a
series of days on one connection (``blocktrust load --from --to``, the benchmark), each day still
its own transaction.

How it keeps up with the server: a reader thread reads and parses the files and renders the rows
as COPY text (``ingest.copytext``; bitcoin-etl JSON goes straight from msgspec structs to text) in
batches of at most BATCH_TRANSACTIONS transactions, while the calling thread sends the previous
batch to the server: parsing (Python, one core) overlaps the server's COPY work (its backend, the
other core). A batch is COPYed table by table (transactions, then its inputs, then its outputs),
so memory stays bounded by a few batches whatever the size of a day. The sha256 of each file is
computed while it is read (Parquet, which is read out of order, gets its own pass).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import queue
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from blocktrust.chain.formats import ChainDataError, aws_parquet, bigquery_json, etl_json, read_file
from blocktrust.chain.formats import _GuardedGzip as GuardedGzip
from blocktrust.chain.formats._jsonl import numbered_lines
from blocktrust.db import connect
from blocktrust.ingest.copytext import EtlTransactionText, row_text, transaction_texts
from blocktrust.ingest.errors import BadInputError, MissingPartitionError, RecordOutOfPartitionError
from blocktrust.ingest.quarantine import quarantine_file
from blocktrust.ingest.reference import load_prices, load_tags
from blocktrust.ingest.rows import COLUMNS, RAW_TABLES, block_row
from blocktrust.ingest.sqlfiles import query
from blocktrust.lake import (
    CHAIN_TABLES,
    FORMAT_SUFFIXES,
    chain_partition,
    files_of_format,
    lake_root,
    partition_key,
)

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

    from blocktrust.settings import Settings

__all__ = [
    "DayLoader",
    "LoadResult",
    "Progress",
    "load_day",
    "load_days",
    "load_prices",
    "load_tags",
    "day_files",
    "iter_days",
]

log = logging.getLogger(__name__)


# progress(table, records of that table so far) runs after every COPY of a batch and after each
# file. An exception it raises aborts the load like any other: tests inject faults through it.
Progress = Callable[[str, int], None]
BATCH_TRANSACTIONS = 5000
PREFETCH_EVENTS = 16  # reader thread's lead, in events (a batch is one event)
READ_CHUNK = 1 << 20
LOAD_SWITCH_INTERVAL_S = 0.0005
_TX_TABLES = ("transactions", "inputs", "outputs")
_FILE_TABLES = {"blocks": ("blocks",), "transactions": _TX_TABLES}  # raw tables a file fills
_READERS = {"bitcoin-etl": etl_json, "bigquery": bigquery_json, "aws-parquet": aws_parquet}

# Errors that mean "this file is bad", as opposed to "the database or network is down".
_BAD_FILE_ERRORS = (
    ChainDataError,
    RecordOutOfPartitionError,
    psycopg.errors.DataError,
    psycopg.errors.IntegrityError,
)
_COPY_CONTEXT = re.compile(r"COPY (\w+), line (\d+)")


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


# ---------------------------------------------------------------- reading (the reader thread)


@dataclass(frozen=True)
class _LakeFile:
    """A lake file opened through its fsspec filesystem directly.

    Building ObjectStoragePath objects (and their per-open hooks) costs about a millisecond per
    path, more than a small day's COPY; this has what the loader and the quarantine need: ``url``
    (what ``str(ObjectStoragePath)`` gives), ``name`` and ``open``.
    """

    url: str
    name: str
    fs: Any
    fs_path: str

    def open(self, mode: str = "rb") -> Any:
        return self.fs.open(self.fs_path, mode)

    def __str__(self) -> str:
        return self.url


class _Lake:
    """The day partitions of one lake root, listed with one fsspec ``ls`` each."""

    def __init__(self, root: Any, lake_format: str) -> None:
        self.fs = root.fs
        self.url = str(root).rstrip("/")
        self.path = str(root.path).rstrip("/")
        self.lake_format = lake_format
        self.suffixes = FORMAT_SUFFIXES[lake_format]

    def files(self, table: str, day: date) -> list[_LakeFile]:
        tail = f"bitcoin/{table}/{partition_key(day)}"
        try:
            entries = self.fs.ls(f"{self.path}/{tail}", detail=True)
        except FileNotFoundError:
            entries = []
        names = sorted(
            e["name"].rstrip("/").rsplit("/", 1)[-1]
            for e in entries
            if e.get("type") == "file" and e["name"].endswith(self.suffixes)
        )
        if not names:
            raise MissingPartitionError(day, f"{self.url}/{tail}", self.lake_format)
        return [
            _LakeFile(f"{self.url}/{tail}/{n}", n, self.fs, f"{self.path}/{tail}/{n}")
            for n in names
        ]

    def day_files(self, day: date) -> dict[str, list[_LakeFile]]:
        return {table: self.files(table, day) for table in CHAIN_TABLES}


@dataclass(frozen=True)
class _DayStart:
    day: date
    files: dict[str, list[Any]] | None
    missing: MissingPartitionError | None = None


@dataclass(frozen=True)
class _FileStart:
    table: str
    path: Any


@dataclass(frozen=True)
class _Batch:
    """COPY text per raw table, and the rows of each table this file had before the batch."""

    texts: dict[str, str]
    counts: dict[str, int]
    offsets: dict[str, int]


@dataclass(frozen=True)
class _FileEnd:
    path: Any
    checksum: str


@dataclass(frozen=True)
class _DayEnd:
    day: date


class _Hashing(io.RawIOBase):
    """A raw reader that feeds every byte it passes on into a sha256."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.digest.update(data)
        return n

    def rest(self) -> str:
        """Hash what nobody read (bytes after the last line, a gzip trailer): the whole file."""
        while chunk := self._raw.read(READ_CHUNK):
            self.digest.update(chunk)
        return self.digest.hexdigest()


def _drain(hashing: _Hashing) -> str:
    return hashing.rest()


@contextlib.contextmanager
def _open_hashed(path: Any) -> Iterator[tuple[io.BufferedReader, _Hashing]]:
    """The file's (decompressed) bytes, buffered; the hash is of the file's own bytes."""
    with path.open("rb") as raw:
        hashing = _Hashing(raw)
        if str(path.name).endswith(".gz"):
            inner: io.RawIOBase = GuardedGzip(hashing, str(path))  # type: ignore[arg-type]
        else:
            inner = hashing
        yield io.BufferedReader(inner, READ_CHUNK), hashing


def _check_day(source: str, record: int, field_name: str, found: date, day: date) -> None:
    if found != day:
        raise RecordOutOfPartitionError(source, record, field_name, found, day)


class _Reader:
    """Turns days of lake files into the event stream the loader COPYs."""

    def __init__(self, root: Any, lake_format: str, batch: int | None = None) -> None:
        self.lake = _Lake(root, lake_format)
        self.lake_format = lake_format
        self.batch = batch or BATCH_TRANSACTIONS
        self.etl = EtlTransactionText()

    def events(self, days: Iterable[date]) -> Iterator[Any]:
        for day in days:
            try:
                files = self.lake.day_files(day)
            except MissingPartitionError as missing:
                yield _DayStart(day, None, missing)
                continue
            yield _DayStart(day, files)
            for path in files["blocks"]:
                yield _FileStart("blocks", path)
                yield from self._blocks(path, day)
            for path in files["transactions"]:
                yield _FileStart("transactions", path)
                yield from self._transactions(path, day)
            yield _DayEnd(day)

    @contextlib.contextmanager
    def _file_records(
        self, path: Any, table: str
    ) -> Iterator[tuple[Iterator[Any], Callable[[], str]]]:
        """The canonical records of one file and, once they are read, the file's sha256."""
        if self.lake_format == "aws-parquet":
            # Parquet is read from its footer by row group: the hash needs a pass of its own.
            yield read_file(path, table, self.lake_format), lambda: sha256_of(path)
            return
        module = _READERS[self.lake_format]
        reader = module.read_blocks if table == "blocks" else module.read_transactions
        with _open_hashed(path) as (fh, hashing):
            yield reader(fh, str(path)), lambda: _drain(hashing)

    def _blocks(self, path: Any, day: date) -> Iterator[Any]:
        source = str(path)
        lines = []
        with self._file_records(path, "blocks") as (records, checksum):
            for n, block in enumerate(records, start=1):
                _check_day(source, n, "timestamp", block.block_date, day)
                lines.append(_render(source, n, row_text, block_row(block)))
            digest = checksum()
        yield _Batch({"blocks": "".join(lines)}, {"blocks": len(lines)}, {"blocks": 0})
        yield _FileEnd(path, digest)

    def _transactions(self, path: Any, day: date) -> Iterator[Any]:
        if self.lake_format == "bitcoin-etl":
            yield from self._etl_transactions(path, day)
            return
        source = str(path)
        batch = _BatchBuilder()
        with self._file_records(path, "transactions") as (records, checksum):
            for n, tx in enumerate(records, start=1):
                _check_day(source, n, "block_timestamp", tx.block_date, day)
                batch.add(*_render(source, n, transaction_texts, tx))
                if batch.transactions >= self.batch:
                    yield batch.take()
            if batch.transactions:
                yield batch.take()
            digest = checksum()
        yield _FileEnd(path, digest)

    def _etl_transactions(self, path: Any, day: date) -> Iterator[Any]:
        source = str(path)
        render = self.etl.render
        batch = _BatchBuilder()
        with _open_hashed(path) as (fh, hashing):
            for n, (line_no, raw) in enumerate(numbered_lines(fh), start=1):
                found, line, inputs, outputs = render(raw, source, line_no)
                if found != day:
                    raise RecordOutOfPartitionError(source, n, "block_timestamp", found, day)
                batch.add(line, inputs, outputs)
                if batch.transactions >= self.batch:
                    yield batch.take()
            if batch.transactions:
                yield batch.take()
            yield _FileEnd(path, _drain(hashing))


def _render(source: str, record: int, render: Callable[[Any], Any], value: Any) -> Any:
    try:
        return render(value)
    except ValueError as exc:  # e.g. a NUL character, which PostgreSQL text cannot hold
        raise ChainDataError(source, f"record {record}", None, str(exc)) from None


@dataclass
class _BatchBuilder:
    transactions: int = 0
    lines: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in _TX_TABLES})
    done: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_TX_TABLES, 0))

    def add(self, line: str, inputs: list[str], outputs: list[str]) -> None:
        self.lines["transactions"].append(line)
        self.lines["inputs"].extend(inputs)
        self.lines["outputs"].extend(outputs)
        self.transactions += 1

    def take(self) -> _Batch:
        counts = {t: len(rows) for t, rows in self.lines.items()}
        batch = _Batch({t: "".join(rows) for t, rows in self.lines.items()}, counts, self.done)
        self.done = {t: self.done[t] + counts[t] for t in _TX_TABLES}
        self.lines = {t: [] for t in _TX_TABLES}
        self.transactions = 0
        return batch


class _Prefetch:
    """Runs an event generator in a daemon thread, PREFETCH_EVENTS ahead of the consumer.

    An exception of the generator arrives in its place in the stream and is raised there.
    """

    _DONE = object()

    def __init__(self, events: Iterator[Any], depth: int = PREFETCH_EVENTS) -> None:
        self._events = events
        self._queue: queue.Queue[Any] = queue.Queue(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="blocktrust-load-reader")
        self._thread.daemon = True
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for event in self._events:
                if not self._put(event):
                    return
        except BaseException as exc:  # handed to the consumer, raised where it happened
            self._put(_Raised(exc))
            return
        self._put(self._DONE)

    def __iter__(self) -> Iterator[Any]:
        while True:
            item = self._queue.get()
            if item is self._DONE:
                return
            if isinstance(item, _Raised):
                raise item.error
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        with contextlib.suppress(Exception):
            self._events.close()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Raised:
    error: BaseException


# ---------------------------------------------------------------- loading (the calling thread)


class DayLoader:
    """Loads days on one connection; each day is its own transaction (see the module doc).

    ``with DayLoader(settings) as loader: for day, outcome in loader.load_many(days): ...``
    """

    def __init__(
        self, settings: Settings, lake_url: str | None = None, lake_format: str | None = None
    ) -> None:
        self.settings = settings
        self.lake_url = lake_url or settings.lake_url
        self.lake_format = lake_format or settings.lake_format
        self.root = lake_root(self.lake_url)
        self._conn: psycopg.Connection | None = None
        self._months: set[date] = set()  # month partitions known to exist
        self._loaded_days: set[date] = set()  # days committed since the last statistics check

    def __enter__(self) -> DayLoader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = connect(self.settings, role="loader")
            self._months.clear()
        return self._conn

    def load(self, day: date, progress: Progress | None = None) -> LoadResult:
        """Replace ``day``; raises MissingPartitionError, BadInputError or the database's error."""
        for _, outcome in self.load_many([day], progress):
            if isinstance(outcome, MissingPartitionError):
                raise outcome
            return outcome
        raise AssertionError("unreachable: load_many yields once per day")

    def load_many(
        self, days: Iterable[date], progress: Progress | None = None
    ) -> Iterator[tuple[date, LoadResult | MissingPartitionError]]:
        """(day, result) per day in order; a missing partition is yielded, not raised.

        Any other failure (bad file, database) raises after recording the day as failed; the
        days before it stay loaded.
        """
        reader = _Reader(self.root, self.lake_format)
        events = _Prefetch(reader.events(list(days)))
        # The reader thread holds the GIL while it parses; every reply of the server the calling
        # thread waits for would otherwise wait up to the default 5 ms switch interval.
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(switch_interval, LOAD_SWITCH_INTERVAL_S))
        try:
            stream = iter(events)
            for start in stream:
                assert isinstance(start, _DayStart), start
                if start.missing is not None:
                    yield start.day, start.missing
                    continue
                yield start.day, self._load_day(start, stream, progress or _no_progress)
        finally:
            sys.setswitchinterval(switch_interval)
            events.close()
            self._analyze_loaded_days()

    def _load_day(self, start: _DayStart, stream: Iterator[Any], tick: Progress) -> LoadResult:
        day = start.day
        assert start.files is not None
        all_files = [p for table in CHAIN_TABLES for p in start.files[table]]
        started_at = datetime.now(UTC)
        clock = time.perf_counter()
        counts = dict.fromkeys(RAW_TABLES, 0)
        checksums: dict[str, str] = {}
        audit = {
            "block_date": day,
            "lake_url": self.lake_url,
            "lake_format": self.lake_format,
            "files": Jsonb([str(p) for p in all_files]),
            "started_at": started_at,
        }
        current: _FileStart | None = None
        try:
            conn = self._connection()
            with conn.cursor() as cur:
                self._ensure_partitions(conn, cur, day)
                cur.execute(_delete_day_statement(), {"day": day}, prepare=False)
                for event in stream:
                    if isinstance(event, _Batch):
                        assert current is not None
                        for table, text in event.texts.items():
                            if not event.counts[table]:
                                continue
                            _copy_text(cur, current, table, text, event.offsets[table])
                            counts[table] += event.counts[table]
                            tick(table, counts[table])
                    elif isinstance(event, _FileStart):
                        current = event
                    elif isinstance(event, _FileEnd):
                        checksums[str(event.path)] = event.checksum
                        assert current is not None
                        for table in _FILE_TABLES[current.table]:
                            tick(table, counts[table])
                        current = None
                    elif isinstance(event, _DayEnd):
                        break
                duration = time.perf_counter() - clock
                cur.execute(
                    query("ingest", "insert_load_audit"),
                    audit
                    | {"checksums": Jsonb(checksums)}
                    | _audit_end(counts, duration, "loaded"),
                )
            conn.commit()
            self._loaded_days.add(day)
        except BaseException as err:
            self._rollback()
            failed = _as_file_failure(err, current)
            audit["checksums"] = Jsonb(_all_checksums(all_files, checksums))
            if failed is None:
                _record_failure(self.settings, audit, time.perf_counter() - clock)
                raise
            reason = f"{failed.path}:{failed.location}: {failed.detail}"
            target = _try_quarantine(self.root, day, failed, reason)
            _record_failure(self.settings, audit, time.perf_counter() - clock)
            raise BadInputError(str(failed.path), failed.location, failed.detail, target) from (
                failed.cause
            )
        return LoadResult(
            day=day,
            files=tuple(str(p) for p in all_files),
            row_counts=counts,
            checksums={str(p): checksums[str(p)] for p in all_files},
            duration_s=duration,
            lake_url=self.lake_url,
            lake_format=self.lake_format,
        )

    def _ensure_partitions(self, conn: psycopg.Connection, cur: psycopg.Cursor, day: date) -> None:
        # Partitions in their own short transaction: creating one locks the parent table until
        # commit, which would serialise concurrent day loads. Empty ones are harmless.
        month = day.replace(day=1)
        if month in self._months:
            return
        cur.execute(query("ingest", "ensure_month_partitions"), {"day": day})
        conn.commit()
        self._months.add(month)

    def _analyze_loaded_days(self) -> None:
        """Re-ANALYZE the month partitions of the loaded days whose statistics predate them
        (once, after the days): the transform that follows selects the new days, which such
        statistics estimate at one row (sql/bootstrap/003_analyze_month_partitions.sql)."""
        days, self._loaded_days = sorted(self._loaded_days), set()
        if not days or self._conn is None or self._conn.closed or self._conn.broken:
            return
        conn = self._conn
        try:
            with conn.cursor() as cur:
                cur.execute(query("ingest", "analyze_month_partitions"), {"days": days})
                row = cur.fetchone()
                conn.commit()
            log.debug("re-analyzed %s month partition(s)", row[0] if row else 0)
        except psycopg.Error as err:  # statistics only: the loaded days stay loaded
            self._rollback()
            log.warning("ANALYZE of the loaded month partitions failed: %s", err)

    def _rollback(self) -> None:
        conn = self._conn
        if conn is None:
            return
        try:
            conn.rollback()
        except Exception:  # a broken connection: start over on the next day
            self.close()


def load_day(
    settings: Settings,
    day: date,
    lake_url: str | None = None,
    lake_format: str | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Replace ``day`` in the raw chain tables with the lake's files of that day."""
    with DayLoader(settings, lake_url, lake_format) as loader:
        return loader.load(day, progress)


def load_days(
    settings: Settings,
    days: Iterable[date],
    lake_url: str | None = None,
    lake_format: str | None = None,
    progress: Progress | None = None,
) -> list[LoadResult]:
    """Replace each of ``days`` (one transaction each) on one connection; stops at the first
    error, a missing partition included (``DayLoader.load_many`` reports those and goes on)."""
    results = []
    with DayLoader(settings, lake_url, lake_format) as loader:
        for _, outcome in loader.load_many(days, progress):
            if isinstance(outcome, MissingPartitionError):
                raise outcome
            results.append(outcome)
    return results


def _no_progress(table: str, rows: int) -> None:
    return None


def _raw(table: str) -> sql.Identifier:
    return sql.Identifier("raw", table)


@cache
def _delete_day_statement() -> sql.Composed | sql.SQL:
    return query("ingest", "delete_day_all_tables", **{t: _raw(t) for t in RAW_TABLES})


@cache
def _copy_statement(table: str) -> sql.Composed | sql.SQL:
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS[table])
    return query("ingest", "copy_from_stdin", table=_raw(table), columns=columns)


def _copy_text(cur: psycopg.Cursor, file: _FileStart, table: str, text: str, offset: int) -> None:
    try:
        with cur.copy(_copy_statement(table)) as copy:
            copy.write(text)
    except psycopg.Error as err:
        err.blocktrust_copy_offset = (table, offset)  # type: ignore[attr-defined]
        raise


def _audit_end(counts: dict[str, int], duration: float, status: str) -> dict[str, Any]:
    return {
        "row_counts": Jsonb(dict(counts)),
        "finished_at": datetime.now(UTC),
        "duration_s": duration,
        "status": status,
    }


def _as_file_failure(err: BaseException, current: _FileStart | None) -> _FileFailed | None:
    """A bad-data error while a file was being read or COPYed names that file."""
    if current is None or not isinstance(err, _BAD_FILE_ERRORS):
        return None
    return _FileFailed(current.table, current.path, _location(err), str(err), err)


def _location(err: BaseException) -> str:
    location = getattr(err, "location", None)
    if location:
        return str(location)
    diag = getattr(err, "diag", None)
    if diag is not None and diag.context:
        # e.g. "COPY transactions, line 17, column fee_sats: ..." (line = row of that table's
        # rows from this file: the batch's offset is added back)
        context = diag.context.splitlines()[0]
        table, offset = getattr(err, "blocktrust_copy_offset", ("", 0))
        return _COPY_CONTEXT.sub(
            lambda m: f"COPY {m[1]}, line {int(m[2]) + (offset if m[1] == table else 0)}",
            context,
            count=1,
        )
    return ""


def _all_checksums(files: list[Any], known: dict[str, str]) -> dict[str, str]:
    """Checksums of every file of a failed day (those not read yet get their own pass)."""
    out = {}
    for path in files:
        key = str(path)
        if key not in known:
            try:
                known[key] = sha256_of(path)
            except OSError as err:
                log.warning("could not checksum %s: %s", path, err)
                continue
        out[key] = known[key]
    return out


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
