"""`blocktrust db`: the local PostgreSQL 15 cluster (up, down, status, psql, reset)."""

from __future__ import annotations

import os
import shutil

import click
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from blocktrust.settings import ROLES, Settings, get_settings


@click.group()
def db() -> None:
    """Manage the project's PostgreSQL 15 cluster under BLOCKTRUST_DATA_DIR/pg.

    The cluster listens on 127.0.0.1:BLOCKTRUST_PG_PORT only. Role passwords are generated into
    BLOCKTRUST_DATA_DIR/secrets.json (git-ignored) on the first `db up`.
    """


@db.command()
@click.option(
    "--profile",
    type=click.Choice(["analytics", "test"]),
    default="analytics",
    show_default=True,
    help="Memory/durability profile, used when the cluster is created.",
)
@click.option(
    "--citus",
    is_flag=True,
    help="Also start Citus workers and distribute the warehouse (see docs/scale-out.md).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="With --citus: number of worker nodes.",
)
@click.option(
    "--first-worker-port",
    type=click.IntRange(min=1, max=65535),
    default=None,
    help="With --citus: port of worker 1 (worker i: +i-1). Default: BLOCKTRUST_PG_PORT + 1.",
)
def up(profile: str, citus: bool, workers: int, first_worker_port: int | None) -> None:
    """Install (if needed), initialise, start and migrate the cluster. Safe to re-run."""
    from blocktrust.db.cluster import ensure_up

    settings = get_settings()
    if citus:
        _citus_up(profile, workers, first_worker_port)
        return
    report = ensure_up(settings, profile=profile)
    steps = [
        "installed server packages" if report.installed else "",
        "initialised cluster" if report.initialized else "",
        "started" if report.started else "already running",
        f"created roles {', '.join(report.created_roles)}" if report.created_roles else "",
        f"created databases {', '.join(report.created_databases)}"
        if report.created_databases
        else "",
    ]
    click.echo(f"PostgreSQL up on 127.0.0.1:{settings.pg_port} ({report.seconds} s): ", nl=False)
    click.echo("; ".join(s for s in steps if s))
    for role in ROLES:
        click.echo(f"  {role:<8} {_without_password(settings.dsn(role))}")
    click.echo(f"  passwords: {settings.secrets_path}")


@db.command()
def down() -> None:
    """Stop the cluster (fast shutdown: open sessions are rolled back)."""
    from blocktrust.db.cluster import stop

    settings = get_settings()
    _citus_down(settings)
    click.echo("PostgreSQL stopped." if stop(settings) else "PostgreSQL was not running.")


@db.command()
def status() -> None:
    """Show whether the cluster runs, its pid, port, data dir and database size."""
    from blocktrust.db.cluster import status as cluster_status

    st = cluster_status(get_settings())
    state = "running" if st.running else ("stopped" if st.initialized else "not initialised")
    click.echo(f"state     {state}")
    click.echo(f"pid       {st.pid or '-'}")
    click.echo(f"port      {st.port}")
    click.echo(f"data dir  {st.data_dir}")
    click.echo(f"profile   {st.profile or '-'}")
    click.echo(f"database  {st.database} ({st.database_size or 'size unknown'})")
    _citus_status(get_settings())
    if not st.running:
        raise SystemExit(3)


@db.command(context_settings={"ignore_unknown_options": True})
@click.option(
    "--role",
    type=click.Choice([*ROLES, "superuser"]),
    default="owner",
    show_default=True,
    help="Connect as blocktrust_<role>; superuser connects over the Unix socket.",
)
@click.argument("psql_args", nargs=-1, type=click.UNPROCESSED)
def psql(role: str, psql_args: tuple[str, ...]) -> None:
    """Open psql on the warehouse database. Extra arguments go to psql (e.g. -c 'select 1').

    The password is passed in PGPASSWORD, never on the command line.
    """
    from blocktrust.db.admin import socket_dir, superuser_name
    from blocktrust.db.cluster import PG_BIN

    settings = get_settings()
    env = dict(os.environ)
    if role == "superuser":
        conninfo = make_conninfo(
            host=str(socket_dir(settings)),
            port=settings.pg_port,
            user=superuser_name(settings),
            dbname=settings.pg_database,
        )
    else:
        params = conninfo_to_dict(settings.dsn(role))
        password = params.pop("password", None)
        if password:
            env["PGPASSWORD"] = str(password)
        conninfo = make_conninfo(**params)
    binary = shutil.which("psql") or str(PG_BIN / "psql")
    os.execvpe(binary, [binary, conninfo, *psql_args], env)


@db.command()
@click.option("--yes", is_flag=True, help="Confirm: every table and row in the cluster is lost.")
def reset(yes: bool) -> None:
    """Stop the cluster, DELETE its data directory, and create it again (empty, then `db up`)."""
    from blocktrust.db.cluster import ensure_up
    from blocktrust.db.cluster import reset as cluster_reset

    settings = get_settings()
    if not yes:
        raise click.UsageError(f"this deletes {settings.pg_dir / 'data'}; add --yes to confirm")
    cluster_reset(settings)
    report = ensure_up(settings)
    click.echo(f"Cluster reset and up again on port {settings.pg_port} ({report.seconds} s).")


def _without_password(dsn: str) -> str:
    params = conninfo_to_dict(dsn)
    params.pop("password", None)
    return make_conninfo(**params)


# ---------------------------------------------------------------- Citus (blocktrust.db.citus)


def _citus_up(profile: str, workers: int, first_worker_port: int | None) -> None:
    from blocktrust.db.citus import ensure_up

    settings = get_settings()
    report = ensure_up(settings, workers, first_worker_port, profile=profile)
    steps = [
        f"initialised {', '.join(report.initialized)}" if report.initialized else "",
        f"started {', '.join(report.started_workers)}" if report.started_workers else "",
        f"restarted {', '.join(report.restarted)}" if report.restarted else "",
        f"added {', '.join(report.added_nodes)}" if report.added_nodes else "",
        f"applied {', '.join(report.distributed)}" if report.distributed else "",
    ]
    click.echo(
        f"Citus up, coordinator 127.0.0.1:{settings.pg_port} ({report.seconds} s): ", nl=False
    )
    click.echo("; ".join(s for s in steps if s) or "already running")
    _citus_status(settings)
    for role in ROLES:
        click.echo(f"  {role:<8} {_without_password(settings.dsn(role))}")


def _citus_down(settings: Settings) -> None:
    from blocktrust.db.citus import read_layout, stop

    if read_layout(settings):
        stopped = stop(settings)
        click.echo(f"Citus workers stopped: {', '.join(stopped) or 'none were running'}.")


def _citus_status(settings: Settings) -> None:
    from blocktrust.db.citus import read_layout, status

    if not read_layout(settings):
        return
    st = status(settings)
    click.echo("citus nodes:")
    for node in st.nodes:
        state = f"running pid {node.pid}" if node.running else "stopped"
        click.echo(f"  {node.name:<12} port {node.port}  {state:<18} {node.data_dir}")
    if not st.extension:
        click.echo(f"  (citus is not created in database {st.database})")
        return
    for row in st.registered:
        active = "active" if row["isactive"] else "inactive"
        click.echo(
            f"  metadata: group {row['groupid']} {row['nodename']}:{row['nodeport']} {active}"
        )
    for row in st.placement:
        click.echo(
            f"  shards on :{row['nodeport']}: {row['shard_count']} ({row['shard_bytes']} bytes)"
        )
