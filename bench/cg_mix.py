#!/usr/bin/python3
"""cg_mix.py - which instructions a callgrind profile executed, per element.

    cg_mix.py EXE CALLGRIND_OUT NUMEL [--top N]

CALLGRIND_OUT must come from valgrind --tool=callgrind --dump-instr=yes
--compress-pos=no --compress-strings=no (bench/callgrind.sh does that).
Joins the per-instruction Ir counts with `objdump -d EXE` and prints, per
element (Ir / NUMEL): the total, then the split by register class -
"ymm/zmm" (256/512-bit vector: the work is vectorized), "xmm" (scalar SSE/AVX
floating point, or 128-bit vectors), "gpr" (integer registers, branches,
calls) - one line "IR YMM_ZMM XMM GPR"; with --top N, the N most executed
mnemonics after it.
"""
import collections
import re
import subprocess
import sys


def main():
    args = sys.argv[1:]
    top = 0
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 3:
        sys.exit(__doc__)
    exe, cg, numel = args[0], args[1], int(args[2])
    dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn", exe],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    ins = {}
    for line in dis.splitlines():
        m = re.match(r"\s+([0-9a-f]+):\s+(\S+)\s*(.*)", line)
        if m:
            ins[int(m.group(1), 16)] = (m.group(2), m.group(3))
    by_op = collections.Counter()
    by_class = collections.Counter()
    after_calls = False
    with open(cg) as f:
        for line in f:
            if line.startswith("calls="):
                after_calls = True  # the next cost line is the callee's
                continue
            m = re.match(r"^0x([0-9a-f]+) \S+ (\d+)", line)
            if not m:
                continue
            if after_calls:
                after_calls = False
                continue
            n = int(m.group(2))
            op, operands = ins.get(int(m.group(1), 16), ("?", ""))
            cls = ("ymm/zmm" if "ymm" in operands or "zmm" in operands
                   else "xmm" if "xmm" in operands else "gpr")
            by_class[cls] += n
            by_op[(op, cls)] += n
    total = sum(by_class.values())
    print("%.2f %.2f %.2f %.2f" % (total / numel, by_class["ymm/zmm"] / numel,
                                   by_class["xmm"] / numel,
                                   by_class["gpr"] / numel))
    for (op, cls), n in by_op.most_common(top):
        print("  %-14s %-8s %7.2f/elem" % (op, cls, n / numel))
    return 0


if __name__ == "__main__":
    sys.exit(main())
