"""Settings from BLOCKTRUST_* variables: parsing, clear errors, DSNs from generated secrets."""

from __future__ import annotations

import dataclasses
import json
import stat
from pathlib import Path

import pytest

from blocktrust.db import airflow_metadata_dsn
from blocktrust.settings import ROLES, SETTINGS, get_settings, load_secrets


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No BLOCKTRUST_* variable but a private data dir."""
    for s in SETTINGS:
        monkeypatch.delenv("BLOCKTRUST_" + s.name, raising=False)
    monkeypatch.delenv("BLOCKTRUST_PG_DATABASE", raising=False)
    monkeypatch.setenv("BLOCKTRUST_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_defaults_describe_the_embedded_setup(clean_env):
    s = get_settings()
    assert (s.pg_host, s.pg_port, s.pg_database, s.pg_os_user) == (
        "127.0.0.1",
        5433,
        "blocktrust",
        "blocktrust",
    )
    assert s.data_dir == clean_env.resolve()
    assert s.pg_dir == s.data_dir / "pg" and s.run_dir == s.data_dir / "run"
    assert s.lake_url == (s.data_dir / "lake").as_uri()
    assert s.lake_format == "bitcoin-etl"


def test_env_values_are_parsed(clean_env, monkeypatch):
    monkeypatch.setenv("BLOCKTRUST_PG_PORT", "6543")
    monkeypatch.setenv("BLOCKTRUST_MAX_ACTIVE_RUNS", "4")
    monkeypatch.setenv("BLOCKTRUST_LAKE_URL", "s3://blocktrust_lake@bucket/lake")
    monkeypatch.setenv("BLOCKTRUST_LAKE_FORMAT", "aws-parquet")
    s = get_settings()
    assert (s.pg_port, s.max_active_runs) == (6543, 4)
    assert s.lake_url == "s3://blocktrust_lake@bucket/lake"
    assert s.lake_format == "aws-parquet"


def test_empty_variable_means_default(clean_env, monkeypatch):
    monkeypatch.setenv("BLOCKTRUST_PG_PORT", "")
    assert get_settings().pg_port == 5433


@pytest.mark.parametrize("name", ["PG_PORT", "AIRFLOW_PORT", "S3_PORT", "MAX_ACTIVE_RUNS"])
def test_bad_int_names_the_variable(clean_env, monkeypatch, name):
    monkeypatch.setenv("BLOCKTRUST_" + name, "54x3")
    with pytest.raises(ValueError, match=f"BLOCKTRUST_{name}='54x3' is not an integer"):
        get_settings()


def test_bad_lake_format_names_the_variable(clean_env, monkeypatch):
    monkeypatch.setenv("BLOCKTRUST_LAKE_FORMAT", "csv")
    with pytest.raises(ValueError, match="BLOCKTRUST_LAKE_FORMAT='csv'"):
        get_settings()


def test_secrets_are_generated_once_private_and_distinct(clean_env):
    path = clean_env / "secrets.json"
    assert load_secrets(path) == {}
    assert not path.exists()
    first = load_secrets(path, create=True)
    assert set(first) == set(ROLES) and len(set(first.values())) == len(ROLES)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secrets(path, create=True) == first


def test_dsn_uses_generated_password_url_quoted(clean_env):
    s = get_settings()
    clean_env.mkdir(parents=True)
    s.secrets_path.write_text(json.dumps({"owner": "p@ss/w:rd", "loader": "x", "analyst": "y"}))
    assert (
        s.dsn("owner") == "postgresql://blocktrust_owner:p%40ss%2Fw%3Ard@127.0.0.1:5433/blocktrust"
    )
    assert s.dsn("analyst").startswith("postgresql://blocktrust_analyst:y@")


def test_dsn_without_secrets_has_no_password(clean_env):
    assert (
        get_settings().dsn("loader") == "postgresql://blocktrust_loader@127.0.0.1:5433/blocktrust"
    )


def test_dsn_follows_a_derived_database(clean_env):
    s = dataclasses.replace(get_settings(), pg_database="bt_test_1", pg_port=5434)
    assert s.dsn("owner").endswith("@127.0.0.1:5434/bt_test_1")


def test_dsn_env_overrides_win_per_role(clean_env, monkeypatch):
    monkeypatch.setenv("BLOCKTRUST_DSN", "postgresql://me@db.example:5432/wh")
    monkeypatch.setenv("BLOCKTRUST_ANALYST_DSN", "postgresql://ro@db.example:5432/wh")
    s = get_settings()
    assert s.dsn("owner") == "postgresql://me@db.example:5432/wh"
    assert s.dsn("analyst") == "postgresql://ro@db.example:5432/wh"
    assert s.dsn("loader").startswith("postgresql://blocktrust_loader@127.0.0.1")


def test_unknown_role_is_rejected(clean_env):
    with pytest.raises(ValueError, match="unknown role 'admin'"):
        get_settings().dsn("admin")


def test_airflow_connections_carry_the_s3_endpoint(clean_env, monkeypatch):
    monkeypatch.setenv("BLOCKTRUST_S3_ENDPOINT_URL", "http://127.0.0.1:5055")
    env = get_settings().airflow_conn_env()
    assert env["AIRFLOW_CONN_BLOCKTRUST_WAREHOUSE"].startswith("postgres://blocktrust_owner")
    assert env["AIRFLOW_CONN_BLOCKTRUST_LOADER"].startswith("postgres://blocktrust_loader")
    assert json.loads(env["AIRFLOW_CONN_BLOCKTRUST_LAKE"]) == {
        "conn_type": "aws",
        "extra": {"endpoint_url": "http://127.0.0.1:5055"},
    }


def test_airflow_metadata_dsn_uses_its_own_role_and_secret(clean_env):
    s = get_settings()
    clean_env.mkdir(parents=True)
    s.secrets_path.write_text(json.dumps({"airflow": "a+b"}))
    assert airflow_metadata_dsn(s) == (
        "postgresql+psycopg2://blocktrust_airflow:a%2Bb@127.0.0.1:5433/airflow"
    )
