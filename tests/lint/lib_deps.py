#!/usr/bin/python3
"""Fails when the library depends on what only the clinit command uses:
cairo (and what comes with it: libpng, fontconfig, freetype, pixman) must
not be among libclinit.so's DT_NEEDED entries, nor in clinit.pc.

    lib_deps.py path/to/libclinit.so path/to/clinit.pc
"""
import re
import subprocess
import sys

CLI_ONLY = ("cairo", "png", "fontconfig", "freetype", "pixman")

lib, pc = sys.argv[1], sys.argv[2]
out = subprocess.run(["readelf", "-d", lib], check=True, capture_output=True,
                     text=True).stdout
needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
bad = [n for n in needed if any(w in n for w in CLI_ONLY)]
with open(pc, encoding="utf-8") as f:
    pc_bad = [l.strip() for l in f
              if l.split(":")[0] in ("Requires", "Requires.private", "Libs",
                                     "Libs.private")
              and any(w in l for w in CLI_ONLY)]
for n in bad:
    print("libclinit needs %s (only the clinit command may)" % n)
for l in pc_bad:
    print("clinit.pc names a command-only dependency: %s" % l)
print("%d DT_NEEDED entries: %s" % (len(needed), " ".join(needed)))
sys.exit(1 if bad or pc_bad or not needed else 0)
