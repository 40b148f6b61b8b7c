#!/usr/bin/env bash
# Install what the tests need (.venv with the test extras, Debian's chromium for the
# browser tests) and run ruff and the whole pytest suite. Safe to run again.
# PostgreSQL tests run when ECOUTE_TEST_POSTGRES_URL is set (CI sets it).
# Then (whole suite only, i.e. without arguments) the engine and storage tests run a
# second time with ECOUTE_PREPARED=0: the same statements through SQLAlchemy's ordinary
# execution instead of the DBAPI cursor (storage/hotpath/prepared.py), on both stores.
# With arguments, they go to pytest and the suite runs once.
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
STORAGE_TESTS=(
  tests/test_engine.py tests/test_storage.py tests/test_prepared.py tests/test_outbox.py
  tests/test_privacy.py tests/test_surveys.py tests/web/test_widget_api.py tests/test_campaigns.py
)
.venv/bin/python -m pytest "$@"
if [ $# -eq 0 ]; then
  echo "== engine and storage tests again through SQLAlchemy's ordinary execution (ECOUTE_PREPARED=0)"
  ECOUTE_PREPARED=0 .venv/bin/python -m pytest -q "${STORAGE_TESTS[@]}"
fi
