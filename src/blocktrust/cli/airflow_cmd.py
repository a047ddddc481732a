"""`blocktrust airflow`: the Airflow server of the embedded setup, and its environment."""

from __future__ import annotations

import shlex

import click

from blocktrust.settings import get_settings


@click.group(name="airflow")
def airflow() -> None:
    """Run Airflow (standalone) against the project's PostgreSQL, with connections from settings."""


@airflow.command()
def up() -> None:
    """Start `airflow standalone` (idempotent) and print the URL and login."""
    from blocktrust import airflow_runtime
    from blocktrust.db import cluster

    settings = get_settings()
    cluster.ensure_up(settings)
    info = airflow_runtime.up(settings)
    click.echo(f"Airflow UI: {info.url}  (login {info.user} / {info.password})")


@airflow.command()
def down() -> None:
    """Stop Airflow (its whole process group)."""
    from blocktrust import airflow_runtime

    airflow_runtime.down(get_settings())


@airflow.command()
def env() -> None:
    """Print the environment as shell exports: `eval "$(blocktrust airflow env)"`."""
    from blocktrust import airflow_runtime

    for key, value in sorted(airflow_runtime.airflow_env(get_settings()).items()):
        if key.startswith(("AIRFLOW", "BLOCKTRUST_")):
            click.echo(f"export {key}={shlex.quote(value)}")


@airflow.command()
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), required=True)
def backfill(date_from, date_to) -> None:
    """Run bitcoin_ingest for every day in a range through the running scheduler and wait."""
    from blocktrust import airflow_runtime

    runs = airflow_runtime.backfill(
        get_settings(),
        date_from.date(),
        date_to.date(),
        on_progress=lambda done, wanted: click.echo(f"{done}/{wanted} day runs finished"),
    )
    failed = [r for r in runs if r.get("state") != "success"]
    for run in runs:
        click.echo(f"{str(run.get('logical_date'))[:10]}  {run.get('state')}")
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(runs)} day runs failed")
