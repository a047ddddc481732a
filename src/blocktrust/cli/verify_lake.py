"""`blocktrust verify-lake`: the formats of a lake agree, and its answer key recounts from files."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import click

EXIT_OK, EXIT_MISMATCH, EXIT_CANNOT_VERIFY = 0, 1, 2


class CannotVerify(click.ClickException):
    exit_code = EXIT_CANNOT_VERIFY


@click.command("verify-lake")
@click.option(
    "--lake",
    "lake",
    default=None,
    help="Lake root URL (file:///path or s3://conn@bucket/prefix). Default: BLOCKTRUST_LAKE_URL.",
)
@click.option(
    "--formats",
    default="bitcoin-etl,aws-parquet",
    show_default=True,
    help="Comma-separated formats to compare; the answer key is recounted from the first.",
)
@click.option("--progress/--no-progress", default=True, show_default=True)
def verify_lake(lake: str | None, formats: str, progress: bool) -> None:
    """Check a generated lake: every format holds identical records, and answer_key.json
    recounts exactly from the files.

    Walks the day partitions in order. For each day, the blocks and transactions of every format
    are compared record by record and field by field; the first difference is reported (day,
    files, record, field) and the walk stops. The transactions of the first format are recounted
    with the labels of <lake>/tags/blocktrust_demo.yaml and compared with
    <lake>/answer_key/answer_key.json: every entity's received/sent/tx_count, the UTXO total,
    the block and transaction counts, the height range and the donation's top recipients.

    Memory: one day of records per format plus the recount's running state (the UTXO set and
    per-address sums), which grows with the chain; fine up to about 1M transactions.

    Exit status: 0 OK, 1 MISMATCH (formats differ or the key disagrees), 2 the lake cannot be
    verified (no answer key or tagpack, a format absent for a day, an unreadable file).
    """
    from tqdm import tqdm

    from blocktrust.chain.formats import ChainDataError
    from blocktrust.chain.verify import LakeVerifyError
    from blocktrust.chain.verify import verify_lake as run_verify
    from blocktrust.lake import lake_root
    from blocktrust.settings import get_settings

    url = lake or get_settings().lake_url
    format_list = [f.strip() for f in formats.split(",") if f.strip()]
    began = time.perf_counter()
    with tqdm(unit="day", disable=not progress, smoothing=0.1) as bar:

        def on_days(n: int) -> None:
            bar.total = n
            bar.refresh()

        try:
            result = run_verify(
                lake_root(url), format_list, on_day=lambda _day: bar.update(), on_days=on_days
            )
        except (LakeVerifyError, ChainDataError) as exc:
            raise CannotVerify(str(exc)) from None
    elapsed = time.perf_counter() - began
    click.echo(
        f"lake: {url}  formats: {', '.join(result.formats)}  days: {result.days:,}  "
        f"in {elapsed:.1f}s"
    )
    if result.difference is not None:
        click.echo(f"MISMATCH: the formats differ\n{result.difference.describe()}")
        raise SystemExit(EXIT_MISMATCH)
    for line in render_checks(result.checks):
        click.echo(line)
    if result.ok:
        same = f"records identical in {' = '.join(result.formats)}; " if result.formats[1:] else ""
        click.echo(
            f"OK: {same}answer key recounts exactly from {result.formats[0]} "
            f"({len(result.checks)} checks)"
        )
        return
    click.echo(f"MISMATCH: {len(result.mismatches)} of {len(result.checks)} checks disagree")
    for check in result.mismatches:
        click.echo(
            f"  {check.subject} {check.metric}: answer key {show(check.expected)} "
            f"!= recount {show(check.recounted)}"
        )
    raise SystemExit(EXIT_MISMATCH)


def show(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, frozenset):
        return f"{len(value)} addresses"
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return f"top {len(value)}"
    if isinstance(value, tuple):
        return "..".join(str(v) for v in value)
    return str(value)


def render_checks(checks: Sequence[Any]) -> list[str]:
    """Two short tables: the lake-wide numbers, then one row per entity."""
    plain = [c for c in checks if not c.subject.startswith("entity ")]
    rows = [("check", "answer key", "recount", "")] + [
        (f"{c.subject} {c.metric}", show(c.expected), show(c.recounted), mark(c.ok)) for c in plain
    ]
    lines = _table(rows)
    entities: dict[str, list[Any]] = {}
    for c in checks:
        if c.subject.startswith("entity "):
            entities.setdefault(c.subject.removeprefix("entity "), []).append(c)
    if entities:
        rows = [("entity", "received_sats", "sent_sats", "tx_count", "addresses", "")]
        for label, group in entities.items():
            by_metric = {c.metric: c for c in group}
            cells = tuple(
                show(by_metric[m].recounted)
                if by_metric[m].ok
                else f"{show(by_metric[m].expected)} != {show(by_metric[m].recounted)}"
                for m in ("received_sats", "sent_sats", "tx_count", "addresses")
            )
            rows.append((label, *cells, mark(all(c.ok for c in group))))
        lines += ["", *_table(rows)]
    return lines


def mark(ok: bool) -> str:
    return "ok" if ok else "MISMATCH"


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i == 0 or i == len(row) - 1 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out
