"""Blocktrust benchmark harness: ``blocktrust bench --txs N`` measures the whole spine in one run.

Steps (each in its own spawned process, so each step's peak memory is its own):
generate -> read per format -> bare COPY baseline -> load -> transform (full, incremental at 1x
and 10x history) -> canonical queries (1 and 8 clients) -> EXPLAIN -> sizes. ``run.run_bench``
returns one JSON-able dict; ``report`` writes it to bench/results/ and regenerates the table in
docs/benchmarks.md.
"""
