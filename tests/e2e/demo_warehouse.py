"""A small generated chain, loaded and transformed the way production does it.

generate_chain -> write_day (lake) -> load_day / load_prices / load_tags (raw) -> dbt build
(marts). Prices are synthetic but deterministic (a close per day), written in the lake's price
CSV format, so USD figures are reproducible without any download.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from blocktrust.settings import Settings

DEMO_START = date(2013, 1, 1)
DEMO_END = date(2013, 6, 30)
DEMO_TRANSACTIONS = 3000
DEMO_SEED = 11


@dataclass(frozen=True)
class DemoWarehouse:
    lake_dir: Path
    answer_key: dict[str, Any]
    timings_s: dict[str, float]

    @property
    def donation(self) -> dict[str, Any]:
        return self.answer_key["donation"]

    @property
    def donation_entity(self) -> dict[str, Any]:
        return self.answer_key["entities"]["donation"]


def synthetic_close(day: date) -> Decimal:
    """A deterministic daily close in USD: 13.00 on 2013-01-01, rising 0.75 a day."""
    return Decimal("13.00") + Decimal("0.75") * (day - DEMO_START).days


def write_prices(lake_url: str, first: date, last: date) -> None:
    import io

    from blocktrust import prices
    from blocktrust.lake import lake_root, prices_dir

    points = [
        prices.PricePoint(
            first + timedelta(days=i),
            synthetic_close(first + timedelta(days=i)),
            False,
            "synthetic (tests/e2e)",
        )
        for i in range((last - first).days + 1)
    ]
    buffer = io.StringIO()
    prices.write_prices_csv(points, buffer)
    folder = prices_dir(lake_root(lake_url))
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / prices.PRICES_FILE).open("wb") as fh:
        fh.write(buffer.getvalue().encode())


def build_demo_warehouse(settings: Settings, lake_dir: Path) -> DemoWarehouse:
    from blocktrust.chain.formats import write_day
    from blocktrust.chain.generator import (
        GeneratorConfig,
        generate_chain,
        write_answer_key,
        write_tagpack,
    )
    from blocktrust.ingest.loader import load_day
    from blocktrust.ingest.reference import load_prices, load_tags
    from blocktrust.lake import answer_key_dir, lake_root
    from blocktrust.warehouse.dbt import run_dbt

    timings: dict[str, float] = {}
    lake_dir.mkdir(parents=True, exist_ok=True)
    lake_url = lake_dir.as_uri()
    root = lake_root(lake_url)

    clock = time.perf_counter()
    config = GeneratorConfig(
        seed=DEMO_SEED,
        n_transactions=DEMO_TRANSACTIONS,
        start=DEMO_START,
        end=DEMO_END,
        donation_start=DEMO_START + timedelta(days=10),
        data_burst_start=date(2013, 4, 6),
    )
    run = generate_chain(config)
    days = []
    for batch in run:
        if batch.blocks:
            write_day(root, batch.day, batch.blocks, batch.transactions)
            days.append(batch.day)
    write_answer_key(root, run.answer_key)
    write_tagpack(root, run.answer_key)
    write_prices(lake_url, DEMO_START, DEMO_END)
    timings["generate"] = time.perf_counter() - clock

    clock = time.perf_counter()
    for day in days:
        load_day(settings, day, lake_url, "bitcoin-etl")
    load_prices(settings, lake_url)
    load_tags(settings, lake_url)
    timings["load"] = time.perf_counter() - clock

    clock = time.perf_counter()
    run_dbt(settings, ["build"])
    timings["dbt_build"] = time.perf_counter() - clock

    key_path = answer_key_dir(root) / "answer_key.json"
    answer_key = json.loads(key_path.read_text())
    return DemoWarehouse(lake_dir, answer_key, timings)
