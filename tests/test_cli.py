#!/usr/bin/python3
"""End-to-end tests of the clinit command.

usage: /usr/bin/python3 tests/test_cli.py path/to/clinit [unittest args]

Needs numpy (only the system python has it) and at least one OpenCL
device: the device path is compared with the CPU path bit for bit.
Exit status is non-zero on any failure.
"""
import math
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import clitest

CLINIT = None  # set from argv[1]

# Random123 kat_vectors, philox4x32_10: counter c0..c3, key k0 k1, result.
PHILOX_KAT = [
    ((0, 0, 0, 0), (0, 0),
     (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF, 0xFFFFFFFF),
     (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
     (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]

DEVICES = ("cpu", "opencl")

# --dtype -> numpy descr of the .npy (bf16: raw bits as uint16)
DTYPES = (("f32", "<f4"), ("f16", "<f2"), ("bf16", "<u2"), ("f64", "<f8"))

# Every method, with an odd shape and non-default flags where it has them.
ALL_METHODS = [
    ("uniform", "37,29", ["--a", "-0.5", "--b", "2"]),
    ("normal", "37,29", ["--mean", "1", "--std", "0.5"]),
    ("trunc_normal", "37,29", ["--mean", "0.5", "--std", "2", "--a", "-1",
                               "--b", "3"]),
    ("constant", "37,29", ["--val", "-1.75"]),
    ("zeros", "37,29", []),
    ("ones", "37,29", []),
    ("eye", "37,29", []),
    ("dirac", "6,3,3,5", ["--groups", "2"]),
    ("xavier_uniform", "37,29", ["--gain", "0.5"]),
    ("xavier_normal", "37,29", []),
    ("kaiming_uniform", "37,29", ["--a", "0.1"]),
    ("kaiming_normal", "37,29", ["--mode", "fan_out", "--nonlinearity",
                                 "relu"]),
    ("orthogonal", "20,35", ["--gain", "1.5"]),
    ("sparse", "37,29", ["--sparsity", "0.3"]),
    ("variance_scaling_", "37,29", []),
    ("variance_scaling", "37,29", ["--scale", "2", "--mode", "fan_avg",
                                   "--distribution", "untruncated_normal"]),
    ("lecun_uniform", "37,29", []),
    ("lecun_normal", "37,29", []),
    ("glorot_uniform", "37,29", []),
    ("glorot_normal", "37,29", []),
    ("he_uniform", "37,29", []),
    ("he_normal_", "37,29", []),
]


def as_f64(a, dtype):
    """The values of a loaded array as float64 (bf16: raw bits)."""
    if dtype == "bf16":
        return (a.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return a.astype(np.float64)


def bf16_nearest(x):
    """The bfloat16 value nearest to the float32 x, as float (RNE)."""
    u = int(np.array(x, dtype=np.float32).view(np.uint32))
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return float(np.array(u << 16, dtype=np.uint32).view(np.float32))


def dtype_nearest(x, dtype):
    if dtype == "bf16":
        return bf16_nearest(x)
    return float({"f16": np.float16, "f32": np.float32,
                  "f64": np.float64}[dtype](x))


def dirac_ref(shape, groups):
    """torch.nn.init.dirac_ in numpy."""
    w = np.zeros(shape)
    opg = shape[0] // groups
    centre = tuple(k // 2 for k in shape[2:])
    for g in range(groups):
        for d in range(min(opg, shape[1])):
            w[(g * opg + d, d) + centre] = 1
    return w


def run(*args, env=None):
    return subprocess.run([CLINIT] + [str(a) for a in args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env, timeout=300)


def summary(stdout):
    """'key: value' lines to a dict."""
    out = {}
    for line in stdout.decode().splitlines():
        key, sep, value = line.partition(": ")
        assert sep, "not a key: value line: %r" % line
        assert key not in out, "key %r printed twice" % key
        out[key] = value
    return out


def words(b):
    return np.frombuffer(b, dtype="<u4")


def hexlist(s):
    return ",".join("0x%x" % v for v in s)


class ClinitTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="clinit_cli_")
        self.tmp = self._tmp.name
        self.n_out = 0

    def tearDown(self):
        self._tmp.cleanup()

    def path(self):
        self.n_out += 1
        return os.path.join(self.tmp, "out%d.npy" % self.n_out)

    def ok(self, *args):
        r = run(*args)
        self.assertEqual(r.returncode, 0, "clinit %s: rc %d, stderr %r" % (
            " ".join(map(str, args)), r.returncode, r.stderr.decode()))
        self.assertEqual(r.stderr, b"")
        return r

    def fill(self, *args):
        """Runs clinit fill ARGS --out TMP; returns (array, summary, raw
        file bytes)."""
        out = self.path()
        r = self.ok("fill", *args, "--out", out)
        with open(out, "rb") as f:
            data = f.read()
        return np.load(out), summary(r.stdout), data

    def raw(self, *args):
        return words(self.ok("raw", *args).stdout)

    def usage_error(self, args, rc=2):
        """Runs a failing command: exit rc, exactly one stderr line
        starting 'clinit: ', nothing on stdout, no output file left."""
        out = os.path.join(self.tmp, "err.npy")
        if os.path.exists(out):  # left by an earlier, failed case
            os.remove(out)
        args = [out if a == "OUT" else a for a in args]
        r = run(*args)
        err = r.stderr.decode()
        ctx = "clinit %s -> rc %d, stderr %r" % (" ".join(args),
                                                 r.returncode, err)
        self.assertEqual(r.returncode, rc, ctx)
        self.assertEqual(r.stdout, b"", ctx)
        self.assertTrue(err.startswith("clinit: "), ctx)
        self.assertTrue(err.endswith("\n"), ctx)
        self.assertEqual(err.count("\n"), 1, ctx)
        self.assertFalse(os.path.exists(out), ctx)
        return err


class TestBasics(ClinitTest):
    def test_devices(self):
        r = self.ok("devices")
        lines = r.stdout.decode().splitlines()
        cpu = [l for l in lines if l.split()[0] == "cpu"]
        self.assertEqual(len(cpu), 1, lines)
        self.assertRegex(cpu[0], r"^cpu\s+CPU path \(\d+ threads\)")
        ocl = [l for l in lines if l.startswith("opencl:")]
        self.assertGreater(len(ocl), 0,
                           "no OpenCL device listed: %r" % lines)
        for l in ocl:
            self.assertRegex(l, r"^opencl:\d+\.\d+ ")
            self.assertRegex(l, r"\| (GPU|CPU) \| fp64 (yes|no) \|")
        self.assertEqual(sum("[default]" in l for l in lines), 1, lines)

    def test_devices_default_follows_env(self):
        env = dict(os.environ, CLINIT_DEVICE="cpu")
        r = run("devices", env=env)
        self.assertEqual(r.returncode, 0)
        lines = r.stdout.decode().splitlines()
        self.assertIn("[default]", lines[0])
        self.assertTrue(lines[0].startswith("cpu"))

    def test_version(self):
        for v in ("--version", "version"):
            r = self.ok(v)
            self.assertRegex(r.stdout.decode(),
                             r"^clinit \d+\.\d+\.\d+ \(stream contract 1\)\n$")

    def test_help(self):
        for h in ("--help", "help", "-h"):
            r = self.ok(h)
            self.assertIn(b"usage:", r.stdout)
        r = run()
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, b"")
        self.assertIn(b"usage:", r.stderr)
        r = self.ok("fill", "--help")
        self.assertIn(b"usage:", r.stdout)
        # every method and every method flag is documented
        text = r.stdout.decode()
        for method, _, _ in ALL_METHODS:
            self.assertIn(method.rstrip("_"), text)
        for flag in ("--a", "--b", "--mean", "--std", "--val", "--gain",
                     "--mode", "--nonlinearity", "--scale", "--distribution",
                     "--sparsity", "--groups", "fan_avg", "truncated_normal",
                     "untruncated_normal"):
            self.assertIn(flag, text)


class TestParsing(ClinitTest):
    """getopt_long's syntax, per-command help, did-you-mean."""

    def test_per_command_help(self):
        texts = {}
        for cmd in ("devices", "fill", "raw", "init", "depth"):
            for h in ((cmd, "--help"), (cmd, "-h"), ("help", cmd)):
                r = self.ok(*h)
                self.assertTrue(r.stdout.startswith(
                    ("usage: clinit %s" % cmd).encode()), h)
                texts.setdefault(cmd, r.stdout)
                self.assertEqual(r.stdout, texts[cmd], h)
        # each only its own: fill's method flags are not elsewhere, raw's
        # --key only in raw's, the global text is short and names all
        self.assertNotIn(b"--key", texts["fill"])
        self.assertNotIn(b"--method", texts["raw"])
        self.assertNotIn(b"--method", texts["devices"])
        self.assertIn(b"-o, --out FILE", texts["fill"])
        self.assertIn(b"-m, --method M", texts["fill"])
        self.assertIn(b"-n, --count N", texts["raw"])
        self.assertIn(b"-d, --device D", texts["depth"])
        top = self.ok("--help").stdout.decode()
        self.assertLess(len(top.splitlines()), 40)
        for cmd in texts:
            self.assertIn("  %s " % cmd, top)
        self.assertEqual(self.ok("help").stdout.decode(), top)
        err = self.usage_error(["help", "fil"])
        self.assertIn("help: unknown command 'fil'", err)

    def test_equals_short_and_order(self):
        out = self.path()
        ref = self.ok("fill", "--method", "normal", "--shape", "4,5",
                      "--seed", "7", "--dtype", "bf16", "--out", out)
        with open(out, "rb") as f:
            want = f.read()
        for args in (
                ["--method=normal", "--shape=4,5", "--seed=7", "--dtype=bf16",
                 "--out=OUT"],
                ["-m", "normal", "--shape", "4,5", "-s7", "-t", "bf16", "-o",
                 "OUT"],
                ["-oOUT", "-tbf16", "-s", "7", "--shape", "4,5", "-mnormal"],
                ["--shape", "4,5", "-m", "normal", "-s", "7", "-t", "bf16",
                 "-o", "OUT", "--"]):
            o = self.path()
            r = self.ok("fill", *[a.replace("OUT", o) for a in args])
            with open(o, "rb") as f:
                self.assertEqual(f.read(), want, args)
            self.assertEqual(summary(r.stdout)["sample_std"],
                             summary(ref.stdout)["sample_std"])
        # -q and --quiet: nothing on stdout, the same file
        for q in ("-q", "--quiet"):
            o = self.path()
            r = self.ok("fill", "-m", "normal", "--shape", "4,5", "-s", "7",
                        "-t", "bf16", "-o", o, q)
            self.assertEqual(r.stdout, b"")
            with open(o, "rb") as f:
                self.assertEqual(f.read(), want)
        # a value may start with '-' (not "--")
        x, s, _ = self.fill("-m", "uniform", "--shape", "100", "--a", "-3",
                            "--b=-2")
        self.assertTrue(((x >= -3) & (x < -2)).all())
        # raw: -s and -n
        self.assertEqual(self.raw("-s", "3", "-n", "8").tolist(),
                         self.raw("--seed=3", "--count=8").tolist())

    def test_double_dash_ends_options(self):
        # after "--" everything is positional: fill takes none
        err = self.usage_error(["fill", "-m", "normal", "--shape", "3", "-o",
                                "OUT", "--", "--seed", "1"])
        self.assertEqual(err, "clinit: fill: unexpected argument '--seed'\n")
        err = self.usage_error(["raw", "--", "--count"])
        self.assertEqual(err, "clinit: raw: unexpected argument '--count'\n")

    def test_out_dash_is_stdout(self):
        # "-" is standard output, never a file named '-'
        d = tempfile.mkdtemp(dir=self.tmp)
        ref = os.path.join(d, "ref.npy")
        self.ok("fill", "-m", "normal", "--shape", "33", "-o", ref)
        with open(ref, "rb") as f:
            want = f.read()
        for out in (["--out", "-"], ["--out=-"], ["-o", "-"], ["-o-"]):
            r = subprocess.run([CLINIT, "fill", "-m", "normal", "--shape",
                                "33", "-d", "cpu"] + out,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=d, timeout=300)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, want, out)
            self.assertEqual(os.listdir(d), ["ref.npy"], out)
            self.assertEqual(summary(r.stderr)["out"], "-")
        r = subprocess.run([CLINIT, "fill", "-m", "normal", "--shape", "33",
                            "-o", "-", "-q"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, cwd=d, timeout=300)
        self.assertEqual((r.returncode, r.stderr), (0, b""))
        self.assertEqual(r.stdout, want)

    def test_format(self):
        out = os.path.join(self.tmp, "any.name")
        r = self.ok("fill", "-m", "ones", "--shape", "2,3", "-f", "npy", "-o",
                    out)
        np.testing.assert_array_equal(np.load(out), np.ones((2, 3)))
        os.remove(out)
        for fmt, msg in (
                ("safetensors", "--format: 'safetensors' holds named tensors"),
                ("nyp", "--format: unknown format 'nyp' (fill writes npy); "
                 "did you mean npy?"),
                ("gguff", "--format: unknown format 'gguff'")):
            err = self.usage_error(["fill", "-m", "ones", "--shape", "3",
                                    "--format", fmt, "-o", "OUT"])
            self.assertIn(msg, err)

    def test_did_you_mean(self):
        base = ["fill", "--shape", "3,4", "--out", "OUT"]
        cases = [
            (["fill", "--methd", "normal"],
             "clinit: fill: unknown option '--methd'; did you mean "
             "--method?"),
            (["fill", "--meth", "normal"],  # prefixes are not accepted
             "clinit: fill: unknown option '--meth'; did you mean "
             "--method?"),
            (["fill", "--shap", "3"],
             "clinit: fill: unknown option '--shap'; did you mean --shape?"),
            (["fill", "-method", "normal"],
             "clinit: fill: unknown option '-method'; did you mean "
             "--method?"),
            (["fill", "--stdd", "1"],
             "clinit: fill: unknown option '--stdd'; did you mean --std?"),
            (["fill", "--frobnicate"],
             "clinit: fill: unknown option '--frobnicate'\n"),
            (["fill", "-a", "1"],
             "clinit: fill: unknown option '-a'; did you mean --a?"),
            (["fill", "-x"], "clinit: fill: unknown option '-x'\n"),
            (["fill", "--quiet=1"], "clinit: --quiet takes no value"),
            (["fill", "--help=1"], "clinit: --help takes no value"),
            (["raw", "--coutn", "4"],
             "clinit: raw: unknown option '--coutn'; did you mean --count?"),
            (["devices", "--hepl"],
             "clinit: devices: unknown option '--hepl'; did you mean "
             "--help?"),
            (["depth", "--layres", "3"],
             "clinit: depth: unknown option '--layres'; did you mean "
             "--layers?"),
            (["fil"], "clinit: unknown command 'fil' (try clinit --help); "
             "did you mean fill?"),
            (["inti"], "did you mean init?"),
            (["frobnicate"], "clinit: unknown command 'frobnicate' (try "
             "clinit --help)\n"),
            (base + ["--method", "kaiming_normall"],
             "--method: unknown method 'kaiming_normall'; did you mean "
             "kaiming_normal?"),
            (base + ["--method", "xavier_unifrom_"],
             "--method: unknown method 'xavier_unifrom_'; did you mean "
             "xavier_uniform?"),
            (base + ["--method", "glorot"],
             "--method: unknown method 'glorot'\n"),
            (base + ["--method", "normal", "--dtype", "bf61"],
             "--dtype: unknown dtype 'bf61' (expected f32, f16, bf16, f64, "
             "f8e4m3 or f8e5m2); did you mean bf16?"),
            (base + ["--method", "kaiming_normal", "--nonlinearity",
                     "leaky_rleu"],
             "--nonlinearity: unknown nonlinearity 'leaky_rleu'; did you "
             "mean leaky_relu?"),
            (base + ["--method", "normal", "--device", "cpux"],
             "--device: 'cpux' is not cpu, opencl or opencl:P.D; did you "
             "mean cpu?"),
            (base + ["--method", "normal", "--device", "gpu"],
             "--device: 'gpu' is not cpu, opencl or opencl:P.D; did you "
             "mean opencl (the first GPU)?"),
        ]
        for args, msg in cases:
            with self.subTest(args=args):
                err = self.usage_error(args)
                self.assertIn(msg, err)
        # a device that is not there: exit 1, the listed ids suggested
        err = self.usage_error(base + ["--method", "normal", "--device",
                                       "opencl:0.9"], 1)
        self.assertIn("no OpenCL device 'opencl:0.9'", err)
        self.assertIn("; did you mean opencl:0.0?", err)


class TestFill(ClinitTest):
    def test_shapes_and_dtypes(self):
        cases = [
            ("uniform", [10], []),
            ("uniform_", [3, 4], ["--a", "-2", "--b", "5"]),
            ("normal", [7, 5], ["--mean", "3", "--std", "0.5"]),
            ("xavier_uniform", [16, 8], ["--gain", "2"]),
            ("xavier_normal", [16, 8, 3], []),
            ("kaiming_uniform", [64, 32, 3, 3], []),
            ("kaiming_normal", [8, 4, 5], ["--mode", "fan_out",
                                           "--nonlinearity", "relu"]),
            ("zeros", [2, 3], []),
            ("ones", [5], []),
            ("constant", [4, 1], ["--val", "0.25"]),
        ]
        for method, shape, extra in cases:
            for dev in DEVICES:
                with self.subTest(method=method, device=dev):
                    a, s, _ = self.fill("--method", method, "--shape",
                                        ",".join(map(str, shape)),
                                        "--device", dev, *extra)
                    self.assertEqual(a.shape, tuple(shape))
                    self.assertEqual(a.dtype, np.float32)
                    self.assertTrue(np.isfinite(a).all())
                    self.assertEqual(s["method"], method.rstrip("_"))
                    self.assertEqual(s["dtype"], "f32")
                    self.assertEqual(int(s["numel"]), a.size)
                    self.assertEqual(s["device"].split(":")[0], dev)
        a, _, _ = self.fill("--method", "uniform", "--shape", "1000",
                            "--a", "-2", "--b", "5")
        self.assertTrue(((a >= -2) & (a < 5)).all())
        a, _, _ = self.fill("--method", "constant", "--shape", "9",
                            "--val", "0.25")
        self.assertTrue((a == np.float32(0.25)).all())
        a, _, _ = self.fill("--method", "ones", "--shape", "9")
        self.assertTrue((a == 1).all())

    def test_npy_header(self):
        for shape in ("1", "5", "2,3", "64,32,3,3", "1,1,1,1,1,1,1,1"):
            _, _, data = self.fill("--method", "normal", "--shape", shape)
            self.assertEqual(data[:8], b"\x93NUMPY\x01\x00")
            hlen = data[8] | (data[9] << 8)
            self.assertEqual((10 + hlen) % 64, 0)
            header = data[10:10 + hlen].decode("latin1")
            self.assertTrue(header.endswith("\n"))
            self.assertIn("'descr': '<f4'", header)
            self.assertIn("'fortran_order': False", header)
            n = np.prod([int(d) for d in shape.split(",")])
            self.assertEqual(len(data), 10 + hlen + 4 * n)

    def test_dtype_names(self):
        # every spelling clinit_dtype_from_name knows, and the .npy descr
        for dtype, descr, canon in (
                ("f32", "<f4", "f32"), ("float32", "<f4", "f32"),
                ("float", "<f4", "f32"), ("f16", "<f2", "f16"),
                ("float16", "<f2", "f16"), ("half", "<f2", "f16"),
                ("bf16", "<u2", "bf16"), ("bfloat16", "<u2", "bf16"),
                ("f64", "<f8", "f64"), ("float64", "<f8", "f64"),
                ("double", "<f8", "f64")):
            with self.subTest(dtype=dtype):
                a, s, data = self.fill("--method", "uniform", "--shape",
                                       "5,3", "--dtype", dtype)
                self.assertEqual(a.dtype, np.dtype(descr))
                self.assertEqual(a.shape, (5, 3))
                self.assertEqual(s["dtype"], canon)
                hlen = data[8] | (data[9] << 8)
                self.assertEqual((10 + hlen) % 64, 0)
                self.assertIn("'descr': '%s'" % descr,
                              data[10:10 + hlen].decode("latin1"))
                self.assertEqual(len(data),
                                 10 + hlen + 15 * np.dtype(descr).itemsize)

    def test_cpu_equals_opencl(self):
        methods = [
            ("uniform", []), ("uniform", ["--a", "-3.5", "--b", "1e-3"]),
            ("normal", []), ("normal", ["--mean", "-1", "--std", "1e-3"]),
            ("xavier_uniform", []), ("xavier_normal", ["--gain", "0.5"]),
            ("kaiming_uniform", ["--a", "0.2"]),
            ("kaiming_normal", ["--nonlinearity", "tanh"]),
            ("constant", ["--val", "-7.125"]), ("zeros", []),
        ]
        shapes = ["1", "7", "65", "3,5", "17,13,3", "64,33,3,3", "5,1,1,127",
                  "130001"]
        seeds = [("0", "0"), ("1", "0"), ("0xdeadbeef", "3"),
                 ("18446744073709551615", "18446744073709551615")]
        k = 0
        for method, extra in methods:
            for shape in shapes:
                if "," not in shape and method.startswith(("xavier",
                                                           "kaiming")):
                    continue
                seed, stream = seeds[k % len(seeds)]
                k += 1
                with self.subTest(method=method, shape=shape, seed=seed):
                    args = ["--method", method, "--shape", shape,
                            "--seed", seed, "--stream", stream] + extra
                    a, sa, da = self.fill(*args, "--device", "cpu")
                    b, sb, db = self.fill(*args, "--device", "opencl")
                    self.assertEqual(da, db)
                    # the same numbers printed, but for the device
                    sa.pop("device"), sb.pop("device")
                    sa.pop("out"), sb.pop("out")
                    self.assertEqual(sa, sb)
        self.assertGreater(k, 40)

    def test_seeds_and_streams_differ(self):
        base, _, _ = self.fill("--method", "normal", "--shape", "256")
        for args in (["--seed", "1"], ["--stream", "1"],
                     ["--seed", "0x100000000"], ["--stream", "0x100000000"]):
            a, _, _ = self.fill("--method", "normal", "--shape", "256", *args)
            self.assertFalse((a == base).any(), args)

    def test_range_equals_slice(self):
        for dev in DEVICES:
            for method in ("uniform", "normal", "kaiming_normal", "ones"):
                shape = "13,11,7"
                whole, _, _ = self.fill("--method", method, "--shape", shape,
                                        "--seed", "42", "--device", dev)
                flat = whole.reshape(-1)
                n = flat.size
                for lo, hi in ((0, n), (0, 1), (5, 70), (63, 65), (64, 128),
                               (n - 1, n), (17, 17), (n, n), (100, 1000)):
                    with self.subTest(device=dev, method=method, lo=lo,
                                      hi=hi):
                        a, s, _ = self.fill("--method", method, "--shape",
                                            shape, "--seed", "42",
                                            "--device", dev,
                                            "--range", "%d:%d" % (lo, hi))
                        self.assertEqual(a.shape, (hi - lo,))
                        self.assertEqual(a.tobytes(), flat[lo:hi].tobytes())
                        self.assertEqual(s["range"], "%d:%d" % (lo, hi))
                        self.assertEqual(int(s["written"]), hi - lo)

    def test_chunk_does_not_change_output(self):
        for dev in DEVICES:
            ref, _, dref = self.fill("--method", "normal", "--shape", "33,31",
                                     "--device", dev)
            for chunk in ("1", "7", "64", "100", "1023"):
                with self.subTest(device=dev, chunk=chunk):
                    _, _, d = self.fill("--method", "normal", "--shape",
                                        "33,31", "--device", dev,
                                        "--chunk", chunk)
                    self.assertEqual(d, dref)
                    _, _, d = self.fill("--method", "normal", "--shape",
                                        "33,31", "--device", dev,
                                        "--chunk", chunk, "--range", "3:700")
                    self.assertEqual(d[-697 * 4:],
                                     ref.reshape(-1)[3:700].tobytes())

    def num(self, s, key):
        return float(s[key])

    def test_torch_formulas(self):
        # kaiming_uniform_ defaults on a conv weight [64, 32, 3, 3]
        _, s, _ = self.fill("--method", "kaiming_uniform_",
                            "--shape", "64,32,3,3")
        self.assertEqual(int(s["fan_in"]), 288)
        self.assertEqual(int(s["fan_out"]), 576)
        self.assertEqual(s["mode"], "fan_in")
        self.assertEqual(s["nonlinearity"], "leaky_relu")
        self.assertAlmostEqual(self.num(s, "gain"), math.sqrt(2), delta=1e-15)
        bound = math.sqrt(3) * math.sqrt(2) / math.sqrt(288)
        self.assertTrue(math.isclose(self.num(s, "bound"), bound,
                                     rel_tol=1e-14))
        self.assertTrue(math.isclose(self.num(s, "hi"), bound, rel_tol=1e-14))
        self.assertTrue(math.isclose(self.num(s, "lo"), -bound,
                                     rel_tol=1e-14))

        cases = [
            # (args, expected {key: value})
            (["--method", "kaiming_normal", "--shape", "64,32,3,3",
              "--mode", "fan_out", "--nonlinearity", "relu"],
             {"fan": 576, "gain": math.sqrt(2),
              "std": math.sqrt(2) / math.sqrt(576)}),
            (["--method", "kaiming_uniform", "--shape", "20,10",
              "--a", "0.2"],
             {"fan": 10, "gain": math.sqrt(2 / (1 + 0.04)),
              "bound": math.sqrt(3) * math.sqrt(2 / 1.04) / math.sqrt(10)}),
            (["--method", "kaiming_normal", "--shape", "20,10",
              "--nonlinearity", "tanh"],
             {"gain": 5 / 3, "std": (5 / 3) / math.sqrt(10)}),
            (["--method", "kaiming_normal", "--shape", "20,10",
              "--nonlinearity", "selu"], {"gain": 0.75}),
            (["--method", "kaiming_normal", "--shape", "20,10",
              "--nonlinearity", "conv2d"], {"gain": 1.0}),
            (["--method", "xavier_uniform", "--shape", "30,20",
              "--gain", "2"],
             {"fan_in": 20, "fan_out": 30, "gain": 2,
              "bound": 2 * math.sqrt(6 / 50)}),
            (["--method", "xavier_normal", "--shape", "16,8,5"],
             {"fan_in": 40, "fan_out": 80, "gain": 1,
              "std": math.sqrt(2 / 120), "mean": 0}),
            (["--method", "uniform", "--shape", "4", "--a", "-1.5",
              "--b", "2.5"], {"lo": -1.5, "hi": 2.5}),
            (["--method", "normal", "--shape", "4", "--mean", "3",
              "--std", "0.25"], {"mean": 3, "std": 0.25}),
            (["--method", "constant", "--shape", "4", "--val", "0.1"],
             {"value": float(np.float32(0.1))}),
        ]
        for args, want in cases:
            with self.subTest(args=args):
                _, s, _ = self.fill(*args)
                for key, v in want.items():
                    self.assertIn(key, s)
                    self.assertTrue(math.isclose(self.num(s, key), v,
                                                 rel_tol=1e-14, abs_tol=0),
                                    "%s: %s != %r" % (key, s[key], v))
        # fans only where used
        _, s, _ = self.fill("--method", "normal", "--shape", "4,5")
        self.assertNotIn("fan_in", s)
        self.assertNotIn("gain", s)

    def test_sample_stats(self):
        for method in ("uniform", "normal", "kaiming_uniform"):
            a, s, _ = self.fill("--method", method, "--shape", "100,50",
                                "--chunk", "999")
            x = a.astype(np.float64)
            self.assertTrue(math.isclose(float(s["sample_mean"]), x.mean(),
                                         rel_tol=1e-7, abs_tol=1e-12))
            self.assertTrue(math.isclose(float(s["sample_std"]), x.std(),
                                         rel_tol=1e-7))
        # 5000 N(0,1) draws: sample mean within 4.5 sigma (alpha ~ 7e-6)
        a, s, _ = self.fill("--method", "normal", "--shape", "5000")
        self.assertLess(abs(float(s["sample_mean"])), 4.5 / math.sqrt(5000))


class TestMethods(ClinitTest):
    """The methods beyond torch's basic ones, in every dtype."""

    def test_every_method_every_dtype(self):
        # loadable .npy with the right shape and dtype, the CPU path and
        # the OpenCL device byte-identical, the same summary, and the
        # sample statistics computed from the right element type
        k = 0
        for method, shape, extra in ALL_METHODS:
            for dtype, descr in DTYPES:
                k += 1
                with self.subTest(method=method, extra=extra, dtype=dtype):
                    args = ["--method", method, "--shape", shape, "--dtype",
                            dtype, "--seed", str(k), "--stream", str(k % 3)]
                    a, sa, da = self.fill(*args, *extra, "--device", "cpu")
                    b, sb, db = self.fill(*args, *extra, "--device",
                                          "opencl")
                    dims = tuple(int(d) for d in shape.split(","))
                    self.assertEqual(a.shape, dims)
                    self.assertEqual(a.dtype, np.dtype(descr))
                    self.assertEqual(da, db)
                    self.assertEqual(sa["method"], method.rstrip("_"))
                    self.assertEqual(sa["dtype"], dtype)
                    self.assertEqual(int(sa["written"]), a.size)
                    for key in ("device", "out"):
                        sa.pop(key), sb.pop(key)
                    self.assertEqual(sa, sb)
                    x = as_f64(a, dtype)
                    self.assertTrue(np.isfinite(x).all())
                    self.assertTrue(math.isclose(
                        float(sa["sample_mean"]), x.mean(), rel_tol=1e-7,
                        abs_tol=1e-12), (sa["sample_mean"], x.mean()))
                    self.assertTrue(math.isclose(
                        float(sa["sample_std"]), x.std(), rel_tol=1e-7,
                        abs_tol=1e-12), (sa["sample_std"], x.std()))
                    self.check_bounds(x, sa, dtype)
        self.assertEqual(k, 4 * len(ALL_METHODS))

    def check_bounds(self, x, s, dtype):
        dist = s["distribution"]
        if dist == "uniform":
            lo, hi = float(s["lo"]), float(s["hi"])
            # the bounds are rounded to the dtype: allow that much
            tol = {"f32": 2.0 ** -24, "f16": 2.0 ** -11, "bf16": 2.0 ** -8,
                   "f64": 0.0}[dtype] * max(abs(lo), abs(hi))
            self.assertGreaterEqual(x.min(), lo - tol)
            self.assertLessEqual(x.max(), hi + tol)
            self.assertGreater(x.max(), x.min())
        elif dist == "truncated_normal":
            # absolute bounds, inclusive, never crossed by rounding
            self.assertGreaterEqual(x.min(), float(s["a"]))
            self.assertLessEqual(x.max(), float(s["b"]))
            self.assertGreater(x.max(), x.min())
        elif dist == "constant":
            self.assertTrue((x == float(s["value"])).all())
        elif dist == "pattern":
            self.assertTrue(np.isin(x, (0.0, 1.0)).all())
        elif dist == "sparse":
            self.assertEqual(int(s["zeros_per_column"]),
                             math.ceil(float(s["sparsity"]) * x.shape[0]))
        else:
            self.assertIn(dist, ("normal", "orthogonal"))

    def test_eye(self):
        k = 0
        for shape in ((37, 29), (29, 37), (1, 1), (1, 6)):
            for dtype, _ in DTYPES:
                k += 1
                with self.subTest(shape=shape, dtype=dtype):
                    a, s, _ = self.fill("--method", "eye", "--shape",
                                        "%d,%d" % shape, "--dtype", dtype,
                                        "--device", DEVICES[k % 2])
                    self.assertEqual(a.shape, shape)
                    x = as_f64(a, dtype)
                    self.assertEqual(x.tolist(), np.eye(*shape).tolist())
                    self.assertEqual(s["distribution"], "pattern")
                    self.assertEqual(s["groups"], "1")

    def test_dirac(self):
        cases = [((6, 3, 3, 5), 1), ((6, 3, 3, 5), 2), ((6, 3, 3, 5), 3),
                 ((6, 3, 3, 5), 6), ((4, 6, 3), 1), ((4, 6, 3), 2),
                 ((8, 2, 3, 3, 3), 2), ((8, 2, 3, 3, 3), 4),
                 ((6, 3, 4, 4), 1), ((2, 5, 1), 1), ((3, 1, 2, 2, 2), 3)]
        for k, (shape, groups) in enumerate(cases):
            dtype, dev = DTYPES[k % len(DTYPES)][0], DEVICES[k % 2]
            with self.subTest(shape=shape, groups=groups, device=dev,
                              dtype=dtype):
                args = ["--method", "dirac_", "--shape",
                        ",".join(map(str, shape)), "--dtype", dtype,
                        "--device", dev]
                if groups != 1 or k == 0:
                    args += ["--groups", str(groups)]
                a, s, _ = self.fill(*args)
                self.assertEqual(a.shape, shape)
                self.assertEqual(as_f64(a, dtype).tolist(),
                                 dirac_ref(shape, groups).tolist())
                self.assertEqual(int(s["groups"]), groups)

    def test_sparse_zeros_per_column(self):
        cases = [("37,29", "0.3"), ("37,29", "0"), ("37,29", "0.99"),
                 ("37,29", "1"), ("10,7", "0.1"), ("1,5", "0.5"),
                 ("64,3", "0.25"), ("5,40", "0.2")]
        k = 0
        for shape, sp in cases:
            rows, cols = map(int, shape.split(","))
            want = math.ceil(float(sp) * rows)  # torch's num_zeros
            for dtype, _ in DTYPES:
                k += 1
                with self.subTest(shape=shape, sparsity=sp, dtype=dtype):
                    # std 1: a drawn value that rounds to 0 is beyond luck
                    a, s, _ = self.fill("--method", "sparse", "--shape",
                                        shape, "--sparsity", sp, "--std",
                                        "1", "--dtype", dtype, "--seed", k,
                                        "--device", DEVICES[k % 2])
                    self.assertEqual(a.shape, (rows, cols))
                    x = as_f64(a, dtype)
                    self.assertEqual((x == 0).sum(axis=0).tolist(),
                                     [want] * cols)
                    self.assertEqual(int(s["zeros_per_column"]), want)
                    self.assertEqual(float(s["std"]), 1.0)
                    if 0 < want < rows and cols > 1:
                        # a permutation per column, not the same rows
                        z = x == 0
                        self.assertFalse((z == z[:, :1]).all())
        # the default std is torch's 0.01
        a, s, _ = self.fill("--method", "sparse", "--shape", "100,20",
                            "--sparsity", "0.5")
        self.assertEqual(float(s["std"]), 0.01)
        nz = a[a != 0]
        self.assertLess(abs(nz.std() - 0.01), 0.002)

    def test_uniform_16bit_stays_below_b(self):
        # 100000 draws: a rounding of [0, 1) to nearest would give 1.0
        # about 2^-12 (f16) / 2^-9 (bf16) of the time
        for dtype in ("f16", "bf16"):
            for dev in DEVICES:
                for lo, hi in (("0", "1"), ("-1", "0.1"), ("-3", "-2"),
                               ("0.5", "0.5625")):
                    with self.subTest(dtype=dtype, device=dev, a=lo, b=hi):
                        a, _, _ = self.fill("--method", "uniform", "--shape",
                                            "100000", "--a", lo, "--b", hi,
                                            "--dtype", dtype, "--device",
                                            dev)
                        x = as_f64(a, dtype)
                        self.assertGreaterEqual(
                            x.min(), dtype_nearest(float(lo), dtype))
                        self.assertLess(x.max(),
                                        dtype_nearest(float(hi), dtype))
                        if hi == "1":
                            self.assertLess(x.max(), 1.0)
                            self.assertGreater(x.max(), 0.99)
                            self.assertGreater(len(np.unique(x)), 100)

    def test_f64_uniform_resolution(self):
        for dev in DEVICES:
            a, _, _ = self.fill("--method", "uniform", "--shape", "1000",
                                "--dtype", "f64", "--device", dev)
            self.assertEqual(a.dtype, np.float64)
            self.assertTrue(((a >= 0) & (a < 1)).all())
            # more than float32's 24 bits: most values are not floats
            not_f32 = a.astype(np.float32).astype(np.float64) != a
            self.assertGreater(not_f32.sum(), 900)
            a, _, _ = self.fill("--method", "uniform", "--shape", "1000",
                                "--dtype", "f64", "--a", "-1e-3", "--b",
                                "1e-3", "--device", dev)
            self.assertTrue(((a >= -1e-3) & (a < 1e-3)).all())
            not_f32 = a.astype(np.float32).astype(np.float64) != a
            self.assertGreater(not_f32.sum(), 900)

    def test_trunc_normal_bounds(self):
        cases = [(None, None, None, None), ("0.5", "2", "-1", "0.75"),
                 ("0", "1", "3", "4"), ("0", "0.01", "-2", "2"),
                 ("-1", "1", "0.1", "0.3"), ("0", "100", "-1", "1"),
                 ("10", "1", "-5", "-4.5")]
        k = 0
        for mean, std, lo, hi in cases:
            for dtype, _ in DTYPES:
                k += 1
                with self.subTest(mean=mean, std=std, a=lo, b=hi,
                                  dtype=dtype):
                    args = ["--method", "trunc_normal", "--shape", "3000",
                            "--dtype", dtype, "--device", DEVICES[k % 2]]
                    if mean is not None:
                        args += ["--mean", mean, "--std", std, "--a", lo,
                                 "--b", hi]
                    a, s, _ = self.fill(*args)
                    x = as_f64(a, dtype)
                    lo_f = -2.0 if lo is None else float(lo)
                    hi_f = 2.0 if hi is None else float(hi)
                    self.assertGreaterEqual(x.min(), lo_f)
                    self.assertLessEqual(x.max(), hi_f)
                    self.assertGreater(len(np.unique(x)), 10)
                    self.assertEqual(float(s["a"]), lo_f)
                    self.assertEqual(float(s["b"]), hi_f)
                    self.assertEqual(s["distribution"], "truncated_normal")

    def test_orthogonal(self):
        tol = {"f32": 1e-5, "f64": 1e-12, "f16": 1e-2, "bf16": 5e-2}
        k = 0
        for shape, gain in (("20,35", None), ("35,20", "2"),
                            ("8,3,3,3", "0.5"), ("5,5", None), ("1,7", None)):
            for dtype, _ in DTYPES:
                k += 1
                with self.subTest(shape=shape, gain=gain, dtype=dtype):
                    args = ["--method", "orthogonal", "--shape", shape,
                            "--dtype", dtype, "--seed", k,
                            "--device", DEVICES[k % 2]]
                    if gain is not None:
                        args += ["--gain", gain]
                    a, s, _ = self.fill(*args)
                    dims = [int(d) for d in shape.split(",")]
                    rows, cols = dims[0], int(np.prod(dims[1:]))
                    self.assertEqual(a.shape, tuple(dims))
                    self.assertEqual((int(s["rows"]), int(s["cols"])),
                                     (rows, cols))
                    g = 1.0 if gain is None else float(gain)
                    self.assertEqual(float(s["gain"]), g)
                    q = as_f64(a, dtype).reshape(rows, cols) / g
                    p = q @ q.T if rows <= cols else q.T @ q
                    err = np.abs(p - np.eye(min(rows, cols))).max()
                    self.assertLess(err, tol[dtype])

    def test_keras_formulas(self):
        # (args, expected printed values); fans of [37, 29]: in 29, out 37
        fan_avg = (29 + 37) / 2
        tn = 0.87962566103423978  # std of N(0,1) truncated to [-2, 2]
        cases = [
            (["variance_scaling"], {"scale": 1, "fan": 29,
                                    "std": math.sqrt(1 / 29) / tn,
                                    "a": -2 * math.sqrt(1 / 29) / tn,
                                    "b": 2 * math.sqrt(1 / 29) / tn},
             {"mode": "fan_in", "vs_distribution": "truncated_normal",
              "distribution": "truncated_normal"}),
            (["variance_scaling", "--scale", "3", "--mode", "fan_avg",
              "--distribution", "uniform"],
             {"fan": fan_avg, "limit": math.sqrt(3 * 3 / fan_avg),
              "hi": math.sqrt(3 * 3 / fan_avg)},
             {"mode": "fan_avg", "vs_distribution": "uniform",
              "distribution": "uniform"}),
            (["variance_scaling", "--mode", "fan_out", "--distribution",
              "untruncated_normal"], {"fan": 37, "std": math.sqrt(1 / 37)},
             {"vs_distribution": "untruncated_normal",
              "distribution": "normal"}),
            (["variance_scaling", "--distribution", "normal"],  # Keras 2
             {"std": math.sqrt(1 / 29) / tn},
             {"vs_distribution": "truncated_normal"}),
            (["lecun_uniform"], {"scale": 1, "limit": math.sqrt(3 / 29)},
             {"mode": "fan_in", "vs_distribution": "uniform"}),
            (["lecun_normal"], {"std": math.sqrt(1 / 29) / tn},
             {"mode": "fan_in", "vs_distribution": "truncated_normal"}),
            (["glorot_uniform"], {"limit": math.sqrt(3 / fan_avg)},
             {"mode": "fan_avg"}),
            (["glorot_normal"], {"fan": fan_avg,
                                 "std": math.sqrt(1 / fan_avg) / tn}, {}),
            (["he_uniform"], {"scale": 2, "limit": math.sqrt(6 / 29)}, {}),
            (["he_normal"], {"scale": 2, "std": math.sqrt(2 / 29) / tn},
             {"mode": "fan_in"}),
            (["trunc_normal"], {"mean": 0, "std": 1, "a": -2, "b": 2},
             {"distribution": "truncated_normal"}),
            (["sparse", "--sparsity", "0.3"],
             {"std": 0.01, "zeros_per_column": 12, "sparsity": 0.3},
             {"distribution": "sparse"}),
        ]
        for args, nums, strs in cases:
            with self.subTest(args=args):
                _, s, _ = self.fill("--method", args[0], "--shape", "37,29",
                                    "--device", "cpu", *args[1:])
                for key, v in nums.items():
                    self.assertIn(key, s)
                    self.assertTrue(math.isclose(float(s[key]), v,
                                                 rel_tol=1e-14),
                                    "%s: %s != %r" % (key, s[key], v))
                for key, v in strs.items():
                    self.assertEqual(s[key], v, key)
                if args[0] != "variance_scaling" and args[0].endswith(
                        ("uniform", "normal")) and args[0] != "trunc_normal":
                    self.assertEqual((int(s["fan_in"]), int(s["fan_out"])),
                                     (29, 37))

    def test_range_and_chunk(self):
        # --range is the slice of the whole tensor and --chunk changes
        # nothing, for the methods with a global structure and for the
        # 2- and 8-byte dtypes on the device path
        cases = [("sparse", "37,29", "f16", ["--sparsity", "0.4"]),
                 ("dirac", "6,3,3,5", "bf16", ["--groups", "3"]),
                 ("eye", "37,29", "f64", []),
                 ("orthogonal", "20,35", "f64", []),
                 ("trunc_normal", "37,29", "f64", []),
                 ("he_uniform", "37,29", "f16", []),
                 ("normal", "37,29", "bf16", [])]
        for k, (method, shape, dtype, extra) in enumerate(cases):
            descr = dict(DTYPES)[dtype]
            # the device path reads back chunk * element size bytes
            dev = "opencl" if k != 2 else "cpu"
            with self.subTest(method=method, dtype=dtype, device=dev):
                base = ["--method", method, "--shape", shape, "--dtype",
                        dtype, "--device", dev, "--seed", "9"] + extra
                whole, _, dwhole = self.fill(*base)
                _, _, d = self.fill(*base, "--chunk", "7")
                self.assertEqual(d, dwhole)
                flat = whole.reshape(-1)
                a, s, _ = self.fill(*base, "--range", "5:261",
                                    "--chunk", "64")
                self.assertEqual(a.dtype, np.dtype(descr))
                self.assertEqual(a.tobytes(), flat[5:261].tobytes())
                self.assertEqual(s["range"], "5:261")


class TestRaw(ClinitTest):
    def test_kat(self):
        for ctr, key, want in PHILOX_KAT:
            for dev in DEVICES:
                with self.subTest(counter=ctr, device=dev):
                    w = self.raw("--key", hexlist(key), "--counter",
                                 hexlist(ctr), "--count", "4",
                                 "--device", dev)
                    self.assertEqual(list(w), list(want))
        # decimal and hex spell the same numbers; counter defaults to 0
        w = self.raw("--key", "0,0", "--counter", "0,0,0,0", "--count", "4")
        self.assertEqual(list(w), list(PHILOX_KAT[0][2]))
        w = self.raw("--key", "0x0,0", "--count", "4")
        self.assertEqual(list(w), list(PHILOX_KAT[0][2]))

    def test_partial_counts(self):
        for dev in DEVICES:
            full = self.raw("--key", "7,9", "--counter", "1,2,3,4",
                            "--count", "64", "--device", dev)
            for n in (0, 1, 2, 3, 5, 6, 7, 9, 63):
                with self.subTest(device=dev, count=n):
                    w = self.raw("--key", "7,9", "--counter", "1,2,3,4",
                                 "--count", n, "--device", dev)
                    self.assertEqual(list(w), list(full[:n]))

    def test_counter_is_128_bit(self):
        ctr0 = (0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF, 0)
        c0 = sum(v << (32 * i) for i, v in enumerate(ctr0))
        ref = self.raw("--key", "5,6", "--counter", hexlist(ctr0),
                       "--count", "43", "--device", "cpu")
        for dev in DEVICES:
            for chunk in ("4", "8", "12", "1048576"):
                with self.subTest(device=dev, chunk=chunk):
                    w = self.raw("--key", "5,6", "--counter", hexlist(ctr0),
                                 "--count", "43", "--device", dev,
                                 "--chunk", chunk)
                    self.assertEqual(list(w), list(ref))
        for k in range(11):
            c = (c0 + k) % (1 << 128)
            ck = [(c >> (32 * i)) & 0xFFFFFFFF for i in range(4)]
            w = self.raw("--key", "5,6", "--counter", hexlist(ck),
                         "--count", "4")
            want = ref[4 * k:4 * k + 4]  # 3 words for the last counter
            self.assertEqual(list(w[:len(want)]), list(want))
        # all-ones counter wraps to zero
        w = self.raw("--key", "0,0", "--counter", hexlist((0xFFFFFFFF,) * 4),
                     "--count", "8", "--chunk", "4")
        self.assertEqual(list(w[4:]), list(PHILOX_KAT[0][2]))

    def test_large_count_crosses_chunks(self):
        n = (1 << 20) + 6  # the default chunk plus a partial counter
        a = self.raw("--key", "1,2", "--count", n, "--device", "cpu")
        b = self.raw("--key", "1,2", "--count", n, "--device", "opencl")
        c = self.raw("--key", "1,2", "--count", n, "--chunk", 1 << 22)
        self.assertEqual(len(a), n)
        self.assertTrue(np.array_equal(a, b))
        self.assertTrue(np.array_equal(a, c))

    def test_stream_words_are_uniform_bits(self):
        for seed, stream, n in (("0", None, 1000), ("12345", "7", 4099),
                                ("0xffffffffffffffff", "1", 1)):
            args = ["--seed", seed, "--count", n]
            fargs = ["--method", "uniform", "--shape", n, "--seed", seed]
            if stream is not None:
                args += ["--stream", stream]
                fargs += ["--stream", stream]
            w = self.raw(*args)
            self.assertEqual(len(w), n)
            want = ((w >> 8).astype(np.float64) * 2.0 ** -24).astype(
                np.float32)
            for dev in DEVICES:
                with self.subTest(seed=seed, device=dev):
                    a, _, _ = self.fill(*fargs, "--device", dev)
                    self.assertEqual(a.tobytes(), want.tobytes())
            # chunking of the seeded words
            w2 = self.raw(*args, "--chunk", "12")
            self.assertEqual(w2.tobytes(), w.tobytes())

    def test_stream_words_differ_by_stream(self):
        a = self.raw("--seed", "3", "--count", "64")
        b = self.raw("--seed", "3", "--stream", "1", "--count", "64")
        self.assertFalse((a == b).any())


class TestErrors(ClinitTest):
    def test_usage_errors(self):
        cases = [
            ["bogus"],
            ["fill", "--method", "bogus", "--shape", "3", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3,x", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3,0", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "-3", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3,", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "1,1,1,1,1,1,1,1,1",
             "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3"],
            ["fill", "--shape", "3", "--out", "OUT"],
            ["fill", "--method", "uniform", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3,4", "--range",
             "0:13", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3,4", "--range",
             "5:4", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3,4", "--range",
             "5", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3", "--dtype", "f8",
             "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3", "--seed", "-1",
             "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3", "--seed",
             "18446744073709551616", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3", "--seed", "1x",
             "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3", "--seed", " 1",
             "--out", "OUT"],
            ["fill", "--method", "normal", "--shape", "3", "--std", "abc",
             "--out", "OUT"],
            ["fill", "--method", "normal", "--shape", "3", "--std", "1e999",
             "--out", "OUT"],
            ["fill", "--method", "normal", "--shape", "3", "--gain", "2",
             "--out", "OUT"],
            ["fill", "--method", "constant", "--shape", "3", "--out", "OUT"],
            ["fill", "--method", "kaiming_normal", "--shape", "3,4",
             "--mode", "fan_avg", "--out", "OUT"],
            ["fill", "--method", "kaiming_normal", "--shape", "3,4",
             "--nonlinearity", "gelu", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3", "--device",
             "gpu", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3", "--out"],
            ["fill", "--method", "uniform", "--shape", "3", "--out", "OUT",
             "stray"],
            ["fill", "--method", "uniform", "--shape", "3", "--out", "OUT",
             "--seed", "1", "--seed", "2"],
            ["fill", "--method", "uniform", "--shape", "3", "--out", "OUT",
             "--key", "1,2"],
            ["fill", "--method", "uniform", "--shape", "3", "--out", "OUT",
             "--chunk", "0"],
            ["raw", "--count", "4"],
            ["raw", "--key", "1", "--count", "4"],
            ["raw", "--key", "1,2,3", "--count", "4"],
            ["raw", "--key", "0x100000000,0", "--count", "4"],
            ["raw", "--key", "1,2", "--counter", "1,2,3", "--count", "4"],
            ["raw", "--key", "1,2"],
            ["raw", "--key", "1,2", "--count", "-4"],
            ["raw", "--key", "1,2", "--count", "4", "--chunk", "6"],
            ["raw", "--seed", "1", "--key", "1,2", "--count", "4"],
            ["raw", "--seed", "1", "--count", "4", "--device", "cpu"],
            ["devices", "extra"],
            # the methods beyond torch's basic ones
            ["fill", "--method", "uniform", "--shape", "3", "--dtype",
             "int8", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3", "--dtype",
             "", "--out", "OUT"],
            ["fill", "--method", "variance_scaling", "--shape", "3,4",
             "--distribution", "gaussian", "--out", "OUT"],
            ["fill", "--method", "variance_scaling", "--shape", "3,4",
             "--mode", "fan_sum", "--out", "OUT"],
            ["fill", "--method", "variance_scaling", "--shape", "3,4",
             "--scale", "x", "--out", "OUT"],
            ["fill", "--method", "uniform", "--shape", "3",
             "--distribution", "uniform", "--out", "OUT"],
            ["fill", "--method", "he_normal", "--shape", "3,4",
             "--scale", "2", "--out", "OUT"],
            ["fill", "--method", "glorot_uniform", "--shape", "3,4",
             "--mode", "fan_in", "--out", "OUT"],
            ["fill", "--method", "lecun_normal", "--shape", "3,4",
             "--distribution", "uniform", "--out", "OUT"],
            ["fill", "--method", "sparse", "--shape", "3,4", "--out", "OUT"],
            ["fill", "--method", "sparse", "--shape", "3,4", "--sparsity",
             "half", "--out", "OUT"],
            ["fill", "--method", "sparse", "--shape", "3,4", "--sparsity",
             "0.5", "--mean", "1", "--out", "OUT"],
            ["fill", "--method", "normal", "--shape", "3,4", "--sparsity",
             "0.5", "--out", "OUT"],
            ["fill", "--method", "dirac", "--shape", "6,3,3", "--groups",
             "0", "--out", "OUT"],
            ["fill", "--method", "dirac", "--shape", "6,3,3", "--groups",
             "-2", "--out", "OUT"],
            ["fill", "--method", "dirac", "--shape", "6,3,3", "--groups",
             "1.5", "--out", "OUT"],
            ["fill", "--method", "dirac", "--shape", "6,3,3", "--groups",
             "2147483648", "--out", "OUT"],
            ["fill", "--method", "dirac", "--shape", "6,3,3", "--gain", "1",
             "--out", "OUT"],
            ["fill", "--method", "eye", "--shape", "3,3", "--groups", "1",
             "--out", "OUT"],
            ["fill", "--method", "eye", "--shape", "3,3", "--val", "1",
             "--out", "OUT"],
            ["fill", "--method", "orthogonal", "--shape", "3,3", "--std",
             "1", "--out", "OUT"],
            ["fill", "--method", "trunc_normal", "--shape", "3", "--gain",
             "1", "--out", "OUT"],
            ["fill", "--method", "trunc_normal", "--shape", "3",
             "--nonlinearity", "relu", "--out", "OUT"],
            ["fill", "--method", "trunc_normal", "--shape", "3", "--a",
             "low", "--out", "OUT"],
            ["fill", "--method", "kaiming_uniform", "--shape", "3,4",
             "--scale", "2", "--out", "OUT"],
        ]
        for args in cases:
            with self.subTest(args=args):
                self.usage_error(args, 2)

    def test_library_rejections_exit_2_naming_the_flag(self):
        # Well-formed numbers that the library rejects are bad input: exit
        # 2, one line naming the flag at fault (and what is wrong).
        cases = [
            (["--method", "normal", "--shape", "3", "--std", "-1"],
             "--std", "param"),
            (["--method", "normal", "--shape", "3", "--std", "nan"],
             "--std", "param"),
            (["--method", "uniform", "--shape", "3", "--a", "2", "--b", "1"],
             "--a", "param"),
            (["--method", "normal", "--shape", "3", "--mean", "nan"],
             "--mean", "param"),
            (["--method", "kaiming_normal", "--shape", "3,4", "--a", "inf"],
             "--a", "param"),
            (["--method", "xavier_uniform", "--shape", "3"], "--shape", "fan"),
            (["--method", "uniform", "--shape", "4294967296,4294967296"],
             "--shape", "2^56"),
            (["--method", "sparse", "--shape", "3,4", "--sparsity", "1.5"],
             "--sparsity", "param"),
            (["--method", "sparse", "--shape", "3,4", "--sparsity", "-0.1"],
             "--sparsity", "param"),
            (["--method", "sparse", "--shape", "3,4", "--sparsity", "nan"],
             "--sparsity", "param"),
            (["--method", "sparse", "--shape", "3,4", "--sparsity", "0.5",
              "--std", "-1"], "--std", "param"),
            (["--method", "sparse", "--shape", "3,4,5", "--sparsity", "0.5"],
             "--shape", "shape"),
            (["--method", "dirac", "--shape", "6,3,3", "--groups", "4"],
             "--groups", "param"),
            (["--method", "dirac", "--shape", "4,3,3", "--groups", "3"],
             "--groups", "param"),
            (["--method", "dirac", "--shape", "6,3"], "--shape", "shape"),
            (["--method", "dirac", "--shape", "6,3,1,1,1,1"], "--shape",
             "shape"),
            (["--method", "eye", "--shape", "3,3,3"], "--shape", "shape"),
            (["--method", "eye", "--shape", "3"], "--shape", "shape"),
            (["--method", "orthogonal", "--shape", "3"], "--shape", "shape"),
            (["--method", "orthogonal", "--shape", "3,3", "--gain", "inf"],
             "--gain", "param"),
            (["--method", "variance_scaling", "--shape", "3,4", "--scale",
              "0"], "--scale", "param"),
            (["--method", "variance_scaling", "--shape", "3,4", "--scale",
              "-1"], "--scale", "param"),
            (["--method", "glorot_normal", "--shape", "3"], "--shape", "fan"),
            (["--method", "trunc_normal", "--shape", "3", "--a", "2",
              "--b", "1"], "--a", "param"),
            (["--method", "trunc_normal", "--shape", "3", "--std", "0"],
             "--std", "param"),
            (["--method", "trunc_normal", "--shape", "3", "--b", "inf"],
             "--b", "param"),
        ]
        for args, flag, word in cases:
            with self.subTest(args=args):
                err = self.usage_error(["fill"] + args + ["--out", "OUT"], 2)
                self.assertTrue(err.startswith("clinit: %s: " % flag), err)
                self.assertIn(word, err.lower())

    def test_orthogonal_size_cap(self):
        # The QR cap (clinit_model.h): its own status text, on --shape,
        # before any device or file is touched; the largest shapes under
        # the cap are accepted by the check (not run: ~10 s each).
        for shape in ("4097,4097", "4096,16384", "2049,2048", "1024,4097",
                      "16777217,1"):
            with self.subTest(shape=shape):
                err = self.usage_error(["fill", "--method", "orthogonal",
                                        "--shape", shape, "--out", "OUT"], 2)
                self.assertTrue(err.startswith("clinit: --shape: "), err)
                self.assertIn("too large for the host QR", err)
                self.assertNotIn("overflow", err)
        r = run("fill", "--method", "orthogonal", "--shape", "64,64",
                "--device", "cpu", "--out", os.path.join(self.tmp, "o.npy"))
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_library_failures_exit_1(self):
        # The environment, not the input: exit 1 (raw --count past the
        # stream is input: 2).
        err = self.usage_error(["raw", "--seed", "1", "--count",
                                str((1 << 56) + 1)], 2)
        self.assertTrue(err.startswith("clinit: --count: "), err)
        self.assertIn("overflow", err)
        err = self.usage_error(["fill", "--method", "uniform", "--shape", "3",
                                "--device", "opencl:99.0", "--out", "OUT"], 1)
        err = self.usage_error(["fill", "--method", "uniform", "--shape", "3",
                                "--out", os.path.join(self.tmp, "no", "x")],
                               1)

    def test_constant_must_be_finite_in_dtype(self):
        # 70000 is past f16's largest value (65504) and rounds to infinity;
        # 3.4e38 rounds to infinity in bf16: the library rejects both
        for val, dtype in (("70000", "f16"), ("3.4e38", "bf16"),
                           ("1e39", "f32")):
            with self.subTest(val=val, dtype=dtype):
                err = self.usage_error(["fill", "--method", "constant",
                                        "--shape", "3", "--val", val,
                                        "--dtype", dtype, "--out", "OUT"], 2)
                self.assertTrue(err.startswith("clinit: --val: "), err)
                self.assertIn("param", err)

    def test_write_failure(self):
        # A full disk: exit 1, one line; a device node is never removed.
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        for shape in ("3", "100000"):
            r = run("fill", "--method", "normal", "--shape", shape,
                    "--device", "cpu", "--out", "/dev/full")
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stdout, b"")
            self.assertEqual(r.stderr.count(b"\n"), 1)
            self.assertIn(b"writing '/dev/full'", r.stderr)
            self.assertTrue(os.path.exists("/dev/full"))

    def test_bad_env_device(self):
        env = dict(os.environ, CLINIT_DEVICE="nonsense")
        r = run("fill", "--method", "uniform", "--shape", "3", "--out",
                os.path.join(self.tmp, "x.npy"), env=env)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.count(b"\n"), 1)
        self.assertIn(b"CLINIT_DEVICE", r.stderr)


if __name__ == "__main__":
    CLINIT = clitest.binary_from_argv(__doc__)
    unittest.main(verbosity=2)
