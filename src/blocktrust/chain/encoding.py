"""Bitcoin encodings: hashes, Base58Check, Bech32/Bech32m, scripts, transactions and headers.

Pure functions over bytes; no I/O. Everything here follows the consensus/serialization rules
(BIP-13/16 Base58Check, BIP-173 Bech32, BIP-350 Bech32m, legacy transaction serialization), so
txids, merkle roots and block hashes computed here are what a node would compute.

Addresses of scripts follow bitcoin-etl: a P2PK output shows the P2PKH address of its key, an
OP_RETURN output has none, and every other script without a standard address (bare multisig,
nonstandard) gets the made-up ``nonstandard<first 40 hex of sha256(script)>``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

OP_0 = 0x00
OP_PUSHDATA1 = 0x4C
OP_PUSHDATA2 = 0x4D
OP_PUSHDATA4 = 0x4E
OP_1NEGATE = 0x4F
OP_1 = 0x51
OP_16 = 0x60
OP_RETURN = 0x6A
OP_DUP = 0x76
OP_EQUAL = 0x87
OP_EQUALVERIFY = 0x88
OP_HASH160 = 0xA9
OP_CHECKSIG = 0xAC
OP_CHECKMULTISIG = 0xAE

P2PKH_VERSION = 0x00
P2SH_VERSION = 0x05
SEGWIT_HRP = "bc"

_OPCODE_NAMES: dict[int, str] = {
    0x61: "OP_NOP",
    0x63: "OP_IF",
    0x64: "OP_NOTIF",
    0x67: "OP_ELSE",
    0x68: "OP_ENDIF",
    0x69: "OP_VERIFY",
    0x6A: "OP_RETURN",
    0x75: "OP_DROP",
    0x76: "OP_DUP",
    0x7C: "OP_SWAP",
    0x82: "OP_SIZE",
    0x87: "OP_EQUAL",
    0x88: "OP_EQUALVERIFY",
    0x93: "OP_ADD",
    0x94: "OP_SUB",
    0xA6: "OP_RIPEMD160",
    0xA7: "OP_SHA1",
    0xA8: "OP_SHA256",
    0xA9: "OP_HASH160",
    0xAA: "OP_HASH256",
    0xAC: "OP_CHECKSIG",
    0xAD: "OP_CHECKSIGVERIFY",
    0xAE: "OP_CHECKMULTISIG",
    0xAF: "OP_CHECKMULTISIGVERIFY",
    0xB0: "OP_NOP1",
    0xB1: "OP_CHECKLOCKTIMEVERIFY",
    0xB2: "OP_CHECKSEQUENCEVERIFY",
}


class AddressError(ValueError):
    """An address that does not decode or whose checksum does not match."""


# ---------------------------------------------------------------- hashes


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


# hashlib.new() by name goes through a Python-level lookup on every call; copying a prepared
# object does not (addresses are made in bulk).
_RIPEMD160 = hashlib.new("ripemd160")


def hash160(data: bytes) -> bytes:
    """RIPEMD-160 of SHA-256: the hash inside P2PKH/P2SH/P2WPKH addresses."""
    h = _RIPEMD160.copy()
    h.update(hashlib.sha256(data).digest())
    return h.digest()


# ---------------------------------------------------------------- Base58Check

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58_ALPHABET)}


# Two Base58 digits per division halves the Python-level loop (addresses are made in bulk).
_B58_PAIRS = tuple(a + b for a in B58_ALPHABET for b in B58_ALPHABET)


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    pairs = _B58_PAIRS
    chunks: list[str] = []
    while n:
        n, rem = divmod(n, 3364)
        chunks.append(pairs[rem])
    chunks.reverse()
    pad = len(data) - len(data.lstrip(b"\x00"))
    return "1" * pad + "".join(chunks).lstrip("1")


def b58decode(text: str) -> bytes:
    n = 0
    for c in text:
        digit = _B58_INDEX.get(c)
        if digit is None:
            raise AddressError(f"{text!r}: character {c!r} is not Base58")
        n = n * 58 + digit
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + body


def b58check_encode(payload: bytes) -> str:
    return b58encode(payload + sha256d(payload)[:4])


def b58check_decode(text: str) -> bytes:
    raw = b58decode(text)
    if len(raw) < 5:
        raise AddressError(f"{text!r}: too short for Base58Check")
    payload, checksum = raw[:-4], raw[-4:]
    if sha256d(payload)[:4] != checksum:
        raise AddressError(f"{text!r}: Base58Check checksum mismatch")
    return payload


# ---------------------------------------------------------------- Bech32 / Bech32m

BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(BECH32_CHARSET)}
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _generator_table() -> tuple[int, ...]:
    """XOR of the generator terms selected by each value of the 5 top bits."""
    table = []
    for top in range(32):
        acc = 0
        for i in range(5):
            if (top >> i) & 1:
                acc ^= _GENERATOR[i]
        table.append(acc)
    return tuple(table)


_GEN_TABLE = _generator_table()


def bech32_polymod(values: Sequence[int]) -> int:
    chk = 1
    table = _GEN_TABLE
    for v in values:
        chk = ((chk & 0x1FFFFFF) << 5) ^ v ^ table[chk >> 25]
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_encode(hrp: str, data: Sequence[int], const: int) -> str:
    values = _hrp_expand(hrp) + list(data)
    mod = bech32_polymod(values + [0] * 6) ^ const
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in list(data) + checksum)


def bech32_decode(text: str) -> tuple[str, list[int], int]:
    """(hrp, data without checksum, constant) — constant is BECH32_CONST or BECH32M_CONST."""
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise AddressError(f"{text!r}: character out of range")
    if text.lower() != text and text.upper() != text:
        raise AddressError(f"{text!r}: mixed case")
    if len(text) > 90:
        raise AddressError(f"{text!r}: longer than 90 characters")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        raise AddressError(f"{text!r}: separator misplaced or checksum too short")
    hrp = text[:pos]
    data: list[int] = []
    for c in text[pos + 1 :]:
        d = _BECH32_INDEX.get(c)
        if d is None:
            raise AddressError(f"{text!r}: character {c!r} is not Bech32")
        data.append(d)
    const = bech32_polymod(_hrp_expand(hrp) + data)
    if const not in (BECH32_CONST, BECH32M_CONST):
        raise AddressError(f"{text!r}: Bech32 checksum mismatch")
    return hrp, data[:-6], const


def convertbits(data: Sequence[int], frombits: int, tobits: int, pad: bool) -> list[int]:
    acc = 0
    bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            raise AddressError(f"value {value} does not fit in {frombits} bits")
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        raise AddressError("invalid padding in Bech32 data")
    return out


_FIVE_BIT_CHARS = bytes.maketrans(bytes(range(32)), BECH32_CHARSET.encode("ascii"))


def _spread_masks() -> tuple[tuple[int, int, int], ...]:
    """(data bits, lane bits, mask) per halving step from one 64-group lane to 64 byte lanes."""
    steps = []
    k = 64
    while k > 1:
        half = k // 2
        data, lane = 5 * half, 8 * half
        mask = sum(((1 << data) - 1) << (2 * lane * i) for i in range(64 // k))
        steps.append((data, lane, mask))
        k = half
    return tuple(steps)


_SPREAD = _spread_masks()


def _five_bit_groups(program: bytes) -> bytes:
    """8-to-5 bit regrouping with zero padding (BIP-173 convertbits), one value per byte.

    Up to 40 bytes (64 groups): the groups are spread into byte lanes by six rounds of
    big-integer mask-and-shift, instead of a Python loop per group.
    """
    nbits = 8 * len(program)
    groups = -(-nbits // 5)
    x = int.from_bytes(program, "big") << (5 * groups - nbits)
    for data, lane, mask in _SPREAD:
        x = (x & mask) | (((x >> data) & mask) << lane)
    return x.to_bytes(64, "big")[64 - groups :]


# The checksum (polymod) is affine over GF(2) in the data bits, and the data is the witness
# version, the program regrouped to 5 bits, and six zeros. So for a given program length the
# checksum is a constant (hrp, version, length) XOR one table entry per program byte: 20 or 32
# lookups instead of a Python step per 5-bit value.
_PROGRAM_TABLES: dict[int, tuple[tuple[int, ...], ...]] = {}
_CHECKSUM_BASE: dict[tuple[str, int, int], int] = {}
_TWO_CHARS = tuple(a + b for a in BECH32_CHARSET for b in BECH32_CHARSET)


def _checksum_mod(hrp: str, version: int, groups: bytes) -> int:
    return bech32_polymod(_hrp_expand(hrp) + [version, *groups] + [0] * 6)


def _program_tables(length: int) -> tuple[tuple[int, ...], ...]:
    tables = _PROGRAM_TABLES.get(length)
    if tables is None:
        zero = _checksum_mod("", 0, _five_bit_groups(bytes(length)))
        tables_list = []
        for k in range(length):
            bits = []
            for bit in range(8):
                program = bytearray(length)
                program[k] = 1 << bit
                bits.append(_checksum_mod("", 0, _five_bit_groups(bytes(program))) ^ zero)
            table = [0] * 256
            for byte in range(1, 256):
                low = byte & -byte
                table[byte] = table[byte ^ low] ^ bits[low.bit_length() - 1]
            tables_list.append(tuple(table))
        tables = _PROGRAM_TABLES[length] = tuple(tables_list)
    return tables


def segwit_address(version: int, program: bytes, hrp: str = SEGWIT_HRP) -> str:
    """Bech32 for witness v0 (BIP-173), Bech32m for v1+ (BIP-350)."""
    length = len(program)
    if length > 40:
        raise AddressError(f"witness program of {length} bytes (at most 40)")
    groups = _five_bit_groups(program)
    mod = _CHECKSUM_BASE.get((hrp, version, length))
    if mod is None:
        const = BECH32_CONST if version == 0 else BECH32M_CONST
        mod = _checksum_mod(hrp, version, bytes(len(groups))) ^ const
        _CHECKSUM_BASE[hrp, version, length] = mod
    for table, byte in zip(_program_tables(length), program, strict=True):
        mod ^= table[byte]
    two = _TWO_CHARS
    return (
        hrp
        + "1"
        + BECH32_CHARSET[version]
        + groups.translate(_FIVE_BIT_CHARS).decode()
        + two[mod >> 20]
        + two[(mod >> 10) & 1023]
        + two[mod & 1023]
    )


def decode_segwit_address(text: str, hrp: str = SEGWIT_HRP) -> tuple[int, bytes]:
    got_hrp, data, const = bech32_decode(text)
    if got_hrp != hrp:
        raise AddressError(f"{text!r}: human-readable part {got_hrp!r}, expected {hrp!r}")
    if not data or data[0] > 16:
        raise AddressError(f"{text!r}: bad witness version")
    version = data[0]
    program = bytes(convertbits(data[1:], 5, 8, False))
    if not 2 <= len(program) <= 40:
        raise AddressError(f"{text!r}: witness program of {len(program)} bytes")
    if version == 0 and len(program) not in (20, 32):
        raise AddressError(f"{text!r}: v0 program must be 20 or 32 bytes")
    expected = BECH32_CONST if version == 0 else BECH32M_CONST
    if const != expected:
        kind = "Bech32" if version == 0 else "Bech32m"
        raise AddressError(f"{text!r}: witness v{version} needs a {kind} checksum")
    return version, program


# ---------------------------------------------------------------- addresses


def p2pkh_address(h160: bytes) -> str:
    return b58check_encode(bytes([P2PKH_VERSION]) + h160)


def p2sh_address(h160: bytes) -> str:
    return b58check_encode(bytes([P2SH_VERSION]) + h160)


def nonstandard_address(script: bytes) -> str:
    """bitcoin-etl's stand-in address for scripts without one."""
    return "nonstandard" + hashlib.sha256(script).hexdigest()[:40]


def decode_address(address: str) -> tuple[str, bytes]:
    """(script type, hash or witness program) of a mainnet address; AddressError if invalid."""
    if address[:3].lower() == SEGWIT_HRP + "1":
        version, program = decode_segwit_address(address)
        if version == 0:
            kind = "witness_v0_keyhash" if len(program) == 20 else "witness_v0_scripthash"
        elif version == 1 and len(program) == 32:
            kind = "witness_v1_taproot"
        else:
            kind = "witness_unknown"
        return kind, program
    payload = b58check_decode(address)
    if len(payload) != 21:
        raise AddressError(f"{address!r}: payload of {len(payload)} bytes, expected 21")
    if payload[0] == P2PKH_VERSION:
        return "pubkeyhash", payload[1:]
    if payload[0] == P2SH_VERSION:
        return "scripthash", payload[1:]
    raise AddressError(f"{address!r}: version byte {payload[0]} is not mainnet P2PKH/P2SH")


def is_valid_address(address: str) -> bool:
    try:
        decode_address(address)
    except AddressError:
        return False
    return True


def script_for_address(address: str) -> bytes:
    kind, program = decode_address(address)
    if kind == "pubkeyhash":
        return p2pkh_script(program)
    if kind == "scripthash":
        return p2sh_script(program)
    _, data, _ = bech32_decode(address)
    return witness_script(data[0], program)


# ---------------------------------------------------------------- scripts


def push_data(data: bytes) -> bytes:
    n = len(data)
    if n < OP_PUSHDATA1:
        return bytes([n]) + data
    if n <= 0xFF:
        return bytes([OP_PUSHDATA1, n]) + data
    if n <= 0xFFFF:
        return bytes([OP_PUSHDATA2]) + n.to_bytes(2, "little") + data
    return bytes([OP_PUSHDATA4]) + n.to_bytes(4, "little") + data


def small_int_opcode(n: int) -> int:
    if not 0 <= n <= 16:
        raise ValueError(f"{n} is not a small integer opcode")
    return OP_0 if n == 0 else OP_1 + n - 1


def p2pkh_script(h160: bytes) -> bytes:
    return bytes([OP_DUP, OP_HASH160, 20]) + h160 + bytes([OP_EQUALVERIFY, OP_CHECKSIG])


def p2sh_script(h160: bytes) -> bytes:
    return bytes([OP_HASH160, 20]) + h160 + bytes([OP_EQUAL])


def witness_script(version: int, program: bytes) -> bytes:
    return bytes([small_int_opcode(version), len(program)]) + program


def p2wpkh_script(h160: bytes) -> bytes:
    return witness_script(0, h160)


def p2wsh_script(h256: bytes) -> bytes:
    return witness_script(0, h256)


def p2tr_script(output_key: bytes) -> bytes:
    return witness_script(1, output_key)


def p2pk_script(pubkey: bytes) -> bytes:
    return push_data(pubkey) + bytes([OP_CHECKSIG])


def multisig_script(m: int, pubkeys: Sequence[bytes]) -> bytes:
    body = b"".join(push_data(k) for k in pubkeys)
    return (
        bytes([small_int_opcode(m)])
        + body
        + bytes([small_int_opcode(len(pubkeys)), OP_CHECKMULTISIG])
    )


def op_return_script(data: bytes) -> bytes:
    return bytes([OP_RETURN]) + push_data(data)


def parse_script(script: bytes) -> list[int | bytes]:
    """Opcodes (int) and pushed data (bytes); ValueError on a push running past the end."""
    items: list[int | bytes] = []
    i = 0
    n = len(script)
    while i < n:
        op = script[i]
        i += 1
        if 0 < op < OP_PUSHDATA1:
            size = op
        elif op == OP_PUSHDATA1:
            size = script[i] if i < n else 0
            i += 1
        elif op == OP_PUSHDATA2:
            size = int.from_bytes(script[i : i + 2], "little")
            i += 2
        elif op == OP_PUSHDATA4:
            size = int.from_bytes(script[i : i + 4], "little")
            i += 4
        else:
            items.append(op)
            continue
        if i + size > n:
            raise ValueError(f"push of {size} bytes runs past the end of the script")
        items.append(script[i : i + size])
        i += size
    return items


def script_to_asm(script: bytes) -> str:
    """bitcoind-style disassembly (pushes as hex, small integers as numbers)."""
    try:
        items = parse_script(script)
    except ValueError:
        return "[error]"
    words: list[str] = []
    for item in items:
        if isinstance(item, bytes):
            words.append(item.hex())
        elif item == OP_0:
            words.append("0")
        elif item == OP_1NEGATE:
            words.append("-1")
        elif OP_1 <= item <= OP_16:
            words.append(str(item - OP_1 + 1))
        else:
            words.append(_OPCODE_NAMES.get(item, f"OP_UNKNOWN_{item:#04x}"))
    return " ".join(words)


def classify_script(script: bytes) -> tuple[str, int | None, tuple[str, ...]]:
    """(type, required signatures, addresses) of an output script, bitcoin-etl conventions."""
    n = len(script)
    if (
        n == 25
        and script[:3] == bytes([OP_DUP, OP_HASH160, 20])
        and script[23:] == bytes([OP_EQUALVERIFY, OP_CHECKSIG])
    ):
        return "pubkeyhash", 1, (p2pkh_address(script[3:23]),)
    if n == 23 and script[:2] == bytes([OP_HASH160, 20]) and script[22] == OP_EQUAL:
        return "scripthash", 1, (p2sh_address(script[2:22]),)
    if n in (22, 34) and script[0] == OP_0 and script[1] == n - 2:
        kind = "witness_v0_keyhash" if n == 22 else "witness_v0_scripthash"
        return kind, 1, (segwit_address(0, script[2:]),)
    if n == 34 and script[0] == OP_1 and script[1] == 32:
        return "witness_v1_taproot", 1, (segwit_address(1, script[2:]),)
    if n and script[0] == OP_RETURN:
        return "nulldata", None, ()
    try:
        items = parse_script(script)
    except ValueError:
        items = []
    if (
        len(items) == 2
        and isinstance(items[0], bytes)
        and len(items[0]) in (33, 65)
        and items[1] == OP_CHECKSIG
    ):
        return "pubkey", 1, (p2pkh_address(hash160(items[0])),)
    if (
        len(items) >= 4
        and items[-1] == OP_CHECKMULTISIG
        and isinstance(items[0], int)
        and isinstance(items[-2], int)
        and OP_1 <= items[0] <= OP_16
        and OP_1 <= items[-2] <= OP_16
        and all(isinstance(k, bytes) and len(k) in (33, 65) for k in items[1:-2])
        and items[-2] - OP_1 + 1 == len(items) - 3
    ):
        return "multisig", items[0] - OP_1 + 1, (nonstandard_address(script),)
    return "nonstandard", None, (nonstandard_address(script),)


# ---------------------------------------------------------------- transactions and blocks


def compact_size(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


COINBASE_PREVOUT = b"\x00" * 32 + b"\xff\xff\xff\xff"


def serialize_tx(
    version: int,
    inputs: Sequence[tuple[str | None, int | None, bytes, int]],
    outputs: Sequence[tuple[int, bytes]],
    lock_time: int,
) -> bytes:
    """Legacy (non-witness) serialization; an input with prev txid None is a coinbase input.

    inputs: (prev txid as displayed hex, prev output index, scriptSig, sequence);
    outputs: (value in satoshis, scriptPubKey).
    """
    parts = [version.to_bytes(4, "little", signed=True), compact_size(len(inputs))]
    for prev_hash, prev_index, script_sig, sequence in inputs:
        if prev_hash is None:
            parts.append(COINBASE_PREVOUT)
        else:
            parts.append(bytes.fromhex(prev_hash)[::-1])
            parts.append(int(prev_index or 0).to_bytes(4, "little"))
        parts.append(compact_size(len(script_sig)))
        parts.append(script_sig)
        parts.append(sequence.to_bytes(4, "little"))
    parts.append(compact_size(len(outputs)))
    for value, script in outputs:
        parts.append(value.to_bytes(8, "little"))
        parts.append(compact_size(len(script)))
        parts.append(script)
    parts.append(lock_time.to_bytes(4, "little"))
    return b"".join(parts)


def txid_of(serialized: bytes) -> str:
    """Displayed (byte-reversed) hex of sha256d of the legacy serialization."""
    return sha256d(serialized)[::-1].hex()


def merkle_root(txids: Sequence[str]) -> str:
    """Merkle root (displayed hex) of displayed-hex txids, duplicating the last of odd levels."""
    if not txids:
        raise ValueError("a block has at least one transaction")
    level = [bytes.fromhex(t)[::-1] for t in txids]
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0][::-1].hex()


def block_header(
    version: int,
    previous_hash: str,
    merkle_root_hex: str,
    timestamp: int,
    bits: str,
    nonce: int,
) -> bytes:
    """The 80-byte header; hashes are displayed hex, bits the compact target as hex."""
    return (
        version.to_bytes(4, "little", signed=version < 0)
        + bytes.fromhex(previous_hash)[::-1]
        + bytes.fromhex(merkle_root_hex)[::-1]
        + timestamp.to_bytes(4, "little")
        + int(bits, 16).to_bytes(4, "little")
        + nonce.to_bytes(4, "little")
    )


def block_hash_of(header: bytes) -> str:
    return sha256d(header)[::-1].hex()
