"""`blocktrust bench`: measure the whole spine at one scale, write results and the docs table.

The harness lives in the checkout's bench/ folder (not installed with the package): this
command puts the checkout on sys.path and runs ``bench.run.run_bench``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


def _import_harness(repo_root: Path) -> None:
    if not (repo_root / "bench" / "run.py").exists():
        raise click.ClickException(f"no benchmark harness in {repo_root / 'bench'} (a checkout?)")
    if str(repo_root) not in sys.path:
        sys.path.insert(0, str(repo_root))


@click.command()
@click.option(
    "--txs",
    "n_transactions",
    type=click.IntRange(min=10),
    default=100_000,
    show_default=True,
    help=(
        "Scale: 100000, 1000000, 3000000 (the largest this machine's disk holds) or 10000000"
        " transactions (other values for trials)."
    ),
)
@click.option("--seed", type=int, default=1, show_default=True, help="Generator seed.")
@click.option(
    "--skip-generate",
    is_flag=True,
    help="Reuse the bench lake of this scale (<data_dir>/bench/lake-<scale>).",
)
@click.option("--from", "start", default="2010-07-17", show_default=True, help="First chain day.")
@click.option("--to", "end", default="2024-11-03", show_default=True, help="Last chain day.")
@click.option(
    "--addresses",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Sampled addresses per canonical query.",
)
@click.option("--clients", type=click.IntRange(min=1), default=8, show_default=True)
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Timed reruns of the last daily run at 1x and 10x (the median is quoted).",
)
@click.option(
    "--daily-runs",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Days loaded and run one by one at 1x and at 10x history (the median is quoted).",
)
@click.option(
    "--load-pairs",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Bare COPY / loader pairs for the load ratio (the median of the pairs' ratios).",
)
@click.option(
    "--results-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the JSON and EXPLAIN files go (default <repo>/bench/results).",
)
@click.option(
    "--docs",
    "doc",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Markdown file whose generated section is rewritten (default docs/benchmarks.md).",
)
@click.option(
    "--queries-only",
    is_flag=True,
    help=(
        "Re-measure only the canonical queries on the database the last full run of this scale"
        " left (a tuning change, before/after): writes <date>-<scale>-queries.json; the docs"
        " table keeps the full runs."
    ),
)
@click.option("--progress/--no-progress", default=True, show_default=True)
def bench(
    n_transactions: int,
    seed: int,
    skip_generate: bool,
    start: str,
    end: str,
    addresses: int,
    clients: int,
    repeats: int,
    daily_runs: int,
    load_pairs: int,
    results_dir: Path | None,
    doc: Path | None,
    queries_only: bool,
    progress: bool,
) -> None:
    """Generate, read, load (vs a bare COPY), transform (full build; daily incremental runs at
    1x and at 10x the history in transactions) and query (p50/p95/p99, 1 and N clients, EXPLAIN)
    in one run, into a dedicated database bt_bench_<scale> on the dev cluster. Writes
    bench/results/<date>-<scale>.json and regenerates the table in docs/benchmarks.md."""
    from blocktrust.settings import get_settings

    settings = get_settings()
    _import_harness(settings.repo_root)
    from bench.config import BenchConfig
    from bench.report import update_docs, write_results
    from bench.run import result_stem, run_bench, run_queries_only

    config = BenchConfig(
        n_transactions=n_transactions,
        seed=seed,
        start=start,
        end=end,
        skip_generate=skip_generate,
        query_addresses=addresses,
        concurrent_clients=clients,
        incremental_repeats=repeats,
        daily_runs=daily_runs,
        load_pairs=load_pairs,
        progress=progress,
    )
    out_dir = results_dir or settings.repo_root / "bench" / "results"

    def say(message: str) -> None:
        click.secho(f"==> {message}", fg="cyan")

    if queries_only:
        try:
            results = run_queries_only(settings, config, out_dir, say=say)
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from exc
        path = write_results(results, out_dir / f"{result_stem(config)}-queries.json")
        click.echo(f"results: {path}")
    else:
        results = run_bench(settings, config, out_dir, say=say)
        path = write_results(results, out_dir / f"{result_stem(config)}.json")
        docs = update_docs(doc or settings.repo_root / "docs" / "benchmarks.md", out_dir)
        click.echo(f"results: {path}")
        click.echo(f"docs:    {docs}")
    for name, target in results["targets"].items():
        state = {True: "met", False: "MISSED", None: "n/a"}[target["met"]]
        click.echo(f"  {name:<40} {target['value']!s:>10}  {target['target']:<8} {state}")
