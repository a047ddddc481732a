"""`blocktrust down`: stop every service the CLI started, by PID file, the database last."""

from __future__ import annotations

import click

from blocktrust.services import DEFAULT_STOP_TIMEOUT_S, stop_all
from blocktrust.settings import get_settings


@click.command()
@click.option(
    "--timeout",
    type=float,
    default=DEFAULT_STOP_TIMEOUT_S,
    show_default=True,
    help="Seconds to wait after the stop signal before SIGKILL.",
)
def down(timeout: float) -> None:
    """Stop every service with a PID file under BLOCKTRUST_DATA_DIR/run.

    That is PostgreSQL and whatever else the CLI started (Airflow, Superset, moto_server).
    Each gets its stop signal (its whole process group where it has one), then SIGKILL after
    --timeout. Processes are found by PID file only, never by name.
    """
    settings = get_settings()
    outcomes = stop_all(settings.run_dir, timeout=timeout)
    if not outcomes:
        click.echo(f"Nothing to stop (no PID files in {settings.run_dir}).")
    for o in outcomes:
        note = {"stale": "was not running (PID file removed)"}.get(o.outcome, o.outcome)
        click.echo(f"{o.name:<20} pid {o.pid:<8} {note}")
    if any(o.outcome == "failed" for o in outcomes):
        raise SystemExit(1)
