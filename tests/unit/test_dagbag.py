"""Every DAG imports cleanly, is tagged, retries at least twice and documents itself."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("airflow_home")
    os.environ.setdefault("AIRFLOW_HOME", str(home))
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(DAGS))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
    from airflow.dag_processing.dagbag import DagBag

    started = time.perf_counter()
    # Airflow 3.3 dropped include_examples; AIRFLOW__CORE__LOAD_EXAMPLES=False does its job.
    bag = DagBag(dag_folder=str(DAGS))
    bag.parse_seconds = time.perf_counter() - started  # type: ignore[attr-defined]
    return bag


def test_dags_import_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert {"bitcoin_ingest", "prices_ingest", "warehouse_audit"} <= set(dagbag.dag_ids)


def test_every_dag_is_tagged_and_documented(dagbag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md and dag.doc_md.strip(), f"{dag_id} has no doc_md"


def test_every_task_retries_at_least_twice(dagbag) -> None:
    for dag_id, dag in dagbag.dags.items():
        for t in dag.tasks:
            assert t.retries >= 2, f"{dag_id}.{t.task_id} retries={t.retries}"


def test_bitcoin_ingest_partitions_by_data_interval(dagbag) -> None:
    from airflow.sdk import CronDataIntervalTimetable

    dag = dagbag.dags["bitcoin_ingest"]
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.catchup is False
    assert dag.start_date.date().isoformat() == "2010-07-17"
    sensor = dag.get_task("wait_for_partition")
    assert sensor.mode == "reschedule"
    ids = set(dag.task_ids)
    assert {"load_day", "quality_gate", "publish_marts"} <= ids
    assert [o.uri for o in dag.get_task("publish_marts").outlets] == [
        "blocktrust://warehouse/marts"
    ]


def _transform_ids(dag) -> list[str]:
    return [t for t in dag.task_ids if t == "transform" or t.startswith("transform.")]


def test_transform_runs_after_gate_and_before_publish(dagbag) -> None:
    dag = dagbag.dags["bitcoin_ingest"]
    if not (DAGS.parent / "dbt_project" / "dbt_project.yml").exists():
        pytest.skip("dbt_project/dbt_project.yml absent: the transform group is not built")
    transform = _transform_ids(dag)
    assert transform, "no transform task"
    upstream_of_publish = dag.get_task("publish_marts").get_flat_relative_ids(upstream=True)
    assert set(transform) <= upstream_of_publish
    downstream_of_gate = dag.get_task("quality_gate").get_flat_relative_ids(upstream=False)
    assert set(transform) <= downstream_of_gate


def test_default_transform_is_one_dbt_build_task_waiting_for_the_previous_day(dagbag) -> None:
    from cosmos.operators.local import DbtBuildLocalOperator

    task = dagbag.dags["bitcoin_ingest"].get_task("transform")
    assert isinstance(task, DbtBuildLocalOperator)
    assert task.depends_on_past is True
    assert task.vars == {"window_start": "{{ ds }}"}


def test_warehouse_audit_tests_the_whole_history_weekly(dagbag) -> None:
    from airflow.sdk import CronTriggerTimetable
    from cosmos.operators.local import DbtTestLocalOperator

    dag = dagbag.dags["warehouse_audit"]
    assert isinstance(dag.timetable, CronTriggerTimetable)
    assert dag.timetable.expression == "0 6 * * 0"
    assert dag.catchup is False
    assert dag.get_task("reconcile_marts_with_raw").upstream_task_ids == set()
    if not (DAGS.parent / "dbt_project" / "dbt_project.yml").exists():
        pytest.skip("dbt_project/dbt_project.yml absent: no dbt test task")
    task = dag.get_task("dbt_test_full_history")
    assert isinstance(task, DbtTestLocalOperator)
    assert not task.vars  # no window_start: every row is tested
    assert task.upstream_task_ids == set()


def _transform_in_a_dag(monkeypatch, mode: str):
    import pendulum
    from airflow.sdk import DAG

    from blocktrust.ingest.dag_wiring import dbt_transform

    monkeypatch.setenv("BLOCKTRUST_DBT_TASKS", mode)
    # every model, whatever subset another test module selected for its dag.test() runs
    monkeypatch.delenv("BLOCKTRUST_DBT_SELECT", raising=False)
    with DAG("transform_shape", schedule=None, start_date=pendulum.datetime(2020, 1, 1)) as dag:
        dbt_transform()
    return dag


def test_models_mode_renders_one_task_per_model(monkeypatch) -> None:
    dag = _transform_in_a_dag(monkeypatch, "models")
    models = [t for t in dag.task_ids if t.startswith("transform.")]
    assert any("fct_address_ledger" in t for t in models), models
    assert all(dag.get_task(t).depends_on_past for t in models)


def test_unknown_transform_mode_is_refused_with_the_choices(monkeypatch) -> None:
    with pytest.raises(ValueError, match="BLOCKTRUST_DBT_TASKS='per-test'.*build, models"):
        _transform_in_a_dag(monkeypatch, "per-test")


def test_parsing_is_fast(dagbag) -> None:
    assert dagbag.parse_seconds < 30, f"parsing the dags folder took {dagbag.parse_seconds:.1f}s"
