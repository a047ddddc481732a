"""Import an asset bundle into Superset, overwriting every object it contains.

Runs INSIDE the Superset virtualenv (``.venv-superset/bin/python _import_bundle.py BUNDLE.zip``,
SUPERSET_CONFIG_PATH set); it must not import blocktrust. ``superset import-dashboards`` only
overwrites the dashboards and keeps existing databases, datasets and charts as they are, so an
edited chart would never reach an instance that has it already. Here each v1 importer runs in
turn with overwrite=True: databases, datasets, charts, then dashboards.
"""

from __future__ import annotations

import sys
from zipfile import ZipFile

ADMIN_USER = "admin"


def main(bundle_path: str) -> None:
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset.commands.chart.importers.v1 import ImportChartsCommand
        from superset.commands.dashboard.importers.v1 import ImportDashboardsCommand
        from superset.commands.database.importers.v1 import ImportDatabasesCommand
        from superset.commands.dataset.importers.v1 import ImportDatasetsCommand
        from superset.commands.importers.v1.utils import get_contents_from_bundle
        from superset.utils.core import override_user

        from superset import security_manager

        with ZipFile(bundle_path) as bundle:
            contents = get_contents_from_bundle(bundle)
        admin = security_manager.find_user(username=ADMIN_USER)
        if admin is None:
            raise SystemExit(f"no user {ADMIN_USER!r}: run `superset fab create-admin` first")
        with override_user(admin):
            for command in (
                ImportDatabasesCommand,
                ImportDatasetsCommand,
                ImportChartsCommand,
                ImportDashboardsCommand,
            ):
                command(contents, overwrite=True).run()
                print(f"{command.__name__}: ok", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: _import_bundle.py BUNDLE.zip")
    main(sys.argv[1])
