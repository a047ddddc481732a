"""Streaming readers and writers for the three public chain formats.

``read_file(path, table, lake_format)`` yields canonical records (``blocktrust.chain.records``)
from one lake file, in constant memory: JSON line by line, Parquet row group by row group. Every
bad record raises ``ChainDataError`` naming the file, the line (or row group and row) and the
field; nothing is dropped or repaired silently. ``write_day`` writes one UTC day of records into
the lake layout (``blocktrust.lake``) in the requested formats.

Paths may be Airflow ``ObjectStoragePath`` (``file://``, ``s3://``) or ``pathlib.Path``.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, BinaryIO

from blocktrust.chain.formats import aws_parquet, bigquery_json, etl_json
from blocktrust.chain.formats.errors import ChainDataError
from blocktrust.chain.records import Block, Transaction
from blocktrust.lake import CHAIN_TABLES, chain_partition

__all__ = [
    "ChainDataError",
    "LAKE_FORMATS",
    "file_names",
    "open_lake_file",
    "read_file",
    "write_day",
]

_MODULES = {"bitcoin-etl": etl_json, "bigquery": bigquery_json, "aws-parquet": aws_parquet}
LAKE_FORMATS = tuple(_MODULES)
_GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


class _GuardedGzip(io.RawIOBase):
    """A gunzipping reader whose stream errors become ChainDataError naming the file."""

    def __init__(self, raw: BinaryIO, source: str) -> None:
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            return self._gz.readinto(buffer)
        except _GZIP_ERRORS as exc:
            raise ChainDataError(
                self._source, "gzip stream", None, f"truncated or corrupt gzip: {exc}"
            ) from None

    def close(self) -> None:
        self._gz.close()
        super().close()


def _source_name(path: Any) -> str:
    return str(path)


@contextmanager
def open_lake_file(path: Any) -> Iterator[BinaryIO]:
    """Open a lake file for binary reading; ``*.gz`` is gunzipped transparently."""
    with path.open("rb") as raw:
        if str(path.name).endswith(".gz"):
            guarded = io.BufferedReader(_GuardedGzip(raw, _source_name(path)), 1 << 16)
            try:
                yield guarded  # type: ignore[misc]
            finally:
                guarded.close()
        else:
            yield raw


def read_file(path: Any, table: str, lake_format: str) -> Iterator[Block] | Iterator[Transaction]:
    """Stream the canonical records of one lake file of ``table`` in ``lake_format``."""
    if table not in CHAIN_TABLES:
        raise ValueError(f"unknown chain table {table!r}; expected one of {CHAIN_TABLES}")
    try:
        module = _MODULES[lake_format]
    except KeyError:
        raise ValueError(f"unknown lake format {lake_format!r}; expected {LAKE_FORMATS}") from None
    reader = module.read_blocks if table == "blocks" else module.read_transactions
    return _stream(path, reader)


def _stream(path: Any, reader: Any) -> Iterator[Any]:
    with open_lake_file(path) as fh:
        yield from reader(fh, _source_name(path))


def file_names(table: str, lake_format: str) -> str:
    """The file name ``write_day`` gives a table in a format."""
    if lake_format == "aws-parquet":
        return "part-00000.snappy.parquet"
    return f"{table}.json"


def write_day(
    root: Any,
    day: date,
    blocks: Iterable[Block],
    txs: Iterable[Transaction],
    formats: Sequence[str] = ("bitcoin-etl", "aws-parquet"),
) -> list[Any]:
    """Write one UTC day: ``bitcoin/{blocks,transactions}/date=D/`` in each format.

    Every record must belong to ``day`` (UTC date of the block timestamp), the partition rule of
    AWS Public Blockchain Data. Returns the paths written. bitcoin-etl and BigQuery both use
    ``*.json`` names, so they cannot share a partition.
    """
    unknown = [f for f in formats if f not in _MODULES]
    if unknown:
        raise ValueError(f"unknown lake formats {unknown}; expected {LAKE_FORMATS}")
    if "bitcoin-etl" in formats and "bigquery" in formats:
        raise ValueError("bitcoin-etl and bigquery both write blocks.json; pick one")
    block_list = list(blocks)
    tx_list = list(txs)
    _check_day(day, block_list, tx_list)
    written = []
    for table, records in (("blocks", block_list), ("transactions", tx_list)):
        partition = chain_partition(root, table, day)
        partition.mkdir(parents=True, exist_ok=True)
        for lake_format in formats:
            module = _MODULES[lake_format]
            writer = module.write_blocks if table == "blocks" else module.write_transactions
            target = partition / file_names(table, lake_format)
            # Serialize in memory and hand the file one write: writers make a call per line or
            # page, and every call on an ObjectStoragePath file goes through Airflow's wrapper
            # (and, on S3, fsspec's buffering). A day's file is no bigger than its records.
            buffer = io.BytesIO()
            writer(records, buffer)
            with target.open("wb") as fh:
                fh.write(buffer.getbuffer())
            written.append(target)
    return written


def _check_day(day: date, blocks: list[Block], txs: list[Transaction]) -> None:
    for block in blocks:
        if block.block_date != day:
            raise ValueError(
                f"block {block.number} ({block.hash}) is dated {block.block_date}, not {day}"
            )
    for tx in txs:
        if tx.block_date != day:
            raise ValueError(
                f"transaction {tx.hash} of block {tx.block_number} is dated {tx.block_date}, "
                f"not {day}"
            )
