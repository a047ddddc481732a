"""Real dbt builds (in-process) on a hand-made mini chain that holds the edge cases.

Three UTC days, heights 100..104:
- D1: coinbase to A; A pays C, a bare 2-of-2 multisig (Y, X), an OP_RETURN and change to A.
- D2: t2 spends C and B's coinbase with UNENRICHED inputs (no value, no address in the lake);
  block 103's coinbase repeats block 102's txid (BIP30 duplicate) and pays F.
- D3: t4 spends the duplicate txid's output 0 unenriched: it must resolve to F's output in
  block 103, not B's in 102; t5 spends an output that is never loaded (stays pending); t6 splits
  D's 70 BTC and the multisig's 10 BTC over I, J and a 3-satoshi output to K.
Prices on D1 and D2; D3 is forward-filled.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from blocktrust.ingest.sqlfiles import query
from blocktrust.settings import Settings
from blocktrust.warehouse.dbt import run_dbt, window_vars

pytestmark = [pytest.mark.integration, pytest.mark.slow]

D1, D2, D3 = date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)
BTC = 100_000_000
SUBSIDY = 50 * BTC
MARTS = (
    "dim_prices_daily",
    "dim_tags",
    "dim_address_totals",
    "dim_addresses",
    "fct_transactions",
    "fct_address_ledger",
    "fct_address_flows",
    "fct_address_daily_balances",
    "fct_network_daily",
)


def txid(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class Out:
    addresses: tuple[str, ...]
    value: int
    script_type: str = "pubkeyhash"


@dataclasses.dataclass(frozen=True)
class In:
    spent: str | None  # label of the spent transaction; None for a coinbase input
    index: int | None = None
    value: int | None = None  # None: unenriched in the lake
    addresses: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Tx:
    label: str
    inputs: tuple[In, ...]
    outputs: tuple[Out, ...]
    txid_label: str | None = None  # reuse another transaction's txid (BIP30 duplicate)

    @property
    def hash(self) -> str:
        return txid(self.txid_label or self.label)


def coinbase(label: str, to: str, value: int) -> Tx:
    return Tx(label, (In(None),), (Out((to,), value),))


CHAIN: dict[date, list[tuple[int, list[Tx]]]] = {
    D1: [
        (100, [coinbase("c100", "A", SUBSIDY)]),
        (
            101,
            [
                coinbase("c101", "B", SUBSIDY + 10_000),
                Tx(
                    "t1",
                    (In("c100", 0, SUBSIDY, ("A",)),),
                    (
                        Out(("C",), 30 * BTC),
                        Out(("Y", "X"), 10 * BTC, "multisig"),
                        Out((), 0, "nulldata"),
                        Out(("A",), 10 * BTC - 10_000),
                    ),
                ),
            ],
        ),
    ],
    D2: [
        (
            102,
            [
                coinbase("c102", "B", SUBSIDY + 20_000),
                Tx(
                    "t2",
                    (In("t1", 0), In("c101", 0)),  # unenriched
                    (Out(("D",), 70 * BTC), Out(("E",), 10 * BTC - 10_000)),
                ),
            ],
        ),
        (103, [Tx("c103", (In(None),), (Out(("F",), SUBSIDY),), txid_label="c102")]),
    ],
    D3: [
        (
            104,
            [
                coinbase("c104", "B", SUBSIDY + 20_000),
                Tx("t4", (In("c102", 0),), (Out(("G",), SUBSIDY - 10_000),)),
                Tx("t5", (In("never-loaded", 1),), (Out(("H",), BTC),)),
                Tx(
                    "t6",
                    (In("t2", 0, 70 * BTC, ("D",)), In("t1", 1, 10 * BTC, ("Y", "X"))),
                    (
                        Out(("I",), 2_666_666_667),
                        Out(("K",), 3),
                        Out(("J",), 80 * BTC - 10_000 - 2_666_666_667 - 3),
                    ),
                ),
            ],
        ),
    ],
}
PRICES = {D1: "42000.12345678", D2: "43000.00000000"}
TAGS = [("A", "alice", "exchange", "blocktrust_test"), ("D", "donation", "organization", "demo")]
MULTISIG = "multisig:X,Y"


def block_hash(height: int) -> str:
    return txid(f"block {height}")


def _timestamp(day: date, height: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=10 * height % 60)


def raw_rows(day: date) -> dict[str, list[tuple]]:
    """The raw.* rows of one day, in the raw tables' column order."""
    rows: dict[str, list[tuple]] = {"blocks": [], "transactions": [], "inputs": [], "outputs": []}
    for height, txs in CHAIN[day]:
        bh, at = block_hash(height), _timestamp(day, height)
        rows["blocks"].append(
            (
                day,
                height,
                bh,
                block_hash(height - 1),
                at,
                1000,
                900,
                4000,
                2,
                "0" * 64,
                "1",
                "1d00ffff",
                None,
                len(txs),
            )
        )
        for position, tx in enumerate(txs):
            is_coinbase = tx.inputs[0].spent is None
            in_value = 0 if is_coinbase else None
            if not is_coinbase and all(i.value is not None for i in tx.inputs):
                in_value = sum(i.value or 0 for i in tx.inputs)
            out_value = sum(o.value for o in tx.outputs)
            fee = None if in_value is None else (0 if is_coinbase else in_value - out_value)
            rows["transactions"].append(
                (
                    day,
                    tx.hash,
                    height,
                    bh,
                    at,
                    position,
                    is_coinbase,
                    200,
                    150,
                    1,
                    0,
                    len(tx.inputs),
                    len(tx.outputs),
                    in_value,
                    out_value,
                    fee,
                )
            )
            for n, i in enumerate(tx.inputs):
                enriched = i.value is not None
                rows["inputs"].append(
                    (
                        day,
                        tx.hash,
                        height,
                        bh,
                        n,
                        txid(i.spent) if i.spent else None,
                        i.index,
                        "pubkeyhash" if enriched else None,
                        list(i.addresses) if enriched else None,
                        i.value,
                        0xFFFFFFFF,
                        None,
                        None,
                    )
                )
            for n, o in enumerate(tx.outputs):
                rows["outputs"].append(
                    (
                        day,
                        tx.hash,
                        height,
                        bh,
                        n,
                        o.script_type,
                        list(o.addresses),
                        o.value,
                        None,
                        None,
                    )
                )
    return rows


def _copy(cur: psycopg.Cursor, table: str, rows: Iterable[tuple]) -> None:
    statement = sql.SQL("copy {} from stdin").format(sql.Identifier("raw", table))
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def load_days(settings: Settings, days: Iterable[date]) -> None:
    with psycopg.connect(settings.dsn("owner")) as conn, conn.cursor() as cur:
        for day in days:
            cur.execute(query("ingest", "ensure_month_partitions"), {"day": day})
            for table, rows in raw_rows(day).items():
                _copy(cur, table, rows)


def load_reference(settings: Settings) -> None:
    with psycopg.connect(settings.dsn("owner")) as conn, conn.cursor() as cur:
        _copy(
            cur,
            "prices_btc_usd_daily",
            [(d, p, False, "test", datetime(2024, 1, 4, tzinfo=UTC)) for d, p in PRICES.items()],
        )
        _copy(
            cur,
            "address_tags",
            [
                (a, label, cat, "test", pack, datetime(2024, 1, 4, tzinfo=UTC))
                for a, label, cat, pack in TAGS
            ],
        )


def select(settings: Settings, relation: str, **where: object) -> list[dict]:
    """Rows of marts.<relation> (or schema.relation) matching the equality filters."""
    schema, _, name = relation.rpartition(".")
    statement = sql.SQL("select * from {}").format(sql.Identifier(schema or "marts", name))
    if where:
        statement += sql.SQL(" where ") + sql.SQL(" and ").join(
            sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in where
        )
    with psycopg.connect(settings.dsn("owner"), row_factory=dict_row) as conn:
        return conn.execute(statement, where).fetchall()


def checksums(settings: Settings) -> dict[str, str]:
    """md5 of every mart's rows, in a total order of their text form."""
    out = {}
    with psycopg.connect(settings.dsn("owner")) as conn:
        for name in MARTS:
            statement = sql.SQL(
                "select count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by"
                " t::text)), '') from {} as t"
            ).format(sql.Identifier("marts", name))
            out[name] = conn.execute(statement).fetchone()[0]
    return out


def module_database(base: Settings, kind: str) -> Iterator[Settings]:
    """A fresh warehouse database for a whole test module (named like conftest's, so orphans
    of a killed session are dropped by the next one)."""
    from blocktrust.db.schema import create_database, drop_database

    name = f"bt_test_{os.getpid()}_{kind}{secrets.token_hex(4)}"
    create_database(base, name)
    try:
        yield dataclasses.replace(base, pg_database=name)
    finally:
        drop_database(base, name)


@pytest.fixture(scope="module")
def built(_pg_base: Settings) -> Iterator[Settings]:
    """All three days loaded, then one `dbt build` from scratch (models, unit and data tests)."""
    for settings in module_database(_pg_base, "w"):
        load_reference(settings)
        load_days(settings, (D1, D2, D3))
        run_dbt(settings, ["build"])
        yield settings


@pytest.fixture(scope="module")
def built_checksums(built: Settings) -> dict[str, str]:
    return checksums(built)


def test_build_passes_every_data_and_unit_test_on_the_edge_case_chain(built: Settings) -> None:
    # `built` ran `dbt build`, which raises on any failing model, data test or unit test.
    assert select(built, "dim_addresses", address="A")


def test_tables_built_from_scratch_are_analyzed_before_the_next_model_plans(
    built: Settings,
) -> None:
    # Without statistics a fresh table looks like a third of anything to the planner (the
    # daily fct_address_flows merge-joined every flow edge at 1M: 4.4 s instead of 0.8 s).
    with psycopg.connect(built.dsn("owner")) as conn:
        rows = conn.execute(
            "select schemaname || '.' || relname, last_analyze is not null"
            " from pg_stat_user_tables where schemaname in ('intermediate', 'marts')"
        ).fetchall()
    assert len(rows) >= 10
    assert [name for name, analyzed in rows if not analyzed] == []


def test_unenriched_inputs_resolve_and_bip30_duplicate_takes_the_latest_output(
    built: Settings,
) -> None:
    t2 = select(built, "fct_transactions", transaction_hash=txid("t2"))[0]
    assert (t2["input_value_sats"], t2["fee_sats"], t2["is_resolved"]) == (
        80 * BTC + 10_000,
        20_000,
        True,
    )
    t4_inputs = select(
        built, "intermediate.int_inputs_joined_to_spent_outputs", transaction_hash=txid("t4")
    )
    assert [(i["address"], i["value_sats"], i["spent_block_number"]) for i in t4_inputs] == [
        ("F", SUBSIDY, 103)
    ]
    f = select(built, "dim_addresses", address="F")[0]
    b = select(built, "dim_addresses", address="B")[0]
    assert (f["balance_sats"], f["sent_sats"]) == (0, SUBSIDY)
    # B's coinbase in 102 stays unspent: the duplicate txid's spend belongs to block 103.
    assert (b["received_sats"], b["sent_sats"], b["balance_sats"]) == (
        3 * SUBSIDY + 50_000,
        SUBSIDY + 10_000,
        2 * SUBSIDY + 40_000,
    )


def test_input_whose_spent_output_is_never_loaded_stays_pending(built: Settings) -> None:
    t5 = select(built, "fct_transactions", transaction_hash=txid("t5"))[0]
    assert (t5["is_resolved"], t5["pending_input_count"], t5["fee_sats"]) == (False, 1, None)
    assert select(built, "fct_address_flows", to_address="H") == []
    assert select(built, "dim_addresses", address="H")[0]["received_sats"] == BTC


def test_every_address_column_has_the_c_collation_so_tag_lookups_use_their_index(
    built: Settings,
) -> None:
    # dim_tags.address under the database default collation made every tag lookup of the
    # canonical queries a full scan of dim_tags' index (top recipients of the 1M hub: 10.6 ms,
    # 0.2 ms with one collation): an index serves only comparisons under its own collation.
    with psycopg.connect(built.dsn("owner")) as conn:
        columns = conn.execute(
            "select table_schema || '.' || table_name || '.' || column_name, collation_name"
            " from information_schema.columns"
            " where column_name in ('address', 'from_address', 'to_address')"
            " and table_schema in ('staging', 'intermediate', 'marts')"
        ).fetchall()
    assert {"marts.dim_tags.address", "marts.fct_address_flows.to_address"} <= {
        name for name, _ in columns
    }
    assert [name for name, collation in columns if collation != "C"] == []


def test_multisig_gets_a_sorted_synthetic_key_and_op_return_no_address(built: Settings) -> None:
    ms = select(built, "dim_addresses", address=MULTISIG)[0]
    assert (ms["received_sats"], ms["sent_sats"], ms["balance_sats"]) == (10 * BTC, 10 * BTC, 0)
    outputs = select(built, "staging.stg_bitcoin__outputs", transaction_hash=txid("t1"))
    assert sorted((o["output_index"], o["address"]) for o in outputs) == [
        (0, "C"),
        (1, MULTISIG),
        (2, None),
        (3, "A"),
    ]


def test_proportional_split_sums_each_output_exactly(built: Settings) -> None:
    edges = {
        (e["from_address"], e["to_address"]): e["value_sats"]
        for e in select(built, "intermediate.int_flow_edges", transaction_hash=txid("t6"))
    }
    assert edges[("D", "K")] + edges[(MULTISIG, "K")] == 3
    assert (edges[("D", "K")], edges[(MULTISIG, "K")]) == (3, 0)  # 2.625 -> 3, 0.375 -> 0
    assert edges[("D", "I")] + edges[(MULTISIG, "I")] == 2_666_666_667
    # D owned 7/8 of the inputs: its edges are within one satoshi per output of 7/8 of them
    out_total = 80 * BTC - 10_000
    assert abs(sum(v for (f, _), v in edges.items() if f == "D") - out_total * 7 / 8) <= 3


def test_usd_values_use_the_day_close_and_forward_fill(built: Settings) -> None:
    prices = {p["price_date"]: p for p in select(built, "dim_prices_daily")}
    assert prices[D3]["is_filled"] and str(prices[D3]["price_usd"]) == "43000.00000000"
    a_first = select(built, "fct_address_ledger", address="A", block_number=100)[0]
    assert a_first["received_usd"] == 50 * prices[D1]["price_usd"]
    d = select(built, "dim_addresses", address="D")[0]
    assert d["tags"] == ["donation"]
    assert d["received_usd"] == 70 * prices[D2]["price_usd"]
    assert d["sent_usd"] == 70 * prices[D3]["price_usd"]
    assert d["balance_usd"] == 0 and d["cost_basis_usd"] == 0
    a = select(built, "dim_addresses", address="A")[0]
    # A received 50 BTC at D1's close, spent all, got 10 BTC - 10,000 sats change back
    assert a["balance_sats"] == 10 * BTC - 10_000
    assert a["balance_usd"] == a["balance_sats"] * prices[D3]["price_usd"] / BTC
    assert a["tags"] == ["alice"]


def test_full_refresh_equals_daily_incremental_runs_and_reruns_are_idempotent(
    fresh_db: Settings, built_checksums: dict[str, str]
) -> None:
    load_reference(fresh_db)
    for day in (D1, D2, D3):
        load_days(fresh_db, [day])
        run_dbt(fresh_db, ["run", *window_vars(day.isoformat())])
    incremental = checksums(fresh_db)
    assert incremental == built_checksums  # the from-scratch build of the same raw rows
    run_dbt(fresh_db, ["run"])  # a retry without window: redo the newest day of each table
    assert checksums(fresh_db) == incremental
    run_dbt(fresh_db, ["run", "--full-refresh"])
    assert checksums(fresh_db) == incremental


def test_day_reloaded_empty_deletes_the_pairs_and_addresses_only_it_held(
    fresh_db: Settings,
) -> None:
    load_reference(fresh_db)
    for day in (D1, D2, D3):
        load_days(fresh_db, [day])
        run_dbt(fresh_db, ["run", *window_vars(day.isoformat())])
    # t6 (D3 only) pays I: its pair and its totals row exist before the day goes
    assert select(fresh_db, "fct_address_flows", from_address="D", to_address="I")
    assert select(fresh_db, "dim_address_totals", address="I")
    with psycopg.connect(fresh_db.dsn("owner")) as conn:
        for table in ("blocks", "transactions", "inputs", "outputs"):
            conn.execute(
                sql.SQL("delete from {} where block_date = %s").format(
                    sql.Identifier("raw", table)
                ),
                (D3,),
            )
    run_dbt(fresh_db, ["run", *window_vars(D3.isoformat())])
    # the redone pair and the vanished address had no row left: deleted, not kept at zero
    assert not select(fresh_db, "fct_address_flows", to_address="I")
    assert not select(fresh_db, "dim_address_totals", address="I")
    assert not select(fresh_db, "fct_address_flows", transaction_count=0)
    assert not select(fresh_db, "dim_address_totals", tx_count=0)
    # D still has its D2 coins: totals from its last row before the window
    assert select(fresh_db, "dim_address_totals", address="D")[0]["tx_count"] > 0


def test_out_of_order_day_loads_resolve_pending_inputs_when_the_earlier_day_arrives(
    fresh_db: Settings, built_checksums: dict[str, str]
) -> None:
    load_reference(fresh_db)
    load_days(fresh_db, [D1])
    run_dbt(fresh_db, ["run", *window_vars(D1.isoformat())])
    load_days(fresh_db, [D3])  # D2 arrives late: t4 and t6 spend outputs of D2
    run_dbt(fresh_db, ["run", *window_vars(D3.isoformat())])
    pending = {
        t["transaction_hash"] for t in select(fresh_db, "fct_transactions", is_resolved=False)
    }
    assert pending == {txid("t4"), txid("t5")}  # t6's D input is enriched in the lake
    load_days(fresh_db, [D2])
    run_dbt(fresh_db, ["run", *window_vars(D2.isoformat())])  # redoes D2 and everything after
    assert checksums(fresh_db) == built_checksums
    pending = {
        t["transaction_hash"] for t in select(fresh_db, "fct_transactions", is_resolved=False)
    }
    assert pending == {txid("t5")}
