"""Compare what the marts say about an address with the generator's answer key.

The answer key splits each spend with floor(input_value * output_value / total_input); the
warehouse hands the remainders out by largest remainder (docs/data-model.md), so a recipient's
total may differ by at most one satoshi per transaction. Totals must be equal to the satoshi.
"""

from __future__ import annotations

from typing import Any

from blocktrust.warehouse.address import AddressSummary


def answer_key_mismatches(summary: AddressSummary, expected: dict[str, Any]) -> list[str]:
    """Every disagreement between ``summary`` and the key's entry ``expected`` (empty: equal).

    ``expected`` is the answer key's ``donation`` object: received_sats, sent_sats,
    balance_sats, tx_count and top_recipients [{address, value_sats}] in descending order.
    """
    problems = [
        f"{field}: warehouse {getattr(summary, field):,} != answer key {expected[field]:,}"
        for field in ("received_sats", "sent_sats", "balance_sats", "tx_count")
        if getattr(summary, field) != expected[field]
    ]
    recipients = {c.address: c for c in summary.top_recipients}
    for want in expected.get("top_recipients", [])[: len(summary.top_recipients)]:
        got = recipients.get(want["address"])
        if got is None:
            problems.append(f"top recipient {want['address']} missing from the warehouse's top")
        elif abs(got.value_sats - want["value_sats"]) > got.transaction_count:
            problems.append(
                f"top recipient {want['address']}: warehouse {got.value_sats:,} sats != "
                f"answer key {want['value_sats']:,} (more than 1 sat per transaction apart)"
            )
    return problems
