"""One benchmark run, start to finish: ``run_bench(settings, config, results_dir)``.

Order (one database, each day loaded exactly once):
  generate -> read (per format) -> render the rows; then N pairs: bare COPY into an empty copy
  of the raw tables, the loader's one pass over the same days into another (the ratio pairs)
  -> load reference data -> load days[0:H] -> dbt run (full, H days of history)
  -> K daily runs at 1x: load the next day, incremental dbt run for it (the first run of that
     day, as Airflow's daily run does); then a rerun and an incremental build of the last one
  -> load the days up to the last K -> dbt build --full-refresh (the full build, timed)
  -> K daily runs at 10x (the last K days of the chain), then a rerun and a build
  -> vacuum analyze -> canonical queries (1 client, N clients) + EXPLAIN -> sizes.
History is split by transactions, not days (the chain's days grow from a few transactions to
hundreds): H is the largest number of days whose transactions, times history_ratio, do not
exceed the transactions before the last K days. So the 10x runs have at least ten times the
1x runs' history in rows.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from statistics import median
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


def history_split(tx_per_day: list[int], ratio: int, daily_runs: int) -> int:
    """H, the 1x history in days: the most days whose transactions times ``ratio`` fit in the
    history before the last ``daily_runs`` days, leaving room for the 1x daily runs."""
    n = len(tx_per_day)
    if n < 2 * daily_runs + 1:
        raise ValueError(f"{n} days with blocks: too few for {daily_runs} daily runs at 1x and 10x")
    history_10x = sum(tx_per_day[: n - daily_runs])
    h, cumulative = 1, tx_per_day[0]
    while h < n - 2 * daily_runs and (cumulative + tx_per_day[h]) * ratio <= history_10x:
        cumulative += tx_per_day[h]
        h += 1
    return h


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


def _daily_runs(
    run: Runner,
    settings: Any,
    days: list[str],
    tx_per_day: dict[str, int],
    config: BenchConfig,
    label: str,
    load: Callable[[list[str], str], None],
) -> dict[str, Any]:
    """Each day: load it, then its first incremental `dbt run` (window_start = that day). Then
    a rerun of the last day (idempotent: redoes the same window) and an incremental build."""
    from blocktrust.warehouse.dbt import window_vars

    firsts: list[dict[str, Any] | None] = []
    for day in days:
        load([day], f"day {day}")
        firsts.append(
            run.attempt(
                f"transform daily run {label} {day}",
                steps.dbt,
                settings,
                ["run", *window_vars(day)],
                1,
            )
        )
    seconds = [f["seconds"][0] for f in firsts if f]
    last = window_vars(days[-1])
    rerun = run.attempt(
        f"transform rerun {label}", steps.dbt, settings, ["run", *last], config.incremental_repeats
    )
    build = None
    if config.incremental_build:
        build = run.attempt(
            f"transform incremental build {label}", steps.dbt, settings, ["build", *last], 1
        )
    return {
        "days": days,
        "tx": [tx_per_day.get(d, 0) for d in days],
        "run": {
            "seconds": seconds,
            "median_s": round(median(seconds), 3) if seconds else None,
            "slowest_nodes": (firsts[-1] or {}).get("slowest_nodes", []),
        }
        if len(seconds) == len(days)
        else None,
        "rerun": rerun,
        "build": build,
    }


def _load_pairs(
    run: Runner, settings: Any, copy_settings: Any, lake_url: str, days: list[str], config: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The load ratio: ``config.load_pairs`` times, a bare COPY of the pre-rendered rows, then
    the loader's one pass over the same days, each into a new empty copy of the raw tables after
    a checkpoint. The bare COPY alone varies by half from one run to the next on this shared
    box, so each pair gives a ratio and the median is quoted."""
    from blocktrust.db.schema import create_database, drop_database

    copy_db = copy_settings.pg_database
    loader_settings = dataclasses.replace(
        copy_settings, lake_url=lake_url, lake_format=steps.LOAD_FORMAT
    )

    def fresh() -> None:
        drop_database(settings, copy_db)
        create_database(settings, copy_db)

    bare_s: list[float] = []
    pass_s: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bt-bench-copy-") as spool:
        rendered = run(
            "render rows",
            steps.render_rows,
            copy_settings,
            lake_url,
            days,
            spool,
            config.progress,
            database=copy_db,
        )
        for i in range(1, config.load_pairs + 1):
            fresh()
            copied = run(
                f"bare COPY {i}",
                steps.bare_copy,
                copy_settings,
                days,
                spool,
                config.progress,
                database=copy_db,
            )
            bare_s.append(copied["seconds"])
            fresh()
            loaded = run(
                f"load (one pass) {i}",
                steps.load_days,
                loader_settings,
                days,
                config.progress,
                f"load (one pass) {i}",
                True,
                database=copy_db,
            )
            pass_s.append(round(loaded["seconds"], 3))
    drop_database(settings, copy_db)
    rows = rendered["rows"]
    n_tx, n_rows = rows["transactions"], sum(rows.values())
    bare = {
        **rendered,
        "seconds": median(bare_s),
        "runs_s": bare_s,
        "tx_per_s": rate(n_tx, median(bare_s)),
        "rows_per_s": rate(n_rows, median(bare_s)),
    }
    ratios = [round(b / p, 3) for b, p in zip(bare_s, pass_s, strict=True) if p]
    load_pass = {
        "days": len(days),
        "seconds": median(pass_s),
        "runs_s": pass_s,
        "tx_per_s": rate(n_tx, median(pass_s)),
        "rows_per_s": rate(n_rows, median(pass_s)),
        "vs_bare_copy_per_pair": ratios,
        "vs_bare_copy_median": round(median(ratios), 3) if ratios else None,
    }
    return bare, load_pass


def bench_lake_dir(settings: Any, config: BenchConfig) -> Path:
    """The lake a run of this scale writes (and --skip-generate / --queries-only read)."""
    return config.lake_dir or settings.data_dir / "bench" / f"lake-{config.scale}"


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
    lake_dir = bench_lake_dir(settings, config)
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

    bare, load_pass = _load_pairs(run, settings, copy_settings, lake_url, days, config)

    k = config.daily_runs
    h = history_split([tx_per_day.get(d, 0) for d in days], config.history_ratio, k)
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
    daily_1x = _daily_runs(run, bench_settings, days[h : h + k], tx_per_day, config, "1x", load)
    last_k = len(days) - k
    load(days[h + k : last_k], f"days {h + k + 1}-{last_k}")
    full_build = run.attempt(
        "transform full build", steps.dbt, bench_settings, ["build", "--full-refresh"], 1
    )
    daily_10x = _daily_runs(run, bench_settings, days[last_k:], tx_per_day, config, "10x", load)
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
    load_summary["one_pass"] = load_pass
    load_summary["vs_bare_copy"] = load_pass["vs_bare_copy_median"]
    transform = {
        "history_days_1x": h,
        "history_days_10x": last_k,
        "history_tx_1x": sum(tx_per_day.get(d, 0) for d in days[:h]),
        "history_tx_10x": sum(tx_per_day.get(d, 0) for d in days[:last_k]),
        "full_run_1x": full_1x,
        "incremental_1x": daily_1x,
        "incremental_10x": daily_10x,
        "full_build": full_build,
        "full_build_days": last_k,
        "vacuum_analyze": vacuum,
    }
    for kind in ("run", "rerun", "build"):
        one, ten = daily_1x.get(kind), daily_10x.get(kind)
        if one and ten and one.get("median_s") and ten.get("median_s"):
            transform[f"incremental_{kind}_10x_vs_1x"] = round(ten["median_s"] / one["median_s"], 3)
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


QUERIES_ONLY = "queries-only"


def run_queries_only(
    settings: Any,
    config: BenchConfig,
    results_dir: Path,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Only the canonical queries, again, on the database a full run of this scale left (to
    measure a tuning change before/after); the hub comes from that run's lake."""
    from blocktrust.db.cluster import ensure_up
    from blocktrust.db.schema import database_exists

    lake_dir = bench_lake_dir(settings, config)
    key_path = lake_dir / "answer_key" / "answer_key.json"
    ensure_up(settings)
    if not database_exists(settings, config.database_name):
        raise RuntimeError(
            f"no database {config.database_name}: run `blocktrust bench --txs "
            f"{config.n_transactions}` first (--queries-only re-measures what it built)"
        )
    if not key_path.exists():
        raise RuntimeError(f"no answer key at {key_path}: the hub address comes from the lake")
    started = datetime.now(UTC)
    stem = f"{result_stem(config, started.date())}-queries"
    explain_dir = results_dir / f"{stem}.explain"
    bench_settings = dataclasses.replace(settings, pg_database=config.database_name)
    answer_key = json.loads(key_path.read_text())
    run = Runner(config.database_name, say)
    loadavg_before = load_average()
    machine = describe(bench_settings)
    queries = run(
        "queries",
        steps.queries,
        bench_settings,
        answer_key["hub"]["address"],
        config.query_addresses,
        config.hub_repeats,
        config.concurrent_clients,
        config.seed,
        str(explain_dir),
        config.progress,
    )
    results: dict[str, Any] = {
        "schema_version": 1,
        "kind": QUERIES_ONLY,
        "scale": config.scale,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            k: str(v) if isinstance(v, Path) else v for k, v in dataclasses.asdict(config).items()
        },
        "machine": {**machine, "loadavg_before": loadavg_before, "loadavg_after": load_average()},
        "chain": {
            "hub_address": answer_key["hub"]["address"],
            "hub_tx_count": answer_key["hub"].get("tx_count"),
        },
        "queries": queries,
        "memory": run.memory,
        "errors": run.errors,
        "explain_dir": explain_dir.name,
    }
    results["targets"] = query_targets(queries)
    return results


def query_targets(queries: dict[str, Any] | None) -> dict[str, Any]:
    """The p95 target of each canonical query, sampled and hub, with met / missed."""
    out: dict[str, Any] = {}
    single = (queries or {}).get("single_client", {}).get("queries", {})
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
    return out


def evaluate_targets(results: dict[str, Any]) -> dict[str, Any]:
    """Each target with the measured value and met / missed (None when not measured)."""
    out = query_targets(results.get("queries"))
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
