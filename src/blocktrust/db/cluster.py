"""The project-managed PostgreSQL 15 cluster under ``settings.pg_dir``.

    <pg_dir>/data     the cluster (initdb), owned by the cluster's OS user, mode 0700
    <pg_dir>/socket   Unix socket directory (the superuser's peer connections)
    <pg_dir>/log      postgres.log (pg_ctl -l)
    <pg_dir>/profile  "analytics" or "test": which memory/durability profile the cluster uses

PostgreSQL refuses to run as root. As root, the cluster runs as ``settings.pg_os_user`` (a
system user created on first use) through ``runuser -u <user> --``. The postmaster is registered
in the services PID registry, so ``blocktrust down`` stops it by PID like every other service.
``ensure_up`` is idempotent and safe to run concurrently (file lock ``<data_dir>/cluster.lock``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template

import psycopg
from psycopg import sql

from blocktrust import services
from blocktrust.db import AIRFLOW_DATABASE, AIRFLOW_ROLE, AIRFLOW_SECRET
from blocktrust.db.admin import (
    admin_connect,
    cluster_lock,
    cluster_os_user,
    composed,
    load_sql,
    running_as_root,
    socket_dir,
    superuser_name,
)
from blocktrust.settings import ROLES, Settings, load_secrets

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PACKAGES = ("postgresql-15", "postgresql-contrib")
SERVICE_NAME = "postgresql"
TEMPLATE_DIR = Path(__file__).parent
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 60

# Memory and durability per profile; the template explains the analytics values.
PROFILES: dict[str, dict[str, str]] = {
    "analytics": {
        "shared_buffers": "4GB",
        "effective_cache_size": "16GB",
        "work_mem": "64MB",
        "maintenance_work_mem": "1GB",
        "max_wal_size": "8GB",
        "fsync": "on",
        "full_page_writes": "on",
    },
    # Several throwaway test clusters share the box with everyone's test runs: small memory,
    # and no fsync (a crashed test cluster is deleted, never repaired).
    "test": {
        "shared_buffers": "256MB",
        "effective_cache_size": "2GB",
        "work_mem": "16MB",
        "maintenance_work_mem": "128MB",
        "max_wal_size": "1GB",
        "fsync": "off",
        "full_page_writes": "off",
    },
}


class ClusterError(RuntimeError):
    """The cluster could not be installed, initialised, started or stopped."""


@dataclass(frozen=True)
class ClusterStatus:
    initialized: bool
    running: bool
    pid: int | None
    port: int
    data_dir: Path
    database: str
    database_size: str | None
    profile: str | None


@dataclass(frozen=True)
class UpReport:
    installed: bool  # the server packages were installed by this call
    initialized: bool  # initdb ran
    started: bool  # the postmaster was started
    created_roles: tuple[str, ...]
    created_databases: tuple[str, ...]
    seconds: float


# ---------------------------------------------------------------- paths


def data_path(settings: Settings) -> Path:
    return settings.pg_dir / "data"


def log_path(settings: Settings) -> Path:
    return settings.pg_dir / "log" / "postgres.log"


def profile_path(settings: Settings) -> Path:
    return settings.pg_dir / "profile"


def is_initialized(settings: Settings) -> bool:
    return (data_path(settings) / "PG_VERSION").exists()


# ---------------------------------------------------------------- install and OS user


def ensure_installed() -> bool:
    """Install Debian's PostgreSQL 15 server if its binaries are missing; True if installed."""
    if (PG_BIN / "postgres").exists():
        return False
    if not running_as_root():
        raise ClusterError(
            f"PostgreSQL 15 server not found in {PG_BIN}. Install it as root: "
            f"apt-get install {' '.join(PG_PACKAGES)} (or run `make system-deps`)"
        )
    # Debian's package would create and start its own "main" cluster on 5432; we need none.
    conf_d = Path("/etc/postgresql-common/createcluster.d")
    conf_d.mkdir(parents=True, exist_ok=True)
    (conf_d / "blocktrust.conf").write_text("create_main_cluster = false\n")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *PG_PACKAGES]):
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise ClusterError(f"{' '.join(argv)} failed:\n{done.stdout[-2000:]}{done.stderr}")
    if not (PG_BIN / "postgres").exists():
        raise ClusterError(f"installed {PG_PACKAGES} but {PG_BIN}/postgres is still missing")
    return True


def ensure_os_user(settings: Settings) -> str:
    """As root: the unprivileged system user that runs the cluster, created if missing."""
    user = cluster_os_user(settings)
    if not running_as_root():
        return user
    try:
        pwd.getpwnam(user)
    except KeyError:
        argv = ["useradd", "--system", "--user-group", "--no-create-home"]
        argv += ["--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", user]
        _run(argv, "create the cluster's OS user")
    return user


def _as_cluster_user(settings: Settings, argv: Sequence[str]) -> list[str]:
    if running_as_root():
        return ["runuser", "-u", cluster_os_user(settings), "--", *argv]
    return list(argv)


def _run(argv: Sequence[str], what: str, cwd: Path | None = None) -> str:
    done = subprocess.run(list(argv), capture_output=True, text=True, cwd=cwd)
    if done.returncode != 0:
        raise ClusterError(
            f"could not {what}: `{' '.join(argv)}` exited {done.returncode}\n"
            f"{done.stdout[-2000:]}{done.stderr[-4000:]}"
        )
    return done.stdout


def _prepare_dirs(settings: Settings) -> list[Path]:
    """Create data_dir and pg_dir/{socket,log} owned by the cluster user; return dirs opened up.

    The cluster user must traverse every parent of pg_dir: a parent without o+x (and not owned by
    that user) gets o+x, and is returned so the caller can say so.
    """
    pg_dir = settings.pg_dir
    for d in (settings.data_dir, pg_dir, pg_dir / "socket", pg_dir / "log"):
        d.mkdir(parents=True, exist_ok=True)
    opened: list[Path] = []
    if not running_as_root():
        return opened
    info = pwd.getpwnam(cluster_os_user(settings))
    for d in (settings.data_dir, pg_dir, pg_dir / "socket", pg_dir / "log"):
        if d.stat().st_uid != info.pw_uid:
            os.chown(d, info.pw_uid, info.pw_gid)
    for parent in settings.data_dir.resolve().parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH and parent.stat().st_uid != info.pw_uid:
            parent.chmod(mode | stat.S_IXOTH)
            opened.append(parent)
    return opened


# ---------------------------------------------------------------- configuration


def _render(template: str, **values: object) -> str:
    text = (TEMPLATE_DIR / template).read_text()
    return Template(text).substitute({k: str(v) for k, v in values.items()})


def citus_installed() -> bool:
    return (PG_BIN.parent / "lib" / "citus.so").exists() and Path(
        "/usr/share/postgresql/15/extension/citus.control"
    ).exists()


def render_postgresql_conf(settings: Settings, profile: str) -> str:
    extra = []
    if citus_installed():
        extra += ["shared_preload_libraries = 'citus'", "citus.enable_statistics_collection = off"]
    return _render(
        "postgresql.conf.tmpl",
        profile=profile,
        port=settings.pg_port,
        socket_dir=socket_dir(settings),
        extra="\n".join(extra),
        **PROFILES[profile],
    )


def render_hba(settings: Settings) -> tuple[str, str]:
    superuser = superuser_name(settings)
    ident = [f"blocktrust_admin  {cluster_os_user(settings)}  {superuser}"]
    if running_as_root():
        ident.append(f"blocktrust_admin  root  {superuser}")
    hba = _render("pg_hba.conf.tmpl", superuser=superuser)
    if is_citus_node(settings):
        hba += CITUS_NODE_HBA
        ident += citus_node_ident(settings)
    return hba, _render("pg_ident.conf.tmpl", lines="\n".join(ident))


# ---------------------------------------------------------------- Citus hook (blocktrust.db.citus)
# The nodes of a local Citus cluster (coordinator and workers, see blocktrust.db.citus) connect
# to each other over their Unix sockets as the warehouse roles. Peer authentication maps the OS
# user that runs the postmasters (and owns every data dir) to those roles; nobody else can use
# the map. A node is marked by the file <pg_dir>/citus-node; unmarked clusters are unchanged.
CITUS_NODE_MARKER = "citus-node"
CITUS_NODE_HBA = "local   all       all                           peer map=blocktrust_nodes\n"


def is_citus_node(settings: Settings) -> bool:
    return (settings.pg_dir / CITUS_NODE_MARKER).exists()


def citus_node_ident(settings: Settings) -> list[str]:
    os_user = cluster_os_user(settings)
    return [f"blocktrust_nodes  {os_user}  {settings.role_name(role)}" for role in ROLES]


def _write_as_cluster_user(settings: Settings, path: Path, text: str, mode: int = 0o600) -> None:
    path.write_text(text)
    path.chmod(mode)
    if running_as_root():
        info = pwd.getpwnam(cluster_os_user(settings))
        os.chown(path, info.pw_uid, info.pw_gid)


def _read_profile(settings: Settings) -> str:
    try:
        profile = profile_path(settings).read_text().strip()
    except FileNotFoundError:
        return "analytics"
    return profile if profile in PROFILES else "analytics"


def write_config(settings: Settings) -> None:
    """(Re)write blocktrust.conf, pg_hba.conf and pg_ident.conf from the templates."""
    data = data_path(settings)
    _write_as_cluster_user(
        settings,
        data / "blocktrust.conf",
        render_postgresql_conf(settings, _read_profile(settings)),
    )
    hba, ident = render_hba(settings)
    _write_as_cluster_user(settings, data / "pg_hba.conf", hba)
    _write_as_cluster_user(settings, data / "pg_ident.conf", ident)


# ---------------------------------------------------------------- lifecycle


def init(settings: Settings, profile: str = "analytics") -> bool:
    """initdb under <pg_dir>/data (no-op if it exists); True if it ran."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {sorted(PROFILES)}")
    if is_initialized(settings):
        return False
    ensure_os_user(settings)
    opened = _prepare_dirs(settings)
    for parent in opened:
        print(f"note: added o+x to {parent} so {cluster_os_user(settings)} can reach the cluster")
    data = data_path(settings)
    if data.exists() and any(data.iterdir()):
        raise ClusterError(f"{data} is not empty but has no PG_VERSION; remove it or `db reset`")
    argv = [str(PG_BIN / "initdb"), "-D", str(data), "-U", superuser_name(settings)]
    argv += ["-E", "UTF8", "--no-locale", "--auth-local=peer", "--auth-host=scram-sha-256"]
    if profile == "test":
        argv.append("--no-sync")
    _run(_as_cluster_user(settings, argv), "initialise the cluster", cwd=settings.pg_dir)
    with (data / "postgresql.conf").open("a") as conf:
        conf.write("\n# Blocktrust settings (blocktrust/db/postgresql.conf.tmpl)\n")
        conf.write("include 'blocktrust.conf'\n")
    profile_path(settings).write_text(profile + "\n")
    write_config(settings)
    return True


def postmaster_pid(settings: Settings) -> int | None:
    """PID of a live postmaster of this data dir, from postmaster.pid."""
    try:
        first = (data_path(settings) / "postmaster.pid").read_text().splitlines()[0]
        pid = int(first)
    except (FileNotFoundError, IndexError, ValueError):
        return None
    return pid if services.start_ticks(pid) is not None else None


def is_running(settings: Settings) -> bool:
    if not is_initialized(settings):
        return False
    argv = [str(PG_BIN / "pg_ctl"), "status", "-D", str(data_path(settings))]
    done = subprocess.run(
        _as_cluster_user(settings, argv), capture_output=True, text=True, cwd=settings.pg_dir
    )
    return done.returncode == 0


def _register(settings: Settings) -> None:
    pid = postmaster_pid(settings)
    if pid is None:
        return
    existing = services.read_record(settings.run_dir, SERVICE_NAME)
    if existing is not None and existing.pid == pid and services.is_running(existing):
        return
    # SIGINT is PostgreSQL's "fast" shutdown (roll back sessions, checkpoint, exit). Only the
    # postmaster is signalled: it shuts its backends down itself. Stopped after its clients.
    services.register(
        settings.run_dir,
        SERVICE_NAME,
        pid,
        group=False,
        stop_signal=int(signal.SIGINT),
        stop_order=100,
        argv=(str(PG_BIN / "postgres"), "-D", str(data_path(settings))),
        log=str(log_path(settings)),
    )


def start(settings: Settings) -> bool:
    """Start the cluster (pg_ctl -w) if it is stopped and register it; True if it started."""
    if not is_initialized(settings):
        raise ClusterError(f"no cluster in {data_path(settings)}; run `blocktrust db up`")
    if is_running(settings):
        _register(settings)
        return False
    _prepare_dirs(settings)
    write_config(settings)
    argv = [str(PG_BIN / "pg_ctl"), "start", "-D", str(data_path(settings))]
    argv += ["-l", str(log_path(settings)), "-w", "-t", str(START_TIMEOUT_S)]
    try:
        _run(_as_cluster_user(settings, argv), "start PostgreSQL", cwd=settings.pg_dir)
    except ClusterError as exc:
        tail = _log_tail(settings)
        raise ClusterError(f"{exc}\nlast lines of {log_path(settings)}:\n{tail}") from None
    _register(settings)
    return True


def _log_tail(settings: Settings, lines: int = 15) -> str:
    try:
        return "\n".join(log_path(settings).read_text().splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def stop(settings: Settings) -> bool:
    """Fast shutdown (pg_ctl stop -m fast); True if it was running."""
    was_running = is_running(settings)
    if was_running:
        argv = [str(PG_BIN / "pg_ctl"), "stop", "-D", str(data_path(settings))]
        argv += ["-m", "fast", "-w", "-t", str(STOP_TIMEOUT_S)]
        try:
            _run(_as_cluster_user(settings, argv), "stop PostgreSQL", cwd=settings.pg_dir)
        except ClusterError:
            services.stop(settings.run_dir, SERVICE_NAME, STOP_TIMEOUT_S)
    services.pid_file(settings.run_dir, SERVICE_NAME).unlink(missing_ok=True)
    return was_running


def status(settings: Settings) -> ClusterStatus:
    running = is_running(settings)
    size = None
    if running:
        try:
            from blocktrust.db.schema import database_size

            found = database_size(settings, settings.pg_database)
            size = found[1] if found else None
        except psycopg.Error:
            size = None
    return ClusterStatus(
        initialized=is_initialized(settings),
        running=running,
        pid=postmaster_pid(settings) if running else None,
        port=settings.pg_port,
        data_dir=data_path(settings),
        database=settings.pg_database,
        database_size=size,
        profile=_read_profile(settings) if is_initialized(settings) else None,
    )


def reset(settings: Settings, profile: str | None = None) -> None:
    """Stop the cluster, delete its data directory and initialise it again (empty, stopped)."""
    with cluster_lock(settings):
        keep = profile or _read_profile(settings)
        stop(settings)
        if data_path(settings).exists():
            shutil.rmtree(data_path(settings))
        init(settings, keep)


# ---------------------------------------------------------------- roles and databases


def ensure_secrets(settings: Settings) -> dict[str, str]:
    """Passwords of the warehouse roles and of Airflow's role, generated once (secrets.json)."""
    import json
    import secrets as token

    values = load_secrets(settings.secrets_path, create=True)
    missing = [k for k in (*ROLES, AIRFLOW_SECRET) if not values.get(k)]
    if missing:
        values = {**values, **{k: token.token_urlsafe(24) for k in missing}}
        tmp = settings.secrets_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(values, indent=2))
        tmp.chmod(0o600)
        tmp.replace(settings.secrets_path)
    return values


def ensure_login_role(conn: psycopg.Connection, role: str, password: str) -> bool:
    """Create the role or reset its password to the one in secrets.json; True if created."""
    row = conn.execute(load_sql("role_exists.sql"), {"name": role}).fetchone()
    exists = bool(row and row[0])
    statement = "set_role_password.sql" if exists else "create_login_role.sql"
    conn.execute(composed(statement, role=sql.Identifier(role), password=sql.Literal(password)))
    return not exists


def ensure_roles(settings: Settings, secrets: dict[str, str]) -> tuple[str, ...]:
    wanted = [(settings.role_name(r), secrets[r]) for r in ROLES]
    wanted.append((AIRFLOW_ROLE, secrets[AIRFLOW_SECRET]))
    with admin_connect(settings) as conn:
        created = [name for name, pw in wanted if ensure_login_role(conn, name, pw)]
    return tuple(created)


def _wait_ready(settings: Settings, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with admin_connect(settings):
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() >= deadline:
                msg = f"PostgreSQL on port {settings.pg_port} not ready: {exc}"
                raise ClusterError(msg) from None
            time.sleep(0.2)


def ensure_up(settings: Settings, profile: str | None = None) -> UpReport:
    """Idempotent: install, init, start, roles, databases, schema. Safe to run concurrently.

    ``profile`` ("analytics" or "test") applies when the cluster is created; afterwards the
    cluster keeps the profile it was created with.
    """
    from blocktrust.db.schema import create_database

    began = time.monotonic()
    installed = ensure_installed()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with cluster_lock(settings):
        secrets = ensure_secrets(settings)
        initialized = init(settings, profile or "analytics")
        started = start(settings)
        _wait_ready(settings)
        roles = ensure_roles(settings, secrets)
        databases = []
        if create_database(settings, settings.pg_database, with_schema=True):
            databases.append(settings.pg_database)
        if create_database(
            settings, AIRFLOW_DATABASE, owner_role=AIRFLOW_ROLE, with_schema=False, private=True
        ):
            databases.append(AIRFLOW_DATABASE)
    return UpReport(
        installed=installed,
        initialized=initialized,
        started=started,
        created_roles=roles,
        created_databases=tuple(databases),
        seconds=round(time.monotonic() - began, 2),
    )
