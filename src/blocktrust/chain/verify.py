"""Verify a lake: every format holds the same records, and the answer key recounts from the files.

Two checks, in one pass over the day partitions (ascending), so memory stays bounded by one day
of records plus the recount's running state (the UTXO set and per-entity sums):

1. Cross-format: each day's blocks and transactions are read in every requested format, put in
   chain order (height, then position in block) and compared record by record and field by
   field. The first difference stops the walk and names the day, the files, the record and the
   field path (``outputs[1].value``).
2. Answer key: the transactions of the first format are recounted (``generator.answer_key.
   recount``) with the address labels of the lake's TagPack and the donation and hub addresses
   of ``answer_key.json``; every entity's received/sent/tx_count, the UTXO total, the counts,
   the height range and the donation's top recipients are compared with the key.

Pure functions compare; ``verify_lake`` and the ``read_*`` helpers do the I/O.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import yaml

from blocktrust.chain.formats import LAKE_FORMATS, read_file
from blocktrust.chain.generator.answer_key import Recount, recount
from blocktrust.chain.generator.tagpack import ANSWER_KEY_NAME, TAGPACK_NAME
from blocktrust.chain.records import Block, Transaction
from blocktrust.lake import (
    CHAIN_TABLES,
    answer_key_dir,
    chain_partition,
    files_of_format,
    partition_key,
    tags_dir,
)

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

ChainRecord = Block | Transaction


class LakeVerifyError(Exception):
    """The lake cannot be verified at all (missing answer key, tagpack, partition or format)."""


# ------------------------------------------------------------------ cross-format comparison


@dataclass(frozen=True)
class Located:
    """A record and where it came from: its file and its 0-based position in that file."""

    record: ChainRecord
    file: str
    index: int


@dataclass(frozen=True)
class FieldDifference:
    field: str  # dotted path, e.g. "outputs[1].value"; "" when the records differ in kind
    left: Any
    right: Any


@dataclass(frozen=True)
class FormatDifference:
    day: date
    table: str
    position: int  # 0-based position in the day's records in chain order
    left_format: str
    right_format: str
    left: Located | None  # None: the left format has fewer records
    right: Located | None
    field: FieldDifference | None

    def describe(self) -> str:
        head = f"{self.day} {self.table}, record {self.position} in chain order"
        if self.left is None or self.right is None or self.field is None:
            if self.left is None:
                missing, present = self.left_format, self.right
            else:
                missing, present = self.right_format, self.left
            where = f"{present.file} record {present.index}" if present else "?"
            return (
                f"{head}: {missing} has fewer records; the first without a counterpart is {where}"
            )
        return (
            f"{head}: field {self.field.field or '<record>'} differs\n"
            f"  {self.left_format}: {self.left.file} record {self.left.index}: "
            f"{self.field.left!r}\n"
            f"  {self.right_format}: {self.right.file} record {self.right.index}: "
            f"{self.field.right!r}"
        )


def first_field_difference(left: Any, right: Any, path: str = "") -> FieldDifference | None:
    """The first field (depth first, declaration order) where two records differ; None if equal."""
    if left == right:
        return None
    if (
        dataclasses.is_dataclass(left)
        and dataclasses.is_dataclass(right)
        and type(left) is type(right)
    ):
        for f in dataclasses.fields(left):
            sub = f"{path}.{f.name}" if path else f.name
            found = first_field_difference(getattr(left, f.name), getattr(right, f.name), sub)
            if found is not None:
                return found
    if isinstance(left, tuple) and isinstance(right, tuple) and len(left) == len(right):
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            found = first_field_difference(a, b, f"{path}[{i}]")
            if found is not None:
                return found
    if isinstance(left, tuple) and isinstance(right, tuple):
        return FieldDifference(f"{path} (length)", len(left), len(right))
    return FieldDifference(path, left, right)


def chain_order(record: ChainRecord) -> tuple[int, int]:
    if isinstance(record, Block):
        return (record.number, 0)
    return (record.block_number, record.index)


def compare_day_records(
    day: date,
    table: str,
    left_format: str,
    left: Sequence[Located],
    right_format: str,
    right: Sequence[Located],
) -> FormatDifference | None:
    """The first difference between two formats' records of one day (both in chain order)."""
    for position in range(max(len(left), len(right))):
        a = left[position] if position < len(left) else None
        b = right[position] if position < len(right) else None
        if a is None or b is None:
            return FormatDifference(day, table, position, left_format, right_format, a, b, None)
        field = first_field_difference(a.record, b.record)
        if field is not None:
            return FormatDifference(day, table, position, left_format, right_format, a, b, field)
    return None


# ------------------------------------------------------------------ answer key comparison


@dataclass(frozen=True)
class Check:
    subject: str  # "lake", "donation", "hub" or "entity <label>"
    metric: str
    expected: Any  # from answer_key.json (or the tagpack, for addresses)
    recounted: Any  # from the lake files

    @property
    def ok(self) -> bool:
        return self.expected == self.recounted


@dataclass(frozen=True)
class LakeCounts:
    """What the walk counted besides the recount."""

    n_blocks: int
    height_range: tuple[int, int]
    date_range: tuple[str, str]
    days: int


def compare_answer_key(
    key: Mapping[str, Any],
    tag_addresses: Mapping[str, frozenset[str]],
    again: Recount,
    counts: LakeCounts,
) -> list[Check]:
    """Every number of the answer key against its recount from the files."""
    checks = [
        Check("lake", "n_transactions", key.get("n_transactions"), again.n_transactions),
        Check("lake", "n_blocks", key.get("n_blocks"), counts.n_blocks),
        Check("lake", "height_range", _pair(key.get("height_range")), counts.height_range),
        Check("lake", "date_range", _pair(key.get("date_range")), counts.date_range),
        Check("lake", "utxo_total_sats", key.get("utxo_total_sats"), again.utxo_total_sats),
        Check("hub", "tx_count", key.get("hub", {}).get("tx_count"), again.hub_tx_count),
    ]
    donation = key.get("donation", {})
    checks += [
        Check("donation", "received_sats", donation.get("received_sats"), again.donation_received),
        Check("donation", "sent_sats", donation.get("sent_sats"), again.donation_sent),
        Check("donation", "tx_count", donation.get("tx_count"), again.donation_tx_count),
        Check(
            "donation",
            "one_sat_tx_count",
            donation.get("one_sat_tx_count"),
            again.donation_one_sat_tx_count,
        ),
        Check(
            "donation",
            "top_recipients",
            tuple((r["address"], r["value_sats"]) for r in donation.get("top_recipients", [])),
            again.top_recipients,
        ),
    ]
    entities: Mapping[str, Any] = key.get("entities", {})
    for label in sorted(set(entities) | set(again.entities) | set(tag_addresses)):
        entity = entities.get(label, {})
        got = again.entities.get(label, (0, 0, 0))
        subject = f"entity {label}"
        checks += [
            Check(subject, "received_sats", entity.get("received_sats"), got[0]),
            Check(subject, "sent_sats", entity.get("sent_sats"), got[1]),
            Check(subject, "tx_count", entity.get("tx_count"), got[2]),
            Check(
                subject,
                "addresses",
                frozenset(entity.get("addresses", ())),
                tag_addresses.get(label, frozenset()),
            ),
        ]
    return checks


def _pair(value: Any) -> tuple[Any, Any] | None:
    return tuple(value) if isinstance(value, list) and len(value) == 2 else value  # type: ignore[return-value]


def address_labels_of(tagpack: Mapping[str, Any], source: str) -> dict[str, str]:
    """address -> label from a GraphSense TagPack; an address with two labels is an error."""
    tags = tagpack.get("tags") if isinstance(tagpack, Mapping) else None
    if not isinstance(tags, list):
        raise LakeVerifyError(f"{source}: tags: expected a list of tags")
    labels: dict[str, str] = {}
    for n, tag in enumerate(tags):
        if not isinstance(tag, Mapping) or not tag.get("address") or not tag.get("label"):
            raise LakeVerifyError(f"{source}: tags[{n}]: needs an address and a label")
        address, label = str(tag["address"]), str(tag["label"])
        if labels.setdefault(address, label) != label:
            raise LakeVerifyError(
                f"{source}: tags[{n}]: address {address} labelled both "
                f"{labels[address]!r} and {label!r}"
            )
    return labels


def addresses_by_label(labels: Mapping[str, str]) -> dict[str, frozenset[str]]:
    grouped: dict[str, set[str]] = {}
    for address, label in labels.items():
        grouped.setdefault(label, set()).add(address)
    return {label: frozenset(addresses) for label, addresses in grouped.items()}


# ------------------------------------------------------------------ I/O at the edges


@dataclass(frozen=True)
class VerifyResult:
    formats: tuple[str, ...]
    days: int
    difference: FormatDifference | None  # set when the formats disagree (the walk stopped)
    checks: tuple[Check, ...]  # empty when the walk stopped at a difference

    @property
    def ok(self) -> bool:
        return self.difference is None and all(c.ok for c in self.checks)

    @property
    def mismatches(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in LAKE_FORMATS]
    if unknown or not chosen:
        raise LakeVerifyError(f"unknown lake formats {unknown}; expected some of {LAKE_FORMATS}")
    if "bitcoin-etl" in chosen and "bigquery" in chosen:
        raise LakeVerifyError("bitcoin-etl and bigquery files share the *.json names; pick one")
    return chosen


def read_answer_key(root: ObjectStoragePath) -> dict[str, Any]:
    path = answer_key_dir(root) / ANSWER_KEY_NAME
    if not path.exists():
        raise LakeVerifyError(
            f"no answer key at {path}: only lakes written by `blocktrust generate` have one"
        )
    try:
        key = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise LakeVerifyError(f"{path}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    for field in ("donation", "hub", "entities"):
        if not isinstance(key.get(field), dict):
            raise LakeVerifyError(f"{path}: {field}: missing or not an object")
    for field in ("donation", "hub"):
        if not key[field].get("address"):
            raise LakeVerifyError(f"{path}: {field}.address: missing")
    return key


def read_address_labels(root: ObjectStoragePath) -> dict[str, str]:
    path = tags_dir(root) / TAGPACK_NAME
    if not path.exists():
        raise LakeVerifyError(f"no tagpack at {path}: the address labels come from it")
    try:
        tagpack = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise LakeVerifyError(f"{path}: invalid YAML: {exc}") from None
    return address_labels_of(tagpack, str(path))


def lake_days(root: ObjectStoragePath) -> list[date]:
    """Every day with a partition of any chain table, ascending."""
    days: set[date] = set()
    for table in CHAIN_TABLES:
        folder = root / "bitcoin" / table
        if not folder.exists():
            continue
        for child in folder.iterdir():
            if not child.is_dir() or not child.name.startswith("date="):
                continue
            try:
                days.add(date.fromisoformat(child.name.removeprefix("date=")))
            except ValueError:
                raise LakeVerifyError(f"{child}: not a day partition (date=YYYY-MM-DD)") from None
    if not days:
        raise LakeVerifyError(f"no day partitions under {root / 'bitcoin'}")
    return sorted(days)


def read_partition(
    root: ObjectStoragePath, table: str, day: date, lake_format: str
) -> list[Located]:
    """One day of one table in one format, in chain order."""
    partition = chain_partition(root, table, day)
    files = files_of_format(partition, lake_format)
    if not files:
        where = "is missing" if not partition.exists() else f"has no {lake_format} files"
        raise LakeVerifyError(f"{day}: bitcoin/{table}/{partition_key(day)} {where}")
    located = [
        Located(record, str(path), index)
        for path in files
        for index, record in enumerate(read_file(path, table, lake_format))
    ]
    located.sort(key=lambda item: chain_order(item.record))
    return located


def verify_lake(
    root: ObjectStoragePath,
    formats: Sequence[str],
    on_day: Callable[[date], None] | None = None,
    on_days: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Walk every day, compare the formats, recount the answer key from the first format.

    ``on_days(n)`` is called once with the number of days, ``on_day(day)`` after each day.
    Raises LakeVerifyError when the lake cannot be verified (and ChainDataError on a bad file).
    """
    chosen = check_formats(formats)
    key = read_answer_key(root)
    labels = read_address_labels(root)
    days = lake_days(root)
    if on_days is not None:
        on_days(len(days))
    heights: list[int] = []
    block_days: list[date] = []
    stopped: list[FormatDifference] = []

    def transactions() -> Iterator[Transaction]:
        for day in days:
            day_txs: list[Located] = []
            for table in CHAIN_TABLES:
                first = read_partition(root, table, day, chosen[0])
                for other in chosen[1:]:
                    theirs = read_partition(root, table, day, other)
                    difference = compare_day_records(day, table, chosen[0], first, other, theirs)
                    if difference is not None:
                        stopped.append(difference)
                        return
                if table == "blocks":
                    heights.extend(item.record.number for item in first)  # type: ignore[union-attr]
                    if first:
                        block_days.append(day)
                else:
                    day_txs = first
            yield from (item.record for item in day_txs)  # type: ignore[misc]
            if on_day is not None:
                on_day(day)

    try:
        # Blocks are counted by the walk, not by recount: it would hold them all before the
        # transactions, and the walk reads each day's blocks and transactions together.
        again = recount(
            (),
            transactions(),
            labels,
            key["donation"]["address"],
            key["hub"]["address"],
        )
    except KeyError as exc:
        raise LakeVerifyError(
            f"a transaction spends output {exc.args[0]} that is not earlier in the lake "
            "(missing day or out-of-order records)"
        ) from None
    if stopped:
        return VerifyResult(chosen, len(days), stopped[0], ())
    counts = LakeCounts(
        n_blocks=len(heights),
        height_range=(min(heights), max(heights)) if heights else (0, -1),
        date_range=(
            (block_days[0].isoformat(), block_days[-1].isoformat()) if block_days else ("", "")
        ),
        days=len(days),
    )
    checks = compare_answer_key(key, addresses_by_label(labels), again, counts)
    return VerifyResult(chosen, len(days), None, tuple(checks))
