"""JSON lines in and out: one object per line, money parsed as Decimal, errors with line numbers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, BinaryIO

from blocktrust.chain.formats.errors import ChainDataError


def numbered_lines(fh: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of every non-blank line; a broken gzip names the last good line."""
    lines = iter(fh)
    line_no = 0
    while True:
        try:
            raw = next(lines)
        except StopIteration:
            return
        except ChainDataError as exc:  # a broken compressed stream, found while reading
            raise exc.at(f"after line {line_no}") from None
        line_no += 1
        if raw.strip():
            yield line_no, raw


def iter_objects(fh: BinaryIO, source: str) -> Iterator[tuple[str, Any]]:
    """Yield (location, decoded object) per non-blank line; bad JSON names file and line."""
    for line_no, raw in numbered_lines(fh):
        try:
            obj = json.loads(raw, parse_float=Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ChainDataError(
                source, f"line {line_no}", None, f"malformed JSON: {exc}"
            ) from None
        yield f"line {line_no}", obj


def write_objects(objects: Iterable[dict[str, Any]], fh: BinaryIO) -> int:
    count = 0
    for obj in objects:
        fh.write(json.dumps(obj, separators=(",", ":")).encode())
        fh.write(b"\n")
        count += 1
    return count
