"""DayLoader: a range of days on one connection, each day its own transaction."""

from __future__ import annotations

import pytest

from tests.integration.test_ingest_loader import ABSENT_DAY, expected_counts, write_lake

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chain_days():
    from tests.integration.test_ingest_loader import generate_days

    return generate_days(1000)


def test_range_on_one_connection_matches_day_by_day_loads(fresh_db, file_lake, chain_days):
    from blocktrust.ingest.audit import day_fingerprint
    from blocktrust.ingest.errors import MissingPartitionError
    from blocktrust.ingest.loader import DayLoader, load_day

    write_lake(file_lake, chain_days, formats=("bitcoin-etl",))
    days = [d for d, _, _ in chain_days]
    with DayLoader(fresh_db, file_lake, "bitcoin-etl") as loader:
        outcomes = list(loader.load_many([*days[:2], ABSENT_DAY, *days[2:]]))
    assert [d for d, _ in outcomes] == [*days[:2], ABSENT_DAY, *days[2:]]
    assert isinstance(outcomes[2][1], MissingPartitionError)
    loaded = [r for _, r in outcomes if not isinstance(r, MissingPartitionError)]
    assert [r.row_counts for r in loaded] == [expected_counts(c) for c in chain_days]
    ranged = {d: day_fingerprint(fresh_db, d) for d in days}
    for day in days:
        load_day(fresh_db, day, file_lake, "bitcoin-etl")
        assert day_fingerprint(fresh_db, day) == ranged[day]


def test_small_batches_report_copy_lines_of_the_file(fresh_db, file_lake, chain_days, monkeypatch):
    from blocktrust.ingest import loader as module
    from blocktrust.ingest.audit import day_fingerprint

    monkeypatch.setattr(module, "BATCH_TRANSACTIONS", 7)
    write_lake(file_lake, chain_days[:1], formats=("bitcoin-etl",))
    day = chain_days[0][0]
    seen: list[tuple[str, int]] = []
    result = module.load_day(
        fresh_db, day, file_lake, "bitcoin-etl", progress=lambda t, n: seen.append((t, n))
    )
    assert result.row_counts == expected_counts(chain_days[0])
    assert ("transactions", 7) in seen and ("transactions", 14) in seen
    assert day_fingerprint(fresh_db, day)["transactions"][0] == result.row_counts["transactions"]


def test_a_day_appended_to_an_analyzed_month_refreshes_its_statistics_new_months_wait(
    fresh_db, file_lake, chain_days
):
    """The transform right after a load selects the new day. Statistics taken before the load
    put it above the histogram (the planner guessed 1 row); the loader re-analyzes such a
    month. A month without statistics is left to autovacuum (cheap bulk loads)."""
    from blocktrust.db import connect
    from blocktrust.ingest.loader import DayLoader

    write_lake(file_lake, chain_days, formats=("bitcoin-etl",))
    days = [d for d, _, _ in chain_days]
    partition = f"transactions_y{days[0]:%Y}m{days[0]:%m}"
    assert all(f"transactions_y{d:%Y}m{d:%m}" == partition for d in days)
    with DayLoader(fresh_db, file_lake, "bitcoin-etl") as loader:
        first = [r for _, r in loader.load_many(days[:1])]
    assert _statistics(fresh_db, partition) == (-1, False)  # new month: not analyzed
    with connect(fresh_db, autocommit=True) as conn:
        conn.execute(f"analyze raw.{partition}")  # as autovacuum would, before the next day
    with DayLoader(fresh_db, file_lake, "bitcoin-etl") as loader:
        rest = [r for _, r in loader.load_many(days[1:])]
    loaded = sum(r.row_counts["transactions"] for r in first + rest)
    assert _statistics(fresh_db, partition) == (loaded, True)


def test_statistics_that_already_know_the_loaded_days_are_not_taken_again(
    fresh_db, file_lake, chain_days
):
    """A month whose statistics list every reloaded day (autovacuum analyzed it after those days
    arrived, as for most months of a bulk load) is not analyzed again; a day the statistics do
    not know makes the loader analyze that month's partitions."""
    from blocktrust.db import connect
    from blocktrust.ingest.loader import DayLoader

    write_lake(file_lake, chain_days, formats=("bitcoin-etl",))
    days = [d for d, _, _ in chain_days]
    with DayLoader(fresh_db, file_lake, "bitcoin-etl") as loader:
        list(loader.load_many(days[:-1]))
    partitions = sorted({f"{t}_y{d:%Y}m{d:%m}" for d in days for t in _CHAIN_TABLES})
    with connect(fresh_db, autocommit=True) as conn:
        for partition in partitions:
            conn.execute(f"analyze raw.{partition}")  # as autovacuum would
    before = _analyzed_at(fresh_db, partitions)
    with DayLoader(fresh_db, file_lake, "bitcoin-etl") as loader:
        list(loader.load_many(days[:-1]))  # days the statistics know
    assert _analyzed_at(fresh_db, partitions) == before
    with DayLoader(fresh_db, file_lake, "bitcoin-etl") as loader:
        list(loader.load_many(days[-1:]))  # a day they do not know
    after = _analyzed_at(fresh_db, partitions)
    assert all(after[p] > before[p] for p in partitions)


_CHAIN_TABLES = ("blocks", "transactions", "inputs", "outputs")


def _analyzed_at(settings, partitions: list[str]) -> dict[str, object]:
    from blocktrust.db import connect

    with connect(settings) as conn:
        rows = conn.execute(
            "select relname, last_analyze from pg_stat_user_tables"
            " where schemaname = 'raw' and relname = any(%s)",
            [partitions],
        ).fetchall()
    found = dict(rows)
    assert set(found) == set(partitions) and all(found.values()), found
    return found


def _statistics(settings, partition: str) -> tuple[int, bool]:
    from blocktrust.db import connect

    with connect(settings) as conn:
        row = conn.execute(
            "select reltuples::bigint, last_analyze is not null"
            " from pg_stat_user_tables join pg_class on pg_class.oid = relid"
            " where schemaname = 'raw' and pg_class.relname = %s",
            [partition],
        ).fetchone()
    assert row is not None
    return int(row[0]), bool(row[1])
