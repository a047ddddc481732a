"""Every command answers --help; `blocktrust settings --markdown` prints the README table."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from blocktrust.cli import COMMANDS, main
from blocktrust.settings import SETTINGS


def _command_paths() -> list[tuple[str, ...]]:
    """Every command and sub-command reachable from `blocktrust`, as argument tuples."""
    ctx = click.Context(main)
    paths: list[tuple[str, ...]] = []

    def walk(group: click.Group, prefix: tuple[str, ...]) -> None:
        for name in group.list_commands(ctx):
            paths.append((*prefix, name))
            try:
                cmd = group.get_command(ctx, name)
            except ImportError:  # its module is missing: the --help case below fails and says so
                continue
            if isinstance(cmd, click.Group):
                walk(cmd, (*prefix, name))

    walk(main, ())
    return paths


def test_top_level_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("path", _command_paths(), ids=" ".join)
def test_every_command_help_exits_0(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output or repr(result.exception)
    assert "Usage:" in result.output


def test_settings_markdown_prints_a_table_row_per_setting():
    result = CliRunner().invoke(main, ["settings", "--markdown"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "| variable | default | meaning |"
    assert lines[1] == "| --- | --- | --- |"
    assert len(lines) == 2 + len(SETTINGS)
    assert all(line.startswith("| `BLOCKTRUST_") for line in lines[2:])


def test_db_reset_refuses_without_yes():
    result = CliRunner().invoke(main, ["db", "reset"])
    assert result.exit_code == 2
    assert "--yes" in result.output
