#!/usr/bin/python3
"""plot.py - throughput vs size from clinit-bench / peers.py JSON lines.

    build/bench/clinit-bench --json > bench.jsonl
    /usr/bin/python3 bench/peers.py --json-out peers.jsonl
    /usr/bin/python3 bench/plot.py bench.jsonl [peers.jsonl ...]
        [--method uniform] [--dtype f32] [-o clinit-bench.png]

Reads JSON lines from the files (or stdin when none is given) and writes a
PNG: GB/s against tensor bytes, log-log, one line per path (opencl, cpu,
memset, stream, fillbuffer, torch, numpy) for one method and dtype. The
memset, stream and fillbuffer limits are drawn whatever the method. Rows without "gbps"
(overhead, startup) and the rows of `clinit-bench --model` (they have a
"model" key) are ignored; when a (path, bytes) point appears more
than once, the last one read wins. Needs matplotlib (Debian
python3-matplotlib); uses the Agg backend, no display.
Exit status: 0 success, 1 nothing to plot, 2 bad arguments or input.
"""

import argparse
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after the backend choice)
from matplotlib.ticker import FixedLocator, NullLocator  # noqa: E402

# Drawing order, style and legend label of each path.
PATHS = [
    ("memset", dict(color="0.45", linestyle="--", marker="",
                    label="memset (host limit)")),
    ("stream", dict(color="0.2", linestyle=":", marker="",
                    label="non-temporal stores (host limit)")),
    ("fillbuffer", dict(color="0.7", linestyle="--", marker="",
                        label="clEnqueueFillBuffer (device limit)")),
    ("opencl", dict(color="tab:blue", marker="o", label="clinit opencl")),
    ("cpu", dict(color="tab:orange", marker="s", label="clinit cpu")),
    ("torch", dict(color="tab:red", marker="^", label="torch.nn.init")),
    ("numpy", dict(color="tab:green", marker="v", label="numpy Generator")),
]
LIMITS = ("memset", "stream", "fillbuffer")


def human(nbytes):
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if nbytes >= 1 << shift and nbytes % (1 << shift) == 0:
            return "%d%s" % (nbytes >> shift, unit)
    return str(nbytes)


def read_rows(files):
    rows = []
    streams = [(f, open(f)) for f in files] if files else [("<stdin>",
                                                             sys.stdin)]
    for name, stream in streams:
        with stream:
            for n, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    sys.exit("plot.py: %s:%d: not JSON: %s" % (name, n, e))
    return rows


def series(rows, method, dtype):
    """{path: {bytes: gbps}} for the method (and the limits)."""
    out = {}
    for r in rows:
        path = r.get("path")
        if "gbps" not in r or "bytes" not in r or "model" in r:
            continue
        if path in LIMITS:
            if r.get("method") != path:
                continue
        elif r.get("method") != method or r.get("dtype") != dtype:
            continue
        out.setdefault(path, {})[int(r["bytes"])] = float(r["gbps"])
    return out


def main():
    ap = argparse.ArgumentParser(description="plot clinit-bench JSON lines")
    ap.add_argument("files", nargs="*", help="JSON lines (default: stdin)")
    ap.add_argument("--method", default="uniform",
                    help="method to plot (default uniform)")
    ap.add_argument("--dtype", default="f32", help="dtype (default f32)")
    ap.add_argument("-o", "--out", default="clinit-bench.png",
                    help="output PNG (default clinit-bench.png)")
    ap.add_argument("--title", help="plot title (default: method and dtype)")
    args = ap.parse_args()

    data = series(read_rows(args.files), args.method, args.dtype)
    if not any(p in data for p, _ in PATHS if p not in LIMITS):
        print("plot.py: no %s %s rows to plot" % (args.method, args.dtype),
              file=sys.stderr)
        return 1

    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    sizes = set()
    for path, style in PATHS:
        if path not in data:
            continue
        pts = sorted(data[path].items())
        sizes.update(b for b, _ in pts)
        ax.plot([b for b, _ in pts], [g for _, g in pts], linewidth=1.6,
                markersize=4, **style)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ticks = sorted(sizes)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([human(b) for b in ticks])
    ax.set_xlabel("tensor size (bytes of output)")
    ax.set_ylabel("GB/s (1e9 bytes/s, median)")
    ax.set_title(args.title or "clinit fill throughput: %s, %s"
                 % (args.method, args.dtype))
    ax.grid(True, which="major", alpha=0.3)
    ax.grid(True, which="minor", axis="y", alpha=0.1)
    ax.legend(fontsize="small", loc="best")
    fig.tight_layout()
    fig.savefig(args.out)
    print("plot.py: wrote %s" % args.out, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
