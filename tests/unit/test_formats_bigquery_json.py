"""BigQuery crypto_bitcoin JSON exports: TIMESTAMP text, NUMERIC strings, *_month columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from blocktrust.chain.formats import ChainDataError, read_file
from blocktrust.chain.formats._fields import epoch_from_timestamp_string

GOLDEN = Path(__file__).parents[1] / "golden" / "formats" / "bigquery"


def read(name: str, table: str = "transactions") -> list:
    return list(read_file(GOLDEN / f"{name}.{table}.json", table, "bigquery"))


def test_block_0() -> None:
    [block] = read("block_0", "blocks")
    assert block.timestamp == 1231006505
    assert (block.number, block.size, block.transaction_count) == (0, 285, 1)
    assert block.nonce == "7c2bac1d"


def test_timestamps_and_numeric_strings() -> None:
    coinbase, spend = read("timestamps_and_numeric_strings")
    assert coinbase.block_timestamp == spend.block_timestamp == 1231731025
    assert coinbase.outputs[0].value == 5_000_000_000  # "5000000000.0"
    assert spend.outputs[1].value == 4_000_000_000  # "4000000000.000000000"
    assert spend.inputs[0].value == 5_000_000_000
    assert spend.inputs[0].sequence == 4294967295  # INT64 as a string
    assert spend.fee == 0


def test_missing_index_numbers_transactions_in_file_order() -> None:
    coinbase, spend = read("timestamps_and_numeric_strings")
    assert (coinbase.index, spend.index) == (0, 1)


def test_fractional_numeric() -> None:
    with pytest.raises(ChainDataError) as caught:
        read("fractional_numeric")
    assert (caught.value.location, caught.value.field) == ("line 1", "outputs[0].value")


@pytest.mark.parametrize(
    "text",
    [
        "2009-01-03 18:15:05 UTC",
        "2009-01-03T18:15:05Z",
        "2009-01-03T18:15:05+00:00",
        "2009-01-03 19:15:05+01:00",
        "2009-01-03 18:15:05.000000 UTC",
    ],
)
def test_bigquery_timestamp_spellings(text: str) -> None:
    assert epoch_from_timestamp_string(text) == 1231006505


def test_bigquery_timestamp_with_fraction_is_rejected() -> None:
    with pytest.raises(ValueError, match="fractional seconds"):
        epoch_from_timestamp_string("2009-01-03 18:15:05.5 UTC")
