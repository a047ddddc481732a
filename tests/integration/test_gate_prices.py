"""The GX prices suite on real PostgreSQL: one row per day, documented gaps only, positive."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

logging.getLogger("great_expectations").setLevel(logging.WARNING)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FIRST, LAST = date(2011, 6, 10), date(2011, 7, 5)
MT_GOX_HALT = (date(2011, 6, 19), date(2011, 6, 26))


def load_prices(settings, skip: date | None = None, fill: date | None = None) -> None:
    """A forward-filled series FIRST..LAST: the Mt.Gox halt is filled, like the real source."""
    from blocktrust.db import connect

    rows = []
    day = FIRST
    while day <= LAST:
        filled = MT_GOX_HALT[0] <= day <= MT_GOX_HALT[1] or day == fill
        if day != skip:
            rows.append((day, 17.5, filled, "test"))
        day += timedelta(days=1)
    with connect(settings, role="loader") as conn, conn.cursor() as cur:
        cur.executemany(
            "insert into raw.prices_btc_usd_daily (price_date, close_usd, is_filled, source)"
            " values (%s, %s, %s, %s)",
            rows,
        )


def failed_checks(result) -> dict:
    return {f.expectation: f for f in result.failures}


def test_documented_gap_filled_passes(fresh_db):
    from blocktrust.gx.gate import validate_prices

    load_prices(fresh_db)
    result = validate_prices(fresh_db)
    assert result.passed, result.summary()
    assert result.checks_run == 3


def test_price_gap_fails_prices_no_undocumented_gaps(fresh_db):
    from blocktrust.gx.gate import GateFailed, validate_prices

    load_prices(fresh_db, skip=date(2011, 7, 1))
    result = validate_prices(fresh_db)
    failure = failed_checks(result)["prices_no_undocumented_gaps"]
    assert failure.rows == 1
    assert failure.examples == ("no price row for 2011-07-01",)
    with pytest.raises(GateFailed, match="prices_no_undocumented_gaps: 1 rows"):
        result.raise_if_failed()


def test_undocumented_filled_day_fails_prices_no_undocumented_gaps(fresh_db):
    from blocktrust.gx.gate import validate_prices

    load_prices(fresh_db, fill=date(2011, 7, 2))
    failure = failed_checks(validate_prices(fresh_db))["prices_no_undocumented_gaps"]
    assert "2011-07-02 is forward-filled but the day is not a documented gap" in failure.examples[0]


def test_zero_price_fails_price_positive(fresh_db):
    from blocktrust.db import connect
    from blocktrust.gx.gate import validate_prices

    load_prices(fresh_db)
    with connect(fresh_db, role="owner") as conn:
        conn.execute(
            "update raw.prices_btc_usd_daily set close_usd = 0 where price_date = %s",
            (date(2011, 6, 12),),
        )
    failure = failed_checks(validate_prices(fresh_db))["price_positive"]
    assert failure.rows == 1
