"""Addresses with precomputed scripts, and the wallets that own them.

Hot-loop objects are plain ``__slots__`` classes, not dataclasses: every output and input the
generator writes reads a handful of their attributes, and every new address builds one.
"""

from __future__ import annotations

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
        self.in_size = 36 + len(enc.compact_size(script_sig_len)) + script_sig_len + 4
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


def _multisig_2of3(rng: random.Random) -> bytes:
    keys = [bytes([2 + (rng.getrandbits(1))]) + rng.randbytes(32) for _ in range(3)]
    return enc.multisig_script(2, keys)


class AddressFactory:
    """Makes fresh keys and addresses of each script type from the generator's RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pubkey(self, compressed: bool) -> bytes:
        rng = self.rng
        if compressed:
            return bytes([2 + rng.getrandbits(1)]) + rng.randbytes(32)
        return b"\x04" + rng.randbytes(64)

    def p2pkh(
        self,
        owner: Wallet | None,
        compressed: bool = True,
        label: str | None = None,
        pubkey: bytes | None = None,
    ) -> Addr:
        pk = pubkey if pubkey is not None else self.pubkey(compressed)
        h = enc.hash160(pk)
        spk = enc.p2pkh_script(h)
        hh = h.hex()
        return Addr(
            spk,
            UNLOCK_PKH,
            enc.push_data(pk),
            owner=owner,
            label=label,
            classified=("pubkeyhash", 1, (enc.p2pkh_address(h),)),
            asm=f"OP_DUP OP_HASH160 {hh} OP_EQUALVERIFY OP_CHECKSIG",
        )

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
        redeem = _multisig_2of3(self.rng)
        h = enc.hash160(redeem)
        spk = enc.p2sh_script(h)
        return Addr(
            spk,
            UNLOCK_MULTI,
            enc.push_data(redeem),
            owner=owner,
            label=label,
            classified=("scripthash", 1, (enc.p2sh_address(h),)),
            asm=f"OP_HASH160 {h.hex()} OP_EQUAL",
        )

    def p2wpkh(self, owner: Wallet | None, label: str | None = None) -> Addr:
        h = enc.hash160(self.pubkey(True))
        spk = enc.p2wpkh_script(h)
        return Addr(
            spk,
            UNLOCK_WITNESS,
            wit_size=1 + 1 + SIG_LEN + 1 + 33,
            owner=owner,
            label=label,
            classified=("witness_v0_keyhash", 1, (enc.segwit_address(0, h),)),
            asm=f"0 {h.hex()}",
        )

    def p2wsh(self, owner: Wallet | None, label: str | None = None) -> Addr:
        witness_script = _multisig_2of3(self.rng)
        h = enc.sha256(witness_script)
        spk = enc.p2wsh_script(h)
        return Addr(
            spk,
            UNLOCK_WITNESS,
            wit_size=1 + 1 + 2 * (1 + SIG_LEN) + 1 + len(witness_script),
            owner=owner,
            label=label,
            classified=("witness_v0_scripthash", 1, (enc.segwit_address(0, h),)),
            asm=f"0 {h.hex()}",
        )

    def p2tr(self, owner: Wallet | None, label: str | None = None) -> Addr:
        key = self.rng.randbytes(32)
        spk = enc.p2tr_script(key)
        return Addr(
            spk,
            UNLOCK_WITNESS,
            wit_size=1 + 1 + 64,
            owner=owner,
            label=label,
            classified=("witness_v1_taproot", 1, (enc.segwit_address(1, key),)),
            asm=f"1 {key.hex()}",
        )

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
