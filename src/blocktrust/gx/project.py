"""The GX file context under <repo>/expectations and writing the suites into it from code.

Choice (docs/quality.md): the committed great_expectations.yml names the warehouse connection
string, the validation results folder and the Data Docs folder only as config variables
(``${BLOCKTRUST_GX_DSN}`` ...). ``open_context`` supplies them through GX's runtime_environment
from the settings, so no secret and no machine path is ever written to the project. The gate
day travels as a session setting of that connection (libpq ``options=-c
blocktrust.gate_day=D``), which the committed query assets read with ``current_setting``; the
assets therefore stay static and each day is its own batch with partition pruning.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from blocktrust.gx.checks import ADDRESSES, CHECKPOINTS, SUITES, WAREHOUSE, Check, Suite
from blocktrust.gx.sql import statement

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext

    from blocktrust.settings import Settings

DAY_SETTING = "blocktrust.gate_day"
DSN_VARIABLE = "${BLOCKTRUST_GX_DSN}"
BATCH_DEFINITION = "whole"
DOCS_SITE = "local_site"
# A day no chain data has: assets are only tested, never read, while the suites are written.
NO_DAY = date(1970, 1, 1)


def quiet_gx() -> None:
    """GX logs hundreds of INFO lines on import (more after Airflow's logging is set up)."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


def project_dir(settings: Settings) -> Path:
    return settings.repo_root / "expectations"


def docs_dir(settings: Settings) -> Path:
    return settings.data_dir / "gx-docs"


def results_dir(settings: Settings) -> Path:
    return settings.data_dir / "gx" / "validations"


def gate_dsn(settings: Settings, day: date | None) -> str:
    """Owner DSN with the gate day as a session setting, as a SQLAlchemy URL (psycopg2)."""
    dsn = settings.dsn("owner")
    options = quote(f"-c {DAY_SETTING}={(day or NO_DAY).isoformat()}", safe="")
    return dsn + ("&" if "?" in dsn else "?") + "options=" + options


def runtime_environment(settings: Settings, day: date | None) -> dict[str, str]:
    return {
        "BLOCKTRUST_GX_DSN": gate_dsn(settings, day),
        "BLOCKTRUST_GX_RESULTS_DIR": str(results_dir(settings)),
        "BLOCKTRUST_GX_DOCS_DIR": str(docs_dir(settings)),
    }


def open_context(settings: Settings, day: date | None = None) -> AbstractDataContext:
    quiet_gx()
    import great_expectations as gx

    return gx.get_context(
        mode="file",
        project_root_dir=project_dir(settings),
        runtime_environment=runtime_environment(settings, day),
    )


# ---------------------------------------------------------------- suites as code


def expectation(check: Check) -> Any:
    """The GX expectation of one check; ``meta["check"]`` carries the check's name."""
    from great_expectations import expectations as gxe

    common: dict[str, Any] = {
        "meta": {"check": check.name},
        # Data Docs show the description, not meta: lead with the name the gate reports
        "description": f"{check.name}: {check.description}",
    }
    if check.kind == "rows":
        return gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=statement(check.name),
            result_format="COMPLETE",
            **common,
        )
    summary = {"result_format": "SUMMARY", **common}
    if check.kind == "regex":
        return gxe.ExpectColumnValuesToMatchRegex(column=check.column, regex=check.regex, **summary)
    if check.kind == "between":
        return gxe.ExpectColumnValuesToBeBetween(
            column=check.column,
            min_value=check.min_value,
            max_value=check.max_value,
            strict_min=check.strict_min,
            **summary,
        )
    if check.kind == "null":
        return gxe.ExpectColumnValuesToBeNull(column=check.column, **summary)
    if check.kind == "unique":
        return gxe.ExpectColumnValuesToBeUnique(column=check.column, **summary)
    raise ValueError(f"check {check.name}: unknown kind {check.kind!r}")


def _batch_definition(context: AbstractDataContext, suite: Suite) -> Any:
    if suite.data_source == WAREHOUSE:
        source = context.data_sources.get(WAREHOUSE)
        assert suite.asset_sql is not None
        query = statement(suite.asset_sql)
        try:
            asset = source.get_asset(suite.asset)
        except LookupError:
            asset = None
        if asset is None or asset.query != query:
            if asset is not None:
                source.delete_asset(suite.asset)
            asset = source.add_query_asset(suite.asset, query=query)
    else:
        source = context.data_sources.get(ADDRESSES)
        try:
            asset = source.get_asset(suite.asset)
        except LookupError:
            asset = source.add_dataframe_asset(suite.asset)
    try:
        return asset.get_batch_definition(BATCH_DEFINITION)
    except (KeyError, LookupError):
        if suite.data_source == WAREHOUSE:
            return asset.add_batch_definition_whole_table(BATCH_DEFINITION)
        return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)


def _same_expectations(existing: Any, wanted: list[Any]) -> bool:
    def key(e: Any) -> tuple:
        cfg = e.configuration
        return (cfg.type, repr(sorted(cfg.kwargs.items())), repr(cfg.meta), e.description)

    return [key(e) for e in existing.expectations] == [key(e) for e in wanted]


def _write_suite(context: AbstractDataContext, suite: Suite) -> Any:
    import great_expectations as gx

    wanted = [expectation(c) for c in suite.checks]
    try:
        existing = context.suites.get(suite.name)
    except Exception:  # DataContextError when missing; GX has no narrower public type
        existing = None
    if existing is not None and _same_expectations(existing, wanted):
        return existing  # unchanged: keep ids, no churn in the committed JSON
    if existing is not None:
        context.suites.delete(suite.name)
    gx_suite = gx.ExpectationSuite(name=suite.name, meta={"written_by": "blocktrust gate suites"})
    for item in wanted:
        gx_suite.add_expectation(item)
    return context.suites.add(gx_suite)


def write_project(settings: Settings) -> list[str]:
    """(Re)write data sources, assets, suites, validation definitions and checkpoints.

    Idempotent: unchanged suites keep their ids. Returns the suite names written.
    """
    import great_expectations as gx

    context = open_context(settings)
    # add only when missing: add_or_update would give the source and its assets new ids
    if WAREHOUSE not in context.data_sources.all():
        context.data_sources.add_postgres(WAREHOUSE, connection_string=DSN_VARIABLE)
    if ADDRESSES not in context.data_sources.all():
        context.data_sources.add_pandas(ADDRESSES)
    definitions = {}
    for suite in SUITES:
        batch_definition = _batch_definition(context, suite)
        gx_suite = _write_suite(context, suite)
        definitions[suite.name] = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite)
        )
    for name, suites in CHECKPOINTS.items():
        context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=name,
                validation_definitions=[definitions[s.name] for s in suites],
                # No UpdateDataDocsAction: rendering every result's page costs seconds each
                # (GX compiles its templates per page); the gate renders failed results only.
                actions=[],
                result_format={"result_format": "COMPLETE", "partial_unexpected_count": 5},
            )
        )
    return [s.name for s in SUITES]


def build_docs(settings: Settings) -> Path:
    """Build all of Data Docs (every stored result) into <data_dir>/gx-docs; the index page."""
    context = open_context(settings)
    context.build_data_docs(site_names=[DOCS_SITE])
    return docs_dir(settings) / "index.html"
