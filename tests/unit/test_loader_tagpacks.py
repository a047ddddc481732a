"""TagPack parsing: header defaults, non-BTC tags, and errors that name file and entry."""

from __future__ import annotations

import pytest

from blocktrust.ingest.errors import ReferenceDataError
from blocktrust.ingest.tagpacks import parse_tagpack

PACK = """
title: Blocktrust demo
creator: tests
category: organization
source: https://example.org
tags:
  - address: 1HB5XMLmzFVj8ALj6mfBsbifRoD4miY36v
    label: donation
    currency: BTC
  - address: 1Exchange
    label: exchange
    category: exchange
  - address: "0xabc"
    label: eth thing
    currency: ETH
"""


def test_header_fields_are_defaults_for_tags() -> None:
    tags = parse_tagpack(PACK, "tags/demo.yaml", "demo")
    assert [(t.address, t.label, t.category, t.source) for t in tags] == [
        ("1HB5XMLmzFVj8ALj6mfBsbifRoD4miY36v", "donation", "organization", "https://example.org"),
        ("1Exchange", "exchange", "exchange", "https://example.org"),
    ]
    assert {t.tagpack for t in tags} == {"demo"}


def test_header_label_default_applies() -> None:
    text = "title: t\ncreator: c\nlabel: miner\ntags:\n  - address: 1Miner\n"
    assert parse_tagpack(text, "p.yaml", "p")[0].label == "miner"


def test_missing_address_names_file_and_entry() -> None:
    text = "title: t\ncreator: c\ntags:\n  - address: 1A\n    label: a\n  - label: b\n"
    with pytest.raises(ReferenceDataError, match=r"p\.yaml: tags\[1\]: field 'address'"):
        parse_tagpack(text, "p.yaml", "p")


def test_duplicate_tag_names_both_entries() -> None:
    text = "title: t\ncreator: c\ntags:\n  - {address: 1A, label: a}\n  - {address: 1A, label: a}\n"
    with pytest.raises(ReferenceDataError, match=r"tags\[1\]: duplicate of tags\[0\]"):
        parse_tagpack(text, "p.yaml", "p")


def test_malformed_yaml_names_line() -> None:
    with pytest.raises(ReferenceDataError, match=r"p\.yaml:line \d+: not valid YAML"):
        parse_tagpack("title: t\ntags: [a, b\ncreator: x\n", "p.yaml", "p")


def test_header_without_tags_is_rejected() -> None:
    with pytest.raises(ReferenceDataError, match="lacks tags"):
        parse_tagpack("title: t\ncreator: c\n", "p.yaml", "p")
