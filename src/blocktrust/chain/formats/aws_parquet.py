"""AWS Public Blockchain Data, Bitcoin, Parquet (``s3://aws-public-blockchain/v1.0/btc/``).

Schema as published by the producer (aws-solutions-library-samples/guidance-for-digital-assets-
on-aws, analytics/consumer/schema/btc.md and its worker): bitcoin-etl's model with values as
double BTC, a singular ``address`` on inputs and outputs, timestamps as Parquet timestamps
(nanoseconds, no time zone, meaning UTC), ``nonce`` as bigint, and blocks adding ``mediantime``,
``difficulty``, ``chainwork`` and ``previousblockhash``. Doubles convert to satoshis exactly
(``Decimal(repr(x)) * 10^8`` must be integral); the transaction-level doubles ``input_value``,
``output_value`` and ``fee`` are float sums, so they are only checked within float error.

Reading goes row group by row group (``ParquetFile.iter_batches``); errors say
"row group G, row R". The writer writes 10,000-row row groups, snappy-compressed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from blocktrust.chain.formats._fields import (
    AWS,
    SATS_PER_BTC,
    Fields,
    block_from_fields,
    transaction_from_fields,
)
from blocktrust.chain.formats.errors import ChainDataError
from blocktrust.chain.records import Block, Input, Output, Transaction

ROW_GROUP_SIZE = 10_000
BATCH_SIZE = 2_000
_NS = 1_000_000_000

_OUTPUT_STRUCT = pa.struct(
    [
        ("address", pa.string()),
        ("index", pa.int64()),
        ("required_signatures", pa.int64()),
        ("script_asm", pa.string()),
        ("script_hex", pa.string()),
        ("type", pa.string()),
        ("value", pa.float64()),
    ]
)
_INPUT_STRUCT = pa.struct(
    [
        ("address", pa.string()),
        ("index", pa.int64()),
        ("required_signatures", pa.int64()),
        ("script_asm", pa.string()),
        ("script_hex", pa.string()),
        ("sequence", pa.int64()),
        ("spent_output_index", pa.int64()),
        ("spent_transaction_hash", pa.string()),
        ("type", pa.string()),
        ("value", pa.float64()),
    ]
)
BLOCKS_SCHEMA = pa.schema(
    [
        ("hash", pa.string()),
        ("size", pa.int64()),
        ("stripped_size", pa.int64()),
        ("weight", pa.int64()),
        ("number", pa.int64()),
        ("version", pa.int64()),
        ("merkle_root", pa.string()),
        ("timestamp", pa.timestamp("ns")),
        ("nonce", pa.int64()),
        ("bits", pa.string()),
        ("coinbase_param", pa.string()),
        ("transaction_count", pa.int64()),
        ("mediantime", pa.timestamp("ns")),
        ("difficulty", pa.float64()),
        ("chainwork", pa.string()),
        ("previousblockhash", pa.string()),
        ("date", pa.string()),
    ]
)
TRANSACTIONS_SCHEMA = pa.schema(
    [
        ("hash", pa.string()),
        ("version", pa.int64()),
        ("size", pa.int64()),
        ("block_hash", pa.string()),
        ("block_number", pa.int64()),
        ("index", pa.int64()),
        ("virtual_size", pa.int64()),
        ("lock_time", pa.int64()),
        ("input_count", pa.int64()),
        ("output_count", pa.int64()),
        ("is_coinbase", pa.bool_()),
        ("output_value", pa.float64()),
        ("outputs", pa.list_(_OUTPUT_STRUCT)),
        ("block_timestamp", pa.timestamp("ns")),
        ("date", pa.string()),
        ("fee", pa.float64()),
        ("input_value", pa.float64()),
        ("inputs", pa.list_(_INPUT_STRUCT)),
    ]
)

_BLOCK_REQUIRED = (
    "hash",
    "size",
    "stripped_size",
    "weight",
    "number",
    "version",
    "merkle_root",
    "timestamp",
    "nonce",
    "bits",
    "transaction_count",
)
_BLOCK_OPTIONAL = ("coinbase_param", "previousblockhash", "previous_block_hash")
_TX_REQUIRED = (
    "hash",
    "size",
    "virtual_size",
    "version",
    "lock_time",
    "block_number",
    "block_hash",
    "block_timestamp",
    "is_coinbase",
    "index",
    "outputs",
)
_TX_OPTIONAL = ("inputs", "input_count", "output_count", "input_value", "output_value", "fee")


def read_blocks(fh: BinaryIO, source: str) -> Iterator[Block]:
    for fields in _rows(fh, source, _BLOCK_REQUIRED, _BLOCK_OPTIONAL, "timestamp"):
        yield block_from_fields(fields)


def read_transactions(fh: BinaryIO, source: str) -> Iterator[Transaction]:
    for fields in _rows(fh, source, _TX_REQUIRED, _TX_OPTIONAL, "block_timestamp"):
        yield transaction_from_fields(fields)


def _rows(
    fh: BinaryIO,
    source: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    time_column: str,
) -> Iterator[Fields]:
    try:
        parquet = pq.ParquetFile(fh)
    except (pa.ArrowException, OSError) as exc:
        raise ChainDataError(source, "file", None, f"not a readable Parquet file: {exc}") from None
    schema = parquet.schema_arrow
    for name in required:
        if schema.get_field_index(name) < 0:
            raise ChainDataError(source, "schema", name, "required column is missing")
    time_type = schema.field(time_column).type
    if not pa.types.is_timestamp(time_type):
        raise ChainDataError(
            source, "schema", time_column, f"expected a timestamp, found {time_type}"
        )
    columns = list(required) + [c for c in optional if schema.get_field_index(c) >= 0]
    for group in range(parquet.num_row_groups):
        row = 0
        try:
            batches = parquet.iter_batches(
                batch_size=BATCH_SIZE, row_groups=[group], columns=columns
            )
            for batch in batches:
                seconds = _epoch_seconds(batch.column(time_column), source, group, row, time_column)
                for offset, record in enumerate(batch.to_pylist()):
                    record[time_column] = seconds[offset]
                    yield Fields(record, source, f"row group {group}, row {row + offset}", AWS)
                row += batch.num_rows
        except (pa.ArrowException, OSError) as exc:
            raise ChainDataError(
                source, f"row group {group}, row {row}", None, f"unreadable Parquet data: {exc}"
            ) from None


def _epoch_seconds(
    column: pa.Array, source: str, group: int, first_row: int, name: str
) -> list[int | None]:
    """Whole epoch seconds of a timestamp column (naive timestamps are UTC wall time)."""
    per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": _NS}[column.type.unit]
    result: list[int | None] = []
    for offset, value in enumerate(column.cast(pa.int64()).to_pylist()):
        if value is None:
            result.append(None)
            continue
        seconds, fraction = divmod(value, per_second)
        if fraction:
            raise ChainDataError(
                source,
                f"row group {group}, row {first_row + offset}",
                name,
                "timestamp has fractional seconds; blocks have whole seconds",
            )
        result.append(seconds)
    return result


def btc(sats: int | None) -> float | None:
    """Satoshis as the double AWS stores; correctly rounded, so repr() gives back the sats."""
    return None if sats is None else sats / SATS_PER_BTC


def difficulty_from_bits(bits: str) -> float | None:
    try:
        compact = int(bits, 16)
    except ValueError:
        return None
    exponent, mantissa = compact >> 24, compact & 0xFFFFFF
    if mantissa == 0 or exponent < 3:
        return None
    return (0xFFFF << (8 * (0x1D - 3))) / (mantissa << (8 * (exponent - 3)))


def _single_address(addresses: tuple[str, ...], what: str) -> str | None:
    if len(addresses) > 1:
        raise ValueError(f"{what} has {len(addresses)} addresses; the AWS schema holds one")
    return addresses[0] if addresses else None


def block_to_row(block: Block) -> dict[str, Any]:
    return {
        "hash": block.hash,
        "size": block.size,
        "stripped_size": block.stripped_size,
        "weight": block.weight,
        "number": block.number,
        "version": block.version,
        "merkle_root": block.merkle_root,
        "timestamp": block.timestamp * _NS,
        "nonce": int(block.nonce, 16),
        "bits": block.bits,
        "coinbase_param": block.coinbase_param,
        "transaction_count": block.transaction_count,
        "mediantime": None,  # needs the 11 previous blocks; not part of the canonical record
        "difficulty": difficulty_from_bits(block.bits),
        "chainwork": None,
        "previousblockhash": block.previous_block_hash,
        "date": block.block_date.isoformat(),
    }


def _input_row(item: Input, tx: Transaction) -> dict[str, Any]:
    return {
        "address": _single_address(item.addresses, f"{tx.hash} input {item.index}"),
        "index": item.index,
        "required_signatures": item.required_signatures,
        "script_asm": item.script_asm,
        "script_hex": item.script_hex,
        "sequence": item.sequence,
        "spent_output_index": item.spent_output_index,
        "spent_transaction_hash": item.spent_transaction_hash,
        "type": item.type,
        "value": btc(item.value),
    }


def _output_row(item: Output, tx: Transaction) -> dict[str, Any]:
    return {
        "address": _single_address(item.addresses, f"{tx.hash} output {item.index}"),
        "index": item.index,
        "required_signatures": item.required_signatures,
        "script_asm": item.script_asm,
        "script_hex": item.script_hex,
        "type": item.type,
        "value": btc(item.value),
    }


def transaction_to_row(tx: Transaction) -> dict[str, Any]:
    return {
        "hash": tx.hash,
        "version": tx.version,
        "size": tx.size,
        "block_hash": tx.block_hash,
        "block_number": tx.block_number,
        "index": tx.index,
        "virtual_size": tx.virtual_size,
        "lock_time": tx.lock_time,
        "input_count": tx.input_count,
        "output_count": tx.output_count,
        "is_coinbase": tx.is_coinbase,
        "output_value": btc(tx.output_value),
        "outputs": [_output_row(o, tx) for o in tx.outputs],
        "block_timestamp": tx.block_timestamp * _NS,
        "date": tx.block_date.isoformat(),
        "fee": btc(tx.fee),
        "input_value": btc(tx.input_value),
        "inputs": [_input_row(i, tx) for i in tx.inputs],
    }


def _write(rows: Iterable[dict[str, Any]], schema: pa.Schema, fh: BinaryIO) -> int:
    count = 0
    chunk: list[dict[str, Any]] = []
    with pq.ParquetWriter(fh, schema, compression="snappy") as writer:
        for row in rows:
            chunk.append(row)
            if len(chunk) == ROW_GROUP_SIZE:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                count += len(chunk)
                chunk = []
        if chunk or count == 0:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            count += len(chunk)
    return count


def write_blocks(blocks: Iterable[Block], fh: BinaryIO) -> int:
    return _write((block_to_row(b) for b in blocks), BLOCKS_SCHEMA, fh)


def write_transactions(txs: Iterable[Transaction], fh: BinaryIO) -> int:
    return _write((transaction_to_row(t) for t in txs), TRANSACTIONS_SCHEMA, fh)
