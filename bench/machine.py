"""The machine a run measured: CPU, memory, load, PostgreSQL version and settings profile."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from bench.sqlfiles import bench_query


def cpu_model(cpuinfo: str) -> str:
    for line in cpuinfo.splitlines():
        if line.lower().startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def mem_total_gib(meminfo: str) -> float | None:
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / (1 << 20), 1)
    return None


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def git_commit(repo: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    commit = done.stdout.strip() or None
    return f"{commit}+dirty" if commit and dirty.stdout.strip() else commit


def describe(settings: Any) -> dict[str, Any]:
    """Host facts plus the server's version/settings and the cluster's profile."""
    from psycopg.rows import dict_row

    from blocktrust.db import connect
    from blocktrust.db.cluster import profile_path

    with connect(settings, "owner") as conn, conn.cursor(row_factory=dict_row) as cur:
        server = cur.execute(bench_query("server_facts")).fetchone() or {}
    try:
        profile = profile_path(settings).read_text().strip()
    except OSError:
        profile = "unknown"
    return {
        "nproc": os.cpu_count(),
        "mem_total_gib": mem_total_gib(_read("/proc/meminfo")),
        "cpu_model": cpu_model(_read("/proc/cpuinfo")),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": server.pop("version", "unknown"),
        "settings_profile": profile,
        "postgresql_settings": server,
        "git_commit": git_commit(settings.repo_root),
    }
