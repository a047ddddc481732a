"""The lake layout, one for every format, and access to it through Airflow's ObjectStoragePath.

    <lake>/bitcoin/blocks/date=YYYY-MM-DD/<files>
    <lake>/bitcoin/transactions/date=YYYY-MM-DD/<files>
    <lake>/prices/btc_usd_daily/<files>
    <lake>/tags/<tagpack>.yaml
    <lake>/quarantine/date=YYYY-MM-DD/<file> and <file>.reason.txt
    <lake>/answer_key/<name>.json          (generated chains only)

File names tell the format: bitcoin-etl and BigQuery exports are ``*.json`` or ``*.json.gz``
(``blocks.json``, ``transactions.json``), AWS Public Blockchain data is ``*.parquet``. Both may sit
in one partition; the loader reads the files of the configured format.

``file:///abs/path`` and ``s3://<conn_id>@bucket/prefix`` go through the same code.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

CHAIN_TABLES = ("blocks", "transactions")
FORMAT_SUFFIXES = {
    "bitcoin-etl": (".json", ".json.gz"),
    "bigquery": (".json", ".json.gz"),
    "aws-parquet": (".parquet",),
}


def partition_key(day: date) -> str:
    return f"date={day.isoformat()}"


def chain_partition(root: ObjectStoragePath, table: str, day: date) -> ObjectStoragePath:
    if table not in CHAIN_TABLES:
        raise ValueError(f"unknown chain table {table!r}; expected one of {CHAIN_TABLES}")
    return root / "bitcoin" / table / partition_key(day)


def quarantine_dir(root: ObjectStoragePath, day: date) -> ObjectStoragePath:
    return root / "quarantine" / partition_key(day)


def prices_dir(root: ObjectStoragePath) -> ObjectStoragePath:
    return root / "prices" / "btc_usd_daily"


def tags_dir(root: ObjectStoragePath) -> ObjectStoragePath:
    return root / "tags"


def answer_key_dir(root: ObjectStoragePath) -> ObjectStoragePath:
    return root / "answer_key"


def files_of_format(partition: ObjectStoragePath, lake_format: str) -> list[ObjectStoragePath]:
    """The partition's files of one format, sorted by name; [] when the partition is absent."""
    suffixes = FORMAT_SUFFIXES[lake_format]
    if not partition.exists():
        return []
    return sorted(
        (p for p in partition.iterdir() if p.is_file() and p.name.endswith(suffixes)),
        key=lambda p: p.name,
    )


def lake_root(url: str) -> ObjectStoragePath:
    """The lake root for a URL; import of Airflow is deferred so pure code stays light."""
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(url)
