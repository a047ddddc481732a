"""Rows of the raw tables as COPY text (``COPY ... FROM STDIN``, text format), rendered in Python.

Two renderers that must agree byte for byte:

* ``row_text(row)``: any row of ``ingest.rows`` (canonical records of every format);
* ``EtlTransactionText``: bitcoin-etl JSON lines straight to the three rows of a transaction
  (transactions, inputs, outputs), decoded by msgspec into typed structs, with no canonical
  records in between. It re-checks everything ``_fields.transaction_from_fields`` checks; a line
  it cannot vouch for (a type it does not expect, a failed check, any backslash in the line) is
  handed to the canonical reader, which either raises the exact error (file, line, field) or
  returns the record, rendered by ``row_text``. So the fast path never accepts more than the
  canonical reader, and never renders a value differently (tests compare the two).

COPY text: columns separated by tab, ``\\N`` for NULL, backslash, tab, newline and carriage
return escaped with a backslash; arrays as ``{"a","b"}`` literals.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec

from blocktrust.chain.formats._fields import ETL, Fields, transaction_from_fields
from blocktrust.chain.formats.errors import ChainDataError
from blocktrust.chain.records import MAX_MONEY_SATS, Transaction
from blocktrust.ingest.rows import Row, input_rows, output_rows, transaction_row

NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def escape(text: str) -> str:
    """One text value in COPY text format; NUL cannot be stored in PostgreSQL text."""
    if "\x00" in text:
        raise ValueError("text contains a NUL character, which PostgreSQL text cannot store")
    return text.translate(_COPY_ESCAPES)


def array_literal(items: list[str]) -> str:
    """A text[] literal with every element quoted (so no element needs special-casing)."""
    quoted = ('"' + i.replace("\\", "\\\\").replace('"', '\\"') + '"' for i in items)
    return "{" + ",".join(quoted) + "}"


def value_text(value: Any) -> str:
    if value is None:
        return NULL
    kind = type(value)
    if kind is str:
        return escape(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is Decimal:
        return str(value)
    if kind is list:
        return escape(array_literal(value))
    if kind is datetime or kind is date:
        return value.isoformat()
    raise TypeError(f"no COPY text for {kind.__name__} {value!r}")


def row_text(row: Row) -> str:
    return "\t".join([value_text(v) for v in row]) + "\n"


def transaction_texts(tx: Transaction) -> tuple[str, list[str], list[str]]:
    """The transactions line and the inputs and outputs lines of one canonical record."""
    return (
        row_text(transaction_row(tx)),
        [row_text(r) for r in input_rows(tx)],
        [row_text(r) for r in output_rows(tx)],
    )


# ---------------------------------------------------------------- bitcoin-etl fast path


class _Input(msgspec.Struct):
    index: int
    sequence: int
    spent_transaction_hash: str | None = None
    spent_output_index: int | None = None
    script_hex: str | None = None
    required_signatures: int | None = None
    type: str | None = None
    addresses: list[str] | None = None
    address: str | None = None
    value: int | None = None
    script_asm: str | None = None


class _Output(msgspec.Struct):
    index: int
    script_asm: str
    script_hex: str
    type: str
    value: int
    required_signatures: int | None = None
    addresses: list[str] | None = None
    address: str | None = None


class _Transaction(msgspec.Struct):
    hash: str
    size: int
    virtual_size: int
    version: int
    lock_time: int
    block_number: int
    block_hash: str
    block_timestamp: int
    is_coinbase: bool
    index: int | None = None
    inputs: list[_Input] | None = None
    outputs: list[_Output] | None = None
    input_count: int | None = None
    output_count: int | None = None
    input_value: int | None = None
    output_value: int | None = None
    fee: int | None = None


class _Unsure(Exception):
    """The fast path cannot vouch for this line: let the canonical reader decide."""


def _addresses(many: list[str] | None, one: str | None) -> list[str]:
    """``Fields.addresses``: a non-empty ``addresses`` list, else the singular ``address``."""
    if many:
        return many
    return [one] if one else []


def _addresses_text(items: list[str]) -> str:
    return '{"' + '","'.join(items) + '"}' if items else "{}"


def _sats(value: int) -> int:
    if not 0 <= value <= MAX_MONEY_SATS:
        raise _Unsure
    return value


class EtlTransactionText:
    """bitcoin-etl transaction lines -> (block date, transactions line, inputs, outputs lines).

    ``render(raw, source, line_no)`` raises ChainDataError exactly as the canonical reader would.
    The date and timestamp text of a block timestamp are cached (a day has few blocks).
    """

    def __init__(self) -> None:
        self._decode: Callable[[bytes], _Transaction] = msgspec.json.Decoder(_Transaction).decode
        self._times: dict[int, tuple[date, str, str]] = {}

    def times(self, epoch: int) -> tuple[date, str, str]:
        found = self._times.get(epoch)
        if found is None:
            moment = datetime.fromtimestamp(epoch, tz=UTC)
            day = moment.date()
            found = (day, day.isoformat(), moment.isoformat())
            if len(self._times) > 4096:
                self._times.clear()
            self._times[epoch] = found
        return found

    def render(
        self, raw: bytes, source: str, line_no: int
    ) -> tuple[date, str, list[str], list[str]]:
        if b"\\" not in raw:  # no escapes: no string can need COPY escaping or array quoting
            try:
                return self._fast(self._decode(raw))
            except (msgspec.DecodeError, _Unsure):
                pass
        return self._canonical(raw, source, line_no)

    def _canonical(
        self, raw: bytes, source: str, line_no: int
    ) -> tuple[date, str, list[str], list[str]]:
        location = f"line {line_no}"
        try:
            obj = json.loads(raw, parse_float=Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ChainDataError(source, location, None, f"malformed JSON: {exc}") from None
        tx = transaction_from_fields(Fields(obj, source, location, ETL))
        try:
            line, inputs, outputs = transaction_texts(tx)
        except ValueError as exc:
            raise ChainDataError(source, location, None, str(exc)) from None
        return tx.block_date, line, inputs, outputs

    def _fast(self, t: _Transaction) -> tuple[date, str, list[str], list[str]]:
        if t.index is None:
            raise _Unsure
        coinbase = t.is_coinbase
        inputs = t.inputs or []
        outputs = t.outputs or []
        n_in = len(inputs)
        n_out = len(outputs)
        if not n_out:
            raise _Unsure
        if (t.input_count is not None and t.input_count != n_in) or (
            t.output_count is not None and t.output_count != n_out
        ):
            raise _Unsure
        day, day_text, ts_text = self.times(t.block_timestamp)
        head = f"{day_text}\t{t.hash}\t{t.block_number}\t{t.block_hash}\t"

        in_lines = []
        in_total: int | None = 0
        for position, i in enumerate(inputs):
            if i.index != position:
                raise _Unsure
            spent = i.spent_transaction_hash
            if spent is None and not coinbase:
                raise _Unsure
            value = i.value
            if value is None:
                in_total = None
                value_text_ = NULL
            else:
                value_text_ = str(_sats(value))
                if in_total is not None:
                    in_total += value
            kind = i.type
            spent_index = i.spent_output_index
            required = i.required_signatures
            script = i.script_hex
            in_lines.append(
                f"{head}{i.index}\t{NULL if spent is None else spent}\t"
                f"{NULL if spent_index is None else spent_index}\t"
                f"{NULL if kind is None else kind}\t"
                f"{NULL if kind is None else _addresses_text(_addresses(i.addresses, i.address))}"
                f"\t{value_text_}\t{i.sequence}\t{NULL if required is None else required}\t"
                f"{NULL if script is None else script}\n"
            )

        out_lines = []
        out_total = 0
        for position, o in enumerate(outputs):
            if o.index != position:
                raise _Unsure
            out_total += _sats(o.value)
            required = o.required_signatures
            out_lines.append(
                f"{head}{o.index}\t{o.type}\t{_addresses_text(_addresses(o.addresses, o.address))}"
                f"\t{o.value}\t{NULL if required is None else required}\t{o.script_hex}\n"
            )

        if t.output_value is not None and (
            t.output_value != out_total or not 0 <= out_total <= MAX_MONEY_SATS
        ):
            raise _Unsure
        fee: int | None
        if coinbase:
            in_total = fee = 0
        elif in_total is None:
            fee = None
        else:
            fee = in_total - out_total
            if fee < 0:
                raise _Unsure
            if t.input_value is not None and (
                t.input_value != in_total or not 0 <= in_total <= MAX_MONEY_SATS
            ):
                raise _Unsure
            if t.fee is not None and (t.fee != fee or not 0 <= fee <= MAX_MONEY_SATS):
                raise _Unsure
        tx_line = (
            f"{head}{ts_text}\t{t.index}\t"
            f"{'t' if coinbase else 'f'}\t{t.size}\t{t.virtual_size}\t{t.version}\t"
            f"{t.lock_time}\t{n_in}\t{n_out}\t{NULL if in_total is None else in_total}\t"
            f"{out_total}\t{NULL if fee is None else fee}\n"
        )
        return day, tx_line, in_lines, out_lines
