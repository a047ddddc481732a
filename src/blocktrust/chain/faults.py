"""Deliberate faults for drills: a lake day that reads and loads cleanly but is wrong.

`blocktrust demo --break-day D` and the DAG tests use this to show the quality gate at work: the
day's bitcoin-etl files still parse, so the loader accepts them, and only the gate's checks can
tell that the day is bad. The fault is written into the lake files themselves (not into the
database), exactly as a bad export from upstream would arrive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from airflow.sdk import ObjectStoragePath

from blocktrust.lake import chain_partition, partition_key

P2PKH = "pubkeyhash"


@dataclass(frozen=True)
class InjectedFault:
    day: date
    file: str
    check: str  # the gate expectation that must catch it
    detail: str


def break_address_checksum(root: ObjectStoragePath, day: date) -> InjectedFault:
    """Change the last character of the day's first P2PKH output address, everywhere it occurs
    in the day's transactions.json (so spends of it on the same day agree with it).

    The Base58Check checksum no longer matches: the gate's ``addresses_valid_for_type`` fails.
    Raises FileNotFoundError when the day has no bitcoin-etl transactions file, ValueError when
    it has no P2PKH output to break.
    """
    path = chain_partition(root, "transactions", day) / "transactions.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no bitcoin-etl transactions file for {day}")
    text = path.read_text()
    saved = _saved_original(root, day)
    if not saved.exists():  # a second drill on the same day keeps the first original
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(text)
    address = _first_p2pkh_output(text, str(path))
    broken = address[:-1] + ("2" if address[-1] != "2" else "3")
    path.write_text(text.replace(f'"{address}"', f'"{broken}"'))
    return InjectedFault(
        day=day,
        file=str(path),
        check="addresses_valid_for_type",
        detail=f"output address {address} rewritten as {broken} (Base58Check checksum broken)",
    )


def _first_p2pkh_output(text: str, source: str) -> str:
    for line in text.splitlines():
        if not line.strip():
            continue
        for output in json.loads(line).get("outputs") or []:
            addresses = output.get("addresses") or []
            if output.get("type") == P2PKH and len(addresses) == 1:
                return str(addresses[0])
    raise ValueError(f"{source}: no P2PKH output to break")


def _saved_original(root: ObjectStoragePath, day: date) -> ObjectStoragePath:
    return root / "drill" / partition_key(day) / "transactions.json"


def broken_days(root: ObjectStoragePath) -> list[date]:
    """Days whose transactions file a drill has broken and not yet restored."""
    folder = root / "drill"
    if not folder.exists():
        return []
    return sorted(
        date.fromisoformat(child.name.removeprefix("date="))
        for child in folder.iterdir()
        if child.name.startswith("date=") and (child / "transactions.json").exists()
    )


def restore_broken_days(root: ObjectStoragePath) -> list[date]:
    """Put every drilled day's original transactions file back; the days restored."""
    restored = broken_days(root)
    for day in restored:
        saved = _saved_original(root, day)
        target = chain_partition(root, "transactions", day) / "transactions.json"
        target.write_text(saved.read_text())
        saved.unlink()
    return restored
