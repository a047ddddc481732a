"""bitcoin-etl JSON lines: one golden file per edge case (tests/golden/formats/etl)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from blocktrust.chain.formats import ChainDataError, read_file
from blocktrust.chain.records import Block, Input

GOLDEN = Path(__file__).parents[1] / "golden" / "formats" / "etl"


def read(name: str, table: str = "transactions") -> list:
    return list(read_file(GOLDEN / f"{name}.{table}.json", table, "bitcoin-etl"))


def test_block_0() -> None:
    [block] = read("block_0", "blocks")
    assert block == Block(
        hash="000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
        size=285,
        stripped_size=285,
        weight=1140,
        number=0,
        version=1,
        merkle_root="4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
        timestamp=1231006505,
        nonce="7c2bac1d",
        bits="1d00ffff",
        coinbase_param=block.coinbase_param,
        transaction_count=1,
        previous_block_hash=None,
    )
    assert block.coinbase_param.startswith("04ffff001d")
    assert str(block.block_date) == "2009-01-03"


def test_unenriched_inputs() -> None:
    nulls, absent = read("unenriched_inputs")
    for tx in (nulls, absent):
        [spend] = tx.inputs
        assert spend.type is None
        assert spend.addresses == ()
        assert spend.value is None
        assert spend.spent_transaction_hash.startswith("0437cd7f")
        assert tx.input_value is None and tx.fee is None
        assert tx.output_value == 5_000_000_000


def test_enriched_inputs() -> None:
    [tx] = read("enriched")
    assert tx.inputs[0].value == 5_000_000_000
    assert tx.inputs[0].addresses == ("12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S",)
    assert tx.fee == 0


def test_address_vs_addresses() -> None:
    plural, singular = read("address_vs_addresses")
    assert [o.addresses for o in singular.outputs] == [o.addresses for o in plural.outputs]
    assert singular.inputs[0].addresses == plural.inputs[0].addresses
    assert singular.outputs[0].addresses == ("1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3",)


def test_coinbase() -> None:
    without_input, with_input = read("coinbase")
    assert without_input.is_coinbase and without_input.inputs == ()
    assert without_input.input_value == 0 and without_input.fee == 0
    assert with_input.inputs == (Input(0, None, None, None, None, 4294967295),)
    assert with_input.fee == 0


def test_op_return() -> None:
    empty_list, null_list = read("op_return")
    for tx in (empty_list, null_list):
        op_return = tx.outputs[1]
        assert op_return.type == "nulldata"
        assert op_return.addresses == ()
        assert op_return.value == 0
        assert op_return.script_hex.startswith("6a")
    assert empty_list.fee == 10_000


def test_duplicate_txid() -> None:
    first, second = read("duplicate_txid")
    assert (
        first.hash
        == second.hash
        == ("d5d27987d2a3dfc724e359870c6644b40e497bdc0589a033220fe15429d88599")
    )
    assert (first.block_number, second.block_number) == (91812, 91842)
    assert first != second
    assert len({(t.block_hash, t.hash) for t in (first, second)}) == 2


def test_malformed_json() -> None:
    records = read_file(GOLDEN / "malformed_json.transactions.json", "transactions", "bitcoin-etl")
    assert next(records).index == 0
    assert next(records).hash.startswith("f4184fc5")
    with pytest.raises(ChainDataError) as caught:
        next(records)
    assert caught.value.location == "line 3"
    assert caught.value.source.endswith("malformed_json.transactions.json")
    assert "malformed JSON" in str(caught.value)


def test_schema_drift_missing_field() -> None:
    with pytest.raises(ChainDataError) as caught:
        read("schema_drift_missing_field")
    error = caught.value
    assert (error.location, error.field) == ("line 2", "block_hash")
    assert str(error).endswith("line 2: block_hash: required field is missing")


def test_schema_drift_wrong_type() -> None:
    with pytest.raises(ChainDataError) as caught:
        read("schema_drift_wrong_type")
    assert (caught.value.location, caught.value.field) == ("line 1", "outputs[1].value")
    assert "expected integer satoshis" in caught.value.message


def test_non_integral_satoshis() -> None:
    with pytest.raises(ChainDataError) as caught:
        read("non_integral_satoshis")
    assert caught.value.field == "outputs[0].value"
    assert "not a whole number of satoshis" in caught.value.message


def test_gzip_reads_like_plain(tmp_path: Path) -> None:
    plain = GOLDEN / "op_return.transactions.json"
    packed = tmp_path / "transactions.json.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert list(read_file(packed, "transactions", "bitcoin-etl")) == read("op_return")


def test_truncated_gzip(tmp_path: Path) -> None:
    whole = gzip.compress((GOLDEN / "op_return.transactions.json").read_bytes() * 50)
    cut = tmp_path / "transactions.json.gz"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    with pytest.raises(ChainDataError) as caught:
        list(read_file(cut, "transactions", "bitcoin-etl"))
    assert caught.value.source == str(cut)
    assert caught.value.location.startswith("after line ")
    assert "truncated or corrupt gzip" in caught.value.message


def test_aggregate_disagrees_with_outputs(tmp_path: Path) -> None:
    text = (GOLDEN / "enriched.transactions.json").read_text()
    bad = tmp_path / "transactions.json"
    bad.write_text(text.replace('"output_value":5000000000', '"output_value":5000000001'))
    with pytest.raises(ChainDataError) as caught:
        list(read_file(bad, "transactions", "bitcoin-etl"))
    assert caught.value.field == "output_value"


def test_blank_lines_are_skipped_and_numbered(tmp_path: Path) -> None:
    source = tmp_path / "transactions.json"
    source.write_text("\n" + (GOLDEN / "enriched.transactions.json").read_text() + "\n\n{]\n")
    with pytest.raises(ChainDataError) as caught:
        list(read_file(source, "transactions", "bitcoin-etl"))
    assert caught.value.location == "line 5"
