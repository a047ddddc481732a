"""The canonical-query workload: sampled addresses, one client and N concurrent clients, EXPLAIN.

The queries are the shipped ones (src/blocktrust/sql/queries/*.sql), run unchanged as the
analyst role with bound parameters. Parameters per address (depth of the deep ledger page, the
balance window, the flows-between partner) are looked up before timing starts.

Addresses are weighted like real lookups: most are drawn uniformly from all addresses (nearly
all small: one or two transactions), a fifth from the busiest 1% (exchanges, pools, services),
and the hub (the generator's biggest entity) is timed on its own.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench.sqlfiles import bench_query
from bench.stats import latency_summary

LARGE_SHARE = 0.2  # share of the sample drawn from the busiest 1% of addresses
PAGE_SIZE = 50
TOP_N = 20
HOP1_LIMIT = 10
HOP2_LIMIT = 10
BALANCE_WINDOW_DAYS = 365
DEEP_PAGE_DEPTH = 0.9  # the deep page starts 90% of the way down the ledger
WARMUP_ADDRESSES = 20
TWO_HOP = "two_hops_out"


@dataclass(frozen=True)
class Lookup:
    """Everything the canonical queries need for one address."""

    address: str
    kind: str  # "sample" | "hub"
    tx_count: int
    last_seen_date: date
    deep_cursor: tuple[int, int] | None
    partner: str


@dataclass(frozen=True)
class Canonical:
    name: str  # label in the results
    sql_file: str  # src/blocktrust/sql/queries/<sql_file>.sql
    params: Callable[[Lookup], dict[str, Any]]


def _balance_params(lookup: Lookup) -> dict[str, Any]:
    return {
        "address": lookup.address,
        "date_from": lookup.last_seen_date - timedelta(days=BALANCE_WINDOW_DAYS - 1),
        "date_to": lookup.last_seen_date,
    }


def _deep_page_params(lookup: Lookup) -> dict[str, Any]:
    block_number, transaction_index = lookup.deep_cursor or (2**62, 2**30)
    return {
        "address": lookup.address,
        "after_block_number": block_number,
        "after_transaction_index": transaction_index,
        "page_size": PAGE_SIZE,
    }


CANONICAL: tuple[Canonical, ...] = (
    Canonical("summary", "address_summary", lambda lk: {"address": lk.address}),
    Canonical(
        "top_recipients",
        "address_top_recipients",
        lambda lk: {"address": lk.address, "limit": TOP_N},
    ),
    Canonical(
        "top_senders", "address_top_senders", lambda lk: {"address": lk.address, "limit": TOP_N}
    ),
    Canonical(
        "ledger_first_page",
        "address_ledger_first_page",
        lambda lk: {"address": lk.address, "page_size": PAGE_SIZE},
    ),
    Canonical("ledger_deep_page", "address_ledger_next_page", _deep_page_params),
    Canonical("balance_history", "address_balance_history", _balance_params),
    Canonical(
        "flows_between",
        "flows_between",
        lambda lk: {"address_a": lk.address, "address_b": lk.partner},
    ),
    Canonical(
        TWO_HOP,
        "two_hops_out",
        lambda lk: {"address": lk.address, "hop1_limit": HOP1_LIMIT, "hop2_limit": HOP2_LIMIT},
    ),
)


def canonical_statement(query: Canonical) -> sql.Composed | sql.SQL:
    from blocktrust.ingest.sqlfiles import query as packaged

    return packaged("queries", query.sql_file)


# ---------------------------------------------------------------- sampling (untimed)


def _rows(conn: psycopg.Connection, name: str, params: dict[str, Any]) -> list[tuple]:
    return conn.execute(bench_query(name), params).fetchall()


def sample_addresses(conn: psycopg.Connection, n: int, seed: int) -> list[tuple[str, int, date]]:
    """n addresses: (1 - LARGE_SHARE) uniform, LARGE_SHARE from the busiest 1%, shuffled."""
    total = _rows(conn, "count_addresses", {})[0][0]
    n_large = round(n * LARGE_SHARE)
    uniform = _rows(conn, "random_addresses", {"salt": str(seed), "n": n - n_large})
    busiest = _rows(conn, "busiest_addresses", {"n": max(n_large, total // 100)})
    rng = random.Random(seed)
    large = (
        rng.sample(busiest, n_large)
        if len(busiest) >= n_large
        else [rng.choice(busiest) for _ in range(n_large)]
    )
    picked = [tuple(r) for r in uniform] + [tuple(r) for r in large]
    rng.shuffle(picked)
    return picked  # type: ignore[return-value]


def describe_lookup(
    conn: psycopg.Connection, address: str, tx_count: int, last_seen: date, kind: str, hub: str
) -> Lookup:
    depth = int(tx_count * DEEP_PAGE_DEPTH)
    cursor_rows = _rows(conn, "ledger_row_at", {"address": address, "depth": depth})
    partner_rows = _rows(conn, "top_counterparty", {"address": address})
    return Lookup(
        address=address,
        kind=kind,
        tx_count=tx_count,
        last_seen_date=last_seen,
        deep_cursor=tuple(cursor_rows[0]) if cursor_rows else None,  # type: ignore[arg-type]
        partner=partner_rows[0][0] if partner_rows else hub,
    )


def build_lookups(
    owner_dsn: str, hub: str, n: int, seed: int
) -> tuple[list[Lookup], Lookup, Lookup]:
    """(sample lookups, hub lookup, a typical address's lookup)."""
    with psycopg.connect(owner_dsn, autocommit=True) as conn:
        picked = sample_addresses(conn, n, seed)
        lookups = [describe_lookup(conn, a, t, d, "sample", hub) for a, t, d in picked]
        hub_row = _rows(conn, "address_facts", {"address": hub})
        if not hub_row:
            raise RuntimeError(f"hub address {hub} is not in marts.dim_address_totals")
        _, hub_count, hub_last = hub_row[0]
        hub_lookup = describe_lookup(conn, hub, hub_count, hub_last, "hub", hub)
    uniform_part = [lk for lk in lookups if lk.tx_count <= _median_count(lookups)]
    typical = sorted(uniform_part or lookups, key=lambda lk: (lk.tx_count, lk.address))[
        len(uniform_part or lookups) // 2
    ]
    return lookups, hub_lookup, typical


def _median_count(lookups: list[Lookup]) -> int:
    counts = sorted(lk.tx_count for lk in lookups)
    return counts[len(counts) // 2] if counts else 0


# ---------------------------------------------------------------- timing


@dataclass
class Timings:
    """Latencies in seconds per (query, kind) and the wall time of the whole workload."""

    seconds: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    wall_s: float = 0.0
    executed: int = 0

    def merge(self, other: Timings) -> None:
        for key, values in other.seconds.items():
            self.seconds[key].extend(values)
        for key, n in other.rows.items():
            self.rows[key] += n
        self.executed += other.executed


def analyst_connection(analyst_dsn: str) -> psycopg.Connection:
    # Ad-hoc queries as Superset and psql send them: no server-side prepared statements.
    conn = psycopg.connect(analyst_dsn, autocommit=True)
    conn.prepare_threshold = None
    return conn


def run_lookups(
    conn: psycopg.Connection,
    lookups: list[Lookup],
    statements: dict[str, sql.Composed | sql.SQL],
    tick: Callable[[int], None] | None = None,
) -> Timings:
    """For each address, every canonical query in turn (a page view); latency = execute+fetch."""
    timings = Timings()
    clock = time.perf_counter
    with conn.cursor() as cur:
        for lookup in lookups:
            for query in CANONICAL:
                params = query.params(lookup)
                began = clock()
                cur.execute(statements[query.name], params)
                fetched = cur.fetchall()
                timings.seconds[(query.name, lookup.kind)].append(clock() - began)
                timings.rows[query.name] += len(fetched)
                timings.executed += 1
            if tick is not None:
                tick(1)
    return timings


def run_concurrent(
    analyst_dsn: str,
    lookups: list[Lookup],
    statements: dict[str, sql.Composed | sql.SQL],
    clients: int,
    tick: Callable[[int], None] | None = None,
) -> Timings:
    """The same lookups split round-robin over ``clients`` threads, each with its connection."""
    shares = [lookups[i::clients] for i in range(clients)]
    results: list[Timings] = [Timings() for _ in range(clients)]
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def locked_tick(n: int) -> None:
        if tick is not None:
            with lock:
                tick(n)

    def client(i: int) -> None:
        try:
            with analyst_connection(analyst_dsn) as conn:
                start.wait()
                results[i] = run_lookups(conn, shares[i], statements, locked_tick)
        except BaseException as exc:  # reported after the join
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if errors:
        raise errors[0]
    total = Timings()
    for part in results:
        total.merge(part)
    total.wall_s = wall
    return total


def summarise(timings: Timings) -> dict[str, Any]:
    per_query: dict[str, Any] = {}
    for query in CANONICAL:
        entry: dict[str, Any] = {}
        for kind in ("sample", "hub"):
            values = timings.seconds.get((query.name, kind))
            if values:
                entry[kind] = latency_summary(values)
        both = timings.seconds.get((query.name, "sample"), []) + timings.seconds.get(
            (query.name, "hub"), []
        )
        if both:
            entry["all"] = latency_summary(both)
        entry["rows_returned"] = timings.rows.get(query.name, 0)
        per_query[query.name] = entry
    return {
        "queries": per_query,
        "executed": timings.executed,
        "wall_s": round(timings.wall_s, 3),
        "queries_per_s": round(timings.executed / timings.wall_s, 1) if timings.wall_s else None,
    }


# ---------------------------------------------------------------- EXPLAIN


def explain_text(
    conn: psycopg.Connection, statement: sql.Composed | sql.SQL, params: dict[str, Any]
) -> str:
    explain = sql.SQL("explain (analyze, buffers, settings) ") + statement
    return "\n".join(row[0] for row in conn.execute(explain, params).fetchall())


def write_explains(analyst_dsn: str, out_dir: Path, targets: dict[str, Lookup]) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of every canonical query per target; file per pair."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    with analyst_connection(analyst_dsn) as conn:
        for query in CANONICAL:
            statement = canonical_statement(query)
            for label, lookup in targets.items():
                params = query.params(lookup)
                conn.execute(statement, params).fetchall()  # warm, as in the timed runs
                text = explain_text(conn, statement, params)
                header = (
                    f"-- {query.name} ({query.sql_file}.sql), {label} address "
                    f"{lookup.address} ({lookup.tx_count} transactions)\n"
                    f"-- parameters: {_printable(params)}\n"
                )
                path = out_dir / f"{query.name}__{label}.txt"
                path.write_text(header + text + "\n")
                written[f"{query.name}__{label}"] = path.name
    return written


def _printable(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())
