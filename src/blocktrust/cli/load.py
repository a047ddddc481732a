"""`blocktrust load`: load lake day-partitions into the raw tables (the DAG's code, by hand)."""

from __future__ import annotations

from datetime import date

import click


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.command()
@click.option("--date", "day", callback=_day, help="Load one UTC day (YYYY-MM-DD).")
@click.option("--from", "first", callback=_day, help="First day of a range (inclusive).")
@click.option("--to", "last", callback=_day, help="Last day of a range (inclusive).")
@click.option("--lake", "lake_url", help="Lake URL (default BLOCKTRUST_LAKE_URL).")
@click.option(
    "--format",
    "lake_format",
    type=click.Choice(["bitcoin-etl", "bigquery", "aws-parquet"]),
    help="Chain file format (default BLOCKTRUST_LAKE_FORMAT).",
)
def load(
    day: date | None,
    first: date | None,
    last: date | None,
    lake_url: str | None,
    lake_format: str | None,
) -> None:
    """Replace each day's rows in raw.blocks/transactions/inputs/outputs with the lake's files.

    Every day is one transaction: a failed day leaves its previous rows. Missing partitions are
    reported at the end (exit status 1); a bad file stops the run with its name and line and is
    copied to <lake>/quarantine/date=D/.
    """
    days = _days(day, first, last)

    from tqdm import tqdm

    from blocktrust.ingest.errors import IngestError, MissingPartitionError
    from blocktrust.ingest.loader import DayLoader
    from blocktrust.settings import get_settings

    settings = get_settings()
    missing: list[MissingPartitionError] = []
    totals = {"transactions": 0, "rows": 0, "seconds": 0.0}
    with tqdm(total=len(days), unit="day", disable=len(days) < 2) as bar:

        def progress(table: str, rows: int) -> None:
            bar.set_postfix_str(f"{table} {rows}", refresh=False)

        # One connection for the range; every day is still its own transaction.
        with DayLoader(settings, lake_url, lake_format) as loader:
            try:
                for d, result in loader.load_many(days, progress):
                    bar.set_description(d.isoformat())
                    bar.update(1)
                    if isinstance(result, MissingPartitionError):
                        missing.append(result)
                        tqdm.write(f"{d.isoformat()}: {result}")
                        continue
                    tqdm.write(result.summary())
                    totals["transactions"] += result.row_counts["transactions"]
                    totals["rows"] += sum(result.row_counts.values())
                    totals["seconds"] += result.duration_s
            except IngestError as err:
                raise click.ClickException(str(err)) from err
    loaded = len(days) - len(missing)
    if loaded and totals["seconds"] > 0:
        click.echo(
            f"loaded {loaded} day(s): {totals['transactions']} transactions, {totals['rows']} rows "
            f"in {totals['seconds']:.1f}s ({totals['transactions'] / totals['seconds']:.0f} tx/s, "
            f"{totals['rows'] / totals['seconds']:.0f} rows/s)"
        )
    if missing:
        listed = ", ".join(e.day.isoformat() for e in missing)
        raise click.ClickException(f"{len(missing)} partition(s) missing: {listed}")


def _days(day: date | None, first: date | None, last: date | None) -> list[date]:
    from blocktrust.ingest.loader import iter_days

    if day is not None and (first or last):
        raise click.UsageError("give --date, or --from and --to, not both")
    if day is not None:
        return [day]
    if first is None or last is None:
        raise click.UsageError("give --date D, or --from A --to B")
    if last < first:
        raise click.UsageError(f"--to {last} is before --from {first}")
    return list(iter_days(first, last))
