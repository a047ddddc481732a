"""The dbt data tests catch what they are written for, on the mini chain of test_dbt_warehouse.

Each case breaks one committed row (restored afterwards), runs `dbt test` on the affected tests
and checks that they fail, and how many rows they flag. Daily runs (--vars window_start) test
only the rows of their window (macros/test_window.sql): a broken row dated long before the window
passes the daily run and fails the full one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from psycopg import sql
from test_dbt_warehouse import D1, D2, D3, load_days, load_reference, module_database, txid

from blocktrust.settings import Settings
from blocktrust.warehouse.dbt import run_dbt, window_vars

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LONG_BEFORE_D3 = D1 - timedelta(days=30)


@pytest.fixture(scope="module")
def warehouse(_pg_base: Settings) -> Iterator[Settings]:
    """All three days loaded and the models built (the data tests pass: test_dbt_warehouse)."""
    for settings in module_database(_pg_base, "t"):
        load_reference(settings)
        load_days(settings, (D1, D2, D3))
        run_dbt(settings, ["run"])
        yield settings


@contextmanager
def broken(settings: Settings, schema: str, table: str, statement: str) -> Iterator[None]:
    """Run `statement` (an update or delete of `schema.table`; placeholders %(t1)s, %(t6)s: those
    transactions' hashes, %(old)s: LONG_BEFORE_D3) for the duration of the block; the table's
    rows are restored afterwards."""
    target = sql.Identifier(schema, table)
    backup = sql.Identifier("public", f"backup_{table}")
    with psycopg.connect(settings.dsn("owner")) as conn:
        conn.execute(sql.SQL("create table {} as select * from {}").format(backup, target))
        conn.execute(statement, {"t6": txid("t6"), "t1": txid("t1"), "old": LONG_BEFORE_D3})
    try:
        yield
    finally:
        with psycopg.connect(settings.dsn("owner")) as conn:
            conn.execute(sql.SQL("delete from {}").format(target))
            conn.execute(sql.SQL("insert into {} select * from {}").format(target, backup))
            conn.execute(sql.SQL("drop table {}").format(backup))


def failures(settings: Settings, select: str, window_start: str | None = None) -> dict[str, int]:
    """`dbt test --select <select>`: failing rows per test name (only tests that failed)."""
    run = run_dbt(settings, ["test", "--select", select, *window_vars(window_start)], check=False)
    out = {}
    for row in run.result.results:
        if row.node.resource_type == "test" and str(row.status) in ("fail", "error"):
            out[row.node.name] = row.failures
    return out


def by_prefix(flagged: dict[str, int], prefix: str) -> list[int]:
    """Failing-row counts of the failed tests, which must all be named `prefix...`."""
    assert all(name.startswith(prefix) for name in flagged), flagged
    return list(flagged.values())


@pytest.mark.parametrize(
    ("schema", "table", "statement", "flagged"),
    [
        pytest.param(
            "intermediate",
            "int_flow_edges",
            "update intermediate.int_flow_edges set value_sats = value_sats + 1"
            " where transaction_hash = %(t6)s and from_address = 'D' and to_address = 'J'",
            2,  # edges exceed the addressed outputs; fee shares fall short of the fee
            id="edge_off_by_one_satoshi",
        ),
        pytest.param(
            "intermediate",
            "int_flow_edges",
            "update intermediate.int_flow_edges set value_sats = value_sats"
            " + case from_address when 'D' then -100000000 else 100000000 end"
            " where transaction_hash = %(t6)s and to_address = 'J'",
            2,  # sums still balance, but D's and the multisig's totals stray from their share
            id="edge_credited_to_the_wrong_sender",
        ),
        pytest.param(
            "intermediate",
            "int_flow_edges",
            "delete from intermediate.int_flow_edges"
            " where transaction_hash = %(t6)s and from_address = 'D' and to_address = 'I'",
            3,  # both sums, and D's total strays
            id="edge_missing",
        ),
        pytest.param(
            "marts",
            "fct_transactions",
            "update marts.fct_transactions set fee_sats = fee_sats + 1"
            " where transaction_hash = %(t6)s",
            1,  # fee shares no longer add up to the fee
            id="fee_off_by_one_satoshi",
        ),
    ],
)
def test_flows_conserve_value_fails_on_a_broken_split(
    warehouse: Settings, schema: str, table: str, statement: str, flagged: int
) -> None:
    assert failures(warehouse, "assert_flows_conserve_value") == {}
    with broken(warehouse, schema, table, statement):
        expected = {"assert_flows_conserve_value": flagged}
        assert failures(warehouse, "assert_flows_conserve_value") == expected
        # t6 is in D3: the daily run of D3 sees it too
        assert failures(warehouse, "assert_flows_conserve_value", D3.isoformat()) == expected
    assert failures(warehouse, "assert_flows_conserve_value") == {}


@pytest.mark.parametrize(
    ("statement", "select", "test_name"),
    [
        pytest.param(
            "update marts.fct_transactions set fee_sats = fee_sats + 1, block_date = %(old)s"
            " where transaction_hash = %(t1)s",
            "assert_resolved_inputs_equal_outputs_plus_fee",
            "assert_resolved_inputs_equal_outputs_plus_fee",
            id="singular_test",
        ),
        pytest.param(
            "update marts.fct_transactions set output_value_sats = null, block_date = %(old)s"
            " where transaction_hash = %(t1)s",
            "fct_transactions,test_type:generic",
            "not_null_columns_fct_transactions",  # dbt shortens long generated names
            id="generic_test_with_where_config",
        ),
    ],
)
def test_daily_run_skips_a_broken_row_dated_before_its_window_and_full_run_catches_it(
    warehouse: Settings, statement: str, select: str, test_name: str
) -> None:
    with broken(warehouse, "marts", "fct_transactions", statement):
        assert by_prefix(failures(warehouse, select), test_name) == [1]
        assert failures(warehouse, select, D3.isoformat()) == {}
        # a window that reaches the row (7 days of slack before window_start) tests it again
        reaching = (LONG_BEFORE_D3 + timedelta(days=7)).isoformat()
        assert by_prefix(failures(warehouse, select, reaching), test_name) == [1]
