"""open_lake_file, read_file and write_day on local paths and Airflow ObjectStoragePath."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from blocktrust.chain.formats import ChainDataError, open_lake_file, read_file, write_day
from blocktrust.lake import chain_partition, files_of_format, lake_root

GOLDEN = Path(__file__).parents[1] / "golden" / "formats" / "etl"
DAY = date(2009, 1, 12)


def day_records():
    txs = list(read_file(GOLDEN / "op_return.transactions.json", "transactions", "bitcoin-etl"))
    [block] = read_file(GOLDEN / "block_0.blocks.json", "blocks", "bitcoin-etl")
    block = replace(block, number=170, timestamp=txs[0].block_timestamp, transaction_count=2)
    return [block], txs


def test_write_day_layout_and_read_back_through_object_storage(tmp_path: Path) -> None:
    root = lake_root((tmp_path / "lake").as_uri())
    blocks, txs = day_records()
    written = write_day(root, DAY, blocks, txs)
    names = sorted(str(p).split("/bitcoin/", 1)[1] for p in written)
    assert names == [
        "blocks/date=2009-01-12/blocks.json",
        "blocks/date=2009-01-12/part-00000.snappy.parquet",
        "transactions/date=2009-01-12/part-00000.snappy.parquet",
        "transactions/date=2009-01-12/transactions.json",
    ]
    for lake_format in ("bitcoin-etl", "aws-parquet"):
        [blocks_file] = files_of_format(chain_partition(root, "blocks", DAY), lake_format)
        [txs_file] = files_of_format(chain_partition(root, "transactions", DAY), lake_format)
        assert list(read_file(blocks_file, "blocks", lake_format)) == blocks
        assert list(read_file(txs_file, "transactions", lake_format)) == txs


def test_write_day_refuses_records_of_another_day(tmp_path: Path) -> None:
    blocks, txs = day_records()
    with pytest.raises(ValueError, match="is dated 2009-01-12, not 2009-01-13"):
        write_day(tmp_path, date(2009, 1, 13), blocks, txs)


def test_write_day_refuses_etl_and_bigquery_together(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pick one"):
        write_day(tmp_path, DAY, [], [], formats=("bitcoin-etl", "bigquery"))


def test_open_lake_file_truncated_gzip_names_file(tmp_path: Path) -> None:
    cut = tmp_path / "blocks.json.gz"
    cut.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x4b\x4c\x4a")
    with open_lake_file(cut) as fh, pytest.raises(ChainDataError) as caught:
        fh.read()
    assert caught.value.source == str(cut)


def test_read_file_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown lake format"):
        read_file(tmp_path / "x.json", "blocks", "csv")
