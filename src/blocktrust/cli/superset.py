"""`blocktrust superset`: Superset and the follow-the-money dashboards (up|down|import|export)."""

from __future__ import annotations

import click

from blocktrust.settings import get_settings

DASHBOARDS = ("address-investigator", "money-flows", "network-overview")


@click.group()
def superset() -> None:
    """Run Superset (its own venv, .venv-superset) with the dashboards in superset/assets.

    State lives under BLOCKTRUST_DATA_DIR/superset: the rendered config, a generated SECRET_KEY,
    the generated admin password and the SQLite metadata DB. Superset reads the warehouse as
    the read-only analyst role; its URI is injected at import time, never stored in the YAML.
    """


@superset.command()
@click.option(
    "--import/--no-import",
    "import_",
    default=True,
    show_default=True,
    help="Import superset/assets first (overwrites objects with the same uuid).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
def up(import_: bool, host: str) -> None:
    """Initialise (first time: a minute or two), import the dashboards, start; print URL, login."""
    from blocktrust.superset import assets, runtime
    from blocktrust.superset.config import superset_paths

    settings = get_settings()
    paths = superset_paths(settings)
    if runtime.initialise(settings, paths):
        click.echo(f"initialised Superset metadata in {paths.metadata_db}")
    if import_:
        count = assets.import_assets(settings, paths)
        click.echo(f"imported {count} asset files from {assets.assets_dir(settings)}")
    from blocktrust import services

    record = services.read_record(settings.run_dir, runtime.SUPERSET_SERVICE)
    if record is None or not services.is_running(record):
        record = runtime.start(settings, paths, settings.superset_port, host=host)
    login = runtime.login(paths, host, settings.superset_port)
    click.echo(f"Superset running (pid {record.pid}, log {paths.log})")
    click.echo(f"  URL       {login.url}")
    click.echo(f"  login     {login.username} / {login.password}")
    click.echo(f"  password  kept in {paths.admin_password}")
    for slug in DASHBOARDS:
        click.echo(f"  dashboard {login.url}superset/dashboard/{slug}/")
    click.echo(f"  SQL Lab   {login.url}sqllab/ (database 'Blocktrust warehouse', read-only)")


@superset.command()
def down() -> None:
    """Stop Superset (its whole process group, by PID file)."""
    from blocktrust.superset import runtime

    outcome = runtime.stop(get_settings())
    if outcome is None:
        click.echo("Superset was not running (no PID file).")
    else:
        click.echo(f"Superset pid {outcome.pid}: {outcome.outcome}")


@superset.command("import")
@click.option(
    "--path",
    "root",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="Assets directory (default: superset/assets).",
)
def import_command(root: str | None) -> None:
    """Import the YAML assets into Superset (a running server sees them at once)."""
    from pathlib import Path

    from blocktrust.superset import assets, runtime
    from blocktrust.superset.config import superset_paths

    settings = get_settings()
    paths = superset_paths(settings)
    runtime.initialise(settings, paths)
    count = assets.import_assets(settings, paths, Path(root) if root else None)
    click.echo(f"imported {count} asset files")


@superset.command("export")
@click.option(
    "--path",
    "root",
    type=click.Path(file_okay=False),
    default=None,
    help="Assets directory to write (default: superset/assets).",
)
def export_command(root: str | None) -> None:
    """Export every dashboard with its charts, datasets and database as stable YAML."""
    from pathlib import Path

    from blocktrust.superset import assets
    from blocktrust.superset.config import superset_paths

    settings = get_settings()
    written = assets.export_assets(settings, superset_paths(settings), Path(root) if root else None)
    click.echo(f"wrote {len(written)} files")
