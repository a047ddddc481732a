"""Session fixtures for the browser tests: a warehouse built from a generated chain, a fresh
Superset (from .venv-superset) on a free loopback port with the committed assets imported, and
headless Chromium.

Superset's first initialisation (migrations, roles) takes one to three minutes; the initialised
metadata DB is cached under <test data dir>/superset-e2e-template and copied for each session,
so every session still imports into a Superset that has never seen the assets.
"""

from __future__ import annotations

import fcntl
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from blocktrust.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))

from demo_warehouse import DemoWarehouse, build_demo_warehouse  # noqa: E402

ARTIFACTS = Path(__file__).parent / "artifacts"
TIMINGS: dict[str, float] = {}


@dataclass(frozen=True)
class SupersetServer:
    base_url: str
    username: str
    password: str
    settings: Settings
    home: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def demo_warehouse(
    pg_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> DemoWarehouse:
    warehouse = build_demo_warehouse(pg_settings, tmp_path_factory.mktemp("lake"))
    TIMINGS.update({f"warehouse_{k}": v for k, v in warehouse.timings_s.items()})
    return warehouse


def _template_home(settings: Settings) -> Path:
    """An initialised, empty Superset home, built once per test data dir and reused."""
    from blocktrust.superset import runtime
    from blocktrust.superset.config import SupersetPaths

    paths = SupersetPaths(settings.data_dir / "superset-e2e-template")
    paths.home.mkdir(parents=True, exist_ok=True)
    clock = time.perf_counter()
    # Several pytest sessions may start at once: one initialises, the others wait for it.
    with (settings.data_dir / "superset-e2e-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if runtime.initialise(settings, paths):
            TIMINGS["superset_initialise"] = time.perf_counter() - clock
    return paths.home


@pytest.fixture(scope="session")
def superset_server(
    pg_settings: Settings, demo_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SupersetServer]:
    from blocktrust import services
    from blocktrust.superset import assets, runtime
    from blocktrust.superset.config import ADMIN_USER, SupersetPaths, admin_password

    template = _template_home(pg_settings)
    home = tmp_path_factory.mktemp("superset") / "home"
    shutil.copytree(template, home, ignore=shutil.ignore_patterns("*.log", "__pycache__"))
    paths = SupersetPaths(home)

    clock = time.perf_counter()
    assets.import_assets(pg_settings, paths)
    TIMINGS["superset_import"] = time.perf_counter() - clock

    port = _free_port()
    name = f"superset-e2e-{port}"
    clock = time.perf_counter()
    record = runtime.start(pg_settings, paths, port, service_name=name)
    TIMINGS["superset_start"] = time.perf_counter() - clock
    try:
        yield SupersetServer(
            f"http://127.0.0.1:{port}", ADMIN_USER, admin_password(paths), pg_settings, home
        )
    finally:
        services.stop_record(pg_settings.run_dir, record, timeout=20)
        log = paths.log
        if log.exists():
            shutil.copy(log, ARTIFACTS / "superset.log")


@pytest.fixture(scope="session")
def browser_driver(superset_server: SupersetServer) -> Iterator:
    import browser

    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    driver = browser.make_driver(profile)
    try:
        clock = time.perf_counter()
        browser.login(
            driver, superset_server.base_url, superset_server.username, superset_server.password
        )
        TIMINGS["browser_login"] = time.perf_counter() - clock
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    if TIMINGS:
        terminalreporter.section("e2e timings (s)")
        for key, value in TIMINGS.items():
            terminalreporter.write_line(f"{key:<40} {value:9.3f}")
