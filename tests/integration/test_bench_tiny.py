"""The benchmark harness at a tiny scale, so it keeps working: every step runs for real
(generator, readers, bare COPY, loader, dbt full/incremental builds, canonical queries on 1 and
several clients, EXPLAIN) against a fresh test database. Asserts the structure of the results and
of the generated docs section, never a time."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.config import BenchConfig  # noqa: E402
from bench.queries import CANONICAL  # noqa: E402
from bench.report import BEGIN, END, latest_per_scale, update_docs, write_results  # noqa: E402
from bench.run import (  # noqa: E402
    evaluate_targets,
    history_split,
    result_stem,
    run_bench,
    run_queries_only,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TINY = BenchConfig(
    n_transactions=3_000,
    seed=7,
    start="2024-01-01",
    end="2024-01-30",
    query_addresses=40,
    hub_repeats=5,
    concurrent_clients=3,
    incremental_repeats=1,
    daily_runs=2,
    load_pairs=2,
    incremental_build=False,  # the incremental `dbt build` is timed at real scales only
    progress=False,
)


def test_history_split_by_transactions_gives_the_10x_runs_ten_times_the_history() -> None:
    growing = [1 + d // 10 for d in range(4000)]  # days grow from 1 to 400 transactions
    for tx_per_day in (growing, [5] * 30, [1] * 7):
        h = history_split(tx_per_day, 10, 3)
        history_10x = sum(tx_per_day[:-3])
        assert 1 <= h <= len(tx_per_day) - 6  # room for three daily runs at 1x
        assert 10 * sum(tx_per_day[:h]) <= history_10x or h == 1
        assert 10 * sum(tx_per_day[: h + 1]) > history_10x or h == len(tx_per_day) - 6
    # by days, the growing chain's 10x point would hold about 50 times the transactions
    assert sum(growing[: history_split(growing, 10, 3)]) * 10 <= sum(growing[:-3])
    with pytest.raises(ValueError, match="too few"):
        history_split([1] * 6, 10, 3)


def test_docs_section_replaced_between_markers_and_prose_kept(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\nprose before\n\n{BEGIN}\nold table\n{END}\n\nprose after\n")
    update_docs(doc, tmp_path / "no-results-yet")
    text = doc.read_text()
    assert "prose before" in text and "prose after" in text
    assert "old table" not in text
    assert text.count(BEGIN) == 1 and text.count(END) == 1


def test_bench_tiny_run_writes_complete_results_and_docs_table(fresh_db, tmp_path: Path) -> None:
    config = BenchConfig(
        **{**TINY.__dict__, "database": fresh_db.pg_database, "lake_dir": tmp_path / "lake"}
    )
    results_dir = tmp_path / "results"
    results = run_bench(fresh_db, config, results_dir, say=lambda _m: None)
    path = write_results(results, results_dir / f"{result_stem(config)}.json")
    loaded = json.loads(path.read_text())

    assert loaded["scale"] == "3000"
    for key in ("nproc", "mem_total_gib", "cpu_model", "postgresql", "settings_profile"):
        assert loaded["machine"][key]
    chain = loaded["chain"]
    assert chain["transactions"] == 3_000
    assert loaded["generate"]["generate_tx_per_s"] > 0
    assert set(loaded["read"]) == {"bitcoin-etl", "aws-parquet"}
    for fmt in loaded["read"].values():
        assert fmt["records"]["transactions"] == 3_000
    # The bare COPY and the loader wrote the same rows.
    assert loaded["bare_copy"]["rows"] == loaded["load"]["rows"]
    assert loaded["load"]["days"] == chain["days_with_blocks"]
    # The ratio: the median over pairs of a bare COPY and the loader's own pass over the days.
    one_pass, bare = loaded["load"]["one_pass"], loaded["bare_copy"]
    assert one_pass["days"] == chain["days_with_blocks"]
    assert len(one_pass["runs_s"]) == len(bare["runs_s"]) == 2
    ratios = [round(b / p, 3) for b, p in zip(bare["runs_s"], one_pass["runs_s"], strict=True)]
    assert one_pass["vs_bare_copy_per_pair"] == ratios
    assert loaded["load"]["vs_bare_copy"] == round(sum(ratios) / 2, 3)
    assert {"bare COPY 2", "load (one pass) 2"} <= {m["step"] for m in loaded["memory"]}

    transform = loaded["transform"]
    assert transform["history_tx_10x"] >= 10 * transform["history_tx_1x"]
    assert transform["history_days_10x"] == chain["days_with_blocks"] - config.daily_runs
    for label in ("incremental_1x", "incremental_10x"):
        daily = transform[label]
        assert len(daily["days"]) == len(daily["run"]["seconds"]) == config.daily_runs
        assert daily["run"]["median_s"] > 0
        assert len(daily["rerun"]["seconds"]) == config.incremental_repeats
    assert transform["incremental_run_10x_vs_1x"] > 0
    assert transform["full_build"]["slowest_nodes"]

    queries = loaded["queries"]
    assert queries["hub"]["address"] == chain["hub_address"]
    for mode in ("single_client", "concurrent"):
        per_query = queries[mode]["queries"]
        assert set(per_query) == {q.name for q in CANONICAL}
        for entry in per_query.values():
            assert entry["sample"]["n"] == config.query_addresses
            assert entry["hub"]["n"] == config.hub_repeats
            assert (
                entry["sample"]["p50_ms"] <= entry["sample"]["p95_ms"] <= entry["sample"]["p99_ms"]
            )
    # The hub's summary and first ledger page return rows: the lookups hit real data.
    assert queries["single_client"]["queries"]["summary"]["rows_returned"] > 0
    assert queries["single_client"]["queries"]["ledger_first_page"]["rows_returned"] > 0

    explain_dir = results_dir / loaded["explain_dir"]
    for q in CANONICAL:
        for who in ("hub", "typical"):
            text = (explain_dir / f"{q.name}__{who}.txt").read_text()
            assert "Buffers:" in text or "Execution Time" in text
    assert loaded["size"]["bytes_per_transaction"] > 0
    steps = [m["step"] for m in loaded["memory"]]
    assert steps[0] == "generate" and "queries" in steps
    assert all(m["self_maxrss_kib"] > 0 for m in loaded["memory"])
    assert evaluate_targets(loaded) == loaded["targets"]

    # The docs table is generated only for the documented scales; a tiny run renders as such
    # when labelled 100k (the renderer must accept every field a real run has).
    relabelled = results_dir / "relabelled"
    write_results({**loaded, "scale": "100k"}, relabelled / "2000-01-01-100k.json")
    doc = update_docs(tmp_path / "benchmarks.md", relabelled)
    text = doc.read_text()
    assert "### 100k transactions" in text
    for q in CANONICAL:
        assert f"`{q.name}`" in text

    # --queries-only: the queries again on the database the run left, the docs table unchanged
    again = run_queries_only(fresh_db, config, results_dir, say=lambda _m: None)
    assert again["kind"] == "queries-only"
    assert again["queries"]["hub"]["address"] == chain["hub_address"]
    assert set(again["targets"]) == {k for k in loaded["targets"] if k.endswith(".p95_ms")}
    assert (results_dir / again["explain_dir"] / "two_hops_out__hub.txt").exists()
    write_results({**again, "scale": "100k"}, relabelled / "2000-01-02-100k-queries.json")
    assert [r["_file"] for r in latest_per_scale(relabelled)] == ["2000-01-01-100k.json"]


def test_queries_only_without_a_full_run_names_the_command_to_run_first(
    fresh_db, tmp_path: Path
) -> None:
    config = BenchConfig(**{**TINY.__dict__, "database": "bt_bench_never_built"})
    with pytest.raises(RuntimeError, match="run `blocktrust bench --txs 3000` first"):
        run_queries_only(fresh_db, config, tmp_path, say=lambda _m: None)
