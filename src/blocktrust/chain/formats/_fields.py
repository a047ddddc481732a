"""Typed field access for one source record, with errors that name file, location and field.

Each reader turns a decoded record (a JSON object, or one Parquet row as a dict) into canonical
records through a ``Fields`` view. A ``Dialect`` says how a format spells integers, money and
timestamps; everything else (required vs optional, nesting, consistency checks) is shared.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from blocktrust.chain.formats.errors import ChainDataError
from blocktrust.chain.records import MAX_MONEY_SATS, Block, Input, Output, Transaction

SATS_PER_BTC = 100_000_000
_INT_STRING = re.compile(r"[+-]?\d+\Z")
_MISSING = object()


def _int_only(value: Any) -> int:
    if type(value) is int:
        return value
    raise TypeError(f"expected an integer, found {_kind(value)}")


def _int_or_digits(value: Any) -> int:
    """BigQuery JSON exports write INT64 as strings (64-bit safety); accept both."""
    if type(value) is int:
        return value
    if isinstance(value, str) and _INT_STRING.match(value):
        return int(value)
    raise TypeError(f"expected an integer or a string of digits, found {_kind(value)}")


def sats_from_integral(value: Any) -> int:
    """Satoshis given as a JSON integer or integral decimal (bitcoin-etl)."""
    if type(value) is int:
        return _check_money(value)
    if isinstance(value, Decimal):
        return _check_money(_integral(value, "satoshis"))
    raise TypeError(f"expected integer satoshis, found {_kind(value)}")


def sats_from_numeric(value: Any) -> int:
    """Satoshis as BigQuery NUMERIC: a string ("5000000000" or "5000000000.0") or a number."""
    if isinstance(value, str):
        try:
            parsed = Decimal(value)
        except InvalidOperation:
            raise TypeError(f"expected a NUMERIC string, found {value!r}") from None
        if not parsed.is_finite():
            raise TypeError(f"expected a finite NUMERIC, found {value!r}")
        return _check_money(_integral(parsed, "satoshis"))
    return sats_from_integral(value)


def sats_from_btc_double(value: Any) -> int:
    """Exact satoshis from a double holding BTC: Decimal(repr(x)) * 10^8 must be integral.

    repr() is the shortest decimal that round-trips to the same double, so 0.1 gives exactly
    10,000,000 sats; a double whose shortest decimal has more than 8 places (0.1 + 0.2 =
    0.30000000000000004) is not a whole number of satoshis and is rejected, never rounded.
    """
    if type(value) is not float:
        if type(value) is int:
            value = float(value)
        else:
            raise TypeError(f"expected a double (BTC), found {_kind(value)}")
    text = repr(value)
    whole, _, places = text.partition(".")
    if whole.isdigit() and len(places) <= 8 and places.isdigit():  # plain notation, the usual case
        return _check_money(int(whole) * SATS_PER_BTC + int(places.ljust(8, "0")))
    if not math.isfinite(value):
        raise ValueError(f"BTC value {value!r} is not finite")
    scaled = Decimal(repr(value)).scaleb(8)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"BTC value {value!r} is not a whole number of satoshis ({scaled} sats)")
    return _check_money(int(scaled))


def _integral(value: Decimal, what: str) -> int:
    if value != value.to_integral_value():
        raise ValueError(f"{value} is not a whole number of {what}")
    return int(value)


def _check_money(sats: int) -> int:
    if not 0 <= sats <= MAX_MONEY_SATS:
        raise ValueError(f"{sats} satoshis is outside 0..{MAX_MONEY_SATS}")
    return sats


def epoch_from_int(value: Any) -> int:
    return _int_only(value)


def epoch_from_timestamp_string(value: Any) -> int:
    """BigQuery TIMESTAMP text: '2009-01-03 18:15:05 UTC', ISO 8601 with Z/offset, or epoch."""
    if type(value) is int:
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected a TIMESTAMP string, found {_kind(value)}")
    text = value.strip()
    if text.endswith(" UTC"):
        text = text[:-4] + "+00:00"
    elif text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"unreadable TIMESTAMP {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.microsecond:
        raise ValueError(f"TIMESTAMP {value!r} has fractional seconds; blocks have whole seconds")
    return int(moment.timestamp())


def _bool_only(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise TypeError(f"expected a boolean, found {_kind(value)}")


def _bool_or_text(value: Any) -> bool:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return _bool_only(value)


def _nonce_hex(value: Any) -> str:
    """The header nonce as canonical 8-digit lower-case hex (it is a 32-bit field).

    bitcoin-etl and BigQuery write it as hex text, AWS as a bigint; padding makes both agree
    (the AWS bigint of nonce 0x0a0e8804 would otherwise come back as 'a0e8804').
    """
    if isinstance(value, str):
        number = int(value, 16)
    elif type(value) is int:
        number = value
    else:
        raise TypeError(f"expected a hex string or integer nonce, found {_kind(value)}")
    if not 0 <= number < 2**32:
        raise ValueError(f"nonce {value!r} is not a 32-bit value")
    return format(number, "08x")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"string {value[:40]!r}"
    return type(value).__name__ + f" {value!r}"[:60]


@dataclass(frozen=True)
class Dialect:
    """How one source format spells the scalar types of the bitcoin-etl model."""

    name: str
    to_int: Callable[[Any], int]
    to_sats: Callable[[Any], int]
    to_epoch: Callable[[Any], int]
    to_bool: Callable[[Any], bool]
    value_tolerance: bool = False  # aggregates are float sums (AWS): compare with tolerance


ETL = Dialect("bitcoin-etl", _int_only, sats_from_integral, epoch_from_int, _bool_only)
BIGQUERY = Dialect(
    "bigquery", _int_or_digits, sats_from_numeric, epoch_from_timestamp_string, _bool_or_text
)
AWS = Dialect("aws-parquet", _int_only, sats_from_btc_double, epoch_from_int, _bool_only, True)


class Fields:
    """A read-only view of one decoded record; every failure names source, location and field."""

    __slots__ = ("_data", "_source", "_location", "_prefix", "_dialect")

    def __init__(
        self, data: Any, source: str, location: str, dialect: Dialect, prefix: str = ""
    ) -> None:
        if not isinstance(data, Mapping):
            raise ChainDataError(
                source, location, prefix or None, f"expected an object, found {_kind(data)}"
            )
        self._data = data
        self._source = source
        self._location = location
        self._prefix = prefix
        self._dialect = dialect

    def error(self, key: str | None, message: str) -> ChainDataError:
        name = f"{self._prefix}{key}" if key else (self._prefix.rstrip(".") or None)
        return ChainDataError(self._source, self._location, name, message)

    def raw(self, key: str) -> Any:
        return self._data.get(key)

    def has(self, key: str) -> bool:
        return self._data.get(key) is not None

    def _get(self, key: str, required: bool) -> Any:
        value = self._data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                problem = "missing" if value is _MISSING else "null"
                raise self.error(key, f"required field is {problem}")
            return None
        return value

    def _convert(self, key: str, value: Any, convert: Callable[[Any], Any]) -> Any:
        try:
            return convert(value)
        except (TypeError, ValueError) as exc:
            raise self.error(key, str(exc)) from None

    # Each accessor returns the common well-typed case directly; the slow path explains errors.
    def int(self, key: str) -> int:
        value = self._data.get(key)
        if type(value) is int:
            return value
        return self._convert(key, self._get(key, True), self._dialect.to_int)

    def opt_int(self, key: str) -> int | None:
        value = self._data.get(key)
        if value is None or type(value) is int:
            return value
        return self._convert(key, value, self._dialect.to_int)

    def str(self, key: str) -> str:
        value = self._data.get(key)
        if type(value) is str:
            return value
        value = self._get(key, True)
        if not isinstance(value, str):
            raise self.error(key, f"expected a string, found {_kind(value)}")
        return value

    def opt_str(self, key: str) -> str | None:
        value = self._get(key, False)
        if value is not None and not isinstance(value, str):
            raise self.error(key, f"expected a string, found {_kind(value)}")
        return value

    def bool(self, key: str) -> bool:
        return self._convert(key, self._get(key, True), self._dialect.to_bool)

    def sats(self, key: str) -> int:
        value = self._data.get(key)
        if type(value) is int and 0 <= value <= MAX_MONEY_SATS and self._dialect is not AWS:
            return value
        return self._convert(key, self._get(key, True), self._dialect.to_sats)

    def opt_sats(self, key: str) -> int | None:
        value = self._data.get(key)
        if value is None:
            return None
        if type(value) is int and 0 <= value <= MAX_MONEY_SATS and self._dialect is not AWS:
            return value
        return self._convert(key, value, self._dialect.to_sats)

    def epoch(self, key: str) -> int:
        return self._convert(key, self._get(key, True), self._dialect.to_epoch)

    def nonce(self, key: str) -> str:
        return self._convert(key, self._get(key, True), _nonce_hex)

    def addresses(self) -> tuple[str, ...]:
        """``addresses`` (bitcoin-etl, BigQuery) or Core 22+/AWS singular ``address``."""
        many = self._data.get("addresses")
        if many is not None:
            if not isinstance(many, list | tuple) or not all(isinstance(a, str) for a in many):
                raise self.error("addresses", f"expected a list of strings, found {_kind(many)}")
            if many:
                return tuple(many)
        one = self._data.get("address")
        if one is None:
            return ()
        if not isinstance(one, str):
            raise self.error("address", f"expected a string, found {_kind(one)}")
        return (one,) if one else ()

    def items(self, key: str) -> list[Fields]:
        """A nested list of objects; missing or null reads as empty (AWS coinbase has no inputs)."""
        value = self._data.get(key)
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            raise self.error(key, f"expected a list, found {_kind(value)}")
        return [
            Fields(item, self._source, self._location, self._dialect, f"{self._prefix}{key}[{i}].")
            for i, item in enumerate(value)
        ]


def block_from_fields(f: Fields) -> Block:
    previous = f.opt_str("previous_block_hash")
    if previous is None:
        previous = f.opt_str("previousblockhash")
    return Block(
        hash=f.str("hash"),
        size=f.int("size"),
        stripped_size=f.int("stripped_size"),
        weight=f.int("weight"),
        number=f.int("number"),
        version=f.int("version"),
        merkle_root=f.str("merkle_root"),
        timestamp=f.epoch("timestamp"),
        nonce=f.nonce("nonce"),
        bits=f.str("bits"),
        coinbase_param=f.opt_str("coinbase_param"),
        transaction_count=f.int("transaction_count"),
        previous_block_hash=previous,
    )


def input_from_fields(f: Fields) -> Input:
    return Input(
        index=f.int("index"),
        spent_transaction_hash=f.opt_str("spent_transaction_hash"),
        spent_output_index=f.opt_int("spent_output_index"),
        script_asm=f.opt_str("script_asm"),
        script_hex=f.opt_str("script_hex"),
        sequence=f.int("sequence"),
        required_signatures=f.opt_int("required_signatures"),
        type=f.opt_str("type"),
        addresses=f.addresses(),
        value=f.opt_sats("value"),
    )


def output_from_fields(f: Fields) -> Output:
    return Output(
        index=f.int("index"),
        script_asm=f.str("script_asm"),
        script_hex=f.str("script_hex"),
        required_signatures=f.opt_int("required_signatures"),
        type=f.str("type"),
        addresses=f.addresses(),
        value=f.sats("value"),
    )


def transaction_from_fields(f: Fields, index: int | None = None) -> Transaction:
    """Map one transaction; ``index`` is the fallback position when the source has none."""
    position = f.opt_int("index")
    if position is None:
        if index is None:
            raise f.error("index", "required field is missing")
        position = index
    tx = Transaction(
        hash=f.str("hash"),
        size=f.int("size"),
        virtual_size=f.int("virtual_size"),
        version=f.int("version"),
        lock_time=f.int("lock_time"),
        block_number=f.int("block_number"),
        block_hash=f.str("block_hash"),
        block_timestamp=f.epoch("block_timestamp"),
        is_coinbase=f.bool("is_coinbase"),
        index=position,
        inputs=tuple(input_from_fields(i) for i in f.items("inputs")),
        outputs=tuple(output_from_fields(o) for o in f.items("outputs")),
    )
    check_transaction(f, tx)
    return tx


def check_transaction(f: Fields, tx: Transaction) -> None:
    """The source's own aggregates must agree with its inputs and outputs."""
    for i, item in enumerate(tx.inputs):
        if item.index != i:
            raise f.error(f"inputs[{i}].index", f"expected {i}, found {item.index}")
        if item.spent_transaction_hash is None and not tx.is_coinbase:
            raise f.error(
                f"inputs[{i}].spent_transaction_hash", "null in a non-coinbase transaction"
            )
    for i, item in enumerate(tx.outputs):
        if item.index != i:
            raise f.error(f"outputs[{i}].index", f"expected {i}, found {item.index}")
    if not tx.outputs:
        raise f.error("outputs", "a transaction has at least one output")
    input_count = f.opt_int("input_count")
    if input_count is not None and input_count != tx.input_count:
        raise f.error("input_count", f"{input_count} but inputs has {tx.input_count}")
    output_count = f.opt_int("output_count")
    if output_count is not None and output_count != tx.output_count:
        raise f.error("output_count", f"{output_count} but outputs has {tx.output_count}")
    _check_total(f, "output_value", tx.output_value, tx.output_count)
    if tx.input_value is not None and not tx.is_coinbase:
        _check_total(f, "input_value", tx.input_value, tx.input_count)
        if tx.fee is not None and tx.fee < 0:
            raise f.error("inputs", f"outputs exceed inputs by {-tx.fee} sats")
        _check_total(f, "fee", tx.fee, tx.input_count + tx.output_count)


def _check_total(f: Fields, key: str, expected: int | None, terms: int) -> None:
    raw = f.raw(key)
    if raw is None or expected is None:
        return
    if f._dialect.value_tolerance:
        # AWS sums doubles in BTC: allow the float summation error, not a wrong total.
        if type(raw) not in (float, int):
            raise f.error(key, f"expected a double (BTC), found {_kind(raw)}")
        slack = 1 + abs(expected) * (terms + 2) * 2.3e-16
        if not abs(raw * SATS_PER_BTC - expected) <= slack:
            raise f.error(key, f"{raw!r} BTC but the items sum to {expected} sats")
        return
    try:
        value = f._dialect.to_sats(raw)
    except (TypeError, ValueError) as exc:
        raise f.error(key, str(exc)) from None
    if value != expected:
        raise f.error(key, f"{value} but the items sum to {expected}")
