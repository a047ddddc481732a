"""Databases and SQL files: create/drop a warehouse database, apply ``sql/<dir>/*.sql`` in order.

SQL files must be idempotent (``if not exists``, ``create or replace``): ``blocktrust db up``
applies them on every run. A directory is applied in one transaction, so a bad file leaves
nothing half-applied.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import psycopg
from psycopg import sql

from blocktrust.db import connect
from blocktrust.db.admin import PACKAGE_SQL_DIR, admin_connect, cluster_lock, composed, load_sql
from blocktrust.settings import ROLES, Settings

SUPERUSER = "superuser"
BOOTSTRAP_DIR = PACKAGE_SQL_DIR / "bootstrap"
RAW_DIR = PACKAGE_SQL_DIR / "raw"


class SchemaError(RuntimeError):
    """A SQL file failed; the message names the file."""


def sql_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.sql") if p.is_file())


def _connect_as(settings: Settings, role: str) -> psycopg.Connection:
    if role == SUPERUSER:
        return admin_connect(settings, settings.pg_database)
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected {SUPERUSER} or one of {ROLES}")
    return connect(settings, role)


def apply_sql_dir(settings: Settings, directory: Path, role: str = "owner") -> list[str]:
    """Run every ``*.sql`` file of ``directory`` in name order as ``role``, in one transaction.

    ``role`` is owner|loader|analyst (TCP, password) or "superuser" (Unix socket, peer).
    Returns the names of the files applied.
    """
    files = sql_files(directory)
    with _connect_as(settings, role) as conn, conn.transaction():
        for path in files:
            try:
                conn.execute(path.read_text())
            except psycopg.Error as exc:
                raise SchemaError(
                    f"{path}: {type(exc).__name__}: {str(exc).strip()} "
                    f"(database {settings.pg_database}, role {role}); nothing in {directory.name}/ "
                    "was applied"
                ) from exc
    return [p.name for p in files]


def apply_raw_schema(settings: Settings) -> list[str]:
    """sql/bootstrap/ as the superuser (schemas, grants, role settings), then sql/raw/ as owner."""
    with cluster_lock(settings):  # bootstrap alters roles, which are cluster-wide
        applied = apply_sql_dir(settings, BOOTSTRAP_DIR, SUPERUSER)
    return applied + apply_sql_dir(settings, RAW_DIR, "owner")


def database_exists(settings: Settings, name: str) -> bool:
    with admin_connect(settings) as conn:
        row = conn.execute(load_sql("database_exists.sql"), {"name": name}).fetchone()
    return bool(row and row[0])


def create_database(
    settings: Settings,
    name: str,
    owner_role: str | None = None,
    with_schema: bool = True,
    private: bool = False,
) -> bool:
    """Create database ``name`` owned by ``owner_role`` (default blocktrust_owner) if missing.

    ``with_schema`` applies the warehouse schema (bootstrap + raw) to it, every time;
    ``private`` revokes CONNECT from PUBLIC. Returns True when the database was created.
    """
    owner = owner_role or settings.role_name("owner")
    created = False
    with cluster_lock(settings), admin_connect(settings) as conn:
        row = conn.execute(load_sql("database_exists.sql"), {"name": name}).fetchone()
        if not (row and row[0]):
            conn.execute(
                composed(
                    "create_database.sql", name=sql.Identifier(name), owner=sql.Identifier(owner)
                )
            )
            created = True
        if private:
            conn.execute(composed("restrict_database.sql", name=sql.Identifier(name)))
    if with_schema:
        apply_raw_schema(dataclasses.replace(settings, pg_database=name))
    return created


def drop_database(settings: Settings, name: str) -> None:
    """Drop database ``name`` if it exists, ending its sessions."""
    if name in ("postgres", "template0", "template1"):
        raise ValueError(f"refusing to drop system database {name!r}")
    with admin_connect(settings) as conn:
        conn.execute(composed("drop_database.sql", name=sql.Identifier(name)))


def databases_like(settings: Settings, prefix: str) -> list[str]:
    pattern = prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"
    with admin_connect(settings) as conn:
        rows = conn.execute(load_sql("list_databases_like.sql"), {"pattern": pattern}).fetchall()
    return [r[0] for r in rows]


def database_size(settings: Settings, name: str) -> tuple[int, str] | None:
    with admin_connect(settings) as conn:
        row = conn.execute(load_sql("database_size.sql"), {"name": name}).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))
