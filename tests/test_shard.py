#!/usr/bin/python3
"""clinit fill --shard and --box against torch itself.

usage: /usr/bin/python3 tests/test_shard.py path/to/clinit [unittest args]

--shard D:R/W must write exactly torch.chunk(whole, W, dim=D)[R] of the
whole tensor's fill (an empty array for the ranks torch.chunk has no
chunk for, as DTensor's Shard pads them), twice for a 2-D mesh the chunk
of the chunk; --box the numpy slice; on the CPU path and on OpenCL; the
bad flags exit 2 with one line naming the flag. Needs numpy and torch
(the system python's).
"""
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

import clitest

CLINIT = None  # set from argv[1]


def run(args):
    return subprocess.run([CLINIT] + args, capture_output=True, text=True)


class Shard(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def fill(self, extra, name, method="kaiming_uniform", shape="11,6,5",
             dtype="f32", device="cpu"):
        path = os.path.join(self.dir.name, name)
        r = run(["fill", "-m", method, "--shape", shape, "-t", dtype, "-s",
                 "7", "--stream", "3", "-d", device, "-q", "-o", path] + extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        return np.load(path)

    def test_torch_chunk_table(self):
        """Sizes where torch.chunk gives fewer chunks than asked, and some
        that split evenly, x world 1..8 along dim 1 of [2, size] (the C
        table of tests/test_box.c has every size 0..12)."""
        for size in (1, 5, 6, 10, 11):
            whole = self.fill([], "w.npy", method="normal",
                              shape="2,%d" % size)
            t = torch.from_numpy(whole)
            for world in (1, 3, 4, 8):
                chunks = t.chunk(world, dim=1)
                for rank in range(world):
                    got = self.fill(["--shard", "1:%d/%d" % (rank, world)],
                                    "s.npy", method="normal",
                                    shape="2,%d" % size)
                    if rank < len(chunks):
                        want = chunks[rank].numpy()
                    else:  # DTensor's padding: an empty shard
                        want = np.zeros((2, 0), np.float32)
                    self.assertEqual(got.shape, want.shape,
                                     (size, world, rank))
                    self.assertTrue(np.array_equal(got, want))

    def test_every_dim_and_a_2d_mesh(self):
        for device, dtype in (("cpu", "f64"), ("opencl", "f16")):
            whole = self.fill([], "w.npy", dtype=dtype, device=device)
            t = torch.from_numpy(whole)
            for dim in range(3):
                for world in (2, 3, 7):
                    parts = [self.fill(["--shard", "%d:%d/%d" %
                                        (dim, r, world)], "s.npy",
                                       dtype=dtype, device=device)
                             for r in range(world)]
                    chunks = t.chunk(world, dim=dim)
                    for r, c in enumerate(chunks):
                        self.assertTrue(np.array_equal(parts[r],
                                                       c.numpy()))
                    self.assertTrue(np.array_equal(
                        np.concatenate(parts, axis=dim), whole))
            for a in range(2):
                for b in range(3):
                    got = self.fill(["--shard", "0:%d/2" % a, "--shard",
                                     "2:%d/3" % b, "--chunk", "7"],
                                    "m.npy", dtype=dtype, device=device)
                    want = t.chunk(2, 0)[a].chunk(3, 2)[b].numpy()
                    self.assertTrue(np.array_equal(got, want))

    def test_box_is_the_slice(self):
        for device in ("cpu", "opencl"):
            for method, shape in (("orthogonal", "9,8"), ("sparse", "13,6"),
                                  ("dirac", "4,3,5"), ("eye", "5,7")):
                extra = ["--sparsity", "0.4"] if method == "sparse" else []
                whole = self.fill(extra, "w.npy", method=method, shape=shape,
                                  device=device)
                dims = whole.shape
                box = ",".join("%d:%d" % (d // 3, d - d // 3 - 1)
                               for d in dims)
                got = self.fill(extra + ["--box", box, "--chunk", "5"],
                                "b.npy", method=method, shape=shape,
                                device=device)
                want = whole[tuple(slice(d // 3, d - 1) for d in dims)]
                self.assertEqual(got.shape, want.shape)
                self.assertTrue(np.array_equal(got, want), (method, device))

    def test_bad_flags_exit_2_naming_the_flag(self):
        bad = {
            ("--box", "1:2"): "--box",
            ("--box", "0:1,0:1,x:1"): "--box",
            ("--box", "10:2,0:6,0:5"): "--box",
            ("--shard", "3:0/2"): "--shard",
            ("--shard", "0:2/2"): "--shard",
            ("--shard", "0:-1/2"): "--shard",
            ("--shard", "0:0/0"): "--shard",
            ("--shard", "0:1"): "--shard",
            ("--shard", "0:0/2", "--box", "0:1,0:1,0:1"): "--shard",
            ("--range", "0:4", "--box", "0:1,0:1,0:1"): "--box",
            ("--shard", "0:0/2", "--shard", "1:0/2", "--shard",
             "2:0/2"): "--shard",
        }
        path = os.path.join(self.dir.name, "x.npy")
        for args, flag in bad.items():
            r = run(["fill", "-m", "normal", "--shape", "11,6,5", "-o", path]
                    + list(args))
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            lines = r.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, r.stderr)
            self.assertIn(flag, lines[0])
            self.assertFalse(os.path.exists(path))


if __name__ == "__main__":
    CLINIT = clitest.binary_from_argv(__doc__)
    unittest.main(verbosity=2)
