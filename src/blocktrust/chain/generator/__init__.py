"""Realistic synthetic Bitcoin chain: ``generate_chain(config)`` yields one UTC day at a time.

See engine.py for how validity holds by construction and how heights map to dates,
answer_key.py for what is counted, and tagpack.py for the GraphSense TagPack of named entities.
"""

from blocktrust.chain.generator.answer_key import AnswerKey, DonationTotals, EntityTotals, recount
from blocktrust.chain.generator.config import WIKILEAKS_ADDRESS, GeneratorConfig
from blocktrust.chain.generator.engine import ChainRun, DayBatch, generate_chain
from blocktrust.chain.generator.tagpack import (
    build_tagpack,
    write_answer_key,
    write_tagpack,
)
from blocktrust.chain.generator.throughput import measure_throughput

__all__ = [
    "WIKILEAKS_ADDRESS",
    "AnswerKey",
    "ChainRun",
    "DayBatch",
    "DonationTotals",
    "EntityTotals",
    "GeneratorConfig",
    "build_tagpack",
    "generate_chain",
    "measure_throughput",
    "recount",
    "write_answer_key",
    "write_tagpack",
]
