#!/bin/sh
# Creates (once) the Python virtualenv with genie and ntc-templates that
# tests/integration/lab_parsers.rs runs the lab's show outputs through.
# Usage: tests/parsers/setup.sh [VENV]   (default: target/parsers-venv)
# Prints the venv's python on its last line.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv=${1:-$here/../../target/parsers-venv}
python=$venv/bin/python
stamp=$venv/.requirements
mkdir -p "$(dirname "$venv")"
# One installer at a time (CI's set-up step and a test may both get here).
exec 9>"$venv.lock"
flock 9
if [ -x "$python" ] && cmp -s "$here/requirements.txt" "$stamp"; then
    echo "$python"
    exit 0
fi
command -v python3 >/dev/null || { echo "python3 is needed for the parser tests" >&2; exit 1; }
rm -rf "$venv"
python3 -m venv "$venv"
"$python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
cp "$here/requirements.txt" "$stamp"
echo "$python"
