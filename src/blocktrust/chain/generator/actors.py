"""Addresses with precomputed scripts, and the wallets that own them.

Hot-loop objects are plain ``__slots__`` classes, not dataclasses: every output and input the
generator writes reads a handful of their attributes, and every new address builds one (about
0.85 per transaction). The factory's common script types therefore skip ``Addr.__init__`` (which
classifies and disassembles any script) and fill the slots from templates: the script, its hex
and asm, and the sizes follow from the key hash alone.
"""

from __future__ import annotations

import hashlib
import random

from blocktrust.chain import encoding as enc

SIG_LEN = 72  # DER signature with a 33-byte r, a 32-byte s and the sighash byte
PUSH_SIG = bytes([SIG_LEN])

# scriptSig shapes
UNLOCK_PKH = 0  # <sig> <pubkey>
UNLOCK_PK = 1  # <sig>
UNLOCK_MULTI = 2  # 0 <sig> <sig> <redeem script>
UNLOCK_WITNESS = 3  # empty scriptSig, data in the witness
UNSPENDABLE = 4


class Addr:
    """One output script and everything needed to pay to it and to spend from it."""

    __slots__ = (
        "address",
        "type",
        "spk",
        "spk_ser",
        "spk_hex",
        "spk_asm",
        "req_sigs",
        "addresses",
        "unlock",
        "unlock_data",
        "unlock_asm",
        "ss_len",
        "in_size",
        "wit_size",
        "out_size",
        "owner",
        "label",
    )

    def __init__(
        self,
        spk: bytes,
        unlock: int,
        unlock_data: bytes = b"",
        wit_size: int = 0,
        owner: Wallet | None = None,
        label: str | None = None,
        classified: tuple[str, int | None, tuple[str, ...]] | None = None,
        asm: str | None = None,
    ) -> None:
        kind, req_sigs, addresses = classified or enc.classify_script(spk)
        self.type = kind
        self.req_sigs = req_sigs
        self.addresses = addresses
        self.address = addresses[0] if addresses else None
        self.spk = spk
        self.spk_ser = (
            bytes([len(spk)]) + spk if len(spk) < 0xFD else enc.compact_size(len(spk)) + spk
        )
        self.spk_hex = spk.hex()
        self.spk_asm = asm if asm is not None else enc.script_to_asm(spk)
        self.unlock = unlock
        self.unlock_data = unlock_data
        if unlock == UNLOCK_PKH:
            self.unlock_asm = " " + unlock_data[1:].hex()
            script_sig_len = 1 + SIG_LEN + len(unlock_data)
        elif unlock == UNLOCK_PK:
            self.unlock_asm = ""
            script_sig_len = 1 + SIG_LEN
        elif unlock == UNLOCK_MULTI:
            self.unlock_asm = " " + unlock_data[2:].hex()
            script_sig_len = 1 + 2 * (1 + SIG_LEN) + len(unlock_data)
        else:
            self.unlock_asm = ""
            script_sig_len = 0
        self.ss_len = enc.compact_size(script_sig_len)
        self.in_size = 36 + len(self.ss_len) + script_sig_len + 4
        self.wit_size = wit_size
        self.out_size = 8 + len(self.spk_ser)
        self.owner = owner
        self.label = label


class Wallet:
    """A holder of UTXOs: a user, an exchange's hot wallet or deposit book, a pool, a peel chain.

    utxos are tuples (txid bytes in internal order, txid hex, output index, value, Addr).
    fundable wallets are the ordinary users eligible to start a payment.
    """

    __slots__ = ("uid", "addrs", "utxos", "pos", "fundable", "fixed", "deposit_index")

    def __init__(self, uid: int, fundable: bool = True, fixed: bool = False) -> None:
        self.uid = uid
        self.addrs: list[Addr] = []
        self.utxos: list[tuple[bytes, str, int, int, Addr]] = []
        self.pos = -1  # index in the generator's list of funded users, -1 when absent
        self.fundable = fundable
        self.fixed = fixed  # entity wallets keep a fixed set of addresses
        self.deposit_index = uid


_new_addr = object.__new__
_sha256 = hashlib.sha256
_RIPEMD160 = hashlib.new("ripemd160")  # copied per use: hashlib.new() by name is slow
_b58encode = enc.b58encode
_segwit_address = enc.segwit_address
_KEY_PREFIX = (b"\x02", b"\x03")
_PKH_SS_LEN = {33: bytes([1 + SIG_LEN + 34]), 65: bytes([1 + SIG_LEN + 66])}
_MULTI_SS = 1 + 2 * (1 + SIG_LEN) + 2 + 105  # 0 <sig> <sig> <redeem>: scriptSig bytes
_MULTI_SS_LEN = enc.compact_size(_MULTI_SS)
P2PKH_WIT = 0
P2WPKH_WIT = 1 + 1 + SIG_LEN + 1 + 33
P2WSH_WIT = 1 + 1 + 2 * (1 + SIG_LEN) + 1 + 105
P2TR_WIT = 1 + 1 + 64


class AddressFactory:
    """Makes fresh keys and addresses of each script type from the generator's RNG.

    Keys are drawn with one ``getrandbits`` call each (``randbytes`` is a Python wrapper around
    the same call); hashes and encodings are the real ones, so every address is valid.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._bits = rng.getrandbits

    def pubkey(self, compressed: bool) -> bytes:
        if compressed:
            x = self._bits(264)
            return _KEY_PREFIX[x & 1] + (x >> 8).to_bytes(32, "little")
        return b"\x04" + self._bits(512).to_bytes(64, "little")

    def _multisig_2of3(self) -> bytes:
        """2-of-3 multisig of compressed keys: OP_2 <33> <33> <33> OP_3 OP_CHECKMULTISIG."""
        x = self._bits(792)
        keys = x.to_bytes(99, "little")
        return (
            b"\x52\x21"
            + _KEY_PREFIX[x & 1]
            + keys[1:33]
            + b"\x21"
            + _KEY_PREFIX[(x >> 264) & 1]
            + keys[34:66]
            + b"\x21"
            + _KEY_PREFIX[(x >> 528) & 1]
            + keys[67:99]
            + b"\x53\xae"
        )

    def p2pkh(
        self,
        owner: Wallet | None,
        compressed: bool = True,
        label: str | None = None,
        pubkey: bytes | None = None,
    ) -> Addr:
        """The most common address: hashing and Base58Check inlined (one call per address)."""
        if pubkey is not None:
            pk = pubkey
        elif compressed:
            x = self._bits(264)
            pk = _KEY_PREFIX[x & 1] + (x >> 8).to_bytes(32, "little")
        else:
            pk = b"\x04" + self._bits(512).to_bytes(64, "little")
        r = _RIPEMD160.copy()
        r.update(_sha256(pk).digest())
        h = r.digest()
        payload = b"\x00" + h
        hh = h.hex()
        n = len(pk)
        a = _new_addr(Addr)
        a.address = address = _b58encode(payload + _sha256(_sha256(payload).digest()).digest()[:4])
        a.type = "pubkeyhash"
        a.spk = spk = b"\x76\xa9\x14" + h + b"\x88\xac"
        a.spk_ser = b"\x19" + spk
        a.spk_hex = "76a914" + hh + "88ac"
        a.spk_asm = "OP_DUP OP_HASH160 " + hh + " OP_EQUALVERIFY OP_CHECKSIG"
        a.req_sigs = 1
        a.addresses = (address,)
        a.unlock = UNLOCK_PKH
        a.unlock_data = bytes((n,)) + pk
        a.unlock_asm = " " + pk.hex()
        a.ss_len = _PKH_SS_LEN[n]
        a.in_size = 36 + 1 + 1 + SIG_LEN + 1 + n + 4
        a.wit_size = 0
        a.out_size = 34
        a.owner = owner
        a.label = label
        return a

    def p2pkh_of_hash(self, h160: bytes, label: str | None = None) -> Addr:
        """A P2PKH address nobody holds the key of (data-carrying or imported addresses)."""
        spk = enc.p2pkh_script(h160)
        pk_placeholder = enc.push_data(b"\x02" + enc.sha256(h160))
        return Addr(
            spk,
            UNLOCK_PKH,
            pk_placeholder,
            label=label,
            classified=("pubkeyhash", 1, (enc.p2pkh_address(h160),)),
            asm=f"OP_DUP OP_HASH160 {h160.hex()} OP_EQUALVERIFY OP_CHECKSIG",
        )

    def p2pk(
        self,
        owner: Wallet | None,
        compressed: bool = False,
        label: str | None = None,
        pubkey: bytes | None = None,
    ) -> Addr:
        pk = pubkey if pubkey is not None else self.pubkey(compressed)
        spk = enc.p2pk_script(pk)
        return Addr(
            spk,
            UNLOCK_PK,
            owner=owner,
            label=label,
            classified=("pubkey", 1, (enc.p2pkh_address(enc.hash160(pk)),)),
            asm=f"{pk.hex()} OP_CHECKSIG",
        )

    def p2sh(self, owner: Wallet | None, label: str | None = None) -> Addr:
        redeem = self._multisig_2of3()
        r = _RIPEMD160.copy()
        r.update(_sha256(redeem).digest())
        h = r.digest()
        payload = b"\x05" + h
        hh = h.hex()
        a = _new_addr(Addr)
        a.address = address = _b58encode(payload + _sha256(_sha256(payload).digest()).digest()[:4])
        a.type = "scripthash"
        a.spk = spk = b"\xa9\x14" + h + b"\x87"
        a.spk_ser = b"\x17" + spk
        a.spk_hex = "a914" + hh + "87"
        a.spk_asm = "OP_HASH160 " + hh + " OP_EQUAL"
        a.req_sigs = 1
        a.addresses = (address,)
        a.unlock = UNLOCK_MULTI
        a.unlock_data = b"\x4c\x69" + redeem  # OP_PUSHDATA1 105
        a.unlock_asm = " " + redeem.hex()
        a.ss_len = _MULTI_SS_LEN
        a.in_size = 36 + len(_MULTI_SS_LEN) + _MULTI_SS + 4
        a.wit_size = 0
        a.out_size = 32
        a.owner = owner
        a.label = label
        return a

    def _witness(
        self,
        version: int,
        program: bytes,
        kind: str,
        wit_size: int,
        owner: Wallet | None,
        label: str | None,
    ) -> Addr:
        ph = program.hex()
        n = len(program)
        op = 0x50 + version if version else 0
        a = _new_addr(Addr)
        a.address = address = _segwit_address(version, program)
        a.type = kind
        a.spk = spk = bytes((op, n)) + program
        a.spk_ser = bytes((n + 2,)) + spk
        a.spk_hex = f"{op:02x}{n:02x}" + ph
        a.spk_asm = f"{version} " + ph
        a.req_sigs = 1
        a.addresses = (address,)
        a.unlock = UNLOCK_WITNESS
        a.unlock_data = b""
        a.unlock_asm = ""
        a.ss_len = b"\x00"
        a.in_size = 41  # outpoint 36, empty scriptSig 1, sequence 4
        a.wit_size = wit_size
        a.out_size = 11 + n
        a.owner = owner
        a.label = label
        return a

    def p2wpkh(self, owner: Wallet | None, label: str | None = None) -> Addr:
        h = enc.hash160(self.pubkey(True))
        return self._witness(0, h, "witness_v0_keyhash", P2WPKH_WIT, owner, label)

    def p2wsh(self, owner: Wallet | None, label: str | None = None) -> Addr:
        h = enc.sha256(self._multisig_2of3())
        return self._witness(0, h, "witness_v0_scripthash", P2WSH_WIT, owner, label)

    def p2tr(self, owner: Wallet | None, label: str | None = None) -> Addr:
        key = self._bits(256).to_bytes(32, "little")
        return self._witness(1, key, "witness_v1_taproot", P2TR_WIT, owner, label)

    def of_type(self, kind: str, owner: Wallet | None, compressed: bool = True) -> Addr:
        if kind == "p2pkh":
            return self.p2pkh(owner, compressed)
        if kind == "p2sh":
            return self.p2sh(owner)
        if kind == "p2wpkh":
            return self.p2wpkh(owner)
        if kind == "p2wsh":
            return self.p2wsh(owner)
        if kind == "p2tr":
            return self.p2tr(owner)
        return self.p2pk(owner, compressed)

    # ---- outputs nobody will spend: they only count in the UTXO total

    def op_return(self, data: bytes) -> Addr:
        return Addr(enc.op_return_script(data), UNSPENDABLE)

    def bare_multisig(self) -> Addr:
        keys = [self.pubkey(True) for _ in range(3)]
        return Addr(enc.multisig_script(1, keys), UNSPENDABLE)

    def nonstandard(self) -> Addr:
        rng = self.rng
        choice = rng.randrange(3)
        if choice == 0:  # hash puzzle
            spk = bytes([0xAA]) + enc.push_data(rng.randbytes(32)) + bytes([enc.OP_EQUAL])
        elif choice == 1:  # P2PKH with a trailing OP_NOP
            spk = enc.p2pkh_script(rng.randbytes(20)) + bytes([0x61])
        else:  # arithmetic puzzle
            spk = bytes([0x93]) + enc.push_data(rng.randbytes(2)) + bytes([enc.OP_EQUAL])
        return Addr(spk, UNSPENDABLE)
