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
from psycopg.rows import dict_row
from test_dbt_warehouse import D1, D2, D3, load_days, load_reference, module_database, txid

from blocktrust.settings import Settings
from blocktrust.warehouse.dbt import run_dbt, window_vars

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LONG_BEFORE_D3 = D1 - timedelta(days=30)
SPENT_INPUTS = "int_inputs_joined_to_spent_outputs"


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
    """Run `statement` (an update or delete of `schema.table`; placeholders %(t1)s, %(t2)s,
    %(t6)s, %(c101)s, %(c102)s: those transactions' hashes, %(old)s: LONG_BEFORE_D3) for the
    duration of the block; the table's rows are restored afterwards."""
    target = sql.Identifier(schema, table)
    backup = sql.Identifier("public", f"backup_{table}")
    with psycopg.connect(settings.dsn("owner")) as conn:
        conn.execute(sql.SQL("create table {} as select * from {}").format(backup, target))
        hashes = {label: txid(label) for label in ("t1", "t2", "t6", "c101", "c102")}
        conn.execute(statement, {**hashes, "old": LONG_BEFORE_D3})
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


def stored_failures(settings: Settings, test_name: str) -> list[dict]:
    """The failing rows that `dbt test --store-failures` kept for `test_name`."""
    relation = sql.Identifier("dbt_test__audit", test_name)
    with psycopg.connect(settings.dsn("owner"), row_factory=dict_row) as conn:
        return conn.execute(sql.SQL("select * from {}").format(relation)).fetchall()


NO_OUTPUT_SPENT_TWICE = "assert_no_output_spent_twice"
# t2's input 0 spends t1's output 0; these make it spend another output that has a spender
SPEND_T1_OUTPUT_1_LONG_BEFORE = (
    "update intermediate.int_inputs_joined_to_spent_outputs"
    " set spent_output_index = 1, block_date = %(old)s"
    " where transaction_hash = %(t2)s and input_index = 0"
)
SPEND_C101_OUTPUT_0_TWICE_LONG_BEFORE = (
    "update intermediate.int_inputs_joined_to_spent_outputs"
    " set spent_transaction_hash = case input_index when 0 then %(c101)s"
    " else spent_transaction_hash end, block_date = %(old)s"
    " where transaction_hash = %(t2)s"
)
# block 102's coinbase, whose txid block 103's coinbase repeats (t4 spends block 103's output)
SPEND_THE_EARLIER_BIP30_DUPLICATE = (
    "update intermediate.int_inputs_joined_to_spent_outputs"
    " set spent_transaction_hash = %(c102)s, spent_output_index = 0, spent_block_number = 102"
    " where transaction_hash = %(t2)s and input_index = 0"
)


def test_same_outpoint_spent_twice_fails_no_output_spent_twice(warehouse: Settings) -> None:
    # t6 (D3) spends t1's output 1; t2 (D2, moved to long before D3) now spends it too
    assert failures(warehouse, NO_OUTPUT_SPENT_TWICE) == {}
    with broken(warehouse, "intermediate", SPENT_INPUTS, SPEND_T1_OUTPUT_1_LONG_BEFORE):
        assert failures(warehouse, NO_OUTPUT_SPENT_TWICE) == {NO_OUTPUT_SPENT_TWICE: 1}
        run_dbt(warehouse, ["test", "--select", NO_OUTPUT_SPENT_TWICE, "--store-failures"], False)
        [row] = stored_failures(warehouse, NO_OUTPUT_SPENT_TWICE)
        outpoint = (row["spent_transaction_hash"], row["spent_output_index"])
        assert (outpoint, row["spent_block_number"], row["spend_count"]) == (
            (txid("t1"), 1),
            101,
            2,
        )
        assert sorted(row["spending_inputs"]) == [f"102:{txid('t2')}:0", f"104:{txid('t6')}:1"]
    assert failures(warehouse, NO_OUTPUT_SPENT_TWICE) == {}


def test_window_spend_of_an_output_spent_long_before_fails_the_daily_run(
    warehouse: Settings,
) -> None:
    with broken(warehouse, "intermediate", SPENT_INPUTS, SPEND_T1_OUTPUT_1_LONG_BEFORE):
        # only t6 is in D3's window; its spend is compared with the whole history
        expected = {NO_OUTPUT_SPENT_TWICE: 1}
        assert failures(warehouse, NO_OUTPUT_SPENT_TWICE, D3.isoformat()) == expected


def test_output_spent_twice_long_before_the_window_passes_the_daily_run_only(
    warehouse: Settings,
) -> None:
    with broken(warehouse, "intermediate", SPENT_INPUTS, SPEND_C101_OUTPUT_0_TWICE_LONG_BEFORE):
        assert failures(warehouse, NO_OUTPUT_SPENT_TWICE) == {NO_OUTPUT_SPENT_TWICE: 1}
        assert failures(warehouse, NO_OUTPUT_SPENT_TWICE, D3.isoformat()) == {}


def test_spends_of_both_outputs_of_a_bip30_duplicate_txid_pass_no_output_spent_twice(
    warehouse: Settings,
) -> None:
    # same (transaction_hash, output_index) spent twice, but in two blocks: two outputs
    with broken(warehouse, "intermediate", SPENT_INPUTS, SPEND_THE_EARLIER_BIP30_DUPLICATE):
        assert failures(warehouse, NO_OUTPUT_SPENT_TWICE) == {}
        assert failures(warehouse, NO_OUTPUT_SPENT_TWICE, D3.isoformat()) == {}


SUM_OF_BALANCES = "assert_sum_of_balances_equals_utxo_total"
# the daily run of a week after D3: its tests start at D3 (7 days of slack), so block 104 is the
# window and blocks 100-103 lie before it
WEEK_AFTER_D3 = (D3 + timedelta(days=7)).isoformat()


@pytest.mark.parametrize(
    ("schema", "table", "statement"),
    [
        pytest.param(
            "marts",
            "fct_address_ledger",
            # D received 70 BTC in block 102 and spent them in t6: its window row must continue
            # from that balance (a window whose running totals restart from the wrong base)
            "update marts.fct_address_ledger set balance_after_sats = balance_after_sats + 1"
            " where address = 'D' and block_number = 104",
            id="window_balance_not_continuing_the_row_before_the_window",
        ),
        pytest.param(
            "marts",
            "fct_address_ledger",
            "delete from marts.fct_address_ledger where address = 'I' and block_number = 104",
            id="ledger_row_missing_from_the_window",
        ),
        pytest.param(
            "intermediate",
            "int_outputs",
            "update intermediate.int_outputs set value_sats = value_sats + 1"
            " where transaction_hash = %(t6)s and output_index = 0",
            id="window_output_that_the_ledger_does_not_hold",
        ),
    ],
)
def test_daily_sum_of_balances_check_fails_when_the_window_breaks_the_utxo_identity(
    warehouse: Settings, schema: str, table: str, statement: str
) -> None:
    assert failures(warehouse, SUM_OF_BALANCES, WEEK_AFTER_D3) == {}
    with broken(warehouse, schema, table, statement):
        assert failures(warehouse, SUM_OF_BALANCES, WEEK_AFTER_D3) == {SUM_OF_BALANCES: 1}
        # the window of D3 itself holds the whole mini chain (no row before it)
        assert failures(warehouse, SUM_OF_BALANCES, D3.isoformat()) == {SUM_OF_BALANCES: 1}
    assert failures(warehouse, SUM_OF_BALANCES, WEEK_AFTER_D3) == {}


def test_unspent_output_changed_before_the_window_passes_the_daily_run_and_fails_the_full_one(
    warehouse: Settings,
) -> None:
    # t1's output 3 (A's change, block 101) is never spent: it counts in the UTXO set
    statement = (
        "update intermediate.int_outputs set value_sats = value_sats + 1"
        " where transaction_hash = %(t1)s and output_index = 3"
    )
    with broken(warehouse, "intermediate", "int_outputs", statement):
        assert failures(warehouse, SUM_OF_BALANCES) == {SUM_OF_BALANCES: 1}
        assert failures(warehouse, SUM_OF_BALANCES, WEEK_AFTER_D3) == {}


RECEIVED_MINUS_SENT = "assert_balances_are_received_minus_sent"


@pytest.mark.parametrize(
    ("table", "statement"),
    [
        pytest.param(
            "fct_address_ledger",
            "update marts.fct_address_ledger set cum_sent_sats = cum_sent_sats + 1"
            " where address = 'D' and block_number = 104",
            id="window_row_whose_running_total_skips_a_satoshi",
        ),
        pytest.param(
            "fct_address_ledger",
            # D's row in block 102 lies before the week-after window: its window row in block
            # 104 no longer continues it
            "update marts.fct_address_ledger set balance_after_sats = balance_after_sats + 1"
            " where address = 'D' and block_number = 102",
            id="row_before_the_window_that_the_window_does_not_continue",
        ),
        pytest.param(
            "dim_address_totals",
            "update marts.dim_address_totals set tx_count = tx_count + 1 where address = 'I'",
            id="totals_that_disagree_with_the_last_ledger_row",
        ),
    ],
)
def test_daily_received_minus_sent_check_fails_on_a_broken_running_total(
    warehouse: Settings, table: str, statement: str
) -> None:
    assert failures(warehouse, RECEIVED_MINUS_SENT, WEEK_AFTER_D3) == {}
    with broken(warehouse, "marts", table, statement):
        assert failures(warehouse, RECEIVED_MINUS_SENT, WEEK_AFTER_D3) == {RECEIVED_MINUS_SENT: 1}
    assert failures(warehouse, RECEIVED_MINUS_SENT, WEEK_AFTER_D3) == {}


def test_totals_off_before_the_window_pass_the_daily_check_and_fail_the_full_one(
    warehouse: Settings,
) -> None:
    # C received and spent everything in blocks 101-102, before the week-after window
    statement = "update marts.dim_address_totals set sent_sats = sent_sats + 1 where address = 'C'"
    with broken(warehouse, "marts", "dim_address_totals", statement):
        assert failures(warehouse, RECEIVED_MINUS_SENT) == {RECEIVED_MINUS_SENT: 1}
        assert failures(warehouse, RECEIVED_MINUS_SENT, WEEK_AFTER_D3) == {}


RECIPIENT_FLOORS = "assert_recipient_floors_match_flows"


def test_recipient_floor_that_flows_do_not_have_fails_the_floor_check(warehouse: Settings) -> None:
    # D paid fewer than 21 addresses: its floor must be null, or two hops out skips its flows
    statement = "update marts.dim_address_totals set recipient_floor_sats = 1 where address = 'D'"
    assert failures(warehouse, RECIPIENT_FLOORS) == {}
    with broken(warehouse, "marts", "dim_address_totals", statement):
        assert failures(warehouse, RECIPIENT_FLOORS) == {RECIPIENT_FLOORS: 1}
