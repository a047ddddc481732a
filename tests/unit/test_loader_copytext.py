"""COPY text rendering: the bitcoin-etl fast path against the canonical reader + ``row_text``."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from blocktrust.chain.formats import ChainDataError, etl_json
from blocktrust.chain.generator import GeneratorConfig, generate_chain
from blocktrust.ingest.copytext import EtlTransactionText, array_literal, escape, row_text

GOLDEN = Path(__file__).parents[1] / "golden" / "formats" / "etl"


def _lines(path: Path) -> list[bytes]:
    return [line for line in path.read_bytes().splitlines() if line.strip()]


def _both(render: EtlTransactionText, raw: bytes) -> tuple:
    return render.render(raw, "src", 1), render._canonical(raw, "src", 1)


def test_fast_path_renders_generated_chain_like_canonical_rows() -> None:
    config = GeneratorConfig(
        seed=3, n_transactions=600, start=date(2013, 4, 5), end=date(2013, 4, 6)
    )
    txs = [t for batch in generate_chain(config) for t in batch.transactions]
    buffer = io.BytesIO()
    etl_json.write_transactions(txs, buffer)
    render = EtlTransactionText()
    lines = buffer.getvalue().splitlines()
    assert len(lines) == len(txs) > 500
    for raw in lines:
        fast, canonical = _both(render, raw)
        assert fast == canonical


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.transactions.json")), ids=lambda p: p.name)
def test_golden_files_render_or_fail_like_canonical(path: Path) -> None:
    render = EtlTransactionText()
    for raw in _lines(path):
        try:
            canonical = render._canonical(raw, str(path), 1)
        except ChainDataError as expected:
            with pytest.raises(ChainDataError) as caught:
                render.render(raw, str(path), 1)
            assert str(caught.value) == str(expected)
        else:
            assert render.render(raw, str(path), 1) == canonical


def test_escaped_strings_take_the_canonical_path_and_are_escaped() -> None:
    line = (GOLDEN / "op_return.transactions.json").read_bytes().splitlines()[0]
    record = json.loads(line)
    record["outputs"][0]["addresses"] = ['a"b\\c\td']
    render = EtlTransactionText()
    _, _, _, outputs = render.render(json.dumps(record).encode(), "src", 1)
    assert '{"a\\\\"b\\\\\\\\c\\td"}' in outputs[0]


def test_missing_field_raises_the_canonical_error_with_line() -> None:
    record = json.loads((GOLDEN / "op_return.transactions.json").read_bytes().splitlines()[0])
    del record["block_hash"]
    with pytest.raises(ChainDataError) as caught:
        EtlTransactionText().render(json.dumps(record).encode(), "f.json", 7)
    assert str(caught.value) == "f.json:line 7: block_hash: required field is missing"


def test_copy_text_escapes_and_nulls() -> None:
    assert escape("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"
    assert array_literal([]) == "{}"
    assert array_literal(['x"y']) == '{"x\\"y"}'
    assert row_text((None, True, 5, "s", date(2020, 1, 2), [])) == "\\N\tt\t5\ts\t2020-01-02\t{}\n"
    with pytest.raises(ValueError, match="NUL"):
        escape("a\x00b")
