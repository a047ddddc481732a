"""The cluster's life: first up (from two processes at once), status, down, up again with data.

Runs on a cluster of its own (own data dir under <repo>/.data/test, own free port), never the
shared session test cluster other tests use. Its data dir is not under pytest's tmp dir because
that is mode 0700 and the cluster's unprivileged OS user could not reach it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest

from blocktrust import services
from blocktrust.db import AIRFLOW_DATABASE, AIRFLOW_ROLE, airflow_metadata_dsn, connect
from blocktrust.db.cluster import SERVICE_NAME, ensure_up, is_running, status, stop
from blocktrust.settings import Settings, get_settings

pytestmark = pytest.mark.integration

ENSURE_UP_IN_SUBPROCESS = """
import dataclasses, json, sys
from pathlib import Path
from blocktrust.db.cluster import ensure_up
from blocktrust.settings import get_settings
s = dataclasses.replace(
    get_settings(), data_dir=Path(sys.argv[1]), pg_port=int(sys.argv[2]), pg_database=sys.argv[3]
)
print(json.dumps(dataclasses.asdict(ensure_up(s, profile="test"))))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[Settings]:
    base = get_settings()
    data_dir = base.repo_root / ".data" / "test" / f"lifecycle-{secrets.token_hex(4)}"
    settings = dataclasses.replace(
        base, data_dir=data_dir, pg_port=_free_port(), pg_database="blocktrust"
    )
    try:
        yield settings
    finally:
        stop(settings)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def first_up_reports(own_cluster: Settings) -> list[dict]:
    """Two processes run ensure_up on the same new data dir at the same time."""
    argv = [sys.executable, "-c", ENSURE_UP_IN_SUBPROCESS]
    # the cluster's own database name: other fixtures of the session export BLOCKTRUST_PG_DATABASE
    argv += [str(own_cluster.data_dir), str(own_cluster.pg_port), own_cluster.pg_database]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=180)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    return [json.loads(out.strip().splitlines()[-1]) for out in outs]


def test_first_up_from_two_processes_at_once_initialises_once(first_up_reports, own_cluster):
    assert sorted(r["initialized"] for r in first_up_reports) == [False, True]
    assert sorted(r["started"] for r in first_up_reports) == [False, True]
    creator = next(r for r in first_up_reports if r["initialized"])
    assert set(creator["created_databases"]) == {"blocktrust", AIRFLOW_DATABASE}
    assert AIRFLOW_ROLE in creator["created_roles"]
    assert is_running(own_cluster)


def test_status_reports_pid_port_and_size(first_up_reports, own_cluster):
    st = status(own_cluster)
    assert st.running and st.initialized
    assert st.port == own_cluster.pg_port
    assert st.pid == services.read_record(own_cluster.run_dir, SERVICE_NAME).pid
    assert st.database_size and st.database_size.endswith(("kB", "MB"))
    assert st.profile == "test"


def test_ensure_up_twice_is_a_noop(first_up_reports, own_cluster):
    secrets_before = own_cluster.secrets_path.read_text()
    report = ensure_up(own_cluster)
    assert (report.installed, report.initialized, report.started) == (False, False, False)
    assert report.created_roles == () and report.created_databases == ()
    assert own_cluster.secrets_path.read_text() == secrets_before


def test_listens_on_loopback_with_passwords_only(first_up_reports, own_cluster):
    bad = dataclasses.replace(
        own_cluster, dsn_overrides={"owner": _wrong_password_dsn(own_cluster)}
    )
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(bad).close()
    with connect(own_cluster) as conn:
        row = conn.execute("select current_setting('listen_addresses')").fetchone()
    assert row == ("127.0.0.1",)


def _wrong_password_dsn(settings: Settings) -> str:
    return settings.dsn("owner").replace(
        f"{settings.role_name('owner')}:", f"{settings.role_name('owner')}:wrong", 1
    )


def test_down_then_up_keeps_rows(first_up_reports, own_cluster):
    with connect(own_cluster) as conn:
        conn.execute("create table if not exists public.kept (n int)")
        conn.execute("insert into public.kept values (42)")
    assert stop(own_cluster) is True
    assert not is_running(own_cluster)
    assert services.read_record(own_cluster.run_dir, SERVICE_NAME) is None
    report = ensure_up(own_cluster)
    assert report.started and not report.initialized
    with connect(own_cluster) as conn:
        assert conn.execute("select n from public.kept").fetchall() == [(42,)]


def test_blocktrust_down_stops_the_cluster_by_pid_file(first_up_reports, own_cluster):
    ensure_up(own_cluster)
    outcomes = services.stop_all(own_cluster.run_dir, timeout=60)
    assert [(o.name, o.outcome) for o in outcomes] == [(SERVICE_NAME, "stopped")]
    assert not is_running(own_cluster)
    assert ensure_up(own_cluster).started


def test_analyst_reads_marts_but_cannot_write(fresh_db):
    with connect(fresh_db, "owner") as conn:
        conn.execute("create table marts.answer (n int)")
        conn.execute("insert into marts.answer values (1)")
    with connect(fresh_db, "analyst") as conn:
        assert conn.execute("select n from marts.answer").fetchall() == [(1,)]
    with (
        connect(fresh_db, "analyst") as conn,
        pytest.raises(
            (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege)
        ),
    ):
        conn.execute("insert into marts.answer values (2)")


def test_analyst_cannot_read_raw(fresh_db):
    with (
        connect(fresh_db, "analyst") as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("select count(*) from raw.blocks")


def test_loader_creates_month_partitions_owned_by_owner_and_can_load(fresh_db):
    day = date(2013, 2, 14)
    with connect(fresh_db, "loader") as conn:
        conn.execute("select raw.ensure_month_partitions(%s)", (day,))
        conn.execute("select raw.ensure_month_partitions(%s)", (date(2013, 2, 1),))  # same month
        conn.execute(
            "insert into raw.blocks (block_date, block_number, block_hash, block_timestamp, size,"
            " version, merkle_root, nonce, bits, transaction_count)"
            " values (%s, 1, repeat('a', 64), %s::date, 1, 1, repeat('b', 64), '0', '0', 1)",
            (day, day),
        )
    with connect(fresh_db, "owner") as conn:
        owners = conn.execute(
            "select c.relname, pg_get_userbyid(c.relowner) from pg_inherits i"
            " join pg_class c on c.oid = i.inhrelid"
            " where i.inhparent in ('raw.blocks'::regclass, 'raw.transactions'::regclass,"
            " 'raw.inputs'::regclass, 'raw.outputs'::regclass) order by 1"
        ).fetchall()
    assert owners == [
        ("blocks_y2013m02", "blocktrust_owner"),
        ("inputs_y2013m02", "blocktrust_owner"),
        ("outputs_y2013m02", "blocktrust_owner"),
        ("transactions_y2013m02", "blocktrust_owner"),
    ]


def test_analyst_cannot_create_partitions(fresh_db):
    with (
        connect(fresh_db, "analyst") as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("select raw.ensure_month_partitions(%s)", (date(2014, 1, 1),))


def test_airflow_metadata_database_accepts_its_role_only(pg_settings):
    dsn = airflow_metadata_dsn(pg_settings).replace("postgresql+psycopg2://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        assert conn.execute("select current_database()").fetchone() == (AIRFLOW_DATABASE,)
    analyst = pg_settings.dsn("analyst").rsplit("/", 1)[0] + "/" + AIRFLOW_DATABASE
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(analyst).close()


def test_service_stop_signals_the_whole_process_group(tmp_path):
    run_dir = tmp_path / "run"
    record = services.start(
        run_dir,
        "sleeper",
        ["sh", "-c", "sleep 60 & echo $! > child.pid; wait"],
        log_path=tmp_path / "sleeper.log",
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 10
    while not (tmp_path / "child.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int((tmp_path / "child.pid").read_text())
    outcome = services.stop_record(run_dir, record, timeout=10)
    assert outcome.outcome == "stopped"
    assert services.start_ticks(record.pid) is None
    deadline = time.monotonic() + 5  # the orphaned child is reaped by init, not by us
    while services.start_ticks(child) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert services.start_ticks(child) is None
    assert not services.pid_file(run_dir, "sleeper").exists()


def test_pid_file_of_a_recycled_pid_is_stale_and_nothing_is_signalled(tmp_path):
    run_dir = tmp_path / "run"
    me = services.ServiceRecord(
        "impostor", os.getpid(), services.start_ticks(os.getpid()) + 1, group=False
    )
    services.write_record(run_dir, me)
    assert services.stop_all(run_dir) == [services.StopOutcome("impostor", os.getpid(), "stale")]
    assert services.list_records(run_dir) == []
