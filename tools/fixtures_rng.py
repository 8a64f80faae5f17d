"""fixtures_rng.py — writes tests/fixtures/rng.txt: what torch.rand / torch.randn give on CPU.

Each record is one generator session: `name`, `seed` (an integer for torch.manual_seed, or
"default" for a fresh torch.Generator(), whose seed 67280421310721 is what a new tg_ctx starts
from), `ncalls`, then for call i: `op<i>` (rand, randn or manual_seed), and for rand/randn
`dtype<i>` (float32/float64), `shape<i>` (sizes, empty for 0-d) and `values<i>` (every element,
repr(float) so strtod reads it exactly); for manual_seed, `arg<i>` (the seed).
Note: the float32 randn values of 16 or more elements come from PyTorch's AVX2 kernel when torch
runs with it (Debian's 1.13 on an AVX2 machine does). Usage: python3 tools/fixtures_rng.py OUTDIR
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import flat, fmt_ints, record_lines  # noqa: E402

DTYPES = {"float32": torch.float32, "float64": torch.float64}

SEEDS = [0, 1, 42, 12345, 2**40 + 7]
SIZES_SMALL = [1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 100]
SIZES_LARGE = [1000, 1001]
SHAPES_2D = [(0,), (), (3, 5), (4, 4), (2, 9), (5, 7), (10, 10), (1, 16), (2, 3, 4)]
SEEDS_LARGE = [0, 42, 2**40 + 7]


class Session:
    """One record: a seed and a list of calls on the same generator."""

    def __init__(self, name, seed):
        self.name = name
        self.seed = seed
        if seed == "default":
            self.gen = torch.Generator()
            assert self.gen.initial_seed() == 67280421310721
        else:
            self.gen = None  # the global generator, as torch.manual_seed(seed); torch.rand(...)
            torch.manual_seed(seed)
        self.calls = []

    def call(self, op, dtype="float32", shape=(1,)):
        if op == "manual_seed":
            if self.gen is None:
                torch.manual_seed(shape)
            else:
                self.gen.manual_seed(shape)
            self.calls.append({"op": op, "arg": str(shape)})
            return
        fn = torch.rand if op == "rand" else torch.randn
        t = fn(tuple(shape), dtype=DTYPES[dtype], generator=self.gen)
        assert t.is_contiguous() and tuple(t.shape) == tuple(shape)
        self.calls.append(
            {"op": op, "dtype": dtype, "shape": fmt_ints(shape), "values": flat(t)}
        )

    def lines(self):
        pairs = [("name", self.name), ("seed", self.seed), ("ncalls", len(self.calls))]
        for i, c in enumerate(self.calls):
            pairs += [(f"{k}{i}", v) for k, v in c.items()]
        return record_lines(pairs)


def _sessions():
    out = []
    # Single calls: every seed, op, dtype and size.
    for seed in SEEDS:
        shapes = [(n,) for n in SIZES_SMALL] + SHAPES_2D
        if seed in SEEDS_LARGE:
            shapes += [(n,) for n in SIZES_LARGE]
        for op in ("rand", "randn"):
            for dtype in DTYPES:
                for shape in shapes:
                    name = f"{op}_{dtype}_{'x'.join(map(str, shape)) or 'scalar'}_seed{seed}"
                    s = Session(name, seed)
                    s.call(op, dtype, shape)
                    out.append(s)

    # Sequences on one generator: the cached scalar normal sample, mixed paths and dtypes.
    s = Session("seq_brief_seed0", 0)
    for op, dt, sh in [("randn", "float32", (3,)), ("randn", "float32", (20,)),
                       ("rand", "float32", (5,)), ("randn", "float32", (1,)),
                       ("randn", "float64", (2,))]:
        s.call(op, dt, sh)
    out.append(s)

    s = Session("seq_cache_dtypes_seed1", 1)
    for op, dt, sh in [("randn", "float64", (1,)), ("rand", "float64", (1,)),
                       ("randn", "float32", (1,)), ("randn", "float64", (17,)),
                       ("randn", "float32", (5,)), ("randn", "float64", (16,)),
                       ("randn", "float64", (3,)), ("rand", "float32", (2, 2))]:
        s.call(op, dt, sh)
    out.append(s)

    s = Session("seq_mixed_seed42", 42)
    for op, dt, sh in [("rand", "float32", (7,)), ("randn", "float32", (0,)),
                       ("randn", "float32", (33,)), ("randn", "float64", (15,)),
                       ("randn", "float64", (16,)), ("randn", "float32", (3,)),
                       ("rand", "float64", (2,)), ("randn", "float32", (4, 5)),
                       ("randn", "float64", ()), ("randn", "float32", ())]:
        s.call(op, dt, sh)
    out.append(s)

    s = Session("seq_reseed_clears_cache_seed7", 7)
    for op, dt, sh in [("randn", "float64", (1,)), ("manual_seed", None, 7),
                       ("randn", "float64", (1,)), ("randn", "float64", (1,)),
                       ("randn", "float64", (1,)), ("manual_seed", None, 8),
                       ("rand", "float32", (3,))]:
        s.call(op, dt, sh)
    out.append(s)

    # Crosses several 624-word twists with every path.
    s = Session("seq_long_seed12345", 12345)
    for op, dt, sh in [("randn", "float32", (700,)), ("randn", "float64", (5,)),
                       ("rand", "float64", (400,)), ("randn", "float32", (13,)),
                       ("randn", "float64", (333,)), ("rand", "float32", (9,)),
                       ("randn", "float64", (1,))]:
        s.call(op, dt, sh)
    out.append(s)

    s = Session("seq_default_seed", "default")
    for op, dt, sh in [("rand", "float32", (5,)), ("randn", "float64", (3,)),
                       ("randn", "float32", (100,)), ("randn", "float32", (1,))]:
        s.call(op, dt, sh)
    out.append(s)

    # Many scalar-path samples (< 16 elements): log(1 - u2) vs log1p(-u2) shows up here.
    s = Session("seq_scalar_many_seed3", 3)
    for _ in range(40):
        s.call("randn", "float64", (15,))
    out.append(s)

    # Seeds where fusing the last step of the Cephes argument reduction in the float32 AVX2
    # kernel (x + y * DP3) changes a value (found by search; about 1 value in 10^7 differs).
    for seed in (310271, 434761):
        s = Session(f"randn_float32_64_fused_reduction_seed{seed}", seed)
        s.call("randn", "float32", (64,))
        out.append(s)

    s = Session("seq_big_seed", 2**64 - 1)
    for op, dt, sh in [("rand", "float64", (4,)), ("randn", "float32", (18,))]:
        s.call(op, dt, sh)
    out.append(s)
    return out


def generate(outdir):
    os.makedirs(outdir, exist_ok=True)
    lines = [
        "# rng.txt — generated by tools/fixtures_rng.py from PyTorch "
        + torch.__version__
        + " (CPU capability: "
        + torch.__config__.show().split("CPU capability usage: ")[-1].split("\n")[0]
        + "); do not edit.",
        "",
    ]
    for s in _sessions():
        lines += s.lines()
        lines.append("")
    with open(os.path.join(outdir, "rng.txt"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    generate(sys.argv[1])
