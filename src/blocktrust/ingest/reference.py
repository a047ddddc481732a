"""Reference data: the daily BTC/USD series and address tags, each replaced in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from blocktrust.ingest.errors import ReferenceDataError
from blocktrust.ingest.sqlfiles import query
from blocktrust.ingest.tagpacks import parse_tagpack
from blocktrust.lake import lake_root, prices_dir, tags_dir

if TYPE_CHECKING:
    from blocktrust.settings import Settings

PRICE_COLUMNS = ("price_date", "close_usd", "is_filled", "source")
TAGPACK_SUFFIXES = (".yaml", ".yml")


def _files(folder, suffixes: tuple[str, ...]) -> list:
    if not folder.exists():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and p.name.endswith(suffixes)),
        key=lambda p: p.name,
    )


def load_prices(settings: Settings, lake_url: str | None = None) -> int:
    """Replace raw.prices_btc_usd_daily with <lake>/prices/btc_usd_daily/*.csv; rows loaded."""
    from psycopg import sql

    from blocktrust.db import connect
    from blocktrust.prices import PriceDataError, read_prices_csv

    folder = prices_dir(lake_root(lake_url or settings.lake_url))
    files = _files(folder, (".csv",))
    if not files:
        raise ReferenceDataError(f"no price files (*.csv) in {folder}")
    first_seen: dict[object, str] = {}
    rows: list[tuple] = []
    for path in files:
        try:
            with path.open("rb") as fh:
                points = read_prices_csv(fh, str(path))
        except PriceDataError as err:
            raise ReferenceDataError(str(err)) from err
        for n, price in enumerate(points, start=1):
            if price.price_date in first_seen:
                raise ReferenceDataError(
                    f"{path}:row {n}: price_date {price.price_date} already given by "
                    f"{first_seen[price.price_date]}"
                )
            first_seen[price.price_date] = f"{path}:row {n}"
            rows.append((price.price_date, price.close_usd, price.is_filled, price.source))
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in PRICE_COLUMNS)
    table = sql.Identifier("raw", "prices_btc_usd_daily")
    with connect(settings, role="loader") as conn, conn.cursor() as cur:
        cur.execute(query("ingest", "delete_prices"))
        with cur.copy(query("ingest", "copy_from_stdin", table=table, columns=columns)) as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)


def load_tags(settings: Settings, lake_url: str | None = None) -> dict[str, int]:
    """Replace raw.address_tags per TagPack in <lake>/tags/*.yaml; tags loaded per tagpack."""
    from blocktrust.db import connect

    folder = tags_dir(lake_root(lake_url or settings.lake_url))
    files = _files(folder, TAGPACK_SUFFIXES)
    if not files:
        raise ReferenceDataError(f"no TagPack files (*.yaml) in {folder}")
    packs = {}
    for path in files:
        stem = path.name.rsplit(".", 1)[0]
        packs[stem] = parse_tagpack(path.read_text(), str(path), stem)
    with connect(settings, role="loader") as conn, conn.cursor() as cur:
        for stem, tags in packs.items():
            cur.execute(query("ingest", "delete_tagpack"), {"tagpack": stem})
            cur.executemany(query("ingest", "insert_address_tag"), [t.as_params() for t in tags])
    return {stem: len(tags) for stem, tags in packs.items()}
