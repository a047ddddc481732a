"""Run the GX checkpoints: a day of raw chain data, the price series, the marts.

``validate_day`` validates one UTC day (checkpoints raw_day and raw_day_addresses), puts the
day in quarantine when a check fails and releases it when all pass, and returns a
``GateResult``; ``GateResult.raise_if_failed()`` raises ``GateFailed``, whose message is a short
summary for an Airflow log. Failed results are rendered into Data Docs under <data_dir>/gx-docs
(`blocktrust gate docs` renders all stored results).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from blocktrust.gx import quarantine
from blocktrust.gx.project import DOCS_SITE, docs_dir, open_context

if TYPE_CHECKING:
    from blocktrust.settings import Settings

EXAMPLES = 3
EXAMPLE_CHARS = 240


class Failure(NamedTuple):
    expectation: str  # the check's name (expectation meta "check")
    rows: int  # rows failing; -1 when the check itself errored
    examples: tuple[str, ...]


@dataclass(frozen=True)
class GateResult:
    day: date | None  # None for the whole-table suites (prices, marts)
    passed: bool
    failures: tuple[Failure, ...]
    data_docs_url: str
    checkpoint: str = "raw_day"
    skipped: str | None = None  # why nothing was validated (marts not built yet)
    duration_s: float = 0.0
    checks_run: int = field(default=0)

    def summary(self) -> str:
        what = f"{self.checkpoint} {self.day.isoformat()}" if self.day else self.checkpoint
        if self.skipped:
            return f"quality gate skipped for {what}: {self.skipped}"
        if self.passed:
            return (
                f"quality gate passed for {what}: {self.checks_run} checks ({self.duration_s:.1f}s)"
            )
        lines = [
            f"quality gate FAILED for {what}: {len(self.failures)} of {self.checks_run} checks"
        ]
        for failure in self.failures:
            rows = "check errored" if failure.rows < 0 else f"{failure.rows} rows"
            lines.append(f"  {failure.expectation}: {rows}")
            lines += [f"    e.g. {example}" for example in failure.examples]
        lines.append(f"  Data Docs: {self.data_docs_url}")
        return "\n".join(lines)

    def raise_if_failed(self) -> GateResult:
        if not self.passed:
            raise GateFailed(self)
        return self


class GateFailed(Exception):
    """A gate run failed; str() names each failed check, its row count and a few examples."""

    def __init__(self, result: GateResult) -> None:
        super().__init__(result.summary())
        self.result = result


# ---------------------------------------------------------------- reading GX results


def _clip(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def failure_of(check: str, result: dict[str, Any], exception: str | None) -> Failure:
    """Rows failing and examples of one failed expectation, from its result dict."""
    if exception:
        return Failure(check, -1, (_clip(exception),))
    details = result.get("details") or {}
    if "unexpected_rows" in details:  # UnexpectedRowsExpectation: rows carry "violation"
        rows = details["unexpected_rows"] or []
        examples = tuple(_clip(r.get("violation") or r) for r in rows[:EXAMPLES])
        return Failure(check, int(result.get("observed_value") or len(rows)), examples)
    if "unexpected_count" in result:  # column map expectations
        values = result.get("partial_unexpected_list") or []
        return Failure(
            check, int(result["unexpected_count"]), tuple(_clip(v) for v in values[:EXAMPLES])
        )
    observed = result.get("observed_value")
    return Failure(check, 1, (_clip(f"observed {observed!r}"),) if observed is not None else ())


def _exception_message(info: Any) -> str | None:
    """GX reports a check that errored either flat or keyed by metric id; find the message."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "the check raised an exception")
    for value in info.values():
        message = _exception_message(value)
        if message:
            return message
    return None


def failures_of(checkpoint_result: Any) -> tuple[list[Failure], int, list[Any]]:
    """(failures, checks run, identifiers of failed validation results) of a checkpoint run."""
    failures: list[Failure] = []
    failed_ids: list[Any] = []
    checks = 0
    for identifier, validation in checkpoint_result.run_results.items():
        for item in validation.results:
            checks += 1
            if item.success:
                continue
            config = item.expectation_config
            name = (config.meta or {}).get("check") or config.type
            exception = _exception_message(item.exception_info)
            failures.append(failure_of(name, dict(item.result or {}), exception))
            if identifier not in failed_ids:
                failed_ids.append(identifier)
    return failures, checks, failed_ids


def _docs_url(context: Any, settings: Settings, identifiers: list[Any], render: bool) -> str:
    """Render the failed results' pages (and the index); the URL of the first, else the index."""
    if identifiers and render:
        context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=identifiers)
        urls = context.get_docs_sites_urls(
            resource_identifier=identifiers[0], site_name=DOCS_SITE, only_if_exists=False
        )
        if urls and urls[0].get("site_url"):
            return urls[0]["site_url"]
    return (docs_dir(settings) / "index.html").as_uri()


def _run(
    context: Any, name: str, run_name: str, batch_parameters: dict[str, Any] | None = None
) -> Any:
    from great_expectations.core.run_identifier import RunIdentifier

    checkpoint = context.checkpoints.get(name)
    return checkpoint.run(
        batch_parameters=batch_parameters, run_id=RunIdentifier(run_name=run_name)
    )


def _result(
    settings: Settings,
    context: Any,
    day: date | None,
    checkpoint: str,
    runs: list[Any],
    started: float,
    render_docs: bool = True,
) -> GateResult:
    failures: list[Failure] = []
    failed_ids: list[Any] = []
    checks = 0
    for run in runs:
        run_failures, run_checks, run_failed_ids = failures_of(run)
        failures += run_failures
        failed_ids += run_failed_ids
        checks += run_checks
    return GateResult(
        day=day,
        passed=not failures,
        failures=tuple(failures),
        data_docs_url=_docs_url(context, settings, failed_ids, render_docs),
        checkpoint=checkpoint,
        duration_s=time.perf_counter() - started,
        checks_run=checks,
    )


# ---------------------------------------------------------------- the gates


def validate_day(
    settings: Settings,
    day: date,
    *,
    quarantine_on_failure: bool = True,
    render_docs: bool = True,
) -> GateResult:
    """Validate raw day ``day``; quarantine it on failure, release it on a pass.

    render_docs=False skips rendering the failed results' Data Docs pages (seconds each); the
    results are stored either way and `blocktrust gate docs` renders them later.
    """
    from blocktrust.gx.addresses import day_address_frame

    context = open_context(settings, day)  # the first call in a process imports GX (slow)
    started = time.perf_counter()
    run_name = f"raw_day {day.isoformat()}"
    runs = [
        _run(context, "raw_day", run_name),
        _run(
            context,
            "raw_day_addresses",
            run_name,
            {"dataframe": day_address_frame(settings, day)},
        ),
    ]
    result = _result(settings, context, day, "raw_day", runs, started, render_docs)
    if not result.passed and quarantine_on_failure:
        quarantine.quarantine_day(settings, day, result.summary())
    elif result.passed:
        quarantine.release_day(settings, day)
    return result


def validate_prices(settings: Settings) -> GateResult:
    """Validate the whole daily price series (one row per day, documented gaps, positive)."""
    context = open_context(settings)
    started = time.perf_counter()
    runs = [_run(context, "raw_prices", "raw_prices")]
    return _result(settings, context, None, "raw_prices", runs, started)


def validate_marts(settings: Settings) -> GateResult:
    """Reconcile the marts with raw; skipped (passed) while dbt has not built them."""
    from blocktrust.db import connect
    from blocktrust.gx.sql import query

    started = time.perf_counter()
    with connect(settings, role="owner") as conn:
        quarantine.ensure_table(conn)
        present = conn.execute(query("marts_tables_present")).fetchone()
    if not present or not all(present):
        return GateResult(
            day=None,
            passed=True,
            failures=(),
            data_docs_url=(docs_dir(settings) / "index.html").as_uri(),
            checkpoint="marts",
            skipped="marts.dim_address_totals / marts.fct_address_flows not built yet",
            duration_s=time.perf_counter() - started,
        )
    context = open_context(settings)
    runs = [_run(context, "marts", "marts")]
    return _result(settings, context, None, "marts", runs, started)
