"""`blocktrust generate`: a realistic synthetic chain, its answer key and tagpack, into the lake."""

from __future__ import annotations

import time

import click


@click.command()
@click.option(
    "--txs",
    "txs",
    type=int,
    default=100_000,
    show_default=True,
    help="Transactions to generate, coinbases included.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--lake",
    "lake",
    default=None,
    help="Lake root URL (file:///path or s3://conn@bucket/prefix). Default: BLOCKTRUST_LAKE_URL.",
)
@click.option(
    "--from",
    "date_from",
    default="2010-07-17",
    show_default=True,
    help="First UTC day of the chain.",
)
@click.option(
    "--to", "date_to", default="2024-11-03", show_default=True, help="Last UTC day of the chain."
)
@click.option(
    "--formats",
    default="bitcoin-etl,aws-parquet",
    show_default=True,
    help="Comma-separated lake formats: bitcoin-etl, bigquery, aws-parquet.",
)
@click.option(
    "--start-height", type=int, default=68_000, show_default=True, help="Height of the first block."
)
@click.option("--progress/--no-progress", default=True, show_default=True)
def generate(
    txs: int,
    seed: int,
    lake: str | None,
    date_from: str,
    date_to: str,
    formats: str,
    start_height: int,
    progress: bool,
) -> None:
    """Generate a chain day by day into the lake, then write answer_key.json and the tagpack."""
    from tqdm import tqdm

    from blocktrust.chain.formats import write_day
    from blocktrust.chain.generator import (
        GeneratorConfig,
        generate_chain,
        write_answer_key,
        write_tagpack,
    )
    from blocktrust.lake import lake_root
    from blocktrust.settings import get_settings

    try:
        config = GeneratorConfig(
            seed=seed,
            n_transactions=txs,
            start=date_from,
            end=date_to,
            start_height=start_height,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    format_list = tuple(f.strip() for f in formats.split(",") if f.strip())
    url = lake or get_settings().lake_url
    root = lake_root(url)
    began = time.perf_counter()
    days = 0
    with tqdm(total=txs, unit="tx", disable=not progress, smoothing=0.1) as bar:
        run = generate_chain(config, progress=bar.update)
        for batch in run:
            try:
                write_day(root, batch.day, batch.blocks, batch.transactions, format_list)
            except ValueError as exc:
                raise click.UsageError(str(exc)) from None
            days += 1
    key = run.answer_key
    key_path = write_answer_key(root, key)
    tags_path = write_tagpack(root, key)
    elapsed = time.perf_counter() - began
    donation = key.donation
    click.echo(
        f"generated {key.n_transactions:,} transactions in {key.n_blocks:,} blocks "
        f"(heights {key.height_range[0]}-{key.height_range[1]}) over {days:,} days "
        f"in {elapsed:.1f}s ({key.n_transactions / elapsed:,.0f} tx/s)"
    )
    click.echo(f"lake: {url}  formats: {', '.join(format_list)}")
    click.echo(
        f"hub {key.hub_address}: {key.hub_tx_count:,} transactions "
        f"({key.hub_tx_count / key.n_transactions:.1%})"
    )
    click.echo(
        f"donation {donation.address}: received {donation.received_sats:,} sats in "
        f"{donation.donation_count:,} donations, balance {donation.balance_sats:,} sats"
    )
    click.echo(f"answer key: {key_path}")
    click.echo(f"tagpack:    {tags_path}")
