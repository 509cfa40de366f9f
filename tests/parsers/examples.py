"""Reads the CI examples under examples/: each must be valid YAML, and every `smartlic …`
command in them is printed as a JSON argv (shell variables and CI expressions replaced by
placeholders) so the test can check it against smartlic's own command line parser.
"""

import json
import re
import shlex
import sys

import yaml


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def commands(text):
    text = re.sub(r"\$\{\{[^}]*\}\}", "1", text)          # GitHub expressions
    text = re.sub(r"\$\(\([^)]*\)\)", "1", text)          # shell arithmetic
    text = re.sub(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", "1", text)  # shell variables
    for line in text.replace("\\\n", " ").splitlines():
        for part in re.split(r"[;|]|&&", line):
            words = shlex.split(part, comments=True)
            if "smartlic" in words and words[0] != "cargo":
                words = words[words.index("smartlic"):]
                cut = next((i for i, w in enumerate(words) if w.startswith(">")), len(words))
                yield words[:cut]


found = []
for path in sys.argv[1:]:
    docs = list(yaml.safe_load_all(open(path)))
    assert docs and all(d is not None for d in docs), f"{path}: empty YAML"
    for doc in docs:
        for text in strings(doc):
            found.extend(commands(text))
print(json.dumps(found))
