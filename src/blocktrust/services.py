"""Start, inspect and stop the long-running processes the CLI starts, by PID file only.

Each service has one JSON PID file ``<run_dir>/<name>.pid``. A process started here runs in its
own session (so its process group id equals its pid) and is stopped by signalling that group:
Airflow standalone, for one, orphans its components when only the parent gets SIGTERM. Processes
started elsewhere (the PostgreSQL postmaster, forked by ``pg_ctl``) are registered with the signal
that shuts them down cleanly.

A PID file also records the kernel start time of the process, so a recycled PID is never
mistaken for the service. Nothing here ever looks processes up by name.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_STOP_TIMEOUT_S = 30.0


class ServiceError(RuntimeError):
    """A service could not be started or stopped."""


@dataclass(frozen=True)
class ServiceRecord:
    name: str
    pid: int
    start_ticks: int
    group: bool
    stop_signal: int = int(signal.SIGTERM)
    stop_order: int = 0
    argv: tuple[str, ...] = ()
    log: str = ""


@dataclass(frozen=True)
class StopOutcome:
    name: str
    pid: int
    outcome: str  # "stopped" | "killed" | "stale" (process already gone) | "failed"


def pid_file(run_dir: Path, name: str) -> Path:
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"bad service name {name!r}")
    return run_dir / f"{name}.pid"


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, start time in clock ticks since boot) of a live process, None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # "pid (comm) state ..." and comm may contain spaces or parentheses: split after the last ')'.
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[19])


def start_ticks(pid: int) -> int | None:
    stat = _proc_stat(pid)
    return None if stat is None else stat[1]


def is_running(record: ServiceRecord) -> bool:
    stat = _proc_stat(record.pid)
    return stat is not None and stat[0] not in ("Z", "X") and stat[1] == record.start_ticks


def write_record(run_dir: Path, record: ServiceRecord) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    path = pid_file(run_dir, record.name)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(asdict(record), indent=2))
    tmp.replace(path)
    return path


def read_record(run_dir: Path, name: str) -> ServiceRecord | None:
    path = pid_file(run_dir, name)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except json.JSONDecodeError as exc:
        raise ServiceError(f"{path}: not a service PID file ({exc})") from None
    data["argv"] = tuple(data.get("argv", ()))
    return ServiceRecord(**data)


def list_records(run_dir: Path) -> list[ServiceRecord]:
    if not run_dir.is_dir():
        return []
    records = (read_record(run_dir, p.stem) for p in sorted(run_dir.glob("*.pid")))
    return [r for r in records if r is not None]


def register(
    run_dir: Path,
    name: str,
    pid: int,
    *,
    group: bool,
    stop_signal: int = int(signal.SIGTERM),
    stop_order: int = 0,
    argv: Sequence[str] = (),
    log: str = "",
) -> ServiceRecord:
    """Record a process started by someone else (e.g. the postmaster forked by pg_ctl)."""
    ticks = start_ticks(pid)
    if ticks is None:
        raise ServiceError(f"cannot register {name}: process {pid} is not running")
    record = ServiceRecord(name, pid, ticks, group, int(stop_signal), stop_order, tuple(argv), log)
    write_record(run_dir, record)
    return record


def start(
    run_dir: Path,
    name: str,
    argv: Sequence[str],
    *,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stop_signal: int = int(signal.SIGTERM),
    stop_order: int = 0,
) -> ServiceRecord:
    """Start ``argv`` in a new session (own process group), output to ``log_path``."""
    existing = read_record(run_dir, name)
    if existing is not None and is_running(existing):
        raise ServiceError(f"{name} is already running (pid {existing.pid}); stop it first")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=dict(env) if env is not None else None,
            cwd=cwd,
        )
    ticks = start_ticks(proc.pid)
    if ticks is None:  # died at once: reap it and say why
        proc.wait()
        raise ServiceError(f"{name} exited at once with code {proc.returncode}; see {log_path}")
    record = ServiceRecord(
        name, proc.pid, ticks, True, int(stop_signal), stop_order, tuple(argv), str(log_path)
    )
    write_record(run_dir, record)
    return record


def _signal(record: ServiceRecord, sig: int) -> None:
    try:
        if record.group:
            os.killpg(record.pid, sig)
        else:
            os.kill(record.pid, sig)
    except ProcessLookupError:
        pass


def _reap(pid: int) -> None:
    """Collect our own exited child so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_gone(record: ServiceRecord, timeout: float) -> bool:
    """Wait for the process and, for a group, every member (Airflow's components outlive it)."""
    deadline = time.monotonic() + timeout
    while True:
        _reap(record.pid)
        if not is_running(record) and not (record.group and _group_alive(record.pid)):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def stop_record(
    run_dir: Path, record: ServiceRecord, timeout: float = DEFAULT_STOP_TIMEOUT_S
) -> StopOutcome:
    """Signal the service (its group if it has one), wait, then SIGKILL; remove its PID file."""
    path = pid_file(run_dir, record.name)
    if not is_running(record) and not (record.group and _group_alive(record.pid)):
        path.unlink(missing_ok=True)
        return StopOutcome(record.name, record.pid, "stale")
    _signal(record, record.stop_signal)
    outcome = "stopped"
    if not _wait_gone(record, timeout):
        _signal(record, signal.SIGKILL)
        outcome = "killed"
        if not _wait_gone(record, 10.0):
            return StopOutcome(record.name, record.pid, "failed")
    path.unlink(missing_ok=True)
    return StopOutcome(record.name, record.pid, outcome)


def stop(run_dir: Path, name: str, timeout: float = DEFAULT_STOP_TIMEOUT_S) -> StopOutcome | None:
    record = read_record(run_dir, name)
    return None if record is None else stop_record(run_dir, record, timeout)


def stop_all(run_dir: Path, timeout: float = DEFAULT_STOP_TIMEOUT_S) -> list[StopOutcome]:
    """Stop every registered service; higher ``stop_order`` last (the database after its users)."""
    records = sorted(list_records(run_dir), key=lambda r: (r.stop_order, r.name))
    return [stop_record(run_dir, r, timeout) for r in records]
