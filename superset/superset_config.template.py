# Superset configuration template for Blocktrust (no secrets in here).
#
# `blocktrust superset up` renders this file into <data_dir>/superset/superset_config.py,
# substituting the placeholders below: a SECRET_KEY generated once and kept under the data dir
# (never committed) and the SQLite metadata database beside it. SUPERSET_CONFIG_PATH points
# Superset at the rendered copy. The warehouse connection is not configured here: it is the
# database asset, imported with the read-only analyst role's URI (`blocktrust superset import`).

SECRET_KEY = "$secret_key"
SQLALCHEMY_DATABASE_URI = "$metadata_uri"

# The analyst role is read-only in PostgreSQL; Superset adds its own guard in SQL Lab.
PREVENT_UNSAFE_DB_CONNECTIONS = True

FEATURE_FLAGS = {
    "DASHBOARD_NATIVE_FILTERS": True,
    "DASHBOARD_CROSS_FILTERS": True,
    "ENABLE_TEMPLATE_PROCESSING": False,
    "ALERT_REPORTS": False,
    "THUMBNAILS": False,
}

ROW_LIMIT = 10000
SQL_MAX_ROW = 10000
SQLLAB_TIMEOUT = 120
SUPERSET_WEBSERVER_TIMEOUT = 120

# One local user base, no telemetry, nothing fetched from the internet.
SCHEDULED_QUERIES: dict = {}
RATELIMIT_ENABLED = False
AUTH_RATE_LIMITED = False
SUPERSET_LOG_VIEW = False
