"""One benchmark run, start to finish: ``run_bench(settings, config, results_dir)``.

Order (one database, each day loaded exactly once):
  generate -> read (per format) -> bare COPY into an empty copy of the raw tables
  -> load reference data -> load days[0:H] -> dbt run (full, H days of history)
  -> load day H -> incremental dbt run for that day (repeats; + one incremental build)   [1x]
  -> load days H+1..10H-1 -> dbt run --full-refresh (10H days)
  -> load day 10H -> incremental dbt run for that day (repeats; + one incremental build) [10x]
  -> load the remaining days -> dbt build --full-refresh (the full build, timed)
  -> vacuum analyze -> canonical queries (1 client, N clients) + EXPLAIN -> sizes.
H = (days - 1) // history_ratio over the generator's days (days that have blocks).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench import steps
from bench.config import BenchConfig
from bench.machine import describe, load_average
from bench.memory import run_step
from bench.stats import rate

TARGETS = {
    "query_p95_ms": 20.0,
    "two_hop_p95_ms": 200.0,
    "load_vs_bare_copy_min": 0.70,
    "incremental_10x_vs_1x_max": 1.5,
}


def history_days(n_days: int, ratio: int) -> int:
    """H such that day 10H (0-based) exists: H days, then H*ratio days, then one more."""
    return max(1, (n_days - 1) // ratio)


def result_stem(config: BenchConfig, on: date | None = None) -> str:
    return f"{(on or date.today()).isoformat()}-{config.scale}"


class Runner:
    """Runs steps in spawned processes and keeps their memory figures."""

    def __init__(self, database: str, say: Callable[[str], None]) -> None:
        self.database = database
        self.say = say
        self.memory: list[dict[str, Any]] = []

        self.errors: list[dict[str, str]] = []

    def __call__(self, name: str, func: Callable[..., Any], *args: Any, database: str = "") -> Any:
        self.say(f"step {name}")
        result, memory = run_step(name, database or self.database, func, *args)
        self.memory.append(memory)
        return result

    def attempt(self, name: str, func: Callable[..., Any], *args: Any) -> Any:
        """Like calling, but a failure is recorded (and None returned) so the run still reports
        what it measured; a dbt model that never finishes is stopped by the statement timeout."""
        try:
            return self(name, func, *args)
        except Exception as exc:  # recorded in the results, shown by the CLI
            self.say(f"step {name} FAILED: {str(exc).splitlines()[0][:300]}")
            self.errors.append({"step": name, "error": str(exc)[:4000]})
            return None


def _prepare_databases(settings: Any, config: BenchConfig) -> tuple[Any, Any]:
    from blocktrust.db.cluster import ensure_up
    from blocktrust.db.schema import create_database, database_exists, drop_database

    if config.database is None:
        ensure_up(settings)
        if database_exists(settings, config.database_name):
            drop_database(settings, config.database_name)
        create_database(settings, config.database_name)
    copy_name = f"{config.database_name}_copy"
    if database_exists(settings, copy_name):
        drop_database(settings, copy_name)
    create_database(settings, copy_name)
    bench = dataclasses.replace(settings, pg_database=config.database_name)
    return bench, dataclasses.replace(settings, pg_database=copy_name)


def _incremental(
    run: Runner, settings: Any, day: str, config: BenchConfig, label: str
) -> dict[str, Any]:
    from blocktrust.warehouse.dbt import window_vars

    vars_ = window_vars(day)
    out = run.attempt(
        f"transform incremental run {label}",
        steps.dbt,
        settings,
        ["run", *vars_],
        config.incremental_repeats,
    )
    build = None
    if config.incremental_build:
        build = run.attempt(
            f"transform incremental build {label}", steps.dbt, settings, ["build", *vars_], 1
        )
    return {"day": day, "run": out, "build": build}


def run_bench(
    settings: Any,
    config: BenchConfig,
    results_dir: Path,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Measure everything; return the results dict (the caller writes it)."""
    started = datetime.now(UTC)
    stem = result_stem(config, started.date())
    explain_dir = results_dir / f"{stem}.explain"
    lake_dir = config.lake_dir or settings.data_dir / "bench" / f"lake-{config.scale}"
    lake_url = lake_dir.resolve().as_uri()
    bench_settings, copy_settings = _prepare_databases(settings, config)
    bench_settings = dataclasses.replace(
        bench_settings, lake_url=lake_url, lake_format="bitcoin-etl"
    )
    run = Runner(config.database_name, say)
    loadavg_before = load_average()
    machine = describe(bench_settings)

    generated = None
    if not config.skip_generate:
        if lake_dir.exists():
            shutil.rmtree(lake_dir)
        lake_dir.mkdir(parents=True)
        generated = run(
            "generate",
            steps.generate,
            lake_url,
            config.n_transactions,
            config.seed,
            config.start,
            config.end,
            str(settings.data_dir / "cache"),
            config.progress,
        )
    elif (lake_dir / steps.GENERATE_FIGURES).exists():
        generated = {
            **json.loads((lake_dir / steps.GENERATE_FIGURES).read_text()),
            "reused_from_lake": True,
        }
    answer_key = json.loads((lake_dir / "answer_key" / "answer_key.json").read_text())
    hub = answer_key["hub"]["address"]
    days = steps.lake_days(lake_url)
    read = run("read", steps.read, lake_url, days, config.progress)
    tx_per_day: dict[str, int] = read.pop("tx_per_day")

    bare = run(
        "bare COPY",
        steps.bare_copy,
        copy_settings,
        lake_url,
        days,
        config.progress,
        database=copy_settings.pg_database,
    )
    from blocktrust.db.schema import drop_database

    drop_database(settings, copy_settings.pg_database)

    h = history_days(len(days), config.history_ratio)
    h10 = h * config.history_ratio
    has_10x = h10 < len(days)
    loads: list[dict[str, Any]] = []

    def load(segment: list[str], label: str) -> None:
        if segment:
            loads.append(
                run(
                    f"load {label}",
                    steps.load_days,
                    bench_settings,
                    segment,
                    config.progress,
                    label,
                )
            )

    reference = run("load reference", steps.load_reference, bench_settings)
    load(days[:h], f"days 1-{h}")
    full_1x = run.attempt("transform full run 1x", steps.dbt, bench_settings, ["run"], 1)
    load(days[h : h + 1], f"day {h + 1}")
    incr_1x = _incremental(run, bench_settings, days[h], config, "1x")
    incr_10x = full_10x = None
    if has_10x:
        load(days[h + 1 : h10], f"days {h + 2}-{h10}")
        full_10x = run.attempt(
            "transform full run 10x", steps.dbt, bench_settings, ["run", "--full-refresh"], 1
        )
        load(days[h10 : h10 + 1], f"day {h10 + 1}")
        incr_10x = _incremental(run, bench_settings, days[h10], config, "10x")
        load(days[h10 + 1 :], f"days {h10 + 2}-{len(days)}")
    else:
        load(days[h + 1 :], f"days {h + 2}-{len(days)}")
    full_build = run.attempt(
        "transform full build", steps.dbt, bench_settings, ["build", "--full-refresh"], 1
    )
    vacuum = run("vacuum analyze", steps.vacuum_analyze, bench_settings)
    queries = None
    if full_build is not None:
        queries = run.attempt(
            "queries",
            steps.queries,
            bench_settings,
            hub,
            config.query_addresses,
            config.hub_repeats,
            config.concurrent_clients,
            config.seed,
            str(explain_dir),
            config.progress,
        )
    size = run("sizes", steps.sizes, bench_settings)

    load_s = sum(part["seconds"] for part in loads)
    load_rows: dict[str, int] = {}
    for part in loads:
        for table, n in part["rows"].items():
            load_rows[table] = load_rows.get(table, 0) + n
    n_tx = load_rows.get("transactions", 0)
    load_summary = {
        "days": sum(part["days"] for part in loads),
        "seconds": round(load_s, 3),
        "rows": load_rows,
        "tx_per_s": rate(n_tx, load_s),
        "rows_per_s": rate(sum(load_rows.values()), load_s),
        "segments": [{"days": p["days"], "seconds": round(p["seconds"], 3)} for p in loads],
        "reference": reference,
    }
    load_summary["vs_bare_copy"] = (
        round(bare["seconds"] / load_s, 3) if load_s and bare["seconds"] else None
    )
    transform = {
        "history_days_1x": h,
        "history_days_10x": h10 if has_10x else None,
        "history_tx_1x": sum(tx_per_day.get(d, 0) for d in days[:h]),
        "history_tx_10x": sum(tx_per_day.get(d, 0) for d in days[:h10]) if has_10x else None,
        "increment_tx_1x": tx_per_day.get(days[h], 0),
        "increment_tx_10x": tx_per_day.get(days[h10], 0) if has_10x else None,
        "full_run_1x": full_1x,
        "full_run_10x": full_10x,
        "incremental_1x": incr_1x,
        "incremental_10x": incr_10x,
        "full_build": full_build,
        "vacuum_analyze": vacuum,
    }
    if incr_10x and incr_1x and incr_10x["run"] and incr_1x["run"]:
        transform["incremental_run_10x_vs_1x"] = round(
            incr_10x["run"]["median_s"] / incr_1x["run"]["median_s"], 3
        )
        if incr_10x.get("build") and incr_1x.get("build"):
            transform["incremental_build_10x_vs_1x"] = round(
                incr_10x["build"]["median_s"] / incr_1x["build"]["median_s"], 3
            )
    results: dict[str, Any] = {
        "schema_version": 1,
        "scale": config.scale,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(config).items()
        },
        "machine": {
            **machine,
            "loadavg_before": loadavg_before,
            "loadavg_after": load_average(),
        },
        "chain": {
            "transactions": n_tx,
            "days_with_blocks": len(days),
            "first_day": days[0],
            "last_day": days[-1],
            "hub_address": hub,
            "hub_tx_count": answer_key["hub"].get("tx_count"),
        },
        "generate": generated,
        "read": read["formats"],
        "bare_copy": bare,
        "load": load_summary,
        "transform": transform,
        "queries": queries,
        "size": {
            **size,
            "bytes_per_transaction": round(size["database_bytes"] / n_tx, 1) if n_tx else None,
        },
        "memory": run.memory,
        "errors": run.errors,
        "explain_dir": explain_dir.name,
    }
    results["targets"] = evaluate_targets(results)
    return results


def evaluate_targets(results: dict[str, Any]) -> dict[str, Any]:
    """Each target with the measured value and met / missed (None when not measured)."""
    out: dict[str, Any] = {}
    single = (results.get("queries") or {}).get("single_client", {}).get("queries", {})
    for name, entry in single.items():
        limit = TARGETS["two_hop_p95_ms" if name == "two_hops_out" else "query_p95_ms"]
        for kind in ("sample", "hub"):
            if kind in entry:
                value = entry[kind]["p95_ms"]
                out[f"{name}.{kind}.p95_ms"] = {
                    "target": f"< {limit:g}",
                    "value": value,
                    "met": value < limit,
                }
    ratio = results["load"]["vs_bare_copy"]
    out["load_vs_bare_copy"] = {
        "target": f">= {TARGETS['load_vs_bare_copy_min']:g}",
        "value": ratio,
        "met": None if ratio is None else ratio >= TARGETS["load_vs_bare_copy_min"],
    }
    incr = results["transform"].get("incremental_run_10x_vs_1x")
    out["incremental_run_10x_vs_1x"] = {
        "target": f"<= {TARGETS['incremental_10x_vs_1x_max']:g}",
        "value": incr,
        "met": None if incr is None else incr <= TARGETS["incremental_10x_vs_1x_max"],
    }
    return out
