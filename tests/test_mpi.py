#!/usr/bin/python3
"""`mpirun -np N clinit init` (docs/MODEL.md section 7), end to end.

usage: /usr/bin/python3 tests/test_mpi.py path/to/clinit path/to/mpirun
       [unittest args]

Registered only when the command is built with MPI and mpirun is found.
On a reduced GPT-2 spec (tests/test_shard_size.py's, with an orthogonal and a
bf16 tensor): the file written by 1, 2, 3 and 4 ranks is byte-identical
to the one-process file (MPI-IO at each rank's offsets); sharded output
(--max-shard-size) by 2 and 3 ranks is, file for file, the one-process
sharded output, with a valid index; --table full prints the same sample
statistics as one process (gathered from the ranks); a rank killed with
SIGKILL after writing its part (the test hook CLINIT_TEST_KILL_RANK) or a
rank that fails (MPMD: rank 1 given a device that does not exist) leaves
the old files untouched and no new file that looks complete, every rank
exits non-zero, and the message names the failed rank.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest

import clitest
from test_shard_size import read_st, reduced_gpt2

CLINIT = None
MPIRUN = None
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1",
           OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
ENV.pop("CLINIT_TEST_KILL_RANK", None)


def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def visible(d):
    return sorted(f for f in os.listdir(d) if not f.startswith("."))


class Mpi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.d = cls.tmp.name
        cls.spec = os.path.join(cls.d, "gpt2_reduced.json")
        with open(cls.spec, "w") as f:
            json.dump(reduced_gpt2(blocks=4, width=96), f)
        cls.single = os.path.join(cls.d, "single.safetensors")
        r = subprocess.run([CLINIT, "init", cls.spec, "-o", cls.single, "-d",
                            "cpu", "--table", "none"], capture_output=True,
                           text=True)
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def mpirun(self, np_, args, env=None, timeout=120):
        cmd = [MPIRUN, "--oversubscribe", "-np", str(np_), CLINIT, "init",
               self.spec] + args
        return subprocess.run(cmd, capture_output=True, text=True,
                              env=env or ENV, timeout=timeout)

    def test_one_file_byte_identical(self):
        for n in (1, 2, 3, 4):
            out = os.path.join(self.d, "np%d.safetensors" % n)
            r = self.mpirun(n, ["-o", out, "-d", "cpu", "--chunk", "65536"])
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(out, "rb") as a, open(self.single, "rb") as b:
                self.assertTrue(a.read() == b.read(), "np %d differs" % n)
            # the summary once, from rank 0
            self.assertEqual(r.stdout.count("total: "), 1, r.stdout)
            if n > 1:
                self.assertIn("%d ranks" % n, r.stdout)
            os.remove(out)

    def test_sharded_by_ranks(self):
        ref = os.path.join(self.d, "ref", "m.safetensors")
        os.mkdir(os.path.dirname(ref))
        r = subprocess.run([CLINIT, "init", self.spec, "-o", ref, "-d", "cpu",
                            "--table", "none", "--max-shard-size", "150KB"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        names = visible(os.path.dirname(ref))
        self.assertGreater(len(names), 4)
        _, whole, _ = read_st(self.single)
        for n in (2, 3):
            d = os.path.join(self.d, "sh%d" % n)
            os.mkdir(d)
            out = os.path.join(d, "m.safetensors")
            r = self.mpirun(n, ["-o", out, "-d", "cpu", "--max-shard-size",
                                "150KB", "--table", "none"])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(visible(d), names)
            for f in names:
                self.assertEqual(md5(os.path.join(d, f)),
                                 md5(os.path.join(os.path.dirname(ref), f)), f)
            with open(out + ".index.json") as f:
                index = json.load(f)
            got = {}
            for f in set(index["weight_map"].values()):
                _, t, _ = read_st(os.path.join(d, f))
                got.update(t)
            self.assertEqual(got, whole)

    def test_table_full_gathered(self):
        def table(text):
            return [l for l in text.splitlines()
                    if not l.startswith(("out:", "time:"))]
        r1 = subprocess.run([CLINIT, "init", self.spec, "-o",
                             os.path.join(self.d, "t1.safetensors"), "-d",
                             "cpu", "--table", "full"], capture_output=True,
                            text=True)
        r3 = self.mpirun(3, ["-o", os.path.join(self.d, "t3.safetensors"),
                             "-d", "cpu", "--table", "full"])
        self.assertEqual(r3.returncode, 0, r3.stderr)
        self.assertEqual(table(r3.stdout), table(r1.stdout))
        self.assertNotIn(" nan", r3.stdout)

    def kill_case(self, extra, old_files):
        d = tempfile.mkdtemp(dir=self.d)
        out = os.path.join(d, "k.safetensors")
        for f in old_files:
            with open(os.path.join(d, f), "w") as fh:
                fh.write("old " + f)
        before = {f: md5(os.path.join(d, f)) for f in old_files}
        env = dict(ENV, CLINIT_TEST_KILL_RANK="1")
        r = self.mpirun(2, ["-o", out, "-d", "cpu", "--table", "none"] +
                        extra, env=env)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(visible(d), sorted(old_files))
        self.assertEqual({f: md5(os.path.join(d, f)) for f in old_files},
                         before)

    def test_killed_rank_one_file(self):
        self.kill_case([], ["k.safetensors"])

    def test_killed_rank_sharded(self):
        self.kill_case(["--max-shard-size", "150KB"],
                       ["k.safetensors.index.json",
                        "k-00001-of-00009.safetensors"])

    def test_failing_rank_named(self):
        d = tempfile.mkdtemp(dir=self.d)
        out = os.path.join(d, "f.safetensors")
        for extra in ([], ["--max-shard-size", "150KB"]):
            base = [CLINIT, "init", self.spec, "-o", out, "--table", "none"]
            cmd = ([MPIRUN, "--oversubscribe", "-np", "2"] + base +
                   ["-d", "cpu"] + extra + [":", "-np", "1"] + base +
                   ["-d", "opencl:99.99"] + extra)
            r = subprocess.run(cmd, capture_output=True, text=True, env=ENV,
                               timeout=120)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("clinit: init: rank 2: init failed: ", r.stderr)
            self.assertIn("opencl:99.99", r.stderr)
            self.assertIn("rank 0: stopped: rank 2 failed", r.stderr)
            self.assertEqual(os.listdir(d), [])


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    MPIRUN = os.path.abspath(sys.argv.pop(2))
    CLINIT = clitest.binary_from_argv(__doc__)
    unittest.main()
