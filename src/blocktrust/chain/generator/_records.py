"""Fast construction of the canonical records for the generator's hot loop.

records.Input/Output/Transaction are frozen slotted dataclasses: their generated ``__init__``
sets every field through ``object.__setattr__`` (the frozen class forbids plain assignment),
which is most of the cost of making one. The generator makes about five records per
transaction, so it fills a mutable twin with the same ``__slots__`` (plain attribute stores)
and then retypes it: ``obj.__class__ = Input`` is allowed because the layouts are identical.
The result is an ordinary, frozen ``Input``: equal to, and hashed like, ``Input(...)``.

This bypasses ``__init__``, so it is only valid while the records have no ``__post_init__``;
``_twin`` refuses to build otherwise.
"""

from __future__ import annotations

from dataclasses import fields

from blocktrust.chain.records import Input, Output, Transaction


def _twin(cls: type) -> type:
    names = tuple(f.name for f in fields(cls))
    if getattr(cls, "__slots__", None) != names or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} changed shape: update generator/_records.py")
    twin = type(f"_{cls.__name__}Builder", (), {"__slots__": names})
    probe = object.__new__(twin)
    probe.__class__ = cls  # raises TypeError if the layouts ever differ
    return twin


InputBuilder = _twin(Input)
OutputBuilder = _twin(Output)
TransactionBuilder = _twin(Transaction)
