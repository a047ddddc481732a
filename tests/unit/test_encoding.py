"""Encodings against the published vectors (BIP-173, BIP-350) and real mainnet data."""

from __future__ import annotations

import pytest

from blocktrust.chain import encoding as enc

WIKILEAKS = "1HB5XMLmzFVj8ALj6mfBsbifRoD4miY36v"
WIKILEAKS_HASH160 = "b169f2b0b866db05900b93a5d76345f18d3afb24"

BIP173_VALID_BECH32 = [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]

BIP350_VALID_BECH32M = [
    "A1LQFN3A",
    "a1lqfn3a",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
]

BIP173_INVALID_BECH32 = [
    "\x201nwldj5",  # HRP character out of range
    "\x7f1axkwrx",
    "\x801eym55h",
    "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
    "pzry9x0s0muk",  # no separator
    "1pzry9x0s0muk",  # empty HRP
    "x1b4n0q5v",  # invalid data character
    "li1dgmt3",  # checksum too short
    "de1lg7wt\xff",
    "A1G7SGD8",  # checksum computed with the uppercase HRP
    "10a06t8",
    "1qzzfhee",
]

# (address, hrp, scriptPubKey) from BIP-350, which includes the corrected BIP-173 vectors.
VALID_SEGWIT = [
    (
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        "bc",
        "0014751e76e8199196d454941c45d1b3a323f1433bd6",
    ),
    (
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        "tb",
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
    ),
    (
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "bc",
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
    ),
    ("BC1SW50QGDZ25J", "bc", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "bc", "5210751e76e8199196d454941c45d1b3a323"),
    (
        "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
        "tb",
        "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
        "tb",
        "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "bc",
        "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    ),
]

INVALID_SEGWIT = [
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",  # invalid HRP
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # v1 with bech32
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",  # v2 with bech32
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # v16 with bech32
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # v0 with bech32m
    "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",  # v0 with bech32m
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",  # invalid character
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # witness version 17
    "bc1pw5dgrnzv",  # 1-byte program
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",  # 41 bytes
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # v0 program of 16 bytes
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",  # mixed case
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",  # padding > 4 bits
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",  # non-zero padding
    "bc1gmk9yu",  # empty data
]

GENESIS_PUBKEY = (
    "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb6"
    "49f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f"
)
GENESIS_COINBASE_SCRIPT = (
    "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e2062"
    "72696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73"
)


@pytest.mark.parametrize("text", BIP173_VALID_BECH32)
def test_bip173_valid_bech32_checksums(text: str) -> None:
    hrp, _, const = enc.bech32_decode(text)
    assert const == enc.BECH32_CONST
    assert hrp == text[: text.rfind("1")].lower()


@pytest.mark.parametrize("text", BIP350_VALID_BECH32M)
def test_bip350_valid_bech32m_checksums(text: str) -> None:
    _, _, const = enc.bech32_decode(text)
    assert const == enc.BECH32M_CONST


@pytest.mark.parametrize("text", BIP173_INVALID_BECH32)
def test_bip173_invalid_strings_are_rejected(text: str) -> None:
    with pytest.raises(enc.AddressError):
        enc.bech32_decode(text)


@pytest.mark.parametrize(("address", "hrp", "script_hex"), VALID_SEGWIT)
def test_segwit_vectors_decode_to_their_script(address: str, hrp: str, script_hex: str) -> None:
    version, program = enc.decode_segwit_address(address, hrp)
    assert enc.witness_script(version, program).hex() == script_hex


@pytest.mark.parametrize(("address", "hrp", "script_hex"), VALID_SEGWIT)
def test_segwit_vectors_encode_from_their_script(address: str, hrp: str, script_hex: str) -> None:
    script = bytes.fromhex(script_hex)
    version = 0 if script[0] == 0 else script[0] - 0x50
    assert enc.segwit_address(version, script[2:], hrp) == address.lower()


@pytest.mark.parametrize("address", INVALID_SEGWIT)
def test_bip350_invalid_addresses_are_rejected(address: str) -> None:
    for hrp in ("bc", "tb"):
        with pytest.raises(enc.AddressError):
            enc.decode_segwit_address(address, hrp)
    assert not enc.is_valid_address(address)


def test_wikileaks_address_is_p2pkh_of_its_hash160() -> None:
    assert enc.decode_address(WIKILEAKS) == ("pubkeyhash", bytes.fromhex(WIKILEAKS_HASH160))
    assert enc.p2pkh_address(bytes.fromhex(WIKILEAKS_HASH160)) == WIKILEAKS
    script = enc.script_for_address(WIKILEAKS)
    assert enc.classify_script(script) == ("pubkeyhash", 1, (WIKILEAKS,))
    assert enc.script_to_asm(script) == (
        f"OP_DUP OP_HASH160 {WIKILEAKS_HASH160} OP_EQUALVERIFY OP_CHECKSIG"
    )


def test_base58check_single_character_typo_fails_checksum() -> None:
    typo = WIKILEAKS[:-1] + ("w" if WIKILEAKS[-1] != "w" else "x")
    with pytest.raises(enc.AddressError, match="checksum"):
        enc.decode_address(typo)
    assert not enc.is_valid_address("0" + WIKILEAKS[1:])  # 0 is not Base58


def test_p2sh_address_round_trip() -> None:
    address = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
    assert enc.script_for_address(address).hex() == "a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87"
    assert enc.p2sh_address(bytes.fromhex("b472a266d0bd89c13706a4132ccfb16f7c3b9fcb")) == address


def test_base58_leading_zero_bytes_become_ones() -> None:
    assert enc.p2pkh_address(bytes(20)) == "1111111111111111111114oLvT2"
    assert enc.b58decode(enc.b58encode(b"\x00\x00\x01")) == b"\x00\x00\x01"


def test_p2pk_genesis_output_shows_satoshis_p2pkh_address() -> None:
    pubkey = bytes.fromhex(GENESIS_PUBKEY)
    assert enc.hash160(pubkey).hex() == "62e907b15cbf27d5425399ebf6f0fb50ebb88f18"
    kind, req, addresses = enc.classify_script(enc.p2pk_script(pubkey))
    assert (kind, req, addresses) == ("pubkey", 1, ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",))


def test_genesis_block_txid_merkle_root_and_header_hash() -> None:
    raw = enc.serialize_tx(
        1,
        [(None, None, bytes.fromhex(GENESIS_COINBASE_SCRIPT), 0xFFFFFFFF)],
        [(50 * 100_000_000, enc.p2pk_script(bytes.fromhex(GENESIS_PUBKEY)))],
        0,
    )
    txid = enc.txid_of(raw)
    assert txid == "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
    assert enc.merkle_root([txid]) == txid
    header = enc.block_header(1, "00" * 32, txid, 1231006505, "1d00ffff", 2083236893)
    assert len(header) == 80
    assert enc.block_hash_of(header) == (
        "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
    )


def test_merkle_root_of_block_100000_with_four_transactions() -> None:
    txids = [
        "8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87",
        "fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4",
        "6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4",
        "e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d",
    ]
    assert enc.merkle_root(txids) == (
        "f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766"
    )


def test_merkle_root_odd_level_duplicates_last_hash() -> None:
    a, b, c = ("11" * 32, "22" * 32, "33" * 32)
    assert enc.merkle_root([a, b, c]) == enc.merkle_root([a, b, c, c])


def test_script_templates_classify_and_disassemble() -> None:
    h20, h32 = bytes(range(20)), bytes(range(32))
    keys = [b"\x02" + bytes([i]) * 32 for i in range(3)]
    cases = [
        (enc.p2pkh_script(h20), "pubkeyhash"),
        (enc.p2sh_script(h20), "scripthash"),
        (enc.p2wpkh_script(h20), "witness_v0_keyhash"),
        (enc.p2wsh_script(h32), "witness_v0_scripthash"),
        (enc.p2tr_script(h32), "witness_v1_taproot"),
        (enc.op_return_script(b"hello"), "nulldata"),
        (enc.multisig_script(1, keys), "multisig"),
        (b"\xaa\x20" + h32 + b"\x87", "nonstandard"),
    ]
    for script, kind in cases:
        got_kind, _, addresses = enc.classify_script(script)
        assert got_kind == kind
        for address in addresses:
            if not address.startswith("nonstandard"):
                assert enc.script_for_address(address) == script
    assert enc.script_to_asm(enc.op_return_script(b"hello")) == "OP_RETURN 68656c6c6f"
    assert enc.script_to_asm(enc.multisig_script(1, keys)).endswith("3 OP_CHECKMULTISIG")
    assert enc.classify_script(enc.multisig_script(1, keys))[2][0].startswith("nonstandard")


def test_compact_size_boundaries() -> None:
    assert enc.compact_size(252) == b"\xfc"
    assert enc.compact_size(253) == b"\xfd\xfd\x00"
    assert enc.compact_size(0x10000) == b"\xfe\x00\x00\x01\x00"
