#!/usr/bin/python3
"""Rule sets of model specs against torch 1.13 itself.

usage: /usr/bin/python3 tests/test_rules.py path/to/clinit path/to/model_dump
       [unittest args]

For every layer kind a spec has, the torch module of the same shape runs
its own reset_parameters() with torch.nn.init's functions wrapped, which
records the init torch calls on each parameter and its arguments. From
them the test derives torch's distribution with torch's own formulas
(_calculate_correct_fan, calculate_gain, 1/math.sqrt(fan_in)) and checks
that clinit's torch rule set resolved to exactly that: the same method,
the same parameters and the same double bound or std (==, not
approximately; tests/model_dump prints them as %.17g). Then every tensor
`clinit init` wrote is tested against that distribution (scipy's
one-sample Kolmogorov-Smirnov test, and the two-sample test against the
values torch itself drew; fixed seeds, so deterministic; alpha 1e-3 each),
and constants must be exact. Also: the textbook set is the old default,
bit for bit (a data hash and spec hash recorded before rule sets existed);
the C API's option; errors with their JSON paths; examples/resnet18.json.
Needs numpy, scipy and torch (the system python). Exit status is non-zero
on any failure.
"""
import hashlib
import inspect
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import scipy.stats
import torch
import torch.nn as nn

import clitest

CLINIT = None      # argv[1]
MODEL_DUMP = None  # argv[2]
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "examples")
ALPHA = 1e-3

# Every layer kind the spec has (docs/MODEL.md §3), in shapes torch builds
# too: fan_in 1 (a 1-input linear, a depthwise 1x1 conv), groups, every
# conv_transpose, dtypes other than f32, a repeat, a tensor layer (rules do
# not apply to it).
MIXED_LAYERS = [
    {"kind": "linear", "name": "fc", "in": 768, "out": 64},
    {"kind": "linear", "name": "fc_one", "in": 1, "out": 4096},
    {"kind": "linear", "name": "fc_nobias", "in": 5, "out": 3, "bias": False},
    {"kind": "linear", "name": "fc_half", "in": 96, "out": 128, "dtype": "f16"},
    {"kind": "conv1d", "name": "c1", "in": 4, "out": 6, "kernel": 5,
     "groups": 2},
    {"kind": "conv2d", "name": "c2", "in": 3, "out": 64, "kernel": 3},
    {"kind": "conv3d", "name": "c3", "in": 2, "out": 8, "kernel": [1, 2, 3],
     "dtype": "f64"},
    {"kind": "conv2d", "name": "dw", "in": 32, "out": 32, "kernel": 1,
     "groups": 32},
    {"kind": "conv_transpose1d", "name": "t1", "in": 6, "out": 4,
     "kernel": 3, "groups": 2},
    {"kind": "conv_transpose2d", "name": "t2", "in": 16, "out": 12,
     "kernel": [3, 2], "groups": 4, "dtype": "bf16"},
    {"kind": "conv_transpose3d", "name": "t3", "in": 3, "out": 5,
     "kernel": 2},
    {"kind": "embedding", "name": "emb", "num": 300, "dim": 32},
    {"kind": "layer_norm", "name": "ln", "dim": [4, 8]},
    {"kind": "layer_norm", "name": "ln_nobias", "dim": 7, "bias": False},
    {"kind": "batch_norm", "name": "bn", "dim": 12},
    {"kind": "tensor", "name": "pos", "shape": [16, 8], "method": "normal",
     "std": 0.5},
    {"kind": "repeat", "name": "blk", "count": 2, "layers": [
        {"kind": "linear", "name": "proj", "in": 48, "out": 40},
        {"kind": "layer_norm", "name": "norm", "dim": 40},
    ]},
]

# MIXED_LAYERS with seed 5 and no rules, as the build before rule sets
# existed wrote it (commit 9e2ad02): sha256 of the tensor data (the bytes
# after the header) and the header's spec_hash.
TEXTBOOK_DATA_SHA256 = \
    "ec4ce764bc7b4f451c6ef514eee2f33ab0c3b9a8a4b93d24bea0a61dcc53917d"
TEXTBOOK_SPEC_HASH = "601af4bba3829b3b"

ST_DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "BF16": "<u2"}

CONV = {"conv1d": nn.Conv1d, "conv2d": nn.Conv2d, "conv3d": nn.Conv3d,
        "conv_transpose1d": nn.ConvTranspose1d,
        "conv_transpose2d": nn.ConvTranspose2d,
        "conv_transpose3d": nn.ConvTranspose3d}

# torch.nn.init's in-place initializers: the ones a reset_parameters may call
INIT_FNS = ("uniform_", "normal_", "constant_", "ones_", "zeros_", "eye_",
            "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
            "kaiming_normal_", "trunc_normal_", "orthogonal_", "sparse_")


def spec(rules=None, layers=MIXED_LAYERS, seed=5):
    s = {"name": "mixed", "seed": seed, "layers": layers}
    if rules is not None:
        s["rules"] = rules
    return s


def write_spec(tmp, s, name="spec.json"):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        json.dump(s, f)
    return path


def dump(path, *opt):
    r = subprocess.run([MODEL_DUMP, path] + list(opt), capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return {d["name"]: d for d in map(json.loads, r.stdout.splitlines())}


def init(path, out):
    return subprocess.run([CLINIT, "init", path, "--out", out, "--device",
                           "cpu", "--quiet"], capture_output=True, text=True,
                          timeout=300)


def read_safetensors(path):
    """(metadata, {name: float64 array}, data bytes)."""
    with open(path, "rb") as f:
        blob = f.read()
    n = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    tensors = {}
    for name, d in header.items():
        if name == "__metadata__":
            continue
        begin, stop = d["data_offsets"]
        a = np.frombuffer(data[begin:stop], dtype=ST_DTYPES[d["dtype"]])
        if d["dtype"] == "BF16":
            a = (a.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = a.astype(np.float64).reshape(d["shape"])
    return header["__metadata__"], tensors, data


def expand(layers, prefix=""):
    """(full layer name, layer) of every layer, repeats expanded."""
    for l in layers:
        if l["kind"] == "repeat":
            for i in range(l["count"]):
                yield from expand(l["layers"],
                                  "%s%s.%d." % (prefix, l["name"], i))
        else:
            yield prefix + l["name"], l


def torch_module(l):
    k, bias = l["kind"], l.get("bias", True)
    if k == "linear":
        return nn.Linear(l["in"], l["out"], bias=bias)
    if k in CONV:
        return CONV[k](l["in"], l["out"], l["kernel"] if isinstance(
            l["kernel"], int) else tuple(l["kernel"]),
            groups=l.get("groups", 1), bias=bias)
    if k == "embedding":
        return nn.Embedding(l["num"], l["dim"])
    if k == "layer_norm":
        d = l["dim"]
        return nn.LayerNorm(d if isinstance(d, int) else tuple(d))
    if k == "batch_norm":
        return nn.BatchNorm1d(l["dim"])
    return None


def torch_calls(module):
    """{param name: (init function, its bound arguments)} of what
    module.reset_parameters() calls at the top level (the initializers call
    each other: only the outermost call counts)."""
    saved = {n: getattr(nn.init, n) for n in INIT_FNS}
    calls, depth = [], [0]

    def wrap(name, fn):
        def w(*args, **kw):
            if depth[0] == 0:
                b = inspect.signature(fn).bind(*args, **kw)
                b.apply_defaults()
                calls.append((name, dict(b.arguments)))
            depth[0] += 1
            try:
                return fn(*args, **kw)
            finally:
                depth[0] -= 1
        return w

    for n, fn in saved.items():
        setattr(nn.init, n, wrap(n, fn))
    try:
        module.reset_parameters()
    finally:
        for n, fn in saved.items():
            setattr(nn.init, n, fn)
    out = {}
    for pname, p in module.named_parameters():
        mine = [(n, a) for n, a in calls if a["tensor"] is p]
        assert len(mine) == 1, "%s: %d init calls" % (pname, len(mine))
        out[pname] = mine[0]
    return out


def torch_distribution(fn, args):
    """What torch's call draws from, by torch.nn.init's own formulas:
    ("uniform", lo, hi) | ("normal", mean, std) | ("constant", v), and a
    description for the table."""
    t = args["tensor"]
    if fn == "kaiming_uniform_":
        fan = nn.init._calculate_correct_fan(t, args["mode"])
        gain = nn.init.calculate_gain(args["nonlinearity"], args["a"])
        bound = math.sqrt(3.0) * (gain / math.sqrt(fan))
        return ("uniform", -bound, bound), \
            "kaiming_uniform_(a=%.6g, %s, %s)" % (args["a"], args["mode"],
                                                  args["nonlinearity"])
    if fn == "uniform_":
        return ("uniform", args["a"], args["b"]), "uniform_(%.4g, %.4g)" % (
            args["a"], args["b"])
    if fn == "normal_":
        return ("normal", args["mean"], args["std"]), "normal_(%g, %g)" % (
            args["mean"], args["std"])
    if fn in ("ones_", "zeros_"):
        return ("constant", 1.0 if fn == "ones_" else 0.0), fn + "()"
    raise AssertionError("no formula for torch.nn.init.%s" % fn)


def params_of(canonical):
    """{key: text} of a canonical line's KEY=VALUE words."""
    return dict(w.split("=", 1) for w in canonical.split()[4:])


def round_to(x, dtype):
    if dtype == "f16":
        return x.astype(np.float16).astype(np.float64)
    if dtype == "bf16":
        u = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
        u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint32) << 16
        return u.view(np.float32).astype(np.float64)
    return x


class TorchRuleSet(unittest.TestCase):
    """"rules": "torch" on every kind against torch 1.13's modules."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        path = write_spec(cls.tmp.name, spec("torch"))
        cls.resolved = dump(path)
        out = os.path.join(cls.tmp.name, "torch.safetensors")
        r = init(path, out)
        assert r.returncode == 0, r.stderr
        _, cls.values, _ = read_safetensors(out)
        cls.table = []

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        sys.stderr.write("\nkind | tensor | torch | clinit | bound/std | "
                         "KS p (formula) | KS p (vs torch's sample)\n")
        for row in cls.table:
            sys.stderr.write(" | ".join(row) + "\n")

    def check_layer(self, full, l):
        module = torch_module(l)
        self.assertIsNotNone(module, l["kind"])
        torch.manual_seed(0)  # torch's own sample, for the 2-sample test
        calls = torch_calls(module)
        dtype = l.get("dtype", "f32")
        for pname, (fn, args) in calls.items():
            name = "%s.%s" % (full, pname)
            if name not in self.resolved:  # layer_norm without bias
                self.assertFalse(l.get("bias", True), name)
                continue
            with self.subTest(tensor=name):
                self.check_tensor(name, l["kind"], pname, fn, args, dtype)

    def check_tensor(self, name, kind, pname, fn, args, dtype):
        got = self.resolved[name]
        t = args["tensor"]
        self.assertEqual(list(self.values[name].shape), list(t.shape),
                         "layout differs from torch's")
        dist, desc = torch_distribution(fn, args)
        self.assertEqual(got["dist"], dist[0])
        kw = params_of(got["canonical"])
        if fn == "kaiming_uniform_":
            fi, fo = nn.init._calculate_fan_in_and_fan_out(t)
            self.assertEqual((got["fan_in"], got["fan_out"]), (fi, fo))
            self.assertEqual(got["method"], "kaiming_uniform")
            self.assertEqual(float(kw["a"]), args["a"])
            self.assertEqual(kw["mode"], args["mode"])
            self.assertEqual(kw["nonlinearity"], args["nonlinearity"])
        else:
            self.assertEqual(got["method"], fn.rstrip("_"))
        if dist[0] == "uniform":
            self.assertEqual((got["lo"], got["hi"]), dist[1:],
                             "bound %.17g, torch %.17g" % (got["hi"], dist[2]))
            ref = scipy.stats.uniform(loc=dist[1], scale=dist[2] - dist[1])
            shown = "U(+-%.17g)" % dist[2]
        elif dist[0] == "normal":
            self.assertEqual((got["mean"], got["std"]), dist[1:])
            ref = scipy.stats.norm(loc=dist[1], scale=dist[2])
            shown = "N(%g, %.17g)" % dist[1:]
        else:
            self.assertEqual(got["value"], dist[1])
            ref, shown = None, "const %g" % dist[1]
        x = self.values[name].ravel()
        if ref is None:
            self.assertTrue(np.all(x == dist[1]), "not all %g" % dist[1])
            p1 = p2 = "exact"
        else:
            p1 = scipy.stats.kstest(x, ref.cdf).pvalue
            theirs = round_to(t.detach().numpy().astype(np.float64).ravel(),
                              dtype)
            p2 = scipy.stats.ks_2samp(x, theirs).pvalue
            self.assertGreater(p1, ALPHA, "KS against %s" % shown)
            self.assertGreater(p2, ALPHA, "KS against torch's sample")
            p1, p2 = "%.3g" % p1, "%.3g" % p2
        self.table.append([kind, name, "%s (n=%d, %s)" % (desc, x.size,
                                                           dtype),
                           got["canonical"].split(None, 3)[3], shown, p1, p2])

    def test_every_kind_against_torch(self):
        seen = set()
        for full, l in expand(MIXED_LAYERS):
            if l["kind"] == "tensor":
                continue
            seen.add(l["kind"])
            self.check_layer(full, l)
        self.assertEqual(seen, {"linear", "embedding", "layer_norm",
                                "batch_norm"} | set(CONV))

    def test_tensor_layers_keep_their_method(self):
        got = self.resolved["pos"]
        self.assertEqual(got["canonical"], "pos f32 [16,8] normal mean=0 "
                         "std=0.5")
        p = scipy.stats.kstest(self.values["pos"].ravel(),
                               scipy.stats.norm(0, 0.5).cdf).pvalue
        self.assertGreater(p, ALPHA)

    def test_c_api_option_is_the_same_set(self):
        """model_dump's argument goes to clinit_model_parse_opts."""
        path = write_spec(self.tmp.name, spec(), "plain.json")
        self.assertEqual(dump(path, "torch"), self.resolved)
        # a set the spec names wins over the caller's
        path = write_spec(self.tmp.name, spec({"base": "torch"}), "b.json")
        self.assertEqual(dump(path, "textbook"), self.resolved)


class TextbookAndOverrides(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def test_textbook_is_the_old_default_bit_for_bit(self):
        for i, rules in enumerate([None, "textbook", {"base": "textbook"},
                                   {}]):
            path = write_spec(self.tmp.name, spec(rules), "s%d.json" % i)
            out = os.path.join(self.tmp.name, "s%d.safetensors" % i)
            r = init(path, out)
            self.assertEqual(r.returncode, 0, r.stderr)
            meta, _, data = read_safetensors(out)
            self.assertEqual(hashlib.sha256(data).hexdigest(),
                             TEXTBOOK_DATA_SHA256, rules)
            self.assertEqual(meta["spec_hash"], TEXTBOOK_SPEC_HASH, rules)

    def test_torch_differs_where_torch_differs(self):
        a = dump(write_spec(self.tmp.name, spec(), "a.json"))
        b = dump(write_spec(self.tmp.name, spec("torch"), "b.json"))
        for name in a:
            same = a[name]["canonical"] == b[name]["canonical"]
            kind = a[name]["kind"]
            self.assertEqual(same, kind in ("tensor", "layer_norm",
                                            "batch_norm"), name)

    def test_base_with_overrides(self):
        d = dump(write_spec(self.tmp.name, spec({
            "base": "torch",
            "linear.bias": {"method": "zeros"},
            "conv_transpose2d.weight": {"method": "xavier_normal"},
            "conv.bias": {"method": "constant", "val": 0.5}})))
        self.assertEqual(d["fc.weight"]["method"], "kaiming_uniform")
        self.assertEqual(d["fc.bias"]["method"], "zeros")
        self.assertEqual(d["t2.weight"]["method"], "xavier_normal")
        self.assertEqual(d["t1.weight"]["method"], "kaiming_uniform")
        self.assertEqual(d["c2.bias"]["canonical"],
                         "c2.bias f32 [64] constant val=0.5")
        self.assertEqual(d["emb.weight"]["std"], 1.0)

    def test_uniform_fan_in_under_textbook(self):
        """The explicit form, with the weight's fan_in; fan_in 1 gives
        exactly U(-1, 1) (fan_in 0 cannot be written: dims are >= 1)."""
        d = dump(write_spec(self.tmp.name, spec({
            "linear.bias": {"method": "uniform_fan_in"},
            "conv.bias": {"method": "uniform_fan_in"}})))
        for full, l in expand(MIXED_LAYERS):
            if l["kind"] not in CONV and l["kind"] != "linear" or \
                    not l.get("bias", True):
                continue
            m = torch_module(l)
            fan_in, _ = nn.init._calculate_fan_in_and_fan_out(m.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            got = d[full + ".bias"]
            self.assertEqual((got["lo"], got["hi"]), (-bound, bound), full)
            self.assertEqual(d[full + ".weight"]["method"],
                             "xavier_uniform" if l["kind"] == "linear"
                             else "kaiming_normal")
        self.assertEqual(d["fc_one.bias"]["canonical"],
                         "fc_one.bias f32 [4096] uniform a=-1 b=1")
        self.assertEqual(d["dw.bias"]["hi"], 1.0)

    def test_resnet18_example_is_torchvision_fc(self):
        d = dump(os.path.join(EXAMPLES, "resnet18.json"))
        m = nn.Linear(512, 1000)
        calls = torch_calls(m)
        for pname in ("weight", "bias"):
            dist, _ = torch_distribution(*calls[pname])
            got = d["fc." + pname]
            self.assertEqual((got["lo"], got["hi"]), dist[1:], pname)
        self.assertEqual(d["fc.bias"]["canonical"],
                         "fc.bias f32 [1000] uniform "
                         "a=-0.044194173824159216 b=0.044194173824159216")
        self.assertEqual(d["conv1.weight"]["canonical"],
                         "conv1.weight f32 [64,3,7,7] kaiming_normal a=0 "
                         "mode=fan_out nonlinearity=relu")


class Errors(unittest.TestCase):
    """Exit 2, one line naming the JSON path, nothing written."""

    CASES = [
        ("pytorch", [], "rules: unknown rule set 'pytorch' (expected "
         "textbook or torch)"),
        ({"base": "keras"}, [], "rules.base: unknown rule set 'keras' "
         "(expected textbook or torch)"),
        ({"base": ["torch"]}, [], "rules.base: must be a rule set name: "
         "textbook or torch (got an array)"),
        (7, [], "rules: must be a rule set name (textbook or torch) or an "
         "object (got 7)"),
        ({"linear.bias": {"method": "uniform_fan_in", "b": 1}}, [],
         "rules[\"linear.bias\"].b: does not apply to method uniform_fan_in "
         "(it takes no parameters)"),
        ({"batch_norm.bias": {"method": "uniform_fan_in"}}, [],
         "rules[\"batch_norm.bias\"]: uniform_fan_in cannot initialize "
         "'bn.bias' [12] f32: the layer's weight [12] has no fan_in (fewer "
         "than 2 dimensions)"),
        ("torch", [{"kind": "linear", "name": "z", "in": 0, "out": 3}],
         "layers[17].in: must be a positive integer (got 0)"),
        ("torch", [{"kind": "conv2d", "name": "z", "in": 2, "out": 3,
                    "kernel": [3, 0]}],
         "layers[17].kernel[1]: must be a positive integer (got 0)"),
    ]

    def test_errors_name_the_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "never.safetensors")
            for rules, extra, want in self.CASES:
                with self.subTest(want=want):
                    path = write_spec(tmp, spec(rules, MIXED_LAYERS + extra))
                    r = init(path, out)
                    self.assertEqual(r.returncode, 2, r.stderr)
                    self.assertEqual(r.stderr, "clinit: %s: %s\n" % (path,
                                                                     want))
                    self.assertFalse(os.path.exists(out))
                    self.assertEqual(os.listdir(tmp), ["spec.json"])


if __name__ == "__main__":
    CLINIT = clitest.binary_from_argv(__doc__)
    MODEL_DUMP = clitest.binary_from_argv(__doc__)
    unittest.main(verbosity=2)
