"""BigQuery ``bigquery-public-data.crypto_bitcoin`` exported as JSON lines.

Same model as bitcoin-etl, spelled the BigQuery way: TIMESTAMP columns as text
("2009-01-03 18:15:05 UTC" or ISO 8601), NUMERIC satoshis as strings ("5000000000" or
"5000000000.0"; a fractional satoshi is an error), INT64 as numbers or digit strings (BigQuery's
JSON export writes INT64 as strings), extra ``*_month`` partition columns ignored.

crypto_bitcoin.transactions has no in-block position column. When ``index`` is absent the reader
numbers each block's transactions in file order (0, 1, ...): export them ordered by position if
the position matters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO

from blocktrust.chain.formats._fields import (
    BIGQUERY,
    Fields,
    block_from_fields,
    transaction_from_fields,
)
from blocktrust.chain.formats._jsonl import iter_objects, write_objects
from blocktrust.chain.formats.etl_json import input_to_dict, output_to_dict
from blocktrust.chain.records import Block, Transaction


def read_blocks(fh: BinaryIO, source: str) -> Iterator[Block]:
    for location, obj in iter_objects(fh, source):
        yield block_from_fields(Fields(obj, source, location, BIGQUERY))


def read_transactions(fh: BinaryIO, source: str) -> Iterator[Transaction]:
    positions: dict[str, int] = {}  # block hash -> next file-order position (no index column)
    for location, obj in iter_objects(fh, source):
        fields = Fields(obj, source, location, BIGQUERY)
        fallback = None
        if not fields.has("index"):
            block_hash = fields.str("block_hash")
            fallback = positions.get(block_hash, 0)
            positions[block_hash] = fallback + 1
        yield transaction_from_fields(fields, index=fallback)


def format_timestamp(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _month(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-01")


def _numeric(value: int | None) -> str | None:
    return None if value is None else str(value)


def block_to_dict(block: Block) -> dict[str, Any]:
    return {
        "hash": block.hash,
        "size": str(block.size),
        "stripped_size": str(block.stripped_size),
        "weight": str(block.weight),
        "number": str(block.number),
        "version": str(block.version),
        "merkle_root": block.merkle_root,
        "timestamp": format_timestamp(block.timestamp),
        "timestamp_month": _month(block.timestamp),
        "nonce": block.nonce,
        "bits": block.bits,
        "coinbase_param": block.coinbase_param,
        "transaction_count": str(block.transaction_count),
        "previous_block_hash": block.previous_block_hash,
    }


def transaction_to_dict(tx: Transaction) -> dict[str, Any]:
    inputs = [input_to_dict(i) | {"value": _numeric(i.value)} for i in tx.inputs]
    outputs = [output_to_dict(o) | {"value": _numeric(o.value)} for o in tx.outputs]
    return {
        "hash": tx.hash,
        "size": str(tx.size),
        "virtual_size": str(tx.virtual_size),
        "version": str(tx.version),
        "lock_time": str(tx.lock_time),
        "block_hash": tx.block_hash,
        "block_number": str(tx.block_number),
        "block_timestamp": format_timestamp(tx.block_timestamp),
        "block_timestamp_month": _month(tx.block_timestamp),
        "index": str(tx.index),
        "input_count": str(tx.input_count),
        "output_count": str(tx.output_count),
        "input_value": _numeric(tx.input_value),
        "output_value": _numeric(tx.output_value),
        "is_coinbase": tx.is_coinbase,
        "fee": _numeric(tx.fee),
        "inputs": inputs,
        "outputs": outputs,
    }


def write_blocks(blocks: Iterable[Block], fh: BinaryIO) -> int:
    return write_objects((block_to_dict(b) for b in blocks), fh)


def write_transactions(txs: Iterable[Transaction], fh: BinaryIO) -> int:
    return write_objects((transaction_to_dict(t) for t in txs), fh)
