"""AWS Public Blockchain Parquet: golden rows (tests/golden/formats/aws) in the AWS schema."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from blocktrust.chain.formats import ChainDataError, aws_parquet, read_file
from blocktrust.chain.formats._fields import sats_from_btc_double

GOLDEN = Path(__file__).parents[1] / "golden" / "formats" / "aws"
NS = 1_000_000_000


def to_parquet(name: str, table: str, target: Path, row_group_size: int = 10_000) -> Path:
    schema = aws_parquet.BLOCKS_SCHEMA if table == "blocks" else aws_parquet.TRANSACTIONS_SCHEMA
    rows = [json.loads(line) for line in (GOLDEN / f"{name}.{table}.json").read_text().splitlines()]
    for row in rows:
        for column in ("timestamp", "mediantime", "block_timestamp"):
            if row.get(column) is not None:
                row[column] *= NS
    path = target / f"{name}.snappy.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, row_group_size=row_group_size)
    return path


def test_block_0(tmp_path: Path) -> None:
    genesis, block_1 = read_file(to_parquet("block_0", "blocks", tmp_path), "blocks", "aws-parquet")
    assert genesis.nonce == "7c2bac1d" and genesis.timestamp == 1231006505
    assert genesis.previous_block_hash is None
    assert block_1.previous_block_hash == genesis.hash


def test_float_btc_values(tmp_path: Path) -> None:
    path = to_parquet("float_btc_values", "transactions", tmp_path)
    coinbase, spend = read_file(path, "transactions", "aws-parquet")
    assert [o.value for o in coinbase.outputs] == [
        10_000_000,
        20_000_000,
        30_000_000,
        1,
        2_099_999_997_690_000,
    ]
    assert [i.value for i in spend.inputs] == [10_000_000, 20_000_000]
    assert spend.fee == 1_000
    assert spend.outputs[1].addresses == () and spend.outputs[1].type == "nulldata"


def test_float_btc_values_not_whole_satoshis(tmp_path: Path) -> None:
    path = to_parquet("not_whole_satoshis", "transactions", tmp_path, row_group_size=1)
    records = read_file(path, "transactions", "aws-parquet")
    assert next(records).hash == "bb" * 32
    with pytest.raises(ChainDataError) as caught:
        next(records)
    assert caught.value.location == "row group 1, row 0"
    assert caught.value.field == "outputs[0].value"
    assert "0.30000000000000004" in caught.value.message


def test_address_singular(tmp_path: Path) -> None:
    coinbase, spend = read_file(
        to_parquet("float_btc_values", "transactions", tmp_path), "transactions", "aws-parquet"
    )
    assert coinbase.outputs[0].addresses == ("bc1qexample0",)
    assert spend.inputs[1].addresses == ("bc1qexample1",)


def test_coinbase_without_inputs(tmp_path: Path) -> None:
    coinbase, _ = read_file(
        to_parquet("float_btc_values", "transactions", tmp_path), "transactions", "aws-parquet"
    )
    assert coinbase.is_coinbase and coinbase.inputs == ()
    assert coinbase.fee == 0


def test_schema_drift_missing_column(tmp_path: Path) -> None:
    table = pq.read_table(to_parquet("float_btc_values", "transactions", tmp_path))
    drifted = tmp_path / "drifted.parquet"
    pq.write_table(table.drop_columns(["block_hash"]), drifted)
    with pytest.raises(ChainDataError) as caught:
        list(read_file(drifted, "transactions", "aws-parquet"))
    assert (caught.value.location, caught.value.field) == ("schema", "block_hash")


def test_schema_drift_timestamp_as_integer(tmp_path: Path) -> None:
    table = pq.read_table(to_parquet("float_btc_values", "transactions", tmp_path))
    index = table.schema.get_field_index("block_timestamp")
    as_int = table.set_column(index, "block_timestamp", table["block_timestamp"].cast(pa.int64()))
    drifted = tmp_path / "drifted.parquet"
    pq.write_table(as_int, drifted)
    with pytest.raises(ChainDataError) as caught:
        list(read_file(drifted, "transactions", "aws-parquet"))
    assert caught.value.field == "block_timestamp"


def test_schema_drift_value_as_string(tmp_path: Path) -> None:
    rows = pq.read_table(to_parquet("float_btc_values", "transactions", tmp_path)).to_pylist()
    for row in rows:
        for output in row["outputs"]:
            output["value"] = repr(output["value"])
    drifted = tmp_path / "drifted.parquet"
    pq.write_table(pa.Table.from_pylist(rows), drifted)
    with pytest.raises(ChainDataError) as caught:
        list(read_file(drifted, "transactions", "aws-parquet"))
    assert (caught.value.location, caught.value.field) == ("row group 0, row 0", "outputs[0].value")


def test_not_a_parquet_file(tmp_path: Path) -> None:
    junk = tmp_path / "part-00000.snappy.parquet"
    junk.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(ChainDataError, match="not a readable Parquet file"):
        list(read_file(junk, "transactions", "aws-parquet"))


def test_output_value_sum_far_off(tmp_path: Path) -> None:
    rows = pq.read_table(to_parquet("float_btc_values", "transactions", tmp_path)).to_pylist()
    rows[1]["output_value"] = 0.3
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=aws_parquet.TRANSACTIONS_SCHEMA), bad)
    with pytest.raises(ChainDataError) as caught:
        list(read_file(bad, "transactions", "aws-parquet"))
    assert (caught.value.location, caught.value.field) == ("row group 0, row 1", "output_value")


@pytest.mark.parametrize(
    ("double", "sats"),
    [(0.1, 10_000_000), (0.3, 30_000_000), (1e-08, 1), (20999999.9769, 2_099_999_997_690_000)],
)
def test_float_btc_values_exact(double: float, sats: int) -> None:
    assert sats_from_btc_double(double) == sats
    assert sats_from_btc_double(aws_parquet.btc(sats)) == sats


def test_writer_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aws_parquet, "ROW_GROUP_SIZE", 2)
    source = to_parquet("float_btc_values", "transactions", tmp_path)
    txs = list(read_file(source, "transactions", "aws-parquet")) * 3
    target = tmp_path / "part-00000.snappy.parquet"
    with target.open("wb") as fh:
        assert aws_parquet.write_transactions(txs, fh) == 6
    metadata = pq.ParquetFile(target).metadata
    assert metadata.num_row_groups == 3
    assert metadata.row_group(0).column(0).compression == "SNAPPY"
    assert list(read_file(target, "transactions", "aws-parquet")) == txs


def test_writer_refuses_two_addresses(tmp_path: Path) -> None:
    from dataclasses import replace

    [tx] = list(
        read_file(
            to_parquet("float_btc_values", "transactions", tmp_path), "transactions", "aws-parquet"
        )
    )[:1]
    multisig = replace(
        tx, outputs=(replace(tx.outputs[0], addresses=("1a", "1b")), *tx.outputs[1:])
    )
    with (tmp_path / "x.parquet").open("wb") as fh, pytest.raises(ValueError, match="addresses"):
        aws_parquet.write_transactions([multisig], fh)
