#!/usr/bin/env bash
# Install what the tests need (.venv with the test extras, Debian's chromium for the
# browser tests) and run ruff and the whole pytest suite. Safe to run again.
# PostgreSQL tests run when ECOUTE_TEST_POSTGRES_URL is set (CI sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
if ! command -v chromium >/dev/null 2>&1; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q --no-install-recommends chromium >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends chromium >/dev/null; }
fi
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
