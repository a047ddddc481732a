"""`blocktrust settings`: the effective settings, so nobody has to guess."""

from __future__ import annotations

import os

import click

from blocktrust.settings import ENV_PREFIX, SETTINGS, get_settings


@click.command()
@click.option("--markdown", is_flag=True, help="Print the README's settings table.")
def settings(markdown: bool) -> None:
    """Show every BLOCKTRUST_* setting, its value here and whether the environment set it."""
    if markdown:
        click.echo("| variable | default | meaning |\n| --- | --- | --- |")
        for s in SETTINGS:
            click.echo(f"| `{ENV_PREFIX}{s.name}` | `{s.default}` | {s.help} |")
        return
    current = get_settings()
    values = {
        "DATA_DIR": current.data_dir,
        "PG_HOST": current.pg_host,
        "PG_PORT": current.pg_port,
        "PG_DATABASE": current.pg_database,
        "PG_OS_USER": current.pg_os_user,
        "LAKE_URL": current.lake_url,
        "LAKE_FORMAT": current.lake_format,
        "S3_ENDPOINT_URL": current.s3_endpoint_url,
        "S3_CONN_ID": current.s3_conn_id,
        "AIRFLOW_PORT": current.airflow_port,
        "SUPERSET_PORT": current.superset_port,
        "S3_PORT": current.s3_port,
        "MAX_ACTIVE_RUNS": current.max_active_runs,
    }
    for s in SETTINGS:
        origin = "env" if os.environ.get(ENV_PREFIX + s.name) else "default"
        if s.name.endswith("DSN"):
            shown = "(set)" if origin == "env" else "(built from the settings above)"
        else:
            shown = values[s.name]
        click.echo(f"{ENV_PREFIX}{s.name:<16} {str(shown):<50} [{origin}]")
