#!/usr/bin/python3
"""summarize.py - the targets table of docs/PERF.md from bench/results/.

    /usr/bin/python3 bench/summarize.py [RESULTS_DIR]

Reads the JSON lines bench/run_results.sh writes (sweep, dtypes, overhead,
startup, model, peers, single; and sweep_rep*/model_rep* when present;
rows measured in several rounds, dtypes and single, count their best
round) and prints
Markdown: throughput at 64 MiB and at the largest size of the sweep, every
target's ratio from one run (run 1) with pass/fail, and the spread of the
repeat runs. Every number is computed here from the files, none typed in.
"""
import glob
import json
import os
import sys


def load(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(x) for x in f if x.strip()]


def best(rows):
    """Rows measured in several rounds (the same path, method, dtype and
    size): the round with the highest element rate of each."""
    out, idx = [], {}
    for r in rows:
        k = (r.get("path"), r.get("method"), r.get("dtype"), r.get("bytes"))
        if k not in idx:
            idx[k] = len(out)
            out.append(r)
        elif r.get("gelems", 0) > out[idx[k]].get("gelems", 0):
            out[idx[k]] = r
    return out


def host_limit(rows, nbytes):
    """The host's write limit at nbytes: the faster of the memset and
    stream (non-temporal stores) rows; memset alone in runs before
    clinit-bench had stream."""
    v = [x for x in (get(rows, "memset", "memset", nbytes),
                     get(rows, "stream", "stream", nbytes)) if x is not None]
    return max(v) if v else None


def get(rows, path, method, nbytes=None, dtype=None, key="gbps"):
    for r in rows:
        if (r.get("path") == path and r.get("method") == method
                and (nbytes is None or r.get("bytes") == nbytes)
                and (dtype is None or r.get("dtype") == dtype) and key in r):
            return r[key]
    return None


def human(n):
    for u, s in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << s and n % (1 << s) == 0:
            return "%d %s" % (n >> s, u)
    return str(n)


def verdict(ok):
    return "**pass**" if ok else "**FAIL**"


def cycles_targets(single):
    """Single-thread cycles per element of the f32 CPU path (AVX2)."""
    base = {}
    for m, lim in (("uniform", 1.5), ("normal", 3), ("trunc_normal", 6),
                   ("sparse", 8)):
        c = get(single, "cpu-1thread", m, dtype="f32", key="cycles")
        if c is None:
            continue
        base[m] = c
        print("| CPU f32 single thread %s <= %g cycles/element | %.2f "
              "(%.3f Gelem/s at %.2f GHz) | %s |"
              % (m, lim, c, get(single, "cpu-1thread", m, key="gelems"),
                 get(single, "cpu-1thread", m, key="ghz"), verdict(c <= lim)))
    parts, ok = [], True
    for m, b in (("kaiming_uniform", "uniform"), ("xavier_normal", "normal")):
        c = get(single, "cpu-1thread", m, dtype="f32", key="cycles")
        if c is None or b not in base:
            continue
        r = c / base[b]
        ok &= r <= 1.05
        parts.append("%s %.2f / %s %.2f = %.3f" % (m, c, b, base[b], r))
    if parts:
        print("| kaiming/xavier cost = their base distribution (within 5%%) "
              "| %s | %s |" % ("; ".join(parts), verdict(ok)))


def dtype_targets(dtypes):
    """f16/bf16/f8 >= f32 element rate, f64 >= 0.5x; pocl >= 0.8x CPU."""
    narrow = ("f16", "bf16", "f8e4m3", "f8e5m2")
    methods = []
    for r in dtypes:
        if r.get("method") not in methods and "gelems" in r:
            methods.append(r["method"])
    for p in ("cpu", "opencl"):
        parts, ok, parts64, ok64 = [], True, [], True
        for m in methods:
            f32 = get(dtypes, p, m, dtype="f32", key="gelems")
            if not f32:
                continue
            for dt in narrow:
                v = get(dtypes, p, m, dtype=dt, key="gelems")
                if v is None:
                    continue
                ok &= v >= f32
                parts.append("%s %s %.2f" % (m, dt, v / f32))
            v = get(dtypes, p, m, dtype="f64", key="gelems")
            if v is not None:
                ok64 &= v >= 0.5 * f32
                parts64.append("%s %.2f" % (m, v / f32))
        if parts:
            print("| %s: f16/bf16/f8 element rate >= f32's (64 MiB; ratio) "
                  "| %s | %s |" % (p, "; ".join(parts), verdict(ok)))
        if parts64:
            print("| %s: f64 element rate >= 0.5x f32's (64 MiB; ratio) "
                  "| %s | %s |" % (p, "; ".join(parts64), verdict(ok64)))
    parts, ok = [], True
    for m in methods:
        for dt in ("f32",) + narrow + ("f64",):
            c = get(dtypes, "cpu", m, dtype=dt, key="gelems")
            o = get(dtypes, "opencl", m, dtype=dt, key="gelems")
            if c and o:
                ok &= o >= 0.8 * c
                parts.append("%s %s %.2f" % (m, dt, o / c))
    if parts:
        print("| OpenCL (pocl) >= 0.8x the CPU path, every method and dtype "
              "(64 MiB; opencl/cpu) | %s | %s |"
              % ("; ".join(parts), verdict(ok)))


def peer_targets(peers):
    """>= 10x torch.nn.init (uniform, normal, kaiming_uniform), >= 20x
    (trunc_normal), >= 3x NumPy for each; the same thread count as
    torch."""
    psz = sorted({r["bytes"] for r in peers if r.get("path") == "torch"})
    for s in [x for x in (1 << 26, psz[-1] if psz else 0) if x in psz]:
        for lim, ms_ in ((10, ["uniform", "normal", "kaiming_uniform"]),
                         (20, ["trunc_normal"])):
            parts, ok = [], True
            for m in ms_:
                t, c = get(peers, "torch", m, s), get(peers, "cpu", m, s)
                if t and c:
                    r = c / t
                    ok &= r >= lim
                    parts.append("cpu/torch %s %.1f" % (m, r))
            if parts:
                print("| >= %dx torch.nn.init (%s, cpu path) | %s | %s |"
                      % (lim, human(s), "; ".join(parts), verdict(ok)))
        parts, ok = [], True
        for m in ("uniform", "normal", "kaiming_uniform", "trunc_normal"):
            n, c = get(peers, "numpy", m, s), get(peers, "cpu", m, s)
            if n and c:
                r = c / n
                ok &= r >= 3
                parts.append("cpu/numpy %s %.1f" % (m, r))
        if parts:
            print("| >= 3x NumPy (%s, cpu path) | %s | %s |"
                  % (human(s), "; ".join(parts), verdict(ok)))


def targets(sweep, dtypes, single, peers, big):
    """The performance issue's targets, each from one run."""
    lim = host_limit(sweep, big)
    c = get(sweep, "cpu", "uniform", big)
    if lim and c:
        print("| CPU uniform f32, all cores, %s >= 0.8x host limit | %.2f / "
              "%.1f GB/s = %.3f | %s |"
              % (human(big), c, lim, c / lim, verdict(c >= 0.8 * lim)))
    cycles_targets(single)
    dtype_targets(dtypes)
    peer_targets(peers)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "results")
    sweep = load(os.path.join(d, "sweep.jsonl"))
    dtypes = best(load(os.path.join(d, "dtypes.jsonl")))
    overhead = load(os.path.join(d, "overhead.jsonl"))
    startup = load(os.path.join(d, "startup.jsonl"))
    model = load(os.path.join(d, "model.jsonl"))
    peers = load(os.path.join(d, "peers.jsonl"))
    sizes = sorted({r["bytes"] for r in sweep if r.get("method") == "memset"})
    big = sizes[-1]
    show = [s for s in (1 << 26, big) if s in sizes]
    methods = []
    for r in sweep:
        if r.get("path") == "cpu" and "gbps" in r and r["method"] not in methods:
            methods.append(r["method"])

    print("### Throughput (f32, GB/s = 1e9 bytes/s, median)\n")
    print("host limit = the faster of memset and stream (non-temporal "
          "stores) at that size\n")
    print("| size | method | opencl | cpu | host limit | fillbuffer | "
          "opencl/host | cpu/host | opencl/fillbuffer | cpu/opencl |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in show:
        ms, fb = host_limit(sweep, s), get(sweep, "fillbuffer", "fillbuffer",
                                           s)
        for m in methods:
            o, c = get(sweep, "opencl", m, s), get(sweep, "cpu", m, s)
            print("| %s | %s | %.2f | %.2f | %.1f | %.1f | %.3f | %.3f | "
                  "%.2f | %.2f |" % (human(s), m, o, c, ms, fb, o / ms, c / ms,
                                      o / fb, c / o))
    print()

    single = best(load(os.path.join(d, "single.jsonl")))
    print("### Targets (run 1: bench/results/*.jsonl)\n")
    print("| target | measured (one run) | result |")
    print("| --- | --- | --- |")
    targets(sweep, dtypes, single, peers, big)
    for p, lim in (("cpu", 20), ("opencl", 100)):
        us = get(overhead, p, "overhead", key="us")
        print("| %s overhead, 1 KiB <= %d us | %.1f us | %s |"
              % (p, lim, us, verdict(us <= lim)))
    for r in startup:
        print("| startup, first 1 MiB fill (%s, warm caches) <= 100 ms | "
              "%.1f ms | %s |" % (r["path"], r["us"] / 1e3,
                                  verdict(r["us"] <= 1e5)))
    a = get(model, "opencl", "model-batch", key="seconds")
    b = get(model, "opencl", "model-single-tensor", key="seconds")
    c = get(model, "opencl", "model-per-tensor", key="seconds")
    print("| gpt2_small batched on the device <= 1.2x one tensor of the "
          "same bytes | (a)/(b) = %.3f (%.1f / %.1f ms); per-tensor (c)/(b) "
          "= %.3f (%.1f ms) | %s |"
          % (a / b, a * 1e3, b * 1e3, c / b, c * 1e3, verdict(a / b <= 1.2)))
    print()

    reps = sorted(glob.glob(os.path.join(d, "sweep_rep*.jsonl")))
    if reps:
        print("### Spread over runs (run 1 and the repeats)\n")
        print("| quantity | runs |")
        print("| --- | --- |")
        allsw = [sweep] + [load(x) for x in reps]
        allmo = [model] + [load(x) for x in sorted(
            glob.glob(os.path.join(d, "model_rep*.jsonl")))]
        for m in ("uniform", "normal", "trunc_normal", "sparse"):
            for s in show:
                v = ["%.3f" % (get(x, "opencl", m, s) / host_limit(x, s))
                     for x in allsw]
                print("| opencl/host limit %s %s | %s |" % (m, human(s),
                                                           ", ".join(v)))
        for s in show:
            v = ["%.1f" % host_limit(x, s) for x in allsw]
            print("| host limit GB/s %s | %s |" % (human(s), ", ".join(v)))
        for m in ("uniform", "sparse"):
            for s in show:
                v = ["%.2f" % (get(x, "cpu", m, s) / get(x, "opencl", m, s))
                     for x in allsw]
                print("| cpu/opencl %s %s | %s |" % (m, human(s),
                                                    ", ".join(v)))
        for meth in ("model-batch", "model-per-tensor"):
            v = ["%.3f" % (get(x, "opencl", meth, key="seconds")
                           / get(x, "opencl", "model-single-tensor",
                                 key="seconds")) for x in allmo]
            print("| gpt2_small opencl %s / single | %s |" % (meth,
                                                             ", ".join(v)))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
