#!/usr/bin/python3
"""peers.py - clinit next to PyTorch and NumPy on the same machine, same run.

For each size, runs `clinit-bench --json` (clinit's opencl and cpu paths and
the memset / stream / fillbuffer limits), then times torch.nn.init (CPU, all cores)
and NumPy's Generator (PCG64, one thread) on a preallocated float32 tensor
of the same shape, and prints GB/s and the ratios. Every number is the
median of repetitions after one warm-up call, with the same rule as
clinit-bench: at least 5 repetitions and 0.2 s (or 3 and 2 s for slow
rows), at most 200.

Run with /usr/bin/python3 (Debian's python3-torch and python3-numpy):

    /usr/bin/python3 bench/peers.py [build/bench/clinit-bench]
        [--sizes 64K,1M,16M,256M] [--methods uniform,normal,...]
        [--reps N] [--torch-threads N] [--json-out FILE]

--json-out writes every row (clinit-bench's and the "torch" / "numpy"
rows, in clinit-bench's JSON line format) for bench/plot.py.
Exit status: 0 success, 1 clinit-bench failed, 2 bad arguments.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

MIN_REPS = 5
MIN_SECONDS = 0.2
MAX_REPS = 200
SLOW_REPS = 3  # slow rows stop at 3 repetitions once they took 2 s
SLOW_SECONDS = 2.0
CONSTANT_VAL = 0.5  # clinit-bench's constant rows use the same value

DEFAULT_SIZES = "64K,1M,16M,256M"
DEFAULT_METHODS = ("uniform,normal,kaiming_uniform,xavier_normal,"
                   "trunc_normal,constant")

# torch.nn.init with torch's default parameters (as clinit-bench uses).
TORCH = {
    "uniform": lambda t: torch.nn.init.uniform_(t),
    "normal": lambda t: torch.nn.init.normal_(t),
    "constant": lambda t: torch.nn.init.constant_(t, CONSTANT_VAL),
    "zeros": lambda t: torch.nn.init.zeros_(t),
    "ones": lambda t: torch.nn.init.ones_(t),
    "xavier_uniform": lambda t: torch.nn.init.xavier_uniform_(t),
    "xavier_normal": lambda t: torch.nn.init.xavier_normal_(t),
    "kaiming_uniform": lambda t: torch.nn.init.kaiming_uniform_(t),
    "kaiming_normal": lambda t: torch.nn.init.kaiming_normal_(t),
    "trunc_normal": lambda t: torch.nn.init.trunc_normal_(t),
}

# NumPy's Generator fills only U[0, 1) and N(0, 1) in place (out=); the
# scaled methods would need a second pass, so they get no numpy row.
NUMPY = {
    "uniform": lambda rng, x: rng.random(out=x, dtype=np.float32),
    "normal": lambda rng, x: rng.standard_normal(out=x, dtype=np.float32),
}


def parse_size(s):
    """'64K', '1M', '1G', '4MiB', '1048576' -> bytes (K/M/G are binary)."""
    m = re.fullmatch(r"(\d+)(?:([KkMmGg])(?:iB)?)?B?", s.strip())
    if not m or int(m.group(1)) == 0:
        raise argparse.ArgumentTypeError("bad size '%s'" % s)
    shift = {None: 0, "k": 10, "m": 20, "g": 30}[
        m.group(2).lower() if m.group(2) else None]
    return int(m.group(1)) << shift


def size_list(s):
    return [parse_size(x) for x in s.split(",")]


def method_list(s):
    names = [x.strip().rstrip("_") for x in s.split(",")]
    for n in names:
        if n not in TORCH:
            raise argparse.ArgumentTypeError(
                "unknown method '%s' (known: %s)" % (n, ", ".join(TORCH)))
    return names


def shape_2d(numel):
    """clinit-bench's shape: cols = the largest divisor <= 256."""
    cols = min(numel, 256)
    while numel % cols:
        cols -= 1
    return numel // cols, cols


def time_median(fn, reps):
    """Median seconds of fn() after one warm-up call: `reps` calls, or
    (reps 0) as clinit-bench: at least MIN_REPS and MIN_SECONDS (or
    SLOW_REPS and SLOW_SECONDS), at most MAX_REPS."""
    fn()
    times = []
    total = 0.0
    cap = reps if reps else MAX_REPS
    while len(times) < cap:
        a = time.perf_counter()
        fn()
        b = time.perf_counter()
        times.append(b - a)
        total += b - a
        if not reps and ((len(times) >= MIN_REPS and total >= MIN_SECONDS)
                         or (len(times) >= SLOW_REPS
                             and total >= SLOW_SECONDS)):
            break
    return statistics.median(times)


def rate_row(path, method, nbytes, numel, seconds):
    return {"path": path, "method": method, "dtype": "f32", "bytes": nbytes,
            "gbps": round(nbytes / seconds * 1e-9, 3),
            "gelems": round(numel / seconds * 1e-9, 3)}


def run_clinit(binary, nbytes, methods, reps):
    cmd = [binary, "--json", "--throughput", "--size", str(nbytes),
           "--dtype", "f32", "--method", ",".join(methods),
           # not the copy path: its third buffer puts 1 GiB over the cap
           "--path", "opencl,cpu,memset,stream,fillbuffer"]
    if reps:
        cmd += ["--reps", str(reps)]
    # stderr passes through: clinit-bench's notes on skipped methods
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit("peers.py: %s exited with status %d"
                 % (" ".join(cmd), proc.returncode))
    return [json.loads(line) for line in proc.stdout.splitlines() if line]


def run_peers(nbytes, methods, reps):
    numel = nbytes // 4
    rows = []
    t = torch.empty(shape_2d(numel), dtype=torch.float32)
    t.fill_(0)  # pre-touch: no page faults timed
    for m in methods:
        s = time_median(lambda: TORCH[m](t), reps)
        rows.append(rate_row("torch", m, nbytes, numel, s))
    del t
    x = np.zeros(numel, dtype=np.float32)
    rng = np.random.default_rng(1234)
    for m in methods:
        if m in NUMPY:
            s = time_median(lambda: NUMPY[m](rng, x), reps)
            rows.append(rate_row("numpy", m, nbytes, numel, s))
    return rows


def fmt(v, width, prec=3):
    return ("%*.*f" % (width, prec, v)) if v is not None else "%*s" % (
        width, "-")


def ratio(a, b):
    return a / b if a is not None and b else None


def print_table(rows, sizes, methods):
    def g(path, method, nbytes):
        for r in rows:
            if (r["path"] == path and r["method"] == method
                    and r["bytes"] == nbytes and "gbps" in r
                    and r["dtype"] in ("f32", "u8")):
                return r["gbps"]
        return None

    print("GB/s (1e9 bytes/s of float32 output), median; ratios of GB/s; "
          "hostlim = the faster of memset and stream")
    head = ("%-16s %11s %8s %8s %8s %8s %8s %8s %9s %9s %8s %8s"
            % ("method", "bytes", "hostlim", "fillbuf", "cpu", "opencl",
               "torch", "numpy", "cpu/torch", "ocl/torch", "cpu/np",
               "ocl/np"))
    print(head)
    for nbytes in sizes:
        # the host limit: the faster of memset and non-temporal stores
        lims = [v for v in (g("memset", "memset", nbytes),
                            g("stream", "stream", nbytes)) if v is not None]
        ms = max(lims) if lims else None
        fb = g("fillbuffer", "fillbuffer", nbytes)
        for m in methods:
            cpu, ocl = g("cpu", m, nbytes), g("opencl", m, nbytes)
            th, npy = g("torch", m, nbytes), g("numpy", m, nbytes)
            print("%-16s %11d %s %s %s %s %s %s %s %s %s %s" % (
                m, nbytes, fmt(ms, 8), fmt(fb, 8), fmt(cpu, 8), fmt(ocl, 8),
                fmt(th, 8), fmt(npy, 8), fmt(ratio(cpu, th), 9, 2),
                fmt(ratio(ocl, th), 9, 2), fmt(ratio(cpu, npy), 8, 2),
                fmt(ratio(ocl, npy), 8, 2)))
        print()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(
        description="clinit-bench next to torch.nn.init and NumPy")
    ap.add_argument("binary", nargs="?",
                    default=os.path.join(here, "..", "build", "bench",
                                         "clinit-bench"),
                    help="clinit-bench (default: build/bench/clinit-bench)")
    ap.add_argument("--sizes", type=size_list, default=DEFAULT_SIZES,
                    help="bytes per tensor, K/M/G suffixes (default %s)"
                    % DEFAULT_SIZES)
    ap.add_argument("--methods", type=method_list, default=DEFAULT_METHODS,
                    help="torch.nn.init names (default %s)" % DEFAULT_METHODS)
    ap.add_argument("--reps", type=int, default=0,
                    help="repetitions per row (default adaptive)")
    ap.add_argument("--torch-threads", type=int, default=os.cpu_count() or 1,
                    help="torch.set_num_threads (default: all cores)")
    ap.add_argument("--json-out", metavar="FILE",
                    help="write every row as JSON lines (for plot.py)")
    args = ap.parse_args()
    sizes, methods = args.sizes, args.methods  # defaults go through type=
    if args.reps < 0:
        ap.error("--reps must be >= 0")
    if any(n % 4 for n in sizes):
        ap.error("every size must be a multiple of 4 bytes (float32)")
    if not os.access(args.binary, os.X_OK):
        ap.error("no clinit-bench at %s (build it: cmake --build build "
                 "--target clinit-bench, or pass its path)" % args.binary)

    if args.torch_threads < 1:
        ap.error("--torch-threads must be >= 1")
    torch.set_num_threads(args.torch_threads)
    print("peers.py: torch %s (%d threads), numpy %s (1 thread, PCG64), %s"
          % (torch.__version__, torch.get_num_threads(), np.__version__,
             os.path.relpath(args.binary)), file=sys.stderr)
    rows = []
    for nbytes in sizes:
        t0 = time.perf_counter()
        # clinit first, then the peers, size by size: same machine state
        rows += run_clinit(args.binary, nbytes, methods, args.reps)
        rows += run_peers(nbytes, methods, args.reps)
        print("peers.py: %d bytes done in %.1f s"
              % (nbytes, time.perf_counter() - t0), file=sys.stderr)
    if args.json_out:
        with open(args.json_out, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
    print_table(rows, sizes, methods)
    return 0


if __name__ == "__main__":
    sys.exit(main())
