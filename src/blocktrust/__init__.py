"""Blocktrust: follow the money on Bitcoin."""

__version__ = "0.1.0"
