"""Run the dbt project in-process (dbtRunner) against the warehouse the settings point at.

The profile (dbt_project/profiles.yml) only reads BLOCKTRUST_DBT_* environment variables; this
module sets them from the settings (owner role, password from the secrets file or BLOCKTRUST_DSN)
for the duration of the call and restores the environment afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg.conninfo import conninfo_to_dict

from blocktrust.settings import Settings

DBT_ROLE = "owner"


class DbtError(RuntimeError):
    """A dbt command failed; the message names the command and the failing nodes."""


@dataclass(frozen=True)
class DbtRun:
    args: tuple[str, ...]
    success: bool
    result: Any  # dbtRunnerResult.result: RunExecutionResult, Manifest, ... (command dependent)


def project_dir(settings: Settings) -> Path:
    return settings.repo_root / "dbt_project"


def dbt_env(settings: Settings) -> dict[str, str]:
    """BLOCKTRUST_DBT_* variables the profile reads, from the owner DSN of the settings."""
    params = conninfo_to_dict(settings.dsn(DBT_ROLE))
    return {
        "BLOCKTRUST_DBT_HOST": str(params.get("host") or settings.pg_host),
        "BLOCKTRUST_DBT_PORT": str(params.get("port") or settings.pg_port),
        "BLOCKTRUST_DBT_USER": str(params.get("user") or settings.role_name(DBT_ROLE)),
        "BLOCKTRUST_DBT_PASSWORD": str(params.get("password") or ""),
        "BLOCKTRUST_DBT_DBNAME": str(params.get("dbname") or settings.pg_database),
    }


def dbt_paths(settings: Settings) -> list[str]:
    """Project, profile and per-database target/log paths (outside the source tree)."""
    work = settings.data_dir / "dbt" / dbt_env(settings)["BLOCKTRUST_DBT_DBNAME"]
    return [
        "--project-dir",
        str(project_dir(settings)),
        "--profiles-dir",
        str(project_dir(settings)),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def _failures(result: Any) -> list[str]:
    rows = getattr(result, "results", None) or []
    return [
        f"{row.node.unique_id}: {row.status}: {row.message}"
        for row in rows
        if str(row.status) in ("error", "fail", "runtime error")
    ]


def run_dbt(settings: Settings, args: list[str], check: bool = True) -> DbtRun:
    """Run one dbt command (e.g. ["build"], ["run", "--full-refresh"]) in this process.

    Raises DbtError when dbt reports failure and check is true.
    """
    from dbt.cli.main import dbtRunner  # heavy import, only when dbt is actually run

    command = [*args, *dbt_paths(settings)]
    with _environment({**dbt_env(settings), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}):
        outcome = dbtRunner().invoke(command)
    run = DbtRun(args=tuple(args), success=bool(outcome.success), result=outcome.result)
    if check and not run.success:
        details = _failures(outcome.result) or [repr(outcome.exception)]
        raise DbtError(f"dbt {' '.join(args)} failed:\n  " + "\n  ".join(details))
    return run


def window_vars(window_start: str | None) -> list[str]:
    """--vars for the incremental window (a YYYY-MM-DD day), or nothing."""
    if window_start is None:
        return []
    return ["--vars", f"{{window_start: '{window_start}'}}"]
