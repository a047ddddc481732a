"""What a day looks like in the raw tables: counts and content hashes, to compare loads."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from psycopg import sql

from blocktrust.ingest.rows import RAW_TABLES
from blocktrust.ingest.sqlfiles import query

if TYPE_CHECKING:
    from blocktrust.settings import Settings


def day_fingerprint(settings: Settings, day: date) -> dict[str, tuple[int, str]]:
    """table -> (rows, md5 of the rows' text in a fixed order) for ``day``; equal iff same data."""
    from blocktrust.db import connect

    found = {}
    with connect(settings, role="loader") as conn, conn.cursor() as cur:
        for table in RAW_TABLES:
            cur.execute(
                query("ingest", "day_fingerprint", table=sql.Identifier("raw", table)),
                {"day": day},
            )
            count, digest = cur.fetchone()  # type: ignore[misc]
            found[table] = (int(count), str(digest))
    return found
