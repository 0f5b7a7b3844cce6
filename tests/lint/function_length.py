#!/usr/bin/python3
"""Fails when a C function in include/, kernels/, src/ or host/ is longer
than MAX lines (body, braces included). The tree is clang-formatted (a
function's braces stand alone in column 0), so a function is the text from
a "{" line to the next "}" line in column 0. Macro-generated bodies
(backslash-continued) are not functions and are skipped.

    function_length.py REPO_ROOT [MAX]
"""
import os
import re
import sys

root = sys.argv[1]
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 120
bad = []
count = 0
for top in ("include", "kernels", "src", "host"):
    for d, _, files in os.walk(os.path.join(root, top)):
        for f in sorted(files):
            if not f.endswith((".c", ".h", ".cl")):
                continue
            path = os.path.join(d, f)
            lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
            start = None
            for i, line in enumerate(lines):
                if line == "{":
                    start = i
                elif line.startswith("}") and start is not None:
                    n = i - start + 1
                    # the name: the last identifier before "(" above the brace
                    head = " ".join(lines[max(0, start - 4):start])
                    m = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(", head)
                    name = m[0] if m else "?"
                    if "=" not in head.split("(")[0]:  # not an initializer
                        count += 1
                        if n > limit:
                            bad.append((n, os.path.relpath(path, root), start + 1, name))
                    start = None
for n, path, line, name in sorted(bad, reverse=True):
    print("%s:%d: %s is %d lines (limit %d)" % (path, line, name, n, limit))
print("%d functions checked, %d longer than %d lines" % (count, len(bad), limit))
sys.exit(1 if bad else 0)
