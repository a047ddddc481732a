"""Where Superset keeps its state, and the config file rendered from the committed template.

Everything lives under ``<data_dir>/superset`` (git-ignored): the rendered
``superset_config.py``, the SQLite metadata database, a SECRET_KEY generated once and the admin
password generated once. Nothing secret is ever written into the repository.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from string import Template

from blocktrust.settings import Settings

ADMIN_USER = "admin"
SUPERSET_SERVICE = "superset"


@dataclass(frozen=True)
class SupersetPaths:
    """The files of one Superset instance (one per data dir, or per test session)."""

    home: Path

    @property
    def config(self) -> Path:
        return self.home / "superset_config.py"

    @property
    def metadata_db(self) -> Path:
        return self.home / "superset.db"

    @property
    def secret_key(self) -> Path:
        return self.home / "secret_key"

    @property
    def admin_password(self) -> Path:
        return self.home / "admin_password"

    @property
    def initialised_marker(self) -> Path:
        return self.home / "initialised"

    @property
    def log(self) -> Path:
        return self.home / "superset.log"


def superset_paths(settings: Settings) -> SupersetPaths:
    return SupersetPaths(settings.data_dir / "superset")


def template_path(settings: Settings) -> Path:
    return settings.repo_root / "superset" / "superset_config.template.py"


def assets_dir(settings: Settings) -> Path:
    return settings.repo_root / "superset" / "assets"


def superset_venv_bin(settings: Settings) -> Path:
    return settings.repo_root / ".venv-superset" / "bin"


def _secret_file(path: Path, nbytes: int) -> str:
    """Read a generated secret, creating it (mode 600) the first time."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    path.touch(mode=0o600)
    path.write_text(value + "\n")
    return value


def secret_key(paths: SupersetPaths) -> str:
    return _secret_file(paths.secret_key, 42)


def admin_password(paths: SupersetPaths) -> str:
    return _secret_file(paths.admin_password, 18)


def render_config(template: str, secret: str, metadata_uri: str) -> str:
    """The template with its placeholders filled (pure)."""
    return Template(template).substitute(secret_key=secret, metadata_uri=metadata_uri)


def write_config(settings: Settings, paths: SupersetPaths) -> Path:
    """Render the committed template into the data dir (mode 600); returns the config path."""
    text = render_config(
        template_path(settings).read_text(),
        secret=secret_key(paths),
        metadata_uri=f"sqlite:///{paths.metadata_db}",
    )
    paths.home.mkdir(parents=True, exist_ok=True)
    if not paths.config.exists() or paths.config.read_text() != text:
        paths.config.touch(mode=0o600)
        paths.config.write_text(text)
    return paths.config


def warehouse_uri(settings: Settings) -> str:
    """SQLAlchemy URI of the warehouse for Superset: the read-only analyst role, psycopg2."""
    dsn = settings.dsn("analyst")
    scheme, sep, rest = dsn.partition("://")
    if not sep or scheme not in ("postgresql", "postgres"):
        raise ValueError(f"analyst DSN is not a postgresql:// URI: {scheme}://...")
    return "postgresql+psycopg2://" + rest
