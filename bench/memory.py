"""Peak memory of a step: the step's own process (maxrss) and the PostgreSQL backends serving it.

Each step runs in a freshly spawned process, so ``getrusage(RUSAGE_SELF).ru_maxrss`` read at its
end is that step's peak alone (RUSAGE_CHILDREN covers anything it spawned). PostgreSQL backends
are separate processes: a sampler thread in the parent reads /proc every 200 ms for backends
whose process title names the step's database (and the parallel workers of those backends) and
keeps the largest private resident set (RssAnon; shared buffers are shared, not per-step cost).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SAMPLE_EVERY_S = 0.2


def own_peak_kib() -> dict[str, int]:
    """maxrss (KiB on Linux) of this process and of its waited-for children."""
    return {
        "self_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "children_maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }


def _field_kib(status: str, name: str) -> int:
    for line in status.splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def backend_rss_anon_kib(database: str) -> dict[int, int]:
    """pid -> RssAnon of PostgreSQL backends working in ``database`` (and their workers)."""
    marker = f" {database} "
    ours: dict[int, int] = {}
    workers: dict[int, tuple[int, int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres: "):
                continue
            status = (proc / "status").read_text()
        except OSError:
            continue
        pid = int(proc.name)
        rss = _field_kib(status, "RssAnon")
        if marker in title + " ":
            ours[pid] = rss
        elif "parallel worker for PID" in title:
            leader = int(title.rsplit("PID", 1)[1].split()[0])
            workers[pid] = (leader, rss)
    for pid, (leader, rss) in workers.items():
        if leader in ours:
            ours[pid] = rss
    return ours


class BackendSampler:
    """Context manager: peak per-backend and peak summed RssAnon of a database's backends."""

    def __init__(self, database: str, every_s: float = SAMPLE_EVERY_S) -> None:
        self.database = database
        self.every_s = every_s
        self.peak_backend_kib = 0
        self.peak_total_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            sample = backend_rss_anon_kib(self.database)
            if sample:
                self.peak_backend_kib = max(self.peak_backend_kib, max(sample.values()))
                self.peak_total_kib = max(self.peak_total_kib, sum(sample.values()))
            self._stop.wait(self.every_s)

    def __enter__(self) -> BackendSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def result(self) -> dict[str, int]:
        return {
            "pg_backend_peak_rss_anon_kib": self.peak_backend_kib,
            "pg_backends_peak_total_rss_anon_kib": self.peak_total_kib,
        }


def _call_and_measure(func: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, dict]:
    result = func(*args)
    return result, own_peak_kib()


def run_step(
    name: str, database: str, func: Callable[..., Any], *args: Any
) -> tuple[Any, dict[str, Any]]:
    """Run ``func(*args)`` in a fresh spawned process; return its result and memory figures.

    ``func`` must be importable (a module-level function) and its arguments picklable.
    """
    context = multiprocessing.get_context("spawn")
    began = time.perf_counter()
    with (
        BackendSampler(database) as sampler,
        concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool,
    ):
        result, peaks = pool.submit(_call_and_measure, func, args).result()
    memory = {"step": name, **peaks, **sampler.result()}
    memory["wall_s_incl_spawn"] = round(time.perf_counter() - began, 2)
    return result, memory
