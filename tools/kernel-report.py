#!/usr/bin/env python3
"""kernel-report.py - offline compile report of clinit's OpenCL kernels.

Compiles kernels/clinit_fill.cl (with the kernels/*.h it includes), in
both shapes the library builds (GPU-shaped: -DCLINIT_OCL_LANES=1; and
CPU-shaped: no option, 16 lanes per work-item), with this machine's clang
for two GPU targets, no GPU needed:
  - amdgcn-amd-amdhsa -mcpu=gfx90a: per kernel VGPRs, SGPRs, AGPRs,
    scratch (private segment) bytes and VGPR/SGPR spills, from the code
    object metadata (.amdgpu_metadata) of the .s;
  - nvptx64-nvidia-cuda, the newest sm_NN this clang knows: PTX, per kernel
    the plain vs rounded (.rn) f32/f64 mul/add/sub and the fma count
    (tools/gpu/ptx_ops.py, the counter tools/gpu-check.sh uses on NVIDIA's
    own PTX) and the virtual registers the PTX declares (ptxas, which
    would give the real registers and spills, is not part of Debian).
OpenCL C builtins come from libclc's bitcode (/usr/lib/clc, Debian's
libclc-NN, which must match the clang's version), linked with
-mlink-builtin-bitcode; without it the builtins (fma, mul_hi, convert_*)
stay calls and the counts of fma and registers mean less (said in the
report).

usage: kernel-report.py [--clang CLANG] [--out FILE.md] [--update DOC.md]
  --out FILE     write the markdown report there (default: stdout)
  --update DOC   replace the text between "<!-- kernel-report:begin -->"
                 and "<!-- kernel-report:end -->" in DOC with the report
Exit status: 0 written; 1 a compile failed or nothing was found; 2 usage.
"""
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools", "gpu"))
import ptx_ops  # noqa: E402

SOURCE = os.path.join(REPO, "kernels", "clinit_fill.cl")
BASE = ["-x", "cl", "-cl-std=CL1.2", "-Xclang", "-finclude-default-header",
        "-Xclang", "-cl-ext=+cl_khr_fp64,+cl_khr_fp16",
        "-I", os.path.join(REPO, "kernels"), "-O2", "-S",
        "-Wno-linker-warnings"]
SHAPES = [("gpu", ["-DCLINIT_OCL_LANES=1"]), ("cpu", [])]
LIBCLC = "/usr/lib/clc"
BEGIN, END = "<!-- kernel-report:begin -->", "<!-- kernel-report:end -->"


def run(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
    except OSError as e:
        return 127, str(e)
    return p.returncode, p.stdout + p.stderr


def clang_version(clang):
    rc, out = run([clang, "--version"])
    m = re.search(r"clang version (\d+)\.", out) if rc == 0 else None
    return int(m.group(1)) if m else None


def pick_clang(given):
    """(clang, major) of the given one, else of the newest clang-NN whose
    version libclc's bitcode can be read by (probed by a compile)."""
    names = [given] if given else ["clang-17", "clang-16", "clang-15",
                                   "clang-14", "clang"]
    for c in names:
        v = clang_version(c)
        if v is None:
            continue
        if given or libclc_ok(c):
            return c, v
    for c in names:  # none reads libclc: the first clang, without it
        v = clang_version(c)
        if v is not None:
            return c, v
    return None, None


def libclc_ok(clang):
    bc = os.path.join(LIBCLC, "nvptx64--nvidiacl.bc")
    if not os.path.exists(bc):
        return False
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.cl")
        with open(src, "w") as f:
            f.write("kernel void k(global float *a) { a[0] = fma(a[1], a[2], a[3]); }\n")
        rc, _ = run([clang] + BASE + ["-target", "nvptx64-nvidia-cuda",
                                      "-Xclang", "-mlink-builtin-bitcode",
                                      "-Xclang", bc, src, "-o",
                                      os.path.join(d, "t.s")])
        return rc == 0


def newest_sm(clang):
    """The newest sm_NN clang's NVPTX backend accepts (the error of an
    unknown one lists the valid names)."""
    rc, out = run([clang, "-target", "nvptx64-nvidia-cuda", "-march=sm_999",
                   "-x", "cl", "-E", "-", "-o", os.devnull])
    sms = sorted(int(s) for s in re.findall(r"\bsm_(\d+)\b", out) if s != "999")
    return "sm_%d" % sms[-1] if sms else "sm_80"


def compile_one(clang, target, cpu, shape_opts, libclc_bc, out):
    cmd = [clang] + BASE + shape_opts + ["-target", target]
    cmd += ["-mcpu=" + cpu] if target.startswith("amdgcn") else ["-march=" + cpu]
    if target.startswith("amdgcn"):
        cmd.append("-nogpulib")
    if libclc_bc:
        cmd += ["-Xclang", "-mlink-builtin-bitcode", "-Xclang", libclc_bc]
    cmd += [SOURCE, "-o", out]
    rc, log = run(cmd)
    if rc != 0:
        sys.stderr.write("kernel-report: %s\n%s\n" % (" ".join(cmd), log))
    return rc == 0


def amd_resources(text):
    """{kernel: {field: int}} from the .amdgpu_metadata YAML of a .s."""
    m = re.search(r"\.amdgpu_metadata\n(.*?)\.end_amdgpu_metadata", text, re.S)
    kernels, cur = {}, None
    for line in (m.group(1).splitlines() if m else []):
        if line.startswith("  - "):
            cur = {}
            line = "    " + line[4:]
        if cur is None or not line.startswith("    .") or line.startswith("     "):
            continue
        key, _, val = line.strip().partition(":")
        val = val.strip()
        if key == ".name":
            kernels[val] = cur
        elif re.fullmatch(r"\d+", val):
            cur[key[1:]] = int(val)
    return kernels


def shape_table(shape, amd, ptx_rows):
    ptx = {r[0]: r for r in ptx_rows}
    names = [r[0] for r in ptx_rows] + sorted(k for k in amd if k not in ptx)
    out = ["| kernel | VGPR | SGPR | AGPR | scratch bytes | spills v/s "
           "| PTX plain f32/f64 ops | PTX .rn ops | PTX fma | PTX virtual regs "
           "| PTX local bytes |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n in names:
        a, p = amd.get(n, {}), ptx.get(n)
        g = lambda k: str(a[k]) if k in a else "-"
        out.append("| %s | %s | %s | %s | %s | %s/%s | %s | %s | %s | %s | %s |" % (
            n, g("vgpr_count"), g("sgpr_count"), g("agpr_count"),
            g("private_segment_fixed_size"), g("vgpr_spill_count"),
            g("sgpr_spill_count"),
            *(("%d" % x for x in p[1:5] + (p[6],)) if p else ("-",) * 5)))
    return out


def summary(shape, amd, ptx_rows):
    fill = [r for r in ptx_rows if r[0].startswith("clinit_k_") and
            not r[0].endswith("_probe") and r[0] != "clinit_k_philox_raw"]
    a = [v for k, v in amd.items()]
    return ("%s-shaped: %d kernels; plain f32/f64 mul/add/sub in PTX: %d "
            "(.rn: %d, fma: %d); max VGPR %s, max SGPR %s, scratch bytes max %s, "
            "spills %s" % (
                shape, len(ptx_rows), sum(r[1] for r in ptx_rows),
                sum(r[2] for r in ptx_rows), sum(r[3] for r in ptx_rows),
                max((v.get("vgpr_count", 0) for v in a), default="-"),
                max((v.get("sgpr_count", 0) for v in a), default="-"),
                max((v.get("private_segment_fixed_size", 0) for v in a), default="-"),
                sum(v.get("vgpr_spill_count", 0) + v.get("sgpr_spill_count", 0) for v in a)),
            len(fill))


def report(clang, major):
    sm = newest_sm(clang)
    nv_bc = os.path.join(LIBCLC, "nvptx64--nvidiacl.bc")
    amd_bc = os.path.join(LIBCLC, "amdgcn--amdhsa.bc")
    with_clc = libclc_ok(clang)
    lines = ["Generated by `tools/kernel-report.py` with clang %d (`%s`): "
             "amdgcn-amd-amdhsa gfx90a and nvptx64-nvidia-cuda %s (the newest "
             "this clang has; sm_90 needs a newer one), -O2, -cl-std=CL1.2, "
             "builtins from %s. PTX virtual registers are what the PTX "
             "declares; ptxas (real registers, spills) is not available here."
             % (major, os.path.basename(clang), sm,
                "libclc's bitcode (%s)" % LIBCLC if with_clc else
                "nowhere (no matching libclc: builtins stay calls)"), ""]
    ok = True
    with tempfile.TemporaryDirectory() as d:
        for shape, opts in SHAPES:
            amd_s, ptx_s = os.path.join(d, shape + ".s"), os.path.join(d, shape + ".ptx")
            ok &= compile_one(clang, "amdgcn-amd-amdhsa", "gfx90a", opts,
                              amd_bc if with_clc else None, amd_s)
            ok &= compile_one(clang, "nvptx64-nvidia-cuda", sm, opts,
                              nv_bc if with_clc else None, ptx_s)
            if not ok:
                return None
            amd = amd_resources(open(amd_s).read())
            rows, _ = ptx_ops.kernel_rows(open(ptx_s).read())
            if not amd or not rows:
                sys.stderr.write("kernel-report: no kernels found (%s)\n" % shape)
                return None
            title = ("GPU-shaped (`-DCLINIT_OCL_LANES=1`, one counter per "
                     "work-item: what the library builds for GPUs)" if shape == "gpu"
                     else "CPU-shaped (no option, 16 lanes per work-item)")
            lines += ["#### " + title, "", summary(shape, amd, rows)[0] + ".", ""]
            lines += shape_table(shape, amd, rows) + [""]
    return "\n".join(lines)


def main(argv):
    clang = out = update = None
    i = 1
    while i < len(argv):
        a = argv[i]
        if a in ("--clang", "--out", "--update") and i + 1 < len(argv):
            if a == "--clang":
                clang = argv[i + 1]
            elif a == "--out":
                out = argv[i + 1]
            else:
                update = argv[i + 1]
            i += 2
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            sys.stderr.write("kernel-report: unknown argument '%s' (see --help)\n" % a)
            return 2
    clang, major = pick_clang(clang)
    if not clang:
        sys.stderr.write("kernel-report: no clang found\n")
        return 1
    text = report(clang, major)
    if text is None:
        return 1
    if update:
        doc = open(update).read()
        if BEGIN not in doc or END not in doc:
            sys.stderr.write("kernel-report: %s has no %s ... %s\n" % (update, BEGIN, END))
            return 1
        head, rest = doc.split(BEGIN, 1)
        doc = head + BEGIN + "\n" + text + "\n" + END + rest.split(END, 1)[1]
        write(update, doc)
    elif out:
        write(out, text + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0


def write(path, text):
    """Crash-safe: a temporary in the same directory, fsync, rename."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".tmp-", dir=d)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


if __name__ == "__main__":
    sys.exit(main(sys.argv))
