"""Fixtures shared by every test: a real PostgreSQL test cluster, lakes on file:// and on S3.

The whole test session points BLOCKTRUST_* at a test cluster (``<repo>/.data/test``, port 5434)
unless the environment (CI) already chose a data dir or port. Several engineers run pytest at
the same time against that cluster: set-up is serialised by a file lock, and every session and
every ``fresh_db`` test gets a database of its own named ``bt_test_<pid>_<random>``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import shutil
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEST_DB_PREFIX = "bt_test_"

for _name, _value in (
    ("BLOCKTRUST_DATA_DIR", str(REPO / ".data" / "test")),
    ("BLOCKTRUST_PG_PORT", "5434"),
):
    if not os.environ.get(_name):
        os.environ[_name] = _value

# Airflow reads its configuration once, at first import, and several test modules import it
# (ObjectStoragePath, DagBag, dag.test): configure it here, before any of them is collected.
# SQLite metadata in a throwaway AIRFLOW_HOME; dag.test() needs nothing more.
AIRFLOW_TEST_HOME = Path(tempfile.mkdtemp(prefix="bt-airflow-"))
for _name, _value in {
    "AIRFLOW_HOME": str(AIRFLOW_TEST_HOME),
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_TEST_HOME / 'airflow.db'}",
    "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
}.items():
    os.environ.setdefault(_name, _value)

from blocktrust import services  # noqa: E402  (after the environment is set)
from blocktrust.settings import Settings, get_settings  # noqa: E402

# ---------------------------------------------------------------- PostgreSQL


_STARTED_CLUSTERS: list[Settings] = []  # test clusters this session started (stopped at its end)


def _base_settings() -> Settings:
    """The test cluster, brought up once per process (cheap when it already runs)."""
    from blocktrust.db.cluster import ensure_up, is_running

    settings = get_settings()
    was_running = is_running(settings)
    ensure_up(settings, profile="test")
    if not was_running:
        _STARTED_CLUSTERS.append(settings)
    return settings


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the test cluster if this session started it: nothing is left listening on its port
    (a second checkout's test run on the same port would fail to start its own)."""
    from blocktrust.db.cluster import stop

    while _STARTED_CLUSTERS:
        stop(_STARTED_CLUSTERS.pop())


def _pid_alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def _drop_orphaned_test_databases(settings: Settings) -> None:
    """Databases of pytest sessions that died without cleaning up (their pid is gone)."""
    from blocktrust.db.schema import databases_like, drop_database

    for name in databases_like(settings, TEST_DB_PREFIX):
        pid = name.removeprefix(TEST_DB_PREFIX).split("_", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            drop_database(settings, name)


def _test_db_name(kind: str) -> str:
    return f"{TEST_DB_PREFIX}{os.getpid()}_{kind}{secrets.token_hex(4)}"


@pytest.fixture(scope="session")
def _pg_base() -> Settings:
    settings = _base_settings()
    _drop_orphaned_test_databases(settings)
    return settings


@pytest.fixture(scope="session")
def pg_settings(_pg_base: Settings) -> Iterator[Settings]:
    """Settings pointing at a fresh warehouse database (roles, grants, raw schema) for the session.

    BLOCKTRUST_PG_DATABASE is set too, so code that calls get_settings() itself (DAG tasks,
    the CLI) reaches the same database.
    """
    from blocktrust.db.schema import create_database, drop_database

    name = _test_db_name("s")
    create_database(_pg_base, name)
    previous = os.environ.get("BLOCKTRUST_PG_DATABASE")
    os.environ["BLOCKTRUST_PG_DATABASE"] = name
    try:
        yield dataclasses.replace(_pg_base, pg_database=name)
    finally:
        if previous is None:
            os.environ.pop("BLOCKTRUST_PG_DATABASE", None)
        else:
            os.environ["BLOCKTRUST_PG_DATABASE"] = previous
        drop_database(_pg_base, name)


@pytest.fixture
def fresh_db(_pg_base: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Like pg_settings, but a new empty warehouse database for this one test."""
    from blocktrust.db.schema import create_database, drop_database

    name = _test_db_name("f")
    create_database(_pg_base, name)
    monkeypatch.setenv("BLOCKTRUST_PG_DATABASE", name)
    try:
        yield dataclasses.replace(_pg_base, pg_database=name)
    finally:
        drop_database(_pg_base, name)


# ---------------------------------------------------------------- lakes


@pytest.fixture
def file_lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty lake on the local file system: ``file:///.../lake`` (also BLOCKTRUST_LAKE_URL)."""
    root = tmp_path / "lake"
    root.mkdir()
    url = root.as_uri()
    monkeypatch.setenv("BLOCKTRUST_LAKE_URL", url)
    return url


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            if time.monotonic() >= deadline:
                tail = log.read_text()[-2000:] if log.exists() else "(no log)"
                raise RuntimeError(f"{url} did not answer in {timeout} s; log:\n{tail}") from None
            time.sleep(0.2)


FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A real S3 API (moto_server) on 127.0.0.1:<free port>; yields its endpoint URL.

    Runs in its own process group (PID file under the test data dir's run/), stopped at the end.
    Sets fake AWS credentials and BLOCKTRUST_S3_ENDPOINT_URL for the session.
    """
    settings = get_settings()
    binary = Path(sys.executable).with_name("moto_server")
    if not binary.exists():
        binary = Path(shutil.which("moto_server") or "moto_server")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    name = f"moto-test-{os.getpid()}"
    log = settings.data_dir / "log" / f"{name}.log"
    saved = {k: os.environ.get(k) for k in (*FAKE_AWS_ENV, "BLOCKTRUST_S3_ENDPOINT_URL")}
    os.environ.update(FAKE_AWS_ENV)
    os.environ["BLOCKTRUST_S3_ENDPOINT_URL"] = endpoint
    record = services.start(
        settings.run_dir,
        name,
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        log_path=log,
        env=dict(os.environ),
    )
    try:
        _wait_http(endpoint + "/", timeout=30, log=log)
        yield endpoint
    finally:
        services.stop_record(settings.run_dir, record, timeout=10)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def s3_lake(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new bucket in moto; yields ``s3://<conn_id>@<bucket>/lake``.

    Sets AIRFLOW_CONN_<CONN_ID> (an aws connection whose extra points at moto) and
    BLOCKTRUST_LAKE_URL, so ObjectStoragePath and get_settings() both find the lake.
    """
    import boto3

    conn_id = get_settings().s3_conn_id
    bucket = f"bt-test-{secrets.token_hex(4)}"
    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket=bucket)
    monkeypatch.setenv(
        "AIRFLOW_CONN_" + conn_id.upper(),
        json.dumps({"conn_type": "aws", "extra": {"endpoint_url": s3_server}}),
    )
    url = f"s3://{conn_id}@{bucket}/lake"
    monkeypatch.setenv("BLOCKTRUST_LAKE_URL", url)
    return url


# ---------------------------------------------------------------- markers


def _citus_skip_reason() -> str | None:
    """None when the test cluster can run citus; else why not."""
    from blocktrust.db.admin import admin_connect, load_sql
    from blocktrust.db.cluster import citus_installed

    if not citus_installed():
        return (
            "citus extension is not installed for PostgreSQL 15 on this machine "
            "(no citus.so / citus.control); see docs for building Citus 13.0"
        )
    settings = _base_settings()
    with admin_connect(settings) as conn:
        preload = conn.execute(load_sql("shared_preload_libraries.sql")).fetchone()
    if not preload or "citus" not in str(preload[0]):
        return (
            f"citus is installed but not preloaded by the test cluster on port "
            f"{settings.pg_port}; restart it (`blocktrust db down && blocktrust db up`)"
        )
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    citus_items = [item for item in items if item.get_closest_marker("citus")]
    if not citus_items:
        return
    reason = _citus_skip_reason()
    if reason is not None:
        for item in citus_items:
            item.add_marker(pytest.mark.skip(reason=reason))
