"""Connections to the warehouse: one function per question, settings in, connection out.

``connect(settings, "loader")`` is how every other module reaches PostgreSQL; the cluster itself
(install, init, start, stop) lives in :mod:`blocktrust.db.cluster`.
"""

from __future__ import annotations

from urllib.parse import quote

import psycopg

from blocktrust.settings import Settings, load_secrets

AIRFLOW_DATABASE = "airflow"
AIRFLOW_ROLE = "blocktrust_airflow"
AIRFLOW_SECRET = "airflow"


def connect(
    settings: Settings, role: str = "owner", autocommit: bool = False
) -> psycopg.Connection:
    """psycopg 3 connection to ``settings.pg_database`` as blocktrust_<role> (TCP + SCRAM)."""
    return psycopg.connect(settings.dsn(role), autocommit=autocommit, connect_timeout=10)


def airflow_metadata_dsn(settings: Settings) -> str:
    """SQLAlchemy URL of Airflow's metadata database (AIRFLOW__DATABASE__SQL_ALCHEMY_CONN).

    The database and its role are created by ``blocktrust db up``; the password is generated
    into secrets.json like the warehouse roles' passwords.
    """
    password = load_secrets(settings.secrets_path).get(AIRFLOW_SECRET, "")
    auth = AIRFLOW_ROLE + (":" + quote(password, safe="") if password else "")
    return f"postgresql+psycopg2://{auth}@{settings.pg_host}:{settings.pg_port}/{AIRFLOW_DATABASE}"
