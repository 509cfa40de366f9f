#!/bin/sh
# Creates (once) the Python virtualenv with the network automation clients (netmiko,
# NAPALM, scrapli) that tests/integration/clients.rs drives lab devices with.
# Usage: tests/clients/setup.sh [VENV]   (default: target/clients-venv)
# Prints the venv's python on its last line.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv=${1:-$here/../../target/clients-venv}
python=$venv/bin/python
stamp=$venv/.requirements
mkdir -p "$(dirname "$venv")"
# One installer at a time (scripts/test and the three client tests may all get here).
exec 9>"$venv.lock"
flock 9
if [ -x "$python" ] && cmp -s "$here/requirements.txt" "$stamp"; then
    echo "$python"
    exit 0
fi
command -v python3 >/dev/null || { echo "python3 is needed for the client tests" >&2; exit 1; }
rm -rf "$venv"
python3 -m venv "$venv"
"$python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
cp "$here/requirements.txt" "$stamp"
echo "$python"
