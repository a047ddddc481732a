"""The address check: every address of the day decodes, with a valid checksum, to its type.

Base58Check (P2PKH, P2SH), Bech32 (segwit v0) and Bech32m (v1+) checksums need SHA-256d and
BCH codes, so the check runs in Python with blocktrust.chain.encoding over the day's distinct
(script type, address) pairs, and GX validates the resulting frame (column ``problem`` null).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from blocktrust.chain.encoding import AddressError, decode_address

if TYPE_CHECKING:
    import pandas as pd

    from blocktrust.settings import Settings

NONSTANDARD = re.compile(r"^nonstandard[0-9a-f]{40}$")

# script type (bitcoin-etl / AWS) -> the address kinds decode_address may return for it
EXPECTED_KINDS: dict[str, frozenset[str]] = {
    "pubkeyhash": frozenset({"pubkeyhash"}),
    "pubkey": frozenset({"pubkeyhash"}),  # shown as the P2PKH address of the key
    "scripthash": frozenset({"scripthash"}),
    "witness_v0_keyhash": frozenset({"witness_v0_keyhash"}),
    "witness_v0_scripthash": frozenset({"witness_v0_scripthash"}),
    "witness_v1_taproot": frozenset({"witness_v1_taproot"}),
    "witness_unknown": frozenset({"witness_unknown", "witness_v1_taproot"}),
    "multisig": frozenset({"pubkeyhash"}),  # real exports list the keys' P2PKH addresses
}
MADE_UP_ALLOWED = frozenset({"multisig", "nonstandard"})


def address_problem(script_type: str | None, address: str) -> str | None:
    """None when ``address`` is valid for ``script_type``; else a one-line reason."""
    if script_type == "nulldata":
        return f"{address}: an OP_RETURN (nulldata) output carries no address"
    if NONSTANDARD.match(address):
        if script_type in MADE_UP_ALLOWED or script_type not in EXPECTED_KINDS:
            return None
        return f"{address}: made-up nonstandard address on a {script_type} script"
    if script_type == "nonstandard":
        return f"{address}: a nonstandard script must carry nonstandard<40 hex>"
    try:
        kind, _ = decode_address(address)
    except AddressError as err:
        return f"{script_type}: {err}"
    except (ValueError, IndexError) as err:  # malformed text the decoder trips over
        return f"{address} ({script_type}): undecodable: {err}"
    expected = EXPECTED_KINDS.get(script_type or "")
    if expected is not None and kind not in expected:
        return f"{address}: decodes to {kind}, but the script type is {script_type}"
    return None


def problems(pairs: Iterable[tuple[str | None, str]]) -> list[tuple[str | None, str, str | None]]:
    """(script_type, address, problem or None) for each pair."""
    return [(kind, address, address_problem(kind, address)) for kind, address in pairs]


def day_address_frame(settings: Settings, day: date) -> pd.DataFrame:
    """The day's distinct addresses with their problem (None when valid), as a DataFrame."""
    import pandas as pd

    from blocktrust.db import connect
    from blocktrust.gx.sql import query

    with connect(settings, role="owner") as conn:
        rows = conn.execute(query("day_addresses"), {"day": day}).fetchall()
    return pd.DataFrame(problems(rows), columns=["script_type", "address", "problem"])
