"""What the gate checks, as plain data: suites, their data assets and their checks.

Every check has a name that is unique across suites; the name is stored in the expectation's
``meta["check"]``, shown in Data Docs, and reported by ``GateFailed`` and ``GateResult``.
Kinds map to GX expectations in :mod:`blocktrust.gx.project`:

- ``rows``: ``UnexpectedRowsExpectation`` running ``sql/gx/<name>.sql`` (``{batch}`` = the
  suite's asset); the query returns the offending rows with a readable ``violation`` column.
- ``regex``, ``between``, ``null``, ``unique``: GX column expectations on the suite's asset.

Nothing here imports GX, so it is cheap to read (the CLI, the docs test).
"""

from __future__ import annotations

from dataclasses import dataclass

from blocktrust.chain.records import MAX_MONEY_SATS

HEX64 = "^[0-9a-f]{64}$"

# data sources of the GX project
WAREHOUSE = "blocktrust_warehouse"  # PostgreSQL, connection string injected at run time
ADDRESSES = "blocktrust_addresses"  # pandas: the day's addresses, checked in Python


@dataclass(frozen=True)
class Check:
    name: str
    kind: str  # rows | regex | between | null | unique
    description: str
    column: str | None = None
    regex: str | None = None
    min_value: int | None = None
    max_value: int | None = None
    strict_min: bool = False


@dataclass(frozen=True)
class Suite:
    """One expectation suite on one data asset; also its validation definition's name."""

    name: str
    data_source: str
    asset: str
    asset_sql: str | None  # sql/gx file of a query asset; None for a dataframe asset
    checks: tuple[Check, ...]


def _hex(column: str) -> Check:
    return Check(
        f"{column}_is_64_hex",
        "regex",
        f"{column} is 64 lowercase hex digits (a SHA-256 hash as bitcoin-etl writes it).",
        column=column,
        regex=HEX64,
    )


def _money(name: str, column: str) -> Check:
    return Check(
        name,
        "between",
        f"{column} lies within 0..21,000,000 BTC ({MAX_MONEY_SATS} sats).",
        column=column,
        min_value=0,
        max_value=MAX_MONEY_SATS,
    )


def _rows(name: str, description: str) -> Check:
    return Check(name, "rows", description)


RAW_DAY_BLOCKS = Suite(
    "raw_day_blocks",
    WAREHOUSE,
    "raw_day_blocks",
    "day_blocks",
    (
        _hex("block_hash"),
        Check(
            "previous_block_hash_is_64_hex",
            "regex",
            "previous_block_hash is 64 lowercase hex digits when the source carries it.",
            column="previous_block_hash",
            regex=HEX64,
        ),
        _hex("merkle_root"),
        Check(
            "block_has_transactions",
            "between",
            "Every block has at least its coinbase (transaction_count >= 1).",
            column="transaction_count",
            min_value=1,
        ),
        _rows(
            "heights_contiguous",
            "Heights are contiguous within the day and follow the last block loaded before it.",
        ),
        _rows(
            "parent_hash_matches",
            "previous_block_hash is the hash of the block one lower.",
        ),
        _rows(
            "transactions_match_block_header",
            "Each block has as many transactions loaded as its header's transaction_count.",
        ),
        _rows("one_coinbase_per_block", "Exactly one coinbase per block, at index 0."),
        _rows(
            "block_time_after_median_time_past",
            "Block time is later than the median of the previous 11 blocks' times.",
        ),
        _rows(
            "block_time_not_far_in_future",
            "Block time is at most 2 hours after the next blocks' times (or the load time).",
        ),
    ),
)

RAW_DAY_TRANSACTIONS = Suite(
    "raw_day_transactions",
    WAREHOUSE,
    "raw_day_transactions",
    "day_transactions",
    (
        Check(
            "transaction_hash_is_64_hex",
            "regex",
            "transaction_hash is 64 lowercase hex digits.",
            column="transaction_hash",
            regex=HEX64,
        ),
        Check(
            "fee_not_negative",
            "between",
            "fee_sats >= 0 where the source resolved the inputs (null = unknown, not checked).",
            column="fee_sats",
            min_value=0,
            max_value=MAX_MONEY_SATS,
        ),
        _money("transaction_output_value_within_supply", "output_value_sats"),
        _money("transaction_input_value_within_supply", "input_value_sats"),
        _rows(
            "inputs_match_input_count",
            "Each transaction has as many input rows as its input_count.",
        ),
        _rows(
            "outputs_match_output_count",
            "Each transaction has as many output rows as its output_count.",
        ),
        _rows(
            "inputs_equal_outputs_plus_fee",
            "Resolved inputs = outputs + fee; values agree with the loaded inputs and outputs.",
        ),
        _rows(
            "coinbase_within_subsidy_plus_fees",
            "A coinbase pays at most the block subsidy plus the block's fees.",
        ),
    ),
)

RAW_DAY_INPUTS = Suite(
    "raw_day_inputs",
    WAREHOUSE,
    "raw_day_inputs",
    "day_inputs",
    (
        Check(
            "spent_transaction_hash_is_64_hex",
            "regex",
            "spent_transaction_hash is 64 lowercase hex digits (null for coinbase inputs).",
            column="spent_transaction_hash",
            regex=HEX64,
        ),
        _money("input_value_within_supply", "value_sats"),
        _rows(
            "no_outpoint_spent_twice",
            "No outpoint is spent twice, within the day or by a day loaded before.",
        ),
    ),
)

RAW_DAY_OUTPUTS = Suite(
    "raw_day_outputs",
    WAREHOUSE,
    "raw_day_outputs",
    "day_outputs",
    (_money("output_value_within_supply", "value_sats"),),
)

RAW_DAY_ADDRESSES = Suite(
    "raw_day_addresses",
    ADDRESSES,
    "raw_day_addresses",
    None,
    (
        Check(
            "addresses_valid_for_type",
            "null",
            "Every address decodes (Base58Check / Bech32 / Bech32m checksum) to its script type.",
            column="problem",
        ),
    ),
)

RAW_PRICES = Suite(
    "raw_prices",
    WAREHOUSE,
    "raw_prices",
    "prices",
    (
        Check(
            "price_positive",
            "between",
            "close_usd > 0.",
            column="close_usd",
            min_value=0,
            strict_min=True,
        ),
        Check("one_price_per_day", "unique", "One row per price_date.", column="price_date"),
        _rows(
            "prices_no_undocumented_gaps",
            "Every day between the first and last price has a row; filled rows only on the "
            "documented source gaps.",
        ),
    ),
)

MARTS_ADDRESS_TOTALS = Suite(
    "marts_address_totals",
    WAREHOUSE,
    "marts_address_totals",
    "marts_address_totals",
    (
        Check(
            "marts_balance_not_negative",
            "between",
            "No published balance is negative.",
            column="balance_sats",
            min_value=0,
            max_value=MAX_MONEY_SATS,
        ),
        _rows(
            "marts_balance_total_matches_raw_utxo",
            "Balances add up to the unspent addressed outputs computed from raw.",
        ),
    ),
)

MARTS_ADDRESS_FLOWS = Suite(
    "marts_address_flows",
    WAREHOUSE,
    "marts_address_flows",
    "marts_address_flows",
    (
        _rows(
            "marts_flows_within_address_totals",
            "Flows out of / into an address are at most what it sent / received.",
        ),
    ),
)

# checkpoint name -> its suites, in run order
CHECKPOINTS: dict[str, tuple[Suite, ...]] = {
    "raw_day": (RAW_DAY_BLOCKS, RAW_DAY_TRANSACTIONS, RAW_DAY_INPUTS, RAW_DAY_OUTPUTS),
    "raw_day_addresses": (RAW_DAY_ADDRESSES,),
    "raw_prices": (RAW_PRICES,),
    "marts": (MARTS_ADDRESS_TOTALS, MARTS_ADDRESS_FLOWS),
}

SUITES: tuple[Suite, ...] = tuple(s for suites in CHECKPOINTS.values() for s in suites)


def check_names() -> list[str]:
    return [c.name for s in SUITES for c in s.checks]
