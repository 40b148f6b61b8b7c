#!/usr/bin/env bash
# Install Écoute in .venv, create or migrate its database (SQLite file ecoute.db by
# default) and serve it on http://127.0.0.1:8000 with the worker in the same process.
# With --demo first, it adds sample answers before serving (`ecoute demo`: once, and only
# to a store without real answers; `ecoute demo --remove` takes them out).
# Safe to run again: it only installs what is missing and migrations are idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
.venv/bin/ecoute db upgrade
if [ "${1:-}" = "--demo" ]; then
  shift
  .venv/bin/ecoute demo
fi
exec .venv/bin/ecoute serve "$@"
