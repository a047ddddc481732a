"""Superuser access to the embedded cluster, its SQL files and the cluster-wide lock.

The cluster superuser is the OS user that runs the postmaster (``settings.pg_os_user`` when the
CLI runs as root, else the invoking user). It connects only over the Unix socket by peer
authentication; root is mapped to it in pg_ident.conf. Everything else uses TCP + SCRAM.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from blocktrust.settings import Settings

SQL_DIR = Path(__file__).with_name("sql")
PACKAGE_SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


def running_as_root() -> bool:
    return os.geteuid() == 0


def cluster_os_user(settings: Settings) -> str:
    """The OS user that owns the data directory and runs the postmaster."""
    if running_as_root():
        return settings.pg_os_user
    return pwd.getpwuid(os.geteuid()).pw_name


def superuser_name(settings: Settings) -> str:
    return cluster_os_user(settings)


def socket_dir(settings: Settings) -> Path:
    return settings.pg_dir / "socket"


def load_sql(name: str) -> str:
    """One of the admin statements in blocktrust/db/sql/ (identifiers composed by callers)."""
    return (SQL_DIR / name).read_text()


def composed(file: str, /, **parts: sql.Composable) -> sql.Composed:
    return sql.SQL(load_sql(file).strip()).format(**parts)


def admin_connect(settings: Settings, dbname: str = "postgres") -> psycopg.Connection:
    """Autocommit superuser connection over the cluster's Unix socket (peer authentication)."""
    return psycopg.connect(
        host=str(socket_dir(settings)),
        port=settings.pg_port,
        user=superuser_name(settings),
        dbname=dbname,
        autocommit=True,
        connect_timeout=10,
    )


_registry_guard = threading.Lock()
_thread_locks: dict[Path, threading.RLock] = {}
_held: dict[Path, tuple[int, int]] = {}  # lock path -> (fd, depth); flock is per open file


@contextmanager
def cluster_lock(settings: Settings) -> Iterator[None]:
    """Exclusive, re-entrant lock on ``<data_dir>/cluster.lock`` across processes and threads.

    Serialises cluster set-up and cluster-wide DDL (roles are global: concurrent ALTER ROLE fails
    with "tuple concurrently updated") between pytest sessions started by several engineers.
    """
    path = (settings.data_dir / "cluster.lock").resolve()
    with _registry_guard:
        rlock = _thread_locks.setdefault(path, threading.RLock())
    with rlock:
        fd, depth = _held.get(path, (-1, 0))
        if depth == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
        _held[path] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held.pop(path)
            if depth > 1:
                _held[path] = (fd, depth - 1)
            else:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
