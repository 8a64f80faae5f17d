"""fixtures_pointwise.py — writes pointwise.txt: the pointwise-math family run in PyTorch.

Each record runs one op (tests/test_pointwise.c knows it by the `op` key) on inputs given by
values, dtype and shape (transposed or requiring grad as flagged), with its scalar parameters;
it holds the output (dtype, shape, values), the grad_fn name (PyTorch 2.x's: these ops name their
nodes alike in 1.13), the upstream gradient v and every input's .grad after out.backward(v).
"gg" records add a second derivative: with g = autograd.grad(out, inputs, v, create_graph=True),
the gradient of sum_i sum(g_i * w_i) (zeros where PyTorch reports none). Error records hold
PyTorch's message for the call (the C library prefixes "tg_<op>: ").
Run with Debian's torch: /usr/bin/python3 tools/fixtures_pointwise.py tests/fixtures
"""
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import BOOL, F64, FLOATS, I64, T, CaseWriter, Draws, fmt_scalar  # noqa: E402
from fixture_common import fmt_values, gfn_name, inp, seeded as seeded_key  # noqa: E402

INF, NAN = math.inf, math.nan


# ------------------------------------------------------------------ formatting

# ------------------------------------------------------------------ deterministic inputs

_draw = Draws(20240611)
U, I, B = _draw.uniform, _draw.ints, _draw.bools


def seeded(name, shape, dtype, salt=""):
    """values in [-2, 2) from a generator seeded by the case name: v and w of each record"""
    return seeded_key(name + salt, shape, dtype)


# ------------------------------------------------------------------ the writer

class Writer(CaseWriter):
    KINDS = ("ok", "gg", "error")

    @staticmethod
    def _arg(k, v):
        return None if v is None else fmt_scalar(v)

    def add(self, op, tag, fn, inputs, direct=False, **params):
        """fn(*effective_inputs) runs the op; for an in-place op (name ending in _) fn acts on
        a clone of input 0 (PyTorch: c = x.clone(); c.op_()) unless direct, when it acts on the
        input itself."""
        name, rec, leaves, effs = self._begin(op, tag, dict(params, direct="1") if direct
                                              else params, inputs)
        if op.endswith("_"):
            target = effs[0] if direct else effs[0].clone()
            out = fn(target, *effs[1:])
            assert out is target
        else:
            out = fn(*effs)
        self._result(rec, out, gfn_name(out))
        if op.endswith("_"):
            rec.append(("version", str(out._version)))
        if out.requires_grad:
            self._backward(rec, name, out, inputs, leaves)
        self._ok(rec)

    def gg(self, op, tag, fn, inputs, **params):
        """second derivatives: every input requires grad and is floating"""
        name, rec, leaves, effs = self._begin(op, "gg_" + tag, dict(params, gg="1"), inputs)
        assert all(x.rg for x in inputs)
        out = fn(effs[0].clone(), *effs[1:]) if op.endswith("_") else fn(*effs)
        v = seeded(name, out.shape, out.dtype)
        grads = torch.autograd.grad(out, leaves, v, create_graph=True)
        total = None
        ws = []
        for i, (g, leaf) in enumerate(zip(grads, leaves)):
            w = seeded(name, leaf.shape, leaf.dtype, salt="w%d" % i)
            ws.append(w)
            term = (g * w).sum()
            total = term if total is None else total + term
        if total.requires_grad:
            gg = torch.autograd.grad(total, leaves, allow_unused=True)
        else:
            gg = [None] * len(leaves)
        rec.append(("v", fmt_values(v)))
        for i, (w, g2, leaf) in enumerate(zip(ws, gg, leaves)):
            rec.append(("in%d_w" % i, fmt_values(w)))
            rec.append(("in%d_gg" % i, fmt_values(torch.zeros_like(leaf) if g2 is None else g2)))
        self._ok(rec, "gg")

    def error(self, op, tag, code, fn, inputs, direct=False, **params):
        """a call that must fail with TG_ERR_<code> and PyTorch's message"""
        name, rec, _, effs = self._begin(op, "error_" + tag, dict(params, direct="1") if direct
                                         else params, inputs)
        if op.endswith("_") and not direct:
            self._fail(name, rec, code, lambda: fn(effs[0].clone(), *effs[1:]))
        else:
            self._fail(name, rec, code, lambda: fn(*effs))


# ------------------------------------------------------------------ the ops

def clamp_fn(mn, mx):
    return lambda x: torch.clamp(x, mn, mx)


# name: (PyTorch call on the effective input, [lo, hi) of random inputs, params)
UNARY = {
    "log1p": (torch.log1p, (-0.9, 3.0)),
    "expm1": (torch.expm1, (-3.0, 3.0)),
    "rsqrt": (torch.rsqrt, (0.2, 4.0)),
    "sin": (torch.sin, (-4.0, 4.0)),
    "cos": (torch.cos, (-4.0, 4.0)),
    "tan": (torch.tan, (-1.3, 1.3)),
    "tanh": (torch.tanh, (-3.0, 3.0)),
    "sigmoid": (torch.sigmoid, (-6.0, 6.0)),
    "sign": (torch.sign, (-2.0, 2.0)),
    "reciprocal": (torch.reciprocal, (0.3, 2.0)),
    "square": (torch.square, (-2.0, 2.0)),
    "floor": (torch.floor, (-3.0, 3.0)),
    "ceil": (torch.ceil, (-3.0, 3.0)),
    "round": (torch.round, (-3.0, 3.0)),
    "relu": (torch.relu, (-2.0, 2.0)),
    "silu": (F.silu, (-4.0, 4.0)),
}

# parametrised unary ops: name -> list of (tag, params dict, PyTorch call)
PARAM = {
    "leaky_relu": [("slope_0.01", {"slope": 0.01}, lambda x: F.leaky_relu(x, 0.01)),
                   ("slope_0.2", {"slope": 0.2}, lambda x: F.leaky_relu(x, 0.2)),
                   ("slope_m0.5", {"slope": -0.5}, lambda x: F.leaky_relu(x, -0.5))],
    "elu": [("alpha_1", {"alpha": 1.0}, lambda x: F.elu(x, 1.0)),
            ("alpha_0.5", {"alpha": 0.5}, lambda x: F.elu(x, 0.5)),
            ("alpha_2", {"alpha": 2.0}, lambda x: F.elu(x, 2.0))],
    "gelu": [("none", {"approximate": "none"}, lambda x: F.gelu(x, approximate="none")),
             ("tanh", {"approximate": "tanh"}, lambda x: F.gelu(x, approximate="tanh"))],
    "softplus": [("beta1_th20", {"beta": 1.0, "threshold": 20.0},
                  lambda x: F.softplus(x, 1.0, 20.0)),
                 ("beta2_th1", {"beta": 2.0, "threshold": 1.0},
                  lambda x: F.softplus(x, 2.0, 1.0)),
                 ("beta0.5_th3", {"beta": 0.5, "threshold": 3.0},
                  lambda x: F.softplus(x, 0.5, 3.0))],
    "clamp": [("m0.5_1", {"min": -0.5, "max": 1.0}, clamp_fn(-0.5, 1.0)),
              ("min_0", {"min": 0.0}, clamp_fn(0.0, None)),
              ("max_0.25", {"max": 0.25}, clamp_fn(None, 0.25)),
              ("min_gt_max", {"min": 1.0, "max": -1.0}, clamp_fn(1.0, -1.0))],
    "clamp_min": [("0.3", {"scalar": 0.3}, lambda x: torch.clamp_min(x, 0.3)),
                  ("m1", {"scalar": -1.0}, lambda x: torch.clamp_min(x, -1.0))],
    "clamp_max": [("0.3", {"scalar": 0.3}, lambda x: torch.clamp_max(x, 0.3)),
                  ("m1", {"scalar": -1.0}, lambda x: torch.clamp_max(x, -1.0))],
}
PARAM_RANGE = {"leaky_relu": (-2.0, 2.0), "elu": (-3.0, 2.0), "gelu": (-4.0, 4.0),
               "softplus": (-4.0, 4.0), "clamp": (-2.0, 2.0), "clamp_min": (-2.0, 2.0),
               "clamp_max": (-2.0, 2.0)}

# values at kinks, limits and special points (float32, requiring grad)
SPECIAL = {
    "log1p": [-1.0, -0.5, 0.0, 1e-8, 1e6, INF, -2.0, NAN],
    "expm1": [-100.0, -1e-8, 0.0, 1e-8, 80.0, INF, -INF, NAN],
    "rsqrt": [0.0, 1e-6, 1.0, 1e6, INF, -1.0, NAN],
    "sin": [0.0, math.pi / 2, -math.pi, 1e4, INF, NAN],
    "cos": [0.0, math.pi / 2, -math.pi, 1e4, INF, NAN],
    "tan": [0.0, 1.0, -1.5, 1e-8, NAN],
    "tanh": [0.0, -20.0, 20.0, 1e-8, INF, -INF, NAN],
    "sigmoid": [0.0, -100.0, 100.0, -20.0, 20.0, INF, -INF, NAN],
    "sign": [0.0, -0.0, 3.0, -3.0, INF, -INF, NAN],
    "reciprocal": [0.0, -0.0, 1e-20, INF, -INF, NAN],
    "square": [0.0, -3.0, 1e20, NAN],
    "floor": [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4999, -0.0, INF, NAN],
    "ceil": [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4999, -0.0, INF, NAN],
    "round": [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4999, -0.0, INF, NAN],
    "relu": [0.0, -0.0, -1.0, 1.0, INF, -INF, NAN],
    "silu": [0.0, -100.0, 100.0, -20.0, INF, -INF, NAN],
    "leaky_relu": [0.0, -0.0, -1.0, 1.0, INF, -INF, NAN],
    "elu": [0.0, -0.0, -1.0, 1.0, -100.0, 100.0, INF, -INF, NAN],
    "gelu": [0.0, -1.0, 1.0, -10.0, 10.0, 5.0, -5.0, NAN],
    "softplus": [0.0, -100.0, 100.0, 0.5, 0.4, 10.0, 19.5, 20.0, 20.5, 1.5, -INF, NAN],
    "clamp": [-0.5, 1.0, 0.25, 0.0, -2.0, 2.0, 1.0000001, INF, -INF, NAN],
    "clamp_min": [0.3, -1.0, 0.0, -2.0, 2.0, INF, -INF, NAN],
    "clamp_max": [0.3, -1.0, 0.0, -2.0, 2.0, INF, -INF, NAN],
}


def unary_matrix(w, op, fn, lo, hi, params):
    """the shape/dtype matrix of a floating unary op"""
    for dt, dn in FLOATS:
        w.add(op, "2x3_" + dn, fn, [inp(U((2, 3), lo, hi, dt))], **params)
        w.add(op, "0d_" + dn, fn, [inp(U((), lo, hi, dt))], **params)
        w.add(op, "1d_" + dn, fn, [inp(U((7,), lo, hi, dt))], **params)
        w.add(op, "3d_" + dn, fn, [inp(U((2, 3, 4), lo, hi, dt))], **params)
        w.add(op, "noncontig_" + dn, fn, [inp(U((4, 3), lo, hi, dt), tr=True)], **params)
        w.add(op, "noncontig_3d_" + dn, fn, [inp(U((3, 2, 2), lo, hi, dt), tr=True)], **params)
        w.add(op, "empty_" + dn, fn, [inp(U((0, 3), lo, hi, dt))], **params)
        w.add(op, "no_grad_" + dn, fn, [inp(U((2, 2), lo, hi, dt), rg=False)], **params)


def gen_unary(w):
    for op, (fn, (lo, hi)) in UNARY.items():
        unary_matrix(w, op, fn, lo, hi, {})
        w.add(op, "special_f32", fn, [inp(T(SPECIAL[op]))])
        w.add(op, "special_f64", fn, [inp(T(SPECIAL[op], F64))])
        w.add(op, "large_f32", fn, [inp(U((5, 40), lo, hi))])
        w.gg(op, "2x3_f64", fn, [inp(U((2, 3), lo, hi, F64))])
        # integer and bool inputs
        if op == "silu":
            w.error(op, "i64", "DTYPE", fn, [inp(I((2, 2)))])
            w.error(op, "bool", "DTYPE", fn, [inp(B((2,)))])
        elif op == "relu" or op in ("floor", "ceil", "round"):
            w.add(op, "i64", fn, [inp(I((2, 3)))])
            w.add(op, "0d_i64", fn, [inp(T(-3, I64))])
            w.error(op, "bool", "DTYPE", fn, [inp(B((3,)))])
        else:
            w.add(op, "i64", fn, [inp(I((2, 3), 1, 6) if op in ("rsqrt", "log1p") else I((2, 3)))])
            w.add(op, "0d_i64", fn, [inp(T(3, I64))])
            w.add(op, "bool", fn, [inp(T([True, False, True], BOOL))])
            w.add(op, "noncontig_i64", fn, [inp(I((3, 2), 1, 6), tr=True)])


def gen_param(w):
    for op, variants in PARAM.items():
        lo, hi = PARAM_RANGE[op]
        for k, (tag, params, fn) in enumerate(variants):
            if k == 0:
                unary_matrix(w, op, fn, lo, hi, params)
            else:
                for dt, dn in FLOATS:
                    w.add(op, "%s_2x3_%s" % (tag, dn), fn, [inp(U((2, 3), lo, hi, dt))], **params)
                w.add(op, "%s_noncontig_f32" % tag, fn, [inp(U((4, 3), lo, hi), tr=True)],
                      **params)
            w.add(op, "%s_special_f32" % tag, fn, [inp(T(SPECIAL[op]))], **params)
            w.add(op, "%s_special_f64" % tag, fn, [inp(T(SPECIAL[op], F64))], **params)
            w.gg(op, tag + "_f64", fn, [inp(U((2, 3), lo, hi, F64))], **params)
        w.add(op, "large_f32", variants[0][2], [inp(U((5, 40), lo, hi))], **variants[0][1])
    # float-only activations refuse integers and bool
    for op in ("leaky_relu", "elu", "gelu", "softplus"):
        tag, params, fn = PARAM[op][0]
        w.error(op, "i64", "DTYPE", fn, [inp(I((2, 2)))], **params)
        w.error(op, "bool", "DTYPE", fn, [inp(B((2,)))], **params)
    w.error("gelu", "approximate", "INVALID_ARG", lambda x: F.gelu(x, approximate="tanhh"),
            [inp(U((2,)))], approximate="tanhh")
    w.add("gelu", "default_none", lambda x: F.gelu(x), [inp(U((3,), -3, 3))])
    # clamp on integers and bool: integral bounds keep int64, a fractional one gives float32
    for op, fn, params in [
            ("clamp", clamp_fn(-2, 3), {"min": -2, "max": 3}),
            ("clamp", clamp_fn(-2, None), {"min": -2}),
            ("clamp", clamp_fn(None, 1), {"max": 1}),
            ("clamp", clamp_fn(-1.5, 2), {"min": -1.5, "max": 2}),
            ("clamp", clamp_fn(None, 2.5), {"max": 2.5}),
            ("clamp", clamp_fn(-INF, 2), {"min": -INF, "max": 2}),
            ("clamp_min", lambda x: torch.clamp_min(x, 1), {"scalar": 1}),
            ("clamp_min", lambda x: torch.clamp_min(x, 0.5), {"scalar": 0.5}),
            ("clamp_max", lambda x: torch.clamp_max(x, 1), {"scalar": 1}),
            ("clamp_max", lambda x: torch.clamp_max(x, -0.5), {"scalar": -0.5})]:
        tag = "_".join("%s%s" % (k, fmt_scalar(v)) for k, v in params.items())
        w.add(op, "i64_" + tag, fn, [inp(I((3, 4)))], **params)
        w.add(op, "bool_" + tag, fn, [inp(T([True, False, True], BOOL))], **params)
    w.add("clamp", "0d_i64", clamp_fn(0, 2), [inp(T(5, I64))], min=0, max=2)
    # NaN bounds fill the result with NaN
    w.add("clamp", "nan_min", clamp_fn(NAN, 1.0), [inp(U((4,)))], min=NAN, max=1.0)
    # (a NaN as the only bound goes to the one-sided kernels, whose scalar and vectorised paths
    # disagree in PyTorch: not specified here)
    w.add("clamp_min", "nan", lambda x: torch.clamp_min(x, NAN), [inp(U((4,)))], scalar=NAN)
    w.add("clamp_max", "nan", lambda x: torch.clamp_max(x, NAN), [inp(U((4,)))], scalar=NAN)
    w.add("clamp", "inf_bounds", clamp_fn(-INF, INF), [inp(T([-1e30, 0.0, 1e30, NAN]))],
          min=-INF, max=INF)
    w.error("clamp", "no_bounds", "INVALID_ARG", lambda x: torch.clamp(x), [inp(U((2,)))])


BINARY = {
    "maximum": torch.maximum,
    "minimum": torch.minimum,
    "atan2": torch.atan2,
}


def gen_binary(w):
    for op, fn in BINARY.items():
        for dt, dn in FLOATS:
            w.add(op, "same_2x3_" + dn, fn, [inp(U((2, 3), dtype=dt)), inp(U((2, 3), dtype=dt))])
            w.add(op, "bcast_3x1_1x4_" + dn, fn,
                  [inp(U((3, 1), dtype=dt)), inp(U((1, 4), dtype=dt))])
            w.add(op, "bcast_4_2x3x4_" + dn, fn,
                  [inp(U((4,), dtype=dt)), inp(U((2, 3, 4), dtype=dt))])
            w.add(op, "bcast_0d_2x3_" + dn, fn, [inp(U((), dtype=dt)), inp(U((2, 3), dtype=dt))])
            w.add(op, "bcast_2x3_0d_" + dn, fn, [inp(U((2, 3), dtype=dt)), inp(U((), dtype=dt))])
            w.add(op, "0d_0d_" + dn, fn, [inp(U((), dtype=dt)), inp(U((), dtype=dt))])
            w.add(op, "noncontig_a_" + dn, fn,
                  [inp(U((3, 2), dtype=dt), tr=True), inp(U((2, 3), dtype=dt))])
            w.add(op, "noncontig_both_" + dn, fn,
                  [inp(U((3, 2), dtype=dt), tr=True), inp(U((3, 2), dtype=dt), tr=True)])
            w.add(op, "noncontig_3d_bcast_" + dn, fn,
                  [inp(U((3, 2, 4), dtype=dt), tr=True), inp(U((4,), dtype=dt))])
            w.add(op, "only_a_requires_grad_" + dn, fn,
                  [inp(U((2, 3), dtype=dt)), inp(U((2, 3), dtype=dt), rg=False)])
            w.add(op, "only_b_requires_grad_" + dn, fn,
                  [inp(U((3, 1), dtype=dt), rg=False), inp(U((3, 4), dtype=dt))])
            w.add(op, "empty_0x3_3_" + dn, fn, [inp(U((0, 3), dtype=dt)), inp(U((3,), dtype=dt))])
            w.add(op, "no_grad_" + dn, fn,
                  [inp(U((2, 2), dtype=dt), rg=False), inp(U((2, 2), dtype=dt), rg=False)])
        w.add(op, "large_f32", fn, [inp(U((6, 40))), inp(U((40,)))])
        w.add(op, "promote_f32_f64", fn, [inp(U((2, 3))), inp(U((2, 3), dtype=F64))])
        w.add(op, "promote_f32_0d_f64", fn, [inp(U((2, 3))), inp(U((), dtype=F64))])
        w.add(op, "promote_i64_f32", fn, [inp(I((2, 3))), inp(U((2, 3)))])
        w.add(op, "promote_0d_i64_f64", fn, [inp(T(1, I64)), inp(U((2, 2), dtype=F64))])
        w.add(op, "i64_i64", fn, [inp(I((2, 3))), inp(I((2, 3)))])
        w.add(op, "i64_noncontig", fn, [inp(I((3, 2)), tr=True), inp(I((1, 3)))])
        w.add(op, "bool_bool", fn, [inp(T([True, True, False, False], BOOL)),
                                    inp(T([True, False, True, False], BOOL))])
        w.add(op, "bool_i64", fn, [inp(B((2, 3))), inp(I((2, 3)))])
        w.add(op, "bool_0d_f32", fn, [inp(T([True, False], BOOL)), inp(T(0.5), rg=False)])
        w.gg(op, "2x3_f64", fn, [inp(U((2, 3), dtype=F64)), inp(U((2, 3), dtype=F64))])
        w.gg(op, "bcast_f64", fn, [inp(U((3, 1), dtype=F64)), inp(U((4,), dtype=F64))])
        w.error(op, "shape", "SHAPE", fn, [inp(U((3,))), inp(U((4,)))])
        w.error(op, "shape_2d", "SHAPE", fn, [inp(U((2, 3))), inp(U((3, 2)))])
    # ties split the gradient; NaN on either side gives NaN and passes the gradient to both
    a = [1.0, 2.0, NAN, 3.0, -0.0, 0.0, INF, 5.0]
    b = [1.0, 3.0, 1.0, NAN, 0.0, -0.0, INF, -INF]
    for op in ("maximum", "minimum", "atan2"):
        w.add(op, "special_f32", BINARY[op], [inp(T(a)), inp(T(b))])
        w.add(op, "special_f64", BINARY[op], [inp(T(a, F64)), inp(T(b, F64))])
    w.add("maximum", "ties_bcast", torch.maximum, [inp(T([[1.0], [2.0]])), inp(T([1.0, 2.0, 0.5]))])
    w.add("minimum", "ties_bcast", torch.minimum, [inp(T([[1.0], [2.0]])), inp(T([1.0, 2.0, 0.5]))])
    w.add("atan2", "quadrants", torch.atan2,
          [inp(T([0.0, -0.0, 0.0, -0.0, 1.0, -1.0, 1.0, -1.0])),
           inp(T([0.0, 0.0, -1.0, -1.0, 0.0, 0.0, -1.0, 1.0]))])


def gen_inplace(w):
    specs = [
        ("relu_", {}, lambda c: c.relu_(), (-2.0, 2.0)),
        ("sigmoid_", {}, lambda c: c.sigmoid_(), (-4.0, 4.0)),
        ("tanh_", {}, lambda c: c.tanh_(), (-3.0, 3.0)),
        ("clamp_", {"min": -0.5, "max": 1.0}, lambda c: c.clamp_(-0.5, 1.0), (-2.0, 2.0)),
        ("clamp_min_", {"scalar": 0.25}, lambda c: c.clamp_min_(0.25), (-2.0, 2.0)),
        ("clamp_max_", {"scalar": 0.25}, lambda c: c.clamp_max_(0.25), (-2.0, 2.0)),
    ]
    for op, params, fn, (lo, hi) in specs:
        for dt, dn in FLOATS:
            w.add(op, "2x3_" + dn, fn, [inp(U((2, 3), lo, hi, dt))], **params)
            w.add(op, "0d_" + dn, fn, [inp(U((), lo, hi, dt))], **params)
            w.add(op, "noncontig_" + dn, fn, [inp(U((4, 3), lo, hi, dt), tr=True)], **params)
            w.add(op, "empty_" + dn, fn, [inp(U((0, 2), lo, hi, dt))], **params)
        # on the tensor itself: a plain leaf, and a transposed view of one (no grad)
        w.add(op, "direct_f32", fn, [inp(U((2, 3), lo, hi), rg=False)], direct=True, **params)
        w.add(op, "direct_noncontig_f64", fn, [inp(U((3, 4), lo, hi, F64), rg=False, tr=True)],
              direct=True, **params)
        w.add(op, "special_f32", fn, [inp(T(SPECIAL["clamp_min"]))], **params)
        w.gg(op, "2x3_f64", fn, [inp(U((2, 3), lo, hi, F64))], **params)
        w.error(op, "leaf", "AUTOGRAD", fn, [inp(U((3,), lo, hi))], direct=True, **params)
    w.add("clamp_", "min_only_f32", lambda c: c.clamp_(min=0.0), [inp(U((2, 3)))], min=0.0)
    w.add("clamp_", "max_only_f64", lambda c: c.clamp_(max=0.0), [inp(U((2, 3), dtype=F64))],
          max=0.0)
    w.add("clamp_", "boundaries", lambda c: c.clamp_(0.0, 1.0),
          [inp(T([0.0, 1.0, 0.5, -1.0, 2.0, NAN]))], min=0.0, max=1.0)
    # integers: relu_ and integral clamps keep int64; the float-only ones refuse
    w.add("relu_", "i64", lambda c: c.relu_(), [inp(I((2, 3)))], direct=True)
    w.add("clamp_", "i64", lambda c: c.clamp_(-1, 2), [inp(I((2, 3)))], direct=True, min=-1, max=2)
    w.add("clamp_min_", "i64", lambda c: c.clamp_min_(0), [inp(I((2, 3)))], direct=True, scalar=0)
    w.add("clamp_max_", "i64", lambda c: c.clamp_max_(0), [inp(I((2, 3)))], direct=True, scalar=0)
    w.error("relu_", "bool", "DTYPE", lambda c: c.relu_(), [inp(B((3,)))], direct=True)
    w.error("sigmoid_", "i64", "DTYPE", lambda c: c.sigmoid_(), [inp(I((3,)))], direct=True)
    w.error("sigmoid_", "bool", "DTYPE", lambda c: c.sigmoid_(), [inp(B((3,)))], direct=True)
    w.error("tanh_", "i64", "DTYPE", lambda c: c.tanh_(), [inp(I((3,)))], direct=True)
    w.error("clamp_", "i64_float", "DTYPE", lambda c: c.clamp_(0.5, 2), [inp(I((3,)))],
            direct=True, min=0.5, max=2)
    w.error("clamp_", "i64_float_max", "DTYPE", lambda c: c.clamp_(max=2.5), [inp(I((3,)))],
            direct=True, max=2.5)
    w.error("clamp_", "bool", "DTYPE", lambda c: c.clamp_(0, 1), [inp(B((3,)))],
            direct=True, min=0, max=1)
    w.error("clamp_", "no_bounds", "INVALID_ARG", lambda c: c.clamp_(), [inp(U((3,)), rg=False)],
            direct=True)
    w.error("clamp_", "no_bounds_leaf", "AUTOGRAD", lambda c: c.clamp_(), [inp(U((3,)))],
            direct=True)
    w.error("clamp_min_", "i64_float", "DTYPE", lambda c: c.clamp_min_(0.5), [inp(I((3,)))],
            direct=True, scalar=0.5)
    w.error("clamp_min_", "bool", "DTYPE", lambda c: c.clamp_min_(0), [inp(B((3,)))],
            direct=True, scalar=0)
    w.error("clamp_max_", "i64_float", "DTYPE", lambda c: c.clamp_max_(-0.5), [inp(I((3,)))],
            direct=True, scalar=-0.5)


def generate(outdir):
    torch.manual_seed(0)
    Writer().run(outdir, "pointwise.txt", gen_unary, gen_param, gen_binary, gen_inplace)


if __name__ == "__main__":
    generate(sys.argv[1])
