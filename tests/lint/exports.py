#!/usr/bin/python3
"""Fails when libclinit.so exports a symbol that is not declared with
CLINIT_API in include/ (internal symbols stay hidden), or when a declared
API function is not exported.

    exports.py REPO_ROOT path/to/libclinit.so
"""
import re
import subprocess
import sys

root, lib = sys.argv[1], sys.argv[2]
api = set()
for h in ("clinit.h", "clinit_model.h"):
    text = open("%s/include/%s" % (root, h), encoding="utf-8").read()
    # CLINIT_API <return type> [*]name(   (possibly over two lines)
    for m in re.finditer(r"CLINIT_API\s+[^;(]*?\b(clinit_[a-z0-9_]+)\s*\(", text):
        api.add(m.group(1))
out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                     capture_output=True, text=True).stdout
exported = {l.split()[-1] for l in out.splitlines() if l.strip()}
extra = sorted(s for s in exported - api if s.startswith("clinit") or not s.startswith("_"))
missing = sorted(api - exported)
for s in extra:
    print("exported but not public API: %s" % s)
for s in missing:
    print("public API not exported: %s" % s)
print("%d API functions, %d exported symbols, %d extra, %d missing"
      % (len(api), len(exported), len(extra), len(missing)))
sys.exit(1 if extra or missing else 0)
