"""Shared wiring for the DAGs in dags/: defaults, the marts Asset, the dbt task group.

Imported by the DAG files at parse time, so it imports only airflow.sdk and pendulum at module
level (Cosmos when the transform group is built); it lives in the package, not in dags/, so it
imports the same way in the scheduler, the DAG processor, dag.test() and the tests.

Parse-time rules (Airflow best practice): nothing here touches the database, the lake or the
network, and no Airflow Variable is read. The only inputs at parse time are environment variables
(read through ``blocktrust.settings`` where a setting exists) and two file-existence checks on the
dbt project that Cosmos needs anyway to render the task group.

Environment read at parse time:
- ``BLOCKTRUST_INGEST_START_DATE`` (YYYY-MM-DD, default 2010-07-17: first day of the BTC/USD
  series) — first logical date of ``bitcoin_ingest``.
- ``BLOCKTRUST_INGEST_END_DATE`` (YYYY-MM-DD, default none) — last logical date.
- ``BLOCKTRUST_INGEST_CATCHUP`` (true/false, default false) — backfill from the start date.
- ``BLOCKTRUST_MAX_ACTIVE_RUNS`` (via settings) — concurrent day runs.
- ``BLOCKTRUST_DBT_TARGET`` (default ``warehouse``) — the dbt profile target.
- ``BLOCKTRUST_RETRY_DELAY_S`` (default 300) — first retry delay of every task (tests: 1).
- ``BLOCKTRUST_DBT_SELECT`` (comma-separated dbt selectors, default: every model) — which models
  the transform builds (tests select a small subset to stay fast).
- ``BLOCKTRUST_DBT_TASKS`` (``build`` or ``models``, default ``build``) — how the transform
  appears in Airflow: one Cosmos ``dbt build`` task per day (one dbt process and one parse for
  the whole graph: about 20x fewer process starts), or a Cosmos task group with one task per
  model (per-model retries and graph view; worth it with several workers).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset

from blocktrust.settings import get_settings

DBT_PROJECT_DIR = get_settings().repo_root / "dbt_project"
DBT_PROFILE = "blocktrust"
DEFAULT_START_DATE = "2010-07-17"
WAREHOUSE_CONN_ID = "blocktrust_warehouse"
DBT_TASK_MODES = ("build", "models")
# Every model's window starts at the run's day; models keep the running totals of earlier days.
DBT_VARS = {"window_start": "{{ ds }}"}

# Downstream DAGs schedule on this: the marts were rebuilt for a day.
MARTS_ASSET = Asset(name="blocktrust_marts", uri="blocktrust://warehouse/marts", group="blocktrust")

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "blocktrust",
    "retries": 2,
    "retry_delay": timedelta(seconds=int(os.environ.get("BLOCKTRUST_RETRY_DELAY_S") or 300)),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}


def env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={raw!r}: expected true or false")


def start_date() -> pendulum.DateTime:
    raw = os.environ.get("BLOCKTRUST_INGEST_START_DATE") or DEFAULT_START_DATE
    return pendulum.parse(raw, tz="UTC")  # type: ignore[return-value]


def end_date() -> pendulum.DateTime | None:
    """Last logical date the scheduler creates (a bounded demo or backfill); None: open-ended."""
    raw = os.environ.get("BLOCKTRUST_INGEST_END_DATE")
    return pendulum.parse(raw, tz="UTC") if raw else None  # type: ignore[return-value]


def catchup() -> bool:
    return env_flag("BLOCKTRUST_INGEST_CATCHUP", False)


def max_active_runs() -> int:
    return get_settings().max_active_runs


def dbt_project_ready() -> bool:
    return (DBT_PROJECT_DIR / "dbt_project.yml").exists()


def dbt_select() -> list[str]:
    raw = os.environ.get("BLOCKTRUST_DBT_SELECT", "")
    return [part.strip() for part in raw.split(",") if part.strip()]


def dbt_tasks() -> str:
    raw = (os.environ.get("BLOCKTRUST_DBT_TASKS") or "build").strip().lower()
    if raw not in DBT_TASK_MODES:
        raise ValueError(
            f"BLOCKTRUST_DBT_TASKS={raw!r}: expected one of {', '.join(DBT_TASK_MODES)}"
        )
    return raw


def dbt_env() -> dict[str, str]:
    """The profile's env_var() lookups, rendered at run time from the Airflow connection."""
    fields = {
        "BLOCKTRUST_DBT_HOST": "host",
        "BLOCKTRUST_DBT_PORT": "port",
        "BLOCKTRUST_DBT_USER": "login",
        "BLOCKTRUST_DBT_PASSWORD": "password",
        "BLOCKTRUST_DBT_DBNAME": "schema",
    }
    return {
        name: "{{ conn." + WAREHOUSE_CONN_ID + "." + attr + " or '' }}"
        for name, attr in fields.items()
    }


def _profile_config() -> Any:
    from cosmos import ProfileConfig

    return ProfileConfig(
        profile_name=DBT_PROFILE,
        target_name=os.environ.get("BLOCKTRUST_DBT_TARGET") or "warehouse",
        profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml",
    )


def dbt_transform(task_id: str = "transform") -> Any:
    """The day's dbt transform, shaped by ``BLOCKTRUST_DBT_TASKS`` (see the module docstring)."""
    if dbt_tasks() == "models":
        return dbt_transform_group(task_id)
    return dbt_build_task(task_id)


def _dbt_local_operator_args() -> dict[str, Any]:
    """What every single-task Cosmos dbt operator here shares: in-process dbt on the project,
    the selected models, and only tests whose parents are all selected (a subset never runs a
    mart's test)."""
    from cosmos.constants import InvocationMode

    return {
        "project_dir": str(DBT_PROJECT_DIR),
        "profile_config": _profile_config(),
        "invocation_mode": InvocationMode.DBT_RUNNER,
        "select": " ".join(dbt_select()) or None,
        "indirect_selection": "cautious",
        "env": dbt_env(),
    }


def dbt_build_task(task_id: str = "transform") -> Any:
    """One Cosmos ``dbt build`` (models and their tests, in graph order) for the run's day.

    Runs in-process (dbtRunner). It waits for the previous day's transform (running totals of
    day D+1 start from day D's rows), so days load in parallel but transform in order.
    """
    from cosmos.operators.local import DbtBuildLocalOperator

    return DbtBuildLocalOperator(
        task_id=task_id,
        **_dbt_local_operator_args(),
        vars=DBT_VARS,
        emit_datasets=False,
        depends_on_past=True,
        doc_md=(
            "`dbt build` of the selected models and their tests for the run's day "
            "(`window_start = ds`); the log lists every model and test as dbt runs it."
        ),
    )


def dbt_full_history_test_task(task_id: str = "dbt_test_full_history") -> Any:
    """One Cosmos ``dbt test`` of the selected models without ``window_start``: every data test
    over the whole history (the daily runs test their window only; docs/quality.md)."""
    from cosmos.operators.local import DbtTestLocalOperator

    return DbtTestLocalOperator(
        task_id=task_id,
        **_dbt_local_operator_args(),
        doc_md=(
            "`dbt test` over the whole history (no `window_start`): the sum of balances "
            "against the whole UTXO set, every key and money identity of every row."
        ),
    )


def dbt_transform_group(group_id: str = "transform") -> Any:
    """The dbt models as a Cosmos task group, run in-process, for the run's day.

    Rendering reads dbt_project/target/manifest.json when present (no dbt at parse time), else
    Cosmos' own parser of the model files; `dbt ls` is never run at parse time.
    """
    from cosmos import DbtTaskGroup, ExecutionConfig, ProjectConfig, RenderConfig
    from cosmos.constants import (
        ExecutionMode,
        InvocationMode,
        LoadMode,
        TestBehavior,
        TestIndirectSelection,
    )

    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    has_manifest = manifest.exists()
    return DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(
            dbt_project_path=DBT_PROJECT_DIR,
            manifest_path=manifest if has_manifest else None,
            install_dbt_deps=(DBT_PROJECT_DIR / "packages.yml").exists(),
        ),
        profile_config=_profile_config(),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.LOCAL,
            invocation_mode=InvocationMode.DBT_RUNNER,
            # A test whose parents are not all built yet (e.g. a count check between two staging
            # models) runs with the last of them, not the first.
            test_indirect_selection=TestIndirectSelection.CAUTIOUS,
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST if has_manifest else LoadMode.CUSTOM,
            # `dbt build` per model: its tests run with it, no separate test tasks.
            test_behavior=TestBehavior.BUILD,
            select=dbt_select(),
            # Tests between models (header tx count vs transactions) get their own task after
            # all their parents.
            should_detach_multiple_parents_tests=True,
            emit_datasets=False,
        ),
        operator_args={
            # Running totals of day D+1 start from day D's rows: a model's task waits for the
            # same task of the previous day's run (loads of several days may still overlap).
            "depends_on_past": True,
            "vars": DBT_VARS,
            "env": dbt_env(),
        },
    )
