"""SQL text shipped with the package (src/blocktrust/sql/<folder>/<name>.sql)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from psycopg import sql


@cache
def sql_text(folder: str, name: str) -> str:
    return (resources.files("blocktrust") / "sql" / folder / f"{name}.sql").read_text()


def query(folder: str, name: str, **identifiers: sql.Composable) -> sql.Composed | sql.SQL:
    """A packaged statement; ``{placeholders}`` in it are filled with psycopg.sql identifiers."""
    statement = sql.SQL(sql_text(folder, name).strip().rstrip(";"))  # type: ignore[arg-type]
    return statement.format(**identifiers) if identifiers else statement
