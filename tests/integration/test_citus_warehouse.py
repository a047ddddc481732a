"""The pipeline on a local Citus cluster (coordinator + 2 workers) against a single node.

One generated chain (a few days, ~1.5k transactions) goes through the real loader and a real
`dbt build` twice: into a Citus database (raw tables distributed by sql/citus/) and into a plain
database of the shared test cluster. Every mart must hold the same rows, the canonical queries
must answer the same, address lookups must route to one shard, and an incremental rerun must
change nothing.

The Citus cluster lives under <test data dir>/citus-cluster, coordinator on the test port + 10
and workers on +11, +12 (`BLOCKTRUST_DATA_DIR=<that dir> blocktrust db down` stops it). Marked
`citus`: skipped where the extension is not installed (tests/conftest.py).
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from test_dbt_warehouse import MARTS, checksums, module_database

from blocktrust.chain.formats import write_day
from blocktrust.chain.generator import GeneratorConfig, generate_chain, write_tagpack
from blocktrust.db import citus
from blocktrust.db.admin import admin_connect
from blocktrust.db.schema import create_database, drop_database
from blocktrust.ingest.loader import load_day, load_tags
from blocktrust.ingest.sqlfiles import sql_text
from blocktrust.lake import lake_root
from blocktrust.settings import Settings
from blocktrust.warehouse.dbt import run_dbt, window_vars

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.citus]

CONFIG = GeneratorConfig(
    seed=11,
    n_transactions=1500,
    start=date(2013, 4, 5),
    end=date(2013, 4, 8),
    donation_start=date(2013, 4, 5),
    data_burst_start=date(2013, 4, 6),
)
PRICE = Decimal("120.50")
QUERY_DIR = Path(citus.PACKAGE_SQL_DIR) / "queries"


# ---------------------------------------------------------------- fixtures


def citus_test_settings(base: Settings) -> Settings:
    """A Citus cluster of its own beside the shared test cluster (ports +10..+12)."""
    return dataclasses.replace(
        base,
        data_dir=base.data_dir / "citus-cluster",
        pg_port=base.pg_port + 10,
        pg_database="blocktrust",
        dsn_overrides={},
    )


@pytest.fixture(scope="module")
def citus_base(_pg_base: Settings) -> Settings:
    settings = citus_test_settings(_pg_base)
    citus.ensure_up(settings, workers=2, profile="test", shard_count=4)
    return settings


def citus_database(base: Settings) -> Iterator[Settings]:
    """A fresh distributed warehouse database on every node, dropped on every node after."""
    name = f"bt_test_{os.getpid()}_c{secrets.token_hex(4)}"
    create_database(base, name)
    settings = dataclasses.replace(base, pg_database=name)
    try:
        citus.ensure_database(base, name)
        yield settings
    finally:
        drop_database(base, name)
        for worker in citus.read_layout(base):
            drop_database(citus.worker_settings(base, worker), name)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[date], dict]:
    lake_url = tmp_path_factory.mktemp("lake").as_uri()
    root = lake_root(lake_url)
    run = generate_chain(CONFIG)
    days = []
    for batch in run:
        if batch.blocks:
            write_day(root, batch.day, batch.blocks, batch.transactions, formats=("bitcoin-etl",))
            days.append(batch.day)
    write_tagpack(root, run.answer_key)
    return lake_url, days, run.answer_key.to_json()


def _insert_prices(settings: Settings, days: list[date]) -> None:
    statement = sql.SQL("copy {} (price_date, close_usd, is_filled, source) from stdin").format(
        sql.Identifier("raw", "prices_btc_usd_daily")
    )
    with (
        psycopg.connect(settings.dsn("owner")) as conn,
        conn.cursor() as cur,
        cur.copy(statement) as copy,
    ):
        for day in days:
            copy.write_row((day, PRICE, False, "test"))


def _load_and_build(settings: Settings, lake: tuple[str, list[date], dict]) -> None:
    lake_url, days, _ = lake
    for day in days:
        load_day(settings, day, lake_url=lake_url, lake_format="bitcoin-etl")
    load_tags(settings, lake_url=lake_url)
    _insert_prices(settings, days)
    run_dbt(settings, ["build"])


@pytest.fixture(scope="module")
def on_citus(citus_base: Settings, lake) -> Iterator[Settings]:
    for settings in citus_database(citus_base):
        _load_and_build(settings, lake)
        yield settings


@pytest.fixture(scope="module")
def single_node(_pg_base: Settings, lake) -> Iterator[Settings]:
    for settings in module_database(_pg_base, "n"):
        _load_and_build(settings, lake)
        yield settings


def _fetch(
    settings: Settings, statement: str, params: dict | None = None, role: str = "analyst"
) -> list[tuple]:
    with psycopg.connect(settings.dsn(role)) as conn:
        return conn.execute(statement, params).fetchall()


def _busiest_address(settings: Settings) -> str:
    rows = _fetch(
        settings,
        "select from_address from marts.fct_address_flows where from_address <> to_address"
        " group by from_address order by count(*) desc, from_address limit 1",
    )
    return rows[0][0]


# ---------------------------------------------------------------- cluster


def test_every_node_runs_and_the_workers_are_registered(citus_base: Settings) -> None:
    st = citus.status(citus_base)
    assert [n.name for n in st.nodes] == ["coordinator", "worker-1", "worker-2"]
    assert all(n.running for n in st.nodes)
    assert st.extension
    registered = {(r["nodename"], r["nodeport"]) for r in st.registered if r["isactive"]}
    assert registered == {(n.node_name, n.port) for n in st.nodes}


def test_up_again_is_a_no_op(citus_base: Settings) -> None:
    report = citus.ensure_up(citus_base, workers=2, profile="test", shard_count=4)
    assert (report.initialized, report.started_workers, report.restarted, report.added_nodes) == (
        (),
        (),
        (),
        (),
    )


def test_up_with_the_workers_stopped_starts_them_before_the_coordinators_bootstrap(
    citus_base: Settings,
) -> None:
    # as after a reboot: the coordinator knows its workers, which are down; its bootstrap DDL
    # (roles, grants) is propagated to them, so they must be up first
    from blocktrust.db import cluster

    workers = citus.read_layout(citus_base)
    for worker in workers:
        cluster.stop(citus.worker_settings(citus_base, worker))
    report = citus.ensure_up(citus_base, workers=2, profile="test", shard_count=4)
    assert sorted(report.started_workers) == [w.name for w in workers]
    assert all(n.running for n in citus.status(citus_base).nodes)


def test_removing_a_worker_is_refused(citus_base: Settings) -> None:
    with pytest.raises(citus.CitusError, match="drained"):
        citus.ensure_up(citus_base, workers=1, profile="test")


def test_every_worker_is_in_the_pid_registry(citus_base: Settings) -> None:
    from blocktrust import services

    for worker in citus.read_layout(citus_base):
        record = services.read_record(citus_base.run_dir, citus.worker_service(worker))
        assert record is not None and services.is_running(record), worker.name


def test_role_created_on_the_coordinator_appears_on_every_worker(citus_base: Settings) -> None:
    role = f"bt_citus_probe_{secrets.token_hex(3)}"
    with admin_connect(citus_base, citus_base.pg_database) as conn:
        conn.execute(sql.SQL("create role {} login").format(sql.Identifier(role)))
    try:
        for worker in citus.read_layout(citus_base):
            with admin_connect(citus.worker_settings(citus_base, worker)) as conn:
                found = conn.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
            assert found, f"{role} missing on {worker.name}"
    finally:
        with admin_connect(citus_base, citus_base.pg_database) as conn:
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))


def test_missing_extension_gives_a_clear_error(
    citus_base: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(citus.cluster, "citus_installed", lambda: False)
    with pytest.raises(citus.CitusError, match="citus is not installed: see docs/scale-out.md"):
        citus.ensure_up(citus_base)


def test_taken_worker_port_is_named(citus_base: Settings) -> None:
    other = dataclasses.replace(citus_base, data_dir=citus_base.data_dir / "other")
    with pytest.raises(citus.CitusError, match=f"port {citus_base.pg_port} .* taken"):
        citus.ensure_up(other, workers=1, first_worker_port=citus_base.pg_port)


# ---------------------------------------------------------------- raw distribution


def test_raw_tables_are_distributed_and_co_located(on_citus: Settings) -> None:
    rows = _fetch(on_citus, sql_text("citus/admin", "distributed_tables"), role="owner")
    tables = {r[0]: r for r in rows}
    hashed = [tables[f"raw.{t}"] for t in ("transactions", "inputs", "outputs")]
    assert {(r[1], r[2]) for r in hashed} == {("distributed", "transaction_hash")}
    assert len({r[3] for r in hashed}) == 1  # one colocation group
    assert tables["raw.blocks"][2] == "block_hash"
    assert "raw.quarantined_days" not in tables  # local on the coordinator
    for name in ("raw.prices_btc_usd_daily", "raw.address_tags"):
        assert tables[name][1] == "reference", name


def test_monthly_partitions_made_by_the_loader_are_distributed(on_citus: Settings) -> None:
    rows = _fetch(
        on_citus,
        "select logicalrelid::text from pg_dist_partition"
        " where logicalrelid::text like 'raw.transactions_y%'",
        role="owner",
    )
    assert rows, "the loader's partitions of raw.transactions are not distributed"


def test_shards_are_spread_over_both_workers(on_citus: Settings) -> None:
    st = citus.status(on_citus)
    worker_ports = {n.port for n in st.nodes if n.name != "coordinator"}
    with_shards = {r["nodeport"] for r in st.placement if r["shard_count"] > 0}
    assert worker_ports <= with_shards


def test_distribution_step_is_idempotent(on_citus: Settings, citus_base: Settings) -> None:
    added, applied = citus.ensure_database(citus_base, on_citus.pg_database)
    assert added == ()
    assert applied == ("001_distribute_raw_tables.sql",)


# ---------------------------------------------------------------- same answers as one node


def test_every_mart_matches_the_single_node_build(
    on_citus: Settings, single_node: Settings
) -> None:
    mine, theirs = checksums(on_citus), checksums(single_node)
    assert set(mine) == set(MARTS)
    assert mine == theirs


def test_canonical_queries_answer_the_same(on_citus: Settings, single_node: Settings) -> None:
    address = _busiest_address(single_node)
    peer = _fetch(
        single_node,
        "select to_address from marts.fct_address_flows where from_address = %(a)s"
        " and to_address <> from_address order by value_sats desc, to_address limit 1",
        {"a": address},
    )[0][0]
    params = {
        "address": address,
        "address_a": address,
        "address_b": peer,
        "date_from": CONFIG.start,
        "date_to": CONFIG.end,
        "page_size": 5,
        "after_block_number": 10**9,
        "after_transaction_index": 0,
        "limit": 10,
        "hop1_limit": 5,
        "hop2_limit": 3,
    }
    files = sorted(QUERY_DIR.glob("*.sql"))
    assert len(files) >= 8
    for path in files:
        statement = path.read_text()
        single = _fetch(single_node, statement, params)
        assert single, f"{path.name} found nothing to compare"
        assert _fetch(on_citus, statement, params) == single, path.name


def test_address_lookups_route_to_one_shard(on_citus: Settings) -> None:
    address = _busiest_address(on_citus)
    for name in ("address_summary", "address_ledger_first_page", "address_top_recipients"):
        statement = "explain " + (QUERY_DIR / f"{name}.sql").read_text()
        plan = "\n".join(
            r[0]
            for r in _fetch(on_citus, statement, {"address": address, "page_size": 5, "limit": 5})
        )
        assert "Task Count: 1" in plan, f"{name} is not a single-shard query:\n{plan}"


def test_donation_totals_match_the_answer_key_on_citus(
    on_citus: Settings, lake: tuple[str, list[date], dict]
) -> None:
    donation = lake[2]["donation"]
    rows = _fetch(
        on_citus,
        "select received_sats, sent_sats, balance_sats, tx_count from marts.dim_addresses"
        " where address = %(a)s",
        {"a": donation["address"]},
    )
    assert rows == [
        (
            donation["received_sats"],
            donation["sent_sats"],
            donation["balance_sats"],
            donation["tx_count"],
        )
    ]


def _compiled_incremental_ledger(settings: Settings, day: str) -> str:
    """fct_address_ledger's SQL for a window starting at `day` (dbt compile: nothing runs)."""
    run = run_dbt(settings, ["compile", "--select", "fct_address_ledger", *window_vars(day)])
    return run.result.results[0].node.compiled_code


@pytest.mark.parametrize("engine", ["single_node", "on_citus"])
def test_incremental_ledger_seeds_each_touched_address_with_one_index_row(
    engine: str, request: pytest.FixtureRequest, lake: tuple[str, list[date], dict]
) -> None:
    # The running totals of a window start from each touched address's last row before it: a
    # LIMIT 1 index lookup, not a scan of every earlier row, so a daily run grows with the day,
    # not with history. On Citus the whole model must push down to the shards (no subplan).
    settings = request.getfixturevalue(engine)
    compiled = _compiled_incremental_ledger(settings, lake[1][-1].isoformat())
    assert "inner join lateral" in compiled  # the incremental path, not the full build
    plan = "\n".join(r[0] for r in _fetch(settings, "explain " + compiled, role="owner"))
    assert "Seq Scan on fct_address_ledger" not in plan, plan
    lookup = r"Limit .*\n\s*->\s+Index (Only )?Scan using \S+ on fct_address_ledger\S* ledger"
    assert re.search(lookup, plan), plan
    if engine == "on_citus":
        assert "Distributed Subplan" not in plan, plan


# Runs last: a failed incremental run must not hide what the build produced from the other tests.
def test_incremental_rerun_of_the_last_day_changes_nothing(
    on_citus: Settings, lake: tuple[str, list[date], dict]
) -> None:
    before = checksums(on_citus)
    last_day = lake[1][-1].isoformat()
    run_dbt(on_citus, ["run", *window_vars(last_day)])
    run_dbt(on_citus, ["run"])
    assert checksums(on_citus) == before
