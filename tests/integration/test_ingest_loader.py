"""The day loader against real PostgreSQL, a file:// lake and moto_server (S3).

A small chain (about 2k transactions over 4 UTC days, blocktrust.chain.generator) is generated
once per module and written with the formats writers; every test gets a fresh warehouse database.
"""

from __future__ import annotations

import gzip
import json
import time
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

DAYS = [date(2013, 4, 5), date(2013, 4, 6), date(2013, 4, 7), date(2013, 4, 8)]
ABSENT_DAY = date(2013, 4, 20)


# ------------------------------------------------------------------ the chain


def generate_days(n_transactions: int = 2000) -> list[tuple[date, list, list]]:
    """About 2k transactions over DAYS, from the project's chain generator (deterministic)."""
    from blocktrust.chain.generator import GeneratorConfig, generate_chain

    config = GeneratorConfig(
        seed=7, n_transactions=n_transactions, start=DAYS[0], end=DAYS[-1], start_height=230_000
    )
    return [(b.day, b.blocks, b.transactions) for b in generate_chain(config) if b.blocks]


@pytest.fixture(scope="module")
def chain_days() -> list[tuple[date, list, list]]:
    days = generate_days()
    assert [d for d, _, _ in days] == DAYS
    return days


def write_lake(url: str, chain_days, formats=("bitcoin-etl", "aws-parquet")) -> None:
    from blocktrust.chain.formats import write_day
    from blocktrust.lake import lake_root

    root = lake_root(url)
    for day, blocks, txs in chain_days:
        write_day(root, day, blocks, txs, formats=formats)


def expected_counts(day_record) -> dict[str, int]:
    _, blocks, txs = day_record
    return {
        "blocks": len(blocks),
        "transactions": len(txs),
        "inputs": sum(len(t.inputs) for t in txs),
        "outputs": sum(len(t.outputs) for t in txs),
    }


@pytest.fixture
def lake(file_lake: str, chain_days) -> str:
    write_lake(file_lake, chain_days)
    return file_lake


def _local(url: str) -> Path:
    return Path(url.removeprefix("file://"))


def _partition_file(url: str, table: str, day: date, name: str) -> Path:
    return _local(url) / "bitcoin" / table / f"date={day.isoformat()}" / name


# ------------------------------------------------------------------ loading


def test_three_days_load_with_counts_and_audit(fresh_db, lake, chain_days) -> None:
    from blocktrust.db import connect
    from blocktrust.ingest.loader import load_day

    started = time.perf_counter()
    results = [load_day(fresh_db, day, lake, "bitcoin-etl") for day, _, _ in chain_days]
    elapsed = time.perf_counter() - started
    for result, record in zip(results, chain_days, strict=True):
        assert result.row_counts == expected_counts(record)
        assert len(result.checksums) == 2 and all(len(v) == 64 for v in result.checksums.values())
    txs = sum(r.row_counts["transactions"] for r in results)
    rows = sum(sum(r.row_counts.values()) for r in results)
    print(f"\nthroughput: {txs / elapsed:.0f} tx/s, {rows / elapsed:.0f} rows/s ({elapsed:.2f}s)")
    with connect(fresh_db, "loader") as conn:
        audit = conn.execute(
            "select block_date, status, row_counts from raw.load_audit order by load_id"
        ).fetchall()
    assert [(a[0], a[1]) for a in audit] == [(d, "loaded") for d, _, _ in chain_days]
    assert audit[0][2] == results[0].row_counts


def test_unenriched_inputs_load_with_null_fee(fresh_db, file_lake, chain_days) -> None:
    import dataclasses

    from blocktrust.db import connect
    from blocktrust.ingest.loader import load_day

    day, blocks, txs = chain_days[0]
    bare = [
        dataclasses.replace(
            t,
            inputs=tuple(
                dataclasses.replace(
                    i, type=None, addresses=(), value=None, required_signatures=None
                )
                for i in t.inputs
            ),
        )
        if not t.is_coinbase
        else t
        for t in txs
    ]
    write_lake(file_lake, [(day, blocks, bare)], formats=("bitcoin-etl",))
    load_day(fresh_db, day, file_lake, "bitcoin-etl")
    with connect(fresh_db, "loader") as conn:
        nulls = conn.execute(
            "select count(*) filter (where fee_sats is null), count(*) filter (where is_coinbase)"
            " from raw.transactions"
        ).fetchone()
        inputs = conn.execute(
            "select count(*) from raw.inputs where value_sats is null and addresses is null"
        ).fetchone()
    coinbases = sum(t.is_coinbase for t in txs)
    assert nulls == (len(txs) - coinbases, coinbases)
    assert inputs[0] == sum(len(t.inputs) for t in txs)  # coinbase inputs spend nothing either


def test_rerun_replaces_day_with_identical_content(fresh_db, lake, chain_days) -> None:
    from blocktrust.ingest.audit import day_fingerprint
    from blocktrust.ingest.loader import load_day

    day = chain_days[1][0]
    first = load_day(fresh_db, day, lake, "bitcoin-etl")
    before = day_fingerprint(fresh_db, day)
    second = load_day(fresh_db, day, lake, "bitcoin-etl")
    assert second.row_counts == first.row_counts
    assert day_fingerprint(fresh_db, day) == before
    assert before["transactions"][0] == expected_counts(chain_days[1])["transactions"]


def _json_and_parquet_fingerprints(settings, lake, day):
    from blocktrust.ingest.audit import day_fingerprint
    from blocktrust.ingest.loader import load_day

    load_day(settings, day, lake, "bitcoin-etl")
    from_json = day_fingerprint(settings, day)
    load_day(settings, day, lake, "aws-parquet")
    return from_json, day_fingerprint(settings, day)


def test_parquet_and_json_load_identical_transactions(fresh_db, lake, chain_days) -> None:
    from_json, from_parquet = _json_and_parquet_fingerprints(fresh_db, lake, chain_days[0][0])
    assert {t: c for t, (c, _) in from_parquet.items()} == expected_counts(chain_days[0])
    for table in ("transactions", "inputs", "outputs"):
        assert from_parquet[table] == from_json[table], table


def test_parquet_and_json_load_identical_blocks(fresh_db, lake, chain_days) -> None:
    from_json, from_parquet = _json_and_parquet_fingerprints(fresh_db, lake, chain_days[0][0])
    assert from_parquet["blocks"] == from_json["blocks"]


def test_fault_mid_load_leaves_previous_state(fresh_db, lake, chain_days) -> None:
    from blocktrust.db import connect
    from blocktrust.ingest.audit import day_fingerprint
    from blocktrust.ingest.loader import load_day

    day = chain_days[2][0]
    load_day(fresh_db, day, lake, "bitcoin-etl")
    before = day_fingerprint(fresh_db, day)

    class Injected(RuntimeError):
        pass

    seen: list[tuple[str, int]] = []

    def fault_after_100_transactions(table: str, rows: int) -> None:
        seen.append((table, rows))
        if table == "outputs":  # blocks and transactions already COPYed in this transaction
            raise Injected(f"injected after {rows} {table} rows")

    with pytest.raises(Injected):
        load_day(fresh_db, day, lake, "bitcoin-etl", progress=fault_after_100_transactions)
    assert ("transactions", expected_counts(chain_days[2])["transactions"]) in seen
    assert day_fingerprint(fresh_db, day) == before
    with connect(fresh_db, "loader") as conn:
        statuses = [r[0] for r in conn.execute("select status from raw.load_audit order by 1")]
    assert sorted(statuses) == ["failed", "loaded"]


def test_fault_on_first_load_leaves_day_empty(fresh_db, lake, chain_days) -> None:
    from blocktrust.ingest.audit import day_fingerprint
    from blocktrust.ingest.loader import load_day

    day = chain_days[0][0]

    def fault(table: str, rows: int) -> None:
        if table == "transactions" and rows >= 100:
            raise RuntimeError("injected")

    with pytest.raises(RuntimeError, match="injected"):
        load_day(fresh_db, day, lake, "bitcoin-etl", progress=fault)
    assert all(count == 0 for count, _ in day_fingerprint(fresh_db, day).values())


# ------------------------------------------------------------------ bad input


def _quarantined(url: str, day: date, table: str, name: str) -> tuple[Path, Path]:
    folder = _local(url) / "quarantine" / f"date={day.isoformat()}"
    return folder / f"{table}__{name}", folder / f"{table}__{name}.reason.txt"


def _load_then_break(fresh_db, lake, day, breaker):
    """Load the day cleanly, break a file, return (fingerprint before, the error)."""
    from blocktrust.ingest.audit import day_fingerprint
    from blocktrust.ingest.errors import BadInputError
    from blocktrust.ingest.loader import load_day

    load_day(fresh_db, day, lake, "bitcoin-etl")
    before = day_fingerprint(fresh_db, day)
    breaker()
    with pytest.raises(BadInputError) as caught:
        load_day(fresh_db, day, lake, "bitcoin-etl")
    assert day_fingerprint(fresh_db, day) == before, "a failed reload changed the day"
    return caught.value


def test_malformed_json_names_file_and_line_and_is_quarantined(fresh_db, lake, chain_days):
    day = chain_days[1][0]
    path = _partition_file(lake, "transactions", day, "transactions.json")

    def break_line_7() -> None:
        lines = path.read_text().splitlines(keepends=True)
        lines[6] = lines[6][: len(lines[6]) // 2] + "\n"
        path.write_text("".join(lines))

    err = _load_then_break(fresh_db, lake, day, break_line_7)
    assert str(path) in str(err) and "line 7" in str(err)
    copy, reason = _quarantined(lake, day, "transactions", "transactions.json")
    assert copy.read_bytes() == path.read_bytes()
    assert "line 7" in reason.read_text() and "malformed JSON" in reason.read_text()


def test_truncated_gzip_names_file_and_line_and_is_quarantined(fresh_db, lake, chain_days):
    day = chain_days[2][0]
    plain = _partition_file(lake, "transactions", day, "transactions.json")

    def truncate_gzip() -> None:
        data = gzip.compress(plain.read_bytes())
        plain.unlink()
        plain.with_name("transactions.json.gz").write_bytes(data[: len(data) // 2])

    err = _load_then_break(fresh_db, lake, day, truncate_gzip)
    assert "transactions.json.gz" in str(err) and "line " in str(err)
    copy, reason = _quarantined(lake, day, "transactions", "transactions.json.gz")
    assert copy.exists() and "gzip" in reason.read_text()


def test_schema_drift_names_file_line_and_field(fresh_db, lake, chain_days):
    day = chain_days[0][0]
    path = _partition_file(lake, "blocks", day, "blocks.json")

    def rename_field_on_line_3() -> None:
        lines = path.read_text().splitlines()
        record = json.loads(lines[2])
        record["tx_count"] = record.pop("transaction_count")
        lines[2] = json.dumps(record)
        path.write_text("\n".join(lines) + "\n")

    err = _load_then_break(fresh_db, lake, day, rename_field_on_line_3)
    assert "blocks.json" in str(err) and "line 3" in str(err) and "transaction_count" in str(err)
    copy, reason = _quarantined(lake, day, "blocks", "blocks.json")
    assert copy.exists() and "transaction_count" in reason.read_text()


def test_record_of_another_day_is_rejected(fresh_db, lake, chain_days):
    day, other = chain_days[0][0], chain_days[1][0]
    target = _partition_file(lake, "blocks", day, "blocks.json")
    stray = _partition_file(lake, "blocks", other, "blocks.json").read_text().splitlines()[0]

    def append_stray() -> None:
        with target.open("a") as fh:
            fh.write(stray + "\n")

    err = _load_then_break(fresh_db, lake, day, append_stray)
    assert "blocks.json" in str(err) and "is not the partition date" in str(err)


def test_missing_partition_is_reported_not_skipped(fresh_db, lake) -> None:
    from blocktrust.ingest.errors import MissingPartitionError
    from blocktrust.ingest.loader import load_day

    with pytest.raises(MissingPartitionError, match="partition missing.*2013-04-20"):
        load_day(fresh_db, ABSENT_DAY, lake, "bitcoin-etl")


def test_partition_of_another_format_only_is_missing(fresh_db, file_lake, chain_days) -> None:
    from blocktrust.ingest.errors import MissingPartitionError
    from blocktrust.ingest.loader import load_day

    write_lake(file_lake, chain_days[:1], formats=("aws-parquet",))
    with pytest.raises(MissingPartitionError, match="no bitcoin-etl files"):
        load_day(fresh_db, chain_days[0][0], file_lake, "bitcoin-etl")


# ------------------------------------------------------------------ S3 (moto_server)


def test_s3_lake_loads_like_file_lake(fresh_db, s3_lake, chain_days) -> None:
    from blocktrust.ingest.audit import day_fingerprint
    from blocktrust.ingest.errors import BadInputError
    from blocktrust.ingest.loader import load_day
    from blocktrust.lake import chain_partition, lake_root, quarantine_dir

    write_lake(s3_lake, chain_days[:2])
    day = chain_days[0][0]
    result = load_day(fresh_db, day, s3_lake, "aws-parquet")
    assert result.row_counts == expected_counts(chain_days[0])
    assert all(f.startswith("s3://") for f in result.files)
    assert day_fingerprint(fresh_db, day)["outputs"][0] == result.row_counts["outputs"]

    root = lake_root(s3_lake)
    bad = chain_partition(root, "blocks", chain_days[1][0]) / "blocks.json"
    bad.write_bytes(b'{"hash": "not a block"\n')
    with pytest.raises(BadInputError, match="line 1"):
        load_day(fresh_db, chain_days[1][0], s3_lake, "bitcoin-etl")
    quarantine = quarantine_dir(root, chain_days[1][0])
    assert (quarantine / "blocks__blocks.json").exists()
    assert "line 1" in (quarantine / "blocks__blocks.json.reason.txt").read_text()


# ------------------------------------------------------------------ prices and tags


def test_prices_and_tags_replace_previous_load(fresh_db, file_lake) -> None:
    from decimal import Decimal

    from blocktrust.db import connect
    from blocktrust.ingest.reference import load_prices, load_tags
    from blocktrust.prices import PricePoint, write_prices_csv

    prices = _local(file_lake) / "prices" / "btc_usd_daily"
    prices.mkdir(parents=True)
    points = [
        PricePoint(date(2013, 4, d), Decimal("100.5") + d, d == 6, "test") for d in range(5, 9)
    ]
    with (prices / "btc_usd_daily.csv").open("wb") as fh:
        write_prices_csv(points, fh)
    tags = _local(file_lake) / "tags"
    tags.mkdir()
    (tags / "demo.yaml").write_text(
        "title: demo\ncreator: tests\ncategory: organization\ntags:\n"
        "  - {address: 1A, label: donation, currency: BTC}\n  - {address: 1B, label: exchange}\n"
    )
    assert load_prices(fresh_db, file_lake) == 4
    assert load_tags(fresh_db, file_lake) == {"demo": 2}
    with (prices / "btc_usd_daily.csv").open("wb") as fh:
        write_prices_csv(points[:2], fh)
    (tags / "demo.yaml").write_text("title: demo\ncreator: t\ntags:\n  - {address: 1A, label: x}\n")
    assert load_prices(fresh_db, file_lake) == 2
    assert load_tags(fresh_db, file_lake) == {"demo": 1}
    with connect(fresh_db, "loader") as conn:
        price_rows = conn.execute(
            "select price_date, close_usd, is_filled from raw.prices_btc_usd_daily order by 1"
        ).fetchall()
        tag_rows = conn.execute("select address, label, tagpack from raw.address_tags").fetchall()
    assert price_rows == [
        (date(2013, 4, 5), Decimal("105.5"), False),
        (date(2013, 4, 6), Decimal("106.5"), True),
    ]
    assert tag_rows == [("1A", "x", "demo")]


def test_bad_tag_entry_names_file_and_entry_and_keeps_tags(fresh_db, file_lake) -> None:
    from blocktrust.db import connect
    from blocktrust.ingest.errors import ReferenceDataError
    from blocktrust.ingest.reference import load_tags

    tags = _local(file_lake) / "tags"
    tags.mkdir()
    (tags / "a.yaml").write_text("title: a\ncreator: t\ntags:\n  - {address: 1A, label: a}\n")
    load_tags(fresh_db, file_lake)
    (tags / "a.yaml").write_text("title: a\ncreator: t\ntags:\n  - {address: 1B, label: b}\n")
    (tags / "b.yaml").write_text("title: b\ncreator: t\ntags:\n  - {address: 1C}\n")
    with pytest.raises(ReferenceDataError, match=r"b\.yaml: tags\[0\]: field 'label'"):
        load_tags(fresh_db, file_lake)
    with connect(fresh_db, "loader") as conn:
        assert conn.execute("select address from raw.address_tags").fetchall() == [("1A",)]


# ------------------------------------------------------------------ CLI


def test_cli_loads_range_and_reports_missing_partition(fresh_db, lake, chain_days) -> None:
    from click.testing import CliRunner

    from blocktrust.cli import main

    runner = CliRunner()
    ok = runner.invoke(main, ["load", "--from", "2013-04-05", "--to", "2013-04-06"])
    assert ok.exit_code == 0, ok.output
    counts = expected_counts(chain_days[0])
    assert f"2013-04-05: blocks={counts['blocks']}, transactions={counts['transactions']}" in (
        ok.output
    )
    assert "tx/s" in ok.output
    gap = runner.invoke(main, ["load", "--from", "2013-04-08", "--to", "2013-04-09"])
    assert gap.exit_code == 1
    assert "partition missing" in gap.output and "1 partition(s) missing: 2013-04-09" in gap.output
