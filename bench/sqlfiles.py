"""The harness's own SQL (bench/sql/<name>.sql)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from psycopg import sql

SQL_DIR = Path(__file__).parent / "sql"


@cache
def bench_sql_text(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def bench_query(name: str, **identifiers: sql.Composable) -> sql.Composed | sql.SQL:
    statement = sql.SQL(bench_sql_text(name).strip().rstrip(";"))  # type: ignore[arg-type]
    return statement.format(**identifiers) if identifiers else statement
