#!/usr/bin/python3
"""Sharded checkpoints: `clinit init --max-shard-size SIZE` (docs/MODEL.md
section 7), one process.

usage: /usr/bin/python3 tests/test_shard_size.py path/to/clinit [unittest args]

Checks the size syntax (transformers' convert_file_size_to_int, plus bytes,
TB and TiB; errors exit 2 naming --max-shard-size), the assignment of
tensors to shards against a port of huggingface_hub's
split_state_dict_into_shards_factory (a tensor larger than the maximum is a
shard of its own, the shard being filled stays open), the index (bytes
equal to json.dumps(index, indent=2, sort_keys=True) + newline, as
transformers writes it), that every shard is a valid safetensors file with
the single file's __metadata__ and that the shards hold, tensor for tensor,
the bytes of the single file; one shard when all fits (no index); and that
a failure leaves neither an index nor a published shard and old files
untouched. The safetensors reader here uses json + numpy only.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import clitest

CLINIT = None  # set from argv[1]
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "examples")


def read_st(path):
    """(metadata, {name: (dtype, shape, bytes)}, names in data order) of a
    safetensors file; asserts the layout (header length, padding, offsets
    back to back, file size)."""
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    assert n % 8 == 0, path
    head = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = head.pop("__metadata__", {})
    data = raw[8 + n:]
    out, order, end = {}, [], 0
    for name, e in sorted(head.items(), key=lambda kv: kv[1]["data_offsets"]):
        b, t = e["data_offsets"]
        assert b == end, (path, name)
        end = t
        out[name] = (e["dtype"], e["shape"], data[b:t])
        order.append(name)
    assert end == len(data), path
    return meta, out, order


def hf_split(sizes, max_size):
    """huggingface_hub's split_state_dict_into_shards_factory on an
    ordered {name: bytes} (no shared storage): the list of shards, each a
    list of names."""
    shards, cur, cur_size = [], [], 0
    for name, size in sizes.items():
        if size > max_size:
            shards.append([name])
            continue
        if cur_size + size > max_size:
            shards.append(cur)
            cur, cur_size = [], 0
        cur.append(name)
        cur_size += size
    if cur:
        shards.append(cur)
    return shards


def tensor_spec(sizes_f32, name="crafted"):
    """A spec of 1-D f32 tensors t0, t1, ... of the given lengths."""
    return {"name": name, "seed": 7, "layers": [
        {"kind": "tensor", "name": "t%d" % i, "shape": [k],
         "method": "normal", "std": 1.0} for i, k in enumerate(sizes_f32)]}


def reduced_gpt2(blocks=3, width=64):
    """examples/gpt2_small.json at a small scale, plus an orthogonal and a
    bf16 tensor (computed whole on the host / another dtype)."""
    with open(os.path.join(EXAMPLES, "gpt2_small.json")) as f:
        spec = json.load(f)
    scale = {50257: 1000, 1024: 128, 768: width, 2304: 3 * width,
             3072: 4 * width}

    def fix(layers):
        for la in layers:
            for k in ("num", "dim", "in", "out"):
                if k in la:
                    la[k] = scale.get(la[k], la[k])
            if la["kind"] == "repeat":
                la["count"] = blocks
                fix(la["layers"])
    fix(spec["layers"])
    spec["layers"].append({"kind": "tensor", "name": "extra.ortho",
                           "shape": [width, width], "method": "orthogonal"})
    spec["layers"].append({"kind": "tensor", "name": "extra.half",
                           "shape": [333], "dtype": "bf16",
                           "method": "uniform", "a": -1, "b": 1})
    return spec


def run(args, stdout=subprocess.PIPE):
    return subprocess.run([CLINIT] + args, stdout=stdout,
                          stderr=subprocess.PIPE, text=True)


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def spec(self, spec, name="m.json"):
        p = os.path.join(self.d, name)
        with open(p, "w") as f:
            json.dump(spec, f)
        return p

    def init(self, spec_path, out, *extra):
        r = run(["init", spec_path, "-o", out, "-d", "cpu", "--table",
                 "none"] + list(extra))
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def files(self):
        return sorted(os.listdir(self.d))

    def check_sharded(self, single, out, k, max_size):
        """The shards of `out` against the single file `single`."""
        meta1, t1, order1 = read_st(single)
        stem = out[:-len(".safetensors")]
        idx_path = out + ".index.json"
        with open(idx_path) as f:
            text = f.read()
        index = json.loads(text)
        self.assertEqual(text, json.dumps(index, indent=2, sort_keys=True)
                         + "\n")
        self.assertEqual(index["metadata"],
                         {"total_size": sum(len(v[2]) for v in t1.values())})
        names = ["%s-%05d-of-%05d.safetensors" % (os.path.basename(stem),
                                                  i + 1, k) for i in range(k)]
        self.assertEqual(sorted(set(index["weight_map"].values())), names)
        self.assertEqual(set(index["weight_map"]), set(t1))
        want = hf_split({n: len(t1[n][2]) for n in order1}, max_size)
        self.assertEqual(len(want), k)
        seen = {}
        for i, fname in enumerate(names):
            meta, t, order = read_st(os.path.join(self.d, fname))
            self.assertEqual(meta, meta1)
            self.assertEqual(order, want[i])  # spec order within a shard
            for n, v in t.items():
                self.assertEqual(index["weight_map"][n], fname)
                self.assertEqual(v, t1[n], n)
                seen[n] = 1
        self.assertEqual(set(seen), set(t1))


class Sizes(Base):
    def test_bad_sizes_exit_2(self):
        p = self.spec(tensor_spec([4]))
        out = os.path.join(self.d, "m.safetensors")
        for bad in ["", "0", "0GB", "5XB", "-1", "1.5GB", "GB", "5 GB",
                    " 5GB", "99999999999999999999", "20000000TiB", "0x10",
                    "7b", "7Kb"]:
            r = run(["init", p, "-o", out, "--max-shard-size", bad])
            if bad == "7Kb":  # 7000 bits = 875 bytes: valid
                self.assertEqual(r.returncode, 0, r.stderr)
                continue
            self.assertEqual(r.returncode, 2, (bad, r.stderr))
            lines = r.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, r.stderr)
            self.assertIn("--max-shard-size", lines[0])
        self.assertEqual(self.files(), ["m.json", "m.safetensors"])

    def test_bad_targets_exit_2(self):
        p = self.spec(tensor_spec([4]))
        for out, what in [("-", "safetensors"), ("m.bin", ".safetensors"),
                          (os.path.join(self.d, "m.gguf"), "gguf"),
                          (self.d + "/.safetensors", ".safetensors")]:
            r = run(["init", p, "-o", out, "--max-shard-size", "1MB"],
                    stdout=subprocess.DEVNULL if out == "-"
                    else subprocess.PIPE)
            self.assertEqual(r.returncode, 2, (out, r.stderr))
            self.assertIn("--max-shard-size", r.stderr)
            self.assertIn(what, r.stderr)
        self.assertEqual(self.files(), ["m.json"])

    def test_units(self):
        # four tensors of 1024 bytes: 2KiB (2048) pairs them, 2KB (2000)
        # does not; a lowercase final b is bits (16Kb = 2000 bytes)
        p = self.spec(tensor_spec([256] * 4))
        for size, k in [("2KiB", 2), ("2kib", 2), ("2048", 2), ("2KB", 4),
                        ("2kB", 4), ("16Kb", 4), ("16kb", 4), ("2047", 4),
                        ("4096", 1), ("4KiB", 1), ("1MiB", 1), ("1TB", 1),
                        ("1TiB", 1), ("1GB", 1), ("1gib", 1)]:
            out = os.path.join(self.d, "u%s.safetensors" % size)
            self.init(p, out, "--max-shard-size", size)
            made = [f for f in self.files() if f.startswith("u%s" % size)]
            if k == 1:
                self.assertEqual(made, ["u%s.safetensors" % size], size)
            else:
                self.assertEqual(len(made), k + 1, (size, made))
                self.assertIn("u%s.safetensors.index.json" % size, made)


class Assignment(Base):
    def test_crafted_hf_rule(self):
        # sizes in f32 elements; max 4000 bytes = 1000 elements: t2 and t6
        # are larger (own shards, closed at once), t3 exactly fills, ...
        sizes = [300, 600, 1500, 1000, 1, 999, 5000, 250, 250, 250, 250, 1]
        p = self.spec(tensor_spec(sizes))
        single = os.path.join(self.d, "one.safetensors")
        self.init(p, single)
        out = os.path.join(self.d, "model.safetensors")
        r = run(["init", p, "-o", out, "-d", "cpu", "--max-shard-size",
                 "4000"])
        self.assertEqual(r.returncode, 0, r.stderr)
        want = hf_split({"t%d" % i: 4 * k for i, k in enumerate(sizes)}, 4000)
        # the rule's own consequences, spelled out
        self.assertEqual(want, [["t2"], ["t0", "t1"], ["t3"], ["t6"],
                                ["t4", "t5"], ["t7", "t8", "t9", "t10"],
                                ["t11"]])
        self.check_sharded(single, out, len(want), 4000)
        self.assertIn("index of 7 safetensors shards", r.stdout)

    def test_larger_than_max_alone(self):
        p = self.spec(tensor_spec([10, 2000, 10]))
        single = os.path.join(self.d, "one.safetensors")
        self.init(p, single)
        out = os.path.join(self.d, "big.safetensors")
        self.init(p, out, "--max-shard-size", "1KB")
        self.check_sharded(single, out, 2, 1000)
        _, t, _ = read_st(os.path.join(self.d, "big-00001-of-00002.safetensors"))
        self.assertEqual(list(t), ["t1"])

    def test_gpt2_reduced_and_one_shard(self):
        p = self.spec(reduced_gpt2())
        single = os.path.join(self.d, "one.safetensors")
        self.init(p, single)
        out = os.path.join(self.d, "g.safetensors")
        self.init(p, out, "--max-shard-size", "100KB", "--chunk", "4096")
        k = len([f for f in self.files() if f.startswith("g-")])
        self.assertGreater(k, 3)
        self.check_sharded(single, out, k, 100000)
        # everything fits: one file, no index, the single file's bytes
        whole = os.path.join(self.d, "w.safetensors")
        self.init(p, whole, "--max-shard-size", "5GB")
        with open(whole, "rb") as a, open(single, "rb") as b:
            self.assertEqual(a.read(), b.read())
        self.assertFalse(os.path.exists(whole + ".index.json"))


class Safety(Base):
    def test_failure_publishes_nothing(self):
        p = self.spec(tensor_spec([1000] * 3))
        out = os.path.join(self.d, "m.safetensors")
        idx = out + ".index.json"
        with open(idx, "w") as f:
            f.write("old index\n")
        with open(os.path.join(self.d, "m-00001-of-00003.safetensors"),
                  "w") as f:
            f.write("old shard\n")
        # shard 2 cannot be created: a directory has its name
        os.mkdir(os.path.join(self.d, "m-00002-of-00003.safetensors"))
        r = run(["init", p, "-o", out, "-d", "cpu", "--max-shard-size",
                 "4000"])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("m-00002-of-00003.safetensors", r.stderr)
        with open(idx) as f:
            self.assertEqual(f.read(), "old index\n")
        with open(os.path.join(self.d, "m-00001-of-00003.safetensors")) as f:
            self.assertEqual(f.read(), "old shard\n")
        self.assertEqual(self.files(), ["m-00001-of-00003.safetensors",
                                        "m-00002-of-00003.safetensors",
                                        "m.json", "m.safetensors.index.json"])


    def test_signal_removes_every_temporary(self):
        # 12 shards of ~16 MB; SIGTERM once shard 1 is sealed and shard 2
        # is being written: every temporary goes, nothing is published
        p = self.spec(tensor_spec([4 << 20] * 12))
        out = os.path.join(self.d, "s.safetensors")
        proc = subprocess.Popen([CLINIT, "init", p, "-o", out, "-d", "cpu",
                                 "--table", "none", "--max-shard-size",
                                 "16MiB"], stderr=subprocess.PIPE)
        seen = False
        while proc.poll() is None and not seen:
            names = os.listdir(self.d)
            seen = (any(f.startswith(".s-00001-of-00012") for f in names) and
                    any(f.startswith(".s-00002-of-00012") for f in names))
        if not seen:
            proc.wait()
            self.skipTest("finished before shard 2 was seen")
        proc.send_signal(signal.SIGTERM)
        proc.communicate()
        self.assertEqual(proc.returncode, -signal.SIGTERM)
        self.assertEqual(os.listdir(self.d), ["m.json"])


if __name__ == "__main__":
    CLINIT = clitest.binary_from_argv(__doc__)
    unittest.main()
