"""The Great Expectations quality gate: suites as code, checkpoints, quarantine, summaries.

GX guards incoming data (raw day partitions, prices) and reconciles the marts with raw; dbt
tests guard model logic. See docs/quality.md for which check lives where.

Modules: ``sql`` (packaged SQL), ``checks`` (what is checked, pure data), ``addresses`` (the
address check, pure Python), ``project`` (the GX file context and writing the suites),
``gate`` (running checkpoints, ``GateResult``, ``GateFailed``), ``quarantine``.
"""
