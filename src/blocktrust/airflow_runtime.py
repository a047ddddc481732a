"""Run Airflow for Blocktrust: its environment, the standalone server, and day-run backfills.

Airflow's metadata lives in the ``airflow`` database of the project's PostgreSQL cluster (SQLite
locks under concurrent tasks). Its connections come from the settings (``AIRFLOW_CONN_*``), never
from the UI. The server runs as ``airflow standalone`` in its own process group, tracked by a PID
file, so ``blocktrust down`` stops all of its components.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from blocktrust import services
from blocktrust.db import airflow_metadata_dsn
from blocktrust.settings import ENV_PREFIX, Settings

SERVICE_NAME = "airflow"
INGEST_DAG_ID = "bitcoin_ingest"
EXTRA_ENV_FILE = "blocktrust-extra-env.json"
ADMIN_USER = "admin"


@dataclass(frozen=True)
class AirflowInfo:
    url: str
    user: str
    password: str
    home: Path


def airflow_home(settings: Settings) -> Path:
    return settings.data_dir / "airflow"


def airflow_bin() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def airflow_env(
    settings: Settings, metadata_url: str | None = None, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The complete environment of every Airflow process Blocktrust starts."""
    home = airflow_home(settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(settings.repo_root / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "4",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url or airflow_metadata_dsn(settings),
            "AIRFLOW__API__PORT": str(settings.airflow_port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
            "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "30",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
            # Tasks resolve the same settings as this process.
            ENV_PREFIX + "DATA_DIR": str(settings.data_dir),
            ENV_PREFIX + "PG_HOST": settings.pg_host,
            ENV_PREFIX + "PG_PORT": str(settings.pg_port),
            ENV_PREFIX + "PG_DATABASE": settings.pg_database,
            ENV_PREFIX + "LAKE_URL": settings.lake_url,
            ENV_PREFIX + "LAKE_FORMAT": settings.lake_format,
        }
    )
    env.update(settings.airflow_conn_env())
    env.update(saved_extra_env(settings))
    env.update(extra or {})
    return env


def saved_extra_env(settings: Settings) -> dict[str, str]:
    """The extra environment the running Airflow was started with (e.g. the demo's ingest
    window), so every later `airflow` CLI call parses the DAGs exactly as the scheduler does."""
    path = airflow_home(settings) / EXTRA_ENV_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def _save_extra_env(settings: Settings, extra: dict[str, str]) -> None:
    path = airflow_home(settings) / EXTRA_ENV_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(extra, indent=2, sort_keys=True) + "\n")


def ingest_window_env(first: date, last: date) -> dict[str, str]:
    """Bound bitcoin_ingest to [first, last]: unpausing it schedules nothing outside the range.

    The runs themselves come from a backfill (`backfill`), as a data engineer would ask for them.
    """
    return {
        ENV_PREFIX + "INGEST_START_DATE": first.isoformat(),
        ENV_PREFIX + "INGEST_END_DATE": last.isoformat(),
    }


def _run_cli(settings: Settings, *args: str, timeout: float = 600) -> str:
    proc = subprocess.run(
        [airflow_bin(), *args],
        env=airflow_env(settings),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
        raise RuntimeError(f"airflow {' '.join(args)} failed ({proc.returncode}):\n{tail}")
    return proc.stdout


def migrate(settings: Settings) -> None:
    airflow_home(settings).mkdir(parents=True, exist_ok=True)
    _run_cli(settings, "db", "migrate")


def is_up(settings: Settings) -> bool:
    record = services.read_record(settings.run_dir, SERVICE_NAME)
    return record is not None and services.is_running(record)


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/v2/monitor/health", timeout=5) as resp:
            body = json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return body.get("scheduler", {}).get("status") == "healthy"


def admin_password(settings: Settings) -> str:
    path = airflow_home(settings) / "simple_auth_manager_passwords.json.generated"
    return json.loads(path.read_text()).get(ADMIN_USER, "") if path.exists() else ""


def up(
    settings: Settings, timeout: float = 600, extra_env: dict[str, str] | None = None
) -> AirflowInfo:
    """Start ``airflow standalone`` (idempotent) and wait until its scheduler is healthy."""
    url = f"http://127.0.0.1:{settings.airflow_port}"
    if not is_up(settings):
        # Saved first: `airflow dags reserialize` and friends must see the same DAG bounds.
        _save_extra_env(settings, extra_env or {})
        migrate(settings)
        services.start(
            settings.run_dir,
            SERVICE_NAME,
            [airflow_bin(), "standalone"],
            log_path=settings.data_dir / "log" / "airflow-standalone.log",
            env=airflow_env(settings, extra=extra_env),
            cwd=airflow_home(settings),
        )
    deadline = time.monotonic() + timeout
    while not _health_ok(url):
        if not is_up(settings):
            raise RuntimeError(f"airflow standalone exited; see {settings.data_dir}/log")
        if time.monotonic() > deadline:
            raise RuntimeError(f"airflow did not become healthy within {timeout:.0f} s")
        time.sleep(3)
    return AirflowInfo(url, ADMIN_USER, admin_password(settings), airflow_home(settings))


def down(settings: Settings) -> None:
    services.stop(settings.run_dir, SERVICE_NAME)


def _json_rows(out: str) -> list[dict]:
    """The JSON table of an `airflow ... -o json` call; its stdout also carries log lines."""
    for line in reversed(out.splitlines()):
        text = line.strip()
        if text.startswith(("[{", "[]")):
            return json.loads(text)
    return []


def dag_runs(settings: Settings, dag_id: str = INGEST_DAG_ID) -> list[dict]:
    return _json_rows(_run_cli(settings, "dags", "list-runs", dag_id, "-o", "json"))


def backfill(
    settings: Settings,
    first: date,
    last: date,
    dag_id: str = INGEST_DAG_ID,
    timeout: float = 3600,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Ask the running scheduler for one run per day in [first, last] and wait for them."""
    unpause(settings, dag_id)
    _run_cli(
        settings,
        "backfill",
        "create",
        "--dag-id",
        dag_id,
        "--from-date",
        first.isoformat(),
        "--to-date",
        last.isoformat(),
        "--reprocess-behavior",
        "failed",
    )
    return wait_for_days(settings, first, last, dag_id, timeout, on_progress)


def rerun_day(settings: Settings, day: date, dag_id: str = INGEST_DAG_ID) -> None:
    """Clear every task of the day's run: the scheduler runs the day again (as "Clear" does in
    the UI). Its earlier state is forgotten, so wait_for_days then waits for the new outcome."""
    _run_cli(
        settings,
        "tasks",
        "clear",
        dag_id,
        "--start-date",
        day.isoformat(),
        "--end-date",
        day.isoformat(),
        "--yes",
    )


def wait_for_days(
    settings: Settings,
    first: date,
    last: date,
    dag_id: str = INGEST_DAG_ID,
    timeout: float = 3600,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Wait until every day of [first, last] has a finished run; the finished runs, by day."""
    wanted = (last - first).days + 1
    deadline = time.monotonic() + timeout
    while True:
        latest: dict[date, dict] = {}
        for run in dag_runs(settings, dag_id):
            day = run_day(run)
            in_range = day is not None and first <= day <= last
            # a day counts as done once any of its runs finished; success wins over failure
            if in_range and (day not in latest or run.get("state") == "success"):
                latest[day] = run
        done = [r for r in latest.values() if r.get("state") in ("success", "failed")]
        if on_progress:
            on_progress(len(done), wanted)
        if len(done) >= wanted:
            return sorted(done, key=lambda r: str(r.get("logical_date")))
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(done)}/{wanted} day runs finished within {timeout:.0f} s")
        time.sleep(10)


def run_day(run: dict) -> date | None:
    """The UTC day a run of the daily DAG covers (its data interval's start)."""
    raw = run.get("data_interval_start") or run.get("logical_date")
    return date.fromisoformat(str(raw)[:10]) if raw else None


def unpause(settings: Settings, dag_id: str) -> None:
    _run_cli(settings, "dags", "reserialize")
    _run_cli(settings, "dags", "unpause", dag_id)


def trigger_and_wait(settings: Settings, dag_id: str, timeout: float = 900) -> dict:
    """Trigger one manual run of ``dag_id`` and wait until it finishes; fail loudly if it fails."""
    unpause(settings, dag_id)
    rows = _json_rows(_run_cli(settings, "dags", "trigger", dag_id, "-o", "json"))
    if not rows:
        raise RuntimeError(f"airflow dags trigger {dag_id} printed no run")
    run_id = rows[0].get("dag_run_id") or rows[0].get("run_id")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for run in dag_runs(settings, dag_id):
            if run.get("run_id") == run_id and run.get("state") in ("success", "failed"):
                if run["state"] != "success":
                    raise RuntimeError(f"{dag_id} run {run_id} failed; see the Airflow UI")
                return run
        time.sleep(5)
    raise RuntimeError(f"{dag_id} run {run_id} did not finish within {timeout:.0f} s")
