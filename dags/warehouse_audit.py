"""
### warehouse_audit

The full check of the warehouse, weekly (Sunday 06:00 UTC) or triggered from the UI. The daily
`bitcoin_ingest` runs test only their window: keys and flows of the rows they rewrote, and the
sum of balances against the UTXO set by induction over the window (docs/quality.md). What lies
before the window (a row corrupted or edited by hand long ago) is this DAG's to find:

- **dbt_test_full_history** — `dbt test` without `window_start`: every data test over every
  row, the sum of all balances against the whole UTXO set among them.
- **reconcile_marts_with_raw** — the Great Expectations `marts` suite: the published marts
  against raw, by a path that shares no model with them (balances not negative, the sum of
  balances equal to the unspent outputs computed from raw, flows within address totals).

The two tasks are independent (one failing does not hide the other). A failed GX check fails
at once (a finding, not a transient error); `dbt test` retries like every task, as Cosmos does
not tell a failed test from a lost connection. Both read the whole warehouse (the UTXO test
alone: 6.1-6.9 s on its own, 10.6 s inside a build, at 1M transactions; docs/benchmarks.md),
so they run weekly, not daily.
"""

from __future__ import annotations

from airflow.sdk import CronTriggerTimetable, dag, task

from blocktrust.ingest.dag_wiring import (
    DEFAULT_ARGS,
    dbt_full_history_test_task,
    dbt_project_ready,
    start_date,
)


@dag(
    dag_id="warehouse_audit",
    schedule=CronTriggerTimetable("0 6 * * 0", timezone="UTC"),
    start_date=start_date(),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["blocktrust", "quality", "audit"],
    doc_md=__doc__,
)
def warehouse_audit() -> None:
    @task
    def reconcile_marts_with_raw() -> dict:
        """GX `marts` suite over the whole warehouse; fails with the failed checks listed."""
        from airflow.sdk.exceptions import AirflowFailException

        from blocktrust.gx.gate import GateFailed, validate_marts
        from blocktrust.settings import get_settings

        result = validate_marts(get_settings())
        print(result.summary())
        try:
            result.raise_if_failed()
        except GateFailed as err:
            raise AirflowFailException(str(err)) from err
        return {"passed": result.passed, "skipped": result.skipped}

    reconcile_marts_with_raw()
    if dbt_project_ready():
        dbt_full_history_test_task()


warehouse_audit()
