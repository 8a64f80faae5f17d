"""checkpoint.py — PyTorch's side of bench/checkpoint.c: the same 16-layer tanh MLP, plain and
with torch.utils.checkpoint per 4-layer segment (reentrant), forward + backward, best of 5, one
thread. Prints "pytorch_checkpoint key=value" with the same gradient checksum for validation."""
import math
import time

import torch
from torch.utils.checkpoint import checkpoint

torch.set_num_threads(1)
L, SEG, B, W = 16, 4, 512, 256
i = torch.arange(W, dtype=torch.float64).reshape(W, 1)
j = torch.arange(W, dtype=torch.float64).reshape(1, W)
ws = [(0.1 * (torch.sin(0.37 * i + 0.91 * j + l) + torch.cos(1.7 * i * j / W + 0.3 * l)))
      .float().requires_grad_() for l in range(L)]
bi = torch.arange(B, dtype=torch.float64).reshape(B, 1)
x = torch.cos(0.13 * bi - 0.29 * j).float()


def segment(h, *w):
    for wl in w:
        h = torch.tanh(h @ wl)
    return h


def run(ckpt):
    for w in ws:
        w.grad = None
    t0 = time.perf_counter()
    h = x
    for s in range(L // SEG):
        w = ws[s * SEG:(s + 1) * SEG]
        if ckpt:
            h = checkpoint(segment, h, *w, use_reentrant=True)
        else:
            h = segment(h, *w)
    h.sum().backward()
    return time.perf_counter() - t0, float(ws[0].grad.double().abs().sum()
                                           + ws[L - 1].grad.double().abs().sum())


best = {}
for ck in (False, True):
    best[ck] = min(run(ck)[0] for _ in range(5))
print("pytorch_checkpoint plain_ms=%.3f ckpt_ms=%.3f grad_checksum=%.6g"
      % (best[False] * 1e3, best[True] * 1e3, run(False)[1]))
