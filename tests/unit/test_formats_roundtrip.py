"""Records -> write -> read -> identical records, in every format (hypothesis)."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import blocks, transactions

from blocktrust.chain.formats import aws_parquet, bigquery_json, etl_json

FORMATS = [etl_json, bigquery_json, aws_parquet]
FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("module", FORMATS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
@FAST
@given(records=st.lists(transactions(), max_size=6))
def test_transactions_round_trip(module, records) -> None:
    buffer = io.BytesIO()
    assert module.write_transactions(records, buffer) == len(records)
    buffer.seek(0)
    assert list(module.read_transactions(buffer, "memory")) == records


@pytest.mark.parametrize("module", FORMATS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
@FAST
@given(records=st.lists(blocks(), max_size=4))
def test_blocks_round_trip(module, records) -> None:
    buffer = io.BytesIO()
    assert module.write_blocks(records, buffer) == len(records)
    buffer.seek(0)
    assert list(module.read_blocks(buffer, "memory")) == records
