#!/usr/bin/env python3
"""The tools of tools/gpu-check.sh (docs/GPU.md), without a GPU.

usage: test_gpu_tools.py CLANG BIG_FILL PROGRAM_DUMP

- tools/gpu/ptx_ops.py on a hand-written PTX (rounding modifiers, fma,
  predicates, comments, a kernel calling a .func) and on clang's NVPTX
  output of a small kernel in three contraction settings: FP_CONTRACT OFF
  (mul/add/sub all .rn), the OpenCL default (a*b+c fused into fma at the
  IR level, the rest .rn) and -ffp-contract=fast (plain ops, which
  --require-zero-plain must refuse with the kernel's name);
- clinit-big-fill on the default OpenCL device (pocl): a fill across
  element 2^32 equals the CPU path (exit 0), the self-test with another
  reference seed finds differences (exit 1), bad arguments exit 2;
- clinit-program-dump: both shapes build and write a non-empty binary,
  bad arguments exit 2.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PTX_OPS = os.path.join(os.path.dirname(HERE), "tools", "gpu", "ptx_ops.py")
sys.path.insert(0, os.path.dirname(PTX_OPS))
import ptx_ops  # noqa: E402

FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, **kw)
    return p.returncode, p.stdout, p.stderr


HAND_PTX = r"""
.version 7.5
.target sm_80
.address_size 64
.extern .func  (.param .b32 func_retval0) ext_fn
(
	.param .b32 ext_fn_param_0
)
;
.func  (.param .b32 func_retval0) helper(
	.param .b32 helper_param_0
)
{
	.reg .f32 	%f<4>;
	mul.f32 	%f2, %f1, %f1;   // plain
	add.rn.f32 	%f3, %f2, %f1;
	ret;
}
.visible .entry kern_a(
	.param .u64 kern_a_param_0
)
{
	.local .align 4 .b8 	__local_depot1[24];
	.reg .pred 	%p<2>;
	.reg .f32 	%f<9>;
	.reg .f64 	%fd<3>;
	// mul.f32 in a comment is no instruction
	mul.rn.f32 	%f1, %f2, %f3;
	@%p1 sub.rz.ftz.f32 	%f4, %f1, %f2;
	fma.rn.f32 	%f5, %f1, %f2, %f3;
	mad.rn.f64 	%fd1, %fd2, %fd2, %fd2;
	add.s32 	%r1, %r2, %r3;
	{ // callseq 0, 0
	.param .b32 param0;
	call.uni (retval0),
	helper,
	(
	param0
	);
	} // callseq 0
	ret;
}
.visible .entry kern_b()
{
	.reg .f64 	%fd<5>;
	@!%p1 add.f64 	%fd1, %fd2, %fd3;
	sub.f64 	%fd3, %fd2, %fd1;
	ret;
}
"""


def test_hand_ptx():
    rows, funcs = ptx_ops.kernel_rows(HAND_PTX)
    got = {r[0]: r[1:5] for r in rows}
    check(set(got) == {"kern_a", "kern_b"}, "hand PTX: the two .entry kernels (%s)" % sorted(got))
    # kern_a: own .rn mul, .rz sub, fma, mad -> rounded 2, fma 2; helper adds
    # plain 1, rounded 1. Registers: 2 + 9 + 3 declared.
    check(got.get("kern_a") == (1, 3, 2, 14), "hand PTX: kern_a counts %s" % (got.get("kern_a"),))
    check(got.get("kern_b") == (2, 0, 0, 5), "hand PTX: kern_b counts %s" % (got.get("kern_b"),))
    check([r[6] for r in rows] == [24, 0], "hand PTX: local bytes %s" % [r[6] for r in rows])
    check(funcs["kern_a"]["calls"] == {"helper"}, "hand PTX: kern_a calls helper")
    check("ext_fn" not in funcs, "hand PTX: an .extern declaration is no function")


def clang_ptx(clang, d, src, extra):
    path = os.path.join(d, "k.cl")
    with open(path, "w") as f:
        f.write(src)
    out = os.path.join(d, "k.ptx")
    rc, o, e = run([clang, "-x", "cl", "-cl-std=CL1.2", "-Xclang",
                    "-finclude-default-header", "-Xclang", "-cl-ext=+cl_khr_fp64",
                    "-O2", "-S", "-target", "nvptx64-nvidia-cuda", "-march=sm_80"]
                   + extra + [path, "-o", out])
    check(rc == 0, "clang nvptx %s compiles%s" % (" ".join(extra) or "(default)",
                                                  "" if rc == 0 else ": " + e[-400:]))
    return out if rc == 0 else None


KERNEL = """
kernel void k(global float *a, global double *d)
{
    a[0] = a[1] * a[2];
    a[3] = a[4] + a[5];
    a[6] = a[7] - a[8];
    d[0] = d[1] * d[2] + d[3];
}
"""


def test_clang(clang):
    with tempfile.TemporaryDirectory() as d:
        cases = [
            # (source, flags, plain, rounded, fma, exit of --require-zero-plain)
            ("#pragma OPENCL FP_CONTRACT OFF\n" + KERNEL, [], 0, 5, 0, 0),
            (KERNEL, [], 0, 3, 1, 0),
            (KERNEL, ["-ffp-contract=fast"], 3, 0, 1, 1),
        ]
        for src, flags, plain, rounded, fma, want_rc in cases:
            what = "FP_CONTRACT OFF" if "pragma" in src else " ".join(flags) or "default"
            ptx = clang_ptx(clang, d, src, flags)
            if not ptx:
                continue
            rows, _ = ptx_ops.kernel_rows(open(ptx).read())
            check([r[1:4] for r in rows] == [(plain, rounded, fma)],
                  "clang %s: plain/rounded/fma %s, expected %s" % (
                      what, [r[1:4] for r in rows], (plain, rounded, fma)))
            rc, o, e = run([sys.executable, PTX_OPS, ptx, "--require-zero-plain"])
            check(rc == want_rc, "ptx_ops.py --require-zero-plain (%s) exits %d (got %d)"
                  % (what, want_rc, rc))
            if want_rc:
                check(re.search(r"\bk: 3 plain float ops, e\.g\. (mul|add|sub)\.f32", e)
                      is not None, "the refusal names the kernel and an instruction: "
                      + e.strip()[:120])
        rc, o, e = run([sys.executable, PTX_OPS, os.path.join(d, "k.cl")])
        check(rc == 1 and "no .entry" in e, "ptx_ops.py refuses a file that is not PTX")


def test_big_fill(big):
    base = [big, "--method", "trunc_normal", "--dtype", "f16", "--numel", str(1 << 33),
            "--lo", str((1 << 32) - 5000), "--hi", str((1 << 32) + 3000),
            "--chunk-mib", "0"]
    rc, o, e = run(base[:-2])  # default pieces
    check(rc == 0 and " 0 differing elements" in o,
          "big-fill across element 2^32 equals the CPU path: " + (o + e).strip()[-160:])
    rc, o, e = run(base[:-1] + ["1"] + ["--ref-seed", "7"])
    m = re.search(r" (\d+) differing elements", o)
    check(rc == 1 and m is not None and int(m.group(1)) > 7000,
          "big-fill --ref-seed 7 (self-test) finds differences: " + (o + e).strip()[-160:])
    check("differs" in o, "big-fill names a differing element")
    for args, what in [([], "no --numel"), (["--numel", "10", "--lo", "10"], "--lo == --hi"),
                       (["--numel", "10", "--dtype", "f99"], "bad dtype"),
                       (["--numel", "10", "--chunk-mib", "0"], "--chunk-mib 0"),
                       (["--numel", "-3"], "negative --numel"), (["--bogus"], "unknown flag")]:
        rc, o, e = run([big] + args)
        check(rc == 2 and "usage" in e, "big-fill %s: exit 2 with usage (got %d)" % (what, rc))


def test_program_dump(dump):
    with tempfile.TemporaryDirectory() as d:
        for shape in ("gpu", "cpu"):
            out = os.path.join(d, shape + ".bin")
            rc, o, e = run([dump, "--shape", shape, "--log", os.path.join(d, "log"), out])
            size = os.path.getsize(out) if os.path.exists(out) else 0
            check(rc == 0 and size > 0 and ("%d bytes" % size) in o,
                  "program-dump --shape %s writes its binary (%d bytes): %s"
                  % (shape, size, (o + e).strip()[-120:]))
        for args, what in [([], "no output"), (["--shape", "tpu", "x"], "bad shape"),
                           (["a", "b"], "two outputs"), (["--device", "cuda:0", "x"], "bad device")]:
            rc, o, e = run([dump] + args, cwd=d)
            check(rc == 2, "program-dump %s: exit 2 (got %d)" % (what, rc))
        check(sorted(os.listdir(d)) == ["cpu.bin", "gpu.bin", "log"],
              "program-dump leaves nothing else behind: %s" % sorted(os.listdir(d)))


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    clang = argv[1]
    big, dump = (os.path.abspath(p) for p in argv[2:])
    test_hand_ptx()
    test_clang(clang)
    test_big_fill(big)
    test_program_dump(dump)
    n = len(FAILS)
    print("gpu_tools: %d failed" % n)
    return 1 if n else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
