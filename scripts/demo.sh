#!/usr/bin/env bash
# Set up voice-assist and run the demo call (extra arguments go to `voice-assist demo`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/voice-assist demo "$@"
