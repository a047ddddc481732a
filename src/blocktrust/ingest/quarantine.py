"""Set a rejected lake file aside, with the reason, so the day can be fixed and reloaded."""

from __future__ import annotations

import shutil
from datetime import date
from typing import TYPE_CHECKING

from blocktrust.lake import quarantine_dir

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

COPY_CHUNK = 1 << 20


def quarantine_name(table: str, file_name: str) -> str:
    return f"{table}__{file_name}"


def quarantine_file(
    root: ObjectStoragePath, day: date, table: str, path: ObjectStoragePath, reason: str
) -> ObjectStoragePath:
    """Copy ``path`` to <lake>/quarantine/date=D/<table>__<name> plus <that>.reason.txt."""
    target_dir = quarantine_dir(root, day)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / quarantine_name(table, path.name)
    with path.open("rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, COPY_CHUNK)
    (target_dir / f"{target.name}.reason.txt").write_text(reason.rstrip("\n") + "\n")
    return target
