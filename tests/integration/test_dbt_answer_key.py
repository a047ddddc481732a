"""End to end: generator -> lake (bitcoin-etl) -> loader -> dbt build; marts match the answer key.

The generator counts exact totals while it writes the chain. Its proportional split floors each
(transaction, input address, output) share; the warehouse rounds by largest remainder, so a
flow may exceed the key's by at most one satoshi per output it covers (int_flow_edges
output_count), never fall short.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row
from test_dbt_warehouse import module_database, select

from blocktrust.chain.formats import write_day
from blocktrust.chain.generator import GeneratorConfig, generate_chain, write_tagpack
from blocktrust.ingest.loader import load_day, load_tags
from blocktrust.lake import lake_root
from blocktrust.settings import Settings
from blocktrust.warehouse.address import load_query
from blocktrust.warehouse.dbt import run_dbt, window_vars

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


FLOOR_RANK = 21  # macros/recipient_floor_rank.sql


def _flows_out(settings: Settings) -> dict[str, list[tuple[str, int]]]:
    """Each sender's flows to other addresses, ranked like the queries: value desc, address."""
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in select(settings, "fct_address_flows"):
        if row["to_address"] != row["from_address"]:
            out[row["from_address"]].append((row["to_address"], row["value_sats"]))
    return {a: sorted(f, key=lambda tv: (-tv[1], tv[0])) for a, f in out.items()}


def _expected_floors(flows_out: dict[str, list[tuple[str, int]]]) -> dict[str, int]:
    return {a: f[FLOOR_RANK - 1][1] for a, f in flows_out.items() if len(f) >= FLOOR_RANK}


def _stored_floors(settings: Settings) -> dict[str, int]:
    rows = select(settings, "dim_address_totals")
    return {r["address"]: r["recipient_floor_sats"] for r in rows if r["recipient_floor_sats"]}


def _two_hops_ranking_every_flow(
    flows_out: dict[str, list[tuple[str, int]]], origin: str, hop1_limit: int, hop2_limit: int
) -> list[tuple[str, int, str, int]]:
    rows = []
    for hop_1, hop_1_value in flows_out.get(origin, [])[:hop1_limit]:
        onward = [(t, v) for t, v in flows_out.get(hop_1, []) if t != origin][:hop2_limit]
        rows += [(hop_1, hop_1_value, t, v) for t, v in onward]
    return sorted(rows, key=lambda r: (-r[1], r[0], -r[3], r[2]))


def test_recipient_floor_is_each_senders_21st_largest_flow_to_another_address(warehouse) -> None:
    settings, _ = warehouse
    expected = _expected_floors(_flows_out(settings))
    assert len(expected) >= 2, "the chain needs senders with 21+ recipients to test floors"
    assert _stored_floors(settings) == expected


@pytest.mark.parametrize(
    ("hop1_limit", "hop2_limit"), [(10, 10), (3, 2), (10, 20), (10, 25)], ids=str
)
def test_two_hops_out_reading_flows_above_the_floor_equals_ranking_every_flow(
    warehouse, hop1_limit: int, hop2_limit: int
) -> None:
    settings, _ = warehouse
    flows_out = _flows_out(settings)
    floors = _expected_floors(flows_out)
    # origins whose hop 1 reaches a sender with a floor, so the floor decides what hop 2 reads;
    # with the origin itself among that sender's top recipients (the one the query excludes)
    origins = [o for o, f in flows_out.items() if any(t in floors for t, _ in f[:hop1_limit])]
    returning = [
        o
        for o in origins
        if any(
            o in [t for t, _ in flows_out[h][:FLOOR_RANK]] for h, _ in flows_out[o] if h in floors
        )
    ]
    assert origins and returning
    with psycopg.connect(settings.dsn("analyst"), row_factory=dict_row) as conn:
        for origin in sorted(flows_out):
            got = conn.execute(
                load_query("two_hops_out"),
                {"address": origin, "hop1_limit": hop1_limit, "hop2_limit": hop2_limit},
            ).fetchall()
            assert [
                (
                    r["hop_1_address"],
                    r["hop_1_value_sats"],
                    r["hop_2_address"],
                    r["hop_2_value_sats"],
                )
                for r in got
            ] == _two_hops_ranking_every_flow(flows_out, origin, hop1_limit, hop2_limit), origin


def test_daily_run_refinds_floors_stored_too_high_or_too_low(warehouse) -> None:
    """A stored floor above the true one (flows shrank: a reloaded day) and one below it (flows
    grew) are both corrected by the next daily run of a window where the sender paid."""
    settings, _ = warehouse
    flows_out = _flows_out(settings)
    expected = _expected_floors(flows_out)
    last_day = max(r["block_date"] for r in select(settings, "staging.stg_bitcoin__blocks"))
    active = sorted(
        r["address"]
        for r in select(settings, "dim_address_totals", last_seen_date=last_day)
        if r["address"] in expected
    )
    assert len(active) >= 2, "needs two senders with floors active on the last day"
    too_high, too_low = active[0], active[1]
    with psycopg.connect(settings.dsn("owner")) as conn:
        update = "update marts.dim_address_totals set recipient_floor_sats = %s where address = %s"
        conn.execute(update, (flows_out[too_high][0][1], too_high))
        conn.execute(update, (0, too_low))
    assert _stored_floors(settings) != expected
    run_dbt(settings, ["run", "--select", "dim_address_totals", *window_vars(str(last_day))])
    assert _stored_floors(settings) == expected
