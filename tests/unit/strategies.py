"""Hypothesis strategies for canonical chain records that every format can hold."""

from __future__ import annotations

from hypothesis import strategies as st

from blocktrust.chain.records import MAX_MONEY_SATS, Block, Input, Output, Transaction

hashes = st.binary(min_size=32, max_size=32).map(bytes.hex)
hex_text = st.binary(max_size=24).map(bytes.hex)
asm_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
addresses = st.from_regex(r"(1|3|bc1q)[a-zA-Z0-9]{20,38}", fullmatch=True)
output_types = st.sampled_from(
    [
        "pubkeyhash",
        "scripthash",
        "witness_v0_keyhash",
        "witness_v1_taproot",
        "pubkey",
        "nonstandard",
    ]
)
small_ints = st.integers(min_value=0, max_value=2**31 - 1)
timestamps = st.integers(min_value=1_231_006_505, max_value=2_000_000_000)
# includes the largest amounts: exact BTC <-> double conversion must hold up to 21M BTC
sats = st.one_of(
    st.integers(min_value=0, max_value=1_000),
    st.integers(min_value=0, max_value=MAX_MONEY_SATS // 8),
)


@st.composite
def outputs(draw: st.DrawFn, count: int) -> tuple[Output, ...]:
    result = []
    for index in range(count):
        is_op_return = draw(st.booleans()) and draw(st.booleans())
        result.append(
            Output(
                index=index,
                script_asm="OP_RETURN " + draw(hex_text) if is_op_return else draw(asm_text),
                script_hex=draw(hex_text),
                required_signatures=None if is_op_return else draw(st.none() | st.integers(1, 3)),
                type="nulldata" if is_op_return else draw(output_types),
                addresses=() if is_op_return else (draw(addresses),),
                value=0 if is_op_return else draw(sats),
            )
        )
    return tuple(result)


@st.composite
def spending_inputs(draw: st.DrawFn, count: int, total: int, enriched: bool) -> tuple[Input, ...]:
    """``count`` inputs worth ``total`` sats together (None values when unenriched)."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=count - 1, max_size=count - 1)))
    values = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    return tuple(
        Input(
            index=index,
            spent_transaction_hash=draw(hashes),
            spent_output_index=draw(st.integers(0, 50)),
            script_asm=draw(st.none() | asm_text),
            script_hex=draw(st.none() | hex_text),
            sequence=draw(st.integers(0, 2**32 - 1)),
            required_signatures=draw(st.none() | st.integers(1, 3)) if enriched else None,
            type=draw(output_types) if enriched else None,
            addresses=(draw(addresses),) if enriched else (),
            value=value if enriched else None,
        )
        for index, value in enumerate(values)
    )


@st.composite
def transactions(draw: st.DrawFn) -> Transaction:
    is_coinbase = draw(st.booleans())
    outs = draw(outputs(draw(st.integers(1, 3))))
    if is_coinbase:
        coinbase_input = Input(0, None, None, None, draw(hex_text), 2**32 - 1)
        ins: tuple[Input, ...] = draw(st.sampled_from([(), (coinbase_input,)]))
    else:
        fee = draw(st.integers(0, 100_000))
        total = min(sum(o.value for o in outs) + fee, MAX_MONEY_SATS)
        ins = draw(spending_inputs(draw(st.integers(1, 3)), total, draw(st.booleans())))
    return Transaction(
        hash=draw(hashes),
        size=draw(small_ints),
        virtual_size=draw(small_ints),
        version=draw(st.integers(1, 2)),
        lock_time=draw(st.integers(0, 2**32 - 1)),
        block_number=draw(st.integers(0, 900_000)),
        block_hash=draw(hashes),
        block_timestamp=draw(timestamps),
        is_coinbase=is_coinbase,
        index=draw(st.integers(0, 5_000)),
        inputs=ins,
        outputs=outs,
    )


@st.composite
def blocks(draw: st.DrawFn) -> Block:
    return Block(
        hash=draw(hashes),
        size=draw(small_ints),
        stripped_size=draw(small_ints),
        weight=draw(small_ints),
        number=draw(st.integers(0, 900_000)),
        version=draw(st.integers(1, 2**31 - 1)),
        merkle_root=draw(hashes),
        timestamp=draw(timestamps),
        nonce=format(draw(st.integers(0, 2**32 - 1)), "08x"),
        bits=format(draw(st.integers(0x1700_0001, 0x1D00_FFFF)), "x"),
        coinbase_param=draw(st.none() | hex_text),
        transaction_count=draw(st.integers(1, 5_000)),
        previous_block_hash=draw(st.none() | hashes),
    )
