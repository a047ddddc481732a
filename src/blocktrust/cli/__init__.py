"""The `blocktrust` command line. One module per command group, loaded only when used."""

from __future__ import annotations

import importlib

import click

from blocktrust import __version__

# command name -> "module:attribute"; modules are imported on use so `--help` stays fast.
COMMANDS: dict[str, str] = {
    "db": "blocktrust.cli.db:db",
    "generate": "blocktrust.cli.generate:generate",
    "prices": "blocktrust.cli.prices:prices",
    "load": "blocktrust.cli.load:load",
    "transform": "blocktrust.cli.transform:transform",
    "address": "blocktrust.cli.address:address",
    "demo": "blocktrust.cli.demo:demo",
    "down": "blocktrust.cli.services:down",
    "settings": "blocktrust.cli.settings_cmd:settings",
    "airflow": "blocktrust.cli.airflow_cmd:airflow",
    "superset": "blocktrust.cli.superset:superset",
    "bench": "blocktrust.cli.bench:bench",
    "gate": "blocktrust.cli.gate:gate",
    "verify-lake": "blocktrust.cli.verify_lake:verify_lake",
}

SHORT_HELP: dict[str, str] = {
    "db": "Manage the local PostgreSQL cluster (up, down, status, psql, reset).",
    "generate": "Generate a realistic synthetic chain into the lake.",
    "prices": "Load daily BTC/USD prices into the lake (sample: real 2010-2024 series).",
    "load": "Load lake day-partitions into the raw tables (same code as the DAG).",
    "transform": "Run the dbt models (build the marts).",
    "address": "Summarise an address from the marts: totals, USD, counterparties.",
    "demo": "Generate, load, transform and start the UIs; print URLs and the answer.",
    "down": "Stop every service the CLI started (by PID file).",
    "settings": "Show the effective settings and where each comes from.",
    "airflow": "Run Airflow (standalone) on the project's PostgreSQL; backfill days.",
    "superset": "Superset with the dashboards as code (up, down, import, export).",
    "bench": "Benchmarks at a chosen scale; writes bench/results and docs/benchmarks.md.",
    "gate": "Great Expectations quality gate: run a day, build Data Docs.",
    "verify-lake": "Check a generated lake: formats identical, answer key recounts.",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SHORT_HELP[name]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="blocktrust")
def main() -> None:
    """Blocktrust: follow the money on Bitcoin.

    Settings come from BLOCKTRUST_* environment variables (see `blocktrust settings`).
    """
