#!/usr/bin/python3
"""End-to-end tests of `clinit init MODEL.json --out FILE.gguf`.

usage: /usr/bin/python3 tests/test_gguf.py path/to/clinit [unittest args]

Reads the GGUF files back with a reader written here from the GGUF v3
layout (ggml's docs/gguf.md; no gguf package): the header, every metadata
type, the tensor infos (dims in ggml order, types, offsets), the alignment
and the zero padding, and the file's exact size. The tensor data must be
the safetensors output of the same spec and seed, element for element, for
f32, f16 and bf16. Spec errors (dtypes the format cannot hold, a bad
`gguf` value) exit 2 with one line naming the JSON path or the tensor,
nothing written; a failing or interrupted write leaves the old file as it
was. Runs on the CPU path only. Exit status is non-zero on any failure.
"""
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import numpy as np

import clitest

CLINIT = None  # set from argv[1]
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "examples")
MIB = 1 << 20

# ---- an independent GGUF v3 reader ------------------------------------------

# value type id -> (name, struct format; None: variable)
VTYPES = {0: ("u8", "<B"), 1: ("i8", "<b"), 2: ("u16", "<H"),
          3: ("i16", "<h"), 4: ("u32", "<I"), 5: ("i32", "<i"),
          6: ("f32", "<f"), 7: ("bool", "<?"), 8: ("string", None),
          9: ("array", None), 10: ("u64", "<Q"), 11: ("i64", "<q"),
          12: ("f64", "<d")}
GGML_TYPES = {0: ("f32", "<f4", 4), 1: ("f16", "<f2", 2),
              30: ("bf16", "<u2", 2)}


class Reader:
    def __init__(self, data):
        self.d, self.pos = data, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.d, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return v

    def string(self):
        n = self.take("<Q")
        s = self.d[self.pos:self.pos + n]
        assert len(s) == n, "string runs past the end"
        self.pos += n
        return s.decode("utf-8")  # strict: GGUF strings are UTF-8

    def value(self, t):
        if t == 8:
            return self.string()
        if t == 9:
            it, n = self.take("<I"), self.take("<Q")
            assert it != 9, "nested array"
            return (VTYPES[it][0], [self.value(it) for _ in range(n)])
        return self.take(VTYPES[t][1])


def read_gguf(path):
    """{"version", "kv": [(key, type name, value)], "meta": {key: value},
    "tensors": [{"name", "dims", "type", "offset"}], "data_start",
    "alignment", "raw"}. Checks the layout as it goes."""
    with open(path, "rb") as f:
        data = f.read()
    r = Reader(data)
    assert data[:4] == b"GGUF", data[:4]
    r.pos = 4
    version, nt, nkv = r.take("<I"), r.take("<Q"), r.take("<Q")
    kv = []
    for _ in range(nkv):
        key = r.string()
        t = r.take("<I")
        v = r.value(t)
        kv.append((key, v[0] + "[]" if t == 9 else VTYPES[t][0],
                   v[1] if t == 9 else v))
    meta = {k: v for k, _, v in kv}
    assert len(meta) == len(kv), "duplicate keys"
    tensors = []
    for _ in range(nt):
        name = r.string()
        nd = r.take("<I")
        dims = [r.take("<Q") for _ in range(nd)]
        tensors.append({"name": name, "dims": dims, "type": r.take("<I"),
                        "offset": r.take("<Q")})
    align = meta.get("general.alignment", 32)
    start = (r.pos + align - 1) // align * align
    assert data[r.pos:start] == b"\0" * (start - r.pos), "header padding"
    return {"version": version, "kv": kv, "meta": meta, "tensors": tensors,
            "data_start": start, "alignment": align, "raw": data,
            "header_end": r.pos}


def tensor_bytes(g, t):
    n = 1
    for d in t["dims"]:
        n *= d
    return n * GGML_TYPES[t["type"]][2]


def read_safetensors(path):
    """{name: (dtype, shape, bytes)} in file order."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack_from("<Q", data, 0)[0]
    h = json.loads(data[8:8 + n])
    h.pop("__metadata__", None)
    base = 8 + n
    return {k: (v["dtype"], v["shape"],
                data[base + v["data_offsets"][0]:base + v["data_offsets"][1]])
            for k, v in h.items()}


def run(*args, **kw):
    return subprocess.run([CLINIT] + [str(a) for a in args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=kw.pop("timeout", 120), **kw)


# Every layout the format meets: 1-4 dimensions, sizes that need padding,
# a tensor split across --chunk slots, a layer with its own dtype.
MIXED = {
    "name": "mixed",
    "seed": 77,
    "layers": [
        {"kind": "tensor", "name": "odd", "shape": [7], "method": "normal"},
        {"kind": "linear", "name": "fc", "in": 5, "out": 3},
        {"kind": "conv1d", "name": "c1", "in": 2, "out": 3, "kernel": 5},
        {"kind": "conv2d", "name": "c2", "in": 3, "out": 4, "kernel": 3},
        {"kind": "tensor", "name": "big", "shape": [3, 1000],
         "method": "uniform", "a": -1, "b": 1},
        {"kind": "layer_norm", "name": "ln", "dim": 9, "dtype": "f32"},
    ],
}


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmpdir = tempfile.TemporaryDirectory()
        cls.tmp = cls.tmpdir.name

    @classmethod
    def tearDownClass(cls):
        cls.tmpdir.cleanup()

    def spec(self, obj, name="spec.json"):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            json.dump(obj, f)
        return path

    def init(self, spec, out, *extra):
        r = run("init", spec, "--out", out, "--quiet", "--device", "cpu",
                *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        return read_gguf(out) if out.endswith(".gguf") else None

    def old_file(self, name):
        """A small valid GGUF at tmp/name: (path, its bytes)."""
        out = os.path.join(self.tmp, name)
        self.init(self.spec({"layers": [{"kind": "linear", "name": "fc",
                                         "in": 4, "out": 4}]}, "old.json"),
                  out)
        with open(out, "rb") as f:
            return out, f.read()

    def assert_intact(self, path, old):
        with open(path, "rb") as f:
            self.assertEqual(f.read(), old, "the old file changed")
        temps = [n for n in os.listdir(os.path.dirname(path))
                 if ".tmp-" in n]
        self.assertEqual(temps, [], "temporaries left behind")


class Layout(Base):
    def test_llama_tiny(self):
        out = os.path.join(self.tmp, "llama_tiny.gguf")
        g = self.init(os.path.join(EXAMPLES, "llama_tiny.json"), out)
        with open(os.path.join(EXAMPLES, "llama_tiny.json")) as f:
            spec = json.load(f)
        self.assertEqual(g["version"], 3)
        keys = [k for k, _, _ in g["kv"]]
        # general.* first, the spec's keys in spec order, clinit.* last
        self.assertEqual(keys[:2], ["general.architecture", "general.name"])
        self.assertEqual(keys[-4:], ["clinit.version",
                                     "clinit.stream_contract", "clinit.seed",
                                     "clinit.spec_hash"])
        rest = [k for k in spec["gguf"] if k != "general.architecture"]
        self.assertEqual(keys[2:-4], rest)
        types = {k: t for k, t, _ in g["kv"]}
        m = g["meta"]
        self.assertEqual(m["general.architecture"], "llama")
        self.assertEqual(m["general.name"], "llama_tiny")
        for k in ("llama.block_count", "llama.context_length",
                  "llama.attention.head_count_kv",
                  "tokenizer.ggml.bos_token_id", "clinit.stream_contract"):
            self.assertEqual(types[k], "u32", k)
        self.assertEqual(m["llama.attention.head_count_kv"], 2)
        self.assertEqual(types["llama.attention.layer_norm_rms_epsilon"],
                         "f32")
        self.assertAlmostEqual(m["llama.attention.layer_norm_rms_epsilon"],
                               1e-5, delta=1e-12)
        self.assertEqual(types["tokenizer.ggml.tokens"], "string[]")
        self.assertEqual(len(m["tokenizer.ggml.tokens"]), 260)
        self.assertEqual(m["tokenizer.ggml.tokens"][3 + 0x41], "<0x41>")
        self.assertEqual(types["tokenizer.ggml.token_type"], "i32[]")
        self.assertEqual(types["tokenizer.ggml.scores"], "f32[]")
        self.assertEqual(types["tokenizer.ggml.add_bos_token"], "bool")
        self.assertIs(m["tokenizer.ggml.add_bos_token"], True)
        self.assertEqual(types["clinit.seed"], "u64")
        self.assertRegex(m["clinit.spec_hash"], "^[0-9a-f]{16}$")
        names = [t["name"] for t in g["tensors"]]
        self.assertEqual(len(names), 21)
        self.assertEqual(names[:3], ["token_embd.weight",
                                     "blk.0.attn_norm.weight",
                                     "blk.0.attn_q.weight"])
        self.assertEqual(names[-2:], ["output_norm.weight", "output.weight"])
        dims = {t["name"]: t["dims"] for t in g["tensors"]}
        # ggml order: torch's [vocab, dim] is ne = [dim, vocab]
        self.assertEqual(dims["token_embd.weight"], [64, 260])
        self.assertEqual(dims["blk.1.attn_k.weight"], [64, 32])
        self.assertEqual(dims["blk.1.ffn_down.weight"], [128, 64])
        self.assertEqual(dims["output_norm.weight"], [64])
        self.assertEqual({t["type"] for t in g["tensors"]}, {0})
        self.check_offsets(g)
        # the whole file: header, 107,328 f32 parameters, padding
        self.assertEqual(os.path.getsize(out), len(g["raw"]))

    def check_offsets(self, g):
        """Offsets back to back, each a multiple of the alignment, the
        padding zeros, the file ending with the last padded tensor."""
        off, a, raw = 0, g["alignment"], g["raw"]
        self.assertEqual(g["data_start"] % a, 0)
        for t in g["tensors"]:
            self.assertEqual(t["offset"], off, t["name"])
            self.assertEqual(t["offset"] % a, 0)
            end = off + tensor_bytes(g, t)
            padded = (end + a - 1) // a * a
            pad = raw[g["data_start"] + end:g["data_start"] + padded]
            self.assertEqual(pad, b"\0" * (padded - end), t["name"])
            off = padded
        self.assertEqual(len(raw), g["data_start"] + off)

    def test_data_equals_safetensors(self):
        spec = self.spec(MIXED)
        for dt in ("f32", "f16", "bf16"):
            with self.subTest(dtype=dt):
                out = os.path.join(self.tmp, "m_%s.gguf" % dt)
                st = os.path.join(self.tmp, "m_%s.safetensors" % dt)
                # small slots: tensors in pieces, pieces across tensors
                g = self.init(spec, out, "--dtype", dt, "--chunk", "256")
                self.init(spec, st, "--dtype", dt)
                ref = read_safetensors(st)
                self.assertEqual([t["name"] for t in g["tensors"]],
                                 list(ref))
                self.check_offsets(g)
                nonzero = 0
                for t in g["tensors"]:
                    sdt, shape, data = ref[t["name"]]
                    name, np_dt, _ = GGML_TYPES[t["type"]]
                    self.assertEqual(name, dt)
                    self.assertEqual(t["dims"], shape[::-1])
                    b = g["data_start"] + t["offset"]
                    mine = np.frombuffer(g["raw"][b:b + len(data)], np_dt)
                    theirs = np.frombuffer(data, np_dt)
                    # element for element, as bits (NaN-proof)
                    np.testing.assert_array_equal(
                        mine.view("<u%d" % mine.itemsize),
                        theirs.view("<u%d" % theirs.itemsize))
                    nonzero += np.count_nonzero(theirs)
                self.assertGreater(nonzero, 3000)  # not a file of zeros
                self.assertEqual(g["meta"]["clinit.seed"], 77)
                self.assertEqual(g["meta"]["general.architecture"], "clinit")
                self.assertEqual(g["meta"]["general.name"], "mixed")

    def test_mixed_dtypes_and_seed(self):
        spec = dict(MIXED, dtype="bf16")
        out = os.path.join(self.tmp, "mixed.gguf")
        g = self.init(self.spec(spec), out, "--seed", "0xfedcba9876543210")
        types = {t["name"]: GGML_TYPES[t["type"]][0] for t in g["tensors"]}
        self.assertEqual(types["ln.weight"], "f32")
        self.assertEqual(types["fc.weight"], "bf16")
        self.assertEqual(g["meta"]["clinit.seed"], 0xfedcba9876543210)

    def test_alignment(self):
        for align in (1, 8, 64, 4096):
            with self.subTest(align=align):
                spec = dict(MIXED, gguf={"general.alignment": align})
                out = os.path.join(self.tmp, "a%d.gguf" % align)
                g = self.init(self.spec(spec), out)
                self.assertEqual(g["alignment"], align)
                self.assertEqual(dict((k, t) for k, t, _ in g["kv"])
                                 ["general.alignment"], "u32")
                self.check_offsets(g)
                if align == 4096:
                    self.assertEqual(g["data_start"], 4096)

    def test_every_value_type(self):
        vals = {
            "t.u8": {"type": "u8", "value": 255},
            "t.i8": {"type": "i8", "value": -128},
            "t.u16": {"type": "u16", "value": 65535},
            "t.i16": {"type": "i16", "value": -32768},
            "t.u32": {"type": "u32", "value": "0xffffffff"},
            "t.i32": {"type": "i32", "value": -2147483648},
            "t.u64": {"type": "u64", "value": "18446744073709551615"},
            "t.i64": {"type": "i64", "value": "-9223372036854775808"},
            "t.f32": {"type": "f32", "value": 0.1},
            "t.f64": {"type": "f64", "value": 0.1},
            "t.bool": {"type": "bool", "value": False},
            "t.string": {"type": "string", "value": "h\u00e9llo \u2581"},
            "t.au8": {"type": "array", "of": "u8", "value": [0, 1, 255]},
            "t.af64": {"type": "array", "of": "f64", "value": [1.5, -2]},
            "t.aempty": {"type": "array", "of": "string", "value": []},
            "d.u32": 4294967295,
            "d.i32": -5,
            "d.u64": 4294967296,
            "d.i64": -2147483649,
            "d.f32": 1.5,
            "d.bool": True,
            "d.string": "x",
            "a.u32": [1, 2, 3],
            "a.i32": [1, -2],
            "a.u64": [1, 4294967296],
            "a.i64": [-1, 4294967296],
            "a.f32": [1, 2.5],
            "a.bool": [True, False],
            "a.string": ["a", "", "\u00fc"],
            "general.name": "another name",
        }
        spec = dict(MIXED, gguf=vals)
        out = os.path.join(self.tmp, "types.gguf")
        g = self.init(self.spec(spec), out)
        got = {k: (t, v) for k, t, v in g["kv"]}
        want = {
            "t.u8": ("u8", 255), "t.i8": ("i8", -128),
            "t.u16": ("u16", 65535), "t.i16": ("i16", -32768),
            "t.u32": ("u32", 0xffffffff), "t.i32": ("i32", -2 ** 31),
            "t.u64": ("u64", 2 ** 64 - 1), "t.i64": ("i64", -2 ** 63),
            "t.f32": ("f32", float(np.float32(0.1))), "t.f64": ("f64", 0.1),
            "t.bool": ("bool", False), "t.string": ("string", "h\u00e9llo \u2581"),
            "t.au8": ("u8[]", [0, 1, 255]), "t.af64": ("f64[]", [1.5, -2.0]),
            "t.aempty": ("string[]", []),
            "d.u32": ("u32", 4294967295), "d.i32": ("i32", -5),
            "d.u64": ("u64", 4294967296), "d.i64": ("i64", -2147483649),
            "d.f32": ("f32", 1.5), "d.bool": ("bool", True),
            "d.string": ("string", "x"),
            "a.u32": ("u32[]", [1, 2, 3]), "a.i32": ("i32[]", [1, -2]),
            "a.u64": ("u64[]", [1, 4294967296]),
            "a.i64": ("i64[]", [-1, 4294967296]),
            "a.f32": ("f32[]", [1.0, 2.5]),
            "a.bool": ("bool[]", [True, False]),
            "a.string": ("string[]", ["a", "", "\u00fc"]),
            "general.name": ("string", "another name"),
        }
        for k, v in want.items():
            self.assertEqual(got[k], v, k)
        # general.name from the gguf object, once, second
        self.assertEqual([k for k, _, _ in g["kv"]].count("general.name"), 1)
        self.assertEqual(g["kv"][1][0], "general.name")


class Errors(Base):

    def refused(self, spec_text, expect, *extra, out="err.gguf"):
        """exit 2, the one line `clinit: SPEC: expect`, the old file
        untouched, no temporary."""
        out, old = self.old_file(out)
        path = os.path.join(self.tmp, "bad.json")
        with open(path, "w") as f:
            f.write(spec_text)
        r = run("init", path, "--out", out, "--device", "cpu", *extra)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr.decode(), "clinit: %s: %s\n" % (path, expect))
        self.assertEqual(r.stdout, b"")
        self.assert_intact(out, old)

    def test_dtypes_the_format_cannot_hold(self):
        why = ("the gguf format holds f32, f16 and bf16 tensors only (ggml "
               "types F32, F16, BF16)")
        spec = json.dumps(dict(MIXED, dtype="f64"))
        self.refused(spec, "tensor 'odd' is f64 [7]: " + why)
        for dt in ("f8e4m3", "f8e5m2", "f64"):
            with self.subTest(dtype=dt):
                self.refused(json.dumps(MIXED), "with --dtype %s: tensor "
                             "'odd' is %s [7]: %s" % (dt, dt, why),
                             "--dtype", dt)
        # safetensors holds them all: the same spec is fine there
        st = os.path.join(self.tmp, "f64.safetensors")
        self.init(self.spec(dict(MIXED, dtype="f64")), st)

    def test_shapes_and_names_the_format_cannot_hold(self):
        five = {"layers": [{"kind": "tensor", "name": "t5",
                            "shape": [1, 2, 1, 2, 3], "method": "zeros"}]}
        self.refused(json.dumps(five), "tensor 't5' is f32 [1, 2, 1, 2, 3]: "
                     "gguf tensors have at most 4 dimensions (ggml's "
                     "GGML_MAX_DIMS)")
        long_name = "n" * 64
        spec = {"layers": [{"kind": "tensor", "name": long_name,
                            "shape": [2], "method": "zeros"}]}
        self.refused(json.dumps(spec), "tensor '%s' is f32 [2]: gguf tensor "
                     "names are at most 63 bytes (llama.cpp refuses longer "
                     "ones: GGML_MAX_NAME)" % long_name)
        spec["layers"][0]["name"] = "n" * 63
        self.init(self.spec(spec), os.path.join(self.tmp, "n63.gguf"))

    def test_bad_metadata_names_its_path(self):
        cases = [
            ('{"k": null}', 'gguf["k"]: must be a string, a bool, a number, '
             'an array of them or {"type": ..., "value": ...} (got null)'),
            ('{"k": {"type": "u8", "value": 256}}',
             'gguf["k"].value: 256 is out of range for type u8'),
            ('{"k": {"type": "i8", "value": -129}}',
             'gguf["k"].value: -129 is out of range for type i8'),
            ('{"k": {"type": "u32", "value": -1}}',
             'gguf["k"].value: -1 is out of range for type u32'),
            ('{"k": {"type": "u64", "value": "18446744073709551616"}}',
             'gguf["k"].value: must be an integer (a JSON number below 2^53 '
             'in magnitude, or a decimal or 0x hex string) for type u64 '
             '(got a string)'),
            ('{"k": {"type": "u32", "value": 1.5}}',
             'gguf["k"].value: must be an integer (a JSON number below 2^53 '
             'in magnitude, or a decimal or 0x hex string) for type u32 '
             '(got a number)'),
            ('{"k": {"type": "f32", "value": 1e39}}',
             'gguf["k"].value: 1e+39 does not fit type f32 (give {"type": '
             '"f64", "value": ...})'),
            ('{"k": {"type": "bool", "value": 1}}',
             'gguf["k"].value: must be true or false for type bool (got a '
             'number)'),
            ('{"k": {"type": "float", "value": 1}}',
             'gguf["k"].type: must be one of u8, i8, u16, i16, u32, i32, '
             'u64, i64, f32, f64, bool, string, array'),
            ('{"k": {"type": "u32"}}', 'gguf["k"]: missing key \'value\''),
            ('{"k": {"type": "u32", "value": 1, "unit": "s"}}',
             'gguf["k"].unit: unknown key (expected type, value, of)'),
            ('{"k": {"type": "u32", "of": "u8", "value": 1}}',
             'gguf["k"].of: only for type array'),
            ('{"k": {"type": "array", "value": [1]}}',
             'gguf["k"]: missing key \'of\' (the items\' type)'),
            ('{"k": {"type": "array", "of": "array", "value": []}}',
             'gguf["k"].of: arrays of arrays cannot be written (GGUF '
             'readers such as llama.cpp\'s refuse nested arrays)'),
            ('{"k": {"type": "array", "of": "i32", "value": [1, 2, "x"]}}',
             'gguf["k"].value[2]: must be an integer (a JSON number below '
             '2^53 in magnitude, or a decimal or 0x hex string) for type '
             'i32 (got a string)'),
            ('{"k": [[1]]}', 'gguf["k"][0]: arrays of arrays or objects '
             'cannot be written (GGUF readers such as llama.cpp\'s refuse '
             'nested arrays)'),
            ('{"k": [1, "a"]}', 'gguf["k"][1]: an array holds one type: this '
             'item is a string, the first one was not (give {"type": '
             '"array", "of": ...})'),
            ('{"k": []}', 'gguf["k"]: an empty array has no item type: give '
             '{"type": "array", "of": TYPE, "value": []}'),
            ('{"k": 9007199254740993}', 'gguf["k"]: integers of 2^53 and '
             'more lose digits in JSON: give {"type": "u64" or "i64", '
             '"value": "DIGITS"}'),
            ('{"general.alignment": 48}', 'gguf["general.alignment"]: must '
             'be a u32 power of two (llama.cpp refuses other alignments)'),
            ('{"general.alignment": {"type": "u64", "value": 64}}',
             'gguf["general.alignment"]: must be a u32 power of two '
             '(llama.cpp refuses other alignments)'),
            ('{"general.architecture": 5}',
             'gguf["general.architecture"]: must be a string'),
            ('{"clinit.seed": 1}', 'gguf["clinit.seed"]: reserved: clinit '
             'writes the clinit.* keys'),
            ('{"a key": 1}', 'gguf["a key"]: keys are printable ASCII '
             'without spaces (GGUF\'s rule)'),
            ('{"": 1}', 'gguf[""]: keys are 1 to 65535 bytes'),
            ('{"a": 1, "b": 2, "a": 3}', 'gguf["a"]: duplicate key'),
            ('3', 'gguf: must be an object of GGUF metadata (got 3)'),
        ]
        layers = '"layers": [{"kind": "linear", "name": "fc", "in": 2, ' \
                 '"out": 2}]'
        for gguf, expect in cases:
            with self.subTest(gguf=gguf):
                self.refused('{%s, "gguf": %s}' % (layers, gguf), expect)

    def test_other_formats_ignore_the_gguf_object(self):
        spec = self.spec({"layers": [{"kind": "linear", "name": "fc",
                                      "in": 2, "out": 2}],
                          "gguf": {"k": None}})
        st = os.path.join(self.tmp, "ignored.safetensors")
        self.init(spec, st)
        self.assertEqual(list(read_safetensors(st)), ["fc.weight", "fc.bias"])


# 4 MiB of f32: more than a 1 MiB file-size limit
BIG = {"layers": [{"kind": "linear", "name": "fc", "in": 1024, "out": 1024,
                   "bias": False}]}
# 256 MiB of f32 in small slots: long enough to be interrupted midway
HUGE = {"layers": [{"kind": "tensor", "name": "t", "shape": [1 << 26],
                    "method": "uniform"}]}


class Safety(Base):
    def test_file_size_limit_keeps_the_old_file(self):
        out, old = self.old_file("fsize.gguf")

        def limit():
            resource.setrlimit(resource.RLIMIT_FSIZE, (MIB, MIB))
        r = run("init", self.spec(BIG, "big.json"), "--out", out, "--quiet",
                "--device", "cpu", preexec_fn=limit)
        self.assertEqual(r.returncode, 1, r.stderr)
        err = r.stderr.decode()
        self.assertEqual(err.count("\n"), 1, err)
        self.assertIn("File too large", err)
        self.assert_intact(out, old)

    def test_signals_midway_keep_the_old_file(self):
        out, old = self.old_file("sig.gguf")
        spec = self.spec(HUGE, "huge.json")
        for sig in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(sig=sig):
                p = subprocess.Popen(
                    [CLINIT, "init", spec, "--out", out, "--quiet",
                     "--device", "cpu", "--chunk", "65536"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                t0, started = time.monotonic(), False
                while time.monotonic() - t0 < 60 and p.poll() is None:
                    temps = [n for n in os.listdir(self.tmp) if ".tmp-" in n]
                    try:
                        if temps and os.path.getsize(os.path.join(
                                self.tmp, temps[0])) > 4 * MIB:
                            started = True
                            break
                    except FileNotFoundError:
                        pass
                    time.sleep(0.005)
                self.assertTrue(started, "the init ended before the signal")
                p.send_signal(sig)
                p.communicate(timeout=60)
                self.assertEqual(p.returncode, -sig)
                self.assert_intact(out, old)

    def test_replaced_when_complete(self):
        out, old = self.old_file("replace.gguf")
        g = self.init(self.spec(MIXED), out)
        self.assertNotEqual(g["raw"], old)
        self.assertEqual([t["name"] for t in g["tensors"]][0], "odd")


if __name__ == "__main__":
    CLINIT = clitest.binary_from_argv(__doc__)
    unittest.main()
