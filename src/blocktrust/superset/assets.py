"""Dashboards as code: the YAML under superset/assets <-> a Superset instance.

The committed files use Superset's v1 export layout (databases/, datasets/, charts/,
dashboards/, objects referenced by UUID) with three differences that keep diffs stable:
file names come from object names (no database ids), keys are sorted, and everything an
instance assigns (ids, timestamps, the query context cached by the explorer, chart ids inside
dashboard layouts, colours saved on first view) is removed or renumbered in a fixed order.
The warehouse URI is never stored: the database file carries a placeholder, replaced at import
time by the read-only analyst DSN.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from blocktrust.settings import Settings
from blocktrust.superset.config import SupersetPaths, assets_dir, warehouse_uri
from blocktrust.superset.runtime import run_superset, run_superset_python

IMPORT_SCRIPT = Path(__file__).with_name("_import_bundle.py")

KINDS = ("databases", "datasets", "charts", "dashboards")
URI_PLACEHOLDER = "postgresql+psycopg2://blocktrust_analyst@warehouse/blocktrust"
BUNDLE_ROOT = "blocktrust_assets"
EXPORT_VERSION = "1.0.0"
# Chart params an instance fills in: its own ids and the dashboards the chart sits on.
CHART_PARAMS_DROPPED = ("datasource", "slice_id", "dashboards", "url_params")


class AssetError(ValueError):
    """An asset file is malformed or references an object that is not there."""


@dataclass(frozen=True)
class Asset:
    kind: str
    path: str  # relative to the assets dir, e.g. "charts/ledger.yaml"
    config: dict[str, Any]


# ---------------------------------------------------------------- reading and checking


def _load_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AssetError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise AssetError(f"{source}: expected a mapping at the top level")
    if not data.get("uuid"):
        raise AssetError(f"{source}: uuid: missing")
    return data


def read_assets(root: Path) -> list[Asset]:
    """Every YAML file under root/<kind>/, in a fixed order."""
    assets = []
    for kind in KINDS:
        for path in sorted((root / kind).glob("*.yaml")):
            rel = f"{kind}/{path.name}"
            assets.append(Asset(kind, rel, _load_yaml(path.read_text(), str(path))))
    if not any(a.kind == "dashboards" for a in assets):
        raise AssetError(f"{root}: no dashboards/*.yaml to import")
    return assets


def _chart_uuids_of_dashboard(config: Mapping[str, Any]) -> list[str]:
    position = config.get("position") or {}
    return [
        node["meta"]["uuid"]
        for node in position.values()
        if isinstance(node, dict) and node.get("type") == "CHART" and "uuid" in node.get("meta", {})
    ]


def check_references(assets: list[Asset]) -> None:
    """Every dataset's database, chart's dataset and dashboard's chart exists (by uuid)."""
    uuids: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for asset in assets:
        uuid = str(asset.config["uuid"])
        for other in uuids.values():
            if uuid in other:
                raise AssetError(f"{asset.path}: uuid {uuid} is used twice")
        uuids[asset.kind].add(uuid)
    wanted = {"datasets": ("database_uuid", "databases"), "charts": ("dataset_uuid", "datasets")}
    for asset in assets:
        if asset.kind in wanted:
            field, kind = wanted[asset.kind]
            ref = asset.config.get(field)
            if ref not in uuids[kind]:
                raise AssetError(f"{asset.path}: {field}: {ref} is not in {kind}/")
        if asset.kind == "dashboards":
            for ref in _chart_uuids_of_dashboard(asset.config):
                if ref not in uuids["charts"]:
                    raise AssetError(f"{asset.path}: position: chart {ref} is not in charts/")
            for flt in asset.config.get("metadata", {}).get("native_filter_configuration", []):
                for target in flt.get("targets", []):
                    ref = target.get("datasetUuid")
                    if ref is not None and ref not in uuids["datasets"]:
                        raise AssetError(
                            f"{asset.path}: native filter {flt.get('name')!r}: "
                            f"datasetUuid {ref} is not in datasets/"
                        )


# ---------------------------------------------------------------- import


def bundle_contents(assets: list[Asset], database_uri: str) -> dict[str, str]:
    """The zip members Superset's dashboard importer reads; the URI goes into each database."""
    check_references(assets)
    contents = {
        # no "type": the same bundle feeds the database, dataset, chart and dashboard importers
        f"{BUNDLE_ROOT}/metadata.yaml": yaml.safe_dump(
            {"version": EXPORT_VERSION, "timestamp": "1970-01-01T00:00:00"}
        )
    }
    for asset in assets:
        config = dict(asset.config)
        if asset.kind == "databases":
            config["sqlalchemy_uri"] = database_uri
        contents[f"{BUNDLE_ROOT}/{asset.path}"] = yaml.safe_dump(config, sort_keys=True)
    return contents


def write_bundle(contents: Mapping[str, str], target: io.BufferedIOBase | Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name in sorted(contents):
            bundle.writestr(name, contents[name])


def import_assets(settings: Settings, paths: SupersetPaths, root: Path | None = None) -> int:
    """Import the YAML assets (overwriting objects with the same uuid); returns files imported.

    The bundle holds the analyst password while Superset reads it: it is written under the
    Superset home with mode 600 and deleted right after.
    """
    assets = read_assets(root or assets_dir(settings))
    contents = bundle_contents(assets, warehouse_uri(settings))
    paths.home.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=paths.home, suffix=".zip", delete=True) as tmp:
        write_bundle(contents, Path(tmp.name))
        run_superset_python(settings, paths, IMPORT_SCRIPT, [tmp.name])
    return len(assets)


# ---------------------------------------------------------------- export


def slug(name: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return cleaned or "unnamed"


def _sorted_by(items: list[dict[str, Any]] | None, key: str) -> list[dict[str, Any]]:
    return sorted(items or [], key=lambda item: str(item.get(key)))


def normalise_database(config: dict[str, Any]) -> dict[str, Any]:
    return {**config, "sqlalchemy_uri": URI_PLACEHOLDER}


def normalise_dataset(config: dict[str, Any]) -> dict[str, Any]:
    return {
        **config,
        "columns": _sorted_by(config.get("columns"), "column_name"),
        "metrics": _sorted_by(config.get("metrics"), "metric_name"),
    }


def normalise_chart(config: dict[str, Any]) -> dict[str, Any]:
    params = {
        k: v for k, v in (config.get("params") or {}).items() if k not in CHART_PARAMS_DROPPED
    }
    return {**config, "params": params, "query_context": None}


def _renumber(value: Any, id_map: Mapping[int, int]) -> Any:
    return id_map.get(value, value) if isinstance(value, int) else value


def normalise_dashboard(config: dict[str, Any], chart_order: Mapping[str, int]) -> dict[str, Any]:
    """Replace instance chart ids by each chart's rank in uuid order, everywhere they appear."""
    position = {k: v for k, v in (config.get("position") or {}).items()}
    id_map: dict[int, int] = {}
    for key, node in position.items():
        if isinstance(node, dict) and node.get("type") == "CHART":
            meta = dict(node.get("meta", {}))
            stable = chart_order.get(meta.get("uuid", ""))
            if stable is not None and isinstance(meta.get("chartId"), int):
                id_map[meta["chartId"]] = stable
                meta["chartId"] = stable
            position[key] = {**node, "meta": meta}
    metadata = dict(config.get("metadata") or {})
    filters = []
    for flt in metadata.get("native_filter_configuration", []):
        flt = {k: v for k, v in flt.items() if k != "chartsInScope"}
        scope = dict(flt.get("scope") or {})
        if "excluded" in scope:
            scope["excluded"] = sorted(_renumber(i, id_map) for i in scope["excluded"])
        flt["scope"] = scope
        filters.append(flt)
    metadata["native_filter_configuration"] = filters
    metadata["chart_configuration"] = {
        str(_renumber(int(k), id_map)): _renumber_chart_configuration(v, id_map)
        for k, v in (metadata.get("chart_configuration") or {}).items()
    }
    global_config = metadata.get("global_chart_configuration")
    if isinstance(global_config, dict):
        metadata["global_chart_configuration"] = {
            k: v for k, v in global_config.items() if k != "chartsInScope"
        }
    for key in ("timed_refresh_immune_slices",):
        if key in metadata:
            metadata[key] = sorted(_renumber(i, id_map) for i in metadata[key])
    for key in ("expanded_slices", "filter_scopes"):
        if key in metadata:
            metadata[key] = {str(_renumber(int(k), id_map)): v for k, v in metadata[key].items()}
    # Colours Superset derives and saves when someone first views a dashboard.
    metadata.pop("shared_label_colors", None)
    metadata.pop("map_label_colors", None)
    metadata["color_scheme_domain"] = []
    return {**config, "position": position, "metadata": metadata}


def _renumber_chart_configuration(entry: Any, id_map: Mapping[int, int]) -> Any:
    if not isinstance(entry, dict):
        return entry
    entry = {**entry, "id": _renumber(entry.get("id"), id_map)}
    cross = entry.get("crossFilters")
    if isinstance(cross, dict):
        cross = {k: v for k, v in cross.items() if k != "chartsInScope"}
        scope = cross.get("scope")
        if isinstance(scope, dict) and "excluded" in scope:
            cross["scope"] = {
                **scope,
                "excluded": sorted(_renumber(i, id_map) for i in scope["excluded"]),
            }
        entry["crossFilters"] = cross
    return entry


def normalise_export(members: Mapping[str, str]) -> dict[str, str]:
    """Exported zip members -> {relative file path: stable YAML text} (pure)."""
    parsed: list[tuple[str, dict[str, Any]]] = []
    for name, text in members.items():
        parts = name.split("/")
        kind = parts[1] if len(parts) > 2 else ""
        if kind in KINDS:
            parsed.append((kind, _load_yaml(text, name)))
    chart_uuids = sorted(str(c["uuid"]) for k, c in parsed if k == "charts")
    chart_order = {uuid: rank for rank, uuid in enumerate(chart_uuids, start=1)}
    out: dict[str, str] = {}
    for kind, config in parsed:
        if kind == "databases":
            config, name = normalise_database(config), config["database_name"]
        elif kind == "datasets":
            config, name = normalise_dataset(config), config["table_name"]
        elif kind == "charts":
            config, name = normalise_chart(config), config["slice_name"]
        else:
            config, name = normalise_dashboard(config, chart_order), config["dashboard_title"]
        path = f"{kind}/{slug(name)}.yaml"
        if path in out:
            raise AssetError(f"two exported {kind} map to {path}: rename one of them")
        out[path] = dump_yaml(config)
    return out


class _AssetDumper(yaml.SafeDumper):
    """Multi-line strings (dataset SQL, markdown) as literal blocks, so diffs are per line."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    lines = value.splitlines()
    style = "|" if "\n" in value and all(line == line.rstrip() for line in lines) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_AssetDumper.add_representer(str, _represent_str)


def dump_yaml(config: Mapping[str, Any]) -> str:
    return yaml.dump(
        dict(config),
        Dumper=_AssetDumper,
        sort_keys=True,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def export_assets(settings: Settings, paths: SupersetPaths, root: Path | None = None) -> list[str]:
    """Export every dashboard (with its charts, datasets and database) into the assets dir.

    Files of objects that no longer exist are removed, so the directory mirrors the instance.
    Returns the relative paths written.
    """
    root = root or assets_dir(settings)
    paths.home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=paths.home) as tmp:
        target = Path(tmp) / "export.zip"
        run_superset(settings, paths, ["export-dashboards", "-f", str(target)])
        with zipfile.ZipFile(target) as bundle:
            members = {name: bundle.read(name).decode() for name in bundle.namelist()}
    files = normalise_export(members)
    for kind in KINDS:
        (root / kind).mkdir(parents=True, exist_ok=True)
        for stale in (root / kind).glob("*.yaml"):
            if f"{kind}/{stale.name}" not in files:
                stale.unlink()
    for rel, text in files.items():
        target_path = root / rel
        if not target_path.exists() or target_path.read_text() != text:
            target_path.write_text(text)
    return sorted(files)
