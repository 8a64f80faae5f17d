"""fixtures_index.py — writes index.txt: the indexing ops (index_select, index_add, gather,
scatter*, masked_fill*, where*, a[idx], one_hot) run in PyTorch.

Each record names an op and its inputs (values, dtype, shape; `X_nc: 1` builds input X as
base.transpose(0, -1) of a contiguous base whose values are listed; `X_rg: 1` makes the base a
leaf that requires grad), and holds the output (values, dtype, shape), its grad_fn, the upstream
gradient v and each base's .grad after out.backward(v); error records hold PyTorch's message and
the tg_status class the C library reports. tests/test_index.c replays every record.
Run with Debian's torch: /usr/bin/python3 tools/fixtures_index.py tests/fixtures
"""
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import BOOL, DTYPE_NAMES, F32, F64, I64, err, error_text  # noqa: E402
from fixture_common import fmt_values, gfn_name, write_fixture  # noqa: E402

# Error texts PyTorch 2.x gives where Debian's 1.13 gives another (or none); the C library
# follows 2.x. Keyed by record name, each with where 2.x says it:
#  - index_select on a 0-d tensor with several indices: 1.13 returns a 0-d tensor (writing past
#    it); 2.x index_select_out_cpu_ checks "Index to scalar can have only 1 value".
#  - masked_fill with a non-bool mask: 1.13 still accepts float/uint8 masks; 2.x
#    masked_fill_impl_cpu requires bool, naming the dtype by its caffe2 TypeMeta name.
#  - index_add with sources of another slice shape: 1.13 broadcasts (or fails inside add); 2.x's
#    index_add meta function checks the slice shapes first (our text prints shapes as lists).
ERROR_2X = {
    "index_select_err_scalar_two": "index_select(): Index to scalar can have only 1 value, got 2 "
                                   "value(s)",
    "masked_fill_err_float_mask": "masked_fill_ only supports boolean masks, but got mask with "
                                  "dtype float",
    "index_add_err_slice": "index_add_(): Source/destination tensor must have same slice shapes. "
                           "Destination slice shape: [4] at dimension 0 and source slice shape: "
                           "[5] at dimension 0.",
    "index_add_err_slice_ndim": "index_add_(): Source/destination tensor must have same slice "
                                "shapes. Destination slice shape: [4] at dimension 0 and source "
                                "slice shape: [4, 1] at dimension 0.",
}

records = []
gen = torch.Generator().manual_seed(1234)


def fmt_vals(t):
    return fmt_values(t) if t.numel() else "[]"


def fmt_shape(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def rnd(shape, dtype=F32):
    """Reproducible values: floats rounded to dtype, small ints, random bools."""
    if dtype in (F32, F64):
        return torch.randn(shape, generator=gen, dtype=F64).to(dtype)
    if dtype == I64:
        return torch.randint(-5, 6, shape, generator=gen, dtype=I64)
    return torch.rand(shape, generator=gen) > 0.5


def L(vals):
    return torch.tensor(vals, dtype=I64)


def B(vals):
    return torch.tensor(vals, dtype=BOOL)


class Arg:
    """An input: base values, and whether it is a transposed view and requires grad."""

    def __init__(self, base, nc=False, rg=False):
        self.base, self.nc, self.rg = base, nc, rg


def A(shape, dtype=F32, nc=False, rg=None):
    if nc:  # the base has dims 0 and -1 swapped; the input is base.transpose(0, -1)
        shape = list(shape)
        shape[0], shape[-1] = shape[-1], shape[0]
    if rg is None:
        rg = dtype in (F32, F64)
    return Arg(rnd(tuple(shape), dtype), nc, rg)


def as_arg(x):
    return x if isinstance(x, Arg) else Arg(x)


def pyval(v):
    """The Python number the C double stands for: integral values are ints."""
    if isinstance(v, float) and abs(v) < 2.0 ** 53 and v == int(v):
        return int(v)
    return v


def py_index(a, dim, idx):
    if idx.dtype == I64 and idx.dim() == 0 and 0 <= dim < max(a.dim(), 1):
        return torch.ops.aten.index(a, [None] * dim + [idx])
    if dim < 0 and idx.dtype != BOOL:
        return a[(Ellipsis, idx) + (slice(None),) * (-dim - 1)]
    if dim < 0:
        dim += a.dim()
    return a[(slice(None),) * dim + (idx,)]


def call(op, T, p):
    d = p.get("dim")
    v = pyval(p.get("value"))
    if op == "index_select":
        return torch.index_select(T["a"], d, T["index"])
    if op == "index_add":
        return T["a"].index_add(d, T["index"], T["src"])
    if op == "gather":
        return torch.gather(T["a"], d, T["index"])
    if op == "scatter":
        return T["a"].scatter(d, T["index"], T["src"])
    if op == "scatter_value":
        return T["a"].scatter(d, T["index"], v)
    if op == "scatter_add":
        return T["a"].scatter_add(d, T["index"], T["src"])
    if op == "masked_fill":
        return T["a"].masked_fill(T["mask"], v)
    if op == "where":
        return torch.where(T["cond"], T["a"], T["b"])
    if op == "where_scalar":
        return torch.where(T["cond"], T["a"], v)
    if op == "where_rscalar":
        return torch.where(T["cond"], v, T["b"])
    if op == "index":
        return py_index(T["a"], d, T["index"])
    if op == "one_hot":
        return F.one_hot(T["a"], p["num_classes"])
    if op.endswith("_"):  # in place: on a clone when a gradient is wanted, else on a itself
        s = T["a"].clone() if T["a"].requires_grad else T["a"]
        if op == "scatter_":
            s.scatter_(d, T["index"], T["src"])
        elif op == "scatter_value_":
            s.scatter_(d, T["index"], v)
        elif op == "scatter_add_":
            s.scatter_add_(d, T["index"], T["src"])
        elif op == "masked_fill_":
            s.masked_fill_(T["mask"], v)
        else:
            raise ValueError(op)
        return s
    raise ValueError(op)


def build(args):
    T, leaves = {}, {}
    for k, arg in args.items():
        base = arg.base.clone()
        if arg.rg:
            base.requires_grad_(True)
        leaves[k] = base
        T[k] = base.transpose(0, -1) if arg.nc else base
    return T, leaves


def record(name, op, args, code=None, **p):
    """Runs op on args (name -> Arg or tensor) with parameters p; records inputs and results."""
    args = {k: as_arg(v) for k, v in args.items()}
    r = {"name": name, "op": op}
    for k in ("dim", "value", "num_classes"):
        if k in p:
            r[k] = repr(float(p[k])) if k == "value" else str(p[k])
    for k, arg in args.items():
        r[k + "_dtype"] = DTYPE_NAMES[arg.base.dtype]
        r[k + "_shape"] = fmt_shape(arg.base.shape)
        r[k] = fmt_vals(arg.base)
        if arg.nc:
            r[k + "_nc"] = "1"
        if arg.rg:
            r[k + "_rg"] = "1"
    if name in ERROR_2X:  # not run: 1.13 accepts these (one even writes past its output)
        r["error"] = ERROR_2X[name]
        r["code"] = code
        records.append(r)
        return
    T, leaves = build(args)
    try:
        out = call(op, T, p)
    except Exception as e:  # noqa: BLE001 — the message is the fixture
        assert code is not None, name + ": unexpected error " + str(e)
        r["error"] = error_text(e)
        r["code"] = code
        records.append(r)
        return
    assert code is None, name + ": expected an error, got " + repr(out)
    r["out_dtype"] = DTYPE_NAMES[out.dtype]
    r["out_shape"] = fmt_shape(out.shape)
    r["out"] = fmt_vals(out)
    r["grad_fn"] = gfn_name(out)
    if out.requires_grad:
        v = rnd(tuple(out.shape), out.dtype)
        r["v"] = fmt_vals(v)
        out.backward(v)
        for k, base in leaves.items():
            if args[k].rg:
                g = base.grad if base.grad is not None else torch.zeros_like(base)
                r["grad_" + k] = fmt_vals(g)
    records.append(r)


def cases():
    # ---------------------------------------------------------------- index_select
    for dt in (F32, F64):
        s = DTYPE_NAMES[dt]
        record("index_select_1d_" + s, "index_select", {"a": A([5], dt), "index": L([4, 0, 2])},
               dim=0)
        record("index_select_2d_dim0_dup_" + s, "index_select",
               {"a": A([3, 4], dt), "index": L([2, 0, 2, 2])}, dim=0)
        record("index_select_2d_dim1_" + s, "index_select",
               {"a": A([3, 4], dt), "index": L([3, 1])}, dim=1)
        record("index_select_3d_negdim_" + s, "index_select",
               {"a": A([2, 3, 4], dt), "index": L([1, 1, 0])}, dim=-2)
        record("index_select_nc_" + s, "index_select",
               {"a": A([3, 4], dt, nc=True), "index": L([0, 3, 3])}, dim=1)
        record("index_select_3d_nc_dim0_" + s, "index_select",
               {"a": A([4, 2, 3], dt, nc=True), "index": L([3, 0])}, dim=0)
    record("index_select_scalar_index", "index_select", {"a": A([3, 4]), "index": L(1)}, dim=0)
    record("index_select_0d_self", "index_select", {"a": A([]), "index": L([0])}, dim=0)
    record("index_select_0d_both", "index_select", {"a": A([], F64), "index": L(0)}, dim=-1)
    record("index_select_empty_index", "index_select", {"a": A([3, 4]), "index": L([])}, dim=1)
    record("index_select_empty_self", "index_select", {"a": A([0, 4]), "index": L([1])}, dim=1)
    record("index_select_int64", "index_select", {"a": A([2, 3], I64), "index": L([2, 0])},
           dim=1)
    record("index_select_bool", "index_select", {"a": A([4], BOOL), "index": L([3, 3, 1])},
           dim=0)
    record("index_select_no_grad", "index_select",
           {"a": A([3, 2], rg=False), "index": L([1])}, dim=0)
    # errors
    record("index_select_err_float_index", "index_select",
           {"a": A([3, 4]), "index": torch.tensor([0.0])}, "DTYPE", dim=0)
    record("index_select_err_2d_index", "index_select",
           {"a": A([3, 4]), "index": L([[0]])}, "INDEX", dim=0)
    record("index_select_err_oob", "index_select", {"a": A([3, 4]), "index": L([0, 3])},
           "INDEX", dim=0)
    record("index_select_err_negative", "index_select", {"a": A([5]), "index": L([-1])},
           "INDEX", dim=0)
    record("index_select_err_oob_dim1", "index_select", {"a": A([3, 4]), "index": L([4])},
           "INDEX", dim=1)
    record("index_select_err_oob_3d_dim1", "index_select",
           {"a": A([2, 3, 4]), "index": L([1, 3])}, "INDEX", dim=1)
    record("index_select_err_empty_axis", "index_select", {"a": A([0, 3]), "index": L([0])},
           "INDEX", dim=0)
    record("index_select_err_empty_self_oob", "index_select",
           {"a": A([3, 0]), "index": L([4])}, "INDEX", dim=0)
    record("index_select_err_dim", "index_select", {"a": A([3, 4]), "index": L([0])}, "INDEX",
           dim=2)
    record("index_select_err_scalar_two", "index_select", {"a": A([]), "index": L([0, 0])},
           "SHAPE", dim=0)
    record("index_select_err_scalar_oob", "index_select", {"a": A([]), "index": L([1])},
           "INDEX", dim=0)

    # ---------------------------------------------------------------- index_add
    for dt in (F32, F64):
        s = DTYPE_NAMES[dt]
        record("index_add_dim0_dup_" + s, "index_add",
               {"a": A([3, 4], dt), "index": L([0, 2, 0]), "src": A([3, 4], dt)}, dim=0)
        record("index_add_dim1_" + s, "index_add",
               {"a": A([3, 4], dt), "index": L([3, 1]), "src": A([3, 2], dt)}, dim=1)
        record("index_add_3d_nc_" + s, "index_add",
               {"a": A([2, 3, 4], dt, nc=True), "index": L([2, 2]),
                "src": A([2, 2, 4], dt, nc=True)}, dim=-2)
    record("index_add_src_only", "index_add",
           {"a": A([4], rg=False), "index": L([1, 1, 3]), "src": A([3])}, dim=0)
    record("index_add_0d", "index_add", {"a": A([], F64), "index": L([0, 0]), "src": A([2], F64)},
           dim=0)
    record("index_add_0d_src", "index_add", {"a": A([3], F64), "index": L([2]), "src": A([], F64)},
           dim=0)
    record("index_add_empty", "index_add", {"a": A([3, 2]), "index": L([]), "src": A([0, 2])},
           dim=0)
    record("index_add_int64", "index_add",
           {"a": A([3], I64), "index": L([1, 1]), "src": A([2], I64)}, dim=0)
    record("index_add_bool", "index_add",
           {"a": B([False, False, True]), "index": L([0, 0]), "src": B([True, False])}, dim=0)
    record("index_add_err_2d_index", "index_add",
           {"a": A([3, 4]), "index": L([[0, 1]]), "src": A([2, 4])}, "INDEX", dim=0)
    record("index_add_err_float_index", "index_add",
           {"a": A([3, 4]), "index": torch.tensor([0.0, 1.0]), "src": A([2, 4])}, "DTYPE", dim=0)
    record("index_add_err_dtype", "index_add",
           {"a": A([3, 4]), "index": L([0, 1]), "src": A([2, 4], F64)}, "DTYPE", dim=0)
    record("index_add_err_count", "index_add",
           {"a": A([3, 4]), "index": L([0, 1]), "src": A([3, 4])}, "SHAPE", dim=0)
    record("index_add_err_oob", "index_add",
           {"a": A([3, 4]), "index": L([0, 3]), "src": A([2, 4])}, "INDEX", dim=0)
    record("index_add_err_negative", "index_add",
           {"a": A([3, 4]), "index": L([-1]), "src": A([1, 4])}, "INDEX", dim=0)
    record("index_add_err_slice", "index_add",
           {"a": A([3, 4]), "index": L([0, 1]), "src": A([2, 5])}, "SHAPE", dim=0)
    record("index_add_err_slice_ndim", "index_add",
           {"a": A([3, 4]), "index": L([0]), "src": A([1, 4, 1])}, "SHAPE", dim=0)
    record("index_add_err_src_dim", "index_add",
           {"a": A([3, 4]), "index": L([0]), "src": A([4])}, "INDEX", dim=1)
    record("index_add_err_dim", "index_add",
           {"a": A([3, 4]), "index": L([0]), "src": A([1, 4])}, "INDEX", dim=-3)

    # ---------------------------------------------------------------- gather
    for dt in (F32, F64):
        s = DTYPE_NAMES[dt]
        record("gather_1d_dup_" + s, "gather", {"a": A([4], dt), "index": L([3, 3, 0, 1, 3])},
               dim=0)
        record("gather_2d_dim0_" + s, "gather",
               {"a": A([3, 4], dt), "index": L([[2, 0, 1, 1], [0, 0, 2, 1]])}, dim=0)
        record("gather_2d_dim1_smaller_" + s, "gather",
               {"a": A([3, 4], dt), "index": L([[3, 3, 0], [1, 2, 1]])}, dim=-1)
        record("gather_3d_" + s, "gather",
               {"a": A([2, 3, 4], dt), "index": L([[[0, 1], [2, 2]], [[1, 0], [0, 1]]])},
               dim=1)
        record("gather_nc_" + s, "gather",
               {"a": A([3, 4], dt, nc=True), "index": Arg(L([[1, 0, 3], [2, 2, 0]]).t(), nc=True)},
               dim=1)
    record("gather_0d", "gather", {"a": A([], F64), "index": L(0)}, dim=0)
    record("gather_0d_self_1d_index", "gather", {"a": A([]), "index": L([0, 0, 0])}, dim=0)
    record("gather_1d_self_0d_index", "gather", {"a": A([3]), "index": L(2)}, dim=0)
    record("gather_empty_index", "gather", {"a": A([3, 4]), "index": torch.zeros(0, 5, dtype=I64)},
           dim=1)
    record("gather_empty_float_index", "gather", {"a": A([3, 4]), "index": torch.zeros(0)},
           dim=0)
    record("gather_int64", "gather", {"a": A([2, 3], I64), "index": L([[2], [0]])}, dim=1)
    record("gather_bool", "gather", {"a": A([2, 3], BOOL), "index": L([[1, 0, 1]])}, dim=0)
    record("gather_err_ndim", "gather", {"a": A([3, 4]), "index": L([0])}, "SHAPE", dim=0)
    record("gather_err_float_index", "gather", {"a": A([3, 4]), "index": torch.tensor([[0.0]])},
           "DTYPE", dim=0)
    record("gather_err_size", "gather", {"a": A([3, 4]), "index": torch.zeros(2, 5, dtype=I64)},
           "SHAPE", dim=0)
    record("gather_err_oob", "gather", {"a": A([3, 4]), "index": L([[1, 3]])}, "INDEX", dim=0)
    record("gather_err_negative", "gather", {"a": A([3, 4]), "index": L([[0], [-1]])}, "INDEX",
           dim=1)
    record("gather_err_dim", "gather", {"a": A([3, 4]), "index": L([[0]])}, "INDEX", dim=2)
    record("gather_err_0d_oob", "gather", {"a": A([]), "index": L([1])}, "INDEX", dim=0)

    # ---------------------------------------------------------------- scatter (src)
    for dt in (F32, F64):
        s = DTYPE_NAMES[dt]
        record("scatter_2d_dim0_" + s, "scatter",
               {"a": A([3, 4], dt), "index": L([[2, 0, 1, 1]]), "src": A([1, 4], dt)}, dim=0)
        record("scatter_2d_dim1_" + s, "scatter",
               {"a": A([3, 5], dt), "index": L([[4, 0], [1, 2], [3, 3]]), "src": A([3, 2], dt)},
               dim=1)
        record("scatter_3d_nc_" + s, "scatter",
               {"a": A([4, 3, 2], dt, nc=True), "index": L([[[1, 0], [2, 1]], [[0, 0], [3, 2]]]),
                "src": A([2, 2, 2], dt, nc=True)}, dim=0)
    record("scatter_src_larger", "scatter",
           {"a": A([3, 4], F64), "index": L([[2, 0, 1, 1]]), "src": A([2, 4], F64, rg=False)},
           dim=0)
    record("scatter_dup_last_wins", "scatter",
           {"a": A([3], F64), "index": L([1, 1, 1]), "src": A([3], F64)}, dim=0)
    record("scatter_0d", "scatter", {"a": A([]), "index": L(0), "src": A([])}, dim=0)
    record("scatter_empty_index", "scatter",
           {"a": A([2, 3]), "index": torch.zeros(0, 3, dtype=I64), "src": A([2, 3], rg=False)},
           dim=0)
    record("scatter_int64", "scatter",
           {"a": A([2, 3], I64), "index": L([[2, 1]]), "src": A([1, 2], I64)}, dim=1)
    record("scatter_bool", "scatter",
           {"a": B([False, False, False]), "index": L([2]), "src": B([True])}, dim=0)
    record("scatter_err_self_ndim", "scatter",
           {"a": A([3, 4]), "index": L([0]), "src": A([1])}, "SHAPE", dim=0)
    record("scatter_err_src_ndim", "scatter",
           {"a": A([3, 4]), "index": L([[0]]), "src": A([1, 1, 4])}, "SHAPE", dim=0)
    record("scatter_err_src_1d", "scatter",
           {"a": A([3, 4]), "index": L([[0, 1, 2]]), "src": A([4])}, "INDEX", dim=0)
    record("scatter_err_src_0d", "scatter",
           {"a": A([3, 4]), "index": L([[0]]), "src": A([])}, "SHAPE", dim=0)
    record("scatter_err_size", "scatter",
           {"a": A([3, 4]), "index": torch.zeros(1, 5, dtype=I64), "src": A([1, 5])}, "SHAPE",
           dim=0)
    record("scatter_err_src_small", "scatter",
           {"a": A([3, 4]), "index": torch.zeros(2, 3, dtype=I64), "src": A([2, 2])}, "SHAPE",
           dim=0)
    record("scatter_err_dtype", "scatter",
           {"a": A([3, 4]), "index": L([[0]]), "src": A([1, 1], F64)}, "DTYPE", dim=0)
    record("scatter_err_float_index", "scatter",
           {"a": A([3, 4]), "index": torch.tensor([[0.0]]), "src": A([1, 1])}, "DTYPE", dim=0)
    record("scatter_err_oob", "scatter",
           {"a": A([3, 4]), "index": L([[0, 3]]), "src": A([1, 2])}, "INDEX", dim=0)
    record("scatter_err_negative", "scatter",
           {"a": A([3, 4]), "index": L([[-1]]), "src": A([1, 1])}, "INDEX", dim=1)

    # ---------------------------------------------------------------- scatter (value)
    for dt in (F32, F64):
        s = DTYPE_NAMES[dt]
        record("scatter_value_2d_" + s, "scatter_value",
               {"a": A([3, 4], dt), "index": L([[2, 0, 1], [1, 1, 2]])}, dim=0, value=-2.5)
        record("scatter_value_nc_" + s, "scatter_value",
               {"a": A([3, 4], dt, nc=True), "index": L([[3], [0], [2]])}, dim=1, value=7.0)
    record("scatter_value_int64", "scatter_value", {"a": A([2, 3], I64), "index": L([[0, 2]])},
           dim=1, value=2.75)
    record("scatter_value_bool", "scatter_value", {"a": A([4], BOOL), "index": L([0, 3])},
           dim=0, value=0.0)
    record("scatter_value_inf", "scatter_value", {"a": A([3]), "index": L([1])}, dim=0,
           value=-math.inf)
    record("scatter_value_err_overflow_f32", "scatter_value", {"a": A([3]), "index": L([1])},
           "INVALID_ARG", dim=0, value=1e300)
    record("scatter_value_err_overflow_i64", "scatter_value",
           {"a": A([3], I64), "index": L([1])}, "INVALID_ARG", dim=0, value=math.nan)
    record("scatter_value_err_size", "scatter_value",
           {"a": A([3, 4]), "index": torch.zeros(1, 5, dtype=I64)}, "SHAPE", dim=0, value=1.0)
    record("scatter_value_err_oob", "scatter_value", {"a": A([3, 4]), "index": L([[4]])},
           "INDEX", dim=1, value=1.0)

    # ---------------------------------------------------------------- scatter_add
    for dt in (F32, F64):
        s = DTYPE_NAMES[dt]
        record("scatter_add_dup_" + s, "scatter_add",
               {"a": A([3, 4], dt), "index": L([[2, 0, 2, 2], [2, 0, 1, 2], [0, 0, 0, 0]]),
                "src": A([3, 4], dt)}, dim=0)
        record("scatter_add_dim1_" + s, "scatter_add",
               {"a": A([2, 3], dt), "index": L([[0, 0, 2, 0], [1, 1, 1, 1]]),
                "src": A([2, 4], dt)}, dim=1)
        record("scatter_add_3d_nc_" + s, "scatter_add",
               {"a": A([2, 2, 3], dt, nc=True), "index": L([[[0, 1, 0]], [[1, 1, 1]]]),
                "src": A([2, 1, 3], dt, nc=True)}, dim=-2)
    record("scatter_add_0d", "scatter_add", {"a": A([], F64), "index": L([0, 0]), "src": A([2], F64)},
           dim=0)
    record("scatter_add_int64", "scatter_add",
           {"a": A([3], I64), "index": L([0, 0, 2]), "src": A([3], I64)}, dim=0)
    record("scatter_add_bool", "scatter_add",
           {"a": B([False, True, False]), "index": L([0, 0]), "src": B([True, False])}, dim=0)
    record("scatter_add_err_oob", "scatter_add",
           {"a": A([3, 4]), "index": L([[4]]), "src": A([1, 1])}, "INDEX", dim=0)
    record("scatter_add_err_float_index", "scatter_add",
           {"a": A([3, 4]), "index": torch.tensor([[0.0]]), "src": A([1, 1])}, "DTYPE", dim=0)
    record("scatter_add_err_dtype", "scatter_add",
           {"a": A([3, 4]), "index": L([[1]]), "src": A([1, 1], F64)}, "DTYPE", dim=0)
    record("scatter_add_err_size", "scatter_add",
           {"a": A([3, 4]), "index": L([[0, 0, 0, 0, 0]]), "src": A([1, 5])}, "SHAPE", dim=0)

    # ---------------------------------------------------------------- scatter in place
    for dt in (F32, F64):
        s = DTYPE_NAMES[dt]
        record("scatter__" + s, "scatter_",
               {"a": A([3, 4], dt), "index": L([[1, 2, 0, 1]]), "src": A([1, 4], dt)}, dim=0)
        record("scatter_value__" + s, "scatter_value_",
               {"a": A([3, 4], dt), "index": L([[3, 0], [1, 1], [2, 0]])}, dim=1, value=0.5)
        record("scatter_add__" + s, "scatter_add_",
               {"a": A([3, 4], dt), "index": L([[1, 1, 1, 1], [1, 2, 1, 0]]), "src": A([2, 4], dt)},
               dim=0)
    record("scatter__src_grad_only", "scatter_",
           {"a": A([4], rg=False), "index": L([3, 0]), "src": A([2])}, dim=0)
    record("scatter_add__src_grad_only", "scatter_add_",
           {"a": A([4], F64, rg=False), "index": L([3, 3, 0]), "src": A([3], F64)}, dim=0)
    record("scatter__nc_no_grad", "scatter_",
           {"a": A([3, 4], nc=True, rg=False), "index": L([[1, 2, 0]]),
            "src": A([1, 3], rg=False)}, dim=0)
    record("scatter_value__nc_no_grad", "scatter_value_",
           {"a": A([2, 3], F64, nc=True, rg=False), "index": L([[1], [2]])}, dim=1, value=-1.0)
    record("scatter_add__nc_no_grad", "scatter_add_",
           {"a": A([3, 4], nc=True, rg=False), "index": L([[1, 1, 0, 0]]),
            "src": A([1, 4], rg=False)}, dim=0)
    record("scatter_add__int64", "scatter_add_",
           {"a": A([4], I64), "index": L([1, 1]), "src": A([2], I64)}, dim=0)
    record("scatter__err_oob", "scatter_",
           {"a": A([3], rg=False), "index": L([0, 3]), "src": A([2], rg=False)}, "INDEX", dim=0)
    record("scatter_value__err_oob", "scatter_value_",
           {"a": A([3], rg=False), "index": L([1, -1])}, "INDEX", dim=0, value=1.0)
    record("scatter_add__err_oob", "scatter_add_",
           {"a": A([3], rg=False), "index": L([5]), "src": A([1], rg=False)}, "INDEX", dim=0)

    # ---------------------------------------------------------------- masked_fill
    for dt in (F32, F64):
        s = DTYPE_NAMES[dt]
        record("masked_fill_2d_" + s, "masked_fill",
               {"a": A([3, 4], dt), "mask": rnd((3, 4), BOOL)}, value=-1.5)
        record("masked_fill_bcast_mask_" + s, "masked_fill",
               {"a": A([3, 4], dt), "mask": B([True, False, False, True])}, value=0.0)
        record("masked_fill_bcast_self_" + s, "masked_fill",
               {"a": A([4], dt), "mask": rnd((2, 3, 4), BOOL)}, value=3.0)
        record("masked_fill_nc_" + s, "masked_fill",
               {"a": A([3, 4], dt, nc=True), "mask": Arg(rnd((4, 3), BOOL), nc=True)},
               value=math.inf)
    record("masked_fill_0d_mask", "masked_fill", {"a": A([2, 3], F64), "mask": B(True)},
           value=2.0)
    record("masked_fill_0d", "masked_fill", {"a": A([]), "mask": B(False)}, value=2.0)
    record("masked_fill_nan", "masked_fill", {"a": A([3]), "mask": B([False, True, True])},
           value=math.nan)
    record("masked_fill_empty", "masked_fill", {"a": A([0, 3]), "mask": B([True, False, True])},
           value=1.0)
    record("masked_fill_int64", "masked_fill", {"a": A([2, 3], I64), "mask": rnd((2, 3), BOOL)},
           value=-7.9)
    record("masked_fill_bool", "masked_fill", {"a": A([4], BOOL), "mask": rnd((4,), BOOL)},
           value=1.0)
    record("masked_fill_err_bcast", "masked_fill", {"a": A([3, 4]), "mask": B([True, False, True])},
           "SHAPE", value=1.0)
    record("masked_fill_err_float_mask", "masked_fill",
           {"a": A([3, 4]), "mask": torch.tensor([1.0, 0.0, 0.0, 0.0])}, "DTYPE", value=1.0)
    record("masked_fill_err_overflow", "masked_fill",
           {"a": A([4], I64), "mask": B([True, False, True, False])}, "INVALID_ARG",
           value=math.inf)
    record("masked_fill_err_overflow_f32", "masked_fill",
           {"a": A([4]), "mask": B([True, False, True, False])}, "INVALID_ARG", value=-1e39)
    for dt in (F32, F64):
        s = DTYPE_NAMES[dt]
        record("masked_fill__" + s, "masked_fill_",
               {"a": A([3, 4], dt), "mask": B([[True], [False], [True]])}, value=-4.0)
    record("masked_fill__nc_no_grad", "masked_fill_",
           {"a": A([3, 4], nc=True, rg=False), "mask": rnd((4,), BOOL)}, value=9.0)
    record("masked_fill__int64", "masked_fill_",
           {"a": A([3], I64), "mask": B([True, False, True])}, value=4.0)
    record("masked_fill__err_bcast", "masked_fill_",
           {"a": A([3, 4], rg=False), "mask": rnd((2, 3, 4), BOOL)}, "SHAPE", value=1.0)
    record("masked_fill__err_mismatch", "masked_fill_",
           {"a": A([3, 4], rg=False), "mask": B([True, False, True])}, "SHAPE", value=1.0)

    # ---------------------------------------------------------------- where
    for dt in (F32, F64):
        s = DTYPE_NAMES[dt]
        record("where_same_" + s, "where",
               {"cond": rnd((3, 4), BOOL), "a": A([3, 4], dt), "b": A([3, 4], dt)})
        record("where_bcast_" + s, "where",
               {"cond": rnd((3, 1), BOOL), "a": A([4], dt), "b": A([2, 1, 1], dt)})
        record("where_nc_" + s, "where",
               {"cond": Arg(rnd((4, 3), BOOL), nc=True), "a": A([3, 4], dt, nc=True),
                "b": A([], dt)})
    record("where_promote", "where", {"cond": rnd((3,), BOOL), "a": A([3]), "b": A([3], F64)})
    record("where_int_float", "where", {"cond": rnd((3,), BOOL), "a": A([3], I64), "b": A([3])})
    record("where_int64", "where", {"cond": rnd((2, 2), BOOL), "a": A([2, 2], I64),
                                    "b": A([2], I64)})
    record("where_bool", "where", {"cond": B([True, False, True]), "a": B([True, True, False]),
                                   "b": B([False, False, True])})
    record("where_0d", "where", {"cond": B(True), "a": A([], F64), "b": A([], F64)})
    record("where_empty", "where", {"cond": torch.zeros(0, 3, dtype=BOOL), "a": A([3]),
                                    "b": A([1])})
    record("where_b_only_grad", "where",
           {"cond": rnd((4,), BOOL), "a": A([4], rg=False), "b": A([4])})
    record("where_err_cond", "where", {"cond": A([3], rg=False), "a": A([3]), "b": A([3])},
           "DTYPE")
    record("where_err_bcast", "where", {"cond": rnd((3, 4), BOOL), "a": A([3, 4]), "b": A([2])},
           "SHAPE")
    for dt in (F32, F64):
        s = DTYPE_NAMES[dt]
        record("where_scalar_" + s, "where_scalar",
               {"cond": rnd((2, 3), BOOL), "a": A([2, 3], dt)}, value=0.25)
        record("where_rscalar_bcast_" + s, "where_rscalar",
               {"cond": rnd((2, 1), BOOL), "b": A([3], dt)}, value=-3.0)
    record("where_scalar_int_to_float", "where_scalar",
           {"cond": B([True, False]), "a": A([2], I64)}, value=2.5)
    record("where_rscalar_int", "where_rscalar", {"cond": B([True, False]), "b": A([2], I64)},
           value=4.0)
    record("where_scalar_0d_self", "where_scalar", {"cond": B([True, False, True]), "a": A([], F64)},
           value=-1.0)
    record("where_scalar_err_cond", "where_scalar",
           {"cond": A([2], I64), "a": A([2])}, "DTYPE", value=1.0)
    record("where_rscalar_err_bcast", "where_rscalar",
           {"cond": rnd((3,), BOOL), "b": A([2])}, "SHAPE", value=1.0)

    # ---------------------------------------------------------------- a[idx]
    for dt in (F32, F64):
        s = DTYPE_NAMES[dt]
        record("index_1d_neg_dup_" + s, "index", {"a": A([5], dt), "index": L([4, -1, 0, -5])},
               dim=0)
        record("index_2d_rows_" + s, "index", {"a": A([3, 4], dt), "index": L([2, 0, 2])}, dim=0)
        record("index_2d_cols_2d_idx_" + s, "index",
               {"a": A([3, 4], dt), "index": L([[1, 3], [-1, 1]])}, dim=1)
        record("index_3d_negdim_" + s, "index", {"a": A([2, 3, 4], dt), "index": L([0, -1, 0])},
               dim=-1)
        record("index_nc_" + s, "index",
               {"a": A([3, 4], dt, nc=True), "index": L([[0], [2], [0]])}, dim=0)
        record("index_mask_" + s, "index", {"a": A([3, 4], dt), "index": B([True, False, True])},
               dim=0)
        record("index_mask_2d_" + s, "index",
               {"a": A([2, 3, 4], dt), "index": B([[True, False, True, True],
                                                    [False, True, False, True],
                                                    [True, True, False, False]])}, dim=1)
        record("index_mask_nc_" + s, "index",
               {"a": A([3, 4], dt, nc=True), "index": B([False, True, True, True])}, dim=1)
    record("index_0d_idx", "index", {"a": A([3, 4]), "index": L(-2)}, dim=0)
    record("index_0d_idx_dim1", "index", {"a": A([3, 4], F64), "index": L(3)}, dim=1)
    record("index_mask_0d_true", "index", {"a": A([2, 3]), "index": B(True)}, dim=0)
    record("index_mask_0d_false", "index", {"a": A([2, 3]), "index": B(False)}, dim=1)
    record("index_mask_none", "index", {"a": A([2, 3], F64), "index": B([False, False])}, dim=0)
    record("index_empty_idx", "index", {"a": A([3, 4]), "index": L([])}, dim=1)
    record("index_empty_dim", "index", {"a": A([3, 0]), "index": L([2, 1])}, dim=0)
    record("index_int64", "index", {"a": A([2, 3], I64), "index": L([-1, 0, 0])}, dim=1)
    record("index_bool", "index", {"a": A([4], BOOL), "index": L([3, 1])}, dim=0)
    record("index_err_float", "index", {"a": A([3, 4]), "index": torch.tensor([1.0])}, "DTYPE",
           dim=0)
    record("index_err_oob", "index", {"a": A([3, 4]), "index": L([1, 3])}, "INDEX", dim=0)
    record("index_err_oob_neg", "index", {"a": A([3, 4]), "index": L([-4])}, "INDEX", dim=0)
    record("index_err_oob_dim1", "index", {"a": A([3, 4]), "index": L([[0, 4]])}, "INDEX",
           dim=1)
    record("index_err_size0", "index", {"a": A([0, 4]), "index": L([0])}, "INDEX", dim=0)
    record("index_err_mask_shape", "index", {"a": A([3, 4]), "index": B([True, False])},
           "INDEX", dim=0)
    record("index_err_mask_shape_dim1", "index",
           {"a": A([2, 3, 4]), "index": B([[True, False, True, True], [True] * 4])}, "INDEX",
           dim=1)
    record("index_err_0d", "index", {"a": A([]), "index": L([0])}, "INDEX", dim=0)
    record("index_err_dim", "index", {"a": A([3, 4]), "index": L([0])}, "INDEX", dim=2)
    record("index_err_negdim", "index", {"a": A([3, 4]), "index": L([0])}, "INDEX", dim=-3)
    record("index_err_mask_dims", "index", {"a": A([3, 4]), "index": B([[True] * 4] * 3)},
           "INDEX", dim=1)

    # ---------------------------------------------------------------- one_hot
    record("one_hot_infer", "one_hot", {"a": L([0, 2, 1, 2])}, num_classes=-1)
    record("one_hot_2d", "one_hot", {"a": L([[0, 3], [1, 1]])}, num_classes=5)
    record("one_hot_nc", "one_hot", {"a": Arg(L([[0, 3, 2], [1, 1, 0]]), nc=True)},
           num_classes=4)
    record("one_hot_0d", "one_hot", {"a": L(2)}, num_classes=-1)
    record("one_hot_empty", "one_hot", {"a": torch.zeros(2, 0, dtype=I64)}, num_classes=3)
    record("one_hot_err_float", "one_hot", {"a": torch.tensor([0.0, 1.0])}, "DTYPE",
           num_classes=-1)
    record("one_hot_err_negative", "one_hot", {"a": L([0, -1])}, "INVALID_ARG", num_classes=3)
    record("one_hot_err_small", "one_hot", {"a": L([0, 3])}, "INVALID_ARG", num_classes=3)
    record("one_hot_err_zero", "one_hot", {"a": L([0])}, "INVALID_ARG", num_classes=0)
    record("one_hot_err_empty_infer", "one_hot", {"a": L([])}, "INVALID_ARG", num_classes=-1)


def scenarios():
    """Named situations tests/test_index.c rebuilds by hand: in-place rules, saved tensors."""
    def leaf_inplace():
        a = torch.ones(2, 3, requires_grad=True)
        a.scatter_(0, L([[0, 1, 0]]), 2.0)
    records.append({"name": "scenario_inplace_leaf", "error": err(leaf_inplace)})

    def leaf_masked():
        a = torch.ones(3, requires_grad=True)
        a.masked_fill_(B([True, False, True]), 0.0)
    records.append({"name": "scenario_masked_fill_leaf", "error": err(leaf_masked)})

    def gather_self_modified():
        a = torch.ones(2, 3, requires_grad=True)
        y = a * 2
        z = y.gather(0, L([[1, 0, 1]]))
        y.add_(1)
        z.sum().backward()
    records.append({"name": "scenario_gather_self_modified", "error": err(gather_self_modified)})

    def index_modified():
        a = torch.ones(3, requires_grad=True)
        i = L([1, 0])
        z = a.index_select(0, i)
        i.add_(1)
        z.sum().backward()
    records.append({"name": "scenario_index_modified", "error": err(index_modified)})

    def source_modified():
        a = torch.ones(3, requires_grad=True)
        s = a * 2
        z = torch.zeros(2).index_add(0, L([1, 1, 0]), s)
        s.mul_(3)
        z.sum().backward()
    records.append({"name": "scenario_index_add_source_modified", "error": err(source_modified)})

    a = torch.ones(2, 3, requires_grad=True)
    y = a * 2
    z = y.index_select(1, L([2, 2]))
    y.add_(1)  # index_select saves only the index: modifying self is fine
    z.sum().backward()
    records.append({"name": "scenario_index_select_self_modified", "grad": fmt_vals(a.grad)})

    def scatter_add_src_grad_smaller_index():
        src = torch.ones(2, 4, requires_grad=True)
        torch.zeros(3, 4).scatter_add(0, L([[0, 2]]), src).sum().backward()
    records.append({"name": "scenario_scatter_add_small_index",
                    "error": err(scatter_add_src_grad_smaller_index)})

    def twice():
        a = torch.ones(3, requires_grad=True)
        z = a.gather(0, L([0, 0])).sum()
        z.backward()
        z.backward()
    records.append({"name": "scenario_backward_twice", "error": err(twice)})


def generate(outdir):
    global gen
    records.clear()
    gen = torch.Generator().manual_seed(1234)
    torch.set_num_threads(1)
    cases()
    scenarios()
    write_fixture(outdir, "index.txt",
                  ["# index.txt — generated by tools/fixtures_index.py from torch %s; do not edit"
                   % torch.__version__.split("+")[0]], records, bare_empty=False)


if __name__ == "__main__":
    generate(sys.argv[1])
