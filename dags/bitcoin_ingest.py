"""
### bitcoin_ingest

Loads one UTC day of Bitcoin blocks and transactions from the lake into PostgreSQL and rebuilds
the marts for it. The day is the run's **data interval** (`data_interval_start`), never `now()`.

1. **wait_for_partition** — sensor (reschedule mode) until
   `<lake>/bitcoin/{blocks,transactions}/date=D/` hold files of the configured format. Past
   6 hours after the interval's end it fails with *partition missing* instead of waiting.
2. **load_day** — one transaction: delete the day from `raw.blocks/transactions/inputs/outputs`,
   COPY the files, write `raw.load_audit`. Reruns replace the day. Bad files are copied to
   `<lake>/quarantine/date=D/` with a reason file; the error names file and line.
3. **quality_gate** — the Great Expectations suites of the raw day (chain continuity, counts,
   money identities, double spends, address checksums, block times; docs/quality.md). A failing
   day is quarantined (staging skips it) and the run stops at once (no retries: bad data is not
   transient) with a summary and a Data Docs link; a later passing run releases it.
4. **transform** — the dbt models and their tests via Cosmos, in-process, with
   `window_start = ds`: one `dbt build` task (default) or one task per model
   (`BLOCKTRUST_DBT_TASKS=models`). Each transform task depends on the same task of the
   previous day's run, so days transform in order even when several days load at once.
5. **publish_marts** — emits the `blocktrust_marts` Asset for downstream DAGs.

Settings: `BLOCKTRUST_*` environment (see `blocktrust settings`); connections from
`AIRFLOW_CONN_*` built by `Settings.airflow_conn_env()`. Backfill: set
`BLOCKTRUST_INGEST_CATCHUP=true` (and `BLOCKTRUST_INGEST_START_DATE`), or `airflow backfill`.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import CronDataIntervalTimetable, PokeReturnValue, dag, task

from blocktrust.ingest.dag_wiring import (
    DEFAULT_ARGS,
    MARTS_ASSET,
    catchup,
    dbt_project_ready,
    dbt_transform,
    end_date,
    max_active_runs,
    start_date,
)

PARTITION_GRACE = timedelta(hours=6)  # after the interval's end, a missing partition fails
POKE_INTERVAL = timedelta(minutes=5)


@dag(
    dag_id="bitcoin_ingest",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=start_date(),
    end_date=end_date(),
    catchup=catchup(),
    max_active_runs=max_active_runs(),
    default_args=DEFAULT_ARGS,
    tags=["blocktrust", "bitcoin", "ingest"],
    doc_md=__doc__,
)
def bitcoin_ingest() -> None:
    @task.sensor(
        mode="reschedule",
        poke_interval=POKE_INTERVAL,
        timeout=PARTITION_GRACE + timedelta(days=1),
    )
    def wait_for_partition(data_interval_start=None, data_interval_end=None) -> PokeReturnValue:
        """Poke the lake for the day's partition (blocks and transactions)."""
        import pendulum
        from airflow.sdk.exceptions import AirflowFailException

        from blocktrust.ingest.errors import MissingPartitionError
        from blocktrust.ingest.partitions import poke_partition
        from blocktrust.settings import get_settings

        day = data_interval_start.date()
        try:
            ready = poke_partition(
                get_settings(), day, pendulum.now("UTC"), data_interval_end + PARTITION_GRACE
            )
        except MissingPartitionError as err:
            raise AirflowFailException(str(err)) from err
        return PokeReturnValue(is_done=ready, xcom_value=day.isoformat())

    @task
    def load_day(day: str) -> dict:
        """Replace the day in the raw tables (one transaction)."""
        from datetime import date

        from blocktrust.ingest.loader import load_day as load
        from blocktrust.settings import get_settings

        result = load(get_settings(), date.fromisoformat(day))
        print(result.summary())
        return {"day": day, "row_counts": result.row_counts, "duration_s": result.duration_s}

    @task
    def quality_gate(loaded: dict) -> str:
        """GX suites on the loaded day; on failure the day is quarantined and the run stops."""
        from datetime import date

        from airflow.sdk.exceptions import AirflowFailException

        from blocktrust.gx.gate import GateFailed, validate_day
        from blocktrust.settings import get_settings

        result = validate_day(get_settings(), date.fromisoformat(loaded["day"]))
        print(result.summary())
        try:
            result.raise_if_failed()
        except GateFailed as err:
            # Bad data is not transient: fail now, no retries (errors reaching the database
            # still retry). Fix or reload the day, then clear this task.
            raise AirflowFailException(str(err)) from err
        return loaded["day"]

    @task(outlets=[MARTS_ASSET])
    def publish_marts(day: str) -> str:
        """Announce the rebuilt marts to Asset-scheduled DAGs."""
        return day

    gate = quality_gate(load_day(wait_for_partition()))
    published = publish_marts(gate)
    if dbt_project_ready():
        gate >> dbt_transform() >> published


bitcoin_ingest()
