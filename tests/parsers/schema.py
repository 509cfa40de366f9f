"""Validate smartlic JSON reports against docs/report.schema.json.

Usage: schema.py SCHEMA REPORT... — prints one line per report; exits 1 if any is invalid.
"""

import json
import sys

from jsonschema import Draft202012Validator


def main():
    schema = json.load(open(sys.argv[1]))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    bad = 0
    for path in sys.argv[2:]:
        errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
        if errors:
            bad += 1
            print(f"INVALID {path}")
            for e in errors[:5]:
                print(f"    at {'/'.join(map(str, e.path))}: {e.message[:300]}")
        else:
            print(f"valid {path}")
    sys.exit(1 if bad else 0)


main()
