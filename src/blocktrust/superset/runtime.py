"""Run Superset from its own virtualenv: initialise the metadata DB, start and stop the server.

Superset 6.1 needs SQLAlchemy 1.4 and cannot share the platform env, so every Superset command
is a subprocess of ``.venv-superset/bin`` with SUPERSET_CONFIG_PATH pointing at the config
rendered under the data dir. The web server is gunicorn, started through blocktrust.services
(PID file, own process group).
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from blocktrust import services
from blocktrust.settings import Settings
from blocktrust.superset.config import (
    ADMIN_USER,
    SUPERSET_SERVICE,
    SupersetPaths,
    admin_password,
    superset_venv_bin,
    write_config,
)

INIT_TIMEOUT_S = 900
READY_TIMEOUT_S = 180
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 4


class SupersetError(RuntimeError):
    """A Superset command failed; the message carries the tail of its output."""


@dataclass(frozen=True)
class Login:
    url: str
    username: str
    password: str


def superset_env(settings: Settings, paths: SupersetPaths) -> dict[str, str]:
    bin_dir = superset_venv_bin(settings)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIRTUAL_ENV", "PYTHON", "SUPERSET_", "FLASK_"))
    }
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        SUPERSET_CONFIG_PATH=str(paths.config),
        FLASK_APP="superset.app:create_app()",
        # pandas and numpy: one thread each; the box has 2 cores shared by everything.
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
    )
    return env


def superset_bin(settings: Settings) -> Path:
    binary = superset_venv_bin(settings) / "superset"
    if not binary.exists():
        raise SupersetError(
            f"{binary} not found: create the Superset venv "
            "(uv venv .venv-superset && uv pip install -r requirements/superset.lock)"
        )
    return binary


def run_superset(
    settings: Settings, paths: SupersetPaths, args: Sequence[str], timeout: float = INIT_TIMEOUT_S
) -> str:
    """Run ``superset <args>``; returns its output, raises SupersetError with the tail on failure.

    Superset's import/export commands log an exception and still exit 0 on some errors, so a
    traceback in the output counts as a failure too.
    """
    return _run(settings, paths, [str(superset_bin(settings)), *args], timeout)


def run_superset_python(
    settings: Settings,
    paths: SupersetPaths,
    script: Path,
    args: Sequence[str],
    timeout: float = INIT_TIMEOUT_S,
) -> str:
    """Run a script with the Superset venv's Python (app code that needs Superset's imports)."""
    superset_bin(settings)
    python = superset_venv_bin(settings) / "python"
    return _run(settings, paths, [str(python), str(script), *args], timeout)


def _run(settings: Settings, paths: SupersetPaths, argv: list[str], timeout: float) -> str:
    write_config(settings, paths)
    proc = subprocess.run(
        argv,
        env=superset_env(settings, paths),
        cwd=paths.home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0 or "Traceback (most recent call last)" in output:
        tail = "\n".join(output.splitlines()[-40:])
        name = " ".join(Path(a).name for a in argv[:3])
        raise SupersetError(f"{name} failed (exit {proc.returncode}):\n{tail}")
    return output


def initialise(settings: Settings, paths: SupersetPaths) -> bool:
    """Migrate the metadata DB, create the admin user and the roles; once (returns True if run).

    Takes about a minute; a marker file records success so `up` is fast afterwards.
    """
    write_config(settings, paths)
    if paths.initialised_marker.exists() and paths.metadata_db.exists():
        return False
    run_superset(settings, paths, ["db", "upgrade"])
    users = run_superset(settings, paths, ["fab", "list-users"])
    if f"username:{ADMIN_USER}" not in users.replace(" ", ""):
        run_superset(
            settings,
            paths,
            [
                "fab",
                "create-admin",
                "--username",
                ADMIN_USER,
                "--firstname",
                "Blocktrust",
                "--lastname",
                "Admin",
                "--email",
                "admin@localhost",
                "--password",
                admin_password(paths),
            ],
        )
    run_superset(settings, paths, ["init"])
    paths.initialised_marker.write_text("ok\n")
    return True


def health_url(host: str, port: int) -> str:
    return f"http://{host}:{port}/health"


def wait_ready(url: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() >= deadline:
            tail = log.read_text()[-3000:] if log.exists() else "(no log)"
            raise SupersetError(f"Superset did not answer {url} within {timeout} s:\n{tail}")
        time.sleep(0.5)


def start(
    settings: Settings,
    paths: SupersetPaths,
    port: int,
    host: str = "127.0.0.1",
    service_name: str = SUPERSET_SERVICE,
) -> services.ServiceRecord:
    """Start gunicorn serving Superset on host:port and wait until /health answers."""
    write_config(settings, paths)
    gunicorn = superset_venv_bin(settings) / "gunicorn"
    argv = [
        str(gunicorn),
        "--workers",
        str(GUNICORN_WORKERS),
        "--worker-class",
        "gthread",
        "--threads",
        str(GUNICORN_THREADS),
        "--timeout",
        "180",
        "--bind",
        f"{host}:{port}",
        "--limit-request-line",
        "0",
        "--limit-request-field_size",
        "0",
        "superset.app:create_app()",
    ]
    record = services.start(
        settings.run_dir,
        service_name,
        argv,
        log_path=paths.log,
        env=superset_env(settings, paths),
        cwd=paths.home,
    )
    try:
        wait_ready(health_url(host, port), READY_TIMEOUT_S, paths.log)
    except SupersetError:
        services.stop_record(settings.run_dir, record, timeout=10)
        raise
    return record


def stop(settings: Settings, service_name: str = SUPERSET_SERVICE) -> services.StopOutcome | None:
    return services.stop(settings.run_dir, service_name)


def login(paths: SupersetPaths, host: str, port: int) -> Login:
    return Login(f"http://{host}:{port}/", ADMIN_USER, admin_password(paths))
