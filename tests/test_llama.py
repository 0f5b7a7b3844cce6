#!/usr/bin/python3
"""A real llama.cpp loads clinit's GGUF output and generates with it.

usage: /usr/bin/python3 tests/test_llama.py path/to/clinit NPM_DIR

Installs the pinned node-llama-cpp package (3.21.1, with its prebuilt CPU
llama.cpp for linux-x64, ~83 MB) into NPM_DIR once (ctest passes the
build tree's npm/; a marker file says the install completed), writes
examples/llama_tiny.json with `clinit init ... --out X.gguf`, and runs
tests/llama_load.mjs on it: llama.cpp must load the model and generate 8
tokens greedily, and the same with the matrices in f16 and in bf16 (the
norm weights stay f32: llama.cpp's CPU kernels multiply f32 activations
by f32 norms only). Prints the generated token ids and text. Without node
or npm the test FAILS (it is not skipped). Needs the network for the
first install only.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import clitest

CLINIT = None  # set from argv[1]
NPM_DIR = None  # set from argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "examples", "llama_tiny.json")
LOADER = os.path.join(HERE, "llama_load.mjs")
VERSION = "3.21.1"
PACKAGES = ["node-llama-cpp@" + VERSION, "@node-llama-cpp/linux-x64@" + VERSION]
MARKER = "clinit-installed-" + VERSION


def tools():
    """node and npm, or a failure naming what is missing."""
    missing = [t for t in ("node", "npm") if shutil.which(t) is None]
    if missing:
        raise AssertionError(
            "%s not found on PATH: this test needs Node.js with npm (run "
            "tools/setup-debian.sh, which installs nodejs and npm when npm "
            "is missing)" % " and ".join(missing))
    return shutil.which("node"), shutil.which("npm")


def install(npm):
    """NPM_DIR/node_modules with the pinned packages, installed once."""
    modules = os.path.join(NPM_DIR, "node_modules")
    marker = os.path.join(NPM_DIR, MARKER)
    if os.path.exists(marker) and os.path.isdir(modules):
        return modules
    os.makedirs(NPM_DIR, exist_ok=True)
    sys.stderr.write("\n  [installing %s into %s]\n" % (" ".join(PACKAGES),
                                                       NPM_DIR))
    r = subprocess.run([npm, "i", "-E", "--omit=optional", "--ignore-scripts",
                        "--no-audit", "--no-fund"] + PACKAGES, cwd=NPM_DIR,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=900)
    if r.returncode != 0:
        raise AssertionError("npm install failed (exit %d):\n%s" %
                             (r.returncode, r.stdout.decode(errors="replace")))
    with open(marker, "w") as f:
        f.write(" ".join(PACKAGES) + "\n")
    return modules


class Llama(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node, npm = tools()
        cls.modules = install(npm)
        cls.tmpdir = tempfile.TemporaryDirectory()
        cls.tmp = cls.tmpdir.name

    @classmethod
    def tearDownClass(cls):
        cls.tmpdir.cleanup()

    def write(self, spec, name):
        out = os.path.join(self.tmp, name)
        r = subprocess.run([CLINIT, "init", spec, "--out", out, "--quiet",
                            "--device", "cpu"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        return out

    def test_llama_tiny_f32_f16_bf16(self):
        """One llama.cpp process (its start-up is most of the time) loads
        the example as it is and with f16 and bf16 matrices."""
        with open(EXAMPLE) as f:
            spec = json.load(f)
        files = [self.write(EXAMPLE, "llama_tiny.gguf")]
        for dt in ("f16", "bf16"):
            path = os.path.join(self.tmp, "llama_tiny_%s.json" % dt)
            with open(path, "w") as f:
                json.dump(dict(spec, dtype=dt), f)
            files.append(self.write(path, "llama_tiny_%s.gguf" % dt))
        r = subprocess.run([self.node, LOADER, self.modules] + files,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=600)
        text = r.stdout.decode(errors="replace")
        sys.stderr.write("\n%s" % "".join(
            "    " + line + "\n" for line in text.splitlines()))
        self.assertEqual(r.returncode, 0, "llama.cpp failed:\n%s%s" %
                         (text, r.stderr.decode(errors="replace")))
        runs = re.findall(r"^loaded: (.*): llama, 256 context, 1 bos, 2 eos$"
                          r"\n^prompt ids: \[[0-9, ]+\]$"
                          r"\n^generated ids: \[([0-9, ]*)\]$", text, re.M)
        self.assertEqual([f for f, _ in runs], files, text)
        for f, ids in runs:
            ids = [int(x) for x in ids.split(",")]
            sys.stderr.write("  [%s: %d bytes, generated %s]\n" % (
                os.path.basename(f), os.path.getsize(f), ids))
            self.assertEqual(len(ids), 8, f)
            self.assertTrue(all(0 <= i < 260 for i in ids), ids)


if __name__ == "__main__":
    CLINIT = clitest.binary_from_argv(__doc__)
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    NPM_DIR = os.path.abspath(sys.argv.pop(1))
    unittest.main()
