"""`blocktrust demo`: the whole spine on the embedded default, safe and quick to re-run.

PostgreSQL up -> demo chain generated into the lake (once) -> real BTC/USD prices into the lake
(once) -> Airflow standalone up -> prices_ingest run -> one bitcoin_ingest run per generated day
(a backfill through the scheduler) -> Superset up when its environment exists -> URLs, logins and
the donation address's answer printed.
"""

from __future__ import annotations

import json
from datetime import date

import click

from blocktrust.settings import Settings, get_settings

DEMO_TXS = 20_000
DEMO_FROM = date(2017, 12, 1)
DEMO_TO = date(2017, 12, 3)
DEMO_SEED = 2010


def _step(message: str) -> None:
    click.secho(f"==> {message}", fg="cyan", bold=True)


def _answer_key(settings: Settings) -> dict | None:
    from blocktrust.lake import answer_key_dir, lake_root

    path = answer_key_dir(lake_root(settings.lake_url)) / "answer_key.json"
    return json.loads(path.read_text()) if path.exists() else None


def _ensure_chain(settings: Settings, txs: int, first: date, last: date, seed: int) -> dict:
    key = _answer_key(settings)
    if key is not None:
        click.echo("demo chain already in the lake (delete the lake to regenerate)")
        return key
    from blocktrust.cli.generate import generate

    ctx = click.get_current_context()
    ctx.invoke(
        generate,
        txs=txs,
        seed=seed,
        lake=settings.lake_url,
        date_from=first,
        date_to=last,
    )
    key = _answer_key(settings)
    if key is None:
        raise click.ClickException("the generator wrote no answer key")
    return key


def _ensure_prices(settings: Settings) -> None:
    from blocktrust.lake import lake_root, prices_dir

    folder = prices_dir(lake_root(settings.lake_url))
    if folder.exists() and any(folder.iterdir()):
        click.echo("prices already in the lake")
        return
    from blocktrust.cli.prices import sample

    click.get_current_context().invoke(sample, lake_url=settings.lake_url)


def _days_of(key: dict) -> tuple[date, date]:
    first, last = key["date_range"]
    return date.fromisoformat(first), date.fromisoformat(last)


@click.command()
@click.option("--txs", default=DEMO_TXS, show_default=True, help="Transactions in the demo chain.")
@click.option("--seed", default=DEMO_SEED, show_default=True, help="Generator seed.")
@click.option(
    "--from",
    "date_from",
    type=click.DateTime(["%Y-%m-%d"]),
    default=str(DEMO_FROM),
    show_default=True,
    help="First UTC day of the demo chain.",
)
@click.option(
    "--to",
    "date_to",
    type=click.DateTime(["%Y-%m-%d"]),
    default=str(DEMO_TO),
    show_default=True,
    help="Last UTC day of the demo chain.",
)
@click.option("--no-airflow", is_flag=True, help="Load and transform with the CLI instead.")
@click.option(
    "--break-day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help=(
        "Drill: corrupt one address checksum in this day's lake files before the pipeline runs. "
        "The day loads, its quality_gate task turns red naming the check, the day is "
        "quarantined and the marts keep the other days. Pick the last day: later days wait for "
        "it (their running totals start from it)."
    ),
)
def demo(txs: int, seed: int, date_from, date_to, no_airflow: bool, break_day) -> None:
    """Generate a demo chain, run the pipeline through Airflow, start the UIs, print the answer.

    Every step is skipped when its result is already there, so a re-run is quick.
    """
    from blocktrust.db import cluster

    settings = get_settings()
    _step("PostgreSQL")
    cluster.ensure_up(settings)

    _step("demo chain")
    key = _ensure_chain(settings, txs, date_from.date(), date_to.date(), seed)
    first, last = _days_of(key)

    _step("BTC/USD prices")
    _ensure_prices(settings)

    broken = break_day.date() if break_day else None
    if broken is not None:
        _step(f"drill: breaking {broken} in the lake")
        _break(settings, broken, first, last)
    else:
        _heal(settings)

    if no_airflow:
        from blocktrust.ingest.loader import load_day, load_prices, load_tags
        from blocktrust.warehouse.dbt import run_dbt

        _step("load (CLI)")
        load_prices(settings)
        load_tags(settings)
        from blocktrust.gx.gate import validate_day

        day = first
        while day <= last:
            click.echo(load_day(settings, day).summary())
            click.echo(validate_day(settings, day, render_docs=False).summary())
            day = date.fromordinal(day.toordinal() + 1)
        _step("transform (dbt build; quarantined days are left out)")
        run_dbt(settings, ["build"])
    else:
        from blocktrust import airflow_runtime

        _step("Airflow (standalone)")
        info = airflow_runtime.up(
            settings, extra_env=airflow_runtime.ingest_window_env(first, last)
        )
        _step(f"prices_ingest, then one bitcoin_ingest run per day {first}..{last}")
        airflow_runtime.trigger_and_wait(settings, "prices_ingest")
        # A backfill through the scheduler: one run per day, visible in the UI; days that
        # already succeeded are not run again, so a second demo is quick.
        runs = airflow_runtime.backfill(
            settings, first, last, on_progress=lambda d, n: click.echo(f"  {d}/{n} day runs done")
        )
        if any(airflow_runtime.run_day(r) == broken and r.get("state") == "success" for r in runs):
            # The day ran clean before the drill (a backfill does not redo successes): clear it,
            # as "Clear" in the UI does, and wait for its new run.
            click.echo(f"  {broken} ran before the drill: running it again")
            airflow_runtime.rerun_day(settings, broken)
            runs = [r for r in runs if airflow_runtime.run_day(r) != broken]
            runs += airflow_runtime.wait_for_days(settings, broken, broken)
        failed = [
            r for r in runs if r.get("state") != "success" and airflow_runtime.run_day(r) != broken
        ]
        if broken is not None:
            red = [
                r
                for r in runs
                if airflow_runtime.run_day(r) == broken and r.get("state") == "failed"
            ]
            click.secho(
                f"  {broken}: "
                + ("quality_gate red, as the drill intended" if red else "NOT red: check the run")
                + f"; open {info.url}/dags/bitcoin_ingest and the run of {broken}, "
                "task quality_gate, to read what it found",
                fg="yellow" if red else "red",
            )
        if failed:
            raise click.ClickException(
                f"{len(failed)} day runs failed: "
                + ", ".join(str(r.get("logical_date"))[:10] for r in failed)
                + f"; open {info.url} to see their logs"
            )

    _superset(settings)

    _step("the answer")
    from blocktrust.cli.address import address

    donation = key["donation"]["address"]
    click.get_current_context().invoke(address, addr=donation)
    _check_answer(settings, key)

    click.echo()
    if not no_airflow:
        click.echo(f"Airflow UI : {info.url}  (login {info.user} / {info.password})")
    click.echo(f"PostgreSQL : blocktrust db psql --role analyst   (port {settings.pg_port})")
    click.echo(f"Donation address of the demo chain: {donation}")
    click.echo("Stop everything with: blocktrust down")


def _check_answer(settings: Settings, key: dict) -> None:
    """Say whether the marts agree with the generator's answer key for the donation address."""
    from blocktrust.warehouse.address import address_summary
    from blocktrust.warehouse.answer_check import answer_key_mismatches

    summary = address_summary(settings, key["donation"]["address"])
    problems = answer_key_mismatches(summary, key["donation"])
    if problems:
        raise click.ClickException("the marts disagree with the answer key: " + "; ".join(problems))
    click.secho(
        f"answer key: received, sent, balance and {summary.tx_count} transactions equal to the "
        f"satoshi; top {len(summary.top_recipients)} recipients equal (within 1 sat per "
        "transaction: rounding of the split, docs/data-model.md)",
        fg="green",
    )


def _break(settings: Settings, day: date, first: date, last: date) -> None:
    from blocktrust.chain.faults import break_address_checksum
    from blocktrust.lake import lake_root

    if not first <= day <= last:
        raise click.BadParameter(
            f"{day} is outside the demo chain {first}..{last}", param_hint="--break-day"
        )
    fault = break_address_checksum(lake_root(settings.lake_url), day)
    click.echo(f"  {fault.file}: {fault.detail}; expect the gate check {fault.check}")


def _heal(settings: Settings) -> None:
    """Undo an earlier drill: the original files go back, and the day's failed run is redone by
    the backfill (it reprocesses failed days), which passes the gate and lifts the quarantine."""
    from blocktrust.chain.faults import restore_broken_days
    from blocktrust.lake import lake_root

    for day in restore_broken_days(lake_root(settings.lake_url)):
        click.echo(f"drill of {day} undone: its original transactions file is back in the lake")


def _superset(settings: Settings) -> None:
    from blocktrust.superset.config import superset_venv_bin

    if not (superset_venv_bin(settings) / "superset").exists():
        click.echo("Superset: its environment is missing; run `make env-superset`")
        return
    _step("Superset")
    from blocktrust.cli.superset import up

    click.get_current_context().invoke(up, import_=True, host="127.0.0.1")
