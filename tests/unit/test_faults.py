"""The gate drill's fault: the file still parses, the checksum breaks, and it can be undone."""

from __future__ import annotations

import json
from datetime import date

import pytest

from blocktrust.chain.encoding import AddressError, decode_address
from blocktrust.chain.faults import break_address_checksum, broken_days, restore_broken_days
from blocktrust.chain.formats import write_day
from blocktrust.chain.generator import GeneratorConfig, generate_chain
from blocktrust.lake import chain_partition, lake_root

DAY = date(2013, 4, 10)


@pytest.fixture
def lake(tmp_path):
    root = lake_root((tmp_path / "lake").as_uri())
    config = GeneratorConfig(seed=12, n_transactions=300, start=DAY, end=date(2013, 4, 11))
    for batch in generate_chain(config):
        if batch.blocks and batch.day == DAY:
            write_day(root, batch.day, batch.blocks, batch.transactions, formats=("bitcoin-etl",))
    return root


def _transactions_file(root):
    return chain_partition(root, "transactions", DAY) / "transactions.json"


def test_broken_file_still_parses_but_the_address_checksum_fails(lake) -> None:
    fault = break_address_checksum(lake, DAY)
    text = _transactions_file(lake).read_text()
    broken = fault.detail.split(" rewritten as ")[1].split(" ")[0]
    assert all(json.loads(line) for line in text.splitlines() if line.strip())
    assert f'"{broken}"' in text
    with pytest.raises(AddressError, match="checksum"):
        decode_address(broken)
    assert broken_days(lake) == [DAY]


def test_restore_puts_back_the_original_even_after_two_drills(lake) -> None:
    original = _transactions_file(lake).read_text()
    break_address_checksum(lake, DAY)
    break_address_checksum(lake, DAY)
    assert _transactions_file(lake).read_text() != original
    assert restore_broken_days(lake) == [DAY]
    assert _transactions_file(lake).read_text() == original
    assert broken_days(lake) == []


def test_day_without_a_transactions_file_is_named(lake) -> None:
    with pytest.raises(FileNotFoundError, match="2013-04-12"):
        break_address_checksum(lake, date(2013, 4, 12))
