"""`blocktrust verify-lake`: a generated lake verifies; a changed value or total is named."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from blocktrust.chain.formats import aws_parquet, read_file, write_day
from blocktrust.chain.generator import (
    GeneratorConfig,
    generate_chain,
    write_answer_key,
    write_tagpack,
)
from blocktrust.chain.records import Output, Transaction
from blocktrust.chain.verify import first_field_difference, verify_lake
from blocktrust.cli import main
from blocktrust.lake import lake_root

N_TRANSACTIONS = 1500


@pytest.fixture(scope="module")
def generated_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1,500-transaction lake in bitcoin-etl and aws-parquet, with answer key and tagpack."""
    path = tmp_path_factory.mktemp("verify") / "lake"
    root = lake_root(path.as_uri())
    run = generate_chain(GeneratorConfig(seed=5, n_transactions=N_TRANSACTIONS))
    for batch in run:
        write_day(root, batch.day, batch.blocks, batch.transactions)
    write_answer_key(root, run.answer_key)
    write_tagpack(root, run.answer_key)
    return path


@pytest.fixture
def lake(generated_lake: Path, tmp_path: Path) -> Path:
    """A private copy the test may damage."""
    copy = tmp_path / "lake"
    shutil.copytree(generated_lake, copy)
    return copy


def days_of(lake: Path) -> list[date]:
    return sorted(
        date.fromisoformat(p.name.removeprefix("date="))
        for p in (lake / "bitcoin" / "transactions").iterdir()
    )


def parquet_of(lake: Path, day: date) -> Path:
    return lake / "bitcoin" / "transactions" / f"date={day}" / "part-00000.snappy.parquet"


def rewrite_parquet_day(lake: Path, day: date, position: int, output_index: int) -> Transaction:
    """Add 1 sat to one output of one transaction in one day's Parquet; return the original."""
    path = parquet_of(lake, day)
    txs = list(read_file(path, "transactions", "aws-parquet"))
    original = txs[position]
    outputs = list(original.outputs)
    changed: Output = outputs[output_index]
    outputs[output_index] = dataclasses.replace(changed, value=changed.value + 1)
    txs[position] = dataclasses.replace(original, outputs=tuple(outputs))
    buffer = io.BytesIO()
    aws_parquet.write_transactions(txs, buffer)
    path.write_bytes(buffer.getvalue())
    return original


def invoke(lake: Path, *args: str):
    return CliRunner().invoke(
        main, ["verify-lake", "--lake", lake.as_uri(), "--no-progress", *args]
    )


def test_generated_lake_in_both_formats_verifies_ok(generated_lake: Path) -> None:
    result = verify_lake(lake_root(generated_lake.as_uri()), ["bitcoin-etl", "aws-parquet"])
    assert result.difference is None
    assert result.mismatches == ()
    assert result.ok
    recounted = {(c.subject, c.metric): c.recounted for c in result.checks}
    assert recounted[("lake", "n_transactions")] == N_TRANSACTIONS
    assert ("entity donation", "received_sats") in recounted

    cli = invoke(generated_lake)
    assert cli.exit_code == 0, cli.output
    assert "OK: records identical in bitcoin-etl = aws-parquet;" in cli.output
    assert "MISMATCH" not in cli.output


def test_one_parquet_value_changed_names_day_file_record_and_field(lake: Path) -> None:
    day = days_of(lake)[3]
    original = rewrite_parquet_day(lake, day, position=1, output_index=0)

    result = verify_lake(lake_root(lake.as_uri()), ["bitcoin-etl", "aws-parquet"])
    difference = result.difference
    assert difference is not None and not result.ok
    assert (difference.day, difference.table, difference.position) == (day, "transactions", 1)
    assert difference.field is not None
    assert difference.field.field == "outputs[0].value"
    assert (difference.field.left, difference.field.right) == (
        original.outputs[0].value,
        original.outputs[0].value + 1,
    )
    assert difference.right is not None and difference.right.file.endswith(
        f"date={day}/part-00000.snappy.parquet"
    )

    cli = invoke(lake)
    assert cli.exit_code == 1, cli.output
    assert "MISMATCH: the formats differ" in cli.output
    assert f"{day} transactions, record 1" in cli.output
    assert "outputs[0].value" in cli.output
    assert "part-00000.snappy.parquet record 1" in cli.output


def test_answer_key_with_one_altered_entity_total_reports_mismatch_naming_it(lake: Path) -> None:
    path = lake / "answer_key" / "answer_key.json"
    key = json.loads(path.read_text())
    key["entities"]["exchange_b"]["sent_sats"] += 7
    path.write_text(json.dumps(key))

    result = verify_lake(lake_root(lake.as_uri()), ["bitcoin-etl", "aws-parquet"])
    assert result.difference is None
    assert [(c.subject, c.metric) for c in result.mismatches] == [
        ("entity exchange_b", "sent_sats")
    ]
    bad = result.mismatches[0]
    assert bad.expected == bad.recounted + 7

    cli = invoke(lake)
    assert cli.exit_code == 1, cli.output
    assert "MISMATCH: 1 of" in cli.output
    assert "entity exchange_b sent_sats: answer key" in cli.output


def test_recount_from_parquet_alone_also_verifies(generated_lake: Path) -> None:
    cli = invoke(generated_lake, "--formats", "aws-parquet")
    assert cli.exit_code == 0, cli.output
    assert "OK: answer key recounts exactly from aws-parquet" in cli.output


def test_missing_answer_key_exits_2_and_says_so(lake: Path) -> None:
    (lake / "answer_key" / "answer_key.json").unlink()
    cli = invoke(lake)
    assert cli.exit_code == 2, cli.output
    assert "no answer key at" in cli.output


def test_format_absent_for_a_day_exits_2_naming_day_and_format(lake: Path) -> None:
    day = days_of(lake)[5]
    parquet_of(lake, day).unlink()
    cli = invoke(lake)
    assert cli.exit_code == 2, cli.output
    assert f"{day}: bitcoin/transactions/date={day} has no aws-parquet files" in cli.output


def test_unknown_format_exits_2(generated_lake: Path) -> None:
    cli = invoke(generated_lake, "--formats", "bitcoin-etl,csv")
    assert cli.exit_code == 2, cli.output
    assert "unknown lake formats ['csv']" in cli.output


def test_field_difference_reports_nested_path_and_tuple_length() -> None:
    out = Output(0, "asm", "hex", 1, "pubkeyhash", ("1abc",), 10)
    assert first_field_difference(out, out) is None
    moved = first_field_difference(out, dataclasses.replace(out, addresses=("1abc", "1def")))
    assert moved is not None and (moved.field, moved.left, moved.right) == (
        "addresses (length)",
        1,
        2,
    )
    renamed = first_field_difference(out, dataclasses.replace(out, addresses=("1xyz",)))
    assert renamed is not None and renamed.field == "addresses[0]"
