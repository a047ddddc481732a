"""Canonical chain records: what every reader yields and every writer and loader takes.

Money is integer satoshis. Times are integer epoch seconds (UTC). A txid alone is not a key:
BIP30 duplicates exist, so transactions are identified by (block_hash, hash) and outputs by
(block_number, transaction_hash, index). See docs/data-model.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

MAX_MONEY_SATS = 21_000_000 * 100_000_000


@dataclass(frozen=True, slots=True)
class Input:
    index: int
    spent_transaction_hash: str | None  # None for a coinbase input
    spent_output_index: int | None
    script_asm: str | None
    script_hex: str | None
    sequence: int
    required_signatures: int | None = None
    type: str | None = None  # None when the source was not enriched
    addresses: tuple[str, ...] = ()
    value: int | None = None  # satoshis; None when the source was not enriched


@dataclass(frozen=True, slots=True)
class Output:
    index: int
    script_asm: str
    script_hex: str
    required_signatures: int | None
    type: str  # pubkeyhash, scripthash, witness_v0_keyhash, witness_v0_scripthash,
    # witness_v1_taproot, pubkey, multisig, nulldata, nonstandard
    addresses: tuple[str, ...]
    value: int  # satoshis


@dataclass(frozen=True, slots=True)
class Transaction:
    hash: str
    size: int
    virtual_size: int
    version: int
    lock_time: int
    block_number: int
    block_hash: str
    block_timestamp: int
    is_coinbase: bool
    index: int  # position in the block
    inputs: tuple[Input, ...]
    outputs: tuple[Output, ...]

    @property
    def input_count(self) -> int:
        return len(self.inputs)

    @property
    def output_count(self) -> int:
        return len(self.outputs)

    @property
    def output_value(self) -> int:
        return sum(o.value for o in self.outputs)

    @property
    def input_value(self) -> int | None:
        """Sum of input values; None when any non-coinbase input is unenriched."""
        if self.is_coinbase:
            return 0
        if any(i.value is None for i in self.inputs):
            return None
        return sum(i.value for i in self.inputs)  # type: ignore[misc]

    @property
    def fee(self) -> int | None:
        if self.is_coinbase:
            return 0
        total_in = self.input_value
        return None if total_in is None else total_in - self.output_value

    @property
    def block_date(self) -> date:
        return utc_date(self.block_timestamp)


@dataclass(frozen=True, slots=True)
class Block:
    hash: str
    size: int
    stripped_size: int
    weight: int
    number: int
    version: int
    merkle_root: str
    timestamp: int
    nonce: str  # hex, as bitcoin-etl exports it
    bits: str  # hex
    coinbase_param: str | None
    transaction_count: int
    previous_block_hash: str | None = None  # AWS and our generator carry it; bitcoin-etl does not

    @property
    def block_date(self) -> date:
        return utc_date(self.timestamp)


def utc_date(epoch_seconds: int) -> date:
    return datetime.fromtimestamp(epoch_seconds, tz=UTC).date()
