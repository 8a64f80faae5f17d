"""overhead.py — the PyTorch (Python) twin of bench/overhead.c: y = y * 1.0001 + 0.5 repeated
1000 times (2000 recorded ops) from a 2x2 float32 x that requires grad, then sum + backward, on
one intra-op thread. Prints x.grad and y of the validation run and the timings in the same
key=value line format; tools/run_bench.sh checks them against tensorgrad's.
Usage: python3 bench/overhead.py [runs [reps]]
"""
import statistics
import sys
import time

import torch

STEPS = 1000
OPS = 2 * STEPS


def forward(x):
    y = x
    for _ in range(STEPS):
        y = y * 1.0001 + 0.5
    return y


def one_rep(x, with_backward):
    y = forward(x)
    if with_backward:
        x.grad = None
        y.sum().backward()


def time_it(x, with_backward, runs, reps):
    """median and min microseconds per op over `runs` runs of `reps` repetitions"""
    for _ in range(reps):  # warm-up
        one_rep(x, with_backward)
    per_op = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(reps):
            one_rep(x, with_backward)
        per_op.append((time.perf_counter() - t0) * 1e6 / (reps * OPS))
    return statistics.median(per_op), min(per_op)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    if runs < 1 or reps < 1:
        sys.exit("usage: overhead.py [runs>=1 [reps>=1]]")
    torch.set_num_threads(1)

    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float32, requires_grad=True)
    y = forward(x)
    y.sum().backward()
    grad = x.grad.flatten().tolist()
    yv = y.detach().flatten().tolist()

    fwd_med, fwd_min = time_it(x, False, runs, reps)
    fb_med, fb_min = time_it(x, True, runs, reps)
    print("python forward_us_per_op=%.4f forward_min_us_per_op=%.4f "
          "fwdbwd_us_per_op=%.4f fwdbwd_min_us_per_op=%.4f runs=%d reps=%d threads=%d "
          "torch=%s grad=%s y=%s"
          % (fwd_med, fwd_min, fb_med, fb_min, runs, reps, torch.get_num_threads(),
             torch.__version__, ",".join("%.9g" % v for v in grad),
             ",".join("%.9g" % v for v in yv)))


if __name__ == "__main__":
    main()
