#!/bin/sh
# Creates (once) the Python virtualenv with the network automation clients (netmiko,
# NAPALM, scrapli) that tests/integration/clients.rs drives lab devices with.
# Usage: tests/clients/setup.sh [VENV]   (default: target/clients-venv)
# Prints the venv's python on its last line.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../venv.sh" "$here/requirements.txt" "${1:-$here/../../target/clients-venv}"
