"""bitcoin-etl JSON lines (``blocks.json``, ``transactions.json``), enriched or not.

Values are integer satoshis; timestamps epoch seconds. Unenriched inputs (type, addresses, value
missing or null) read as ``Input(type=None, addresses=(), value=None)``. Both ``addresses``
lists and the Bitcoin Core 22+ singular ``address`` are accepted. The writer emits enriched
bitcoin-etl lines plus ``previous_block_hash`` on blocks; a transaction with an unenriched input
gets ``input_value`` and ``fee`` null (bitcoin-etl itself would write 0 and a negative fee).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from blocktrust.chain.formats._fields import (
    ETL,
    Fields,
    block_from_fields,
    transaction_from_fields,
)
from blocktrust.chain.formats._jsonl import iter_objects, write_objects
from blocktrust.chain.records import Block, Input, Output, Transaction


def read_blocks(fh: BinaryIO, source: str) -> Iterator[Block]:
    for location, obj in iter_objects(fh, source):
        yield block_from_fields(Fields(obj, source, location, ETL))


def read_transactions(fh: BinaryIO, source: str) -> Iterator[Transaction]:
    for location, obj in iter_objects(fh, source):
        yield transaction_from_fields(Fields(obj, source, location, ETL))


def block_to_dict(block: Block) -> dict[str, Any]:
    return {
        "hash": block.hash,
        "size": block.size,
        "stripped_size": block.stripped_size,
        "weight": block.weight,
        "number": block.number,
        "version": block.version,
        "merkle_root": block.merkle_root,
        "timestamp": block.timestamp,
        "nonce": block.nonce,
        "bits": block.bits,
        "coinbase_param": block.coinbase_param,
        "transaction_count": block.transaction_count,
        "previous_block_hash": block.previous_block_hash,
    }


def input_to_dict(item: Input) -> dict[str, Any]:
    return {
        "index": item.index,
        "spent_transaction_hash": item.spent_transaction_hash,
        "spent_output_index": item.spent_output_index,
        "script_asm": item.script_asm,
        "script_hex": item.script_hex,
        "sequence": item.sequence,
        "required_signatures": item.required_signatures,
        "type": item.type,
        "addresses": list(item.addresses),
        "value": item.value,
    }


def output_to_dict(item: Output) -> dict[str, Any]:
    return {
        "index": item.index,
        "script_asm": item.script_asm,
        "script_hex": item.script_hex,
        "required_signatures": item.required_signatures,
        "type": item.type,
        "addresses": list(item.addresses),
        "value": item.value,
    }


def transaction_to_dict(tx: Transaction) -> dict[str, Any]:
    return {
        "hash": tx.hash,
        "size": tx.size,
        "virtual_size": tx.virtual_size,
        "version": tx.version,
        "lock_time": tx.lock_time,
        "block_number": tx.block_number,
        "block_hash": tx.block_hash,
        "block_timestamp": tx.block_timestamp,
        "is_coinbase": tx.is_coinbase,
        "index": tx.index,
        "inputs": [input_to_dict(i) for i in tx.inputs],
        "outputs": [output_to_dict(o) for o in tx.outputs],
        "input_count": tx.input_count,
        "output_count": tx.output_count,
        "input_value": tx.input_value,
        "output_value": tx.output_value,
        "fee": tx.fee,
    }


def write_blocks(blocks: Iterable[Block], fh: BinaryIO) -> int:
    return write_objects((block_to_dict(b) for b in blocks), fh)


def write_transactions(txs: Iterable[Transaction], fh: BinaryIO) -> int:
    return write_objects((transaction_to_dict(t) for t in txs), fh)
