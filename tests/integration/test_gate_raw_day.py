"""The GX quality gate on real PostgreSQL: one test per failure mode.

A small generated chain (about 10 blocks and 260 transactions a day) is written to a file lake
once per session; each test loads it into a fresh warehouse with the real loader, breaks day 3
on purpose with an UPDATE, and checks that the gate names the broken expectation and
quarantines day 3, while day 2 of the same load passes.
"""

from __future__ import annotations

import logging
from datetime import date

import psycopg
import pytest

logging.getLogger("great_expectations").setLevel(logging.WARNING)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAYS = (date(2013, 4, 1), date(2013, 4, 2), date(2013, 4, 3))
CLEAN_DAY, BROKEN_DAY = DAYS[1], DAYS[2]


@pytest.fixture(scope="session")
def chain_lake(tmp_path_factory: pytest.TempPathFactory) -> str:
    from blocktrust.chain.formats import write_day
    from blocktrust.chain.generator import GeneratorConfig, generate_chain
    from blocktrust.lake import lake_root

    url = (tmp_path_factory.mktemp("gate") / "lake").as_uri()
    config = GeneratorConfig(
        # 4 calendar days: the generator gives the last day a single block, so load 3
        seed=7,
        n_transactions=800,
        start=DAYS[0],
        end=date(2013, 4, 4),
        start_height=229_000,
    )
    root = lake_root(url)
    for batch in generate_chain(config):
        write_day(root, batch.day, batch.blocks, batch.transactions, formats=("bitcoin-etl",))
    return url


@pytest.fixture
def loaded(fresh_db, chain_lake):
    """A fresh warehouse with the three days loaded by the real loader."""
    from blocktrust.ingest.loader import load_day

    for day in DAYS:
        load_day(fresh_db, day, lake_url=chain_lake, lake_format="bitcoin-etl")
    return fresh_db


def run_sql(settings, statement: str, params: dict | None = None) -> list[tuple]:
    from blocktrust.db import connect

    with connect(settings, role="owner") as conn:
        cur = conn.execute(statement, params or {"day": BROKEN_DAY})
        return cur.fetchall() if cur.description else []


def assert_gate_catches(settings, check: str):
    """Day 3 fails naming ``check`` and is quarantined; day 2 of the same load passes.

    Data Docs pages are rendered only in test_gate_failed_message_... (seconds per page).
    """
    from blocktrust.gx.gate import GateFailed, validate_day
    from blocktrust.gx.quarantine import open_quarantines

    broken = validate_day(settings, BROKEN_DAY, render_docs=False)
    names = [failure.expectation for failure in broken.failures]
    assert not broken.passed
    assert check in names, broken.summary()
    failure = broken.failures[names.index(check)]
    assert failure.rows >= 1 and failure.examples, broken.summary()
    assert [q.block_date for q in open_quarantines(settings)] == [BROKEN_DAY]
    with pytest.raises(GateFailed, match=check):
        broken.raise_if_failed()

    clean = validate_day(settings, CLEAN_DAY, render_docs=False)
    assert clean.passed, clean.summary()
    return broken


# ---------------------------------------------------------------- one test per failure mode


def test_gap_in_heights_fails_heights_contiguous(loaded):
    run_sql(
        loaded,
        """
        update raw.blocks set block_number = block_number + 1
        where block_date = %(day)s
          and block_number >= (select min(block_number) + 2 from raw.blocks
                               where block_date = %(day)s)
        """,
    )
    assert_gate_catches(loaded, "heights_contiguous")


def test_wrong_parent_hash_fails_parent_hash_matches(loaded):
    run_sql(
        loaded,
        """
        update raw.blocks set previous_block_hash = repeat('ab', 32)
        where block_date = %(day)s
          and block_number = (select max(block_number) from raw.blocks where block_date = %(day)s)
        """,
    )
    assert_gate_catches(loaded, "parent_hash_matches")


def test_double_spend_within_day_fails_no_outpoint_spent_twice(loaded):
    run_sql(
        loaded,
        """
        with spends as (
            select transaction_hash, input_index, spent_transaction_hash, spent_output_index,
                   row_number() over (order by transaction_hash, input_index) as n
            from raw.inputs
            where block_date = %(day)s and spent_transaction_hash is not null
        )
        update raw.inputs set
            spent_transaction_hash = first.spent_transaction_hash,
            spent_output_index = first.spent_output_index
        from spends as first, spends as second
        where first.n = 1 and second.n = 2
          and inputs.block_date = %(day)s
          and inputs.transaction_hash = second.transaction_hash
          and inputs.input_index = second.input_index
        """,
    )
    assert_gate_catches(loaded, "no_outpoint_spent_twice")


def test_double_spend_of_earlier_day_fails_no_outpoint_spent_twice(loaded):
    run_sql(
        loaded,
        """
        update raw.inputs set
            spent_transaction_hash = earlier.spent_transaction_hash,
            spent_output_index = earlier.spent_output_index
        from (
            select spent_transaction_hash, spent_output_index from raw.inputs
            where block_date = %(earlier)s and spent_transaction_hash is not null
            limit 1
        ) as earlier
        where (inputs.transaction_hash, inputs.input_index) = (
            select transaction_hash, input_index from raw.inputs
            where block_date = %(day)s and spent_transaction_hash is not null
            order by transaction_hash limit 1
        ) and inputs.block_date = %(day)s
        """,
        {"day": BROKEN_DAY, "earlier": CLEAN_DAY},
    )
    from blocktrust.gx.gate import validate_day

    result = validate_day(loaded, BROKEN_DAY, render_docs=False)
    failure = {f.expectation: f for f in result.failures}["no_outpoint_spent_twice"]
    assert "already spent" in failure.examples[0]


def test_negative_fee_fails_fee_not_negative(loaded):
    run_sql(
        loaded,
        """
        update raw.transactions set fee_sats = -1000
        where block_date = %(day)s and not is_coinbase
          and transaction_hash = (select min(transaction_hash) from raw.transactions
                                  where block_date = %(day)s and not is_coinbase)
        """,
    )
    assert_gate_catches(loaded, "fee_not_negative")


def test_inflated_coinbase_fails_coinbase_within_subsidy_plus_fees(loaded):
    inflate = 100 * 100_000_000
    run_sql(
        loaded,
        """
        with coinbase as (
            select block_hash, transaction_hash from raw.transactions
            where block_date = %(day)s and is_coinbase order by block_number limit 1
        ),
        bumped_tx as (
            update raw.transactions as t set output_value_sats = output_value_sats + %(extra)s
            from coinbase
            where t.block_date = %(day)s and t.block_hash = coinbase.block_hash
              and t.transaction_hash = coinbase.transaction_hash
            returning t.transaction_hash
        )
        update raw.outputs as o set value_sats = value_sats + %(extra)s
        from coinbase
        where o.block_date = %(day)s and o.block_hash = coinbase.block_hash
          and o.transaction_hash = coinbase.transaction_hash and o.output_index = 0
        """,
        {"day": BROKEN_DAY, "extra": inflate},
    )
    assert_gate_catches(loaded, "coinbase_within_subsidy_plus_fees")


def _break_checksum(address: str) -> str:
    last = address[-1]
    return address[:-1] + ("2" if last != "2" else "3")


def test_bad_address_checksum_fails_addresses_valid_for_type(loaded):
    (block_hash, tx_hash, index, address) = run_sql(
        loaded,
        """
        select block_hash, transaction_hash, output_index, addresses[1] from raw.outputs
        where block_date = %(day)s and script_type = 'pubkeyhash'
        order by transaction_hash, output_index limit 1
        """,
    )[0]
    bad = _break_checksum(address)
    run_sql(
        loaded,
        """
        update raw.outputs set addresses = array[%(bad)s]
        where block_date = %(day)s and block_hash = %(block)s and transaction_hash = %(tx)s
          and output_index = %(index)s
        """,
        {"day": BROKEN_DAY, "bad": bad, "block": block_hash, "tx": tx_hash, "index": index},
    )
    broken = assert_gate_catches(loaded, "addresses_valid_for_type")
    failure = {f.expectation: f for f in broken.failures}["addresses_valid_for_type"]
    assert bad in failure.examples[0] and "checksum" in failure.examples[0]


def test_transaction_count_mismatch_fails_transactions_match_block_header(loaded):
    run_sql(
        loaded,
        """
        update raw.blocks set transaction_count = transaction_count + 1
        where block_date = %(day)s
          and block_number = (select min(block_number) from raw.blocks where block_date = %(day)s)
        """,
    )
    assert_gate_catches(loaded, "transactions_match_block_header")


def test_missing_output_row_fails_outputs_match_output_count(loaded):
    run_sql(
        loaded,
        """
        delete from raw.outputs
        where block_date = %(day)s and (transaction_hash, output_index) = (
            select transaction_hash, output_index from raw.outputs
            where block_date = %(day)s order by transaction_hash, output_index limit 1)
        """,
    )
    assert_gate_catches(loaded, "outputs_match_output_count")


def test_block_time_before_median_time_past_fails(loaded):
    run_sql(
        loaded,
        """
        update raw.blocks set block_timestamp = block_timestamp - interval '2 days'
        where block_date = %(day)s
          and block_number = (select max(block_number) from raw.blocks where block_date = %(day)s)
        """,
    )
    assert_gate_catches(loaded, "block_time_after_median_time_past")


def test_block_time_far_in_future_fails(loaded):
    run_sql(
        loaded,
        """
        update raw.blocks set block_timestamp = block_timestamp + interval '3 days'
        where block_date = %(day)s
          and block_number = (select min(block_number) from raw.blocks where block_date = %(day)s)
        """,
    )
    assert_gate_catches(loaded, "block_time_not_far_in_future")


# ---------------------------------------------------------------- quarantine life cycle


def test_rerun_after_reload_releases_quarantine_and_keeps_history(loaded, chain_lake):
    from blocktrust.gx.gate import validate_day
    from blocktrust.gx.quarantine import open_quarantines
    from blocktrust.ingest.loader import load_day

    run_sql(loaded, "update raw.blocks set transaction_count = 0 where block_date = %(day)s")
    assert not validate_day(loaded, BROKEN_DAY, render_docs=False).passed
    assert not validate_day(loaded, BROKEN_DAY, render_docs=False).passed  # still one open
    assert [q.block_date for q in open_quarantines(loaded)] == [BROKEN_DAY]

    load_day(loaded, BROKEN_DAY, lake_url=chain_lake, lake_format="bitcoin-etl")
    assert validate_day(loaded, BROKEN_DAY, render_docs=False).passed
    assert open_quarantines(loaded) == []
    history = run_sql(
        loaded,
        "select reason, released_at is not null from raw.quarantined_days"
        " where block_date = %(day)s",
    )
    assert len(history) == 1 and history[0][1] and "block_has_transactions" in history[0][0]
    rows = run_sql(loaded, "select count(*) from raw.blocks where block_date = %(day)s")
    assert rows[0][0] > 0  # nothing was deleted or moved


def test_gate_failed_message_names_check_rows_and_example(loaded):
    from blocktrust.gx.gate import GateFailed, validate_day

    run_sql(
        loaded,
        """
        update raw.blocks set previous_block_hash = repeat('cd', 32)
        where block_date = %(day)s
          and block_number = (select max(block_number) from raw.blocks where block_date = %(day)s)
        """,
    )
    result = validate_day(loaded, BROKEN_DAY)
    with pytest.raises(GateFailed) as caught:
        result.raise_if_failed()
    message = str(caught.value)
    assert "quality gate FAILED for raw_day 2013-04-03" in message
    assert "parent_hash_matches: 1 rows" in message
    assert "cd" * 32 in message
    assert result.data_docs_url.startswith("file://")
    page = result.data_docs_url.removeprefix("file://")
    from urllib.parse import unquote

    with open(unquote(page)) as fh:
        assert "parent_hash_matches" in fh.read()


def test_quarantine_table_readable_by_loader(loaded):
    from blocktrust.db import connect
    from blocktrust.gx.quarantine import quarantine_day, release_day

    quarantine_day(loaded, BROKEN_DAY, "manual: bad source file")
    with connect(loaded, role="loader") as conn:
        rows = conn.execute(
            "select block_date from raw.quarantined_days where released_at is null"
        ).fetchall()
    assert rows == [(BROKEN_DAY,)]
    assert release_day(loaded, BROKEN_DAY) is True
    assert release_day(loaded, BROKEN_DAY) is False


def test_query_without_gate_day_setting_errors(loaded):
    """The assets read the day from the session; a connection without it must not pass."""
    from blocktrust.db import connect
    from blocktrust.gx.sql import statement

    with connect(loaded, role="owner") as conn, pytest.raises(psycopg.errors.UndefinedObject):
        conn.execute(statement("day_blocks"))


# ---------------------------------------------------------------- marts suite

# A stand-in for the dbt marts, computed straight from raw (the real ones need a dbt run):
# the columns the marts suite reads, with the same meaning.
STAND_IN_MARTS = """
create table marts.dim_address_totals as
with received as (
    select addresses[1] as address, sum(value_sats) as received_sats, max(block_date) as last_date
    from raw.outputs where cardinality(addresses) = 1 group by 1
),
sent as (
    select o.addresses[1] as address, sum(o.value_sats) as sent_sats
    from raw.inputs as i
    join raw.outputs as o
      on o.transaction_hash = i.spent_transaction_hash and o.output_index = i.spent_output_index
    where cardinality(o.addresses) = 1 group by 1
)
select received.address, received.received_sats, coalesce(sent.sent_sats, 0) as sent_sats,
       received.received_sats - coalesce(sent.sent_sats, 0) as balance_sats,
       received.last_date as last_seen_date
from received left join sent using (address);
create table marts.fct_address_flows (from_address text, to_address text, value_sats bigint);
"""


def test_marts_suite_skips_cleanly_when_marts_absent(loaded):
    from blocktrust.gx.gate import validate_marts

    result = validate_marts(loaded)
    assert result.passed and result.skipped and "not built yet" in result.summary()


def test_negative_balance_fails_marts_suite(loaded):
    from blocktrust.gx.gate import validate_marts

    run_sql(loaded, STAND_IN_MARTS, {})
    clean = validate_marts(loaded)
    assert clean.passed, clean.summary()

    run_sql(
        loaded,
        """
        update marts.dim_address_totals set balance_sats = -balance_sats - 1
        where address = (select min(address) from marts.dim_address_totals)
        """,
        {},
    )
    names = [f.expectation for f in validate_marts(loaded).failures]
    assert names == ["marts_balance_not_negative", "marts_balance_total_matches_raw_utxo"]
