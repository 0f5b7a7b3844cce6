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
        # the default summary: one row per tensor here (nothing repeats),
        # then the totals, the output and the time
        lines = r.stdout.decode().splitlines()
        self.assertEqual(len(lines), 4 + 3, lines)
        self.assertEqual([l.split()[0] for l in lines[:4]],
                         ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        self.assertEqual(lines[0].split()[1:], ["[2,", "1]", "f32",
                                                "xavier_uniform"])
        self.assertEqual(lines[1].split()[1:], ["[2]", "f32",
                                                "constant(0.01)"])
        self.assertEqual(lines[4], "total: 4 tensors, 7 parameters (0.0M), "
                         "28 bytes (0.0 MB)")
        self.assertEqual(lines[5], "out: %s (safetensors, %d bytes, 0.0 MB)"
                         % (os.path.realpath(out), os.path.getsize(out)))
        self.assertRegex(lines[6], r"^time: \d+\.\d{3} s, \d+\.\d{3} GB/s, "
                         r"\d+\.\d Mparam/s, device cpu$")
        # --table full: a header, one line per tensor, the same footer
        r = self.init(os.path.join(EXAMPLES, "seed_net.json"), out,
                      "--device", "cpu", "--table", "full")
        full = r.stdout.decode().splitlines()
        self.assertEqual(full[0].split()[:3], ["name", "shape", "dtype"])
        self.assertEqual(len(full), 1 + 4 + 3)
        self.assertEqual(full[5:7], lines[4:6])
        self.assertIn("xavier_uniform", full[1])
        self.assertIn("U(+-1.414)", full[1])

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
        r = self.init(self.tiny, out, "--device", "cpu", "--table", "full")
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
                r.stdout.decode().splitlines()[1:-3]}
        for name, dtype, shape, a, _ in ts:
            law = self.expected_law(name, shape)
            if law[0] in ("const", "orthogonal"):
                continue
            exp_std, sample_std = float(rows[name][-2]), float(rows[name][-1])
            self.assertAlmostEqual(exp_std / law[0], 1, 4, name)
            self.assertLess(abs(sample_std - a.std()), 0.05 * law[0], name)
        total = r.stdout.decode().splitlines()[-3]
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
        for name, tensors, params, rows in (
                ("gpt2_small.json", 148, 124439808, 16),
                ("resnet18.json", 62, 11689512, None)):
            out = os.path.join(self.tmp, name + ".safetensors")
            # --dtype f16 halves the work; the counts do not change
            r = self.init(os.path.join(EXAMPLES, name), out, "--device",
                          "cpu", "--dtype", "f16")
            lines = r.stdout.decode().splitlines()
            total = lines[-3]
            self.assertTrue(total.startswith(
                "total: %d tensors, %d parameters" % (tensors, params)),
                total)
            self.assertEqual(lines[-2], "out: %s (safetensors, %d bytes, "
                             "%.1f MB)" % (os.path.realpath(out),
                                           os.path.getsize(out),
                                           os.path.getsize(out) / 1e6))
            self.assertEqual(os.path.getsize(out) - 8 -
                             int.from_bytes(self.bytes_of(out)[:8], "little"),
                             2 * params)
            self.check_summary(lines[:-3], out, tensors, params)
            if rows is not None:
                self.assertEqual(len(lines) - 3, rows, lines)
            if name == "gpt2_small.json":
                self.assertIn("h.{0..11}.attn.c_attn.weight  \u00d712  "
                              "[2304, 768]   f16     normal(0, 0.02)",
                              lines)
                self.assertIn("h.{0..11}.mlp.c_proj.weight   \u00d712  "
                              "[768, 3072]   f16     normal(0, 0.004082)",
                              lines)
                self.assertEqual(lines[0].split(), ["wte.weight",
                                                    "[50257,", "768]", "f16",
                                                    "normal(0,", "0.02)"])
                self.assertEqual(lines[15].split(), ["ln_f.bias", "[768]",
                                                     "f16", "zeros"])
            os.remove(out)

    def check_summary(self, rows, out, tensors, params):
        """The summary's rows against the file: each row's tensors (its
        name with {..} sets expanded, xN of them) are in the file with its
        shape, and they are every tensor once."""
        _, ts = read_safetensors(out)
        shapes = {t[0]: t[2] for t in ts}
        seen = []
        for row in rows:
            parts = row.split("  ")
            parts = [p.strip() for p in parts if p.strip()]
            name, rest = parts[0], parts[1:]
            count = 1
            if rest[0].startswith("\u00d7"):
                count = int(rest[0][1:])
                rest = rest[1:]
            shape = json.loads(rest[0])
            names = [name]
            while any("{" in n for n in names):
                nxt = []
                for n in names:
                    m = re.search(r"\{([^}]*)\}", n)
                    if not m:
                        nxt.append(n)
                        continue
                    vals = []
                    for part in m.group(1).split(","):
                        lo, _, hi = part.partition("..")
                        vals += range(int(lo), int(hi or lo) + 1)
                    nxt += [n[:m.start()] + str(v) + n[m.end():]
                            for v in vals]
                names = nxt
            self.assertEqual(len(names), count, row)
            for n in names:
                self.assertEqual(shapes[n], shape, row)
            seen += names
        self.assertEqual(sorted(seen), sorted(shapes))
        self.assertEqual(len(seen), tensors)
        self.assertEqual(sum(int(np.prod(shapes[n])) for n in seen), params)

    # ---- output options ------------------------------------------------------

    def test_table_none_and_quiet(self):
        out = os.path.join(self.tmp, "quiet.safetensors")
        ref = None
        for args in (("--table", "none"), ("-q",), ("--quiet",),
                     ("--table=none", "-q")):
            r = self.init(self.tiny, out, "--device", "cpu", *args)
            self.assertEqual(r.stdout, b"", args)
            self.assertEqual(r.stderr, b"", args)
            ref = ref or self.bytes_of(out)
            self.assertEqual(self.bytes_of(out), ref, args)
        r = self.init(self.tiny, out, "--device", "cpu", "--table", "full")
        lines = r.stdout.decode().splitlines()
        self.assertEqual(len(lines), 1 + len(self.expected_tensors()) + 3)
        self.assertEqual(self.bytes_of(out), ref)
        # the summary of the tiny transformer: the two blocks collapse
        r = self.init(self.tiny, out, "--device", "cpu")
        lines = r.stdout.decode().splitlines()
        rows = {l.split()[0]: l.split()[1:] for l in lines[:-3]}
        # 2 blocks: {0,1} (runs of 3 or more are written a..b)
        self.assertEqual(rows["h.{0,1}.mlp.fc.weight"], [
            "\u00d72", "[256,", "64]", "f16", "xavier_uniform(gain=0.5)"])
        self.assertEqual(rows["h.{0,1}.mlp.proj.weight"][-1],
                         "kaiming_uniform(a=2.236)")
        self.assertEqual(rows["h.{0,1}.mlp.proj.bias"][-2:],
                         ["uniform(-0.0625,", "0.0625)"])
        self.assertEqual(rows["cls_token"][-4:],
                         ["trunc_normal(0,", "0.02,", "-0.04,", "0.04)"])
        self.assertEqual(rows["patch_embed.proj.weight"][-1],
                         "kaiming_normal(mode=fan_out, nonlinearity=relu)"
                         .split()[-1])
        self.assertEqual(rows["rot"][-1], "orthogonal(gain=1.5)")
        self.assertEqual(rows["sparse"][-2:], ["sparse(0.25,", "0.01)"])
        self.assertEqual(len(rows), 4 + 12 + 4)
        self.check_summary(lines[:-3], out, len(self.expected_tensors()),
                           sum(int(np.prod(s)) for _, _, s in
                               self.expected_tensors()))

    def test_format(self):
        # --format picks the writer by name whatever the extension
        out = os.path.join(self.tmp, "named.bin")
        ref = os.path.join(self.tmp, "named_ref.safetensors")
        self.init(self.tiny, ref, "--device", "cpu", "-q")
        for fmt in ("safetensors", "SafeTensors"):
            self.init(self.tiny, out, "--device", "cpu", "-q", "--format",
                      fmt)
            self.assertEqual(self.bytes_of(out), self.bytes_of(ref), fmt)
        self.init(self.tiny, out, "--device", "cpu", "-q", "-f",
                  "safetensors")
        self.assertEqual(self.bytes_of(out), self.bytes_of(ref))
        os.remove(out)
        for fmt, msg in (("bogus", "--format: unknown format 'bogus' "
                          "(expected safetensors"),
                         ("safetensor", "did you mean safetensors?"),
                         ("npy", "--format: npy holds one unnamed array")):
            r = run("init", self.tiny, "--out", out, "--format", fmt)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
            self.assertIn(msg, r.stderr.decode())
            self.assertFalse(os.path.exists(out))

    def test_out_dash_is_stdout(self):
        # "-" is standard output, never a file named '-'; the summary then
        # goes to stderr and says so
        d = tempfile.mkdtemp(dir=self.tmp)
        path = os.path.join(d, "file.safetensors")
        self.init(self.tiny, path, "--device", "cpu", "-q")
        for out in (("--out", "-"), ("--out=-",), ("-o", "-"), ("-o-",)):
            r = subprocess.run([CLINIT, "init", self.tiny, "--device", "cpu",
                                *out], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=d, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, self.bytes_of(path), out)
            self.assertEqual(os.listdir(d), ["file.safetensors"], out)
            err = r.stderr.decode().splitlines()
            self.assertEqual(err[-2], "out: standard output (safetensors)")
            self.assertTrue(err[-3].startswith("total: %d tensors" %
                                               len(self.expected_tensors())))

    def test_double_dash_and_short_options(self):
        d = tempfile.mkdtemp(dir=self.tmp)
        spec = os.path.join(d, "--model.json")  # named like an option
        with open(spec, "w") as f:
            json.dump(SMALL_TRANSFORMER, f)
        long_ = os.path.join(d, "long.safetensors")
        short = os.path.join(d, "short.safetensors")
        self.init(self.tiny, long_, "--device", "cpu", "--seed", "7",
                  "--dtype", "bf16", "--quiet")
        r = subprocess.run([CLINIT, "init", "-d", "cpu", "-s7", "-t", "bf16",
                            "-qo", short, "--", "--model.json"], cwd=d,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual((r.stdout, r.stderr), (b"", b""))
        self.assertEqual(self.bytes_of(short), self.bytes_of(long_))
        # without "--" it is an unknown option, named
        r = subprocess.run([CLINIT, "init", "-o", short, "--model.json"],
                           cwd=d, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, b"clinit: init: unknown option "
                         b"'--model.json'\n")
        # after "--" an option's name is the MODEL.json
        r = run("init", "-o", short, "--", "--out")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"cannot read '--out'", r.stderr)

    def test_progress_bar_on_a_terminal_only(self):
        # stderr a pseudo-terminal 60 columns wide: frames of the bar
        # redrawn with \r, each with percent, MB done/total, rate, time
        # left and tensors, the last at 100%, then the line is cleared;
        # the summary still goes to stdout
        import fcntl
        import pty
        import struct
        import termios
        out = os.path.join(self.tmp, "bar.safetensors")
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ,
                    struct.pack("HHHH", 24, 60, 0, 0))
        p = subprocess.Popen([CLINIT, "init", self.tiny, "--out", out,
                              "--device", "cpu", "--chunk", "4096"],
                             stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        tty = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            tty += chunk
        os.close(master)
        stdout = p.stdout.read()
        p.stdout.close()
        self.assertEqual(p.wait(timeout=60), 0, tty)
        text = tty.decode()
        self.assertTrue(text.endswith("\r\x1b[K"), repr(text[-80:]))
        frames = [f[:-len("\x1b[K")] for f in text.split("\r")
                  if f.endswith("\x1b[K") and f != "\x1b[K"]
        self.assertGreaterEqual(len(frames), 2, repr(text))
        n = len(self.expected_tensors())
        total = sum(int(np.prod(s)) * {"F32": 4, "F16": 2, "BF16": 2,
                                       "F64": 8}[d]
                    for _, d, s in self.expected_tensors())
        pat = re.compile(r"^\[([#.]+)\] +(\d+\.\d)%  (\d+\.\d)/(\d+\.\d) MB"
                         r"  \d+\.\d MB/s  ETA (\S+)  (\d+)/(\d+)$")
        for f in frames:
            m = pat.match(f)
            self.assertTrue(m, repr(f))
            self.assertLessEqual(len(f), 60, repr(f))
            self.assertEqual(m.group(4), "%.1f" % (total / 1e6))
            self.assertEqual(int(m.group(7)), n)
            self.assertRegex(m.group(5), r"^(--|\d+s|\d+:\d\d(:\d\d)?)$")
        last = pat.match(frames[-1])
        self.assertEqual(last.group(2), "100.0")
        self.assertEqual(last.group(5), "0s")
        self.assertEqual(int(last.group(6)), n)
        self.assertNotIn("." , last.group(1))
        self.assertTrue(stdout.decode().splitlines()[-3].startswith(
            "total: %d tensors" % n))
        # not a terminal: nothing on stderr (test_seed_net), and on a
        # terminal with --quiet no bar either
        master, slave = pty.openpty()
        p = subprocess.Popen([CLINIT, "init", self.tiny, "--out", out,
                              "--device", "cpu", "-q"],
                             stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        tty = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            tty += chunk
        os.close(master)
        self.assertEqual(p.stdout.read(), b"")
        p.stdout.close()
        self.assertEqual(p.wait(timeout=60), 0)
        self.assertEqual(tty, b"")

    # ---- errors --------------------------------------------------------------

    def test_bad_arguments(self):
        out = os.path.join(self.tmp, "bad.safetensors")
        cases = [
            ((), "init: a MODEL.json argument is required"),
            ((self.tiny,), "init: --out is required"),
            ((self.tiny, "--out", ""), "--out: empty file name"),
            ((self.tiny, "--out", out, "--frobnicate", "1"),
             "init: unknown option '--frobnicate'"),
            ((self.tiny, "--out", out, "--sed", "1"),
             "init: unknown option '--sed'; did you mean --seed?"),
            ((self.tiny, "--out", out, "--dev", "cpu"),  # no abbreviations
             "init: unknown option '--dev'; did you mean --device?"),
            ((self.tiny, "--out", out, "-seed", "1"),
             "init: unknown option '-seed'; did you mean --seed?"),
            ((self.tiny, "--out", out, "-x"), "init: unknown option '-x'"),
            ((self.tiny, "--out", out, "--quiet=yes"),
             "--quiet takes no value"),
            ((self.tiny, "--out", out, "-qq"), "--quiet given twice"),
            ((self.tiny, "--out", out, "--dtype", "bf61"),
             "--dtype: unknown dtype 'bf61' (expected f32, f16, bf16, f64, "
             "f8e4m3 or f8e5m2); did you mean bf16?"),
            ((self.tiny, "--out", out, "--table", "fulll"),
             "--table: 'fulll' is not summary, full or none; did you mean "
             "full?"),
            ((self.tiny, "--out", out, "--table", "full", "-q"),
             "--table: 'full' contradicts --quiet"),
            ((self.tiny, "--out", out, "--device", "gpu"),
             "did you mean opencl (the first GPU)?"),
            ((self.tiny, "--out", out, "--device", "cpux"),
             "--device: 'cpux' is not cpu, opencl or opencl:P.D; did you "
             "mean cpu?"),
            ((self.tiny, "--out", "--seed", "1"), "--out needs a value"),
            ((self.tiny, "-o"), "--out needs a value"),
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
        for h in (("init", "--help"), ("init", "-h"), ("help", "init"),
                  ("init", self.tiny, "--help")):
            r = run(*h)
            self.assertEqual(r.returncode, 0, h)
            self.assertEqual(r.stderr, b"", h)
            self.assertTrue(r.stdout.startswith(b"usage: clinit init"), h)
            # init's options only, with the formats of the writer table
            self.assertIn(b"--table", r.stdout)
            self.assertIn(b"--format F    the file format: safetensors",
                          r.stdout)
            self.assertNotIn(b"--method", r.stdout)

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
