"""`blocktrust address` against real marts built by dbt from the hand-made mini chain."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.rows import dict_row
from test_dbt_warehouse import BTC, D1, D2, D3, MULTISIG, load_days, load_reference, module_database

from blocktrust.cli import main
from blocktrust.settings import Settings
from blocktrust.warehouse.address import address_summary, btc, load_query
from blocktrust.warehouse.dbt import run_dbt

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def marts(_pg_base: Settings) -> Iterator[Settings]:
    for settings in module_database(_pg_base, "a"):
        load_reference(settings)
        load_days(settings, (D1, D2, D3))
        run_dbt(settings, ["run"])
        yield settings


def invoke(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv("BLOCKTRUST_PG_DATABASE", settings.pg_database)
    return CliRunner().invoke(main, ["address", *args])


def test_address_prints_totals_usd_tags_and_counterparties(
    marts: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke(marts, monkeypatch, "A")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Tags      alice" in lines
    assert "Received  59.99990000 BTC   $2,520,003.21 at the time" in lines
    assert "Sent      50.00000000 BTC   $2,100,006.17 at the time" in lines
    assert any(
        line.startswith("Balance   9.99990000 BTC   $429,995.70 at the latest") for line in lines
    )
    assert "Txs       2 (2 receiving, 1 spending)" in lines
    recipients = lines[lines.index("Top 10 recipients (flows out)") + 1 :]
    assert recipients[0].split()[1:3] == ["C", "30.00000000"]
    assert "$1,260,003.70" in recipients[0]
    assert recipients[1].split()[1:3] == [MULTISIG, "10.00000000"]
    senders = lines[lines.index("Top 10 senders (flows in)") + 1 :]
    assert senders == ["  (none)"]  # only its own change came back


def test_address_senders_split_an_unenriched_payment_by_input_value(
    marts: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = address_summary(marts, "D")
    assert summary.tags == ("donation",)
    senders = {c.address: c.value_sats for c in summary.top_senders}
    # t2 paid D 70 BTC from C (30 BTC) and B (50.0001 BTC), both resolved from spent outputs
    assert set(senders) == {"B", "C"}
    assert sum(senders.values()) == 70 * BTC
    assert abs(senders["C"] - 70 * BTC * 30 / 80.0001) <= 1
    # t6: D owned 7/8 of the inputs, so about 7/8 of the outputs (one satoshi per output)
    recipients = {c.address: c.value_sats for c in summary.top_recipients}
    assert set(recipients) == {"I", "J", "K"}
    assert abs(sum(recipients.values()) - (80 * BTC - 10_000) * 7 / 8) <= 3
    assert btc(recipients["I"]) == "23.33333334"


def test_address_unknown_to_the_warehouse_fails_with_a_clear_message(
    marts: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke(marts, monkeypatch, "1NoSuchAddressxxxxxxxxxxxxxxxxxxx")
    assert result.exit_code != 0
    assert "has no transaction in the warehouse" in result.output


def run_query(settings: Settings, name: str, **params: object) -> list[dict]:
    with psycopg.connect(settings.dsn("analyst"), row_factory=dict_row) as conn:
        return conn.execute(load_query(name), params).fetchall()


def test_cookbook_ledger_keyset_pages_walk_back_without_offset(marts: Settings) -> None:
    first = run_query(marts, "address_ledger_first_page", address="A", page_size=1)
    assert [(r["block_number"], r["balance_after_sats"]) for r in first] == [
        (101, 10 * BTC - 10_000)
    ]
    last = first[-1]
    deeper = run_query(
        marts,
        "address_ledger_next_page",
        address="A",
        after_block_number=last["block_number"],
        after_transaction_index=last["transaction_index"],
        page_size=10,
    )
    assert [(r["block_number"], r["received_sats"]) for r in deeper] == [(100, 50 * BTC)]


def test_cookbook_balance_history_fills_days_without_activity(marts: Settings) -> None:
    rows = run_query(marts, "address_balance_history", address="E", date_from=D1, date_to=D3)
    assert [(r["balance_date"], r["balance_sats"]) for r in rows] == [
        (D1, 0),
        (D2, 10 * BTC - 10_000),
        (D3, 10 * BTC - 10_000),  # no activity on D3: carried, marked at D3's (filled) close
    ]
    assert rows[2]["balance_usd"] == (10 * BTC - 10_000) * rows[2]["price_usd"] / BTC


def test_cookbook_balance_history_first_day_uses_its_own_row_not_the_carried_one(
    marts: Settings,
) -> None:
    # an address whose balance moves on D1 and again on D2: a range starting on D2 has both
    # the balance carried from D1 and D2's own row for its first day
    with psycopg.connect(marts.dsn("analyst")) as conn:
        address, d2_balance = conn.execute(
            "select address, max(balance_sats) filter (where balance_date = %(d2)s)"
            " from marts.fct_address_daily_balances where balance_date in (%(d1)s, %(d2)s)"
            " group by address having count(distinct balance_sats) = 2 order by address limit 1",
            {"d1": D1, "d2": D2},
        ).fetchone()
    rows = run_query(marts, "address_balance_history", address=address, date_from=D2, date_to=D2)
    assert [(r["balance_date"], r["balance_sats"]) for r in rows] == [(D2, d2_balance)]


def test_cookbook_flows_between_and_two_hops_out(marts: Settings) -> None:
    between = run_query(marts, "flows_between", address_a="A", address_b="C")
    assert [(r["from_address"], r["to_address"], r["value_sats"]) for r in between] == [
        ("A", "C", 30 * BTC)
    ]
    hops = run_query(marts, "two_hops_out", address="A", hop1_limit=10, hop2_limit=10)
    pairs = {(r["hop_1_address"], r["hop_2_address"]) for r in hops}
    # A paid C and the multisig; C's coins went to D and E (t2), the multisig's to I, J, K (t6)
    assert pairs == {("C", "D"), ("C", "E"), (MULTISIG, "I"), (MULTISIG, "J"), (MULTISIG, "K")}
