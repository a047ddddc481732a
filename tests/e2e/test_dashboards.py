"""Dashboards as code, checked the way a user sees them: a fresh Superset, the committed assets
imported, headless Chromium opening every dashboard with the demo donation address filtered.

Screenshots land in tests/e2e/artifacts/ (git-ignored).
"""

from __future__ import annotations

import difflib
import secrets
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import yaml
from psycopg import sql

from blocktrust.superset import assets

REPO = Path(__file__).resolve().parents[2]
ASSETS = REPO / "superset" / "assets"
SQL_DIR = Path(__file__).parent / "sql"


def _sql(name: str) -> sql.SQL:
    return sql.SQL((SQL_DIR / f"{name}.sql").read_text())  # type: ignore[arg-type]


def btc(sats: int) -> str:
    return format(Decimal(sats) / Decimal(100_000_000), ",.8f")


def usd(value: Decimal | None) -> str:
    return "$" + format(Decimal(value or 0).quantize(Decimal("0.01")), ",.2f")


# ---------------------------------------------------------------- the files themselves


def test_committed_assets_reference_each_other_by_uuid_and_hold_no_credentials() -> None:
    found = assets.read_assets(ASSETS)
    assets.check_references(found)
    kinds = {a.kind for a in found}
    assert kinds == set(assets.KINDS)
    databases = [a for a in found if a.kind == "databases"]
    assert [d.config["sqlalchemy_uri"] for d in databases] == [assets.URI_PLACEHOLDER]
    assert all(d.config["allow_dml"] is False for d in databases)
    for path in ASSETS.rglob("*.yaml"):
        text = path.read_text()
        assert "XXXXXXXXXX" not in text, path
        assert ":5433" not in text and ":5434" not in text, path
    titles = {a.config["dashboard_title"] for a in found if a.kind == "dashboards"}
    assert titles == {"Address investigator", "Money flows", "Network overview"}


def test_bundle_injects_the_analyst_uri_into_the_database_file_only() -> None:
    uri = "postgresql+psycopg2://blocktrust_analyst:s3cret@127.0.0.1:5434/bt"
    contents = assets.bundle_contents(assets.read_assets(ASSETS), uri)
    holding = [name for name, text in contents.items() if "s3cret" in text]
    assert holding == ["blocktrust_assets/databases/blocktrust_warehouse.yaml"]
    assert "type" not in yaml.safe_load(contents["blocktrust_assets/metadata.yaml"])


def test_chart_pointing_at_a_missing_dataset_is_refused_naming_the_file(tmp_path: Path) -> None:
    for path in ASSETS.rglob("*.yaml"):
        target = tmp_path / path.relative_to(ASSETS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text())
    ledger = tmp_path / "charts" / "ledger.yaml"
    config = yaml.safe_load(ledger.read_text())
    config["dataset_uuid"] = "00000000-0000-0000-0000-000000000000"
    ledger.write_text(yaml.safe_dump(config))
    with pytest.raises(assets.AssetError, match=r"charts/ledger.yaml: dataset_uuid"):
        assets.check_references(assets.read_assets(tmp_path))


def test_export_normalisation_renumbers_chart_ids_by_uuid_rank() -> None:
    dashboard = {
        "uuid": "d",
        "dashboard_title": "D",
        "position": {
            "CHART-a": {"type": "CHART", "meta": {"chartId": 907, "uuid": "u-2"}},
            "CHART-b": {"type": "CHART", "meta": {"chartId": 31, "uuid": "u-1"}},
        },
        "metadata": {
            "native_filter_configuration": [
                {"id": "F", "chartsInScope": [907, 31], "scope": {"excluded": [907]}}
            ],
            "color_scheme_domain": ["#1FA8C9", "#454E7C"],
        },
    }
    out = assets.normalise_dashboard(dashboard, {"u-1": 1, "u-2": 2})
    assert out["position"]["CHART-a"]["meta"]["chartId"] == 2
    assert out["position"]["CHART-b"]["meta"]["chartId"] == 1
    native = out["metadata"]["native_filter_configuration"][0]
    assert native["scope"]["excluded"] == [2] and "chartsInScope" not in native
    assert out["metadata"]["color_scheme_domain"] == []


# ---------------------------------------------------------------- the warehouse side


@pytest.mark.integration
@pytest.mark.slow
def test_analyst_role_cannot_write(demo_warehouse, pg_settings) -> None:
    address = demo_warehouse.donation["address"]
    for statement in ("write_insert", "write_update", "write_create", "write_delete_raw"):
        with psycopg.connect(pg_settings.dsn("analyst")) as conn:
            with pytest.raises(psycopg.Error) as err:
                conn.execute(_sql(statement), {"address": address})
            assert err.value.sqlstate in ("25006", "42501"), (statement, err.value)


@pytest.mark.integration
@pytest.mark.slow
def test_virtual_datasets_filtered_on_one_address_stay_fast(demo_warehouse, pg_settings) -> None:
    from conftest import TIMINGS

    address = demo_warehouse.donation["address"]
    for name in ("address_counterparties", "address_flows_two_hops"):
        dataset_sql = yaml.safe_load((ASSETS / "datasets" / f"{name}.yaml").read_text())["sql"]
        # the shape Superset sends: the dataset SQL as a subquery, the filter outside it
        query = sql.SQL("select * from ({}) as virtual_table where address = %(address)s").format(
            sql.SQL(dataset_sql)
        )
        with psycopg.connect(pg_settings.dsn("analyst")) as conn:
            clock = time.perf_counter()
            rows = conn.execute(query, {"address": address}).fetchall()
            elapsed = time.perf_counter() - clock
        TIMINGS[f"query_{name}"] = elapsed
        assert rows, name
        assert elapsed < 2.0, (name, elapsed)


# ---------------------------------------------------------------- in the browser


def _load(driver, server, slug: str, expected_charts: int):
    import browser
    from conftest import TIMINGS

    clock = time.perf_counter()
    browser.open_dashboard(driver, server.base_url, slug)
    states = browser.wait_for_charts(driver, expected_charts)
    TIMINGS[f"dashboard_{slug}"] = time.perf_counter() - clock
    return states


def _assert_all_charts_fine(states) -> None:
    errors = [(s.title, s.error) for s in states if s.error]
    assert not errors, errors
    empty = [s.title for s in states if s.title and not s.has_data]
    assert not empty, f"charts without data: {empty}"


@pytest.mark.e2e
@pytest.mark.integration
@pytest.mark.slow
def test_address_investigator_big_numbers_equal_the_answer_key(
    browser_driver, superset_server, demo_warehouse, pg_settings, artifacts_dir
) -> None:
    import browser
    from conftest import TIMINGS

    donation = demo_warehouse.donation
    other = donation["top_recipients"][0]["address"]
    _load(browser_driver, superset_server, "address-investigator", 15)
    # Go through the filter bar: another address first, then the donation address.
    browser.choose_filter_value(browser_driver, "NATIVE_FILTER-address", other)
    time.sleep(1)
    states = browser.wait_for_charts(browser_driver, 15)
    with psycopg.connect(pg_settings.dsn("analyst")) as conn:
        other_row = conn.execute(_sql("address_totals"), {"address": other}).fetchone()
    assert browser.big_number(states, "Received (BTC)") == btc(other_row[0])

    clock = time.perf_counter()
    browser.choose_filter_value(browser_driver, "NATIVE_FILTER-address", donation["address"])
    time.sleep(1)
    states = browser.wait_for_charts(browser_driver, 15)
    TIMINGS["investigator_filter_apply"] = time.perf_counter() - clock
    browser.screenshot(browser_driver, artifacts_dir / "address_investigator.png")

    _assert_all_charts_fine(states)
    assert browser.big_number(states, "Received (BTC)") == btc(donation["received_sats"])
    assert browser.big_number(states, "Sent (BTC)") == btc(donation["sent_sats"])
    assert browser.big_number(states, "Balance (BTC)") == btc(donation["balance_sats"])
    assert browser.big_number(states, "Transactions") == str(donation["tx_count"])
    with psycopg.connect(pg_settings.dsn("analyst")) as conn:
        row = conn.execute(_sql("address_totals"), {"address": donation["address"]}).fetchone()
    received_usd, sent_usd, balance_usd = row[4], row[5], row[6]
    assert browser.big_number(states, "Received (USD at the time)") == usd(received_usd)
    assert browser.big_number(states, "Sent (USD at the time)") == usd(sent_usd)
    assert browser.big_number(states, "Balance (USD marked to market)") == usd(balance_usd)
    by_title = {s.title: s.text for s in states}
    assert "donation" in by_title["Tags"]
    assert other in by_title["Top counterparties out (whom it paid)"]


@pytest.mark.e2e
@pytest.mark.integration
@pytest.mark.slow
def test_money_flows_show_the_donation_address_one_and_two_hops_out(
    browser_driver, superset_server, demo_warehouse, artifacts_dir
) -> None:
    import browser

    donation = demo_warehouse.donation
    _load(browser_driver, superset_server, "money-flows", 4)
    browser.choose_filter_value(browser_driver, "NATIVE_FILTER-from-address", donation["address"])
    time.sleep(1)
    states = browser.wait_for_charts(browser_driver, 4)
    browser.screenshot(browser_driver, artifacts_dir / "money_flows.png")
    _assert_all_charts_fine(states)
    hops = next(s.text for s in states if s.title == "Flows out, one and two hops")
    top = donation["top_recipients"][0]
    assert top["address"] in hops and btc(top["value_sats"]) in hops


@pytest.mark.e2e
@pytest.mark.integration
@pytest.mark.slow
def test_network_overview_every_chart_has_data(browser_driver, superset_server, artifacts_dir):
    import browser

    states = _load(browser_driver, superset_server, "network-overview", 6)
    browser.screenshot(browser_driver, artifacts_dir / "network_overview.png")
    _assert_all_charts_fine(states)
    assert len(states) == 6


@pytest.mark.e2e
@pytest.mark.integration
@pytest.mark.slow
def test_sql_lab_reads_marts_as_analyst_and_refuses_dml(superset_server, demo_warehouse) -> None:
    import requests

    base = superset_server.base_url
    session = requests.Session()
    token = session.post(
        f"{base}/api/v1/security/login",
        json={
            "username": superset_server.username,
            "password": superset_server.password,
            "provider": "db",
            "refresh": False,
        },
        timeout=30,
    ).json()["access_token"]
    session.headers.update({"Authorization": f"Bearer {token}", "Referer": base})
    csrf = session.get(f"{base}/api/v1/security/csrf_token/", timeout=30).json()["result"]
    session.headers["X-CSRFToken"] = csrf
    databases = session.get(f"{base}/api/v1/database/", timeout=30).json()["result"]
    database_id = next(d["id"] for d in databases if d["database_name"] == "Blocktrust warehouse")

    def run(statement: str) -> requests.Response:
        return session.post(
            f"{base}/api/v1/sqllab/execute/",
            json={
                "database_id": database_id,
                "sql": statement,
                "schema": "marts",
                "runAsync": False,
                "queryLimit": 100,
                "client_id": secrets.token_hex(5),
            },
            timeout=60,
        )

    address = demo_warehouse.donation["address"]
    read = run(
        f"select address, received_sats from marts.dim_addresses where address = '{address}'"
    )
    assert read.status_code == 200, read.text
    rows = read.json()["data"]
    expected = demo_warehouse.donation["received_sats"]
    assert rows == [{"address": address, "received_sats": expected}]

    write = run(f"delete from marts.dim_address_totals where address = '{address}'")
    assert write.status_code >= 400, write.text
    assert "DML" in write.text or "SELECT" in write.text, write.text


@pytest.mark.e2e
@pytest.mark.integration
@pytest.mark.slow
def test_export_after_import_reproduces_the_committed_files(superset_server, tmp_path) -> None:
    from blocktrust.superset.config import SupersetPaths

    target = tmp_path / "assets"
    written = assets.export_assets(
        superset_server.settings, SupersetPaths(superset_server.home), target
    )
    committed = sorted(str(p.relative_to(ASSETS)) for p in ASSETS.rglob("*.yaml"))
    assert written == committed
    diffs = [
        "".join(
            difflib.unified_diff(
                (ASSETS / rel).read_text().splitlines(keepends=True),
                (target / rel).read_text().splitlines(keepends=True),
                f"committed/{rel}",
                f"exported/{rel}",
            )
        )
        for rel in written
        if (target / rel).read_text() != (ASSETS / rel).read_text()
    ]
    assert not diffs, "export differs from the committed files:\n" + "\n".join(diffs)[:4000]
