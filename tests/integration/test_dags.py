"""The DAGs run for real: dag.test() on SQLite metadata, PostgreSQL, a file:// lake, dbt.

Airflow is configured before it is first imported (module import time, during collection): a
temporary AIRFLOW_HOME with a SQLite metadata DB, migrated once per session. dag.test() parses
the whole dags folder, runs every task in-process (Cosmos runs dbt in-process) and returns the
DagRun.
"""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Airflow itself is configured in tests/conftest.py (before anything imports it).
for _key, _value in {
    # The transform task runs `dbt build` in-process: build the staging models of the chain
    # only; the dbt project's own tests cover the full graph.
    "BLOCKTRUST_DBT_SELECT": "path:models/staging/bitcoin",
    "BLOCKTRUST_RETRY_DELAY_S": "1",
}.items():
    os.environ.setdefault(_key, _value)
REPO = Path(__file__).resolve().parents[2]
_HOME = Path(os.environ["AIRFLOW_HOME"])

DAYS = [date(2013, 4, 5), date(2013, 4, 6), date(2013, 4, 7), date(2013, 4, 8)]


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """`airflow db migrate`, in-process, once per session (SQLite under AIRFLOW_HOME)."""
    from airflow.utils import db

    started = time.perf_counter()
    db.resetdb(skip_init=False)
    print(f"\nairflow db migrate: {time.perf_counter() - started:.1f}s")
    return _HOME


@pytest.fixture(scope="session")
def chain():
    from blocktrust.chain.generator import GeneratorConfig, generate_chain

    config = GeneratorConfig(
        seed=11, n_transactions=2000, start=DAYS[0], end=DAYS[-1], start_height=230_000
    )
    run = generate_chain(config)
    batches = [b for b in run if b.blocks]
    return batches, run.answer_key


def _lake_and_connections(base, file_lake, chain, monkeypatch):
    """Lake written, connections exported as AIRFLOW_CONN_* from the settings."""
    import dataclasses

    from blocktrust.chain.formats import write_day
    from blocktrust.chain.generator import write_tagpack
    from blocktrust.lake import lake_root

    batches, key = chain
    root = lake_root(file_lake)
    for batch in batches:
        write_day(root, batch.day, batch.blocks, batch.transactions, formats=("bitcoin-etl",))
    write_tagpack(root, key)
    settings = dataclasses.replace(base, lake_url=file_lake, lake_format="bitcoin-etl")
    for name, value in settings.airflow_conn_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BLOCKTRUST_LAKE_FORMAT", "bitcoin-etl")
    return settings, batches


@pytest.fixture
def dag_env(pg_settings, file_lake, chain, airflow_db, monkeypatch):
    """The session's warehouse database, the chain's lake, the connections."""
    return _lake_and_connections(pg_settings, file_lake, chain, monkeypatch)


def _dag(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    return bag.dags[dag_id]


def _run(dag, day: date):
    """Run the DAG for the data interval [day, day + 1).

    dag.test() infers the interval like a manual trigger: the last complete interval ending at
    the logical date, so the logical date passed is the interval's end.
    """
    started = time.perf_counter()
    end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
    run = dag.test(logical_date=end)
    assert run.data_interval_start.date() == day
    elapsed = time.perf_counter() - started
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    print(f"\n{dag.dag_id} {day}: {run.state} in {elapsed:.1f}s")
    return run, states, elapsed


def _staging_rows(settings, day: date) -> int:
    from blocktrust.db import connect

    with connect(settings, "owner") as conn:
        row = conn.execute(
            "select count(*) from staging.stg_bitcoin__transactions where block_date = %s", (day,)
        ).fetchone()
    return int(row[0])


def test_bitcoin_ingest_one_day_loads_gates_and_transforms(dag_env) -> None:
    from blocktrust.ingest.audit import day_fingerprint

    settings, batches = dag_env
    dag = _dag("bitcoin_ingest")
    assert "transform" in dag.task_ids
    run, states, _ = _run(dag, DAYS[0])
    assert run.state == "success", states
    assert all(s == "success" for s in states.values()), states
    loaded = day_fingerprint(settings, DAYS[0])
    assert loaded["transactions"][0] == len(batches[0].transactions)
    assert _staging_rows(settings, DAYS[0]) == len(batches[0].transactions)


def test_bitcoin_ingest_three_day_range_then_rerun_is_identical(dag_env) -> None:
    from blocktrust.ingest.audit import day_fingerprint

    settings, batches = dag_env
    dag = _dag("bitcoin_ingest")
    durations = []
    for batch in batches[1:4]:
        run, states, elapsed = _run(dag, batch.day)
        assert run.state == "success", states
        durations.append(elapsed)
        assert day_fingerprint(settings, batch.day)["transactions"][0] == len(batch.transactions)
    print(f"three-day range: {sum(durations):.1f}s ({', '.join(f'{d:.1f}' for d in durations)})")
    before = day_fingerprint(settings, batches[2].day)
    run, states, _ = _run(dag, batches[2].day)
    assert run.state == "success", states
    assert day_fingerprint(settings, batches[2].day) == before


def test_bitcoin_ingest_missing_partition_fails_with_clear_message(dag_env, capfd) -> None:
    absent = date(2013, 4, 20)
    run, states, _ = _run(_dag("bitcoin_ingest"), absent)
    assert run.state == "failed"
    assert states["wait_for_partition"] == "failed"
    assert states["load_day"] == "upstream_failed"
    out, err = capfd.readouterr()  # task logs go through structlog to the process's stdout
    assert "partition missing: no bitcoin-etl files for 2013-04-20" in out + err


def test_prices_ingest_loads_tags_and_prices(dag_env) -> None:
    from decimal import Decimal

    from blocktrust.db import connect
    from blocktrust.lake import lake_root, prices_dir
    from blocktrust.prices import PricePoint, write_prices_csv

    settings, _ = dag_env
    folder = prices_dir(lake_root(settings.lake_url))
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "btc_usd_daily.csv").open("wb") as fh:
        write_prices_csv([PricePoint(d, Decimal("120.25"), False, "test") for d in DAYS], fh)
    run, states, _ = _run(_dag("prices_ingest"), DAYS[0])
    assert run.state == "success", states
    with connect(settings, "loader") as conn:
        prices = conn.execute("select count(*) from raw.prices_btc_usd_daily").fetchone()[0]
        tags = conn.execute(
            "select count(*) from raw.address_tags where label = 'donation'"
        ).fetchone()[0]
    assert prices == len(DAYS)
    assert tags >= 1


BROKEN_DAYS = [date(2013, 4, 10), date(2013, 4, 11)]


@pytest.fixture
def broken_lake_env(fresh_db, file_lake, airflow_db, monkeypatch):
    """A fresh warehouse and a lake whose second day has a bad address checksum."""
    import dataclasses

    from blocktrust.chain.faults import break_address_checksum
    from blocktrust.chain.formats import write_day
    from blocktrust.chain.generator import GeneratorConfig, generate_chain
    from blocktrust.lake import lake_root

    config = GeneratorConfig(
        seed=12,
        n_transactions=600,
        start=BROKEN_DAYS[0],
        end=date(2013, 4, 12),
        start_height=231_000,
    )
    root = lake_root(file_lake)
    for batch in generate_chain(config):
        if batch.blocks and batch.day in BROKEN_DAYS:
            write_day(root, batch.day, batch.blocks, batch.transactions, formats=("bitcoin-etl",))
    fault = break_address_checksum(root, BROKEN_DAYS[1])
    settings = dataclasses.replace(fresh_db, lake_url=file_lake, lake_format="bitcoin-etl")
    for name, value in settings.airflow_conn_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BLOCKTRUST_LAKE_FORMAT", "bitcoin-etl")
    return settings, fault


def _warehouse_checksum(settings) -> tuple[int, str]:
    from blocktrust.db import connect

    with connect(settings, "owner") as conn:
        row = conn.execute(
            "select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), ''))"
            " from staging.stg_bitcoin__transactions as t"
        ).fetchone()
    return int(row[0]), str(row[1])


def test_broken_day_turns_the_gate_red_names_the_check_and_leaves_the_warehouse(
    broken_lake_env, capfd
) -> None:
    from blocktrust.gx.quarantine import open_quarantines

    settings, fault = broken_lake_env
    dag = _dag("bitcoin_ingest")
    run, states, _ = _run(dag, BROKEN_DAYS[0])
    assert run.state == "success", states
    before = _warehouse_checksum(settings)
    assert before[0] > 0
    capfd.readouterr()

    run, states, _ = _run(dag, BROKEN_DAYS[1])
    assert run.state == "failed"
    assert states["load_day"] == "success"  # the files parse: only the gate can tell
    assert states["quality_gate"] == "failed"
    gate = next(ti for ti in run.get_task_instances() if ti.task_id == "quality_gate")
    assert gate.try_number == 1  # bad data is not retried
    assert states["transform"] == "upstream_failed"
    assert states["publish_marts"] == "upstream_failed"
    out, err = capfd.readouterr()
    assert fault.check in out + err
    assert [q.block_date for q in open_quarantines(settings)] == [BROKEN_DAYS[1]]
    assert _warehouse_checksum(settings) == before


@pytest.fixture
def built_warehouse_env(fresh_db, file_lake, chain, airflow_db, monkeypatch):
    """A fresh database with the chain's first two days loaded and every model built."""
    from blocktrust.ingest.loader import load_day
    from blocktrust.warehouse.dbt import run_dbt

    settings, batches = _lake_and_connections(fresh_db, file_lake, chain, monkeypatch)
    for batch in batches[:2]:
        load_day(settings, batch.day)
    run_dbt(settings, ["run"])
    # the audit tests every model (the other DAG tests build staging only)
    monkeypatch.delenv("BLOCKTRUST_DBT_SELECT", raising=False)
    return settings


def _run_now(dag):
    """A manual run of a DAG whose schedule has no data interval (a cron trigger)."""
    run = dag.test(logical_date=datetime.now(UTC))
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    print(f"\n{dag.dag_id}: {run.state} {states}")
    return run, states


def test_warehouse_audit_passes_then_finds_a_balance_changed_before_any_daily_window(
    built_warehouse_env, capfd
) -> None:
    from blocktrust.db import connect

    settings = built_warehouse_env
    dag = _dag("warehouse_audit")
    run, states = _run_now(dag)
    assert run.state == "success", states
    assert set(states) == {"reconcile_marts_with_raw", "dbt_test_full_history"}
    capfd.readouterr()

    # the busiest address's stored balance, one satoshi off (old rows no daily run rewrites)
    with connect(settings, "owner") as conn:
        conn.execute(
            "update marts.dim_address_totals set balance_sats = balance_sats + 1"
            " where address = (select address from marts.dim_address_totals"
            " order by tx_count desc, address limit 1)"
        )
    run, states = _run_now(dag)
    assert run.state == "failed"
    assert states == {"reconcile_marts_with_raw": "failed", "dbt_test_full_history": "failed"}
    gx = next(ti for ti in run.get_task_instances() if ti.task_id == "reconcile_marts_with_raw")
    assert gx.try_number == 1  # a finding is not retried
    out, err = capfd.readouterr()
    assert "marts_balance_total_matches_raw_utxo: 1 rows" in out + err
    # the full form of the test (no window), not only the daily one, flags the balance
    assert re.search(r"FAIL 1 assert_sum_of_balances_equals_utxo_total", out + err)
