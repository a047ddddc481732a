"""Quarantine by flag-and-exclude: raw.quarantined_days lists the days the gate stopped.

Nothing moves and nothing is deleted. The day's raw rows stay in raw.*; the dbt staging models
skip a day while it has an open row (released_at is null); ``release_day`` closes the row when
a later gate run passes (after the source was fixed and the day reloaded). The table keeps the
history of every quarantine. The DDL (sql/gx/quarantined_days_ddl.sql) is applied here, as the
owner role, the first time it is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from blocktrust.gx.sql import query

if TYPE_CHECKING:
    import psycopg

    from blocktrust.settings import Settings

MAX_REASON_CHARS = 4000


@dataclass(frozen=True)
class Quarantine:
    block_date: date
    reason: str
    quarantined_at: datetime


def ensure_table(conn: psycopg.Connection) -> None:
    conn.execute(query("quarantined_days_ddl"))


def _connect(settings: Settings) -> psycopg.Connection:
    from blocktrust.db import connect

    return connect(settings, role="owner")


def quarantine_day(settings: Settings, day: date, reason: str) -> None:
    """Put ``day`` in quarantine (or refresh the reason of its open quarantine)."""
    with _connect(settings) as conn:
        ensure_table(conn)
        conn.execute(query("quarantine_day"), {"day": day, "reason": reason[:MAX_REASON_CHARS]})


def release_day(settings: Settings, day: date) -> bool:
    """Close ``day``'s open quarantine; True when there was one."""
    with _connect(settings) as conn:
        ensure_table(conn)
        return conn.execute(query("release_day"), {"day": day}).fetchone() is not None


def open_quarantines(settings: Settings) -> list[Quarantine]:
    with _connect(settings) as conn:
        ensure_table(conn)
        return [Quarantine(*row) for row in conn.execute(query("open_quarantines")).fetchall()]
