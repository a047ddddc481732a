"""The answer key: exact totals the generator counted while it wrote the chain.

Every number here can be recounted from the written records (``recount``), which is what the
tests do and what anyone doubting a dashboard can do.

Proportional split (GraphSense): in a transaction, each output's value is split across the input
addresses in proportion to their input value, ``edge = input_value * output_value //
total_input`` (integer floor per (transaction, input address, output)), summed per recipient
address. An address's input value is the sum of its inputs in that transaction. Outputs without
exactly one address (OP_RETURN) take no edge, and the fee is not split. Recipients exclude the
donation address itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from blocktrust.chain.records import Block, Transaction

TOP_RECIPIENTS = 10


@dataclass(frozen=True)
class EntityTotals:
    label: str
    category: str
    addresses: tuple[str, ...]
    received_sats: int
    sent_sats: int
    tx_count: int

    @property
    def balance_sats(self) -> int:
        return self.received_sats - self.sent_sats

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "addresses": list(self.addresses),
            "received_sats": self.received_sats,
            "sent_sats": self.sent_sats,
            "balance_sats": self.balance_sats,
            "tx_count": self.tx_count,
        }


@dataclass(frozen=True)
class DonationTotals:
    address: str
    received_sats: int
    sent_sats: int
    tx_count: int
    donation_count: int  # transactions paying the address that it did not fund itself
    one_sat_tx_count: int  # transactions paying it exactly 1 satoshi (the data burst)
    spend_count: int  # transactions spending from it
    first_transaction: str | None
    top_recipients: tuple[tuple[str, int], ...]

    @property
    def balance_sats(self) -> int:
        return self.received_sats - self.sent_sats

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "received_sats": self.received_sats,
            "sent_sats": self.sent_sats,
            "balance_sats": self.balance_sats,
            "tx_count": self.tx_count,
            "donation_count": self.donation_count,
            "one_sat_tx_count": self.one_sat_tx_count,
            "spend_count": self.spend_count,
            "first_transaction": self.first_transaction,
            "top_recipients": [{"address": a, "value_sats": v} for a, v in self.top_recipients],
            "split_method": "proportional: floor(input_value * output_value / total_input)",
        }


@dataclass(frozen=True)
class AnswerKey:
    seed: int
    start: str
    end: str
    n_blocks: int
    n_transactions: int
    height_range: tuple[int, int]
    date_range: tuple[str, str]  # UTC days of the first and the last block
    utxo_total_sats: int
    hub_label: str
    hub_address: str
    hub_tx_count: int
    entities: Mapping[str, EntityTotals]
    donation: DonationTotals

    def to_json(self) -> dict[str, Any]:
        hub_txs = self.hub_tx_count
        return {
            "generator": {"seed": self.seed, "start": self.start, "end": self.end},
            "height_range": list(self.height_range),
            "date_range": list(self.date_range),
            "n_blocks": self.n_blocks,
            "n_transactions": self.n_transactions,
            "utxo_total_sats": self.utxo_total_sats,
            "hub": {
                "label": self.hub_label,
                "address": self.hub_address,
                "tx_count": hub_txs,
                "tx_share": round(hub_txs / self.n_transactions, 6),
            },
            "entities": {label: e.to_json() for label, e in sorted(self.entities.items())},
            "donation": self.donation.to_json(),
        }


def proportional_edges(
    inputs: Iterable[tuple[str, int]], outputs: Iterable[tuple[str | None, int]], source: str
) -> dict[str, int]:
    """Edges from `source` to each output address of one transaction (see module doc)."""
    per_address: dict[str, int] = {}
    total_in = 0
    for address, value in inputs:
        per_address[address] = per_address.get(address, 0) + value
        total_in += value
    source_in = per_address.get(source, 0)
    edges: dict[str, int] = {}
    if not source_in or not total_in:
        return edges
    for address, value in outputs:
        if address is None or address == source:
            continue
        edges[address] = edges.get(address, 0) + source_in * value // total_in
    return edges


@dataclass(frozen=True)
class Recount:
    entities: dict[str, tuple[int, int, int]]  # label -> (received, sent, tx_count)
    utxo_total_sats: int
    donation_received: int
    donation_sent: int
    donation_tx_count: int
    donation_one_sat_tx_count: int
    top_recipients: tuple[tuple[str, int], ...]
    hub_tx_count: int
    height_range: tuple[int, int]
    n_transactions: int


def recount(
    blocks: Iterable[Block],
    transactions: Iterable[Transaction],
    address_labels: Mapping[str, str],
    donation_address: str,
    hub_address: str,
) -> Recount:
    """Recount the answer key from records alone (inputs carry their spent value/addresses)."""
    heights = [b.number for b in blocks]
    received: dict[str, int] = {}
    sent: dict[str, int] = {}
    txc: dict[str, int] = {}
    unspent: dict[tuple[str, int], int] = {}
    don_rx = don_tx = don_sent = don_one = hub_txs = n_tx = 0
    recipients: dict[str, int] = {}
    for tx in transactions:
        n_tx += 1
        touched: set[str] = set()
        ins: list[tuple[str, int]] = []
        for i in tx.inputs:
            unspent.pop((i.spent_transaction_hash or "", i.spent_output_index or 0))
            if len(i.addresses) == 1:
                ins.append((i.addresses[0], i.value or 0))
            for a in i.addresses:
                touched.add(a)
                label = address_labels.get(a)
                if label:
                    sent[label] = sent.get(label, 0) + (i.value or 0)
        outs: list[tuple[str | None, int]] = []
        to_donation = 0
        for o in tx.outputs:
            unspent[(tx.hash, o.index)] = o.value
            outs.append((o.addresses[0] if len(o.addresses) == 1 else None, o.value))
            for a in o.addresses:
                touched.add(a)
                if a == donation_address:
                    to_donation += o.value
                label = address_labels.get(a)
                if label:
                    received[label] = received.get(label, 0) + o.value
        for label in {address_labels[a] for a in touched if a in address_labels}:
            txc[label] = txc.get(label, 0) + 1
        if donation_address in touched:
            don_tx += 1
        if hub_address in touched:
            hub_txs += 1
        don_rx += to_donation
        if to_donation == 1:
            don_one += 1
        if any(a == donation_address for a, _ in ins):
            don_sent += sum(v for a, v in ins if a == donation_address)
            for a, v in proportional_edges(ins, outs, donation_address).items():
                recipients[a] = recipients.get(a, 0) + v
    labels = set(received) | set(sent) | set(txc)
    return Recount(
        entities={
            label: (received.get(label, 0), sent.get(label, 0), txc.get(label, 0))
            for label in labels
        },
        utxo_total_sats=sum(unspent.values()),
        donation_received=don_rx,
        donation_sent=don_sent,
        donation_tx_count=don_tx,
        donation_one_sat_tx_count=don_one,
        top_recipients=top_of(recipients),
        hub_tx_count=hub_txs,
        height_range=(min(heights), max(heights)) if heights else (0, -1),
        n_transactions=n_tx,
    )


def top_of(values: Mapping[str, int], n: int = TOP_RECIPIENTS) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:n])
