#!/usr/bin/python3
"""init_write.py - `clinit init` of a big spec next to dd and the bare fill.

In one run, interleaved, RUNS times (medians reported):
  dd      dd if=/dev/zero of=DIR/... bs=16M count=BYTES iflag=count_bytes
          conv=fdatasync: the disk's rate for the same byte count (its own
          time, fdatasync included)
  file    clinit init SPEC --out DIR/....safetensors, per device (its own
          "time:" line: generation, writes, fsync and rename)
  null    the same to --out /dev/null (a device node: written in place)
  fill    clinit-bench --model FILL_SPEC, model-batch row per path: the
          bare batch fill into a pre-touched arena (clinit-bench skips
          models over its 2.5 GiB memory cap, so FILL_SPEC defaults to
          examples/gpt2_small.json: the same methods and dtype)
Every clinit process runs under /usr/bin/time -v for its peak RSS. Each
output file is removed right after its run. `sync` runs before each
measurement, so that nobody's earlier dirty pages are counted.

    /usr/bin/python3 bench/init_write.py --clinit build/clinit
        [--before OLD_CLINIT] [--bench build/bench/clinit-bench]
        [--spec bench/gpt2_1p5b.json] [--dir DIR] [--runs 3]
        [--devices cpu,default] [--json-out FILE]

--before adds the rows of a second clinit binary (an older build), run
interleaved with the first. --dir is where the files go (default: the
current directory; it must be on the disk being measured).
Exit status: 0 success, 1 a command failed, 2 bad arguments.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time


def run_timed(cmd):
    """Runs cmd under /usr/bin/time -v; returns (stdout, stderr, wall s,
    peak RSS bytes)."""
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True,
                       text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit("init_write.py: %s failed (%d): %s" %
                 (" ".join(cmd), p.returncode, p.stderr.strip()[-600:]))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return p.stdout, p.stderr, wall, int(m.group(1)) * 1024 if m else 0


def clinit_init(exe, spec, out, device):
    """One clinit init: (its own seconds, wall seconds, peak RSS)."""
    cmd = [exe, "init", spec, "--out", out, "--table", "summary"]
    if device != "default":
        cmd += ["--device", device]
    so, _, wall, rss = run_timed(cmd)
    m = re.search(r"^time: ([0-9.]+) s", so, re.M)
    if not m:
        sys.exit("init_write.py: no time line from %s" % " ".join(cmd))
    return float(m.group(1)), wall, rss


def dd(path, nbytes):
    """dd of nbytes zeros with fdatasync: its own seconds."""
    p = subprocess.run(["dd", "if=/dev/zero", "of=" + path, "bs=16M",
                        "count=%d" % nbytes, "iflag=count_bytes",
                        "conv=fdatasync"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("init_write.py: dd failed: " + p.stderr.strip())
    m = re.search(r"copied, ([0-9.e+-]+) s", p.stderr)
    return float(m.group(1))


def bare_fill(bench, spec):
    """clinit-bench --model: the model-batch seconds and bytes per path."""
    p = subprocess.run([bench, "--model", spec, "--path", "cpu,opencl",
                        "--reps", "3", "--json"], capture_output=True,
                       text=True)
    if p.returncode != 0:
        sys.exit("init_write.py: clinit-bench failed: " + p.stderr.strip())
    rows = {}
    for line in p.stdout.splitlines():
        r = json.loads(line)
        if r.get("method") == "model-batch":
            rows[r["path"]] = r["bytes"] / r["seconds"]
    return rows


def spec_bytes(exe, spec, d):
    """The output's size: one run of clinit init to a file."""
    out = os.path.join(d, ".init_write_size.safetensors")
    subprocess.run([exe, "init", spec, "--out", out, "-q"], check=True)
    n = os.path.getsize(out)
    os.unlink(out)
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clinit", required=True)
    ap.add_argument("--before")
    ap.add_argument("--bench")
    ap.add_argument("--spec", default="bench/gpt2_1p5b.json")
    ap.add_argument("--fill-spec", default="examples/gpt2_small.json")
    ap.add_argument("--dir", default=".")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--devices", default="cpu,default")
    ap.add_argument("--json-out")
    a = ap.parse_args()
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    devices = a.devices.split(",")
    exes = [("after", a.clinit)] + ([("before", a.before)] if a.before else [])
    nbytes = spec_bytes(a.clinit, a.spec, a.dir)
    out = os.path.join(a.dir, ".init_write.safetensors")
    ddf = os.path.join(a.dir, ".init_write_dd.bin")
    res = {}  # key -> list of (seconds, wall, rss)

    def add(key, v):
        res.setdefault(key, []).append(v)

    print("load before: " + os.popen("uptime").read().strip())
    for r in range(a.runs):
        os.sync()
        add(("dd", "-", "file"), (dd(ddf, nbytes), 0, 0))
        os.unlink(ddf)
        for tag, exe in exes:
            for dev in devices:
                os.sync()
                add((tag, dev, "file"), clinit_init(exe, a.spec, out, dev))
                os.unlink(out)
                add((tag, dev, "null"),
                    clinit_init(exe, a.spec, "/dev/null", dev))
        if a.bench:
            for path, rate in bare_fill(a.bench, a.fill_spec).items():
                add(("fill", path, "-"), (rate, 0, 0))
        print("run %d done: %s" % (r + 1, os.popen("uptime").read().strip()),
              flush=True)

    med = {k: tuple(statistics.median(x[i] for x in v) for i in range(3))
           for k, v in res.items()}
    dd_s = med[("dd", "-", "file")][0]
    fill = {k[1]: v[0] for k, v in med.items() if k[0] == "fill"}
    print("\n%s: %d bytes; medians of %d runs" % (a.spec, nbytes, a.runs))
    print("dd bs=16M conv=fdatasync: %.2f s, %.3f GB/s" %
          (dd_s, nbytes / dd_s / 1e9))
    for p, rate in sorted(fill.items()):
        print("bare fill (%s model-batch, %s): %.3f GB/s" %
              (os.path.basename(a.fill_spec), p, rate / 1e9))
    print("\n%-7s %-8s %-5s %8s %8s %7s %7s %9s" %
          ("build", "device", "out", "s", "wall_s", "GB/s", "ratio",
           "rss_MiB"))
    rows = []
    for tag, _ in exes:
        for dev in devices:
            for kind in ("file", "null"):
                s, wall, rss = med[(tag, dev, kind)]
                gbps = nbytes / s / 1e9
                if kind == "file":
                    ratio, vs = dd_s / s, "dd"
                else:
                    ref = fill.get("cpu" if dev == "cpu" else "opencl")
                    ratio = gbps * 1e9 / ref if ref else float("nan")
                    vs = "fill"
                print("%-7s %-8s %-5s %8.2f %8.2f %7.3f %5.2f%-2s %9.1f" %
                      (tag, dev, kind, s, wall, gbps, ratio, vs[0],
                       rss / 2**20))
                rows.append({"build": tag, "device": dev, "out": kind,
                             "seconds": s, "wall": wall, "gbps": gbps,
                             "ratio": ratio, "vs": vs, "rss": rss,
                             "bytes": nbytes})
    print("(ratio: d = dd's time / clinit's time to a file; f = clinit's "
          "GB/s to /dev/null / the bare fill's)")
    print("load after: " + os.popen("uptime").read().strip())
    if a.json_out:
        with open(a.json_out, "w") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
            f.write(json.dumps({"dd_seconds": dd_s, "fill_gbps": {
                k: v / 1e9 for k, v in fill.items()}}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
