#!/usr/bin/python3
"""peer_gpt2.py - GPT-2 small initialized and saved by PyTorch, next to
`clinit init examples/gpt2_small.json` to a file on the same disk, same run.

The torch peer builds GPT-2 small from torch.nn modules (nn.Embedding,
nn.LayerNorm, nn.Linear in the [out, in] layout of the spec; the lm_head
is tied to wte, so it adds no tensor) and applies Hugging Face's GPT-2 init
(GPT2PreTrainedModel._init_weights): normal(0, 0.02) for Linear and
Embedding weights, zero biases, LayerNorm weight 1 and bias 0, then the
residual projections (attn.c_proj.weight, mlp.c_proj.weight) normal(0,
0.02 / sqrt(2 * n_layer)). Its state_dict has exactly the tensor names and
shapes of examples/gpt2_small.json (checked against `clinit init --table
full` before anything is timed). The build is timed as Hugging Face runs
it: the modules' constructors (torch's default init) and then the GPT-2
init. It is saved with torch.save (safetensors is not installed here),
then fsynced: "save" is torch.save alone, "save+fsync" includes the
fsync, as clinit's own time includes its fsync.

Rows, interleaved, RUNS times, medians: torch with 1 thread and with all
threads (torch.set_num_threads), clinit --device cpu and the default
device (wall time of the process, and clinit's own "time:" line:
generation, writes, fsync and rename). Every output is removed after its
run.

    /usr/bin/python3 bench/peer_gpt2.py [--clinit build/clinit]
        [--spec examples/gpt2_small.json] [--dir DIR] [--runs 3]

Exit status: 0 success, 1 a command failed or the tensor sets differ.
"""

import argparse
import math
import os
import re
import statistics
import subprocess
import sys
import time

import torch
from torch import nn

N_LAYER, N_EMBD, VOCAB, N_POS = 12, 768, 50257, 1024


class Attn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(N_EMBD, 3 * N_EMBD)
        self.c_proj = nn.Linear(N_EMBD, N_EMBD)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = nn.Linear(N_EMBD, 4 * N_EMBD)
        self.c_proj = nn.Linear(4 * N_EMBD, N_EMBD)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(N_EMBD)
        self.attn = Attn()
        self.ln_2 = nn.LayerNorm(N_EMBD)
        self.mlp = Mlp()


class GPT2(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, N_EMBD)
        self.wpe = nn.Embedding(N_POS, N_EMBD)
        self.h = nn.ModuleList(Block() for _ in range(N_LAYER))
        self.ln_f = nn.LayerNorm(N_EMBD)


def hf_init(model):
    """Hugging Face's GPT-2 init (_init_weights, then the c_proj rule)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                m.weight.normal_(0.0, 0.02)
                if isinstance(m, nn.Linear) and m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.LayerNorm):
                m.weight.fill_(1.0)
                m.bias.zero_()
        for name, p in model.named_parameters():
            if name.endswith("c_proj.weight"):
                p.normal_(0.0, 0.02 / math.sqrt(2 * N_LAYER))


def clinit_tensors(exe, spec):
    """{name: shape} of the spec, from clinit init --table full."""
    p = subprocess.run([exe, "init", spec, "--table", "full", "--device",
                        "cpu", "--out", "/dev/null"], capture_output=True,
                       text=True, check=True)
    out = {}
    for line in p.stdout.splitlines()[1:]:
        m = re.match(r"(\S+)\s+\[([0-9, ]+)\]\s", line)
        if m:
            out[m.group(1)] = [int(x) for x in m.group(2).split(",")]
    return out


def torch_run(threads, path):
    """(build+init s, save s, save+fsync s, bytes) of one torch run."""
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    model = GPT2()
    hf_init(model)
    t1 = time.perf_counter()
    sd = model.state_dict()
    with open(path, "wb") as f:
        torch.save(sd, f)
        f.flush()
        t2 = time.perf_counter()
        os.fsync(f.fileno())
    t3 = time.perf_counter()
    n = os.path.getsize(path)
    os.unlink(path)
    return t1 - t0, t2 - t1, t3 - t1, n


def clinit_run(exe, spec, path, device):
    """(wall s, clinit's own s, bytes) of one clinit init to a file."""
    cmd = [exe, "init", spec, "--out", path]
    if device != "default":
        cmd += ["--device", device]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("peer_gpt2.py: %s failed: %s" % (" ".join(cmd), p.stderr))
    own = float(re.search(r"^time: ([0-9.]+) s", p.stdout, re.M).group(1))
    n = os.path.getsize(path)
    os.unlink(path)
    return wall, own, n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clinit", default="build/clinit")
    ap.add_argument("--spec", default="examples/gpt2_small.json")
    ap.add_argument("--dir", default=".")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    allt = os.cpu_count() or 1

    want = clinit_tensors(a.clinit, a.spec)
    got = {k: list(v.shape) for k, v in GPT2().state_dict().items()}
    if want != got:
        sys.exit("peer_gpt2.py: the torch model's tensors differ from %s: "
                 "only in torch %s, only in the spec %s" %
                 (a.spec, sorted(set(got) - set(want))[:5],
                  sorted(set(want) - set(got))[:5]))
    nparams = sum(math.prod(s) for s in want.values())

    tp = os.path.join(a.dir, ".peer_gpt2.pt")
    cp = os.path.join(a.dir, ".peer_gpt2.safetensors")
    rows = {}
    print("load before: " + os.popen("uptime").read().strip())
    for _ in range(a.runs):
        for t in sorted({1, allt}):
            os.sync()
            rows.setdefault(("torch", t), []).append(torch_run(t, tp))
        for dev in ("cpu", "default"):
            os.sync()
            rows.setdefault(("clinit", dev), []).append(
                clinit_run(a.clinit, a.spec, cp, dev))
    print("load after:  " + os.popen("uptime").read().strip())

    def med(k, i):
        return statistics.median(r[i] for r in rows[k])

    print("\nGPT-2 small: %d tensors, %d parameters; medians of %d runs\n" %
          (len(want), nparams, a.runs))
    print("%-30s %8s %8s %11s %8s %8s" %
          ("", "init_s", "save_s", "save+fsync", "total_s", "file_MB"))
    tot = {}
    for t in sorted({1, allt}):
        k = ("torch", t)
        tot[k] = med(k, 0) + med(k, 2)
        print("%-30s %8.3f %8.3f %11.3f %8.3f %8.1f" %
              ("torch, %d thread%s" % (t, "s" if t > 1 else ""), med(k, 0),
               med(k, 1), med(k, 2), tot[k], med(k, 3) / 1e6))
    for dev in ("cpu", "default"):
        k = ("clinit", dev)
        tot[k] = med(k, 0)
        print("%-30s %8s %8s %11s %8.3f %8.1f" %
              ("clinit init, %s (own time)" % dev, "-", "-", "-", med(k, 1),
               med(k, 2) / 1e6))
        print("%-30s %8s %8s %11s %8.3f" %
              ("clinit init, %s (process)" % dev, "-", "-", "-", tot[k]))
    print("(clinit's own time: generation, writes, fsync and rename; the "
          "process adds start-up, spec parsing, device set-up, the table)")
    best_torch = min(v for k, v in tot.items() if k[0] == "torch")
    for dev in ("cpu", "default"):
        print("torch (best) / clinit %s process: %.2fx" %
              (dev, best_torch / tot[("clinit", dev)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
