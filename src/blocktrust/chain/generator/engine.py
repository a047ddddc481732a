"""The chain engine: blocks of real transactions moving value between realistic actors.

Validity holds by construction: every input spends an output that exists and is unspent (it is
removed from its wallet's UTXO list when spent), fees are never negative, a coinbase claims
exactly subsidy + fees and is spendable only after the (scaled) maturity, txids are sha256d of
the legacy serialization, merkle roots and 80-byte headers are computed for real.

Calendar: blocks are spread evenly over the days from ``start`` to ``end`` (in groups of three
when there are fewer than three blocks a day, see _DayPlan); the k blocks of a day sit about 10
minutes apart (less when k is large) with jitter, so timestamps are not monotone but every block
is later than the median of the 11 before it and never leaves its day. Each
block gets a share of the transactions proportional to the era's activity (growing from 2010 to
2024); the first ``effective_maturity`` blocks carry only their coinbase.
"""

from __future__ import annotations

import gc
import math
import random
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from hashlib import sha256
from operator import itemgetter

from blocktrust.chain import encoding as enc
from blocktrust.chain.generator._records import InputBuilder, OutputBuilder, TransactionBuilder
from blocktrust.chain.generator.actors import (
    PUSH_SIG,
    SIG_LEN,
    UNLOCK_MULTI,
    UNLOCK_PK,
    UNLOCK_PKH,
    UNLOCK_WITNESS,
    Addr,
    AddressFactory,
    Wallet,
)
from blocktrust.chain.generator.answer_key import (
    AnswerKey,
    DonationTotals,
    EntityTotals,
    proportional_edges,
    top_of,
)
from blocktrust.chain.generator.config import (
    ADDRESS_TYPES,
    COINJOIN_START,
    OP_RETURN_RELAY,
    SEGWIT_ACTIVATION,
    GeneratorConfig,
    activity,
    address_type_weights,
    bits_for,
    block_subsidy,
    block_version_for,
    fee_rate_sat_per_vbyte,
)
from blocktrust.chain.records import Block, Input, Output, Transaction

DUST_LIMIT = 546
BIP34_DATE = date(2013, 3, 24)
COMPRESSED_KEYS = date(2012, 6, 1)  # new keys are compressed from here on
# A pushed DER signature, big-endian as an int: 48 30 45 02 21 00 <r:32> 02 20 <s:32> 01. One
# getrandbits(512) fills r and s by two shifts and one to_bytes (no slicing and joining).
SIG_BYTES = 1 + SIG_LEN
SIG_TEMPLATE = int.from_bytes(
    PUSH_SIG + b"\x30\x45\x02\x21\x00" + bytes(32) + b"\x02\x20" + bytes(32) + b"\x01", "big"
)
SIG_R_SHIFT = (2 + 32 + 1) * 8 - 256  # r is the high half of the 512 random bits
SIG_S_SHIFT = 8
SIG_R_MASK = ((1 << 256) - 1) << 256
SIG_S_MASK = (1 << 256) - 1
VERSION_BYTES = {1: b"\x01\x00\x00\x00", 2: b"\x02\x00\x00\x00"}
SEQ_FINAL = 0xFFFFFFFF
SEQ_BYTES = {s: s.to_bytes(4, "little") for s in (0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD)}
COMPACT = tuple(bytes([n]) for n in range(253))
INDEX4 = tuple(n.to_bytes(4, "little") for n in range(1024))

new = object.__new__
DATA_TEXT = (
    b"BLOCKTRUST SYNTHETIC DATA BURST. Modeled on the April 2013 transactions that paid one "
    b"satoshi to the WikiLeaks donation address and hid text in the hashes of fake P2PKH "
    b"outputs. Nothing here is real: every key, amount and transaction is generated. "
)

HUB = "hub_exchange"
EXCHANGE_B = "exchange_b"
DONATION = "donation"
POOLS = ("pool_a", "pool_b", "pool_c")
POOL_WEIGHTS = (0.45, 0.35, 0.2)
MERCHANTS = ("merchant_a", "merchant_b")
COORDINATOR = "mixer_coordinator"
CATEGORIES = {
    DONATION: "organization",
    HUB: "exchange",
    EXCHANGE_B: "exchange",
    **{p: "miner" for p in POOLS},
    **{m: "shop" for m in MERCHANTS},
    COORDINATOR: "mixing_service",
}

Utxo = tuple[bytes, str, int, int, Addr]
_utxo_value = itemgetter(3)  # sum(map(_utxo_value, spends)): the value of a list of UTXOs
_pay_value = itemgetter(0)  # sum(map(_pay_value, outs)): the value of (value, Addr) pairs


@dataclass(frozen=True)
class DayBatch:
    """One UTC day of the chain: its blocks and their transactions, in height order."""

    day: date
    blocks: list[Block]
    transactions: list[Transaction]


class _Exchange:
    __slots__ = ("label", "hot", "hot_addr", "deposits", "dep_addrs", "created")

    def __init__(self, label: str, hot: Wallet, hot_addr: Addr, pool_size: int) -> None:
        self.label = label
        self.hot = hot
        self.hot_addr = hot_addr
        self.deposits = Wallet(-1, fundable=False)
        self.dep_addrs: list[Addr | None] = [None] * pool_size
        self.created: list[str] = []


class ChainRun:
    """Iterator of DayBatch; ``answer_key`` is available once the iteration is finished."""

    def __init__(
        self, config: GeneratorConfig, progress: Callable[[int], None] | None = None
    ) -> None:
        self._engine = _Engine(config, progress)
        self._batches = self._engine.run()

    def __iter__(self) -> ChainRun:
        return self

    def __next__(self) -> DayBatch:
        return next(self._batches)

    @property
    def answer_key(self) -> AnswerKey:
        if not self._engine.finished:
            raise RuntimeError("the answer key is complete only after the chain is consumed")
        return self._engine.answer_key()

    @property
    def address_labels(self) -> dict[str, str]:
        return self._engine.address_labels()


def generate_chain(
    config: GeneratorConfig, progress: Callable[[int], None] | None = None
) -> ChainRun:
    """Generate the chain day by day; progress(n) is called with each block's tx count."""
    return ChainRun(config, progress)


EXTRANONCE_VALUES = 1 << 32  # pre-BIP34 coinbase extranonce range


def _script_num(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 8) // 8, "little") if n else b""


def _merkle_raw(hashes: list[bytes]) -> bytes:
    level = hashes
    while len(level) > 1:
        if len(level) & 1:
            level = level + [level[-1]]
        level = [
            sha256(sha256(level[i] + level[i + 1]).digest()).digest()
            for i in range(0, len(level), 2)
        ]
    return level[0]


class _DayPlan:
    """Which UTC day each block falls on.

    Blocks come in groups (3 per group when there are fewer than 3 blocks per day, else 1) and
    groups are spread evenly over the days, so even a small chain has days with several blocks
    ~10 minutes apart, where timestamps can go backwards as on the real chain.
    """

    def __init__(self, n_blocks: int, n_days: int) -> None:
        self.n_blocks = n_blocks
        self.n_days = n_days
        self.group = 1 if n_blocks >= 3 * n_days else 3
        self.n_groups = -(-n_blocks // self.group)

    def _ratio(self) -> tuple[int, int]:
        """day = group * num // den: even when groups >= days, else both end days are used."""
        if self.n_groups >= self.n_days:
            return self.n_days, self.n_groups
        if self.n_groups == 1:
            return 0, 1
        return self.n_days - 1, self.n_groups - 1

    def day_of(self, i: int) -> int:
        num, den = self._ratio()
        return (i // self.group) * num // den

    def blocks_of(self, d: int) -> tuple[int, int]:
        """(first block index, number of blocks) of day d."""
        num, den = self._ratio()
        if num == 0:
            return 0, self.n_blocks
        g0 = -(-d * den // num)
        g1 = min(self.n_groups, -(-(d + 1) * den // num))
        first = g0 * self.group
        return first, min(self.n_blocks, g1 * self.group) - first


class _Engine:
    def __init__(self, config: GeneratorConfig, progress: Callable[[int], None] | None) -> None:
        self.cfg = config
        self.progress = progress
        self.rng = random.Random(config.seed)
        self.random = self.rng.random
        self.getrandbits = self.rng.getrandbits
        self.factory = AddressFactory(self.rng)
        self.finished = False
        self.funded: list[Wallet] = []
        self.pending: list[TransactionBuilder] = []  # the block's transactions, coinbase first
        self.pending_hashes: list[bytes] = []  # their txids in internal byte order
        self.block_fees = self.block_size = self.block_stripped = 0
        self.utxo_total = 0
        self.height = config.start_height
        self.stats: dict[str, list[int]] = {}
        self.hub_txs = 0
        self.tx_done = 0
        self.maturing: deque[tuple[int, Wallet | None, Utxo]] = deque()
        self.coinbase_ids: set[bytes] = set()  # every coinbase txid so far (internal order)
        self.peels: list[list] = []
        self.forwards: deque[Wallet] = deque()
        self._setup_actors()
        self._set_era(config.start_date)

    # ------------------------------------------------------------------ actors

    def _entity_wallet(self, label: str, uid: int) -> Wallet:
        self.stats[label] = [0, 0, 0]
        return Wallet(uid, fundable=False, fixed=True)

    def _setup_actors(self) -> None:
        cfg, f = self.cfg, self.factory
        n = cfg.n_transactions
        start = cfg.start_date
        self._set_types(start)
        self.n_users = max(50, min(n // 12, 100_000))
        self.users = [Wallet(i) for i in range(self.n_users)]
        self.log_users = math.log(self.n_users + 1)
        self.n_miners = max(10, self.n_users // 5)
        uid = self.n_users

        def entity_addr(w: Wallet, label: str, kind: str = "p2pkh") -> Addr:
            a = f.of_type(kind, w, compressed=start.year >= 2012)
            a.label = label
            w.addrs.append(a)
            return a

        hub = self._entity_wallet(HUB, uid)
        self.hub = _Exchange(HUB, hub, entity_addr(hub, HUB), max(20, min(n // 150, 20_000)))
        exb = self._entity_wallet(EXCHANGE_B, uid + 1)
        self.exb = _Exchange(
            EXCHANGE_B, exb, entity_addr(exb, EXCHANGE_B), max(10, min(n // 600, 5_000))
        )
        for ex in (self.hub, self.exb):
            ex.deposits.fixed = True
        self.pools: list[Wallet] = []
        self.pool_pk: list[Addr] = []
        for i, label in enumerate(POOLS):
            w = self._entity_wallet(label, uid + 2 + i)
            pk = f.pubkey(compressed=False)
            w.addrs.append(f.p2pkh(w, label=label, pubkey=pk))
            self.pool_pk.append(f.p2pk(w, label=label, pubkey=pk))
            self.pools.append(w)
        self.merchants: list[Wallet] = []
        for i, label in enumerate(MERCHANTS):
            w = self._entity_wallet(label, uid + 5 + i)
            for _ in range(3):
                entity_addr(w, label)
            self.merchants.append(w)
        self.coordinator = self._entity_wallet(COORDINATOR, uid + 7)
        entity_addr(self.coordinator, COORDINATOR)
        self.donation = self._entity_wallet(DONATION, uid + 8)
        _, h160 = enc.decode_address(cfg.donation_address)
        self.don_addr = f.p2pkh_of_hash(h160, label=DONATION)
        self.don_addr.owner = self.donation
        self.donation.addrs.append(self.don_addr)
        self.recipients: list[Wallet] = []
        for i in range(4):
            w = Wallet(uid + 9 + i, fundable=False, fixed=True)
            w.addrs.append(f.p2pkh(w, compressed=start.year >= 2012))
            self.recipients.append(w)
        self.ops = self.recipients[0]
        self.don_received = self.don_sent = self.don_txs = 0
        self.don_count = self.don_one_sat = self.don_spends = 0
        self.don_first: str | None = None
        self.don_recipients: dict[str, int] = {}
        self.don_since_spend = 0
        self.don_spend_every = 20 + self.rng.randrange(60)
        self.don_spend_due = False
        self.final_done = False
        self.burst_left = max(3, round(n * 0.0013))
        self.data_counter = 0
        self.fallbacks: list[Wallet] = [self.hub.hot, self.exb.hot, *self.pools, *self.merchants]

    def address_labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for ex in (self.hub, self.exb):
            labels[ex.hot_addr.address] = ex.label  # type: ignore[index]
            for a in ex.created:
                labels[a] = ex.label
        for label, w in zip(POOLS, self.pools, strict=True):
            labels[w.addrs[0].address] = label  # type: ignore[index]
        for label, w in zip(MERCHANTS, self.merchants, strict=True):
            for a in w.addrs:
                labels[a.address] = label  # type: ignore[index]
        labels[self.coordinator.addrs[0].address] = COORDINATOR  # type: ignore[index]
        labels[self.don_addr.address] = DONATION  # type: ignore[index]
        return labels

    # ------------------------------------------------------------------ era

    def _set_types(self, day: date) -> None:
        """The era's mix of new address types: cumulative shares and a maker per type."""
        weights = address_type_weights(day)
        total = sum(weights)
        compressed = day >= COMPRESSED_KEYS
        f = self.factory
        makers: dict[str, Callable[[Wallet | None], Addr]] = {
            "p2pkh": f.p2pkh if compressed else partial(f.p2pkh, compressed=False),
            "p2sh": f.p2sh,
            "p2wpkh": f.p2wpkh,
            "p2wsh": f.p2wsh,
            "p2tr": f.p2tr,
            "p2pk": partial(f.p2pk, compressed=compressed),
        }
        acc = 0.0
        bounds: list[float] = []
        self.type_makers: list[Callable[[Wallet | None], Addr]] = []
        for kind, w in zip(ADDRESS_TYPES, weights, strict=True):
            if w > 0:
                acc += w / total
                bounds.append(acc)
                self.type_makers.append(makers[kind])
        bounds[-1] = 1.0  # random() < 1.0: bisect always lands on a type
        self.type_bounds = bounds

    def _set_era(self, day: date) -> None:
        self.day = day
        self._set_types(day)
        y = day.year
        self.compressed = day >= COMPRESSED_KEYS
        self.reuse = 0.85 if y < 2014 else (0.7 if y < 2018 else 0.6)
        self.change_reuse = 0.7 if y < 2014 else (0.45 if y < 2018 else 0.3)
        self.fee_rate = fee_rate_sat_per_vbyte(day)
        self.allow_op_return = day >= OP_RETURN_RELAY
        self.allow_multisig = 2012 <= y <= 2016
        self.allow_nonstandard = y < 2014
        self.dust_min = 1 if y < 2014 else DUST_LIMIT
        self.anti_sniping = y >= 2015
        self.rbf = y >= 2016
        self.segwit = day >= SEGWIT_ACTIVATION
        self.donations_on = day >= self.cfg.donation_start and not self.final_done
        self.burst_on = day >= self.cfg.data_burst_start and not self.final_done
        kinds: list[tuple[float, Callable[[], bool]]] = []
        acc = 0.0
        table: list[tuple[float, Callable[[], bool]]] = [
            (0.09, self._deposit),
            (0.02, self._hub_direct),
            (0.05, lambda: self._sweep(self.hub)),
            (0.07, lambda: self._withdraw(self.hub)),
            (0.015, lambda: self._sweep(self.exb)),
            (0.02, lambda: self._withdraw(self.exb)),
            (0.04, self._pool_payout),
            (0.025, self._cashout),
            (0.05, self._peel),
        ]
        if day >= COINJOIN_START:
            table.append((0.01, self._coinjoin))
        if y >= 2012:
            table.append((0.01, self._dust_spam))
        if self.donations_on:
            table.append((0.03, self._donate))
        for p, fn in table:
            acc += p
            kinds.append((acc, fn))
        self.kinds = kinds
        self.kind_bounds = [threshold for threshold, _ in kinds]

    # ------------------------------------------------------------------ wallets

    def _new_addr(self, w: Wallet | None) -> Addr:
        # the maker of the first type whose cumulative share exceeds u
        return self.type_makers[bisect_right(self.type_bounds, self.random())](w)

    def _recv(self, w: Wallet) -> Addr:
        addrs = w.addrs
        rnd = self.random
        if w.fixed:
            return addrs[0] if len(addrs) == 1 else addrs[int(rnd() * len(addrs))]
        if addrs and rnd() < self.reuse:
            return addrs[0] if rnd() < 0.6 else addrs[int(rnd() * len(addrs))]
        a = self._new_addr(w)
        addrs.append(a)
        if len(addrs) > 3:
            del addrs[1]  # the first address stays: heavy-tailed reuse
        return a

    def _payout_addr(self, w: Wallet) -> Addr:
        """Miners and exchange customers mostly keep one payout address."""
        if w.addrs and self.random() < 0.9:
            return w.addrs[0]
        return self._recv(w)

    def _change(self, w: Wallet, spends: list[Utxo]) -> Addr:
        if w.fixed:
            return self._recv(w)
        a = spends[0][4]
        if a.owner is w and a.type != "pubkey" and self.random() < self.change_reuse:
            return a
        return self._new_addr(w)

    def _credit(self, w: Wallet, u: Utxo) -> None:
        w.utxos.append(u)
        if w.pos < 0 and w.fundable:
            w.pos = len(self.funded)
            self.funded.append(w)

    def _take(self, w: Wallet, k: int) -> list[Utxo]:
        """Remove k random UTXOs (all of them when k >= their number) from w and return them."""
        us = w.utxos
        n = len(us)
        if k >= n:
            w.utxos = []
            if w.pos >= 0:
                self._unfund(w)
            return us
        rnd = self.random
        out = []
        for _ in range(k):
            r = int(rnd() * n)
            out.append(us[r])
            n -= 1
            us[r] = us[n]
            us.pop()
        return out

    def _take1(self, w: Wallet) -> Utxo:
        """Remove one random UTXO from w, which must hold at least one."""
        us = w.utxos
        n = len(us) - 1
        r = int(self.random() * (n + 1))
        u = us[r]
        us[r] = us[n]
        us.pop()
        if not n and w.pos >= 0:
            self._unfund(w)
        return u

    def _unfund(self, w: Wallet) -> None:
        """w holds nothing any more: swap it out of the funded list."""
        funded = self.funded
        last = funded.pop()
        if last is not w:
            funded[w.pos] = last
            last.pos = w.pos
        w.pos = -1

    def _zipf_user(self) -> Wallet:
        return self.users[int(math.exp(self.random() * self.log_users)) - 1]

    def _random_funded(self) -> Wallet | None:
        funded = self.funded
        return funded[int(self.random() * len(funded))] if funded else None

    def _deposit_addr(self, ex: _Exchange, w: Wallet) -> Addr:
        i = w.deposit_index % len(ex.dep_addrs)
        a = ex.dep_addrs[i]
        if a is None:
            a = self._new_addr(ex.deposits)
            a.label = ex.label
            ex.dep_addrs[i] = a
            ex.created.append(a.address)  # type: ignore[arg-type]
        return a

    def _round(self, v: int) -> int:
        if v > 100_000 and self.random() < 0.5:
            m = 10 ** (len(str(v)) - 2)
            v = v // m * m
        return v

    # ------------------------------------------------------------------ fees and emission

    def _fee(self, spends: list[Utxo], n_out: int, out_bytes: int) -> int:
        rate = self.fee_rate
        if rate == 0.0:
            return 50_000 if self.random() < 0.1 else 0
        base = 10 + out_bytes + (2 if n_out >= 253 or len(spends) >= 253 else 0)
        wit = 0
        nonwit = 0
        for u in spends:
            a = u[4]
            base += a.in_size
            if a.wit_size:
                wit += a.wit_size
            else:
                nonwit += 1
        if wit:
            wit += 2 + nonwit
        vsize = base + (wit + 3) // 4
        return int(vsize * rate * (0.3 + 1.4 * self.random()))

    def _finish(
        self,
        spends: list[Utxo],
        pays: list[tuple[int, Addr]],
        change: Addr | None,
        send_all: Addr | None = None,
    ) -> bool:
        total = sum(map(_utxo_value, spends))
        if send_all is not None:
            fee = self._fee(spends, 1, send_all.out_size)
            fee = min(fee, total - 1) if total > 1 else 0
            self._emit(spends, [(total - fee, send_all)])
            return True
        outs = list(pays)
        paid = sum(map(_pay_value, outs))
        while outs and paid > total:  # a builder's random amounts overshot: drop the last
            paid -= outs.pop()[0]
        if not outs or paid == 0 and change is None:
            return self._finish(spends, [], None, send_all=change or pays[0][1])
        if change is not None:
            out_bytes = change.out_size
            for _, a in outs:
                out_bytes += a.out_size
            fee = self._fee(spends, len(outs) + 1, out_bytes)
            rest = total - paid - fee
            if rest >= DUST_LIMIT:
                pos = int(self.random() * (len(outs) + 1))
                outs.insert(pos, (rest, change))
        self._emit(spends, outs)
        return True

    def _emit(self, spends: list[Utxo], outs: list[tuple[int, Addr]]) -> None:
        """Serialize, hash and record one transaction (the hot path: see _records).

        The serialization is one bytes.join over precomputed pieces (outpoint, scriptSig
        length, scriptPubKey with its length); entity bookkeeping (_account) runs only for the
        few transactions that touch a labelled address.
        """
        rnd = self.random
        bits = self.getrandbits
        version = 2 if self.rbf and rnd() < 0.7 else 1
        lock_time = 0
        seq = SEQ_FINAL
        if self.anti_sniping and rnd() < 0.4:
            lock_time = self.height - 1 - (int(rnd() * 5) if rnd() < 0.1 else 0)
            seq = 0xFFFFFFFD if self.rbf and rnd() < 0.25 else 0xFFFFFFFE
        seq_bytes = SEQ_BYTES[seq]
        n_in = len(spends)
        parts = [VERSION_BYTES[version], COMPACT[n_in] if n_in < 253 else enc.compact_size(n_in)]
        inputs = []
        in_ap = inputs.append
        total_in = 0
        wit = 0
        nonwit = 0
        labelled = False
        for idx, u in enumerate(spends):
            a = u[4]
            j = u[2]
            kind = a.unlock
            if kind == UNLOCK_WITNESS:
                parts += (
                    u[0],
                    INDEX4[j] if j < 1024 else j.to_bytes(4, "little"),
                    b"\x00",
                    seq_bytes,
                )
                ss_hex = asm = ""
                wit += a.wit_size
            else:
                nonwit += 1
                x = bits(512)  # r and s of a DER signature with SIGHASH_ALL
                sig = (
                    SIG_TEMPLATE | (x & SIG_R_MASK) << SIG_R_SHIFT | (x & SIG_S_MASK) << SIG_S_SHIFT
                ).to_bytes(SIG_BYTES, "big")
                if kind == UNLOCK_PKH:
                    ss = sig + a.unlock_data
                    ss_hex = ss.hex()
                    asm = ss_hex[2:144] + "[ALL]" + a.unlock_asm
                elif kind == UNLOCK_PK:
                    ss = sig
                    ss_hex = ss.hex()
                    asm = ss_hex[2:144] + "[ALL]"
                elif kind == UNLOCK_MULTI:
                    x = bits(512)
                    sig2 = (
                        SIG_TEMPLATE
                        | (x & SIG_R_MASK) << SIG_R_SHIFT
                        | (x & SIG_S_MASK) << SIG_S_SHIFT
                    ).to_bytes(SIG_BYTES, "big")
                    ss = b"".join((b"\x00", sig, sig2, a.unlock_data))
                    ss_hex = ss.hex()
                    asm = "0 " + ss_hex[4:146] + "[ALL] " + ss_hex[150:292] + "[ALL]" + a.unlock_asm
                else:
                    raise AssertionError(f"output {a.type} is not spendable here")
                parts += (
                    u[0],
                    INDEX4[j] if j < 1024 else j.to_bytes(4, "little"),
                    a.ss_len,
                    ss,
                    seq_bytes,
                )
            v = u[3]
            total_in += v
            if a.label is not None:
                labelled = True
            i = new(InputBuilder)
            i.index = idx
            i.spent_transaction_hash = u[1]
            i.spent_output_index = j
            i.script_asm = asm
            i.script_hex = ss_hex
            i.sequence = seq
            i.required_signatures = a.req_sigs
            i.type = a.type
            i.addresses = a.addresses
            i.value = v
            i.__class__ = Input
            in_ap(i)
        n_out = len(outs)
        parts.append(COMPACT[n_out] if n_out < 253 else enc.compact_size(n_out))
        outputs = []
        out_ap = outputs.append
        total_out = 0
        for j, (v, a) in enumerate(outs):
            parts += (v.to_bytes(8, "little"), a.spk_ser)
            if a.label is not None:
                labelled = True
            o = new(OutputBuilder)
            o.index = j
            o.script_asm = a.spk_asm
            o.script_hex = a.spk_hex
            o.required_signatures = a.req_sigs
            o.type = a.type
            o.addresses = a.addresses
            o.value = v
            o.__class__ = Output
            out_ap(o)
            total_out += v
        parts.append(lock_time.to_bytes(4, "little"))
        raw = b"".join(parts)
        h = sha256(sha256(raw).digest()).digest()
        txid = h[::-1].hex()
        stripped = len(raw)
        size = stripped + (2 + wit + nonwit if wit else 0)
        fee = total_in - total_out
        if fee < 0:
            raise AssertionError("negative fee")
        self.block_fees += fee
        t = new(TransactionBuilder)
        t.hash = txid
        t.size = size
        t.virtual_size = (stripped * 3 + size + 3) // 4
        t.version = version
        t.lock_time = lock_time
        t.inputs = tuple(inputs)
        t.outputs = tuple(outputs)
        self.pending.append(t)
        self.pending_hashes.append(h)
        self.block_size += size
        self.block_stripped += stripped
        funded = self.funded
        for j, (v, a) in enumerate(outs):
            w = a.owner
            if w is not None:
                w.utxos.append((h, txid, j, v, a))
                if w.pos < 0 and w.fundable:
                    w.pos = len(funded)
                    funded.append(w)
        self.utxo_total += total_out - total_in
        if labelled:
            self._account(spends, outs, txid)
        self.tx_done += 1

    def _account(self, spends: list[Utxo], outs: list[tuple[int, Addr]], txid: str) -> None:
        touched: set[str] | None = None
        hub_addr = self.hub.hot_addr
        hub = False
        stats = self.stats
        for u in spends:
            a = u[4]
            label = a.label
            if label is not None:
                stats[label][1] += u[3]
                if touched is None:
                    touched = {label}
                else:
                    touched.add(label)
                if a is hub_addr:
                    hub = True
        for v, a in outs:
            label = a.label
            if label is not None:
                stats[label][0] += v
                if touched is None:
                    touched = {label}
                else:
                    touched.add(label)
                if a is hub_addr:
                    hub = True
        if touched is None:
            return
        for label in touched:
            stats[label][2] += 1
        if hub:
            self.hub_txs += 1
        if DONATION in touched:
            self._account_donation(spends, outs, txid)

    def _account_donation(
        self, spends: list[Utxo], outs: list[tuple[int, Addr]], txid: str
    ) -> None:
        don = self.don_addr
        self.don_txs += 1
        to_don = sum(v for v, a in outs if a is don)
        spent = sum(u[3] for u in spends if u[4] is don)
        if to_don:
            self.don_received += to_don
            if self.don_first is None:
                self.don_first = txid
            if not spent:
                self.don_count += 1
            if to_don == 1:
                self.don_one_sat += 1
        if spent:
            self.don_sent += spent
            self.don_spends += 1
            ins = [(u[4].address, u[3]) for u in spends if len(u[4].addresses) == 1]
            outputs = [(a.address if len(a.addresses) == 1 else None, v) for v, a in outs]
            edges = proportional_edges(ins, outputs, don.address)  # type: ignore[arg-type]
            rec = self.don_recipients
            for address, value in edges.items():
                rec[address] = rec.get(address, 0) + value

    # ------------------------------------------------------------------ behaviours

    def _pay(self) -> bool:
        w = self._random_funded()
        if w is None:
            return False
        rnd = self.random
        r = rnd()
        if len(w.utxos) > 12:
            k = 4 + int(r * 8)  # consolidate a wallet that piled up coins
        else:
            k = 1 if r < 0.45 else (2 if r < 0.75 else 3 + int(rnd() * 3))
        spends = self._take(w, k)
        total = sum(map(_utxo_value, spends))
        if total < 5000 and w.utxos:
            spends.append(self._take1(w))
            total = sum(map(_utxo_value, spends))
        r = rnd()
        if r < 0.1:
            payee = self._recv(self.merchants[0 if rnd() < 0.65 else 1])
        elif r < 0.13:
            payee = self._deposit_addr(self.exb, self._zipf_user())
        else:
            payee = self._recv(self._zipf_user())
        if rnd() < 0.12 or total < 2 * DUST_LIMIT:
            return self._finish(spends, [], None, send_all=payee)
        budget = total * (0.05 + 0.85 * rnd())
        if rnd() < 0.9:
            pays = [(max(1, self._round(int(budget))), payee)]
        else:
            extra = 1 + int(rnd() * 3)
            pays = [(max(1, self._round(int(budget * 0.5))), payee)]
            for _ in range(extra):
                v = max(1, self._round(int(budget * 0.5 / extra)))
                pays.append((v, self._recv(self._zipf_user())))
        self._extras(pays, total)
        return self._finish(spends, pays, self._change(w, spends))

    def _extras(self, pays: list[tuple[int, Addr]], total: int) -> None:
        r = self.random()
        if r >= 0.045:  # none of the extras below: skip summing the payments
            return
        paid = sum(map(_pay_value, pays))
        f = self.factory
        if self.allow_op_return and r < 0.02:
            data = b"omni" + self.rng.randbytes(16) if r < 0.01 else self.rng.randbytes(32)
            pays.append((0, f.op_return(data)))
        elif self.allow_multisig and r < 0.03 and total - paid > 20_000:
            pays.append((7800, f.bare_multisig()))
        elif self.allow_nonstandard and r < 0.034 and total - paid > 20_000:
            pays.append((1000 + int(self.random() * 9000), f.nonstandard()))
        elif r < 0.045 and not self.segwit and total - paid > 20_000:
            pays.append((5000 + int(self.random() * 9000), f.p2pk(None, self.compressed)))

    def _deposit(self) -> bool:
        w = self._random_funded()
        if w is None:
            return False
        spends = self._take(w, 1 if self.random() < 0.8 else 2)
        ex = self.hub if self.random() < 0.8 else self.exb
        dest = self._deposit_addr(ex, w)
        total = sum(map(_utxo_value, spends))
        if self.random() < 0.4 or total < 2 * DUST_LIMIT:
            return self._finish(spends, [], None, send_all=dest)
        v = max(1, self._round(int(total * (0.2 + 0.75 * self.random()))))
        return self._finish(spends, [(v, dest)], self._change(w, spends))

    def _hub_direct(self) -> bool:
        w = self._random_funded()
        if w is None:
            return False
        spends = [self._take1(w)]
        total = spends[0][3]
        dest = self.hub.hot_addr
        if self.random() < 0.5 or total < 2 * DUST_LIMIT:
            return self._finish(spends, [], None, send_all=dest)
        v = max(1, self._round(int(total * (0.2 + 0.75 * self.random()))))
        return self._finish(spends, [(v, dest)], self._change(w, spends))

    def _sweep(self, ex: _Exchange) -> bool:
        if not ex.deposits.utxos:
            return False
        spends = self._take(ex.deposits, 1 + int(self.random() ** 2 * 40))
        return self._finish(spends, [], None, send_all=ex.hot_addr)

    def _withdraw(self, ex: _Exchange) -> bool:
        hot = ex.hot
        if not hot.utxos:
            return False
        rnd = self.random
        spends = self._take(hot, 1 if rnd() < 0.8 else 2)
        total = sum(map(_utxo_value, spends))
        if total < 50_000:
            return self._finish(spends, [], None, send_all=ex.hot_addr)
        budget = total * (0.1 + 0.6 * rnd())
        m = 1 + int(rnd() ** 3 * 15)
        pays = []
        if ex is self.hub and len(self.peels) < 3 and total > 100_000_000 and rnd() < 0.1:
            chain = Wallet(-2, fundable=False)
            pays.append((self._round(int(total * 0.25)), self._new_addr(chain)))
            self.peels.append([chain, 10 + int(rnd() * 90)])
            budget = total * 0.4
        for _ in range(m):
            v = max(DUST_LIMIT, self._round(int(budget / m * (0.2 + 1.6 * rnd()))))
            pays.append((v, self._payout_addr(self.users[int(rnd() * self.n_users)])))
        return self._finish(spends, pays, ex.hot_addr)

    def _pool_payout(self) -> bool:
        rnd = self.random
        candidates = [p for p in self.pools if p.utxos]
        if not candidates:
            return False
        pool = candidates[int(rnd() * len(candidates))]
        spends = [self._take1(pool)]
        total = spends[0][3]
        m = 3 + int(rnd() * 15)
        budget = total * (0.6 + 0.35 * rnd())
        pays = []
        for _ in range(m):
            v = int(budget / m * (0.3 + 1.4 * rnd()))
            if v >= DUST_LIMIT:
                pays.append((v, self._payout_addr(self.users[int(rnd() * self.n_miners)])))
        if not pays or sum(map(_pay_value, pays)) > total:
            return self._finish(spends, [], None, send_all=self._recv(self._zipf_user()))
        return self._finish(spends, pays, pool.addrs[0])

    def _cashout(self) -> bool:
        rnd = self.random
        candidates = [w for w in (*self.merchants, self.coordinator) if w.utxos]
        if not candidates:
            return False
        w = candidates[int(rnd() * len(candidates))]
        spends = self._take(w, 1 + int(rnd() * 10))
        dest = self._deposit_addr(self.hub, w) if rnd() < 0.6 else self.hub.hot_addr
        total = sum(map(_utxo_value, spends))
        if rnd() < 0.5 or total < 2 * DUST_LIMIT:
            return self._finish(spends, [], None, send_all=dest)
        v = max(1, self._round(int(total * (0.8 + 0.15 * rnd()))))
        return self._finish(spends, [(v, dest)], self._recv(w))

    def _start_peel(self) -> bool:
        hot = self.hub.hot
        if not hot.utxos:
            return False
        spends = [self._take1(hot)]
        total = spends[0][3]
        if total < 10_000_000:
            self._credit(hot, spends[0])
            return False
        chain = Wallet(-2, fundable=False)
        self.peels.append([chain, 10 + int(self.random() * 90)])
        pays = [(self._round(int(total * (0.1 + 0.3 * self.random()))), self._new_addr(chain))]
        return self._finish(spends, pays, self.hub.hot_addr)

    def _peel(self) -> bool:
        rnd = self.random
        if not self.peels or (len(self.peels) < 3 and rnd() < 0.05):
            return self._start_peel()
        i = int(rnd() * len(self.peels))
        chain, steps = self.peels[i]
        spends = self._take(chain, 1)
        if not spends:
            self.peels.pop(i)
            return False
        total = spends[0][3]
        if steps <= 0 or total < 200_000:
            self.peels.pop(i)
            return self._finish(spends, [], None, send_all=self._recv(self._zipf_user()))
        self.peels[i][1] = steps - 1
        v = max(DUST_LIMIT, self._round(int(total * (0.01 + 0.07 * rnd()))))
        if rnd() < 0.3:
            payee = self._deposit_addr(self.hub, self._zipf_user())
        else:
            payee = self._recv(self._zipf_user())
        return self._finish(spends, [(v, payee)], self._new_addr(chain))

    def _coinjoin(self) -> bool:
        rnd = self.random
        p = 5 + int(rnd() * 10)
        if len(self.funded) < 4 * p:
            return False
        chosen: dict[int, Wallet] = {}
        for _ in range(p):
            w = self._random_funded()
            if w is not None:
                chosen[w.uid] = w
        parts = [(w, self._take1(w)) for w in chosen.values()]
        values = sorted(u[3] for _, u in parts)
        median = values[len(values) // 2]
        denom = 0
        for d in (100_000_000, 50_000_000, 10_000_000, 5_000_000, 1_000_000):
            if d * 1.1 <= median:
                denom = d
                break
        keep = [(w, u) for w, u in parts if denom and u[3] >= denom + denom // 50 + 20_000]
        for w, u in parts:
            if (w, u) not in keep:
                self._credit(w, u)
        if len(keep) < 3:
            for w, u in keep:
                self._credit(w, u)
            return False
        spends = [u for _, u in keep]
        coord = denom * 3 // 1000
        n = len(keep)
        fee = self._fee(spends, 2 * n + 1, 2 * n * 31 + 40)
        fee_each = fee // n + 1
        outs: list[tuple[int, Addr]] = []
        for w, u in keep:
            outs.append((denom, self._new_addr(w)))
            change = u[3] - denom - coord - fee_each
            if change >= DUST_LIMIT:
                outs.append((change, self._change(w, [u])))
        outs.append((coord * n, self.coordinator.addrs[0]))
        self.rng.shuffle(outs)
        self._emit(spends, outs)
        return True

    def _dust_spam(self) -> bool:
        w = self._random_funded()
        if w is None:
            return False
        spends = [self._take1(w)]
        total = spends[0][3]
        m = 3 + int(self.random() * 12)
        if total < 100_000 + m * 1000:
            self._credit(w, spends[0])
            return False
        lo = self.dust_min
        pays = [
            (lo + int(self.random() * (1000 - lo)), self._recv(self._zipf_user())) for _ in range(m)
        ]
        return self._finish(spends, pays, self._change(w, spends))

    def _donate(self) -> bool:
        w = self._random_funded()
        if w is None:
            return False
        rnd = self.random
        spends = self._take(w, 1 if rnd() < 0.85 else 2)
        total = sum(map(_utxo_value, spends))
        amount = int(math.exp(math.log(50_000) + rnd() * math.log(1000)))
        if rnd() < 0.4:
            amount = self._round(amount)
        amount = min(amount, int(total * 0.8))
        if amount < 1:
            for u in spends:
                self._credit(w, u)
            return False
        self._finish(spends, [(amount, self.don_addr)], self._change(w, spends))
        self.don_since_spend += 1
        if self.don_since_spend >= self.don_spend_every:
            self.don_spend_due = True
        return True

    def _data_tx(self) -> bool:
        w = self._random_funded()
        if w is None:
            return False
        spends = [self._take1(w)]
        if spends[0][3] < 50_000:
            self._credit(w, spends[0])
            return False
        pays = [(1, self.don_addr)]
        text_len = len(DATA_TEXT)
        for _ in range(3 + int(self.random() * 10)):
            start = (self.data_counter * 20) % (text_len - 20)
            self.data_counter += 1
            pays.append((1, self.factory.p2pkh_of_hash(DATA_TEXT[start : start + 20])))
        self.burst_left -= 1
        return self._finish(spends, pays, self._change(w, spends))

    def _donation_spend(self, final: bool) -> bool:
        dw = self.donation
        rnd = self.random
        self.don_spend_due = False
        if not dw.utxos:
            return False
        spends = self._take(dw, 600)
        if not final and rnd() < 0.35 and self.ops.utxos:
            spends.append(self._take1(self.ops))
        total = sum(map(_utxo_value, spends))
        keep = self.cfg.donation_final_balance_sats if final else 0
        n_rec = 1 if rnd() < 0.6 else 2
        fee = self._fee(spends, n_rec + (1 if final else 0), 34 * (n_rec + 1))
        avail = total - fee - keep
        if avail < 4 * DUST_LIMIT:
            for u in spends:
                self._credit(u[4].owner, u)  # type: ignore[arg-type]
            return False
        weights = (0.45, 0.3, 0.15, 0.1)
        chosen: list[Wallet] = []
        for _ in range(n_rec):
            r = rnd()
            acc = 0.0
            pick = self.recipients[-1]
            for candidate, p in zip(self.recipients, weights, strict=True):
                acc += p
                if r < acc:
                    pick = candidate
                    break
            if pick not in chosen:
                chosen.append(pick)
        first = avail if len(chosen) == 1 else int(avail * (0.5 + 0.4 * rnd()))
        outs = [(first, chosen[0].addrs[0])]
        if len(chosen) == 2:
            outs.append((avail - first, chosen[1].addrs[0]))
        if keep:
            outs.append((keep, self.don_addr))
        self._emit(spends, outs)
        self.forwards.extend(chosen)
        self.don_since_spend = 0
        self.don_spend_every = 20 + self.rng.randrange(60)
        return True

    def _forward(self) -> bool:
        w = self.forwards.popleft()
        if not w.utxos:
            return False
        spends = self._take(w, 3)
        total = sum(map(_utxo_value, spends))
        rnd = self.random
        dest = self._deposit_addr(self.hub, w) if rnd() < 0.6 else self._recv(self._zipf_user())
        if rnd() < 0.5 or total < 4 * DUST_LIMIT:
            return self._finish(spends, [], None, send_all=dest)
        v = max(1, self._round(int(total * (0.7 + 0.25 * rnd()))))
        return self._finish(spends, [(v, dest)], w.addrs[0])

    def _any_transfer(self) -> bool:
        for w in self.fallbacks:
            if w.utxos:
                spends = [self._take1(w)]
                return self._finish(spends, [], None, send_all=self._recv(w))
        return False

    def _one_tx(self) -> bool:
        """Emit one transaction; False when no wallet holds a spendable coin yet (early in a
        small chain the block's only mature coinbase may already be spent by this block)."""
        rnd = self.random
        if (
            not self.final_done
            and self.tx_done >= self.final_at
            and self.donation.utxos
            and self._donation_spend(final=True)
        ):
            self.final_done = True
            self.donations_on = self.burst_on = False
            self.kinds = [k for k in self.kinds if k[1] != self._donate]
            self.kind_bounds = [k[0] for k in self.kinds]
            return True
        if self.don_spend_due and self._donation_spend(final=False):
            return True
        if self.forwards and rnd() < 0.25 and self._forward():
            return True
        if self.burst_on and self.burst_left > 0 and rnd() < 0.5 and self._data_tx():
            return True
        i = bisect_right(self.kind_bounds, rnd())  # the first behaviour whose bound exceeds u
        if i < len(self.kinds) and self.kinds[i][1]():
            return True
        return bool(self._pay() or self._pool_payout() or self._any_transfer())

    # ------------------------------------------------------------------ blocks

    def _coinbase(self, height: int, day: date, bits: str) -> None:
        rnd = self.random
        solo = rnd() < (0.7 if day < date(2011, 6, 1) else 0.03)
        tag = b""
        if solo:
            miner = self.users[int(rnd() * self.n_miners)]
            addr = self.factory.p2pk(miner, compressed=False) if day.year < 2012 else None
            if addr is None:
                addr = self._recv(miner)
        else:
            r = rnd()
            i = 0 if r < POOL_WEIGHTS[0] else (1 if r < POOL_WEIGHTS[0] + POOL_WEIGHTS[1] else 2)
            addr = self.pool_pk[i] if day.year < 2012 else self.pools[i].addrs[0]
            tag = f"/{POOLS[i]}/".encode()
        value = block_subsidy(height) + self.block_fees
        outs: list[tuple[int, Addr]] = [(value, addr)]
        if self.segwit:
            commitment = self.factory.op_return(b"\xaa\x21\xa9\xed" + self.rng.randbytes(32))
            outs.append((0, commitment))
        out_scripts = [(v, a.spk) for v, a in outs]
        span = EXTRANONCE_VALUES
        while True:
            if day < BIP34_DATE:
                # a 32-bit extranonce, as miners rolled it (the real chain has two duplicate
                # coinbase txids, both pre-BIP34)
                script_sig = enc.push_data(bytes.fromhex(bits)[::-1]) + enc.push_data(
                    _script_num(1 + int(rnd() * span))
                )
            else:
                script_sig = enc.push_data(_script_num(height)) + enc.push_data(
                    self.rng.randbytes(8)
                )
            script_sig += tag
            raw = enc.serialize_tx(1, [(None, None, script_sig, SEQ_FINAL)], out_scripts, 0)
            h = sha256(sha256(raw).digest()).digest()
            # A repeated txid would repeat the outpoint (txid, 0): one coin credited twice, so
            # spendable twice. Roll the extranonce again (in a wider range if this one is
            # crowded). Other txids cannot repeat: each spends an outpoint nothing else spends.
            if h not in self.coinbase_ids:
                break
            span *= 2
        self.coinbase_ids.add(h)
        txid = h[::-1].hex()
        stripped = len(raw)
        size = stripped + (36 if self.segwit else 0)  # marker, flag, 32-byte reserved value
        vsize = (stripped * 3 + size + 3) // 4
        t = new(TransactionBuilder)
        t.hash = txid
        t.size = size
        t.virtual_size = vsize
        t.version = 1
        t.lock_time = 0
        t.inputs = ()
        t.outputs = tuple(
            Output(j, a.spk_asm, a.spk_hex, a.req_sigs, a.type, a.addresses, v)
            for j, (v, a) in enumerate(outs)
        )
        self.pending.insert(0, t)
        self.pending_hashes.insert(0, h)
        self.block_size += size
        self.block_stripped += stripped
        mature_at = height + self.cfg.effective_maturity
        self.maturing.append((mature_at, addr.owner, (h, txid, 0, value, addr)))
        self.utxo_total += value
        self.coinbase_param = script_sig.hex()
        self._account([], outs, txid)
        self.tx_done += 1

    def run(self) -> Iterator[DayBatch]:
        """The day batches, with the cyclic GC paused while a day is being generated.

        Generation allocates millions of small tracked objects (records, UTXO tuples) that are
        freed by reference counting, and the UTXO set keeps growing: with the collector on,
        about a tenth of the CPU went to collections that found nothing to free. The few cycles
        (a finished peel chain's wallet and its addresses) wait for the next collection. The
        collector is switched back on (if it was on) before every yield and on any exit, so
        the consumer never runs without it.
        """
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for batch in self._days():
                if gc_was_enabled:
                    gc.enable()
                yield batch
                if gc_was_enabled:
                    gc.disable()
        finally:
            if gc_was_enabled:
                gc.enable()

    def _days(self) -> Iterator[DayBatch]:
        cfg = self.cfg
        n_blocks = cfg.n_blocks
        n_days = cfg.days
        budget = cfg.n_transactions - n_blocks
        maturity = cfg.effective_maturity
        self.final_at = int(cfg.n_transactions * 0.97)
        start = cfg.start_date
        plan = _DayPlan(n_blocks, n_days)
        self.first_day = start + timedelta(days=plan.day_of(0))
        epoch0 = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())
        weights = [
            0.0 if i < maturity else activity(start + timedelta(days=plan.day_of(i)))
            for i in range(n_blocks)
        ]
        total_weight = sum(weights)
        cum = 0.0
        assigned = 0
        recent: deque[int] = deque(maxlen=11)
        prev_hash = enc.sha256d(f"blocktrust-parent-{cfg.seed}".encode())[::-1].hex()
        day_blocks: list[Block] = []
        day_txs: list[Transaction] = []
        cur_day = -1
        day_first = day_k = 0
        day_offset = spacing = jitter = 0
        rnd = self.random
        for i in range(n_blocks):
            d = plan.day_of(i)
            if d != cur_day:
                if day_blocks:
                    yield DayBatch(start + timedelta(days=cur_day), day_blocks, day_txs)
                    day_blocks, day_txs = [], []
                cur_day = d
                day_first, day_k = plan.blocks_of(d)
                spacing = min(600, 86_400 // (day_k + 1))
                jitter = spacing * 9 // 10
                latest = 86_400 - jitter - (day_k - 1) * spacing - 1
                day_offset = jitter + int(rnd() * max(1, latest - jitter))
                day = start + timedelta(days=d)
                self._set_era(day)
            height = cfg.start_height + i
            self.height = height
            ts = epoch0 + d * 86_400 + day_offset + (i - day_first) * spacing
            ts += int(rnd() * (2 * jitter + 1)) - jitter
            if recent:
                mtp = sorted(recent)[len(recent) // 2]
                if ts <= mtp:
                    ts = mtp + 1
            recent.append(ts)
            while self.maturing and self.maturing[0][0] <= height:
                _, owner, utxo = self.maturing.popleft()
                if owner is not None:
                    self._credit(owner, utxo)
            cum += weights[i]
            target = budget if i == n_blocks - 1 else int(cum * budget / total_weight)
            count = target - assigned
            assigned = target
            self.pending = []
            self.pending_hashes = []
            self.block_fees = self.block_size = self.block_stripped = 0
            for k in range(count):
                if not self._one_tx():
                    # nothing can pay until more coins mature: later blocks take the rest
                    assigned -= count - k
                    break
            bits = bits_for(self.day)
            self._coinbase(height, self.day, bits)
            block = self._seal(height, ts, bits, prev_hash, day_txs)
            day_blocks.append(block)
            prev_hash = block.hash
            if self.progress is not None:
                self.progress(block.transaction_count)
        self.last_day = start + timedelta(days=cur_day)
        if day_blocks:
            yield DayBatch(self.last_day, day_blocks, day_txs)
        self.last_height = cfg.start_height + n_blocks - 1
        self.finished = True

    def _seal(
        self, height: int, ts: int, bits: str, prev_hash: str, out: list[Transaction]
    ) -> Block:
        pending = self.pending
        root = _merkle_raw(self.pending_hashes)
        version = block_version_for(self.day)
        nonce = self.rng.getrandbits(32)
        header = enc.block_header(version, prev_hash, root[::-1].hex(), ts, bits, nonce)
        block_hash = enc.block_hash_of(header)
        header_size = 80 + len(enc.compact_size(len(pending)))
        size = header_size + self.block_size
        stripped = header_size + self.block_stripped
        for idx, t in enumerate(pending):
            t.block_number = height
            t.block_hash = block_hash
            t.block_timestamp = ts
            t.is_coinbase = idx == 0
            t.index = idx
            t.__class__ = Transaction
        out += pending  # type: ignore[arg-type]
        return Block(
            hash=block_hash,
            size=size,
            stripped_size=stripped,
            weight=stripped * 3 + size,
            number=height,
            version=version,
            merkle_root=root[::-1].hex(),
            timestamp=ts,
            nonce=f"{nonce:08x}",
            bits=bits,
            coinbase_param=self.coinbase_param,
            transaction_count=len(pending),
            previous_block_hash=prev_hash,
        )

    # ------------------------------------------------------------------ answer key

    def answer_key(self) -> AnswerKey:
        cfg = self.cfg
        labels = self.address_labels()
        by_label: dict[str, list[str]] = {}
        for address, label in labels.items():
            by_label.setdefault(label, []).append(address)
        entities = {
            label: EntityTotals(
                label=label,
                category=CATEGORIES[label],
                addresses=tuple(sorted(by_label.get(label, []))),
                received_sats=s[0],
                sent_sats=s[1],
                tx_count=s[2],
            )
            for label, s in self.stats.items()
        }
        donation = DonationTotals(
            address=cfg.donation_address,
            received_sats=self.don_received,
            sent_sats=self.don_sent,
            tx_count=self.don_txs,
            donation_count=self.don_count,
            one_sat_tx_count=self.don_one_sat,
            spend_count=self.don_spends,
            first_transaction=self.don_first,
            top_recipients=top_of(self.don_recipients),
        )
        return AnswerKey(
            seed=cfg.seed,
            start=cfg.start_date.isoformat(),
            end=cfg.end_date.isoformat(),
            n_blocks=cfg.n_blocks,
            n_transactions=self.tx_done,
            height_range=(cfg.start_height, self.last_height),
            date_range=(self.first_day.isoformat(), self.last_day.isoformat()),
            utxo_total_sats=self.utxo_total,
            hub_label=HUB,
            hub_address=self.hub.hot_addr.address,  # type: ignore[arg-type]
            hub_tx_count=self.hub_txs,
            entities=entities,
            donation=donation,
        )
