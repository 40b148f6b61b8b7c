#!/usr/bin/env bash
# The long fuzz run: N generated inputs (default 10000) into each endpoint (the widget API
# by Schemathesis, the Telegram webhook, Slack's events), on SQLite, with a random seed.
# It ends with each endpoint's inputs, server errors, half-stored effects and duration;
# a failure prints the input and how to replay it (@reproduce_failure).
# Usage: scripts/fuzz.sh [N] [pytest options, e.g. -k telegram]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
count="${1:-10000}"
shift || true
ECOUTE_FUZZ_EXAMPLES="$count" exec .venv/bin/python -m pytest -p no:cacheprovider -q \
  -p no:logging -m "not postgres" -k "generated or links" tests/fuzz "$@"
