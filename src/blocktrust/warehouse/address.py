"""The address summary `blocktrust address` prints, read from the marts (analyst role).

SQL lives in src/blocktrust/sql/queries/*.sql (the same files docs/queries.md shows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import psycopg
from psycopg.rows import dict_row

from blocktrust.settings import Settings

SATS_PER_BTC = 100_000_000
TOP_N = 10


@cache
def load_query(name: str) -> str:
    """The text of src/blocktrust/sql/queries/<name>.sql."""
    return (resources.files("blocktrust") / "sql" / "queries" / f"{name}.sql").read_text()


@dataclass(frozen=True)
class Counterparty:
    address: str
    value_sats: int
    value_usd: Decimal | None
    transaction_count: int
    tags: tuple[str, ...]


@dataclass(frozen=True)
class AddressSummary:
    address: str
    tags: tuple[str, ...]
    received_sats: int
    sent_sats: int
    balance_sats: int
    received_usd: Decimal
    sent_usd: Decimal
    cost_basis_usd: Decimal
    balance_usd: Decimal | None
    latest_price_usd: Decimal | None
    latest_price_date: Any
    tx_count: int
    received_tx_count: int
    sent_tx_count: int
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    first_received_at: datetime | None
    last_received_at: datetime | None
    first_sent_at: datetime | None
    last_sent_at: datetime | None
    top_recipients: tuple[Counterparty, ...]
    top_senders: tuple[Counterparty, ...]


class AddressNotFoundError(LookupError):
    """The address has no transaction in the warehouse."""


def _counterparties(rows: list[dict[str, Any]]) -> tuple[Counterparty, ...]:
    return tuple(
        Counterparty(
            address=row["counterparty"],
            value_sats=row["value_sats"],
            value_usd=row["value_usd"],
            transaction_count=row["transaction_count"],
            tags=tuple(row["tags"] or ()),
        )
        for row in rows
    )


def address_summary(
    settings: Settings, address: str, top_n: int = TOP_N, role: str = "analyst"
) -> AddressSummary:
    """Totals, USD, first/last seen, tags and top counterparties of one address."""
    params = {"address": address, "limit": top_n}
    with psycopg.connect(settings.dsn(role), row_factory=dict_row) as conn:
        row = conn.execute(load_query("address_summary"), params).fetchone()
        if row is None:
            raise AddressNotFoundError(f"address {address!r} has no transaction in the warehouse")
        recipients = conn.execute(load_query("address_top_recipients"), params).fetchall()
        senders = conn.execute(load_query("address_top_senders"), params).fetchall()
    fields = {k: v for k, v in row.items() if k != "tags"}
    return AddressSummary(
        **fields,
        tags=tuple(row["tags"] or ()),
        top_recipients=_counterparties(recipients),
        top_senders=_counterparties(senders),
    )


def btc(sats: int) -> str:
    """Exact BTC text of a satoshi amount (8 decimals)."""
    sign = "-" if sats < 0 else ""
    whole, frac = divmod(abs(sats), SATS_PER_BTC)
    return f"{sign}{whole:,}.{frac:08d}"


def usd(value: Decimal | None) -> str:
    return "n/a" if value is None else f"${value.quantize(Decimal('0.01')):,}"
