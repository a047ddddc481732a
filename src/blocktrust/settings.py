"""All Blocktrust settings, read from ``BLOCKTRUST_*`` environment variables.

Every other module asks this one; nothing else reads the environment. Defaults describe the
embedded setup: a PostgreSQL cluster under ``<data_dir>/pg`` on port 5433 and a lake folder under
``<data_dir>/lake``. Passwords are never defaults: they are generated once into
``<data_dir>/secrets.json`` (git-ignored) by ``blocktrust db up``.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROLES = ("owner", "loader", "analyst")
ENV_PREFIX = "BLOCKTRUST_"


def _repo_root() -> Path:
    """The checkout the package is installed from (editable install), else the working dir."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "dags").is_dir():
            return parent
    return Path.cwd()


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


# The one table of settings; README's table is generated from it (`blocktrust settings`).
SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_DIR", "<repo>/.data", "Where the embedded services keep state (git-ignored)."),
    Setting("PG_HOST", "127.0.0.1", "PostgreSQL host of the warehouse."),
    Setting("PG_PORT", "5433", "PostgreSQL port; the embedded cluster listens here."),
    Setting("PG_DATABASE", "blocktrust", "Warehouse database name."),
    Setting("PG_OS_USER", "blocktrust", "OS user that runs the embedded cluster when run as root."),
    Setting("DSN", "(built)", "Owner DSN (dbt, migrations). Overrides host/port/db/password."),
    Setting("LOADER_DSN", "(built)", "Loader DSN (ingest COPY)."),
    Setting("ANALYST_DSN", "(built)", "Read-only analyst DSN (Superset, SQL users)."),
    Setting(
        "LAKE_URL",
        "file://<data_dir>/lake",
        "Lake root: file:///path or s3://<conn>@bucket/prefix.",
    ),
    Setting("LAKE_FORMAT", "bitcoin-etl", "Chain files: bitcoin-etl, bigquery or aws-parquet."),
    Setting("S3_ENDPOINT_URL", "", "S3 API endpoint for the lake connection (empty: AWS)."),
    Setting("S3_CONN_ID", "blocktrust_lake", "Airflow connection id of the S3 lake."),
    Setting("AIRFLOW_PORT", "8080", "Airflow API server / UI port."),
    Setting("SUPERSET_PORT", "8088", "Superset port."),
    Setting("S3_PORT", "5055", "Port of the local S3 API server (moto_server)."),
    Setting("MAX_ACTIVE_RUNS", "2", "Concurrent day runs of the ingest DAG."),
    # Read by the DAG files at parse time (blocktrust.ingest.dag_wiring); no I/O involved.
    Setting("INGEST_START_DATE", "2010-07-17", "First day (logical date) of bitcoin_ingest."),
    Setting("INGEST_END_DATE", "", "Last day of bitcoin_ingest (empty: open-ended)."),
    Setting("INGEST_CATCHUP", "false", "Let the scheduler create every day since the start date."),
    Setting("DBT_TARGET", "warehouse", "dbt profile target used by the DAG's transform group."),
    Setting("DBT_SELECT", "", "dbt selectors the DAG builds (empty: every model)."),
    Setting(
        "DBT_TASKS",
        "build",
        "DAG transform shape: build (one dbt build task a day) or models (a task per model).",
    ),
    Setting("RETRY_DELAY_S", "300", "Delay before a failed DAG task is retried."),
)


def _env(name: str, default: str) -> str:
    value = os.environ.get(ENV_PREFIX + name)
    return value if value not in (None, "") else default


def load_secrets(path: Path, create: bool = False) -> dict[str, str]:
    """Role passwords, generated on first use and kept beside the cluster, never in git."""
    if path.exists():
        return json.loads(path.read_text())
    if not create:
        return {}
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {role: secrets.token_urlsafe(24) for role in ROLES}
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values


@dataclass(frozen=True)
class Settings:
    repo_root: Path
    data_dir: Path
    pg_host: str
    pg_port: int
    pg_database: str
    pg_os_user: str
    lake_url: str
    lake_format: str
    s3_endpoint_url: str
    s3_conn_id: str
    airflow_port: int
    superset_port: int
    s3_port: int
    max_active_runs: int
    dsn_overrides: dict[str, str] = field(default_factory=dict)

    @property
    def pg_dir(self) -> Path:
        return self.data_dir / "pg"

    @property
    def run_dir(self) -> Path:
        """PID files of the services the CLI starts."""
        return self.data_dir / "run"

    @property
    def secrets_path(self) -> Path:
        return self.data_dir / "secrets.json"

    def role_name(self, role: str) -> str:
        return f"blocktrust_{role}"

    def dsn(self, role: str = "owner") -> str:
        """libpq URI for one of the three roles."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
        if role in self.dsn_overrides:
            return self.dsn_overrides[role]
        password = load_secrets(self.secrets_path).get(role, "")
        auth = self.role_name(role) + (":" + quote(password, safe="") if password else "")
        return f"postgresql://{auth}@{self.pg_host}:{self.pg_port}/{self.pg_database}"

    def airflow_conn_env(self) -> dict[str, str]:
        """Airflow connections as AIRFLOW_CONN_* variables, built from these settings."""
        env = {
            "AIRFLOW_CONN_BLOCKTRUST_WAREHOUSE": _as_airflow_uri(self.dsn("owner")),
            "AIRFLOW_CONN_BLOCKTRUST_LOADER": _as_airflow_uri(self.dsn("loader")),
        }
        extra: dict[str, str] = {}
        if self.s3_endpoint_url:
            extra["endpoint_url"] = self.s3_endpoint_url
        env["AIRFLOW_CONN_" + self.s3_conn_id.upper()] = json.dumps(
            {"conn_type": "aws", "extra": extra}
        )
        return env


def _as_airflow_uri(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgres://", 1)


def get_settings() -> Settings:
    repo = _repo_root()
    data_dir = Path(_env("DATA_DIR", str(repo / ".data"))).resolve()
    overrides = {
        role: os.environ[key]
        for role, key in (
            ("owner", "BLOCKTRUST_DSN"),
            ("loader", "BLOCKTRUST_LOADER_DSN"),
            ("analyst", "BLOCKTRUST_ANALYST_DSN"),
        )
        if os.environ.get(key)
    }
    lake_format = _env("LAKE_FORMAT", "bitcoin-etl")
    if lake_format not in ("bitcoin-etl", "bigquery", "aws-parquet"):
        raise ValueError(
            f"BLOCKTRUST_LAKE_FORMAT={lake_format!r}: expected bitcoin-etl, bigquery or aws-parquet"
        )
    return Settings(
        repo_root=repo,
        data_dir=data_dir,
        pg_host=_env("PG_HOST", "127.0.0.1"),
        pg_port=_int_env("PG_PORT", 5433),
        pg_database=_env("PG_DATABASE", "blocktrust"),
        pg_os_user=_env("PG_OS_USER", "blocktrust"),
        lake_url=_env("LAKE_URL", (data_dir / "lake").as_uri()),
        lake_format=lake_format,
        s3_endpoint_url=_env("S3_ENDPOINT_URL", ""),
        s3_conn_id=_env("S3_CONN_ID", "blocktrust_lake"),
        airflow_port=_int_env("AIRFLOW_PORT", 8080),
        superset_port=_int_env("SUPERSET_PORT", 8088),
        s3_port=_int_env("S3_PORT", 5055),
        max_active_runs=_int_env("MAX_ACTIVE_RUNS", 2),
        dsn_overrides=overrides,
    )


def _int_env(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{name}={raw!r} is not an integer") from None
