"""The demo's answer-key comparison: exact totals, recipients within the rounding allowance."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from blocktrust.warehouse.address import AddressSummary, Counterparty
from blocktrust.warehouse.answer_check import answer_key_mismatches

KEY = {
    "received_sats": 1_000,
    "sent_sats": 900,
    "balance_sats": 100,
    "tx_count": 5,
    "top_recipients": [{"address": "1A", "value_sats": 600}, {"address": "1B", "value_sats": 299}],
}


def _summary(**changes) -> AddressSummary:
    base = AddressSummary(
        address="1D",
        tags=(),
        received_sats=1_000,
        sent_sats=900,
        balance_sats=100,
        received_usd=Decimal(0),
        sent_usd=Decimal(0),
        cost_basis_usd=Decimal(0),
        balance_usd=None,
        latest_price_usd=None,
        latest_price_date=None,
        tx_count=5,
        received_tx_count=3,
        sent_tx_count=2,
        first_seen_at=None,
        last_seen_at=None,
        first_received_at=None,
        last_received_at=None,
        first_sent_at=None,
        last_sent_at=None,
        top_recipients=(
            Counterparty("1A", 600, None, 2, ()),
            Counterparty("1B", 300, None, 1, ()),  # largest remainder gave 1B the odd satoshi
        ),
        top_senders=(),
    )
    return dataclasses.replace(base, **changes)


def test_equal_totals_and_a_one_sat_rounding_difference_agree() -> None:
    assert answer_key_mismatches(_summary(), KEY) == []


def test_one_satoshi_off_in_the_balance_is_a_mismatch() -> None:
    problems = answer_key_mismatches(_summary(balance_sats=101), KEY)
    assert problems == ["balance_sats: warehouse 101 != answer key 100"]


def test_recipient_further_off_than_its_transactions_allow_is_a_mismatch() -> None:
    recipients = (Counterparty("1A", 603, None, 2, ()), Counterparty("1B", 300, None, 1, ()))
    problems = answer_key_mismatches(_summary(top_recipients=recipients), KEY)
    assert len(problems) == 1 and "1A" in problems[0]


def test_recipient_missing_from_the_warehouse_top_is_named() -> None:
    recipients = (Counterparty("1A", 600, None, 2, ()), Counterparty("1C", 300, None, 1, ()))
    problems = answer_key_mismatches(_summary(top_recipients=recipients), KEY)
    assert problems == ["top recipient 1B missing from the warehouse's top"]
