"""A local Citus 13 cluster: the project's PostgreSQL cluster as coordinator, plus N workers.

    <data_dir>/pg                      coordinator (blocktrust.db.cluster, port settings.pg_port)
    <data_dir>/citus/nodes.json        the workers' names and ports (written by ``ensure_up``)
    <data_dir>/citus/worker-<i>/pg     worker i: data, socket, log (port first_worker_port+i-1)

Every node is a :mod:`blocktrust.db.cluster` cluster (same OS user, roles and passwords), marked
as a Citus node so that its pg_hba.conf lets the nodes connect to each other over their Unix
sockets by peer authentication; nothing but the coordinator's clients uses TCP. The node names
in ``pg_dist_node`` are those socket directories. ``<pg_dir>/data/citus.conf`` (included after
blocktrust.conf) holds the Citus settings. Workers are registered in the services PID registry
of ``settings.run_dir`` (``postgresql-citus-worker-<i>``), so ``blocktrust down`` stops them.

A warehouse database is made distributed by ``ensure_database``: the same database on every
worker, ``create extension citus`` everywhere, the workers added to the coordinator's metadata,
then ``sql/citus/*.sql`` (distribution of the raw tables). Citus itself is not on PyPI or in
Debian: docs/scale-out.md says how to get it.
"""

from __future__ import annotations

import dataclasses
import json
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

import psycopg
from psycopg.rows import dict_row

from blocktrust import services
from blocktrust.db import cluster
from blocktrust.db.admin import PACKAGE_SQL_DIR, admin_connect, cluster_lock, socket_dir
from blocktrust.db.schema import SUPERUSER, apply_sql_dir, create_database
from blocktrust.ingest.sqlfiles import sql_text
from blocktrust.settings import Settings

CITUS_SQL_DIR = PACKAGE_SQL_DIR / "citus"
ADMIN_SQL = "citus/admin"
CONF_TEMPLATE = Path(__file__).with_name("citus.conf.tmpl")
CONF_NAME = "citus.conf"
CONF_INCLUDE = f"include_if_exists '{CONF_NAME}'"
DOCS = "docs/scale-out.md"
DEFAULT_WORKERS = 2
# Shards per distributed table on the local cluster: about two per worker core.
DEFAULT_SHARD_COUNT = 8


class CitusError(cluster.ClusterError):
    """The Citus cluster could not be set up, or a database could not be distributed."""


@dataclass(frozen=True)
class Worker:
    name: str  # worker-<i>
    port: int


@dataclass(frozen=True)
class NodeState:
    name: str  # coordinator | worker-<i>
    port: int
    running: bool
    pid: int | None
    data_dir: Path
    node_name: str  # how the other nodes reach it: its socket directory


@dataclass(frozen=True)
class CitusStatus:
    nodes: tuple[NodeState, ...]
    database: str
    extension: bool  # citus is created in the warehouse database
    registered: tuple[dict[str, Any], ...]  # pg_dist_node rows
    placement: tuple[dict[str, Any], ...]  # shards and bytes per node
    tables: tuple[dict[str, Any], ...]  # citus_tables rows


@dataclass(frozen=True)
class CitusUpReport:
    coordinator: cluster.UpReport
    initialized: tuple[str, ...]  # nodes initdb ran for
    started_workers: tuple[str, ...]
    restarted: tuple[str, ...]  # nodes restarted to load citus / logical WAL
    added_nodes: tuple[str, ...]
    distributed: tuple[str, ...]  # sql/citus files applied
    seconds: float


# ---------------------------------------------------------------- layout


def citus_dir(settings: Settings) -> Path:
    return settings.data_dir / "citus"


def layout_path(settings: Settings) -> Path:
    return citus_dir(settings) / "nodes.json"


def plan_workers(
    settings: Settings, count: int, first_port: int | None = None
) -> tuple[Worker, ...]:
    """Worker i listens on first_port + i - 1 (default: the coordinator's port + i)."""
    if count < 1:
        raise ValueError(f"a Citus cluster needs at least one worker, got {count}")
    base = first_port if first_port is not None else settings.pg_port + 1
    return tuple(Worker(f"worker-{i}", base + i - 1) for i in range(1, count + 1))


def read_layout(settings: Settings) -> tuple[Worker, ...]:
    """The workers of this data dir's Citus cluster; () when there is none."""
    try:
        data = json.loads(layout_path(settings).read_text())
    except FileNotFoundError:
        return ()
    return tuple(Worker(w["name"], int(w["port"])) for w in data["workers"])


def _write_layout(settings: Settings, workers: tuple[Worker, ...]) -> None:
    path = layout_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"workers": [dataclasses.asdict(w) for w in workers]}
    path.write_text(json.dumps(payload, indent=2) + "\n")


def worker_settings(settings: Settings, worker: Worker) -> Settings:
    """The worker as a cluster of its own (its pg_dir is <data_dir>/citus/<name>/pg)."""
    return dataclasses.replace(
        settings, data_dir=citus_dir(settings) / worker.name, pg_port=worker.port
    )


def node_name(settings: Settings) -> str:
    """How the other nodes reach this node: its Unix socket directory."""
    return str(socket_dir(settings))


def worker_service(worker: Worker) -> str:
    return f"postgresql-citus-{worker.name}"


# ---------------------------------------------------------------- checks


def require_citus() -> None:
    if not cluster.citus_installed():
        raise CitusError(
            "citus is not installed: see docs/scale-out.md (Citus 13.0 for PostgreSQL 15; "
            f"expected {cluster.PG_BIN.parent / 'lib' / 'citus.so'} and citus.control)"
        )


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _check_free_ports(settings: Settings, workers: tuple[Worker, ...]) -> None:
    for worker in workers:
        if cluster.is_running(worker_settings(settings, worker)):
            continue
        if port_in_use(worker.port):
            raise CitusError(
                f"port {worker.port} for Citus {worker.name} is taken by another server; "
                "choose other worker ports (`blocktrust db up --citus --first-worker-port N`)"
            )


# ---------------------------------------------------------------- node configuration


def render_citus_conf(settings: Settings, node: str, shard_count: int) -> str:
    return Template(CONF_TEMPLATE.read_text()).substitute(
        node=node, socket_dir=node_name(settings), shard_count=shard_count
    )


def _configure_node(settings: Settings, node: str, shard_count: int) -> None:
    """Mark the node, write citus.conf and include it from postgresql.conf (idempotent)."""
    settings.pg_dir.mkdir(parents=True, exist_ok=True)
    (settings.pg_dir / cluster.CITUS_NODE_MARKER).write_text(node + "\n")
    data = cluster.data_path(settings)
    if not cluster.is_initialized(settings):
        return
    conf = data / "postgresql.conf"
    text = conf.read_text()
    if CONF_INCLUDE not in text:
        conf.write_text(
            text.rstrip("\n") + f"\n# Citus node settings (blocktrust.db.citus)\n{CONF_INCLUDE}\n"
        )
    cluster._write_as_cluster_user(
        settings, data / CONF_NAME, render_citus_conf(settings, node, shard_count)
    )
    cluster.write_config(settings)


def _needs_restart(settings: Settings) -> bool:
    with admin_connect(settings) as conn:
        row = conn.execute(sql_text(ADMIN_SQL, "server_settings")).fetchone()
    preload, wal_level = (str(row[0]), str(row[1])) if row else ("", "")
    return "citus" not in preload or wal_level != "logical"


def _start_configured(settings: Settings, node: str, shard_count: int) -> tuple[bool, bool]:
    """Start a node with its Citus configuration; (started, restarted)."""
    _configure_node(settings, node, shard_count)
    if cluster.is_running(settings):
        _reload(settings)
        cluster._wait_ready(settings)
        if _needs_restart(settings):
            cluster.stop(settings)
            cluster.start(settings)
            cluster._wait_ready(settings)
            return False, True
        return False, False
    started = cluster.start(settings)
    cluster._wait_ready(settings)
    return started, False


def _reload(settings: Settings) -> None:
    argv = [str(cluster.PG_BIN / "pg_ctl"), "reload", "-D", str(cluster.data_path(settings))]
    cluster._run(cluster._as_cluster_user(settings, argv), "reload PostgreSQL", settings.pg_dir)


def _register_worker(settings: Settings, worker: Worker) -> None:
    """Put the worker's postmaster in the main PID registry: `blocktrust down` stops it."""
    ws = worker_settings(settings, worker)
    pid = cluster.postmaster_pid(ws)
    if pid is None:
        return
    services.register(
        settings.run_dir,
        worker_service(worker),
        pid,
        group=False,
        stop_signal=int(signal.SIGINT),  # PostgreSQL's fast shutdown, like the coordinator
        stop_order=100,
        argv=(str(cluster.PG_BIN / "postgres"), "-D", str(cluster.data_path(ws))),
        log=str(cluster.log_path(ws)),
    )


# ---------------------------------------------------------------- lifecycle


def ensure_up(
    settings: Settings,
    workers: int = DEFAULT_WORKERS,
    first_worker_port: int | None = None,
    profile: str | None = None,
    shard_count: int = DEFAULT_SHARD_COUNT,
) -> CitusUpReport:
    """Idempotent: coordinator + ``workers`` workers up, the warehouse database distributed.

    An existing layout keeps its ports; asking for more workers adds them (fewer is refused:
    draining a worker is a rebalancing step, see docs/scale-out.md).
    """
    require_citus()
    began = time.monotonic()
    existing = read_layout(settings)
    if existing and workers < len(existing):
        raise CitusError(
            f"the Citus cluster in {citus_dir(settings)} has {len(existing)} workers; removing "
            f"workers needs their shards drained first (see {DOCS})"
        )
    planned = plan_workers(settings, workers, first_worker_port)
    layout = existing + tuple(
        w for w in planned[len(existing) :] if w.name not in {e.name for e in existing}
    )
    _check_free_ports(settings, layout)
    restarted: list[str] = []
    started: list[str] = []
    initialized: list[str] = []
    with cluster_lock(settings):
        _write_layout(settings, layout)
        # Configured before its first start, so a new coordinator starts once, as a Citus node.
        if cluster.init(settings, profile or "analytics"):
            initialized.append("coordinator")
        _configure_node(settings, "coordinator", shard_count)
        secrets = cluster.ensure_secrets(settings)
        # Workers first: a coordinator that already knows them propagates its bootstrap DDL
        # (roles, grants) to them, which fails while a worker is down (e.g. after a reboot).
        for worker in layout:
            ws = worker_settings(settings, worker)
            if cluster.init(ws, profile or cluster._read_profile(settings)):
                initialized.append(worker.name)
            was_started, was_restarted = _start_configured(ws, worker.name, shard_count)
            if was_started:
                started.append(worker.name)
            if was_restarted:
                restarted.append(worker.name)
            _register_worker(settings, worker)
            cluster.ensure_roles(ws, secrets)
        report = cluster.ensure_up(settings, profile=profile)
        _, coordinator_restarted = _start_configured(settings, "coordinator", shard_count)
        if coordinator_restarted:
            restarted.append("coordinator")
        added, applied = ensure_database(settings, settings.pg_database)
    return CitusUpReport(
        coordinator=report,
        initialized=tuple(initialized),
        started_workers=tuple(started),
        restarted=tuple(restarted),
        added_nodes=added,
        distributed=applied,
        seconds=round(time.monotonic() - began, 2),
    )


def ensure_database(settings: Settings, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Make warehouse database ``name`` (already on the coordinator) a Citus database.

    Creates it on every worker, creates the extension everywhere, registers the coordinator and
    the workers, then applies sql/citus/. Returns (nodes added, sql files applied).
    """
    require_citus()
    layout = read_layout(settings)
    if not layout:
        raise CitusError(
            f"no Citus cluster in {citus_dir(settings)}; run `blocktrust db up --citus`"
        )
    for worker in layout:
        ws = worker_settings(settings, worker)
        create_database(ws, name, with_schema=False)
        with admin_connect(ws, name) as conn:
            conn.execute(sql_text(ADMIN_SQL, "create_extension"))
    added: list[str] = []
    with admin_connect(settings, name) as conn:
        conn.execute(sql_text(ADMIN_SQL, "create_extension"))
        registered = {
            (str(r[0]), int(r[1])) for r in conn.execute(sql_text(ADMIN_SQL, "registered_nodes"))
        }
        me = (node_name(settings), settings.pg_port)
        if me not in registered:
            conn.execute(
                sql_text(ADMIN_SQL, "set_coordinator_host"), {"name": me[0], "port": me[1]}
            )
        for worker in layout:
            ws = worker_settings(settings, worker)
            key = (node_name(ws), ws.pg_port)
            if key not in registered:
                conn.execute(sql_text(ADMIN_SQL, "add_node"), {"name": key[0], "port": key[1]})
                added.append(worker.name)
    applied = apply_sql_dir(
        dataclasses.replace(settings, pg_database=name), CITUS_SQL_DIR, SUPERUSER
    )
    return tuple(added), tuple(applied)


def stop(settings: Settings) -> list[str]:
    """Stop the workers (the coordinator is blocktrust.db.cluster's); names of those stopped."""
    stopped = []
    for worker in read_layout(settings):
        ws = worker_settings(settings, worker)
        if cluster.stop(ws):
            stopped.append(worker.name)
        services.pid_file(settings.run_dir, worker_service(worker)).unlink(missing_ok=True)
    return stopped


def _node_state(name: str, settings: Settings) -> NodeState:
    running = cluster.is_running(settings)
    return NodeState(
        name=name,
        port=settings.pg_port,
        running=running,
        pid=cluster.postmaster_pid(settings) if running else None,
        data_dir=cluster.data_path(settings),
        node_name=node_name(settings),
    )


def _rows(conn: psycopg.Connection, name: str) -> tuple[dict[str, Any], ...]:
    with conn.cursor(row_factory=dict_row) as cur:
        return tuple(cur.execute(sql_text(ADMIN_SQL, name)).fetchall())


def status(settings: Settings) -> CitusStatus:
    """Every node's process state and, when the coordinator runs, its metadata and shards."""
    nodes = [_node_state("coordinator", settings)]
    nodes += [_node_state(w.name, worker_settings(settings, w)) for w in read_layout(settings)]
    extension, registered, placement, tables = False, (), (), ()
    if nodes[0].running:
        try:
            with admin_connect(settings, settings.pg_database) as conn:
                row = conn.execute(sql_text(ADMIN_SQL, "extension_exists")).fetchone()
                extension = bool(row and row[0])
                if extension:
                    registered = _rows(conn, "registered_nodes")
                    placement = _rows(conn, "shard_placement")
                    tables = _rows(conn, "distributed_tables")
        except psycopg.Error:
            pass  # status must answer even when the database is missing or a worker is down
    return CitusStatus(
        nodes=tuple(nodes),
        database=settings.pg_database,
        extension=extension,
        registered=registered,
        placement=placement,
        tables=tables,
    )
