#!/usr/bin/env bash
# Create or refresh a virtualenv from a committed lock; a no-op when the lock has not changed.
# usage: scripts/install-env.sh <venv-dir> <lock-file> [editable]
set -euo pipefail
venv=$1 lock=$2 editable=${3:-}
stamp="$venv/.lock.sha256"
want=$(sha256sum "$lock" pyproject.toml | sha256sum | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$venv is up to date with $lock"
  exit 0
fi
command -v uv >/dev/null 2>&1 || python3 -m pip install -q 'uv==0.13.9'
start=$(date +%s)
[[ -x "$venv/bin/python" ]] || uv venv -q -p python3.11 "$venv"
VIRTUAL_ENV="$venv" uv pip sync -q "$lock"
if [[ -n "$editable" ]]; then
  VIRTUAL_ENV="$venv" uv pip install -q --no-deps -e .
fi
echo "$want" > "$stamp"
echo "installed $venv from $lock in $(( $(date +%s) - start )) s ($(du -sh "$venv" | cut -f1))"
