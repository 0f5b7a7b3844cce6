#!/usr/bin/env python3
"""ptx_ops.py - floating-point arithmetic of a PTX file, per kernel.

Counts, per .entry (kernel) and per .func, the floating-point mul/add/sub
instructions without a rounding modifier ("plain": ptxas may contract a
plain mul followed by a plain add into an fma, which changes the bits),
those with one (.rn/.rz/.rm/.rp: never contracted), and fma/mad, plus the
virtual registers the function declares (.reg lines) and its local
(per-thread stack) bytes (.local arrays). A kernel's op counts include the
.func functions it calls (transitively); registers and local bytes are its
own. Used by
tools/gpu-check.sh (PTX from NVIDIA's OpenCL, CL_PROGRAM_BINARIES) and
tools/kernel-report.py (PTX from clang's NVPTX backend); docs/GPU.md.

usage: ptx_ops.py FILE.ptx [--markdown] [--require-zero-plain]
Prints one line per kernel (or a markdown table). With
--require-zero-plain the exit status is 1 when any kernel has a plain op,
and each such kernel is named on stderr with its first plain instructions.
"""
import re
import sys

FLOAT_TYPES = r"(?:f16x2|f16|bf16x2|bf16|f32|f64)"
ARITH = re.compile(
    r"^\s*(?:@!?%\w+\s+)?(mul|add|sub|fma|mad)((?:\.\w+)*?)\." + FLOAT_TYPES +
    r"\s")
FUNC = re.compile(r"^\s*(?:\.visible\s+|\.weak\s+|\.extern\s+)*\.(entry|func)"
                  r"\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*)")
CALL = re.compile(r"^\s*(?:@!?%\w+\s+)?call(?:\.uni)?\b")
NAME = re.compile(r"([A-Za-z_$][\w$]*)")
REG = re.compile(r"^\s*\.reg\s+\.(\w+)\s+%\w+<(\d+)>\s*;")
LOCAL = re.compile(r"^\s*\.local\s+(?:\.align\s+\d+\s+)?\.b8\s+[\w$]+\[(\d+)\]")
ROUNDING = {"rn", "rz", "rm", "rp"}


def classify(op, mods):
    """'plain', 'rounded' or 'fma' for one instruction."""
    if op in ("fma", "mad"):
        return "fma"
    parts = set(m for m in mods.split(".") if m)
    return "rounded" if parts & ROUNDING else "plain"


def parse(text):
    """{name: {'kind', 'plain', 'rounded', 'fma', 'regs': {type: n},
    'calls': set, 'plain_lines': [...]}} for every defined function."""
    funcs, cur, depth, pending_call = {}, None, 0, False
    lines = text.splitlines()
    for line in lines:
        code = line.split("//", 1)[0]
        if cur is None:
            m = FUNC.match(code)
            if m and not code.lstrip().startswith(".extern"):
                cur = {"kind": m.group(1), "plain": 0, "rounded": 0, "fma": 0,
                       "regs": {}, "local": 0, "calls": set(), "plain_lines": [],
                       "name": m.group(2), "open": False}
            if cur is None:
                continue
        opened = code.count("{")
        depth += opened - code.count("}")
        if opened:
            cur["open"] = True
        m = ARITH.match(code)
        if m:
            kind = classify(m.group(1), m.group(2))
            cur[kind] += 1
            if kind == "plain" and len(cur["plain_lines"]) < 5:
                cur["plain_lines"].append(code.strip())
        m = REG.match(code)
        if m:
            cur["regs"][m.group(1)] = cur["regs"].get(m.group(1), 0) + int(m.group(2))
        m = LOCAL.match(code)
        if m:
            cur["local"] += int(m.group(1))
        if CALL.match(code):
            pending_call = True
            rest = code.split("call", 1)[1]
            code = rest.split(",", 1)[1] if "(" in rest.split(",", 1)[0] and "," in rest else rest
        if pending_call:
            for tok in NAME.findall(code.replace("call.uni", "").replace("call", "")):
                if tok not in ("uni", "param", "retval0") and not tok.startswith("param"):
                    cur["calls"].add(tok)
                    pending_call = False
                    break
        if cur["open"] and depth == 0:
            funcs[cur["name"]] = cur
            cur = None
        elif code.rstrip().endswith(";") and not cur["open"]:
            cur = None  # a declaration (prototype), not a definition
    return funcs


def totals(funcs, name, seen=None):
    """plain, rounded, fma of `name` plus everything it calls."""
    seen = set() if seen is None else seen
    if name in seen or name not in funcs:
        return 0, 0, 0
    seen.add(name)
    f = funcs[name]
    p, r, m = f["plain"], f["rounded"], f["fma"]
    for c in sorted(f["calls"]):
        cp, cr, cm = totals(funcs, c, seen)
        p, r, m = p + cp, r + cr, m + cm
    return p, r, m


def kernel_rows(text):
    """[(kernel, plain, rounded, fma, regs, callees, local bytes)] for every
    .entry."""
    funcs = parse(text)
    rows = []
    for name, f in funcs.items():
        if f["kind"] != "entry":
            continue
        p, r, m = totals(funcs, name)
        regs = sum(f["regs"].values())
        rows.append((name, p, r, m, regs, sorted(c for c in f["calls"] if c in funcs),
                     f["local"]))
    return rows, funcs


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = set(a for a in argv[1:] if a.startswith("--"))
    if len(args) != 1 or flags - {"--markdown", "--require-zero-plain"}:
        sys.stderr.write(__doc__.split("\n\n")[2] + "\n")
        return 2
    with open(args[0], encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    rows, funcs = kernel_rows(text)
    if not rows:
        sys.stderr.write("ptx_ops.py: %s: no .entry in it (not PTX?)\n" % args[0])
        return 1
    if "--markdown" in flags:
        print("| kernel | plain mul/add/sub | .rn mul/add/sub | fma | virtual regs "
              "| local bytes |")
        print("|---|---:|---:|---:|---:|---:|")
    for name, p, r, m, regs, calls, local in rows:
        if "--markdown" in flags:
            print("| %s | %d | %d | %d | %d | %d |" % (name, p, r, m, regs, local))
        else:
            print("%-28s plain %4d  rounded %4d  fma %4d  vregs %4d  local %3d%s" % (
                name, p, r, m, regs, local,
                ("  calls " + ",".join(calls)) if calls else ""))
    bad = [row for row in rows if row[1]]
    n = sum(row[1] for row in rows)
    print("kernels %d, plain float mul/add/sub in kernels (callees included): %d"
          % (len(rows), n))
    if bad and "--require-zero-plain" in flags:
        for name, p, *_ in bad:
            own = [f for f in [name] + sorted(funcs[name]["calls"]) if f in funcs]
            first = [l for f in own for l in funcs[f]["plain_lines"]][:3]
            sys.stderr.write("ptx_ops.py: %s: %d plain float ops, e.g. %s\n"
                             % (name, p, " | ".join(first)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
