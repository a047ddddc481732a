"""The across-scales table of docs/benchmarks.md (pure rendering, no database)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.report import latest_per_scale, render_across_scales, render_section  # noqa: E402


def _run(scale: str, transactions: int, hub_p95: float, queries: bool = True) -> dict[str, Any]:
    run: dict[str, Any] = {
        "scale": scale,
        "started_at": "2026-12-04T10:00:00+00:00",
        "chain": {"transactions": transactions, "hub_tx_count": transactions // 10},
        "load": {"vs_bare_copy": 0.71},
        "transform": {
            "history_tx_10x": transactions,
            "full_build": {"median_s": transactions / 5_000},
            "incremental_run_10x_vs_1x": 1.2,
        },
        "size": {"database_bytes": 12_000 * transactions, "bytes_per_transaction": 12_000.0},
    }
    if queries:
        run["queries"] = {
            "single_client": {
                "queries_per_s": 500.0,
                "queries": {
                    "summary": {"sample": {"p95_ms": 1.0}, "hub": {"p95_ms": 0.9}},
                    "balance_history": {"sample": {"p95_ms": 3.5}, "hub": {"p95_ms": hub_p95}},
                    "two_hops_out": {
                        "sample": {"p95_ms": 150.0, "p99_ms": 300.0},
                        "hub": {"p95_ms": 999.0},
                    },
                },
            },
            "concurrent": {"queries_per_s": 900.0, "clients": 8},
        }
    return run


def _cells(lines: list[str], label_start: str) -> list[str]:
    row = next(line for line in lines if line.startswith(f"| {label_start}"))
    return [cell.strip() for cell in row.strip("|").split("|")][1:]


def test_one_scale_gets_no_across_scales_table() -> None:
    assert render_across_scales([_run("1m", 1_000_000, 4.0)]) == []


def test_slowest_address_query_names_the_query_and_leaves_two_hops_to_their_own_row() -> None:
    lines = render_across_scales([_run("1m", 1_000_000, 4.1), _run("3m", 3_000_000, 6.5)])
    assert _cells(lines, "slowest address query p95 ms, hub") == [
        "4.10 (`balance_history`)",
        "6.50 (`balance_history`)",
    ]
    assert _cells(lines, "two hops p95 / p99") == ["150.0 / 300.0", "150.0 / 300.0"]
    assert _cells(lines, "full build s per 100k tx") == ["20.0", "20.0"]


def test_run_whose_queries_failed_shows_dashes_not_an_error() -> None:
    lines = render_across_scales(
        [_run("1m", 1_000_000, 4.1), _run("3m", 3_000_000, 6.5, queries=False)]
    )
    assert _cells(lines, "slowest address query p95 ms, sampled") == [
        "3.50 (`balance_history`)",
        "–",
    ]
    assert _cells(lines, "daily run at 1x / 10x")[1] == "– / –"


def test_across_scales_table_comes_before_the_per_scale_sections_of_the_committed_results() -> None:
    results = Path(__file__).resolve().parents[2] / "bench" / "results"
    section = render_section(latest_per_scale(results))
    first_scale = section.index("### 100k transactions")
    assert 0 < section.index("### Across scales") < first_scale
    assert "| transactions | 100,000 | 1,000,000 |" in section[:first_scale]
