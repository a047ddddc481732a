"""`blocktrust transform`: run the dbt project (build the marts) in this process."""

from __future__ import annotations

from datetime import datetime

import click

from blocktrust.settings import get_settings


@click.command()
@click.option("--full-refresh", is_flag=True, help="Rebuild every incremental model from raw.")
@click.option(
    "--window-start",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Redo every block dated on or after this UTC day (default: the newest day already built).",
)
@click.option("--select", "-s", "select", default=None, help="dbt node selection.")
@click.option(
    "--command",
    "command",
    default="build",
    show_default=True,
    type=click.Choice(["build", "run", "test"]),
    help="dbt command.",
)
def transform(
    full_refresh: bool, window_start: datetime | None, select: str | None, command: str
) -> None:
    """Run `dbt build` (models, unit tests, data tests) against the warehouse."""
    from blocktrust.warehouse.dbt import DbtError, run_dbt, window_vars

    args = [command]
    if full_refresh and command != "test":
        args.append("--full-refresh")
    if select:
        args += ["--select", select]
    args += window_vars(window_start.date().isoformat() if window_start else None)
    try:
        run_dbt(get_settings(), args)
    except DbtError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"dbt {' '.join(args)}: ok")
