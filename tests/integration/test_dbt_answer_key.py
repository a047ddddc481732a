"""End to end: generator -> lake (bitcoin-etl) -> loader -> dbt build; marts match the answer key.

The generator counts exact totals while it writes the chain. Its proportional split floors each
(transaction, input address, output) share; the warehouse rounds by largest remainder, so a
flow may exceed the key's by at most one satoshi per output it covers (int_flow_edges
output_count), never fall short.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import psycopg
import pytest
from psycopg import sql
from test_dbt_warehouse import module_database, select

from blocktrust.chain.formats import write_day
from blocktrust.chain.generator import GeneratorConfig, generate_chain, write_tagpack
from blocktrust.ingest.loader import load_day, load_tags
from blocktrust.lake import lake_root
from blocktrust.settings import Settings
from blocktrust.warehouse.dbt import run_dbt

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CONFIG = GeneratorConfig(
    seed=7,
    n_transactions=1500,
    start=date(2013, 4, 5),
    end=date(2013, 4, 7),
    donation_start=date(2013, 4, 5),
    data_burst_start=date(2013, 4, 6),
)
PRICE = Decimal("120.50")


@pytest.fixture(scope="module")
def warehouse(_pg_base: Settings, tmp_path_factory: pytest.TempPathFactory):
    lake_url = (tmp_path_factory.mktemp("lake")).as_uri()
    root = lake_root(lake_url)
    run = generate_chain(CONFIG)
    days = []
    for batch in run:
        if batch.blocks:
            write_day(root, batch.day, batch.blocks, batch.transactions, formats=("bitcoin-etl",))
            days.append(batch.day)
    key = run.answer_key.to_json()
    write_tagpack(root, run.answer_key)
    for settings in module_database(_pg_base, "k"):
        for day in days:
            load_day(settings, day, lake_url=lake_url, lake_format="bitcoin-etl")
        load_tags(settings, lake_url=lake_url)
        _insert_prices(settings, days)
        run_dbt(settings, ["build"])
        yield settings, key


def _insert_prices(settings: Settings, days: list[date]) -> None:
    statement = sql.SQL("copy {} (price_date, close_usd, is_filled, source) from stdin").format(
        sql.Identifier("raw", "prices_btc_usd_daily")
    )
    with (
        psycopg.connect(settings.dsn("owner")) as conn,
        conn.cursor() as cur,
        cur.copy(statement) as copy,
    ):
        for day in days:
            copy.write_row((day, PRICE, False, "test"))


def _ledger_tx_count(settings: Settings, addresses: list[str]) -> int:
    transactions = set()
    for address in addresses:
        for row in select(settings, "fct_address_ledger", address=address):
            transactions.add((row["transaction_hash"], row["block_number"]))
    return len(transactions)


def test_donation_address_totals_match_the_answer_key(warehouse) -> None:
    settings, key = warehouse
    donation = key["donation"]
    row = select(settings, "dim_addresses", address=donation["address"])[0]
    assert (row["received_sats"], row["sent_sats"], row["balance_sats"], row["tx_count"]) == (
        donation["received_sats"],
        donation["sent_sats"],
        donation["balance_sats"],
        donation["tx_count"],
    )
    assert "donation" in row["tags"]
    assert row["balance_usd"] == row["balance_sats"] * PRICE / 100_000_000


def test_entity_totals_match_the_answer_key(warehouse) -> None:
    settings, key = warehouse
    assert key["entities"]
    for label, entity in key["entities"].items():
        rows = [
            r for a in entity["addresses"] for r in select(settings, "dim_addresses", address=a)
        ]
        assert (
            sum(r["received_sats"] for r in rows),
            sum(r["sent_sats"] for r in rows),
            _ledger_tx_count(settings, entity["addresses"]),
        ) == (entity["received_sats"], entity["sent_sats"], entity["tx_count"]), label


def test_sum_of_balances_is_the_answer_key_utxo_total(warehouse) -> None:
    settings, key = warehouse
    total = sum(r["balance_sats"] for r in select(settings, "dim_address_totals"))
    assert total == key["utxo_total_sats"]


def test_donation_top_recipients_match_the_floor_split_within_one_sat_per_output(
    warehouse,
) -> None:
    settings, key = warehouse
    donation = key["donation"]["address"]
    assert key["donation"]["top_recipients"]
    for recipient in key["donation"]["top_recipients"]:
        flows = select(
            settings, "fct_address_flows", from_address=donation, to_address=recipient["address"]
        )
        edges = select(
            settings,
            "intermediate.int_flow_edges",
            from_address=donation,
            to_address=recipient["address"],
        )
        slack = sum(e["output_count"] for e in edges)
        assert flows, recipient
        assert 0 <= flows[0]["value_sats"] - recipient["value_sats"] <= slack, recipient


def test_loaded_chain_passes_chain_checks_with_real_loader_rows(warehouse) -> None:
    settings, key = warehouse
    heights = [r["block_number"] for r in select(settings, "staging.stg_bitcoin__blocks")]
    assert [min(heights), max(heights)] == key["height_range"]
