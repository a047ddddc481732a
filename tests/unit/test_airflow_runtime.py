"""The environment every Airflow process of the project gets, and the CLI output parsing."""

from __future__ import annotations

import dataclasses
from datetime import date

from blocktrust import airflow_runtime
from blocktrust.settings import get_settings


def _settings(tmp_path):
    return dataclasses.replace(get_settings(), data_dir=tmp_path)


def test_cli_calls_parse_the_dags_with_the_window_the_scheduler_got(tmp_path) -> None:
    settings = _settings(tmp_path)
    window = airflow_runtime.ingest_window_env(date(2017, 12, 1), date(2017, 12, 3))
    airflow_runtime._save_extra_env(settings, window)
    env = airflow_runtime.airflow_env(settings)
    assert env["BLOCKTRUST_INGEST_START_DATE"] == "2017-12-01"
    assert env["BLOCKTRUST_INGEST_END_DATE"] == "2017-12-03"


def test_restart_without_a_window_forgets_the_old_one(tmp_path) -> None:
    settings = _settings(tmp_path)
    airflow_runtime._save_extra_env(
        settings, airflow_runtime.ingest_window_env(date(2017, 12, 1), date(2017, 12, 3))
    )
    airflow_runtime._save_extra_env(settings, {})
    assert "BLOCKTRUST_INGEST_END_DATE" not in airflow_runtime.saved_extra_env(settings)


def test_explicit_extra_env_wins_over_the_saved_one(tmp_path) -> None:
    settings = _settings(tmp_path)
    airflow_runtime._save_extra_env(settings, {"BLOCKTRUST_INGEST_END_DATE": "2017-12-03"})
    env = airflow_runtime.airflow_env(settings, extra={"BLOCKTRUST_INGEST_END_DATE": "2018-01-01"})
    assert env["BLOCKTRUST_INGEST_END_DATE"] == "2018-01-01"


def test_json_table_is_found_among_log_lines() -> None:
    out = '2026-12-03 [info] loading dags\n[{"run_id": "r1", "state": "success"}]\n'
    assert airflow_runtime._json_rows(out) == [{"run_id": "r1", "state": "success"}]
    assert airflow_runtime._json_rows("no table here\n") == []
