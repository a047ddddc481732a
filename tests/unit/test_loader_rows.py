"""Row rendering for COPY: column order, NULL vs empty arrays, UTC dates, unenriched inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime

from blocktrust.chain.records import Block, Input, Output, Transaction
from blocktrust.ingest.rows import (
    COLUMNS,
    block_row,
    input_rows,
    output_rows,
    transaction_row,
)

H = "ab" * 32
T = 1_700_006_399  # 2023-11-14 23:59:59 UTC: the last second of a day


def _tx(inputs: tuple[Input, ...], coinbase: bool = False) -> Transaction:
    return Transaction(
        hash=H,
        size=250,
        virtual_size=166,
        version=2,
        lock_time=0,
        block_number=800_000,
        block_hash="cd" * 32,
        block_timestamp=T,
        is_coinbase=coinbase,
        index=0 if coinbase else 3,
        inputs=inputs,
        outputs=(
            Output(0, "OP_DUP", "76a9", 1, "pubkeyhash", ("1Abc",), 40_000),
            Output(1, "OP_RETURN 6a", "6a", None, "nulldata", (), 0),
        ),
    )


ENRICHED = Input(0, "ef" * 32, 1, "asm", "4830", 4294967295, 1, "pubkeyhash", ("1Src",), 50_000)
UNENRICHED = Input(1, "ef" * 32, 2, "asm", "4830", 4294967294)


def test_every_renderer_matches_its_column_list() -> None:
    block = Block(H, 1000, 900, 3600, 800_000, 0x20000000, H, T, "1a2b", "17053894", None, 2)
    tx = _tx((ENRICHED,))
    assert len(block_row(block)) == len(COLUMNS["blocks"])
    assert len(transaction_row(tx)) == len(COLUMNS["transactions"])
    assert all(len(r) == len(COLUMNS["inputs"]) for r in input_rows(tx))
    assert all(len(r) == len(COLUMNS["outputs"]) for r in output_rows(tx))


def test_block_date_is_utc_date_of_last_second_of_day() -> None:
    row = transaction_row(_tx((ENRICHED,)))
    assert row[0] == date(2023, 11, 14)
    assert row[4] == datetime(2023, 11, 14, 23, 59, 59, tzinfo=UTC)


def test_unenriched_inputs_give_null_value_fee_and_addresses() -> None:
    tx = _tx((ENRICHED, UNENRICHED))
    row = dict(zip(COLUMNS["transactions"], transaction_row(tx), strict=True))
    assert row["input_value_sats"] is None
    assert row["fee_sats"] is None
    assert row["output_value_sats"] == 40_000
    second = dict(zip(COLUMNS["inputs"], list(input_rows(tx))[1], strict=True))
    assert second["addresses"] is None and second["value_sats"] is None
    first = dict(zip(COLUMNS["inputs"], list(input_rows(tx))[0], strict=True))
    assert first["addresses"] == ["1Src"] and first["value_sats"] == 50_000


def test_enriched_transaction_has_fee() -> None:
    row = dict(zip(COLUMNS["transactions"], transaction_row(_tx((ENRICHED,))), strict=True))
    assert (row["input_value_sats"], row["fee_sats"]) == (50_000, 10_000)


def test_coinbase_has_zero_input_value_and_fee() -> None:
    coinbase = Input(0, None, None, None, "03a0bb0d", 4294967295)
    row = dict(zip(COLUMNS["transactions"], transaction_row(_tx((coinbase,), True)), strict=True))
    assert (row["input_value_sats"], row["fee_sats"], row["is_coinbase"]) == (0, 0, True)


def test_op_return_output_gets_empty_array_not_null() -> None:
    rows = list(output_rows(_tx((ENRICHED,))))
    assert rows[1][6] == []  # psycopg renders a list as an array; a tuple would be a record
    assert rows[0][6] == ["1Abc"]
