#!/usr/bin/env bash
# Set up (if needed) and start Custos: the desktop GUI when a display is available, otherwise a demo
# triage of the bundled test image on the command line (`custos --help` lists every command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${CUSTOS_START:-gui}" = "gui" ]; then
  exec .venv/bin/custos gui "$@"
fi
exec .venv/bin/custos demo "$@"
