#!/usr/bin/python3
"""End-to-end tests of `clinit init MODEL.json --out FILE.safetensors`.

usage: /usr/bin/python3 tests/test_init.py path/to/clinit [unittest args]

Reads the .safetensors files back with json + numpy only (the format is
an 8-byte little-endian header length, a JSON header, raw data), checks
names, shapes, dtypes, __metadata__ and statistics, and that the CPU path
and the OpenCL device write byte-identical files. Needs numpy (only the
system python has it) and an OpenCL device (pocl). Exit status is
non-zero on any failure.
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import clitest

CLINIT = None  # set from argv[1]
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "examples")

ST_DTYPES = {"F32": ("<f4", 4), "F64": ("<f8", 8), "F16": ("<f2", 2),
             "BF16": ("<u2", 2)}

# A small transformer plus one of every other layer kind: a conv patch
# embedding, a class token, an orthogonal tensor, mixed dtypes, and tensors
# large enough to be split across staging chunks.
SMALL_TRANSFORMER = {
    "name": "tiny_transformer",
    "seed": 1234,
    "rules": {
        "linear.weight": {"method": "normal", "std": 0.02},
        "linear.bias": {"method": "zeros"},
    },
    "layers": [
        {"kind": "conv2d", "name": "patch_embed.proj", "in": 3, "out": 64,
         "kernel": 4},
        {"kind": "tensor", "name": "cls_token", "shape": [1, 1, 64],
         "method": "trunc_normal", "std": 0.02, "a": -0.04, "b": 0.04},
        {"kind": "embedding", "name": "wte", "num": 1000, "dim": 64},
        {"kind": "repeat", "name": "h", "count": 2, "layers": [
            {"kind": "layer_norm", "name": "ln_1", "dim": 64},
            {"kind": "linear", "name": "attn.qkv", "in": 64, "out": 192},
            {"kind": "linear", "name": "attn.proj", "in": 64, "out": 64,
             "init": {"weight": {"method": "normal", "std": 0.01}}},
            {"kind": "layer_norm", "name": "ln_2", "dim": 64,
             "dtype": "bf16"},
            {"kind": "linear", "name": "mlp.fc", "in": 64, "out": 256,
             "dtype": "f16",
             "init": {"weight": {"method": "xavier_uniform", "gain": 0.5}}},
            {"kind": "linear", "name": "mlp.proj", "in": 256, "out": 64,
             "dtype": "f64",
             "init": {"weight": {"method": "kaiming_uniform", "a": 2.23606797749979},
                      "bias": {"method": "uniform", "a": -0.0625,
                               "b": 0.0625}}},
        ]},
        {"kind": "layer_norm", "name": "ln_f", "dim": 64},
        {"kind": "tensor", "name": "rot", "shape": [48, 32],
         "method": "orthogonal", "gain": 1.5},
        {"kind": "tensor", "name": "sparse", "shape": [40, 30],
         "method": "sparse", "sparsity": 0.25},
    ],
}


def run(*args, timeout=300):
    return subprocess.run([CLINIT] + [str(a) for a in args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)


def read_safetensors(path):
    """(metadata, [(name, dtype, shape, float64 array, raw bytes)]) in file
    order, after checking the layout."""
    with open(path, "rb") as f:
        blob = f.read()
    n = int.from_bytes(blob[:8], "little")
    assert n % 8 == 0, "header length %d is not a multiple of 8" % n
    text = blob[8:8 + n].decode("utf-8")
    assert text.rstrip(" ") == text.rstrip(), "header padded with non-spaces"
    pairs = json.loads(text, object_pairs_hook=list)
    meta, tensors, end = None, [], 0
    data = blob[8 + n:]
    for name, d in pairs:
        if name == "__metadata__":
            meta = dict(d)
            continue
        d = dict(d)
        assert set(d) == {"dtype", "shape", "data_offsets"}, d
        descr, size = ST_DTYPES[d["dtype"]]
        begin, stop = d["data_offsets"]
        assert begin == end, "%s starts at %d, previous ended at %d" % (
            name, begin, end)
        count = int(np.prod(d["shape"]))
        assert stop - begin == count * size, name
        raw = data[begin:stop]
        a = np.frombuffer(raw, dtype=descr)
        if d["dtype"] == "BF16":
            a = (a.astype(np.uint32) << 16).view(np.float32)
        tensors.append((name, d["dtype"], list(d["shape"]),
                        a.astype(np.float64).reshape(d["shape"]), raw))
        end = stop
    assert end == len(data), "data is %d bytes, offsets cover %d" % (
        len(data), end)
    return meta, tensors


def bf16_round(x):
    """float32 array -> bfloat16 values (RNE) as float64."""
    u = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint32) << 16
    return u.view(np.float32).astype(np.float64)


def trunc_std(mean, std, a, b):
    al, be = (a - mean) / std, (b - mean) / std
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    z = 0.5 * (math.erf(be / math.sqrt(2)) - math.erf(al / math.sqrt(2)))
    m = (phi(al) - phi(be)) / z
    return std * math.sqrt(1 + (al * phi(al) - be * phi(be)) / z - m * m)


def fans(shape):
    rf = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * rf, shape[0] * rf


class Init(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = run("init", "--help")
        if r.returncode != 0:
            raise RuntimeError("%s has no init command (tools/clinit.c must "
                               "dispatch to clinit_cmd_init): %s" %
                               (CLINIT, r.stderr.decode().strip()))
        cls.tmpdir = tempfile.TemporaryDirectory()
        cls.tmp = cls.tmpdir.name
        cls.tiny = os.path.join(cls.tmp, "tiny.json")
        with open(cls.tiny, "w") as f:
            json.dump(SMALL_TRANSFORMER, f, indent=1)

    @classmethod
    def tearDownClass(cls):
        cls.tmpdir.cleanup()

    def init(self, spec, out, *args, expect=0):
        r = run("init", spec, "--out", out, *args)
        self.assertEqual(r.returncode, expect, r.stderr.decode())
        return r

    def bytes_of(self, path):
        with open(path, "rb") as f:
            return f.read()

    # ---- seed_net ----------------------------------------------------------

    def test_seed_net(self):
        out = os.path.join(self.tmp, "seed_net.safetensors")
        r = self.init(os.path.join(EXAMPLES, "seed_net.json"), out,
                      "--device", "cpu")
        self.assertEqual(r.stderr, b"")  # no progress bar: not a terminal
        meta, ts = read_safetensors(out)
        self.assertEqual([(t[0], t[1], t[2]) for t in ts], [
            ("fc1.weight", "F32", [2, 1]), ("fc1.bias", "F32", [2]),
            ("fc2.weight", "F32", [1, 2]), ("fc2.bias", "F32", [1])])
        version = run("version").stdout.decode().split()[1]
        self.assertEqual(meta["format"], "pt")
        self.assertEqual(meta["clinit_version"], version)
        self.assertEqual(meta["stream_contract"], "1")
        self.assertEqual(meta["seed"], "0")
        self.assertEqual(meta["model"], "seed_net")
        self.assertRegex(meta["spec_hash"], r"^[0-9a-f]{16}$")
        vals = {t[0]: t[3] for t in ts}
        for b in ("fc1.bias", "fc2.bias"):
            np.testing.assert_array_equal(vals[b], np.float32(0.01))
        for w in ("fc1.weight", "fc2.weight"):
            bound = math.sqrt(6.0 / 3.0)  # xavier: fan_in + fan_out = 3
            self.assertTrue(np.all(np.abs(vals[w]) < bound), vals[w])
        self.assertNotEqual(vals["fc1.weight"].tolist(),
                            vals["fc2.weight"].tolist())
        # the table: a header, one line per tensor, a total line
        lines = r.stdout.decode().splitlines()
        self.assertEqual(lines[0].split()[:3], ["name", "shape", "dtype"])
        self.assertEqual(len(lines), 1 + 4 + 1)
        self.assertTrue(lines[5].startswith(
            "total: 4 tensors, 7 parameters (0.0M), 28 bytes, "), lines[5])
        self.assertIn("xavier_uniform", lines[1])
        self.assertIn("U(+-1.414)", lines[1])

    # ---- the small transformer ----------------------------------------------

    def expected_tensors(self):
        """(name, dtype, shape) in spec order."""
        out = [("patch_embed.proj.weight", "F32", [64, 3, 4, 4]),
               ("patch_embed.proj.bias", "F32", [64]),
               ("cls_token", "F32", [1, 1, 64]),
               ("wte.weight", "F32", [1000, 64])]
        for i in range(2):
            p = "h.%d." % i
            out += [(p + "ln_1.weight", "F32", [64]),
                    (p + "ln_1.bias", "F32", [64]),
                    (p + "attn.qkv.weight", "F32", [192, 64]),
                    (p + "attn.qkv.bias", "F32", [192]),
                    (p + "attn.proj.weight", "F32", [64, 64]),
                    (p + "attn.proj.bias", "F32", [64]),
                    (p + "ln_2.weight", "BF16", [64]),
                    (p + "ln_2.bias", "BF16", [64]),
                    (p + "mlp.fc.weight", "F16", [256, 64]),
                    (p + "mlp.fc.bias", "F16", [256]),
                    (p + "mlp.proj.weight", "F64", [64, 256]),
                    (p + "mlp.proj.bias", "F64", [64])]
        out += [("ln_f.weight", "F32", [64]), ("ln_f.bias", "F32", [64]),
                ("rot", "F32", [48, 32]), ("sparse", "F32", [40, 30])]
        return out

    def expected_law(self, name, shape):
        """('const', value) or (std, kurtosis) of the tensor's values."""
        if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or \
                name == "ln_f.weight":
            return ("const", 1.0)
        if name.endswith(".bias") and "mlp.proj" not in name:
            return ("const", 0.0)
        if name == "patch_embed.proj.weight":  # kaiming_normal fan_out relu
            return (math.sqrt(2.0) / math.sqrt(fans(shape)[1]), 3.0)
        if name == "cls_token":
            return (trunc_std(0, 0.02, -0.04, 0.04), None)
        if name == "wte.weight":
            return (0.02, 3.0)
        if name.endswith("attn.qkv.weight"):
            return (0.02, 3.0)
        if name.endswith("attn.proj.weight"):
            return (0.01, 3.0)
        if name.endswith("mlp.fc.weight"):  # xavier_uniform gain 0.5
            fi, fo = fans(shape)
            return (0.5 * math.sqrt(2.0 / (fi + fo)), 1.8)
        if name.endswith("mlp.proj.weight"):  # bound 1/sqrt(fan_in)
            return (1 / math.sqrt(fans(shape)[0]) / math.sqrt(3), 1.8)
        if name.endswith("mlp.proj.bias"):
            return (0.0625 / math.sqrt(3), 1.8)
        if name == "rot":  # gain * orthonormal columns
            return ("orthogonal", 1.5)
        if name == "sparse":  # normal(0, 0.01), 10 zeros per column
            return (0.01 * math.sqrt(1 - 10 / 40), None)
        raise AssertionError(name)

    def test_small_transformer(self):
        out = os.path.join(self.tmp, "tiny.safetensors")
        r = self.init(self.tiny, out, "--device", "cpu")
        meta, ts = read_safetensors(out)
        self.assertEqual([(t[0], t[1], t[2]) for t in ts],
                         self.expected_tensors())
        self.assertEqual(meta["seed"], "1234")
        self.assertEqual(meta["model"], "tiny_transformer")
        for name, dtype, shape, a, _ in ts:
            law = self.expected_law(name, shape)
            if law[0] == "const":
                np.testing.assert_array_equal(a, law[1], err_msg=name)
                continue
            if law[0] == "orthogonal":
                q = a.reshape(shape[0], -1)  # 48 x 32: orthonormal columns
                np.testing.assert_allclose(q.T @ q, law[1] ** 2 * np.eye(32),
                                           atol=1e-5, err_msg=name)
                continue
            std, kurt = law
            n = a.size
            # The sample std's own std is std * sqrt((kurtosis - 1) / 4n);
            # 6 of those (two-sided alpha 2e-9), plus the rounding of
            # 16-bit dtypes.
            spread = math.sqrt(((kurt or 3.0) - 1) / (4 * n))
            tol = 6 * std * spread + (std * 2 ** -8 if dtype in ("F16", "BF16")
                                      else 0)
            self.assertLess(abs(a.std() - std), tol,
                            "%s: std %.6g, expected %.6g +- %.3g" % (
                                name, a.std(), std, tol))
            self.assertLess(abs(a.mean()), 6 * std / math.sqrt(n) + 1e-12,
                            name)
        vals = {t[0]: t[3] for t in ts}
        self.assertTrue(np.all(np.abs(vals["cls_token"]) <= 0.04))
        self.assertTrue(np.all(np.abs(vals["h.0.mlp.proj.bias"]) < 0.0625))
        self.assertTrue(np.all((vals["sparse"] == 0).sum(axis=0) == 10))
        # the table's expected std agrees with ours; sample std is close
        rows = {l.split()[0]: l.split() for l in
                r.stdout.decode().splitlines()[1:-1]}
        for name, dtype, shape, a, _ in ts:
            law = self.expected_law(name, shape)
            if law[0] in ("const", "orthogonal"):
                continue
            exp_std, sample_std = float(rows[name][-2]), float(rows[name][-1])
            self.assertAlmostEqual(exp_std / law[0], 1, 4, name)
            self.assertLess(abs(sample_std - a.std()), 0.05 * law[0], name)
        total = r.stdout.decode().splitlines()[-1]
        numel = sum(int(np.prod(s)) for _, _, s in self.expected_tensors())
        self.assertIn("%d tensors, %d parameters" % (len(ts), numel), total)

    def test_same_bytes_everywhere(self):
        """cpu == opencl == another chunk size == a second run."""
        files = {}
        for tag, args in (("cpu", ("--device", "cpu")),
                          ("cl", ("--device", "opencl")),
                          ("cl_chunk", ("--device", "opencl", "--chunk",
                                        "4096")),
                          ("cpu_chunk", ("--device", "cpu", "--chunk",
                                         "1000")),
                          ("cpu2", ("--device", "cpu"))):
            out = os.path.join(self.tmp, "same_%s.safetensors" % tag)
            self.init(self.tiny, out, "--quiet", *args)
            files[tag] = self.bytes_of(out)
        for tag in files:
            self.assertEqual(files[tag], files["cpu"],
                             "%s differs from cpu" % tag)

    def test_gpt2_like_small_device_equality_with_big_tensor(self):
        # a tensor bigger than the staging buffer, split across chunks
        spec = {"layers": [
            {"kind": "embedding", "name": "wte", "num": 5000, "dim": 64},
            {"kind": "linear", "name": "head", "in": 64, "out": 33}]}
        path = os.path.join(self.tmp, "big.json")
        with open(path, "w") as f:
            json.dump(spec, f)
        a = os.path.join(self.tmp, "big_cpu.safetensors")
        b = os.path.join(self.tmp, "big_cl.safetensors")
        self.init(path, a, "--quiet", "--device", "cpu", "--chunk", "65536")
        self.init(path, b, "--quiet", "--device", "opencl", "--chunk", "65600")
        self.assertEqual(self.bytes_of(a), self.bytes_of(b))

    def test_overrides(self):
        base = os.path.join(self.tmp, "ov_base.safetensors")
        seeded = os.path.join(self.tmp, "ov_seed.safetensors")
        bf = os.path.join(self.tmp, "ov_bf16.safetensors")
        self.init(self.tiny, base, "--quiet", "--device", "cpu")
        self.init(self.tiny, seeded, "--quiet", "--device", "cpu", "--seed",
                  "0x10")
        self.init(self.tiny, bf, "--quiet", "--device", "opencl", "--dtype",
                  "bf16")
        mb, tb = read_safetensors(base)
        ms, tsd = read_safetensors(seeded)
        m16, t16 = read_safetensors(bf)
        self.assertEqual(ms["seed"], "16")
        self.assertEqual(ms["spec_hash"], mb["spec_hash"])  # seed not hashed
        self.assertNotEqual(m16["spec_hash"], mb["spec_hash"])
        self.assertFalse(np.array_equal(tb[3][3], tsd[3][3]))
        self.assertEqual({t[1] for t in t16}, {"BF16"})
        # a normal tensor in bf16 is its f32 values rounded once
        f32 = dict((t[0], t) for t in tb)["wte.weight"]
        b16 = dict((t[0], t) for t in t16)["wte.weight"]
        np.testing.assert_array_equal(bf16_round(f32[3]), b16[3])

    def test_examples_parse_and_count(self):
        for name, tensors, params in (("gpt2_small.json", 148, 124439808),
                                      ("resnet18.json", 62, 11689512)):
            out = os.path.join(self.tmp, name + ".safetensors")
            # --dtype f16 halves the work; the counts do not change
            r = self.init(os.path.join(EXAMPLES, name), out, "--device",
                          "cpu", "--dtype", "f16")
            total = r.stdout.decode().splitlines()[-1]
            self.assertIn("%d tensors, %d parameters" % (tensors, params),
                          total)
            self.assertEqual(os.path.getsize(out) - 8 -
                             int.from_bytes(self.bytes_of(out)[:8], "little"),
                             2 * params)
            os.remove(out)

    # ---- errors --------------------------------------------------------------

    def test_bad_arguments(self):
        out = os.path.join(self.tmp, "bad.safetensors")
        cases = [
            ((), "init: a MODEL.json argument is required"),
            ((self.tiny,), "init: --out is required"),
            ((self.tiny, "--out", ""), "--out: empty file name"),
            ((self.tiny, "--out", out, "--frobnicate", "1"),
             "init: unknown option '--frobnicate'"),
            ((self.tiny, "--out", out, "--seed", "-1"),
             "--seed: '-1' is not a non-negative integer"),
            ((self.tiny, "--out", out, "--seed", "18446744073709551616"),
             "--seed: '18446744073709551616' is not"),
            ((self.tiny, "--out", out, "--dtype", "int8"),
             "--dtype: unknown dtype 'int8'"),
            ((self.tiny, "--out", out, "--device", "gpu"),
             "--device: 'gpu' is not cpu, opencl or opencl:P.D"),
            ((self.tiny, "--out", out, "--chunk", "8"),
             "--chunk: '8' is not a byte count"),
            ((self.tiny, "--out", out, "--out", out), "--out given twice"),
            ((self.tiny, self.tiny, "--out", out), "unexpected argument"),
            ((self.tiny, "--out"), "--out needs a value"),
        ]
        for args, msg in cases:
            r = run("init", *args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertEqual(r.stdout, b"", args)
            self.assertEqual(r.stderr.count(b"\n"), 1, (args, r.stderr))
            self.assertIn(msg, r.stderr.decode(), args)
            self.assertFalse(os.path.exists(out), args)
        r = run("init", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"usage: clinit init", r.stdout)

    def test_spec_errors(self):
        out = os.path.join(self.tmp, "bad.safetensors")
        path = os.path.join(self.tmp, "bad.json")
        cases = [
            ('{"layers": [{"kind": "linear", "name": "a", "in": 3, '
             '"out": -3}]}', "layers[0].out: must be a positive integer "
             "(got -3)"),
            ('{"layers": [{"kind": "linear", "name": "a", "in": 3, '
             '"out": 4}, {"kind": "linear", "name": "a", "in": 3, '
             '"out": 4}]}',
             "layers[1].name: duplicate tensor name 'a.weight'"),
            ('{"layers": [', "line 1, column 12: unexpected end of the JSON "
             "text"),
            ('', "spec: empty (expected a JSON object)"),
            ("[" * 10000, "line 1, column 65: JSON nested deeper than 64 "
             "levels"),
        ]
        for text, msg in cases:
            with open(path, "w") as f:
                f.write(text)
            r = run("init", path, "--out", out)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertEqual(r.stderr.decode(),
                             "clinit: %s: %s\n" % (path, msg))
            self.assertFalse(os.path.exists(out))
        # valid spec, invalid with the dtype override
        with open(path, "w") as f:
            json.dump({"layers": [{"kind": "tensor", "name": "big",
                                   "shape": [3], "method": "constant",
                                   "val": 100000}]}, f)
        r = run("init", path, "--out", out, "--dtype", "f16")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr.count(b"\n"), 1)
        self.assertIn(b"with --dtype f16: big: constant in f16", r.stderr)
        self.assertFalse(os.path.exists(out))

    def test_io_errors(self):
        out = os.path.join(self.tmp, "io.safetensors")
        r = run("init", os.path.join(self.tmp, "missing.json"), "--out", out)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.count(b"\n"), 1)
        self.assertIn(b"cannot read", r.stderr)
        r = run("init", self.tmp, "--out", out)  # a directory
        self.assertEqual(r.returncode, 1)
        r = run("init", self.tiny, "--out",
                os.path.join(self.tmp, "no", "such", "dir.safetensors"))
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.count(b"\n"), 1)
        self.assertIn(b"cannot write", r.stderr)
        if os.path.exists("/dev/full"):
            r = run("init", self.tiny, "--out", "/dev/full", "--device", "cpu")
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stdout, b"")
            self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
            self.assertTrue(os.path.exists("/dev/full"))


if __name__ == "__main__":
    CLINIT = clitest.binary_from_argv(__doc__)
    unittest.main(verbosity=2)
