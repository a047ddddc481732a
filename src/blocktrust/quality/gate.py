"""A light per-day gate on the raw tables: counts that must agree before dbt runs.

Each check is a query in sql/quality/ returning one row (expected, actual, detail); it passes when
expected = actual. The full Great Expectations gate replaces the body of ``check_day`` later; the
signature stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from blocktrust.ingest.sqlfiles import query

if TYPE_CHECKING:
    from blocktrust.settings import Settings

CHECKS = (
    "transactions_match_block_headers",
    "inputs_match_input_counts",
    "outputs_match_output_counts",
    "one_coinbase_per_block",
)


class QualityGateError(Exception):
    """At least one check failed; the message lists every check."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    expected: int
    actual: int
    detail: str

    @property
    def passed(self) -> bool:
        return self.expected == self.actual

    def line(self) -> str:
        mark = "ok  " if self.passed else "FAIL"
        extra = f" ({self.detail})" if self.detail else ""
        return f"{mark} {self.name}: expected {self.expected}, got {self.actual}{extra}"


@dataclass(frozen=True)
class GateResult:
    day: date
    checks: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def summary(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        lines = [f"quality gate {verdict} for {self.day.isoformat()}:"]
        lines += ["  " + c.line() for c in self.checks]
        return "\n".join(lines)


def run_checks(settings: Settings, day: date) -> GateResult:
    from blocktrust.db import connect

    results = []
    with connect(settings, role="loader") as conn, conn.cursor() as cur:
        for name in CHECKS:
            cur.execute(query("quality", name), {"day": day})
            expected, actual, detail = cur.fetchone()  # type: ignore[misc]
            results.append(CheckResult(name, int(expected), int(actual), detail or ""))
    return GateResult(day, tuple(results))


def check_day(settings: Settings, day: date) -> GateResult:
    """Run every check for ``day``; raise QualityGateError with a readable summary on failure."""
    result = run_checks(settings, day)
    if not result.passed:
        raise QualityGateError(result.summary())
    return result
