"""Canonical chain records -> rows of the raw tables, in the column order of their COPY.

Pure functions only. The column tuples are the one place that fixes the column order of each raw
table's COPY; the renderers yield values in exactly that order, as Python values that psycopg's
COPY formatter (``Copy.write_row``, C-accelerated) renders: arrays are lists.

Address arrays: outputs always carry an array (empty for OP_RETURN and other address-less
scripts). Inputs carry NULL when the source was not enriched (``type`` is None): "unknown", not
"no address"; the warehouse resolves the spent output instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

from blocktrust.chain.records import Block, Transaction

BLOCK_COLUMNS = (
    "block_date",
    "block_number",
    "block_hash",
    "previous_block_hash",
    "block_timestamp",
    "size",
    "stripped_size",
    "weight",
    "version",
    "merkle_root",
    "nonce",
    "bits",
    "coinbase_param",
    "transaction_count",
)
TRANSACTION_COLUMNS = (
    "block_date",
    "transaction_hash",
    "block_number",
    "block_hash",
    "block_timestamp",
    "transaction_index",
    "is_coinbase",
    "size",
    "virtual_size",
    "version",
    "lock_time",
    "input_count",
    "output_count",
    "input_value_sats",
    "output_value_sats",
    "fee_sats",
)
INPUT_COLUMNS = (
    "block_date",
    "transaction_hash",
    "block_number",
    "block_hash",
    "input_index",
    "spent_transaction_hash",
    "spent_output_index",
    "script_type",
    "addresses",
    "value_sats",
    "sequence",
    "required_signatures",
    "script_hex",
)
OUTPUT_COLUMNS = (
    "block_date",
    "transaction_hash",
    "block_number",
    "block_hash",
    "output_index",
    "script_type",
    "addresses",
    "value_sats",
    "required_signatures",
    "script_hex",
)
COLUMNS: dict[str, tuple[str, ...]] = {
    "blocks": BLOCK_COLUMNS,
    "transactions": TRANSACTION_COLUMNS,
    "inputs": INPUT_COLUMNS,
    "outputs": OUTPUT_COLUMNS,
}
RAW_TABLES = tuple(COLUMNS)

Value = None | bool | int | str | Decimal | date | datetime | list[str]
Row = tuple[Value, ...]


def utc_timestamp(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, tz=UTC)


def block_row(block: Block) -> Row:
    return (
        block.block_date,
        block.number,
        block.hash,
        block.previous_block_hash,
        utc_timestamp(block.timestamp),
        block.size,
        block.stripped_size,
        block.weight,
        block.version,
        block.merkle_root,
        block.nonce,
        block.bits,
        block.coinbase_param,
        block.transaction_count,
    )


def transaction_row(tx: Transaction) -> Row:
    return (
        tx.block_date,
        tx.hash,
        tx.block_number,
        tx.block_hash,
        utc_timestamp(tx.block_timestamp),
        tx.index,
        tx.is_coinbase,
        tx.size,
        tx.virtual_size,
        tx.version,
        tx.lock_time,
        tx.input_count,
        tx.output_count,
        tx.input_value,
        tx.output_value,
        tx.fee,
    )


def input_rows(tx: Transaction) -> Iterator[Row]:
    day = tx.block_date
    for i in tx.inputs:
        yield (
            day,
            tx.hash,
            tx.block_number,
            tx.block_hash,
            i.index,
            i.spent_transaction_hash,
            i.spent_output_index,
            i.type,
            None if i.type is None else list(i.addresses),
            i.value,
            i.sequence,
            i.required_signatures,
            i.script_hex,
        )


def output_rows(tx: Transaction) -> Iterator[Row]:
    day = tx.block_date
    for o in tx.outputs:
        yield (
            day,
            tx.hash,
            tx.block_number,
            tx.block_hash,
            o.index,
            o.type,
            list(o.addresses),
            o.value,
            o.required_signatures,
            o.script_hex,
        )
