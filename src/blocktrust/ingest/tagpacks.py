"""GraphSense TagPack YAML -> rows of raw.address_tags (pure; the loader does the I/O).

A TagPack is ``{title, creator, description?, is_public?, <defaults>, tags: [{address, label,
source?, category?, currency?}]}``. Header fields ``label``, ``source``, ``category`` and
``currency`` are defaults for tags that lack them. Tags of a currency other than BTC are skipped;
this warehouse holds Bitcoin only. The tagpack name is the file stem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from blocktrust.ingest.errors import ReferenceDataError

TAG_DEFAULT_FIELDS = ("label", "source", "category", "currency")
REQUIRED_HEADER = ("title", "creator", "tags")


@dataclass(frozen=True)
class AddressTag:
    address: str
    label: str
    category: str | None
    source: str | None
    tagpack: str

    def as_params(self) -> dict[str, str | None]:
        return {
            "address": self.address,
            "label": self.label,
            "category": self.category,
            "source": self.source,
            "tagpack": self.tagpack,
        }


def parse_tagpack(text: str, source: str, tagpack: str) -> list[AddressTag]:
    """Every BTC tag of one TagPack document; errors name the file and the entry."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "document"
        raise ReferenceDataError(f"{source}:{where}: not valid YAML: {err}") from None
    if not isinstance(doc, dict):
        raise ReferenceDataError(f"{source}: a TagPack must be a mapping, got {type(doc).__name__}")
    missing = [k for k in REQUIRED_HEADER if k not in doc]
    if missing:
        raise ReferenceDataError(f"{source}: TagPack header lacks {', '.join(missing)}")
    if not isinstance(doc["tags"], list):
        raise ReferenceDataError(f"{source}: tags must be a list")
    defaults = {k: doc[k] for k in TAG_DEFAULT_FIELDS if k in doc}
    tags: list[AddressTag] = []
    seen: dict[tuple[str, str], int] = {}
    for n, entry in enumerate(doc["tags"]):
        tag = _tag(entry, defaults, f"{source}: tags[{n}]", tagpack)
        if tag is None:
            continue
        key = (tag.address, tag.label)
        if key in seen:
            raise ReferenceDataError(
                f"{source}: tags[{n}]: duplicate of tags[{seen[key]}] "
                f"(address {tag.address!r}, label {tag.label!r})"
            )
        seen[key] = n
        tags.append(tag)
    return tags


def _tag(entry: Any, defaults: dict[str, Any], where: str, tagpack: str) -> AddressTag | None:
    if not isinstance(entry, dict):
        raise ReferenceDataError(f"{where}: a tag must be a mapping, got {type(entry).__name__}")
    merged = defaults | {k: v for k, v in entry.items() if v is not None}
    currency = str(merged.get("currency", "BTC")).upper()
    if currency != "BTC":
        return None
    for key in ("address", "label"):
        value = merged.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ReferenceDataError(f"{where}: field {key!r} is missing or empty")
    return AddressTag(
        address=merged["address"].strip(),
        label=merged["label"].strip(),
        category=_optional_text(merged.get("category")),
        source=_optional_text(merged.get("source")),
        tagpack=tagpack,
    )


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)
