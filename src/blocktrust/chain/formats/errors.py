"""The one error every reader raises for bad input."""

from __future__ import annotations


class ChainDataError(ValueError):
    """A record that cannot be read as canonical chain data.

    ``source`` is the file, ``location`` where in it ("line 12", "row group 0, row 5"),
    ``field`` the offending field path (``outputs[1].value``) or None for the whole record.
    """

    def __init__(self, source: str, location: str, field: str | None, message: str) -> None:
        self.source = source
        self.location = location
        self.field = field
        self.message = message
        super().__init__(source, location, field, message)

    def __str__(self) -> str:
        where = f"{self.source}:{self.location}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )

    def at(self, location: str) -> ChainDataError:
        """The same error at a more precise location (the reader knows the line number)."""
        return ChainDataError(self.source, location, self.field, self.message)
