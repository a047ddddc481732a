"""`blocktrust gate`: the Great Expectations quality gate by hand (the DAG runs the same code)."""

from __future__ import annotations

from datetime import date, timedelta

import click


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.group()
def gate() -> None:
    """Validate raw days, prices and marts with GX; quarantine bad days; build Data Docs."""


@gate.command("run")
@click.option("--date", "day", callback=_day, help="Validate one UTC day (YYYY-MM-DD).")
@click.option("--from", "first", callback=_day, help="First day of a range (inclusive).")
@click.option("--to", "last", callback=_day, help="Last day of a range (inclusive).")
@click.option("--prices", is_flag=True, help="Validate the daily price series too.")
@click.option("--marts", is_flag=True, help="Reconcile the marts with raw too.")
@click.option("--no-quarantine", is_flag=True, help="Report failures without quarantining the day.")
def run(
    day: date | None,
    first: date | None,
    last: date | None,
    prices: bool,
    marts: bool,
    no_quarantine: bool,
) -> None:
    """Run the gate; print one summary per run; exit status 1 when any check failed."""
    from blocktrust.gx.gate import validate_day, validate_marts, validate_prices
    from blocktrust.settings import get_settings

    if day and (first or last):
        raise click.UsageError("use --date or --from/--to, not both")
    if bool(first) != bool(last):
        raise click.UsageError("--from and --to go together")
    days = [day] if day else []
    if first and last:
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    if not days and not prices and not marts:
        raise click.UsageError("nothing to validate: give --date, --from/--to, --prices or --marts")
    settings = get_settings()
    results = [validate_day(settings, d, quarantine_on_failure=not no_quarantine) for d in days]
    if prices:
        results.append(validate_prices(settings))
    if marts:
        results.append(validate_marts(settings))
    for result in results:
        click.echo(result.summary())
    if not all(r.passed for r in results):
        raise SystemExit(1)


@gate.command("docs")
def docs() -> None:
    """Render Data Docs for every stored result into <data_dir>/gx-docs; print the index path."""
    from blocktrust.gx.project import build_docs
    from blocktrust.settings import get_settings

    click.echo(build_docs(get_settings()))


@gate.command("suites")
def suites() -> None:
    """(Re)write data sources, suites, validation definitions and checkpoints from code."""
    from blocktrust.gx.project import project_dir, write_project
    from blocktrust.settings import get_settings

    settings = get_settings()
    for name in write_project(settings):
        click.echo(f"suite {name}")
    click.echo(f"written to {project_dir(settings) / 'gx'}")


@gate.command("quarantine")
def quarantine_list() -> None:
    """List the days in quarantine now, with their reasons."""
    from blocktrust.gx.quarantine import open_quarantines
    from blocktrust.settings import get_settings

    rows = open_quarantines(get_settings())
    if not rows:
        click.echo("no day is in quarantine")
    for row in rows:
        first_line = row.reason.splitlines()[0] if row.reason else ""
        click.echo(f"{row.block_date}  since {row.quarantined_at:%Y-%m-%d %H:%M}  {first_line}")
