"""Write the answer key (JSON) and the named entities as a GraphSense TagPack (YAML)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import yaml

from blocktrust.chain.generator.answer_key import AnswerKey
from blocktrust.lake import answer_key_dir, tags_dir

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

TAGPACK_NAME = "blocktrust_demo.yaml"
ANSWER_KEY_NAME = "answer_key.json"


def build_tagpack(key: AnswerKey) -> dict[str, Any]:
    source = f"synthetic:blocktrust-generator?seed={key.seed}"
    tags = [
        {
            "address": address,
            "label": entity.label,
            "source": source,
            "category": entity.category,
            "currency": "BTC",
        }
        for entity in sorted(key.entities.values(), key=lambda e: e.label)
        for address in entity.addresses
    ]
    return {
        "title": "Blocktrust demo entities (synthetic chain)",
        "creator": "blocktrust generate",
        "description": (
            f"Named entities of a generated chain (seed {key.seed}, heights "
            f"{key.height_range[0]}-{key.height_range[1]}, {key.start}..{key.end}). "
            "All transactions are synthetic; the donation address is modeled on WikiLeaks."
        ),
        "is_public": True,
        "tags": tags,
    }


def write_tagpack(root: ObjectStoragePath, key: AnswerKey) -> ObjectStoragePath:
    folder = tags_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TAGPACK_NAME
    path.write_text(yaml.safe_dump(build_tagpack(key), sort_keys=False))
    return path


def write_answer_key(root: ObjectStoragePath, key: AnswerKey) -> ObjectStoragePath:
    folder = answer_key_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ANSWER_KEY_NAME
    path.write_text(json.dumps(key.to_json(), indent=2) + "\n")
    return path
