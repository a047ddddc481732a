"""The committed GX project (expectations/gx) is what the code in blocktrust.gx defines."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from blocktrust.gx.checks import CHECKPOINTS, SUITES, check_names
from blocktrust.gx.sql import statement

logging.getLogger("great_expectations").setLevel(logging.WARNING)

GX_DIR = Path(__file__).resolve().parents[2] / "expectations" / "gx"


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.name)
def test_committed_suite_matches_code(suite):
    """Run `blocktrust gate suites` after changing checks.py or a check's SQL."""
    committed = json.loads((GX_DIR / "expectations" / f"{suite.name}.json").read_text())
    names = [e["meta"]["check"] for e in committed["expectations"]]
    assert names == [c.name for c in suite.checks]
    for check, expectation in zip(suite.checks, committed["expectations"], strict=True):
        if check.kind == "rows":
            assert expectation["kwargs"]["unexpected_rows_query"] == statement(check.name)


def test_committed_checkpoints_list_the_suites():
    for name, suites in CHECKPOINTS.items():
        committed = json.loads((GX_DIR / "checkpoints" / f"{name}.json").read_text())
        assert [v["name"] for v in committed["validation_definitions"]] == [s.name for s in suites]


def test_committed_config_holds_no_connection_string():
    text = (GX_DIR / "great_expectations.yml").read_text()
    assert "connection_string: ${BLOCKTRUST_GX_DSN}" in text
    assert "postgresql://" not in text and "password" not in text.lower()


def test_check_names_unique_and_documented():
    names = check_names()
    assert len(names) == len(set(names))
    doc = (GX_DIR.parents[1] / "docs" / "quality.md").read_text()
    missing = [n for n in names if f"`{n}`" not in doc]
    assert not missing, f"docs/quality.md does not list {missing}"


def test_rows_queries_alias_batch_and_contain_a_join():
    """GX leaves aliasing {batch} to a query with a JOIN and adds its own otherwise."""
    for suite in SUITES:
        for check in suite.checks:
            if check.kind == "rows":
                text = statement(check.name)
                assert "{batch} as batch_rows" in text, check.name
                assert " join " in text.lower(), check.name
