#!/usr/bin/env bash
# Set up (if needed) and start Custos: a demo triage of a bundled test image, then the CLI help.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/custos demo "$@"
