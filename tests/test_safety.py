#!/usr/bin/python3
"""Nothing lost, nothing silently wrong: the clinit command's outputs under
failure, and hostile inputs with bounded cost.

usage: /usr/bin/python3 tests/test_safety.py path/to/clinit [unittest args]

Every output (init's .safetensors, fill's .npy, depth's --plot PNG/SVG) is a
temporary renamed over the target when complete (tools/io/fileio.h): a full
disk, a file-size limit, a read-only file system, SIGINT, SIGTERM or
SIGHUP midway leave the old file byte for byte and no temporary. A full
disk is a 1 MiB tmpfs (we mount it when we may, as root in CI); where
mounting is refused the same cases run under RLIMIT_FSIZE instead (EFBIG),
and the test says so. Needs an OpenCL device (pocl) for the opencl cases.
"""
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import clitest

CLINIT = None  # set from argv[1]

SMALL = {"layers": [{"kind": "linear", "name": "fc", "in": 16, "out": 16}]}
# 4 MiB of f32: does not fit a 1 MiB file system or file-size limit
BIG = {"layers": [{"kind": "linear", "name": "fc", "in": 1024, "out": 1024,
                   "bias": False}]}
# 256 MiB of f32, in small slots: long enough to be interrupted midway
HUGE = {"layers": [{"kind": "tensor", "name": "t", "shape": [1 << 26],
                    "method": "uniform"}]}
MIB = 1 << 20


def run(*args, timeout=120, **kw):
    return subprocess.run([CLINIT] + [str(a) for a in args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, **kw)


def fsize_limit(nbytes):
    """preexec_fn: RLIMIT_FSIZE, as `ulimit -f` would set it."""
    def set_limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return set_limit


def is_sanitized():
    with open(CLINIT, "rb") as f:
        return b"__asan_init" in f.read()


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmpdir = tempfile.TemporaryDirectory()
        cls.tmp = cls.tmpdir.name
        cls.specs = {}
        for name, spec in (("small", SMALL), ("big", BIG), ("huge", HUGE)):
            path = os.path.join(cls.tmp, name + ".json")
            with open(path, "w") as f:
                json.dump(spec, f)
            cls.specs[name] = path

    @classmethod
    def tearDownClass(cls):
        cls.tmpdir.cleanup()

    def mount_tmpfs(self, size="1m"):
        """A fresh tmpfs of `size`, unmounted at the end of the test, or
        None (with the reason printed) where mounting is not allowed."""
        d = tempfile.mkdtemp(dir=self.tmp)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + size,
                            "tmpfs", d], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if r.returncode != 0:
            sys.stderr.write("\n  [cannot mount a tmpfs (%s): using "
                             "RLIMIT_FSIZE instead] " %
                             r.stderr.decode().strip())
            return None
        self.addCleanup(subprocess.run, ["umount", "-l", d])
        return d

    def good_file(self, path, kind="init"):
        """Writes a small, valid output at path; returns its bytes."""
        if kind == "init":
            r = run("init", self.specs["small"], "--out", path, "--quiet",
                    "--device", "cpu")
        else:
            r = run("fill", "--method", "normal", "--shape", "16,16",
                    "--device", "cpu", "--out", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(path, "rb") as f:
            return f.read()

    def assert_intact(self, path, old, listing=None):
        """path holds exactly `old`, and its directory no temporary (only
        `listing` when given)."""
        with open(path, "rb") as f:
            self.assertEqual(f.read(), old, "the old file changed")
        d = os.path.dirname(path)
        temps = [n for n in os.listdir(d) if ".tmp-" in n]
        self.assertEqual(temps, [], "temporaries left in %s" % d)
        if listing is not None:
            self.assertEqual(sorted(os.listdir(d)), sorted(listing))

    # the failing commands: 4 MiB through init (cpu, opencl) and fill
    def big_commands(self, out):
        return [
            ["init", self.specs["big"], "--out", out, "--quiet", "--device",
             "cpu"],
            ["init", self.specs["big"], "--out", out, "--quiet", "--device",
             "opencl"],
            ["fill", "--method", "normal", "--shape", "1024,1024", "--device",
             "cpu", "--out", out],
            ["fill", "--method", "normal", "--shape", "1024,1024", "--device",
             "opencl", "--out", out],
        ]


class Outputs(Base):
    def test_full_disk_keeps_the_old_file(self):
        d = self.mount_tmpfs("1m")
        limit = None if d else fsize_limit(MIB)
        d = d or tempfile.mkdtemp(dir=self.tmp)
        for kind, ext in (("init", "safetensors"), ("fill", "npy")):
            out = os.path.join(d, "w." + ext)
            old = self.good_file(out, kind)
            for cmd in self.big_commands(out):
                if cmd[0] != kind:
                    continue
                with self.subTest(cmd=cmd):
                    r = run(*cmd, preexec_fn=limit)
                    self.assertEqual(r.returncode, 1, r.stderr)
                    err = r.stderr.decode()
                    self.assertEqual(err.count("\n"), 1, err)
                    self.assertIn("No space left on device" if not limit
                                  else "File too large", err)
                    self.assertIn(out, err)
                    self.assert_intact(out, old, ["w." + ext])
            os.remove(out)

    def test_file_size_limit_keeps_the_old_file(self):
        # RLIMIT_FSIZE: EFBIG (clinit ignores SIGXFSZ, which would kill it
        # and leave the temporary behind)
        # (on the CPU path: pocl's own kernel cache would hit the limit)
        out = os.path.join(self.tmp, "fsize.safetensors")
        old = self.good_file(out)
        for cmd in self.big_commands(out)[::2]:
            cmd = [out if a.endswith(".npy") else a for a in cmd]
            with self.subTest(cmd=cmd):
                r = run(*cmd, preexec_fn=fsize_limit(MIB))
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(b"File too large", r.stderr)
                self.assert_intact(out, old)

    def test_read_only_file_system(self):
        # as root, permission bits do not stop a write: a read-only mount
        # (the old code failed here too before truncating: not a loss, but
        # the message and the exit status are checked)
        d = self.mount_tmpfs("4m")
        if d is None:
            self.skipTest("cannot mount a tmpfs here, so no read-only "
                          "file system to write to")
        out = os.path.join(d, "w.safetensors")
        old = self.good_file(out)
        r = subprocess.run(["mount", "-o", "remount,ro", d],
                           stderr=subprocess.PIPE)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run("init", self.specs["small"], "--out", out, "--seed", "5",
                "--device", "cpu")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(b"Read-only file system", r.stderr)
        self.assertEqual(r.stderr.count(b"\n"), 1)
        self.assert_intact(out, old, ["w.safetensors"])

    def test_directory_without_create_permission(self):
        # what a read-only directory (mode 0555, a writable file in it) is
        # to a user, for root: an immutable directory. The file could be
        # truncated in place, but no temporary can be made: exit 1 before
        # a byte is written (the old code truncated it, failed on the
        # file-size limit, and could not remove the stub)
        d = tempfile.mkdtemp(dir=self.tmp)
        out = os.path.join(d, "w.safetensors")
        old = self.good_file(out)
        r = subprocess.run(["chattr", "+i", d], stderr=subprocess.PIPE)
        if r.returncode != 0:
            self.skipTest("chattr +i is not possible here (%s), and as root "
                          "permission bits do not stop a write" %
                          r.stderr.decode().strip())
        self.addCleanup(subprocess.run, ["chattr", "-i", d])
        r = run("init", self.specs["big"], "--out", out, "--device", "cpu",
                preexec_fn=fsize_limit(MIB))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(b"cannot write", r.stderr)
        self.assertIn(b"Operation not permitted", r.stderr)
        self.assert_intact(out, old, ["w.safetensors"])

    def test_signals_midway_keep_the_old_file(self):
        out = os.path.join(self.tmp, "sig.safetensors")
        old = self.good_file(out)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            with self.subTest(sig=sig):
                p = subprocess.Popen(
                    [CLINIT, "init", self.specs["huge"], "--out", out,
                     "--quiet", "--device", "cpu", "--chunk", "65536"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                # wait until the temporary holds data, then interrupt
                t0, started = time.monotonic(), False
                while time.monotonic() - t0 < 60 and p.poll() is None:
                    temps = [n for n in os.listdir(self.tmp) if ".tmp-" in n]
                    if temps and os.path.getsize(
                            os.path.join(self.tmp, temps[0])) > 4 * MIB:
                        started = True
                        break
                    time.sleep(0.005)
                self.assertTrue(started, "the init ended before the signal")
                p.send_signal(sig)
                p.communicate(timeout=60)
                self.assertEqual(p.returncode, -sig)
                self.assert_intact(out, old)

    def test_symlinked_target(self):
        d = tempfile.mkdtemp(dir=self.tmp)
        target = os.path.join(d, "real.safetensors")
        link = os.path.join(d, "link.safetensors")
        old = self.good_file(target)
        os.symlink("real.safetensors", link)
        # a failure: the link stays, its target is untouched
        r = run("init", self.specs["big"], "--out", link, "--device", "cpu",
                preexec_fn=fsize_limit(MIB))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertTrue(os.path.islink(link))
        self.assert_intact(target, old, ["real.safetensors",
                                         "link.safetensors"])
        # a success: the link stays a link, the file it names is replaced
        os.chmod(target, 0o640)
        r = run("init", self.specs["small"], "--out", link, "--seed", "9",
                "--device", "cpu", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(os.readlink(link), "real.safetensors")
        with open(target, "rb") as f:
            new = f.read()
        self.assertNotEqual(new, old)
        self.assertEqual(os.stat(target).st_mode & 0o777, 0o640)
        # a chain to a file that does not exist yet: created at the end
        os.symlink("link.safetensors", os.path.join(d, "chain"))
        os.symlink("sub/new.safetensors", os.path.join(d, "dangling"))
        os.mkdir(os.path.join(d, "sub"))
        r = run("init", self.specs["small"], "--out",
                os.path.join(d, "dangling"), "--device", "cpu", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.islink(os.path.join(d, "dangling")))
        self.assertTrue(os.path.isfile(os.path.join(d, "sub",
                                                    "new.safetensors")))
        r = run("init", self.specs["small"], "--out",
                os.path.join(d, "chain"), "--device", "cpu", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.islink(os.path.join(d, "chain")))
        self.assertTrue(os.path.islink(link))

    def test_plot_is_crash_safe(self):
        # the PNG (cairo, compressed) is about 50 KB: it does not fit a
        # 16 KiB tmpfs. Under RLIMIT_FSIZE instead, the limit must exceed
        # pocl's own files (1-2 MiB per run): 4 MiB, and an SVG of 30000
        # layers, about 5 MB
        small = ["depth", "--layers", "2", "--width", "16", "--batch", "8"]
        long = ["depth", "--layers", "30000", "--width", "8", "--batch", "4",
                "--every", "30000"]
        self.assertEqual(run(*small).returncode, 0)  # pocl's cache warm
        d = self.mount_tmpfs("16k")
        if d:
            cmd, limit, out = small, None, os.path.join(d, "plot.png")
        else:
            cmd, limit = long, fsize_limit(4 * MIB)
            out = os.path.join(self.tmp, "plot.svg")
            self.assertEqual(run(*long).returncode, 0)
        with open(out, "wb") as f:
            f.write(b"old plot")
        r = run(*cmd, "--plot", out, preexec_fn=limit)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(b"--plot", r.stderr)
        self.assert_intact(out, b"old plot")
        r = run(*small, "--plot", "-")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(b"--plot: '-'", r.stderr)

    def test_stdout(self):
        path = os.path.join(self.tmp, "file.safetensors")
        r = run("init", self.specs["small"], "--out", path, "--device", "cpu",
                "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run("init", self.specs["small"], "--out", "-", "--device", "cpu")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(path, "rb") as f:
            self.assertEqual(r.stdout, f.read())
        self.assertIn(b"total: 2 tensors", r.stderr)  # the table
        path = os.path.join(self.tmp, "file.npy")
        fill = ["fill", "--method", "normal", "--shape", "100", "--device",
                "cpu"]
        self.assertEqual(run(*fill, "--out", path).returncode, 0)
        r = run(*fill, "--out", "-")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(path, "rb") as f:
            self.assertEqual(r.stdout, f.read())
        self.assertIn(b"sample_std:", r.stderr)  # the summary
        # a terminal on stdout: refused
        import pty
        master, slave = pty.openpty()
        try:
            p = subprocess.run([CLINIT] + fill + ["--out", "-"],
                               stdout=slave, stderr=subprocess.PIPE)
        finally:
            os.close(slave)
            os.close(master)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"--out -: standard output is a terminal", p.stderr)

    def test_max_params(self):
        out = os.path.join(self.tmp, "max.safetensors")
        old = self.good_file(out)
        spec = os.path.join(self.tmp, "e15.json")
        with open(spec, "w") as f:  # a typo'd 10^15 parameters
            json.dump({"layers": [{"kind": "embedding", "name": "wte",
                                   "num": 1000000000, "dim": 1000000}]}, f)
        r = run("init", spec, "--out", out)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr.decode(),
                         "clinit: %s: 1000000000000000 parameters, more than "
                         "--max-params 10000000000000 (the default)\n" % spec)
        self.assert_intact(out, old)
        r = run("init", self.specs["small"], "--out", out, "--max-params",
                "271")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(b"272 parameters, more than --max-params 271\n",
                      r.stderr)
        r = run("init", self.specs["small"], "--out", out, "--max-params",
                "272", "--quiet", "--device", "cpu")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run("init", self.specs["small"], "--out", out, "--max-params",
                "-1")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(b"--max-params: '-1'", r.stderr)


class Streaming(Base):
    """The writes of `clinit init`: on the CPU path a filled slot is written
    on a thread while the next one is filled, and a temporary's data is
    handed to writeback (and dropped from the page cache) every 32 MiB
    (tools/io/fileio.c). Neither may change a byte or the failure rules."""

    # 48 MiB of f32: past fileio.c's first writeback step (32 MiB)
    WB = {"layers": [{"kind": "tensor", "name": "t", "shape": [12 << 20],
                      "method": "normal"}]}

    def test_write_fails_while_the_next_slot_fills(self):
        # 4 MiB in 64 KiB slots under a 1 MiB limit: the write that fails
        # runs on the writer thread (cpu) or the main thread (opencl) while
        # later slots are filled; one line, exit 1, the old file intact
        out = os.path.join(self.tmp, "midway.safetensors")
        old = self.good_file(out)
        for dev in ("cpu", "opencl"):
            with self.subTest(device=dev):
                r = run("init", self.specs["big"], "--out", out, "--quiet",
                        "--device", dev, "--chunk", "65536",
                        preexec_fn=fsize_limit(MIB))
                self.assertEqual(r.returncode, 1, r.stderr)
                err = r.stderr.decode()
                self.assertEqual(err.count("\n"), 1, err)
                self.assertIn("File too large", err)
                self.assertIn(out, err)
                self.assert_intact(out, old)

    def test_writeback_keeps_the_bytes_and_the_rules(self):
        spec = os.path.join(self.tmp, "wb.json")
        with open(spec, "w") as f:
            json.dump(self.WB, f)
        # the bytes: a file (written back in steps) equals standard output
        # (never written back) and the same on the device
        ref = run("init", spec, "--out", "-", "--quiet", "--device", "cpu")
        self.assertEqual(ref.returncode, 0, ref.stderr)
        self.assertGreater(len(ref.stdout), 40 * MIB)
        for dev in ("cpu", "opencl"):
            with self.subTest(device=dev):
                out = os.path.join(self.tmp, "wb-%s.safetensors" % dev)
                r = run("init", spec, "--out", out, "--quiet", "--device",
                        dev, "--chunk", str(3 * MIB + 4))
                self.assertEqual(r.returncode, 0, r.stderr)
                with open(out, "rb") as f:
                    self.assertTrue(f.read() == ref.stdout,
                                    "the file differs from standard output")
                os.remove(out)
        # a failure after the first step was written back and dropped:
        # the old file stays, no temporary
        out = os.path.join(self.tmp, "wb-fail.safetensors")
        old = self.good_file(out)
        for dev in ("cpu", "opencl"):
            with self.subTest(device=dev, limit="40 MiB"):
                r = run("init", spec, "--out", out, "--quiet", "--device",
                        dev, preexec_fn=fsize_limit(40 * MIB))
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
                self.assertIn(b"File too large", r.stderr)
                self.assert_intact(out, old)


class Specs(Base):
    def spec_error(self, text, expect):
        """init of the spec text: exit 2, the one line expected, and the
        old output untouched."""
        path = os.path.join(self.tmp, "bad.json")
        out = os.path.join(self.tmp, "spec.safetensors")
        if not os.path.exists(out):
            self.good_file(out)
        with open(out, "rb") as f:
            old = f.read()
        with open(path, "wb") as f:
            f.write(text)
        r = run("init", path, "--out", out, "--device", "cpu")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr.decode(), "clinit: %s: %s\n" % (path, expect))
        self.assert_intact(out, old)

    def test_names_that_would_collide_in_the_header(self):
        # both were written as "w\ufffd": two tensors silently one
        n = ("layers[1].name: must be a name of valid UTF-8 without spaces "
             "or control characters (this one %s)")
        self.spec_error(b'{"layers": [{"kind": "linear", "name": "w", '
                        b'"in": 1, "out": 1}, {"kind": "linear", "name": '
                        b'"w\x80", "in": 1, "out": 1}]}',
                        n % "is not valid UTF-8")
        self.spec_error(b'{"layers": [{"kind": "linear", "name": "a", '
                        b'"in": 1, "out": 1}, {"kind": "linear", "name": '
                        b'"w\\u0085", "in": 1, "out": 1}]}',
                        n % "holds a control character")
        # valid UTF-8 names are written as they are
        path = os.path.join(self.tmp, "utf8.json")
        out = os.path.join(self.tmp, "utf8.safetensors")
        with open(path, "wb") as f:
            f.write('{"layers": [{"kind": "linear", "name": "w\u00e9", "in": '
                    '1, "out": 1}, {"kind": "linear", "name": "w\u00ea", '
                    '"in": 1, "out": 1}]}'.encode())
        r = run("init", path, "--out", out, "--device", "cpu", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(n))
        self.assertIn("w\u00e9.weight", header)
        self.assertIn("w\u00ea.weight", header)

    def test_escaped_nul(self):
        # cJSON cut the strings: the key accepted, the name became 'a'
        self.spec_error(b'{"layers": [{"kind": "linear", "name": "a\\u0000b",'
                        b' "in": 1, "out": 1}]}',
                        "line 1, column 42: escaped NUL (\\u0000) in a string")
        self.spec_error(b'{"layers": [{"kind": "linear", "name": "a", '
                        b'"in\\u0000zz": 1, "out": 1}]}',
                        "line 1, column 48: escaped NUL (\\u0000) in a string")
        # an escaped backslash before u0000 is not an escaped NUL
        path = os.path.join(self.tmp, "bs.json")
        with open(path, "wb") as f:
            f.write(b'{"layers": [{"kind": "linear", "name": "a\\\\u0000b", '
                    b'"in": 1, "out": 1}]}')
        r = run("init", path, "--out", os.path.join(self.tmp, "bs.st"),
                "--device", "cpu", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_brackets(self):
        self.spec_error(b"]" * 1000 + b"[" * 60 + b"{}",
                        "line 1, column 1: unexpected ']'")
        self.spec_error(b'{"layers": [}', "line 1, column 13: unexpected '}'")
        self.spec_error(b'{"layers" 1} [', "line 1, column 11: invalid JSON")

    def test_header_over_100_mb(self):
        # once exit 1, "element count or byte size overflows", no path: now
        # a spec error, found by a sizing pass before any header is built.
        # Backslashes double in the header: a 16 MiB model name and 243,000
        # tensor names of 137 bytes (the names cap) make it 100.5 MB.
        lname = "\\\\" * 128
        n = (32 << 20) // 138 - 100
        text = ('{"name": "%s", "layers": [{"kind": "repeat", "name": "r", '
                '"count": %d, "layers": [{"kind": "tensor", "name": "%s", '
                '"shape": [1, 1, 1, 1, 1, 1, 1, 9999999], "method": "zeros",'
                ' "dtype": "bf16"}]}]}' % ("\\\\" * ((8 << 20) - 2000), n,
                                           lname))
        self.spec_error(text.encode(),
                        "layers: the safetensors header of %d tensors would "
                        "be larger than 100000000 bytes (the format's limit):"
                        " fewer or shorter names" % n)

    def test_numel_limit_is_inclusive(self):
        # docs: at most 2^56 elements (CLINIT_MAX_NUMEL), 2^56 itself too
        out = os.path.join(self.tmp, "n.npy")
        r = run("fill", "--method", "uniform", "--shape",
                str(1 << 56), "--range", "0:4", "--device", "cpu", "--out",
                out)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run("fill", "--method", "uniform", "--shape",
                str((1 << 56) + 1), "--range", "0:4", "--out", out)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr, b"clinit: --shape: '72057594037927937' has "
                                   b"more than 2^56 elements\n")
        # in a spec: accepted by the parser, stopped by --max-params
        self.spec_error(b'{"layers": [{"kind": "tensor", "name": "t", '
                        b'"shape": [4294967296, 16777216], "method": "zeros"}]}',
                        "72057594037927936 parameters, more than "
                        "--max-params 10000000000000 (the default)")
        self.spec_error(b'{"layers": [{"kind": "tensor", "name": "t", '
                        b'"shape": [4294967296, 16777217], "method": "zeros"}]}',
                        "layers[0]: tensor 't' [4294967296,16777217] has more "
                        "than 2^56 elements")

    def test_orthogonal_cap(self):
        self.spec_error(b'{"layers": [{"kind": "tensor", "name": "q", '
                        b'"shape": [4096, 16384], "method": "orthogonal"}]}',
                        "layers[0]: orthogonal cannot initialize 'q' "
                        "[4096,16384]: orthogonal tensor too large for the "
                        "host QR (at most 2^24 elements and min(rows, cols)^2"
                        " * max(rows, cols) <= 2^32)")

    def test_node_bomb_is_cheap(self):
        # {"layers":[1,1,...]} of 67,108,748 bytes peaked at 2.7 GB and
        # took 27.4 s; refused by the prescan now. RSS and time of the
        # child only, measured in a fresh interpreter.
        path = os.path.join(self.tmp, "bomb.json")
        with open(path, "wb") as f:
            f.write(b'{"layers":[' + b",".join([b"1"] * 33554368) + b"]}")
        self.assertEqual(os.path.getsize(path), 67108748)
        probe = ("import resource, subprocess, sys, time\n"
                 "t = time.monotonic()\n"
                 "r = subprocess.run(sys.argv[1:], stderr=subprocess.PIPE)\n"
                 "t = time.monotonic() - t\n"
                 "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
                 "print(r.returncode, m, t)\n"
                 "sys.stdout.write(r.stderr.decode())\n")
        r = subprocess.run([sys.executable, "-c", probe, CLINIT, "init", path,
                            "--out", os.path.join(self.tmp, "bomb.st")],
                           stdout=subprocess.PIPE, timeout=120)
        first, err = r.stdout.decode().split("\n", 1)
        rc, kb, secs = first.split()
        self.assertEqual(int(rc), 2, err)
        self.assertEqual(err, "clinit: %s: line 1, column 524295: more than "
                              "262144 JSON values\n" % path)
        # the bound promised for any spec (docs/MODEL.md §5); a sanitized
        # build pays ASan's shadow memory and slower code on top
        rss_cap, time_cap = (256 << 10, 2.0)
        if is_sanitized():
            rss_cap, time_cap = (1 << 20, 20.0)
            sys.stderr.write("\n  [sanitized build: bounds 1 GiB, 20 s; "
                             "measured %d KiB, %.2f s] " % (int(kb),
                                                            float(secs)))
        self.assertLessEqual(int(kb), rss_cap)
        self.assertLessEqual(float(secs), time_cap)


if __name__ == "__main__":
    CLINIT = clitest.binary_from_argv(__doc__)
    unittest.main(verbosity=2)
