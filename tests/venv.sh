#!/bin/sh
# Creates (once) a Python virtualenv from a pinned requirements file and prints its
# python on the last line. Remade whenever the requirements change.
# Usage: tests/venv.sh REQUIREMENTS VENV
# Used by tests/parsers/setup.sh (genie, ntc-templates) and tests/clients/setup.sh
# (netmiko, NAPALM, scrapli).
set -eu
requirements=$1
venv=$2
python=$venv/bin/python
stamp=$venv/.requirements
mkdir -p "$(dirname "$venv")"
# One installer at a time (scripts/test and several tests may all get here).
exec 9>"$venv.lock"
flock 9
if [ -x "$python" ] && cmp -s "$requirements" "$stamp"; then
    echo "$python"
    exit 0
fi
command -v python3 >/dev/null || { echo "python3 (with venv) is needed for $requirements" >&2; exit 1; }
rm -rf "$venv"
python3 -m venv "$venv"
"$python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
cp "$requirements" "$stamp"
echo "$python"
