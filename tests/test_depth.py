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
import resource
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zlib

CLINIT = None  # set from argv[1]

ACTS = ("sigmoid", "tanh", "relu")
INITS = ("N(0,1)", "N(0,0.01)", "xavier_uniform", "kaiming_normal")
SMALL = ["--layers", "20", "--width", "128", "--batch", "64"]
PNG_SIG = b"\x89PNG\r\n\x1a\n"
PLOT_W, PLOT_H = 1260, 520  # as --help states
# the lines of N(0,1), N(0,0.01), xavier_uniform, kaiming_normal
COLOURS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40))
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def run(*args, **kw):
    return subprocess.run([CLINIT, "depth", *args], capture_output=True,
                          text=True, timeout=300, **kw)


def fsize_limit(nbytes):
    """preexec_fn: RLIMIT_FSIZE, as `ulimit -f` would set it."""
    def set_limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return set_limit


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


def png_pixels(data):
    """(width, height, rows): the RGB rows (bytes) of an 8-bit RGB PNG,
    the filters undone (PNG spec section 9)."""
    chunks = png_chunks(data)
    w, h, depth, ctype, comp, filt, lace = struct.unpack(">IIBBBBB",
                                                         chunks[0][1])
    assert (depth, ctype, comp, filt, lace) == (8, 2, 0, 0, 0)
    raw = zlib.decompress(b"".join(p for t, p in chunks if t == "IDAT"))
    assert len(raw) == h * (1 + 3 * w), "wrong scanline bytes"
    stride, rows, prev = 3 * w, [], bytearray(3 * w)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b = prev[i]
            c = prev[i - 3] if i >= 3 else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p, pa, pb, pc = a + b - c, 0, 0, 0
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else
                                      b if pb <= pc else c)) & 255
            else:
                assert f == 0, "bad filter type %d" % f
        rows.append(bytes(line))
        prev = line
    return w, h, rows


class DepthRun(unittest.TestCase):
    """One small run with a plot and --cpu-check, shared by the tests."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.png = os.path.join(cls.tmp.name, "depth.png")
        cls.res = run(*SMALL, "--plot", cls.png, "--cpu-check")
        cls.tables = parse_tables(cls.res.stdout)
        # the same plot as an SVG (upper case: the extension's case is free)
        cls.svg = os.path.join(cls.tmp.name, "depth.SVG")
        cls.svg_res = run(*SMALL, "--plot", cls.svg)

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

    def plot_line(self, res, kind):
        m = re.search(r"^plot: (.*) \((\d+)x(\d+) (PNG|SVG), (\d+) bytes\)$",
                      res.stdout, re.M)
        self.assertIsNotNone(m, res.stdout)
        self.assertEqual(m.group(4), kind)
        return int(m.group(2)), int(m.group(3)), int(m.group(5))

    def test_png(self):
        with open(self.png, "rb") as f:
            data = f.read()
        w, h, size = self.plot_line(self.res, "PNG")
        self.assertEqual((w, h), (PLOT_W, PLOT_H))
        self.assertEqual(size, len(data))
        chunks = png_chunks(data)  # signature and every CRC
        self.assertEqual(chunks[0][0], "IHDR")
        self.assertEqual(chunks[-1][0], "IEND")
        self.assertIn("IDAT", [t for t, _ in chunks])
        iw, ih, depth, ctype, _, _, _ = struct.unpack(">IIBBBBB",
                                                      chunks[0][1])
        self.assertEqual((iw, ih, depth, ctype), (w, h, 8, 2))
        # compressed: the scanlines are 1,966,120 bytes; this plot is about
        # 67 KB (the old stored-deflate encoder wrote 1,966,338 for any plot)
        raw = h * (1 + 3 * w)
        self.assertLess(len(data), raw // 10, len(data))
        _, _, rows = png_pixels(data)  # decompresses to exactly `raw`
        colours = set()
        for row in rows:
            colours.update(row[i:i + 3] for i in range(0, len(row), 3))
        for c in COLOURS + ((0, 0, 0), (255, 255, 255)):
            self.assertIn(bytes(c), colours)
        # antialiased text: many grey levels, not only the line colours
        greys = {c for c in colours if c[0] == c[1] == c[2]}
        self.assertGreater(len(greys), 50)
        # title (rows 0-50): dark text pixels; below the frames (the
        # legend's row): every init's colour, outside every panel
        title = [r[i:i + 3] for r in rows[:50] for i in range(0, 3 * w, 3)]
        self.assertGreater(sum(1 for p in title if max(p) < 100), 500)
        legend = {r[i:i + 3] for r in rows[470:] for i in range(0, 3 * w, 3)}
        for c in COLOURS:
            self.assertIn(bytes(c), legend)

    def test_svg(self):
        with open(self.svg, "rb") as f:
            data = f.read()
        self.assertEqual(self.svg_res.returncode, 0, self.svg_res.stderr)
        w, h, size = self.plot_line(self.svg_res, "SVG")
        self.assertEqual((w, h, size), (PLOT_W, PLOT_H, len(data)))
        root = ET.fromstring(data)  # well-formed XML
        self.assertEqual(root.tag, SVG_NS + "svg")
        self.assertEqual((root.get("width"), root.get("height")),
                         ("%dpx" % w, "%dpx" % h))
        self.assertEqual(root.get("viewBox"), "0 0 %d %d" % (w, h))
        # text: cairo embeds each glyph's outline once (a <symbol> holding
        # a <path>) and places it with <use>; or <text> elements
        glyphs = {e.get("id") for e in root.iter(SVG_NS + "symbol")
                  if e.find(SVG_NS + "path") is not None}
        uses = [e.get(XLINK_HREF) for e in root.iter(SVG_NS + "use")]
        texts = list(root.iter(SVG_NS + "text"))
        self.assertTrue(texts or len(glyphs) >= 20, len(glyphs))
        self.assertTrue(texts or
                        sum(1 for u in uses if u[1:] in glyphs) > 300)
        # the curves: stroked paths in each init's colour
        strokes = set()
        for e in root.iter(SVG_NS + "path"):
            m = re.search(r"stroke:rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\)",
                          e.get("style", ""))
            if m:
                strokes.add(tuple(round(float(v) * 2.55) for v in m.groups()))
        for c in COLOURS:
            self.assertIn(c, strokes)
        self.assertGreater(sum(1 for _ in root.iter(SVG_NS + "path")), 100)


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
            ["--plot", "x.jpg"], ["--plot", "plot"], ["--plot", "x.png.gz"],
            ["--plot", "x.pdf"],
        ]
        for args in cases:
            with self.subTest(args=args):
                r = run(*args)
                self.assertEqual(r.returncode, 2, (args, r.stderr))
                self.assertEqual(r.stdout, "")
                lines = r.stderr.splitlines()
                self.assertEqual(len(lines), 1, r.stderr)
                self.assertTrue(lines[0].startswith("clinit: depth: "))
                if args[0] == "--plot" and len(args) > 1:
                    self.assertIn("--plot: '%s'" % args[1], lines[0])

    def test_failures_exit_1(self):
        r = run("--layers", "2", "--width", "16", "--batch", "8", "--plot",
                "/nonexistent-dir/x.png")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--plot", r.stderr)
        r = run("--layers", "2", "--width", "16", "--batch", "8",
                "--device", "opencl:99.0")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)

    def assert_plot_fails_intact(self, path, args, **kw):
        """--plot path fails with exit 1 and one line naming --plot; the
        old file stays byte for byte, and no temporary is left."""
        with open(path, "wb") as f:
            f.write(b"old plot")
        r = run(*args, "--plot", path, **kw)
        self.assertEqual(r.returncode, 1, r.stderr)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("--plot", lines[0])
        with open(path, "rb") as f:
            self.assertEqual(f.read(), b"old plot")
        d = os.path.dirname(path)
        self.assertEqual(sorted(os.listdir(d)), [os.path.basename(path)])

    def test_failed_plot_leaves_old_file(self):
        tiny = ["--layers", "2", "--width", "16", "--batch", "8"]
        # 30000 layers: an SVG of about 5 MB, cut midway by a 4 MiB
        # file-size limit (EFBIG; pocl writes files of 1-2 MiB per run)
        long = ["--layers", "30000", "--width", "8", "--batch", "4",
                "--every", "30000"]
        self.assertEqual(run(*tiny).returncode, 0)  # caches warm
        self.assertEqual(run(*long).returncode, 0)
        with tempfile.TemporaryDirectory() as d:
            self.assert_plot_fails_intact(os.path.join(d, "plot.svg"), long,
                                          preexec_fn=fsize_limit(4 << 20))
        # a full file system, where we may mount one (root): a 16 KiB
        # tmpfs holds neither plot (ENOSPC)
        with tempfile.TemporaryDirectory() as d:
            m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k",
                                "tmpfs", d], capture_output=True)
            if m.returncode == 0:
                try:
                    for name in ("plot.png", "plot.svg"):
                        with self.subTest(name=name):
                            self.assert_plot_fails_intact(
                                os.path.join(d, name), tiny)
                            os.unlink(os.path.join(d, name))
                finally:
                    subprocess.run(["umount", "-l", d])
        # the temporary cannot be created: an unwritable directory (root
        # writes there anyway)
        if os.geteuid() != 0:
            with tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "plot.png")
                try:
                    self.assert_plot_fails_intact(
                        path, tiny, preexec_fn=lambda: os.chmod(d, 0o555))
                finally:
                    os.chmod(d, 0o755)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    CLINIT = os.path.abspath(sys.argv.pop(1))
    unittest.main()
