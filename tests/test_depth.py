#!/usr/bin/python3
"""End-to-end tests of `clinit depth` (tools/depth/).

usage: /usr/bin/python3 tests/test_depth.py path/to/clinit [unittest args]

Needs an OpenCL device (the forward pass runs there). The runs are small
(20 layers of width 128, batch 64) and seeded, so every number is
deterministic; the thresholds are generous bounds around what the theory
predicts for these sizes (see docs/DEPTH.md), far from the values seen.
Exit status is non-zero on any failure.
"""
import math
import os
import re
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

CLINIT = None  # set from argv[1]

ACTS = ("sigmoid", "tanh", "relu")
INITS = ("N(0,1)", "N(0,0.01)", "xavier_uniform", "kaiming_normal")
SMALL = ["--layers", "20", "--width", "128", "--batch", "64"]
PNG_SIG = b"\x89PNG\r\n\x1a\n"


def run(*args):
    return subprocess.run([CLINIT, "depth", *args], capture_output=True,
                          text=True, timeout=300)


def parse_tables(out):
    """{act: {"w_std": {init: x}, layer: {init: std}}} from stdout."""
    tables, act, cols = {}, None, None
    for line in out.splitlines():
        m = re.match(r"activation (\w+)$", line)
        if m:
            act = m.group(1)
            tables[act] = {}
            cols = None
            continue
        if not line.strip():
            act = None  # a blank line ends a table
            continue
        if act is None:
            continue
        f = line.split()
        if f[0] == "layer":
            cols = f[1:]
            continue
        if cols is None:
            continue
        key = "w_std" if f[0] == "w_std" else int(f[0])
        tables[act][key] = dict(zip(cols, (float(v) for v in f[1:])))
    return tables


def png_chunks(data):
    """[(type, payload)] after checking the signature and every CRC."""
    assert data[:8] == PNG_SIG, "not a PNG signature"
    pos, chunks = 8, []
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        typ = data[pos + 4:pos + 8]
        payload = data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(typ + payload) == crc, "bad CRC in %r" % typ
        chunks.append((typ.decode("ascii"), payload))
        pos += 12 + n
    return chunks


class DepthRun(unittest.TestCase):
    """One small run with a plot and --cpu-check, shared by the tests."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.png = os.path.join(cls.tmp.name, "depth.png")
        cls.res = run(*SMALL, "--plot", cls.png, "--cpu-check")
        cls.tables = parse_tables(cls.res.stdout)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def std(self, act, init, layer):
        return self.tables[act][layer][init]

    def test_exit_status_and_check(self):
        self.assertEqual(self.res.returncode, 0, self.res.stderr)
        self.assertEqual(self.res.stderr, "")
        self.assertIn("cpu-check: passed", self.res.stdout)
        self.assertNotIn("MISMATCH", self.res.stdout)
        # 12 configurations checked, all ok
        oks = [l for l in self.res.stdout.splitlines() if l.endswith("  ok")]
        self.assertEqual(len(oks), 12)
        self.assertRegex(self.res.stdout, r"time: forward [0-9.]+ s")

    def test_table_shape(self):
        self.assertEqual(sorted(self.tables), sorted(ACTS))
        for act in ACTS:
            t = self.tables[act]
            self.assertEqual(sorted(k for k in t if k != "w_std"),
                             [1, 2, 5, 10, 20])
            for row in t.values():
                self.assertEqual(sorted(row), sorted(INITS))

    def test_weight_stds(self):
        # resolved std of each init for 128 x 128 layers (uniform: b/sqrt 3)
        gain = {"sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0)}
        for act in ACTS:
            w = self.tables[act]["w_std"]
            self.assertAlmostEqual(w["N(0,1)"], 1.0, places=3)
            self.assertAlmostEqual(w["N(0,0.01)"], 0.01, places=5)
            want = gain[act] / math.sqrt(128)
            self.assertAlmostEqual(w["kaiming_normal"] / want, 1, places=3)
            self.assertAlmostEqual(w["xavier_uniform"] / want, 1, places=3)

    def test_big_weights_saturate_sigmoid_and_tanh(self):
        # |z| ~ 10: outputs pinned at 0/1 (std -> 1/2) or -1/1 (std -> 1)
        for layer in (1, 10, 20):
            self.assertGreater(self.std("sigmoid", "N(0,1)", layer), 0.4)
            self.assertLess(self.std("sigmoid", "N(0,1)", layer), 0.5)
            self.assertGreater(self.std("tanh", "N(0,1)", layer), 0.9)
            self.assertLessEqual(self.std("tanh", "N(0,1)", layer), 1.0)

    def test_big_weights_explode_relu(self):
        # x sqrt(128 / 2) = 8 per layer
        s1, s20 = (self.std("relu", "N(0,1)", l) for l in (1, 20))
        self.assertTrue(not math.isfinite(s20) or s20 / s1 > 1e10,
                        (s1, s20))
        for a, b in ((1, 2), (2, 5), (5, 10)):
            self.assertGreater(self.std("relu", "N(0,1)", b),
                               self.std("relu", "N(0,1)", a))

    def test_small_weights_vanish(self):
        # x 0.01 sqrt(128) ~ 0.11 (tanh) / 0.08 (relu) per layer
        for act in ("tanh", "relu"):
            self.assertLess(self.std(act, "N(0,0.01)", 10), 1e-5)
            self.assertLess(self.std(act, "N(0,0.01)", 20), 1e-10)
            self.assertGreater(self.std(act, "N(0,0.01)", 1),
                               self.std(act, "N(0,0.01)", 10))
        # sigmoid collapses to ~0.5 everywhere: tiny spread, no vanishing
        self.assertLess(self.std("sigmoid", "N(0,0.01)", 20), 0.05)

    def test_xavier_keeps_sigmoid_and_tanh_in_range(self):
        for layer in (1, 5, 10, 20):
            t = self.std("tanh", "xavier_uniform", layer)
            self.assertGreater(t, 0.3)
            self.assertLess(t, 0.9)  # not saturated like N(0,1)
            s = self.std("sigmoid", "xavier_uniform", layer)
            self.assertGreater(s, 0.05)
            self.assertLess(s, 0.4)

    def test_kaiming_keeps_relu_scale(self):
        # theory: sqrt(2 (1/2 - 1/(2 pi))) = 0.83 at every layer
        for layer in (1, 2, 5, 10, 20):
            s = self.std("relu", "kaiming_normal", layer)
            self.assertGreater(s, 0.25)
            self.assertLess(s, 3.0)

    def test_png(self):
        with open(self.png, "rb") as f:
            data = f.read()
        self.assertEqual(data[:8], PNG_SIG)
        m = re.search(r"plot: .* \((\d+)x(\d+) PNG\)", self.res.stdout)
        self.assertIsNotNone(m)
        w, h = int(m.group(1)), int(m.group(2))
        self.assertEqual((w, h), (1260, 520))  # as --help states
        chunks = png_chunks(data)
        self.assertEqual(chunks[0][0], "IHDR")
        self.assertEqual(chunks[-1][0], "IEND")
        iw, ih, depth, ctype, _, _, _ = struct.unpack(">IIBBBBB",
                                                      chunks[0][1])
        self.assertEqual((iw, ih, depth, ctype), (w, h, 8, 2))
        raw = zlib.decompress(b"".join(p for t, p in chunks if t == "IDAT"))
        self.assertEqual(len(raw), h * (1 + 3 * w))
        # something is drawn, in each init's line colour
        colours = set()
        for y in range(h):
            row = raw[y * (1 + 3 * w) + 1:(y + 1) * (1 + 3 * w)]
            colours.update(row[i:i + 3] for i in range(0, len(row), 3))
        for c in ((31, 119, 180), (255, 127, 14), (44, 160, 44),
                  (214, 39, 40), (0, 0, 0), (255, 255, 255)):
            self.assertIn(bytes(c), colours)


class DepthOptions(unittest.TestCase):

    def test_deterministic_and_seeded(self):
        a = run("--layers", "5", "--width", "64", "--batch", "32")
        b = run("--layers", "5", "--width", "64", "--batch", "32")
        c = run("--layers", "5", "--width", "64", "--batch", "32",
                "--seed", "7")
        for r in (a, b, c):
            self.assertEqual(r.returncode, 0, r.stderr)
        ta, tb, tc = (parse_tables(r.stdout) for r in (a, b, c))
        self.assertEqual(ta, tb)
        self.assertNotEqual(ta["tanh"][5], tc["tanh"][5])

    def test_gemm_variants_match_host(self):
        # odd sizes: partial tiles and a k tail in both kernels
        for gemm in ("tiled", "vector"):
            r = run("--layers", "3", "--width", "37", "--batch", "19",
                    "--gemm", gemm, "--cpu-check")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("gemm: %s variant" % gemm, r.stdout)
            self.assertIn("cpu-check: passed", r.stdout)

    def test_every(self):
        r = run("--layers", "20", "--width", "32", "--batch", "16",
                "--every", "7")
        self.assertEqual(r.returncode, 0, r.stderr)
        t = parse_tables(r.stdout)
        self.assertEqual(sorted(k for k in t["relu"] if k != "w_std"),
                         [1, 7, 14, 20])

    def test_xavier_gain_1_vanishes_with_relu(self):
        # Glorot's original variance halves through every relu layer
        r = run(*SMALL, "--xavier-gain", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        t = parse_tables(r.stdout)
        self.assertAlmostEqual(t["relu"]["w_std"]["xavier_uniform"],
                               1 / math.sqrt(128), places=4)
        ratio = (t["relu"][20]["xavier_uniform"] /
                 t["relu"][1]["xavier_uniform"])
        self.assertLess(ratio, 0.05)  # theory: 2^(-19/2) = 1.4e-3
        self.assertGreater(t["relu"][20]["kaiming_normal"], 0.25)

    def test_help(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: clinit depth", r.stdout)

    def test_bad_args_exit_2_one_line(self):
        cases = [
            ["--layers", "0"], ["--layers", "x"], ["--layers", "100001"],
            ["--width", "-3"], ["--batch", "0"], ["--width", "65537"],
            ["--seed", "-1"], ["--every", "0"], ["--bogus", "1"],
            ["stray"], ["--layers"], ["--device", "cpu"],
            ["--device", "gpu:0"], ["--xavier-gain", "0"],
            ["--xavier-gain", "nan"], ["--gemm", "fast"], ["--plot="],
            ["--layers", "3", "--layers", "4"], ["--cpu-check=1"],
        ]
        for args in cases:
            with self.subTest(args=args):
                r = run(*args)
                self.assertEqual(r.returncode, 2, (args, r.stderr))
                self.assertEqual(r.stdout, "")
                lines = r.stderr.splitlines()
                self.assertEqual(len(lines), 1, r.stderr)
                self.assertTrue(lines[0].startswith("clinit: depth: "))

    def test_failures_exit_1(self):
        r = run("--layers", "2", "--width", "16", "--batch", "8", "--plot",
                "/nonexistent-dir/x.png")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--plot", r.stderr)
        r = run("--layers", "2", "--width", "16", "--batch", "8",
                "--device", "opencl:99.0")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    CLINIT = os.path.abspath(sys.argv.pop(1))
    unittest.main()
