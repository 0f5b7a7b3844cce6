#!/usr/bin/python3
"""guard.py - the CPU path's inner loops stay vector code and stay cheap.

Two deterministic checks (no timing), for ctest's `guard` test
(tests/CMakeLists.txt), run in non-sanitized builds only:

1. instructions: valgrind (callgrind) counts the instructions of
   clinit_cpu_fill, per element, for every method of METHODS x every dtype
   x the variants valgrind can run (generic and AVX2: valgrind emulates no
   AVX-512), forced with the library's internal hook clinit_cpu_force_isa
   (tests/guard/guard_fill.c, one process, one callgrind dump per fill).
   Each count is held against its ceiling in tests/guard/ceilings.txt
   (the measured value x 1.5, the measured value next to it), and the dump
   must show the forced variant's clinit_cpu_run32_/run64_<isa> at work.
2. vector code: objdump -d of the static library; for every ISA variant
   (generic, AVX2, AVX-512) and pipeline (0: f32/f16/bf16, 1: f64) of
   src/cpu/kernels.c, every run_<dist> function of AVX2 and AVX-512 must
   use the variant's
   native vector registers (xmm packed / ymm / zmm) and keep its share of
   packed-vector instructions among vector-register ones (packed +
   scalar ss/sd), both against floors in tests/guard/vector.txt; and an
   AVX2 or AVX-512 function must call no libm function (a call to fmaf,
   sqrtf, ... there is a lane-by-lane fallback). This is the only guard
   of the AVX-512 variant, which valgrind cannot count. The generic
   variant is scalar C on x86-64 by design: its counts are printed, not
   checked (its instruction ceilings hold it).

usage: guard.py --fill EXE --lib LIBCLINIT.A [--tables DIR] [--numel N]
                [--update]
--update rewrites the two tables from this build's measurements (ceilings
= measured x 1.5, floors = measured x 0.5 and share x 0.8); review the
diff before committing it. Exit status: 0 pass, 1 a check failed or a tool
is missing (never a skip), 2 bad arguments.
"""
import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

METHODS = ["uniform", "normal", "trunc_normal", "kaiming_uniform",
           "xavier_normal", "sparse", "constant", "eye"]
DTYPES = ["f32", "f16", "bf16", "f64", "f8e4m3", "f8e5m2"]
COUNTED_ISAS = ["generic", "avx2"]   # valgrind has no AVX-512
ALL_ISAS = ["generic", "avx2", "avx512"]
# The variants whose loops must be vector code. The generic x86-64 variant
# (SSE2, no FMA) is scalar C by design (src/cpu/kernels.c: its fma is a
# libm call per lane, which clobbers every vector register): its counts
# are printed, and its cost is held by the instruction ceilings.
VECTOR_ISAS = ["avx2", "avx512"]
CEILING_FACTOR = 1.5
NATIVE_FLOOR_FACTOR = 0.5
SHARE_FLOOR_FACTOR = 0.8
# a method whose fill never enters the variant's loop (backend.c copies
# the one value)
NO_KERNEL = {"constant"}
# A call to a libm function from a vector variant's loop is a lane-by-lane
# fallback (the vector variants have FMA, and kernels/ computes log, sqrt,
# sincos, erfinv with its own polynomials).
LIBM_CALL = re.compile(r"^_*(fma|sqrt|cbrt|log|log2|log10|log1p|exp|exp2|"
                       r"expm1|pow|sin|cos|tan|sincos|erf|erfc|erfinv|"
                       r"floor|ceil|trunc|round|lround|rint|lrint|"
                       r"nearbyint|ldexp|frexp|fmod|remainder|copysign|"
                       r"fabs|hypot|atan|atan2|asin|acos)(f|l)?(_finite)?$")


def fail(msg):
    print("guard: " + msg, file=sys.stderr)
    sys.exit(1)


def need(tool):
    path = shutil.which(tool)
    if not path:
        fail("FAIL: %s is not installed; this test needs it (Debian: "
             "sh tools/setup-debian.sh installs valgrind and binutils). It "
             "does not skip." % tool)
    return path


def read_table(path, nkeys):
    """{key tuple: [values]} of a whitespace table, '#' comments."""
    rows = {}
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if len(line) < nkeys + 1:
                fail("%s:%d: too few columns" % (path, n))
            rows[tuple(line[:nkeys])] = line[nkeys:]
    return rows


# -- 1. instructions per element -------------------------------------------

def count_instructions(valgrind, fill, numel, specs, tmp):
    out = os.path.join(tmp, "cg.out")
    env = dict(os.environ, LD_BIND_NOW="1")  # no lazy PLT binding in a count
    cmd = [valgrind, "--tool=callgrind", "--toggle-collect=clinit_cpu_fill",
           "--dump-after=clinit_cpu_fill", "--compress-strings=no",
           "--compress-pos=no", "--callgrind-out-file=" + out, fill,
           str(numel)] + [":".join(s) for s in specs]
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    if r.returncode != 0:
        fail("FAIL: valgrind %s exited %d:\n%s" % (fill, r.returncode,
                                                   r.stdout[-4000:]))
    result = {}
    for i, spec in enumerate(specs, 1):
        path = "%s.%d" % (out, i)
        if not os.path.exists(path):
            fail("FAIL: no callgrind dump %d for %s" % (i, ":".join(spec)))
        total, fns = None, set()
        with open(path) as f:
            for line in f:
                if line.startswith("totals:"):
                    total = int(line.split()[1])
                elif line.startswith(("fn=", "cfn=")):
                    fns.add(line.split("=", 1)[1].strip())
        if total is None:
            fail("FAIL: no totals in callgrind dump %s" % path)
        result[spec] = (total / numel, fns)
    # one dump per fill and, at exit, one of what ran outside them, where
    # nothing is collected
    if os.path.exists("%s.%d" % (out, len(specs) + 1)) or \
            "totals: 0\n" not in open(out).read():
        fail("FAIL: callgrind collected outside the %d fills: the counts "
             "are not one fill each" % len(specs))
    return result


def check_instructions(args, valgrind, problems, notes):
    specs = [(isa, dt, m) for isa in COUNTED_ISAS for dt in DTYPES
             for m in METHODS]
    table_path = os.path.join(args.tables, "ceilings.txt")
    table = read_table(table_path, 3)
    with tempfile.TemporaryDirectory() as tmp:
        counts = count_instructions(valgrind, args.fill, args.numel, specs,
                                    tmp)
    rows = []
    print("# instructions per element of clinit_cpu_fill (valgrind "
          "callgrind), %d elements, one thread" % args.numel)
    print("%-8s %-5s %-16s %9s %9s %9s  %s" % ("variant", "dtype", "method",
          "Ir/elem", "ceiling", "measured", "verdict"))
    for spec in specs:
        isa, dt, m = spec
        ipe, fns = counts[spec]
        fn = "clinit_cpu_run%s_%s" % ("64" if dt == "f64" else "32", isa)
        if m not in NO_KERNEL and fn not in fns:
            problems.append("%s %s %s: the forced variant's %s did not run "
                            "(clinit_cpu_force_isa ignored?)" %
                            (m, dt, isa, fn))
        row = table.get(spec)
        verdict = "ok"
        if args.update:
            ceiling = math.ceil(ipe * CEILING_FACTOR * 100) / 100
            rows.append((isa, dt, m, ceiling, ipe))
            verdict = "measured"
            ceil_s, meas_s = "%.2f" % ceiling, "%.2f" % ipe
        elif row is None:
            problems.append("%s %s %s: no ceiling in %s (guard.py --update "
                            "measures one)" % (m, dt, isa, table_path))
            verdict, ceil_s, meas_s = "NO CEILING", "-", "-"
        else:
            ceiling, measured = float(row[0]), float(row[1])
            ceil_s, meas_s = row[0], row[1]
            if ipe > ceiling:
                verdict = "FAIL"
                problems.append(
                    "method %s, dtype %s, variant %s: %.2f instructions per "
                    "element > ceiling %.2f (%.2fx the %.2f measured when "
                    "the ceiling was set)" % (m, dt, isa, ipe, ceiling,
                                              ipe / measured, measured))
            elif ipe < measured / CEILING_FACTOR:
                notes.append("%s %s %s: %.2f instructions per element, well "
                             "below the %.2f measured: tighten the ceiling "
                             "(guard.py --update)" % (m, dt, isa, ipe,
                                                      measured))
        print("%-8s %-5s %-16s %9.2f %9s %9s  %s" % (isa, dt, m, ipe, ceil_s,
                                                     meas_s, verdict))
    for key in table:
        if key not in counts:
            notes.append("%s: a ceiling for a case the guard does not run"
                         % " ".join(key))
    if args.update:
        with open(table_path, "w") as f:
            f.write("# tests/guard/ceilings.txt - instructions per element "
                    "of clinit_cpu_fill\n# (valgrind callgrind, one "
                    "single-threaded fill of a [NUMEL/256, 256] tensor,\n"
                    "# NUMEL = %d; tests/guard/guard.py). ceiling = measured "
                    "x %.1f, rounded up;\n# measured = the count when the "
                    "ceiling was set (guard.py --update).\n"
                    "# variant dtype method ceiling measured\n"
                    % (args.numel, CEILING_FACTOR))
            for isa, dt, m, c, ipe in rows:
                f.write("%-8s %-5s %-16s %8.2f %8.2f\n" % (isa, dt, m, c,
                                                           ipe))


# -- 2. vector code ----------------------------------------------------------

def classify(objdump, lib):
    """{(isa, pipeline): {function: counts}} for src/cpu/kernels.c's
    members of the static library."""
    r = subprocess.run([objdump, "-dr", "--no-show-raw-insn", lib],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode != 0:
        fail("FAIL: objdump -d %s: %s" % (lib, r.stderr.strip()))
    members, cur, fn, call, call_target = [], None, None, None, None
    for line in r.stdout.splitlines():
        # a call's target in an object file is its relocation, the line
        # after it (a call within the file has none)
        rel = re.match(r"^\s+[0-9a-f]+: R_X86_64_\w+\s+([^+\-\s]+)", line)
        if rel:
            if call is not None:
                call.discard(call_target)
                call.add(rel.group(1))
            call = None
            continue
        call = None
        if re.match(r"^\S+:\s+file format ", line):
            cur = {}
            members.append(cur)
            fn = None
            continue
        m = re.match(r"^[0-9a-f]+ <([^>]+)>:$", line)
        if m and cur is not None:
            fn = m.group(1)
            cur[fn] = {"zmm": 0, "ymm": 0, "xmm_packed": 0, "scalar": 0,
                       "calls": set()}
            continue
        parts = line.split("\t")
        if fn is None or len(parts) < 2 or not parts[1].strip():
            continue
        ins = parts[1].strip()
        mn = ins.split()[0]
        ops = ins[len(mn):]
        c = cur[fn]
        if mn.startswith("call"):
            t = re.search(r"<([^>+@]+)", ops)
            call_target = t.group(1) if t else ops.strip()
            call = c["calls"]
            call.add(call_target)
        elif "%zmm" in ops:
            c["zmm"] += 1
        elif "%ymm" in ops:
            c["ymm"] += 1
        elif "%xmm" in ops:
            # scalar floating point: *ss/*sd (addss, vmulsd, cvtsi2ss,
            # vcvtss2sd, ...), and single-lane moves into or out of a
            # vector register
            if re.search(r"(ss|sd)$|(ss|sd)2|2(ss|sd)", mn) or \
                    mn in ("movd", "movq", "vmovd", "vmovq"):
                c["scalar"] += 1
            else:
                c["xmm_packed"] += 1
    variants = {}
    for mem in members:
        for name in mem:
            m = re.match(r"^clinit_cpu_run(32|64)_(\w+)$", name)
            if m:
                key = (m.group(2), "1" if m.group(1) == "64" else "0")
                funcs = {}
                for f, c in mem.items():
                    base = f.split(".", 1)[0]  # run_normal.constprop.0
                    if base.startswith("run_"):
                        funcs[base] = c
                variants[key] = funcs
    return variants


def native_count(isa, c):
    return {"avx512": c["zmm"], "avx2": c["ymm"]}.get(isa, c["xmm_packed"])


def check_vector(args, objdump, problems, notes):
    variants = classify(objdump, args.lib)
    table_path = os.path.join(args.tables, "vector.txt")
    table = read_table(table_path, 2)
    rows = []
    expect = [(isa, p) for isa in ALL_ISAS for p in "01"]
    missing = [k for k in expect if k not in variants]
    if "avx2" in [k[0] for k in missing]:
        # only x86-64 builds have the AVX variants; the table is x86-64's
        notes.append("no AVX2/AVX-512 variants in this build (not x86-64?)")
    for k in missing:
        if k[0] == "generic":
            problems.append("no clinit_cpu_run%s_generic in %s" %
                            ("64" if k[1] == "1" else "32", args.lib))
    print("# vector code of src/cpu/kernels.c per variant (objdump -d): "
          "native = instructions on the variant's vector registers "
          "(generic: packed xmm, avx2: ymm, avx512: zmm); share = packed / "
          "(packed + scalar ss/sd)")
    print("%-8s %-4s %-14s %7s %7s %6s %7s %-6s  %s" % (
        "variant", "pipe", "function", "native", "floor", "share", "floor",
        "libm", "verdict"))
    for (isa, pipe) in sorted(variants):
        for fn, c in sorted(variants[(isa, pipe)].items()):
            packed = c["zmm"] + c["ymm"] + c["xmm_packed"]
            share = packed / max(1, packed + c["scalar"])
            native = native_count(isa, c)
            bad_calls = sorted(x for x in c["calls"] if LIBM_CALL.match(x))
            key = ("%s_%s" % (isa, pipe), fn)
            what = "%s (%s pipeline) %s" % (
                isa, "f64" if pipe == "1" else "f32/f16/bf16", fn)
            verdict = "ok"
            checked = isa in VECTOR_ISAS
            if checked and bad_calls:
                verdict = "FAIL"
                problems.append("%s calls %s: a scalar lane-by-lane "
                                "fallback in a vector variant" %
                                (what, ", ".join(bad_calls)))
            if not checked:
                verdict, nf_s, sf_s = "scalar by design, not checked", "-", "-"
            elif args.update:
                nf = int(native * NATIVE_FLOOR_FACTOR)
                sf = math.floor(share * SHARE_FLOOR_FACTOR * 100) / 100
                rows.append((key[0], fn, nf, sf, native, share))
                verdict, nf_s, sf_s = "measured", str(nf), "%.2f" % sf
            else:
                row = table.get(key)
                if row is None:
                    problems.append("%s: no row %s %s in %s (guard.py "
                                    "--update)" % (what, key[0], fn,
                                                   table_path))
                    verdict, nf_s, sf_s = "NO FLOOR", "-", "-"
                else:
                    nf, sf = int(row[0]), float(row[1])
                    nf_s, sf_s = row[0], row[1]
                    if native < nf or native == 0:
                        verdict = "FAIL"
                        problems.append(
                            "%s: %d instructions on native vector registers "
                            "< floor %d (measured %s): de-vectorized?" %
                            (what, native, nf, row[2]))
                    if share < sf:
                        verdict = "FAIL"
                        problems.append(
                            "%s: packed share %.2f < floor %.2f (measured "
                            "%s): scalar code in the loop" %
                            (what, share, sf, row[3]))
            print("%-8s %-4s %-14s %7d %7s %6.2f %7s %-6s  %s" % (
                isa, pipe, fn, native, nf_s, share, sf_s,
                ",".join(bad_calls) or "-", verdict))
            table.pop(key, None)
    if not args.update:
        for key in table:
            problems.append("%s %s: in %s but not in the library" %
                            (key[0], key[1], table_path))
    if args.update:
        with open(table_path, "w") as f:
            f.write("# tests/guard/vector.txt - src/cpu/kernels.c's run_<dist> "
                    "functions are vector code\n# (objdump -d of the static "
                    "library; tests/guard/guard.py). native = instructions\n"
                    "# on the variant's vector registers (generic: packed "
                    "xmm, avx2: ymm, avx512:\n# zmm), share = packed / "
                    "(packed + scalar ss/sd) among vector-register\n"
                    "# instructions. Floors: native x %.1f, share x %.1f; "
                    "the measured values\n# next to them (guard.py "
                    "--update).\n"
                    "# variant_pipeline function native_floor share_floor "
                    "native share\n" % (NATIVE_FLOOR_FACTOR,
                                        SHARE_FLOOR_FACTOR))
            for var, fn, nf, sf, native, share in rows:
                f.write("%-10s %-14s %6d %5.2f %6d %5.2f\n" % (
                    var, fn, nf, sf, native, share))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fill", required=True, help="clinit-guard-fill")
    ap.add_argument("--lib", required=True, help="the static libclinit.a")
    ap.add_argument("--tables", default=os.path.dirname(
        os.path.abspath(__file__)))
    ap.add_argument("--numel", type=int, default=65536)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    if args.numel < 256 or args.numel % 256:
        print("guard: --numel must be a multiple of 256", file=sys.stderr)
        return 2
    valgrind, objdump = need("valgrind"), need("objdump")
    problems, notes = [], []
    check_vector(args, objdump, problems, notes)
    print()
    check_instructions(args, valgrind, problems, notes)
    for n in notes:
        print("guard: note: " + n)
    if args.update:
        print("guard: tables in %s rewritten; review the diff" % args.tables)
        return 0
    if problems:
        for p in problems:
            print("guard: FAIL: " + p, file=sys.stderr)
        print("guard: %d check(s) failed" % len(problems), file=sys.stderr)
        return 1
    print("guard: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
