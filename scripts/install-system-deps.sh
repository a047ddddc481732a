#!/usr/bin/env bash
# Debian packages: PostgreSQL 15 server. Installs only what is missing; needs root or sudo.
set -euo pipefail
need=()
[[ -x /usr/lib/postgresql/15/bin/postgres ]] || need+=(postgresql-15 postgresql-contrib)
if (( ${#need[@]} )); then
  sudo_cmd=""; [[ $(id -u) == 0 ]] || sudo_cmd="sudo"
  echo "installing ${need[*]}"
  $sudo_cmd apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "${need[@]}"
fi

# Debian packages: headless Chromium + its WebDriver for the Superset browser tests (tests/e2e).
browser_need=()
[[ -x /usr/bin/chromium ]] || browser_need+=(chromium)
[[ -x /usr/bin/chromedriver ]] || browser_need+=(chromium-driver)
if (( ${#browser_need[@]} )); then
  sudo_cmd=""; [[ $(id -u) == 0 ]] || sudo_cmd="sudo"
  echo "installing ${browser_need[*]}"
  $sudo_cmd apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "${browser_need[@]}"
fi
