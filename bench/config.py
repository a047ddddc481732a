"""What one benchmark run measures, and where its outputs go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# 3m: the largest scale whose lake and warehouse fit this machine's free disk (docs/benchmarks.md).
SCALES = {100_000: "100k", 1_000_000: "1m", 3_000_000: "3m", 10_000_000: "10m"}


def scale_label(n_transactions: int) -> str:
    """100k / 1m / 3m / 10m for the documented scales, else the number itself (tiny test runs)."""
    return SCALES.get(n_transactions, str(n_transactions))


@dataclass(frozen=True)
class BenchConfig:
    """One run. ``database`` None: a dedicated ``bt_bench_<scale>`` database, recreated."""

    n_transactions: int
    seed: int = 1
    start: str = "2010-07-17"
    end: str = "2024-11-03"
    skip_generate: bool = False
    lake_dir: Path | None = None  # default <data_dir>/bench/lake-<scale>
    database: str | None = None
    query_addresses: int = 1000  # distinct sampled addresses per canonical query
    hub_repeats: int = 50  # timed runs of each canonical query for the hub address
    concurrent_clients: int = 8
    incremental_repeats: int = 3  # timed reruns of the last daily run (the median is quoted)
    incremental_build: bool = True  # also time one incremental `dbt build` (models + tests)
    history_ratio: int = 10  # the 10x runs have at least this many times the 1x history (tx)
    daily_runs: int = 3  # consecutive days loaded and run at 1x and at 10x (median quoted)
    load_pairs: int = 3  # bare COPY / loader pairs for the load ratio (median quoted)
    progress: bool = True

    @property
    def scale(self) -> str:
        return scale_label(self.n_transactions)

    @property
    def database_name(self) -> str:
        return self.database or f"bt_bench_{self.scale}"
