"""`blocktrust address ADDR`: what an address received, sent and holds, in BTC and USD."""

from __future__ import annotations

import click

from blocktrust.settings import get_settings


def _when(value: object) -> str:
    return "-" if value is None else str(value)[:19]


@click.command()
@click.argument("addr", metavar="ADDRESS")
@click.option("--top", default=10, show_default=True, help="Counterparties listed each way.")
def address(addr: str, top: int) -> None:
    """Summarise ADDRESS from the marts: totals in BTC and USD (at the time of each transfer and
    marked to the latest close), transaction counts, first/last seen, tags, and the top
    recipients (flows out) and senders (flows in) by proportional split."""
    from blocktrust.warehouse.address import AddressNotFoundError, address_summary, btc, usd

    try:
        s = address_summary(get_settings(), addr, top_n=top)
    except AddressNotFoundError as err:
        raise click.ClickException(str(err)) from None
    echo = click.echo
    echo(f"Address   {s.address}")
    echo(f"Tags      {', '.join(s.tags) if s.tags else '-'}")
    echo(f"Received  {btc(s.received_sats)} BTC   {usd(s.received_usd)} at the time")
    echo(f"Sent      {btc(s.sent_sats)} BTC   {usd(s.sent_usd)} at the time")
    echo(
        f"Balance   {btc(s.balance_sats)} BTC   {usd(s.balance_usd)} at the latest close"
        f" ({usd(s.latest_price_usd)} on {s.latest_price_date or '-'});"
        f" cost basis {usd(s.cost_basis_usd)}"
    )
    echo(
        f"Txs       {s.tx_count:,} ({s.received_tx_count:,} receiving,"
        f" {s.sent_tx_count:,} spending)"
    )
    echo(
        f"First     seen {_when(s.first_seen_at)}  received {_when(s.first_received_at)}"
        f"  spent {_when(s.first_sent_at)}"
    )
    echo(
        f"Last      seen {_when(s.last_seen_at)}  received {_when(s.last_received_at)}"
        f"  spent {_when(s.last_sent_at)}"
    )
    for title, rows in (
        (f"Top {top} recipients (flows out)", s.top_recipients),
        (f"Top {top} senders (flows in)", s.top_senders),
    ):
        echo("")
        echo(title)
        if not rows:
            echo("  (none)")
        for n, c in enumerate(rows, start=1):
            tags = f"  [{', '.join(c.tags)}]" if c.tags else ""
            echo(
                f"  {n:>2}. {c.address:<64} {btc(c.value_sats):>20} BTC"
                f" {usd(c.value_usd):>18}  {c.transaction_count:>5} tx{tags}"
            )
