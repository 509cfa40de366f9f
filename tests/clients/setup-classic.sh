#!/bin/sh
# Creates (once) the Python virtualenv with classic scrapli (pre-2.x) that
# tests/integration/clients.rs drives lab devices with.
# Usage: tests/clients/setup-classic.sh [VENV]   (default: target/scrapli-classic-venv)
# Prints the venv's python on its last line.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../venv.sh" "$here/requirements-classic.txt" "${1:-$here/../../target/scrapli-classic-venv}"
