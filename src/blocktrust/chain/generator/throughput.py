"""How fast the generator alone runs: consume ``generate_chain`` and time it (no writing)."""

from __future__ import annotations

import time
from typing import Any

from blocktrust.chain.generator.config import GeneratorConfig
from blocktrust.chain.generator.engine import generate_chain


def measure_throughput(n: int = 100_000, seed: int = 1, **config: Any) -> dict[str, float]:
    """Generate n transactions and return tx/s by process CPU time and by wall time.

    CPU time (user + sys of this process) is the number to compare on a shared machine: wall
    time also counts time spent waiting for a core. Extra keyword arguments go to
    GeneratorConfig (start, end, start_height, ...).
    """
    cfg = GeneratorConfig(seed=seed, n_transactions=n, **config)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    run = generate_chain(cfg)
    txs = sum(len(batch.transactions) for batch in run)
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    return {
        "transactions": float(txs),
        "cpu_s": cpu,
        "wall_s": wall,
        "tx_per_s_cpu": txs / cpu if cpu > 0 else float("inf"),
        "tx_per_s_wall": txs / wall if wall > 0 else float("inf"),
    }
