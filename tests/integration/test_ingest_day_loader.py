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
