"""Generator settings and the era tables that shape a realistic chain.

Dates drive realism: the script-type mix of new addresses, fee rates, block versions and
difficulty bits, and transaction volume all follow the calendar date a block is placed on.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime

from blocktrust.chain.encoding import AddressError, decode_address

WIKILEAKS_ADDRESS = "1HB5XMLmzFVj8ALj6mfBsbifRoD4miY36v"

P2SH_ACTIVATION = date(2012, 4, 1)  # BIP16
SEGWIT_ACTIVATION = date(2017, 8, 24)  # first segwit block 481,824
TAPROOT_ACTIVATION = date(2021, 11, 14)  # block 709,632
OP_RETURN_RELAY = date(2014, 3, 19)  # Bitcoin Core 0.9.0
COINJOIN_START = date(2015, 1, 1)

HALVING_INTERVAL = 210_000
INITIAL_SUBSIDY_SATS = 50 * 100_000_000


def _as_date(value: date | str, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"GeneratorConfig.{field}: {value!r} is not an ISO date") from None


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate. Deterministic: the same config yields byte-identical records.

    n_transactions counts every transaction, coinbases included. Blocks are spread evenly over
    the calendar days start..end (about n_transactions / txs_per_block blocks, at most 140 a
    day), so a small chain has fewer blocks per day than Bitcoin (even zero on many days) while
    heights stay contiguous from start_height.
    """

    seed: int = 1
    n_transactions: int = 100_000
    start: date | str = date(2010, 7, 17)
    end: date | str = date(2024, 11, 3)
    start_height: int = 68_000  # about Bitcoin's height on 2010-07-17
    txs_per_block: int = 25
    coinbase_maturity: int = 100
    donation_address: str = WIKILEAKS_ADDRESS
    donation_start: date | str = date(2011, 6, 14)
    data_burst_start: date | str = date(2013, 4, 6)
    donation_final_balance_sats: int = 1000

    def __post_init__(self) -> None:
        for name in ("start", "end", "donation_start", "data_burst_start"):
            object.__setattr__(self, name, _as_date(getattr(self, name), name))
        if self.end < self.start:  # type: ignore[operator]
            raise ValueError(f"GeneratorConfig: end {self.end} is before start {self.start}")
        if self.n_transactions < 10:
            raise ValueError("GeneratorConfig.n_transactions: need at least 10")
        if self.txs_per_block < 2:
            raise ValueError("GeneratorConfig.txs_per_block: need at least 2")
        if self.start_height < 0:
            raise ValueError("GeneratorConfig.start_height: must be >= 0")
        try:
            kind, _ = decode_address(self.donation_address)
        except AddressError as exc:
            raise ValueError(f"GeneratorConfig.donation_address: {exc}") from None
        if kind != "pubkeyhash":
            raise ValueError("GeneratorConfig.donation_address: must be a P2PKH address")

    @property
    def start_date(self) -> date:
        return self.start  # type: ignore[return-value]

    @property
    def end_date(self) -> date:
        return self.end  # type: ignore[return-value]

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def n_blocks(self) -> int:
        by_volume = self.n_transactions // self.txs_per_block
        return max(2, min(by_volume, self.days * 140, self.n_transactions // 2))

    @property
    def effective_maturity(self) -> int:
        """Coinbase maturity in blocks, scaled down when the chain has few blocks.

        With 100 blocks of maturity a 1,000-transaction chain (40 blocks) could never spend
        anything; the scaled value keeps the coinbase-only prefix to about 5% of the blocks.
        """
        return min(self.coinbase_maturity, max(1, self.n_blocks // 20))


def block_subsidy(height: int) -> int:
    halvings = height // HALVING_INTERVAL
    return 0 if halvings >= 64 else INITIAL_SUBSIDY_SATS >> halvings


# Relative transaction volume per day by year (interpolated): grows like the real chain.
_ACTIVITY = (
    (2010.5, 0.05),
    (2011.0, 0.12),
    (2012.0, 0.25),
    (2013.0, 0.45),
    (2014.0, 0.6),
    (2015.0, 0.8),
    (2016.0, 1.0),
    (2017.0, 1.2),
    (2018.0, 1.0),
    (2019.0, 1.1),
    (2020.0, 1.1),
    (2021.0, 1.0),
    (2022.0, 1.0),
    (2023.0, 1.4),
    (2024.0, 1.8),
)


def year_fraction(day: date) -> float:
    return day.year + (day.timetuple().tm_yday - 1) / 366.0


def activity(day: date) -> float:
    y = year_fraction(day)
    if y <= _ACTIVITY[0][0]:
        return _ACTIVITY[0][1]
    for (y0, w0), (y1, w1) in zip(_ACTIVITY, _ACTIVITY[1:], strict=False):
        if y <= y1:
            return w0 + (w1 - w0) * (y - y0) / (y1 - y0)
    return _ACTIVITY[-1][1]


# Script types of NEW addresses. Old addresses keep their type, as in reality.
ADDRESS_TYPES = ("p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr", "p2pk")


def address_type_weights(day: date) -> tuple[float, ...]:
    """Weights over ADDRESS_TYPES for addresses created on this day."""
    if day < P2SH_ACTIVATION:
        return (0.97, 0.0, 0.0, 0.0, 0.0, 0.03)
    if day < SEGWIT_ACTIVATION:
        share = min(0.25, 0.05 + 0.04 * (year_fraction(day) - 2012.25))
        return (1.0 - share - 0.005, share, 0.0, 0.0, 0.0, 0.005)
    if day < TAPROOT_ACTIVATION:
        seg = min(0.55, 0.1 + 0.11 * (year_fraction(day) - 2017.65))
        return (0.75 - seg, 0.25, seg * 0.85, seg * 0.15, 0.0, 0.0)
    tr = min(0.3, 0.03 + 0.09 * (year_fraction(day) - 2021.87))
    return (0.2, 0.15, 0.6 - tr, 0.05, tr, 0.0)


def fee_rate_sat_per_vbyte(day: date) -> float:
    """Typical fee rate of the era (the generator adds per-transaction noise)."""
    y = day.year
    if y <= 2010:
        return 0.0
    if y <= 2012:
        return 0.5
    if y <= 2015:
        return 1.0
    if y == 2016:
        return 40.0
    if y == 2017:
        return 120.0
    if y <= 2020:
        return 15.0
    if y <= 2022:
        return 20.0
    return 30.0


_BITS = (
    (2010, "1c05a3f4"),
    (2011, "1a0abbcf"),
    (2012, "1a05db8b"),
    (2013, "1903a30c"),
    (2014, "181bc330"),
    (2015, "18171a8b"),
    (2016, "1806b99f"),
    (2017, "18013ce9"),
    (2018, "17502ab7"),
    (2019, "1731d97c"),
    (2020, "171007ea"),
    (2021, "170ed0eb"),
    (2022, "1709a7af"),
    (2023, "17053894"),
    (2024, "17034219"),
)
_BITS_YEARS = [y for y, _ in _BITS]


def bits_for(day: date) -> str:
    i = max(0, bisect_right(_BITS_YEARS, day.year) - 1)
    return _BITS[i][1]


def block_version_for(day: date) -> int:
    if day < date(2013, 3, 24):
        return 1
    if day < date(2015, 7, 4):
        return 2
    if day < date(2015, 12, 15):
        return 3
    if day < date(2016, 7, 4):
        return 4
    if date(2016, 11, 15) <= day < SEGWIT_ACTIVATION:
        return 0x20000002  # signalling segwit
    if date(2021, 5, 1) <= day < date(2021, 8, 15):
        return 0x20000004  # signalling taproot
    return 0x20000000
