#!/usr/bin/env bash
# Set up everything the tests need, then run the whole suite (lint, types, tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
. scripts/services.sh
echo "== ruff"; .venv/bin/ruff check voice_assist tests bench
echo "== mypy"; .venv/bin/mypy
echo "== fixtures"; .venv/bin/python audio_fixtures/make_calls.py --missing
# one worker per core, a test file per worker at a time (module fixtures load models once; the
# live-capture file, the only one that plays into and unloads the "call" sink, runs on one worker)
echo "== pytest"; .venv/bin/python -m pytest -n auto --dist loadfile "$@"
