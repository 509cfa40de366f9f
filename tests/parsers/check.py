"""Parse lab device outputs with the community's parsers (genie, ntc-templates).

Usage: check.py CASES.json
CASES.json is a list of {"os": "iosxe"|"nxos", "command": ..., "file": ..., "genie": [[path,
value], ...], "ntc": {field: value}}. genie runs for "iosxe" (`Device.parse(output=...)`,
with its schema validation), ntc-templates where a template for the command exists.
"genie" lists key paths into genie's result and the value each must have; "ntc" the fields
of the first TextFSM row: a parse that "succeeds" with a wrong reading still fails.
Prints one line per case; exits 1 if any case failed.
"""

import json
import sys
import traceback

from genie.conf.base import Device
from ntc_templates.parse import parse_output

# ntc-templates' index matches commands by prefix, so only commands with their own
# template are listed (see corpus/HOWTO.md's pitfall).
NTC = {
    ("iosxe", "show license status"): "cisco_ios",
    ("nxos", "show license usage"): "cisco_nxos",
}


def lookup(tree, path):
    node = tree
    for key in path:
        if isinstance(node, dict) and key in node:
            node = node[key]
        else:
            raise KeyError(f"{path}: no '{key}' in {sorted(node) if isinstance(node, dict) else node!r}")
    return node


def check(case):
    text = open(case["file"]).read()
    problems = []
    if case["os"] == "iosxe":
        device = Device("lab", os="iosxe")
        try:
            parsed = device.parse(case["command"], output=text)
        except Exception as e:  # genie raises SchemaEmptyParserError, SchemaMissingKeyError, ...
            problems.append(f"genie: {type(e).__name__}: {e}")
            parsed = None
        if parsed is not None:
            for path, wanted in case.get("genie", []):
                try:
                    got = lookup(parsed, path)
                except KeyError as e:
                    problems.append(f"genie: {e}")
                    continue
                if got != wanted:
                    problems.append(f"genie: {path} = {got!r}, expected {wanted!r}")
    platform = NTC.get((case["os"], case["command"]))
    if platform:
        try:
            rows = parse_output(platform=platform, command=case["command"], data=text)
            if not rows:
                problems.append("ntc-templates: no rows")
            for field, wanted in case.get("ntc", {}).items():
                got = rows[0].get(field) if rows else None
                if got != wanted:
                    problems.append(f"ntc-templates: {field} = {got!r}, expected {wanted!r}")
        except Exception as e:
            problems.append(f"ntc-templates: {type(e).__name__}: {e}")
    return problems


def main():
    cases = json.load(open(sys.argv[1]))
    failed = 0
    for case in cases:
        try:
            problems = check(case)
        except Exception:
            problems = [traceback.format_exc()]
        label = f"{case['os']} {case['command']!r} ({case['file']})"
        if problems:
            failed += 1
            print(f"FAIL {label}")
            for p in problems:
                print(f"    {p}")
        else:
            print(f"ok   {label}")
    print(f"{len(cases) - failed} of {len(cases)} parsed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
