#!/bin/sh
# Creates (once) the Python virtualenv with genie and ntc-templates that
# tests/integration/lab_parsers.rs runs the lab's show outputs through.
# Usage: tests/parsers/setup.sh [VENV]   (default: target/parsers-venv)
# Prints the venv's python on its last line.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../venv.sh" "$here/requirements.txt" "${1:-$here/../../target/parsers-venv}"
