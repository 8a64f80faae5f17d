"""fixtures_random.py — writes tests/fixtures/random.txt: what PyTorch's CPU samplers give.

Each record is one generator session replayed by tests/test_random.c on a fresh ctx: `name`,
`op` (the op the session is about, for tests/test_docs.c's coverage check), `seed`
(torch.manual_seed), `ncalls`, then for call i keys `c<i>_<what>`:
  op      rand | randn | randint | random_ | normal_ | uniform_ | bernoulli_ | bernoulli |
          dropout | manual_seed
  dtype, shape      the result / target (shape empty for 0-d)
  layout, base      how the target or input is made from a contiguous tensor of shape `base`:
                    none | t (transpose(-1, -2)) | slice2 (x[..., ::2]) | offset3 (x[3:]) |
                    perm (permute(2, 0, 1))
  a, b              the call's numbers: low/high, from/to, mean/std, p (b unused), seed (a)
  train, inplace    dropout's training flag and inplace=True
  rg                in-place samplers: the target is layout(x * 1) with x a leaf requiring grad
  in                input values (bernoulli, dropout), `base` shape, row-major
  values            the result (or the target afterwards), row-major over `shape`
  fn, fn_base, same grad_fn names (2.x; "none" for no grad_fn) of the result, of x * 1 when
                    rg, and whether the result is the input object itself
  v, grad           upstream gradient (result's shape; `base` shape for rg) and x.grad after
                    backward ("none" when x.grad is None)
  error, code       PyTorch's message with the C function's prefix, and the tg_status name;
                    the call returns NULL / that status and later calls see the generator where
                    PyTorch left it
Floats are repr(float) (exact, -0.0 kept); ints and bools are integers. The float32 normal_
values of 16+ contiguous elements come from PyTorch's AVX2 kernel (Debian's 1.13 on an AVX2
CPU uses it). Usage: python3 tools/fixtures_random.py OUTDIR
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import DTYPES, fmt_ints as shp, fmt_scalar, fmt_values  # noqa: E402
from fixture_common import gfn_name as gfn  # noqa: E402

SIZES = [1, 7, 15, 16, 17, 100, 1000]
INPUT_GEN = None  # made in generate(): inputs never touch the global generator


def fmt(x):
    return fmt_scalar(x, allow_bool=True)


def vals(t):
    return "none" if t is None else fmt_values(t)


def base_shape(shape, layout):
    shape = list(shape)
    if layout == "t":
        shape[-1], shape[-2] = shape[-2], shape[-1]
    elif layout == "slice2":
        shape[-1] = 2 * shape[-1]
    elif layout == "offset3":
        shape[0] += 3
    elif layout == "perm":  # permute(2, 0, 1) of base (a, b, c) is (c, a, b)
        shape = [shape[1], shape[2], shape[0]]
    return shape


def apply_layout(x, layout):
    if layout == "t":
        return x.transpose(-1, -2)
    if layout == "slice2":
        return x[..., ::2]
    if layout == "offset3":
        return x[3:]
    if layout == "perm":
        return x.permute(2, 0, 1)
    return x


CODES = [("a leaf Variable", "TG_ERR_AUTOGRAD"), ("not implemented for", "TG_ERR_DTYPE"),
         ("can't be cast", "TG_ERR_DTYPE"), ("negative dimension", "TG_ERR_SHAPE")]


def code_of(msg):
    for frag, code in CODES:
        if frag in msg:
            return code
    return "TG_ERR_INVALID_ARG"


class Session:
    def __init__(self, name, seed):
        self.name, self.seed, self.calls = name, seed, []
        torch.manual_seed(seed)

    def _run(self, c, cname, fn):
        try:
            return fn()
        except (RuntimeError, ValueError) as e:
            msg = str(e).split("\n")[0]
            c["error"] = cname + ": " + msg
            c["code"] = code_of(msg)
            return None

    def manual_seed(self, s):
        torch.manual_seed(s)
        self.calls.append({"op": "manual_seed", "a": str(s)})

    def rand(self, op, dtype, shape):
        fn = torch.rand if op == "rand" else torch.randn
        t = fn(tuple(shape), dtype=DTYPES[dtype])
        self.calls.append({"op": op, "dtype": dtype, "shape": shp(shape), "values": vals(t)})

    def randint(self, low, high, shape, dtype="int64"):
        c = {"op": "randint", "dtype": dtype, "shape": shp(shape), "a": str(low), "b": str(high)}
        t = self._run(c, "tg_randint",
                      lambda: torch.randint(low, high, tuple(shape), dtype=DTYPES[dtype]))
        if t is not None:
            c["values"] = vals(t)
        self.calls.append(c)

    def sample_(self, op, dtype, shape, a, b=0.0, layout="none", rg=False):
        """An in-place sampler on layout(zeros(base)) — or on layout(x * 1), x requiring grad."""
        base = base_shape(shape, layout)
        c = {"op": op, "dtype": dtype, "shape": shp(shape), "layout": layout, "base": shp(base),
             "a": fmt(a), "b": fmt(b), "rg": "1" if rg else "0"}
        if rg:
            x = torch.zeros(base, dtype=DTYPES[dtype], requires_grad=True)
            y = x * 1
        else:
            y = torch.zeros(base, dtype=DTYPES[dtype])
        target = apply_layout(y, layout)
        cname = "tg_" + op
        if op == "random_":
            call = lambda: target.random_(int(a), int(b))  # noqa: E731
        elif op == "normal_":
            call = lambda: target.normal_(a, b)  # noqa: E731
        elif op == "uniform_":
            call = lambda: target.uniform_(a, b)  # noqa: E731
        else:
            call = lambda: target.bernoulli_(a)  # noqa: E731
        r = self._run(c, cname, call)
        if r is not None:
            assert r is target
            c["values"] = vals(target)
            if rg:
                c["fn_base"] = gfn(y)
                c["fn"] = gfn(target) if layout == "none" else "-"
                v = torch.randn(base, dtype=DTYPES[dtype], generator=INPUT_GEN)
                y.backward(v)
                c["v"] = vals(v)
                c["grad"] = vals(x.grad)
        self.calls.append(c)

    def _input(self, c, dtype, shape, layout, values=None):
        base = base_shape(shape, layout)
        if values is None:
            if dtype in ("float32", "float64"):
                x = torch.randn(base, dtype=DTYPES[dtype], generator=INPUT_GEN)
            else:
                x = torch.randint(-3, 4, base, generator=INPUT_GEN).to(DTYPES[dtype])
        else:
            x = torch.tensor(values, dtype=DTYPES[dtype]).reshape(base)
        c.update({"dtype": dtype, "shape": shp(shape), "layout": layout, "base": shp(base),
                  "in": vals(x)})
        if x.is_floating_point():
            x.requires_grad_(True)
        return x

    def _backward(self, c, out, x, dtype):
        c["fn"] = gfn(out)
        if out.requires_grad:
            v = torch.randn(out.shape, dtype=DTYPES[dtype], generator=INPUT_GEN)
            out.backward(v)
            c["v"] = vals(v)
            c["grad"] = vals(x.grad)

    def bernoulli(self, dtype, shape, layout="none", probs=None):
        """torch.bernoulli(layout(x)), x holding probabilities in [0, 1] (or the given ones)."""
        c = {"op": "bernoulli"}
        base = base_shape(shape, layout)
        if probs is None and dtype in ("float32", "float64"):
            probs = torch.rand(base, dtype=torch.float64, generator=INPUT_GEN).reshape(-1).tolist()
        x = self._input(c, dtype, shape, layout, probs)
        inp = apply_layout(x, layout)
        out = self._run(c, "tg_bernoulli", lambda: torch.bernoulli(inp))
        if out is not None:
            c["values"] = vals(out)
            self._backward(c, out, x, dtype)
        self.calls.append(c)

    def dropout(self, dtype, shape, p, train=True, inplace=False, layout="none", values=None):
        c = {"op": "dropout", "a": fmt(p), "train": "1" if train else "0",
             "inplace": "1" if inplace else "0"}
        x = self._input(c, dtype, shape, layout, values)
        inp = apply_layout(x, layout)
        if inplace and x.requires_grad:
            inp = inp.clone()
        cname = "tg_dropout_" if inplace else "tg_dropout"
        # torch.dropout / torch.dropout_ are what F.dropout calls (same numbers); a bad p is
        # recorded with their C++ message (F.dropout raises the same text as a ValueError, with
        # Python's float formatting: 1.5 either way, 1.123456789 vs C++'s 1.12346).
        fn = torch.dropout_ if inplace else torch.dropout
        out = self._run(c, cname, lambda: fn(inp, p, train))
        if out is not None:
            c["values"] = vals(out)
            c["same"] = "1" if out is inp else "0"
            self._backward(c, out, x, dtype)
        self.calls.append(c)

    def primary_op(self):
        """the op this session is about: its first call that is not rand/randn/manual_seed"""
        for c in self.calls:
            op = c["op"]
            if op in ("rand", "randn", "manual_seed"):
                continue
            op = op.split("_", 1)[1] if op.startswith(("leaf_", "expanded_")) else op
            return op + "_" if op == "dropout" and c.get("inplace") == "1" else op
        return "rand"

    def lines(self):
        out = [f"name: {self.name}", f"op: {self.primary_op()}", f"seed: {self.seed}",
               f"ncalls: {len(self.calls)}"]
        for i, c in enumerate(self.calls):
            for k, v in c.items():
                out.append(f"c{i}_{k}: {v}" if v != "" else f"c{i}_{k}:")
        return out


def _sessions():
    out = []

    def new(name, seed):
        s = Session(name, seed)
        out.append(s)
        return s

    # ---- single calls over seeds, sizes, dtypes and the contiguous / strided paths
    for seed in (0, 1, 42, 2**40 + 7):
        sizes = SIZES if seed == 0 else [1, 7, 16, 17, 100]
        for n in sizes:
            new(f"randint_0_10_n{n}_s{seed}", seed).randint(0, 10, (n,))
        new(f"randint_2d_s{seed}", seed).randint(-5, 5, (3, 5))
        new(f"randint_wide_s{seed}", seed).randint(0, 2**33, (17,))
        new(f"randint_huge_s{seed}", seed).randint(-2**62, 2**62, (9,))
        new(f"randint_f32_s{seed}", seed).randint(0, 10, (16,), "float32")
        new(f"randint_f64_s{seed}", seed).randint(-100, 100, (7,), "float64")
        new(f"randint_bool_s{seed}", seed).randint(0, 2, (17,), "bool")
        for dt in ("float32", "float64"):
            for n in sizes:
                new(f"normal_{dt}_n{n}_s{seed}", seed).sample_("normal_", dt, (n,), 0.5, 2.0)
                new(f"uniform_{dt}_n{n}_s{seed}", seed).sample_("uniform_", dt, (n,), -2.0, 3.0)
                new(f"bernoulli__{dt}_n{n}_s{seed}", seed).sample_("bernoulli_", dt, (n,), 0.3)
                new(f"bernoulli_{dt}_n{n}_s{seed}", seed).bernoulli(dt, (n,))
                new(f"dropout_{dt}_n{n}_s{seed}", seed).dropout(dt, (n,), 0.2 if n % 2 else 0.5)
            new(f"normal_{dt}_2d_s{seed}", seed).sample_("normal_", dt, (4, 5), -1.0, 0.25)
            new(f"normal_{dt}_t_s{seed}", seed).sample_("normal_", dt, (4, 5), 3.0, 1.5, "t")
            new(f"normal_{dt}_t_small_s{seed}", seed).sample_("normal_", dt, (3, 4), 0.0, 1.0, "t")
            new(f"normal_{dt}_slice_s{seed}", seed).sample_("normal_", dt, (3, 7), 0.0, 1.0,
                                                           "slice2")
            new(f"normal_{dt}_offset_s{seed}", seed).sample_("normal_", dt, (17,), 1.0, 3.0,
                                                            "offset3")
            new(f"uniform_{dt}_t_s{seed}", seed).sample_("uniform_", dt, (4, 5), 0.0, 1.0, "t")
            new(f"uniform_{dt}_perm_s{seed}", seed).sample_("uniform_", dt, (2, 3, 4), -1.0,
                                                           1.0, "perm")
            new(f"bernoulli__{dt}_slice_s{seed}", seed).sample_("bernoulli_", dt, (5, 3), 0.7,
                                                               0.0, "slice2")
            new(f"bernoulli_{dt}_t_s{seed}", seed).bernoulli(dt, (4, 6), "t")
            new(f"dropout_{dt}_2d_s{seed}", seed).dropout(dt, (6, 7), 0.4)
            new(f"dropout_{dt}_t_s{seed}", seed).dropout(dt, (5, 4), 0.3, layout="t")
            new(f"dropout_{dt}_inplace_s{seed}", seed).dropout(dt, (3, 6), 0.25, inplace=True)
        for dt in ("int64", "bool"):
            new(f"bernoulli__{dt}_s{seed}", seed).sample_("bernoulli_", dt, (3, 7), 0.6)
            new(f"random__{dt}_s{seed}", seed).sample_("random_", dt, (9,), 0, 2)
        new(f"random__f32_t_s{seed}", seed).sample_("random_", "float32", (3, 4), -7, 7, "t")

    # ---- parameters: mean/std, ranges and probabilities (the fused multiply-adds show here)
    for k, (m, sd) in enumerate([(0.0, 1.0), (0.3, 1.7), (-2.0, 0.1), (1e3, 3.3), (5.0, 0.0),
                                 (float("nan"), 1.0), (0.0, float("inf"))]):
        for dt in ("float32", "float64"):
            s = new(f"normal_params{k}_{dt}", 100 + k)
            s.sample_("normal_", dt, (40,), m, sd)
            s.sample_("normal_", dt, (9,), m, sd)
    for k, (a, b) in enumerate([(0.1, 0.7), (-1e3, 1e-3), (1.0, 1.0 + 1e-4), (-3.3, -1.1),
                                (2.0, 2.0), (-1e30, 1e30)]):
        for dt in ("float32", "float64"):
            new(f"uniform_params{k}_{dt}", 200 + k).sample_("uniform_", dt, (64,), a, b)
    for k, p in enumerate([0.0, 1.0, 1e-300, 0.5, 0.999]):
        new(f"bernoulli__p{k}", 300 + k).sample_("bernoulli_", "float32", (33,), p)
    # 1 / (1 - p) rounds differently in float and in double for the last two: the mask is
    # 1.0f / (float)(1 - p) (div_ by a scalar in the tensor's dtype)
    for k, p in enumerate([0.1, 0.3, 0.7, 0.9, 1.0 / 3, 0.123456789, 1e-7, 1 - 1e-7,
                           0.49543508709194095, 0.0938595867742349]):
        for dt in ("float32", "float64"):
            new(f"dropout_p{k}_{dt}", 400 + k).dropout(dt, (64,), p)
    for k, (lo, hi) in enumerate([(0, 1), (-1, 0), (2**31, 2**32 + 2**31), (0, 2**32 - 1),
                                  (0, 2**32), (-2**63, 2**63 - 1), (3, 2**40)]):
        new(f"randint_range{k}", 500 + k).randint(lo, hi, (12,))
    for k, (lo, hi, dt) in enumerate([(0, 2**25, "float32"), (-2**40, 2**40, "float32"),
                                      (2**30 + 1, 2**31 - 1, "float32"),
                                      (-2**60, 2**60, "float64"), (0, 2**53 + 10, "float64")]):
        new(f"randint_fbounds{k}", 600 + k).randint(lo, hi, (10,), dt)
    s = new("bernoulli_edges", 7)
    s.bernoulli("float32", (6,), probs=[0.0, 1.0, 0.5, 0.0, 1.0, 1e-8])
    s.bernoulli("float64", (6,), probs=[0.0, 1.0, 0.5, 0.0, 1.0, 1e-300])

    # ---- dropout: p 0 / 1, evaluation, empty, 0-d, non-finite inputs, in place
    for dt in ("float32", "float64"):
        s = new(f"dropout_edges_{dt}", 11)
        s.dropout(dt, (5,), 0.0)
        s.dropout(dt, (5,), 1.0)
        s.dropout(dt, (2, 3), 0.5, train=False)
        s.dropout(dt, (0,), 0.5)
        s.dropout(dt, (), 0.5)
        s.dropout(dt, (4,), 1.0, values=[1.0, -2.0, float("inf"), float("nan")])
        s.dropout(dt, (4,), 0.5, values=[-1.0, float("-inf"), float("nan"), 3.0])
        s.dropout(dt, (5,), 1.0, inplace=True)
        s.dropout(dt, (5,), 0.0, inplace=True)
        s.dropout(dt, (2, 3), 0.5, train=False, inplace=True)
        s.dropout(dt, (4, 3), 0.6, inplace=True, layout="t")
        s.rand("rand", dt, (3,))
    for dt in ("int64", "bool"):
        s = new(f"dropout_int_{dt}", 12)
        s.dropout(dt, (4,), 0.0)
        s.dropout(dt, (4,), 1.0)
        s.dropout(dt, (4,), 0.5, train=False)
        s.dropout(dt, (4,), 0.5)  # error after drawing the mask
        s.rand("rand", "float32", (3,))
        s.dropout(dt, (4,), 1.0, inplace=True)
        s.dropout(dt, (4,), 0.5, inplace=True)  # error after drawing the mask
        s.rand("rand", "float64", (2,))

    # ---- edge shapes and degenerate parameters
    s = new("edges_shapes", 5)
    s.randint(0, 3, ())
    s.randint(0, 3, (0,))
    s.randint(0, 3, (2, 0))
    s.sample_("normal_", "float32", (), 1.0, 2.0)
    s.sample_("normal_", "float64", (0,), 1.0, 2.0)
    s.sample_("uniform_", "float32", (), 1.0, 2.0)
    s.sample_("uniform_", "float64", (0, 3), 1.0, 2.0)
    s.sample_("bernoulli_", "float64", (), 0.5)
    s.sample_("bernoulli_", "float32", (0,), 0.5)
    s.bernoulli("float32", ())
    s.bernoulli("float64", (0,))
    s.dropout("float32", (1, 1), 0.5)
    s.rand("randn", "float32", (2,))
    s.sample_("normal_", "float32", (16,), 0.0, 0.0)
    s.sample_("normal_", "float32", (32, 1), 2.0, 1.0, "t")
    s.sample_("normal_", "float64", (1, 16), 2.0, 1.0, "t")

    # ---- sequences in one seed: randn's cached normal sample is shared with normal_'s scalar
    # path; the block paths neither use nor clear it
    s = new("seq_cache_shared", 0)
    s.rand("randn", "float32", (3,))
    s.sample_("normal_", "float64", (1,), 10.0, 2.0)
    s.sample_("normal_", "float32", (20,), 0.0, 1.0)
    s.sample_("normal_", "float32", (1,), 0.0, 1.0)
    s.sample_("normal_", "float64", (1,), 0.0, 1.0)
    s.rand("randn", "float64", (1,))
    s.sample_("normal_", "float32", (4, 5), -1.0, 3.0, "t")
    s.rand("randn", "float32", (1,))
    out_seq = [("randint", (0, 100, (7,))), ("dropout", ("float32", (17,), 0.5)),
               ("uniform_", ("float64", (5,), -1.0, 1.0)),
               ("bernoulli", ("float32", (9,))), ("normal_", ("float64", (33,), 1.0, 2.0)),
               ("bernoulli_", ("float64", (1000,), 0.25)), ("randint", (0, 2**35, (3,))),
               ("dropout", ("float64", (100,), 0.1)), ("normal_", ("float32", (5,), 0.0, 1.0)),
               ("rand", ("float32", (16,))), ("randn", ("float64", (3,)))]
    for seed in (3, 77):
        s = new(f"seq_mixed_s{seed}", seed)
        for op, args in out_seq:
            if op == "randint":
                s.randint(*args)
            elif op == "dropout":
                s.dropout(*args)
            elif op == "bernoulli":
                s.bernoulli(*args)
            elif op in ("rand", "randn"):
                s.rand(op, *args)
            else:
                s.sample_(op, *args)
    s = new("seq_long_twists", 12345)
    for _ in range(3):
        s.sample_("normal_", "float32", (700,), 0.0, 1.0)
        s.dropout("float32", (500,), 0.5)
        s.randint(-1000, 1000, (400,))
    s = new("seq_reseed", 9)
    s.sample_("normal_", "float64", (1,), 0.0, 1.0)
    s.manual_seed(9)
    s.sample_("normal_", "float64", (1,), 0.0, 1.0)
    s.sample_("normal_", "float64", (1,), 0.0, 1.0)
    s.dropout("float32", (8,), 0.5)
    s.manual_seed(9)
    s.dropout("float32", (8,), 0.5)

    # ---- autograd: in-place samplers on a non-leaf (and on a view of one: CopySlices)
    for dt in ("float32", "float64"):
        s = new(f"autograd_inplace_{dt}", 21)
        s.sample_("normal_", dt, (3, 4), 0.0, 1.0, rg=True)
        s.sample_("uniform_", dt, (3, 4), 0.0, 1.0, rg=True)
        s.sample_("bernoulli_", dt, (3, 4), 0.5, rg=True)
        s.sample_("random_", dt, (3, 4), 0, 5, rg=True)
        s.sample_("normal_", dt, (3, 4), 0.0, 1.0, "offset3", rg=True)
        s.sample_("uniform_", dt, (2, 3), 0.0, 1.0, "slice2", rg=True)
        s.sample_("bernoulli_", dt, (4, 3), 0.5, 0.0, "t", rg=True)
        s.dropout(dt, (3, 4), 0.5, layout="slice2")
        s.dropout(dt, (3, 4), 0.5, inplace=True, layout="offset3")

    # ---- errors (and the generator state after them)
    s = new("errors", 31)
    s.randint(5, 5, (3,))
    s.randint(5, 3, (3,))
    s.randint(0, 3, (3,), "bool")
    s.randint(-1, 2, (3,), "bool")
    s.randint(0, 3, (-1,))
    s.randint(2**62, -2**62, (2,))
    s.sample_("random_", "float32", (3,), 4, 4)
    s.sample_("random_", "float32", (3,), 2**25 + 1, 2**25 + 2)  # from rounds up past to
    s.sample_("normal_", "float32", (3,), 0.0, -1.0)
    s.sample_("normal_", "float64", (20,), 0.0, -1.5)
    s.sample_("normal_", "float32", (3,), 0.0, float("nan"))
    s.sample_("normal_", "float32", (0,), 1.0, -1.0)
    s.sample_("normal_", "int64", (3,), 0.0, 1.0)
    s.sample_("normal_", "bool", (3,), 0.0, 1.0)
    s.sample_("uniform_", "float32", (3,), 2.0, 1.0)
    s.sample_("uniform_", "float32", (3,), 1.123456789, 0.0)
    s.sample_("uniform_", "float32", (3,), 2.0, 1e39)
    s.sample_("uniform_", "float32", (3,), -1e39, 0.0)
    s.sample_("uniform_", "float64", (3,), float("nan"), 1.0)
    s.sample_("uniform_", "float32", (3,), -3e38, 3e38)
    s.sample_("uniform_", "float64", (3,), -1e308, 1e308)
    s.sample_("uniform_", "int64", (3,), 0.0, 1.0)
    s.sample_("bernoulli_", "float32", (3,), 1.5)
    s.sample_("bernoulli_", "float32", (3,), -0.5)
    s.sample_("bernoulli_", "float64", (3,), float("nan"))
    s.sample_("bernoulli_", "int64", (0,), 2.0)
    s.rand("rand", "float32", (2,))
    s.bernoulli("float32", (4,), probs=[0.5, 0.5, 1.5, 0.5])  # fails after two draws
    s.rand("rand", "float32", (2,))
    s.bernoulli("float64", (3,), probs=[-0.5, 0.5, 0.5])
    s.bernoulli("float64", (2,), probs=[0.5, float("nan")])
    s.bernoulli("int64", (2,))
    s.bernoulli("bool", (2,))
    s.dropout("float32", (3,), 1.5)
    s.dropout("float32", (3,), -0.5)
    s.dropout("float64", (3,), float("nan"))
    s.dropout("float32", (0,), 2.0)
    s.dropout("float32", (3,), 1.123456789, inplace=True)
    s.rand("rand", "float64", (2,))
    return out


def _leaf_error_sessions():
    """In-place sampling on a leaf that requires grad fails before any check; dropout_ fails in
    mul_, after drawing its mask. Written by hand: the inputs are leaves, not layout(x * 1)."""
    recs = []
    torch.manual_seed(41)
    calls = []
    for op, a, b in [("normal_", 0.0, 1.0), ("normal_", 0.0, -1.0), ("uniform_", 0.0, 1.0),
                     ("bernoulli_", 2.0, 0.0), ("random_", 0, 3)]:
        x = torch.zeros(3, dtype=torch.float32, requires_grad=True)
        try:
            if op == "normal_":
                x.normal_(a, b)
            elif op == "uniform_":
                x.uniform_(a, b)
            elif op == "bernoulli_":
                x.bernoulli_(a)
            else:
                x.random_(int(a), int(b))
            raise AssertionError("no error")
        except RuntimeError as e:
            calls.append({"op": "leaf_" + op, "a": fmt(a), "b": fmt(b),
                          "error": "tg_" + op + ": " + str(e).split("\n")[0],
                          "code": "TG_ERR_AUTOGRAD"})
    for p in (0.5, 1.0):
        x = torch.zeros(3, dtype=torch.float32, requires_grad=True)
        try:
            torch.dropout_(x, p, True)
            raise AssertionError("no error")
        except RuntimeError as e:
            calls.append({"op": "leaf_dropout_", "a": fmt(p), "b": "0",
                          "error": "tg_dropout_: " + str(e).split("\n")[0],
                          "code": "TG_ERR_AUTOGRAD"})
    x = torch.zeros(1, dtype=torch.float32).expand(3)
    try:
        torch.dropout_(x, 0.5, True)
        raise AssertionError("no error")
    except RuntimeError as e:
        calls.append({"op": "expanded_dropout_", "a": "0.5", "b": "0",
                      "error": "tg_dropout_: " + str(e).split("\n")[0],
                      "code": "TG_ERR_INVALID_ARG"})
    for op in ("normal_", "uniform_", "bernoulli_", "random_"):
        x = torch.zeros(1, dtype=torch.float32).expand(3)
        try:
            {"normal_": lambda: x.normal_(), "uniform_": lambda: x.uniform_(),
             "bernoulli_": lambda: x.bernoulli_(0.5), "random_": lambda: x.random_(0, 3)}[op]()
            raise AssertionError("no error")
        except RuntimeError as e:
            calls.append({"op": "expanded_" + op, "a": "0", "b": "0",
                          "error": "tg_" + op + ": " + str(e).split("\n")[0],
                          "code": "TG_ERR_INVALID_ARG"})
    t = torch.rand(3, dtype=torch.float32)
    calls.append({"op": "rand", "dtype": "float32", "shape": "3", "values": vals(t)})
    s = Session.__new__(Session)
    s.name, s.seed, s.calls = "errors_inplace", 41, calls
    recs.append(s)
    return recs


def generate(outdir):
    os.makedirs(outdir, exist_ok=True)
    global INPUT_GEN
    INPUT_GEN = torch.Generator().manual_seed(20240601)
    cap = torch.__config__.show().split("CPU capability usage: ")[-1].split("\n")[0]
    lines = ["# random.txt — generated by tools/fixtures_random.py from PyTorch "
             + torch.__version__ + " (CPU capability: " + cap + "); do not edit.", ""]
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # randint's precision warnings for float bounds
        sessions = _sessions() + _leaf_error_sessions()
    for s in sessions:
        lines += s.lines()
        lines.append("")
    with open(os.path.join(outdir, "random.txt"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    generate(sys.argv[1])
