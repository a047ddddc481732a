"""SQL text of the gate, shipped in src/blocktrust/sql/gx/<name>.sql."""

from __future__ import annotations

from functools import cache
from importlib import resources

from psycopg import sql

FOLDER = "gx"


@cache
def sql_text(name: str) -> str:
    return (resources.files("blocktrust") / "sql" / FOLDER / f"{name}.sql").read_text()


def statement(name: str) -> str:
    """The statement without its leading comment block or final semicolon.

    GX embeds asset queries in a sub-select and formats check queries with ``{batch}``; a
    leading ``--`` comment would swallow what GX appends on the same line.
    """
    lines = sql_text(name).strip().splitlines()
    while lines and lines[0].lstrip().startswith("--"):
        lines.pop(0)
    return "\n".join(lines).strip().rstrip(";")


def query(name: str) -> sql.SQL:
    """A packaged statement for psycopg (bound parameters as ``%(name)s``)."""
    return sql.SQL(statement(name))  # type: ignore[arg-type]
