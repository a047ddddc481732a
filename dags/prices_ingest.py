"""
### prices_ingest

Reference data for the marts, reloaded daily:

- **load_prices** — replaces `raw.prices_btc_usd_daily` with `<lake>/prices/btc_usd_daily/*.csv`.
- **load_tags** — replaces `raw.address_tags` per GraphSense TagPack in `<lake>/tags/*.yaml`
  (tagpack = file stem).

Each task is one transaction: a failure leaves the previous data.
"""

from __future__ import annotations

from airflow.sdk import dag, task

from blocktrust.ingest.dag_wiring import DEFAULT_ARGS, start_date


@dag(
    dag_id="prices_ingest",
    schedule="@daily",
    start_date=start_date(),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["blocktrust", "prices", "tags", "ingest"],
    doc_md=__doc__,
)
def prices_ingest() -> None:
    @task
    def load_prices() -> int:
        """Replace the daily BTC/USD series."""
        from blocktrust.ingest.reference import load_prices as load
        from blocktrust.settings import get_settings

        return load(get_settings())

    @task
    def load_tags() -> dict[str, int]:
        """Replace the address tags, one TagPack at a time."""
        from blocktrust.ingest.reference import load_tags as load
        from blocktrust.settings import get_settings

        return load(get_settings())

    load_prices()
    load_tags()


prices_ingest()
