"""fixtures_ops.py — writes ops.txt: every public op of the current op set run in PyTorch.

Forward values, dtype, shape and grad_fn name (PyTorch 2.x names, see GRAD_FN_2X), the upstream
gradient v and each input's .grad after out.backward(v); plus error records holding PyTorch's
exact message for wrong inputs (2.x text, see ERROR_2X). tests/test_ops.c replays every record.
Run with Debian's torch: /usr/bin/python3 tools/fixtures_ops.py tests/fixtures
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import BOOL, F32, F64, FLOATS, I64, LEGACY_TYPE_NAMES, T  # noqa: E402
from fixture_common import CaseWriter, Draws, error_text, fmt_ints, fmt_scalar, inp  # noqa: E402

INF = math.inf
NAN = math.nan

# grad_fn names that Debian's torch 1.13 spells differently from PyTorch 2.x, which the C library
# follows (see /work/shared/reference/grad-fn-names.md). Keyed by (op, 1.13 name); op None = any.
#  - reshape of a viewable input: 1.13 records ReshapeAliasBackward0, 2.x a plain ViewBackward0.
#  - x.norm(...): 1.13 records NormBackward1, 2.x routes torch.norm through
#    linalg.vector_norm (LinalgVectorNormBackward0). We call torch.linalg.vector_norm directly,
#    so this entry only documents the difference.
#  - base ** x with a Python scalar base: `2 ** x` gives PowBackward1 in 1.13 (the base is
#    wrapped into a tensor) and PowBackward2 in 2.x; torch.pow(2, x), which we call, already
#    gives PowBackward2 in 1.13, so this entry only documents it too.
GRAD_FN_2X = {
    (None, "ReshapeAliasBackward0"): "ViewBackward0",
    (None, "NormBackward1"): "LinalgVectorNormBackward0",
    ("rpow_scalar", "PowBackward1"): "PowBackward2",
}

# Error texts that differ between 1.13 and 2.x; the fixture holds the 2.x text. Keyed by the
# 1.13 message (a callable maps it).
#  - mm with operands of different dtypes: 1.13's gemm dispatch says "expected scalar type Float
#    but found Double"; 2.x's addmm_impl_cpu_ (CPU; CUDA words it "mat1 and mat2") checks first:
#    "expected m1 and m2 to have the same dtype, but got: float != double" (caffe2 TypeMeta
#    names: float, double, long int, bool; self's dtype first).
#  - expand with too few sizes: 1.13's Python layer rewrote "CPUFloatType" into
#    "torch.FloatTensor" (processErrorMsg); 2.x prints TensorBase::toString(): "CPUFloatType".
_TYPEMETA = {"Float": "float", "Double": "double", "Long": "long int", "Bool": "bool"}


def error_2x(msg):
    if msg.startswith("expected scalar type ") and " but found " in msg:
        a, b = msg[len("expected scalar type "):].split(" but found ")  # self's, then mat2's
        return "expected m1 and m2 to have the same dtype, but got: %s != %s" % (
            _TYPEMETA[a], _TYPEMETA[b])
    if msg.startswith("expand(torch."):
        for old, new in LEGACY_TYPE_NAMES.items():
            msg = msg.replace("expand(%s{" % old, "expand(%s{" % new)
    return msg


def gfn_name(op, t):
    if t.grad_fn is None:
        return "none"
    name = type(t.grad_fn).__name__
    return GRAD_FN_2X.get((op, name), GRAD_FN_2X.get((None, name), name))


# ------------------------------------------------------------------ deterministic inputs

_draw = Draws(20240601)
U, I, B = _draw.uniform, _draw.ints, _draw.bools


def POS(shape, dtype=F32):
    return U(shape, 0.5, 2.5, dtype)


# ------------------------------------------------------------------ the writer

class Writer(CaseWriter):
    @staticmethod
    def _arg(k, v):
        if k in ("scalar", "p"):
            return fmt_scalar(v)
        if k in ("dims", "size"):
            return fmt_ints(v)
        if k == "keepdim":
            return "1" if v else "0"
        return str(int(v))

    def add(self, op, tag, fn, inputs, backward=True, **args):
        """fn(*effective_inputs) runs the op in PyTorch; args are the op's non-tensor args."""
        name, rec, leaves, effs = self._begin(op, tag, args, inputs)
        out = fn(*effs)
        self._result(rec, out, gfn_name(op, out))
        if out.requires_grad and backward:
            self._backward(rec, name, out, inputs, leaves)
        self._ok(rec)

    def error(self, op, tag, code, fn, inputs, **args):
        """a call that must fail: code is the C library's tg_status class for it (TG_ERR_<code>),
        message PyTorch's text (2.x), which the C library prefixes with "tg_<op>: "."""
        name, rec, _, effs = self._begin(op, "error_" + tag, args, inputs)
        self._fail(name, rec, code, lambda: fn(*effs), lambda e: error_2x(error_text(e)))


# ------------------------------------------------------------------ the cases

def binary_cases(w, op, fn, safe_b=False):
    """shared shape/dtype matrix of the broadcasting binary ops; safe_b keeps b away from 0"""
    def bv(shape, dt):
        if safe_b:
            return U(shape, 0.5, 2.0, dt) * torch.where(B(shape), 1, -1).to(dt)
        return U(shape, -2, 2, dt)

    for dt, dn in FLOATS:
        w.add(op, "same_2x3_" + dn, fn, [inp(U((2, 3), dtype=dt)), inp(bv((2, 3), dt))])
        w.add(op, "bcast_3x1_1x4_" + dn, fn, [inp(U((3, 1), dtype=dt)), inp(bv((1, 4), dt))])
        w.add(op, "bcast_4_2x3x4_" + dn, fn, [inp(U((4,), dtype=dt)), inp(bv((2, 3, 4), dt))])
        w.add(op, "bcast_0d_2x3_" + dn, fn, [inp(U((), dtype=dt)), inp(bv((2, 3), dt))])
        w.add(op, "bcast_2x3_0d_" + dn, fn, [inp(U((2, 3), dtype=dt)), inp(bv((), dt))])
        w.add(op, "0d_0d_" + dn, fn, [inp(U((), dtype=dt)), inp(bv((), dt))])
        w.add(op, "noncontig_a_" + dn, fn,
              [inp(U((3, 2), dtype=dt), tr=True), inp(bv((2, 3), dt))])
        w.add(op, "noncontig_both_" + dn, fn,
              [inp(U((3, 2), dtype=dt), tr=True), inp(bv((3, 2), dt), tr=True)])
        w.add(op, "noncontig_3d_bcast_" + dn, fn,
              [inp(U((3, 2, 4), dtype=dt), tr=True), inp(bv((4,), dt))])
        w.add(op, "only_a_requires_grad_" + dn, fn,
              [inp(U((2, 3), dtype=dt)), inp(bv((2, 3), dt), rg=False)])
        w.add(op, "only_b_requires_grad_" + dn, fn,
              [inp(U((3, 1), dtype=dt), rg=False), inp(bv((3, 4), dt))])
        w.add(op, "empty_0x3_3_" + dn, fn, [inp(U((0, 3), dtype=dt)), inp(bv((3,), dt))])
        w.add(op, "empty_2x0_2x1_" + dn, fn, [inp(U((2, 0), dtype=dt)), inp(bv((2, 1), dt))])
        w.add(op, "no_grad_" + dn, fn,
              [inp(U((2, 2), dtype=dt), rg=False), inp(bv((2, 2), dt), rg=False)])
    # dtype promotion (float32 with float64; 0-d tensors do not raise a dimensioned one)
    w.add(op, "promote_f32_f64", fn, [inp(U((2, 3))), inp(bv((2, 3), F64))])
    w.add(op, "promote_f32_0d_f64", fn, [inp(U((2, 3))), inp(bv((), F64))])
    w.add(op, "promote_0d_f64_f32", fn, [inp(U((), dtype=F64)), inp(bv((3,), F32))])
    w.add(op, "promote_i64_f32", fn, [inp(I((2, 3))), inp(bv((2, 3), F32))])
    w.add(op, "promote_f64_0d_i64", fn, [inp(U((2, 2), dtype=F64)),
                                         inp(T(3 if safe_b else -4, I64))])


def int_binary_cases(w, op, fn, nonzero_b=False, with_bool=True):
    b = I((2, 3), 1, 6) if nonzero_b else I((2, 3))
    w.add(op, "i64_i64", fn, [inp(I((2, 3))), inp(b)])
    w.add(op, "i64_bcast_0d_i64", fn, [inp(I((2, 3))), inp(T(3, I64))])
    w.add(op, "i64_noncontig", fn, [inp(I((3, 2)), tr=True), inp(b)])
    w.add(op, "0d_i64_f32", fn, [inp(T(2, I64)), inp(U((2, 2)) + 3)])
    w.add(op, "0d_f32_i64", fn, [inp(T(2.5)), inp(I((3,), 1, 6))])
    if with_bool:
        w.add(op, "bool_bool", fn, [inp(T([True, True, False, False], BOOL)),
                                    inp(T([True, False, True, False], BOOL))])
        w.add(op, "bool_i64", fn, [inp(B((2, 3))), inp(b)])
        w.add(op, "bool_0d_f32", fn, [inp(T([True, False], BOOL)), inp(T(2.5))])


def scalar_cases(w, op, fn, scalars, pos=False, int_scalars=(3,), float_scalars=(2.5,)):
    """tensor (op) Python scalar; fn(x, s)"""
    mk = POS if pos else (lambda shape, dtype=F32: U(shape, dtype=dtype))
    for dt, dn in FLOATS:
        for s in scalars:
            sn = fmt_scalar(s).replace("-", "m")
            w.add(op, "2x3_%s_%s" % (sn, dn), lambda x, s=s: fn(x, s), [inp(mk((2, 3), dtype=dt))],
                  scalar=s)
        s = scalars[0]
        w.add(op, "0d_" + dn, lambda x: fn(x, s), [inp(mk((), dtype=dt))], scalar=s)
        w.add(op, "noncontig_3d_" + dn, lambda x: fn(x, s), [inp(mk((3, 2, 2), dtype=dt), tr=True)],
              scalar=s)
        w.add(op, "empty_" + dn, lambda x: fn(x, s), [inp(mk((0, 2), dtype=dt))], scalar=s)
    # integer and bool tensors: an int scalar keeps int64, a fractional one gives float32
    ipos = (lambda shape: I(shape, 1, 6)) if pos else I
    for s in int_scalars:
        w.add(op, "i64_int_" + fmt_scalar(s).replace("-", "m"), lambda x, s=s: fn(x, s),
              [inp(ipos((2, 3)))], scalar=s)
    for s in float_scalars:
        w.add(op, "i64_float_" + fmt_scalar(s).replace("-", "m"), lambda x, s=s: fn(x, s),
              [inp(ipos((2, 3)))], scalar=s)
    w.add(op, "0d_i64_float", lambda x: fn(x, float_scalars[0]), [inp(T(4, I64))],
          scalar=float_scalars[0])


def gen_binary(w):
    binary_cases(w, "add", lambda a, b: a + b)
    binary_cases(w, "sub", lambda a, b: a - b)
    binary_cases(w, "mul", lambda a, b: a * b)
    binary_cases(w, "div", lambda a, b: a / b, safe_b=True)
    int_binary_cases(w, "add", lambda a, b: a + b)
    int_binary_cases(w, "sub", lambda a, b: a - b, with_bool=False)
    int_binary_cases(w, "mul", lambda a, b: a * b)
    int_binary_cases(w, "div", lambda a, b: a / b, nonzero_b=True)
    w.add("div", "by_zero_f64", lambda a, b: a / b,
          [inp(T([1.0, 0.0, -1.0, 2.0], F64)), inp(T([0.0, 0.0, 0.0, 4.0], F64))])
    w.add("div", "by_zero_i64", lambda a, b: a / b,
          [inp(T([1, 0, -1, 7], I64)), inp(T([0, 0, 0, 2], I64))])
    w.add("mul", "bool_bool_0d", lambda a, b: a * b, [inp(T(True, BOOL)), inp(B((3,)))])
    # int64 wraps around as two's complement (values beyond 2**53 must stay exact)
    big_a = T([2**63 - 1, -2**63, 2**62, 3 * 10**18], I64)
    big_b = T([1, -1, 2**62, 3 * 10**18], I64)
    for op, fn in (("add", lambda a, b: a + b), ("sub", lambda a, b: a - b),
                   ("mul", lambda a, b: a * b)):
        w.add(op, "i64_wraparound", fn, [inp(big_a), inp(big_b)])

    # pow(tensor, tensor): positive bases
    pw = lambda a, b: torch.pow(a, b)  # noqa: E731
    for dt, dn in FLOATS:
        w.add("pow", "same_2x3_" + dn, pw, [inp(POS((2, 3), dt)), inp(U((2, 3), dtype=dt))])
        w.add("pow", "bcast_3x1_1x4_" + dn, pw, [inp(POS((3, 1), dt)), inp(U((1, 4), dtype=dt))])
        w.add("pow", "bcast_4_2x3x4_" + dn, pw, [inp(POS((4,), dt)), inp(U((2, 3, 4), dtype=dt))])
        w.add("pow", "bcast_2x3_0d_" + dn, pw, [inp(POS((2, 3), dt)), inp(U((), dtype=dt))])
        w.add("pow", "bcast_0d_2x3_" + dn, pw, [inp(POS((), dt)), inp(U((2, 3), dtype=dt))])
        w.add("pow", "noncontig_both_" + dn, pw,
              [inp(POS((3, 2), dt), tr=True), inp(U((3, 2), dtype=dt), tr=True)])
        w.add("pow", "only_base_rg_" + dn, pw,
              [inp(POS((2, 3), dt)), inp(U((2, 3), dtype=dt), rg=False)])
        w.add("pow", "only_exp_rg_" + dn, pw,
              [inp(POS((2, 3), dt), rg=False), inp(U((2, 3), dtype=dt))])
        w.add("pow", "empty_" + dn, pw, [inp(POS((0, 3), dt)), inp(U((3,), dtype=dt))])
    # kinks: base 0 with exponents 0, 2, 0.5, -1 (d/dexp masked to 0 where exp >= 0; -inf
    # where exp < 0), negative base with integral exponent
    w.add("pow", "kinks_base0_f64", pw,
          [inp(T([0.0, 0.0, 0.0, 0.0, 2.0, -2.0, -2.0], F64)),
           inp(T([0.0, 2.0, 0.5, -1.0, 0.0, 2.0, 3.0], F64))])
    w.add("pow", "kinks_base0_f32", pw,
          [inp(T([0.0, 0.0, 0.0, 0.0, 3.0], F32)), inp(T([0.0, 2.0, 0.5, -1.0, 0.0], F32))])
    w.add("pow", "promote_f32_f64", pw, [inp(POS((2, 2))), inp(U((2, 2), dtype=F64))])
    w.add("pow", "promote_i64_f32", pw, [inp(I((2, 3), 1, 5)), inp(U((2, 3)))])
    w.add("pow", "i64_i64", pw, [inp(I((2, 3), -3, 4)), inp(I((2, 3), 0, 4))])
    w.add("pow", "bool_i64", pw, [inp(T([True, False, True], BOOL)), inp(T([2, 3, -1], I64))])
    # integer ** negative integer tensor: 1, -1 and 0 rules (c10's powi), no error
    w.add("pow", "i64_negative_exponents", pw,
          [inp(T([1, -1, -1, 2, -3, 0, 5], I64)), inp(T([-1, -3, -2, -1, -2, 2, 0], I64))])


def gen_scalar(w):
    scalar_cases(w, "add_scalar", lambda x, s: x + s, [2.5, 3, -1.5, 0])
    scalar_cases(w, "sub_scalar", lambda x, s: x - s, [2.5, 3, -0.75])
    scalar_cases(w, "rsub_scalar", lambda x, s: s - x, [2.5, 3, -0.75])
    scalar_cases(w, "mul_scalar", lambda x, s: x * s, [2.5, 3, -1.5, 0])
    scalar_cases(w, "div_scalar", lambda x, s: x / s, [2.5, 4, -0.5], int_scalars=(2, 4))
    scalar_cases(w, "rdiv_scalar", lambda x, s: s / x, [2.5, 3, -1.5], pos=True)
    scalar_cases(w, "pow_scalar", lambda x, s: x ** s, [2, 3, 0.5, -1, 2.5, -0.5], pos=True,
                 int_scalars=(2, 0), float_scalars=(0.5, -1.5))
    scalar_cases(w, "rpow_scalar", lambda x, s: torch.pow(s, x), [2, 0.5, 2.5, math.e, 1],
                 int_scalars=(2, 3), float_scalars=(2.5,))
    for dt, dn in FLOATS:
        w.add("div_scalar", "by_zero_" + dn, lambda x: x / 0.0,
              [inp(T([1.0, 0.0, -2.0], dt))], scalar=0.0)
        w.add("rdiv_scalar", "of_zero_" + dn, lambda x: 2.0 / x,
              [inp(T([0.0, 4.0, -0.5], dt))], scalar=2.0)
        # pow_scalar kinks: 0 ** 0.5 (grad inf), 0 ** 2 (0), 0 ** 0 (grad 0), 0 ** -1 (inf),
        # negative bases with integral / fractional exponents
        for e in (0.5, 2, 0, -1, 3, 1.5):
            en = fmt_scalar(e).replace("-", "m")
            w.add("pow_scalar", "kinks_%s_%s" % (en, dn), lambda x, e=e: x ** e,
                  [inp(T([0.0, 1.5, -2.0], dt))], scalar=e)
        # rpow_scalar kinks: base 0 (d/dx masked to 0 where x >= 0), base 1
        w.add("rpow_scalar", "base0_" + dn, lambda x: torch.pow(0.0, x),
              [inp(T([-1.0, 0.0, 2.0, -0.5], dt))], scalar=0.0)
        w.add("add_scalar", "inf_" + dn, lambda x: x + INF, [inp(U((3,), dtype=dt))], scalar=INF)
    w.add("mul_scalar", "nan_f64", lambda x: x * NAN, [inp(U((3,), dtype=F64))], scalar=NAN)
    # bool tensors with Python scalars
    w.add("add_scalar", "bool_int", lambda x: x + 1, [inp(B((4,)))], scalar=1)
    w.add("add_scalar", "bool_float", lambda x: x + 0.5, [inp(B((4,)))], scalar=0.5)
    w.add("mul_scalar", "bool_int", lambda x: x * 3, [inp(B((4,)))], scalar=3)
    w.add("mul_scalar", "bool_float", lambda x: x * 1.5, [inp(B((4,)))], scalar=1.5)
    w.add("div_scalar", "bool_int", lambda x: x / 2, [inp(B((4,)))], scalar=2)
    w.add("rdiv_scalar", "bool_int", lambda x: 2 / x, [inp(T([True, False], BOOL))], scalar=2)
    w.add("pow_scalar", "bool_int", lambda x: x ** 2, [inp(T([True, False], BOOL))], scalar=2)
    w.add("rpow_scalar", "bool_int", lambda x: torch.pow(3, x), [inp(T([True, False], BOOL))],
          scalar=3)
    # rpow with an integer base and negative integer exponents (powi: 0 unless base is +-1)
    w.add("rpow_scalar", "i64_negative_exponents", lambda x: torch.pow(2, x),
          [inp(T([-2, -1, 0, 1, 3], I64))], scalar=2)
    w.add("rpow_scalar", "i64_base_m1", lambda x: torch.pow(-1, x),
          [inp(T([-3, -2, 0, 1, 4], I64))], scalar=-1)
    w.add("rpow_scalar", "i64_base1", lambda x: torch.pow(1, x),
          [inp(T([-3, -2, 0, 5], I64))], scalar=1)


def gen_unary(w):
    un = [
        ("neg", lambda x: -x, U),
        ("exp", torch.exp, U),
        ("log", torch.log, POS),
        ("sqrt", torch.sqrt, POS),
        ("abs", torch.abs, U),
    ]
    for op, fn, mk in un:
        for dt, dn in FLOATS:
            w.add(op, "2x3_" + dn, fn, [inp(mk((2, 3), dtype=dt))])
            w.add(op, "0d_" + dn, fn, [inp(mk((), dtype=dt))])
            w.add(op, "3d_" + dn, fn, [inp(mk((2, 3, 4), dtype=dt))])
            w.add(op, "noncontig_" + dn, fn, [inp(mk((3, 4), dtype=dt), tr=True)])
            w.add(op, "noncontig_3d_" + dn, fn, [inp(mk((3, 2, 2), dtype=dt), tr=True)])
            w.add(op, "empty_" + dn, fn, [inp(mk((0, 4), dtype=dt))])
            w.add(op, "no_grad_" + dn, fn, [inp(mk((3,), dtype=dt), rg=False)])
        ipos = op in ("log", "sqrt")
        w.add(op, "i64", fn, [inp(I((2, 3), 1 if ipos else -5, 6))])
        w.add(op, "i64_noncontig", fn, [inp(I((3, 2), 1 if ipos else -5, 6), tr=True)])
        if op != "neg" and op != "abs":
            w.add(op, "bool", fn, [inp(T([True, False, True], BOOL))])
    # kinks and special values
    for dt, dn in FLOATS:
        w.add("abs", "kink_zero_" + dn, torch.abs, [inp(T([0.0, -1.5, 2.0, 0.0], dt))])
        w.add("sqrt", "kink_zero_" + dn, torch.sqrt, [inp(T([0.0, 4.0, -1.0], dt))])
        w.add("log", "zero_negative_" + dn, torch.log, [inp(T([0.0, 1.0, -1.0], dt))])
        w.add("exp", "large_" + dn, torch.exp, [inp(T([100.0, -100.0, 800.0, -INF], dt))])
        w.add("neg", "special_" + dn, lambda x: -x, [inp(T([INF, -INF, NAN, 0.0], dt))])
        w.add("exp", "nan_inf_" + dn, torch.exp, [inp(T([NAN, INF, 0.0], dt))])
    w.add("abs", "i64_min_edge", torch.abs, [inp(T([-2**63, -9, 0, 2**63 - 1], I64))])
    w.add("neg", "i64_min_edge", lambda x: -x, [inp(T([-2**63, -9, 0, 2**63 - 1], I64))])


def gen_compare(w):
    cmps = [("eq", torch.eq), ("ne", torch.ne), ("lt", torch.lt), ("le", torch.le),
            ("gt", torch.gt), ("ge", torch.ge)]
    ties_a = [1.0, 2.0, 3.0, -1.0, 0.5, NAN]
    ties_b = [1.0, 2.5, 2.0, -1.0, 0.5, 1.0]
    for op, fn in cmps:
        for dt, dn in FLOATS:
            w.add(op, "ties_" + dn, fn, [inp(T(ties_a, dt)), inp(T(ties_b, dt))])
            w.add(op, "bcast_3x1_1x4_" + dn, fn,
                  [inp(U((3, 1), dtype=dt).round()), inp(U((1, 4), dtype=dt).round())])
        w.add(op, "noncontig_f32", fn, [inp(U((3, 2)).round(), tr=True), inp(U((2, 3)).round())])
        w.add(op, "0d_2x3_f32", fn, [inp(T(0.5)), inp(U((2, 3)).round() / 2)])
        w.add(op, "i64_i64", fn, [inp(I((2, 3), -2, 3)), inp(I((2, 3), -2, 3))])
        w.add(op, "i64_f32", fn, [inp(T([1, 2, 3], I64)), inp(T([1.5, 2.0, 2.5]))])
        w.add(op, "bool_bool", fn, [inp(T([True, True, False, False], BOOL)),
                                   inp(T([True, False, True, False], BOOL))])
        w.add(op, "bool_i64", fn, [inp(T([True, False, True], BOOL)), inp(T([1, 1, 2], I64))])
        w.add(op, "empty", fn, [inp(U((0, 3))), inp(U((3,)))])
        w.add(op, "f64_0d_i64", fn, [inp(T([0.0, 1.0, 2.0], F64)), inp(T(1, I64))])
        # scalar forms
        sop = op + "_scalar"
        sfn = lambda x, s, fn=fn: fn(x, s)  # noqa: E731
        for dt, dn in FLOATS:
            w.add(sop, "ties_2_" + dn, lambda x: sfn(x, 2), [inp(T(ties_a + [2.0], dt))], scalar=2)
            w.add(sop, "frac_" + dn, lambda x: sfn(x, 0.5), [inp(T(ties_a, dt))], scalar=0.5)
            w.add(sop, "nan_" + dn, lambda x: sfn(x, NAN), [inp(T([1.0, NAN], dt))], scalar=NAN)
            w.add(sop, "inf_" + dn, lambda x: sfn(x, INF), [inp(T([1.0, INF, -INF], dt))],
                  scalar=INF)
        w.add(sop, "noncontig_f32", lambda x: sfn(x, 0.25), [inp(U((3, 2)), tr=True)],
              scalar=0.25)
        w.add(sop, "0d_f32", lambda x: sfn(x, 1.5), [inp(T(1.5))], scalar=1.5)
        w.add(sop, "i64_int", lambda x: sfn(x, 2), [inp(T([1, 2, 3], I64))], scalar=2)
        w.add(sop, "i64_float", lambda x: sfn(x, 2.5), [inp(T([1, 2, 3], I64))], scalar=2.5)
        w.add(sop, "bool_int", lambda x: sfn(x, 1), [inp(T([True, False], BOOL))], scalar=1)
        w.add(sop, "bool_float", lambda x: sfn(x, 0.5), [inp(T([True, False], BOOL))],
              scalar=0.5)
        w.add(sop, "empty", lambda x: sfn(x, 1), [inp(U((2, 0)))], scalar=1)


def gen_reduce(w):
    for op, fn in (("sum", torch.sum), ("mean", torch.mean)):
        for dt, dn in FLOATS:
            w.add(op, "2x3_" + dn, fn, [inp(U((2, 3), dtype=dt))])
            w.add(op, "3d_" + dn, fn, [inp(U((2, 3, 4), dtype=dt))])
            w.add(op, "0d_" + dn, fn, [inp(U((), dtype=dt))])
            w.add(op, "1d_" + dn, fn, [inp(U((5,), dtype=dt))])
            w.add(op, "noncontig_" + dn, fn, [inp(U((3, 4), dtype=dt), tr=True)])
            w.add(op, "noncontig_3d_" + dn, fn, [inp(U((3, 2, 4), dtype=dt), tr=True)])
            w.add(op, "empty_" + dn, fn, [inp(U((0, 3), dtype=dt))])
            w.add(op, "nan_inf_" + dn, fn, [inp(T([1.0, INF, 2.0], dt))])
        w.add(op, "large_f32", fn, [inp(U((64, 33)))])
    w.add("sum", "i64", torch.sum, [inp(I((2, 3)))])
    w.add("sum", "i64_noncontig", torch.sum, [inp(I((3, 2)), tr=True)])
    w.add("sum", "bool", torch.sum, [inp(B((7,)))])
    w.add("sum", "0d_i64", torch.sum, [inp(T(7, I64))])
    w.add("sum", "empty_i64", torch.sum, [inp(I((0,)))])
    w.add("sum", "i64_wraparound", torch.sum,
          [inp(T([2**63 - 1, -2**63, 2**62, 3 * 10**18], I64))])

    dim_sets = [
        ((2, 3), [0], False), ((2, 3), [1], True), ((2, 3), [-1], False), ((2, 3), [-2], True),
        ((2, 3), [0, 1], False), ((2, 3), [1, 0], True), ((2, 3), [], False), ((2, 3), [], True),
        ((2, 3, 4), [0, 2], False), ((2, 3, 4), [-1, 0], True), ((2, 3, 4), [1], False),
        ((2, 3, 4), [-2, -1], True), ((2, 3, 4), [0, 1, 2], False),
        ((), [0], False), ((), [-1], True), ((), [], False),
        ((5,), [0], True), ((0, 3), [0], False), ((0, 3), [1], True), ((2, 0), [1], False),
    ]

    def dims_tag(shape, dims, keep):
        return "%s_d%s_%s" % ("x".join(map(str, shape)) or "0d",
                              "_".join(str(d).replace("-", "m") for d in dims) or "all",
                              "keep" if keep else "nokeep")

    def full_dims(shape, dims):
        # dims == []: the C API's "ndims 0 reduces every dim"; torch gets the explicit list so
        # the expectation does not depend on PyTorch's dim=[] convention
        return list(range(len(shape))) if not dims else dims

    for op, fn in (("sum_dim", torch.sum), ("mean_dim", torch.mean)):
        for shape, dims, keep in dim_sets:
            for dt, dn in FLOATS:
                d = full_dims(shape, dims)
                w.add(op, dims_tag(shape, dims, keep) + "_" + dn,
                      lambda x, d=d, k=keep: fn(x, d, keepdim=k), [inp(U(shape, dtype=dt))],
                      dims=dims, keepdim=keep)
        for dt, dn in FLOATS:
            w.add(op, "noncontig_d0_" + dn, lambda x: fn(x, [0], keepdim=False),
                  [inp(U((3, 2), dtype=dt), tr=True)], dims=[0], keepdim=False)
            w.add(op, "noncontig_3d_dm1_" + dn, lambda x: fn(x, [-1], keepdim=True),
                  [inp(U((3, 2, 4), dtype=dt), tr=True)], dims=[-1], keepdim=True)
            w.add(op, "noncontig_3d_d0_1_" + dn, lambda x: fn(x, [0, 1], keepdim=False),
                  [inp(U((3, 2, 4), dtype=dt), tr=True)], dims=[0, 1], keepdim=False)
    w.add("sum_dim", "i64_d1", lambda x: torch.sum(x, [1], keepdim=False), [inp(I((2, 3)))],
          dims=[1], keepdim=False)
    w.add("sum_dim", "bool_d0_keep", lambda x: torch.sum(x, [0], keepdim=True), [inp(B((3, 2)))],
          dims=[0], keepdim=True)
    w.add("sum_dim", "i64_noncontig_d0", lambda x: torch.sum(x, [0]), [inp(I((3, 2)), tr=True)],
          dims=[0], keepdim=False)

    # norms: p = 2, 1, 3, 0.5, inf, 0
    vn = torch.linalg.vector_norm
    ps = [2, 1, 3, 0.5, INF, 0]
    for p in ps:
        pn = fmt_scalar(float(p)).replace(".", "_")
        for dt, dn in FLOATS:
            w.add("norm", "p%s_2x3_%s" % (pn, dn), lambda x, p=p: vn(x, p),
                  [inp(U((2, 3), dtype=dt))], p=float(p))
            w.add("norm", "p%s_0d_%s" % (pn, dn), lambda x, p=p: vn(x, p),
                  [inp(U((), dtype=dt))], p=float(p))
            w.add("norm", "p%s_noncontig_3d_%s" % (pn, dn), lambda x, p=p: vn(x, p),
                  [inp(U((3, 2, 2), dtype=dt), tr=True)], p=float(p))
            # kinks: the zero vector, zeros among non-zeros, ties for inf
            w.add("norm", "p%s_zeros_%s" % (pn, dn), lambda x, p=p: vn(x, p),
                  [inp(torch.zeros(4, dtype=dt))], p=float(p))
            w.add("norm", "p%s_some_zeros_%s" % (pn, dn), lambda x, p=p: vn(x, p),
                  [inp(T([0.0, -3.0, 0.0, 3.0, 1.5], dt))], p=float(p))
        if p != INF:
            w.add("norm", "p%s_empty_f32" % pn, lambda x, p=p: vn(x, p), [inp(U((0, 3)))],
                  p=float(p))
        # a nan element: the inf-norm's gradient goes to the nan entry (mask includes isnan)
        w.add("norm", "p%s_nan_f64" % pn, lambda x, p=p: vn(x, p),
              [inp(T([1.0, NAN, -3.0, 0.0], F64))], p=float(p))
    w.add("norm", "p2_large_f32", lambda x: vn(x, 2), [inp(U((40, 25)))], p=2.0)
    w.add("norm", "p2_nan", lambda x: vn(x, 2), [inp(T([1.0, NAN], F64))], p=2.0)

    norm_dims = [
        ((2, 3), [1], False), ((2, 3), [0], True), ((2, 3), [-1], True), ((2, 3), [0, 1], False),
        ((2, 3), [], True), ((2, 3, 4), [0, 2], False), ((2, 3, 4), [-1], True),
        ((), [0], False), ((0, 3), [1], False), ((3, 0), [1], True),
    ]
    for p in ps:
        pn = fmt_scalar(float(p)).replace(".", "_")
        for shape, dims, keep in norm_dims:
            if p == INF and 0 in shape and (not dims or any(shape[d] == 0 for d in dims)):
                continue
            for dt, dn in FLOATS:
                d = full_dims(shape, dims)
                w.add("norm_dim", "p%s_%s_%s" % (pn, dims_tag(shape, dims, keep), dn),
                      lambda x, p=p, d=d, k=keep: vn(x, p, d, keepdim=k),
                      [inp(U(shape, dtype=dt))], p=float(p), dims=dims, keepdim=keep)
        w.add("norm_dim", "p%s_noncontig_d0_f64" % pn, lambda x, p=p: vn(x, p, [0]),
              [inp(U((3, 2), dtype=F64), tr=True)], p=float(p), dims=[0], keepdim=False)
        w.add("norm_dim", "p%s_nan_row_d1_f64" % pn, lambda x, p=p: vn(x, p, [1]),
              [inp(T([[1.0, NAN], [-3.0, 2.0]], F64))], p=float(p), dims=[1], keepdim=False)
        w.add("norm_dim", "p%s_ties_zeros_d1_f64" % pn, lambda x, p=p: vn(x, p, [1]),
              [inp(T([[2.0, -2.0, 1.0], [0.0, 0.0, 0.0], [0.0, 1.0, -1.0]], F64))],
              p=float(p), dims=[1], keepdim=False)


def gen_linalg(w):
    for op, fn in (("mm", torch.mm), ("matmul", torch.matmul)):
        for dt, dn in FLOATS:
            w.add(op, "2x3_3x4_" + dn, fn, [inp(U((2, 3), dtype=dt)), inp(U((3, 4), dtype=dt))])
            w.add(op, "1x1_" + dn, fn, [inp(U((1, 1), dtype=dt)), inp(U((1, 1), dtype=dt))])
            w.add(op, "noncontig_a_" + dn, fn,
                  [inp(U((3, 2), dtype=dt), tr=True), inp(U((3, 4), dtype=dt))])
            w.add(op, "noncontig_both_" + dn, fn,
                  [inp(U((3, 2), dtype=dt), tr=True), inp(U((4, 3), dtype=dt), tr=True)])
            w.add(op, "only_a_rg_" + dn, fn,
                  [inp(U((4, 3), dtype=dt)), inp(U((3, 2), dtype=dt), rg=False)])
            w.add(op, "only_b_rg_" + dn, fn,
                  [inp(U((2, 5), dtype=dt), rg=False), inp(U((5, 3), dtype=dt))])
        w.add(op, "empty_k_f32", fn, [inp(U((2, 0))), inp(U((0, 3)))])
        w.add(op, "empty_m_f64", fn, [inp(U((0, 3), dtype=F64)), inp(U((3, 2), dtype=F64))])
        w.add(op, "i64", fn, [inp(I((2, 3))), inp(I((3, 2)))])
        w.add(op, "i64_noncontig", fn, [inp(I((3, 2)), tr=True), inp(I((3, 4)))])
    w.add("mm", "larger_f32", torch.mm, [inp(U((9, 17))), inp(U((17, 11)))])
    w.add("mm", "larger_f64", torch.mm, [inp(U((9, 17), dtype=F64)), inp(U((17, 11), dtype=F64))])


def gen_views(w):
    def view_case(op, tag, x, size, tr=False):
        fn = (lambda t: t.view(size)) if op == "view" else (lambda t: t.reshape(size))
        w.add(op, tag, fn, [inp(x, tr=tr)], size=size)

    for op in ("view", "reshape"):
        for dt, dn in FLOATS:
            view_case(op, "2x3_to_3x2_" + dn, U((2, 3), dtype=dt), [3, 2])
            view_case(op, "2x3_to_6_" + dn, U((2, 3), dtype=dt), [6])
            view_case(op, "2x3_to_m1_" + dn, U((2, 3), dtype=dt), [-1])
            view_case(op, "2x3x4_to_4_m1_" + dn, U((2, 3, 4), dtype=dt), [4, -1])
            view_case(op, "2x3_to_1x2x3_" + dn, U((2, 3), dtype=dt), [1, 2, 3])
            view_case(op, "0d_to_1_" + dn, U((), dtype=dt), [1])
            view_case(op, "0d_to_1x1_" + dn, U((), dtype=dt), [1, 1])
            view_case(op, "1_to_0d_" + dn, U((1,), dtype=dt), [])
            view_case(op, "empty_0x3_to_3x0_" + dn, U((0, 3), dtype=dt), [3, 0])
            view_case(op, "empty_0x3_to_m1_" + dn, U((0, 3), dtype=dt), [-1])
            # non-contiguous inputs that a view can still describe
            view_case(op, "noncontig_add_unit_dims_" + dn, U((3, 2), dtype=dt), [2, 1, 3],
                      tr=True)
            view_case(op, "noncontig_3d_split_last_" + dn, U((2, 3, 4), dtype=dt), [3, 2, 2, 2],
                      tr=True)
        view_case(op, "i64", I((2, 3)), [3, 2])
        view_case(op, "bool", B((2, 2)), [4])
    # reshape that must copy (UnsafeViewBackward0 over CloneBackward0)
    for dt, dn in FLOATS:
        view_case("reshape", "noncontig_copy_to_6_" + dn, U((2, 3), dtype=dt), [6], tr=True)
        view_case("reshape", "noncontig_copy_3d_" + dn, U((2, 3, 4), dtype=dt), [6, 4], tr=True)
        view_case("reshape", "noncontig_copy_m1_" + dn, U((3, 2), dtype=dt), [-1, 3], tr=True)
    view_case("reshape", "i64_noncontig_copy", I((2, 3)), [6], tr=True)

    for dt, dn in FLOATS:
        w.add("transpose", "2x3_0_1_" + dn, lambda x: x.transpose(0, 1), [inp(U((2, 3), dtype=dt))],
              dim0=0, dim1=1)
        w.add("transpose", "3d_0_2_" + dn, lambda x: x.transpose(0, 2),
              [inp(U((2, 3, 4), dtype=dt))], dim0=0, dim1=2)
        w.add("transpose", "3d_m1_m3_" + dn, lambda x: x.transpose(-1, -3),
              [inp(U((2, 3, 4), dtype=dt))], dim0=-1, dim1=-3)
        w.add("transpose", "same_dim_" + dn, lambda x: x.transpose(1, 1),
              [inp(U((2, 3), dtype=dt))], dim0=1, dim1=1)
        w.add("transpose", "0d_" + dn, lambda x: x.transpose(0, -1), [inp(U((), dtype=dt))],
              dim0=0, dim1=-1)
        w.add("transpose", "1d_" + dn, lambda x: x.transpose(0, 0), [inp(U((4,), dtype=dt))],
              dim0=0, dim1=0)
        w.add("transpose", "noncontig_" + dn, lambda x: x.transpose(1, 2),
              [inp(U((3, 2, 4), dtype=dt), tr=True)], dim0=1, dim1=2)
        w.add("transpose", "empty_" + dn, lambda x: x.transpose(0, 1), [inp(U((0, 3), dtype=dt))],
              dim0=0, dim1=1)
        w.add("t", "2x3_" + dn, lambda x: x.t(), [inp(U((2, 3), dtype=dt))])
        w.add("t", "1d_" + dn, lambda x: x.t(), [inp(U((4,), dtype=dt))])
        w.add("t", "0d_" + dn, lambda x: x.t(), [inp(U((), dtype=dt))])
        w.add("t", "noncontig_" + dn, lambda x: x.t(), [inp(U((3, 2), dtype=dt), tr=True)])
        w.add("t", "empty_" + dn, lambda x: x.t(), [inp(U((0, 3), dtype=dt))])
    w.add("transpose", "i64", lambda x: x.transpose(0, 1), [inp(I((2, 3)))], dim0=0, dim1=1)
    w.add("t", "bool", lambda x: x.t(), [inp(B((2, 3)))])

    def expand_case(tag, x, size, tr=False):
        w.add("expand", tag, lambda t: t.expand(size), [inp(x, tr=tr)], size=size)

    for dt, dn in FLOATS:
        expand_case("3x1_to_3x4_" + dn, U((3, 1), dtype=dt), [3, 4])
        expand_case("3x1_to_m1_4_" + dn, U((3, 1), dtype=dt), [-1, 4])
        expand_case("4_to_2x3x4_" + dn, U((4,), dtype=dt), [2, 3, 4])
        expand_case("0d_to_2x3_" + dn, U((), dtype=dt), [2, 3])
        expand_case("0d_to_0d_" + dn, U((), dtype=dt), [])
        expand_case("same_" + dn, U((2, 3), dtype=dt), [2, 3])
        expand_case("1x3_to_0x3_" + dn, U((1, 3), dtype=dt), [0, 3])
        expand_case("noncontig_" + dn, U((3, 1), dtype=dt), [2, 3], tr=True)
        expand_case("2x1x3_to_2x4x3_" + dn, U((2, 1, 3), dtype=dt), [2, 4, 3])
        expand_case("new_lead_and_m1_" + dn, U((1, 3), dtype=dt), [2, 5, -1])
    expand_case("i64", I((1, 3)), [2, 3])
    expand_case("bool", B((2, 1)), [2, 2])

    for dt, dn in FLOATS:
        for d in (0, 1, 2, -1, -3):
            w.add("unsqueeze", "2x3_d%s_%s" % (str(d).replace("-", "m"), dn),
                  lambda x, d=d: x.unsqueeze(d), [inp(U((2, 3), dtype=dt))], dim=d)
        w.add("unsqueeze", "0d_d0_" + dn, lambda x: x.unsqueeze(0), [inp(U((), dtype=dt))], dim=0)
        w.add("unsqueeze", "0d_dm1_" + dn, lambda x: x.unsqueeze(-1), [inp(U((), dtype=dt))],
              dim=-1)
        w.add("unsqueeze", "noncontig_d1_" + dn, lambda x: x.unsqueeze(1),
              [inp(U((3, 2), dtype=dt), tr=True)], dim=1)
        w.add("unsqueeze", "empty_d1_" + dn, lambda x: x.unsqueeze(1), [inp(U((0, 3), dtype=dt))],
              dim=1)
    w.add("unsqueeze", "i64", lambda x: x.unsqueeze(0), [inp(I((3,)))], dim=0)

    for op, fn in (("clone", torch.clone), ("contiguous", lambda x: x.contiguous())):
        for dt, dn in FLOATS:
            w.add(op, "2x3_" + dn, fn, [inp(U((2, 3), dtype=dt))])
            w.add(op, "0d_" + dn, fn, [inp(U((), dtype=dt))])
            w.add(op, "noncontig_" + dn, fn, [inp(U((3, 2), dtype=dt), tr=True)])
            w.add(op, "noncontig_3d_" + dn, fn, [inp(U((3, 2, 4), dtype=dt), tr=True)])
            w.add(op, "empty_" + dn, fn, [inp(U((0, 3), dtype=dt))])
            w.add(op, "no_grad_" + dn, fn, [inp(U((2, 2), dtype=dt), rg=False)])
        w.add(op, "i64_noncontig", fn, [inp(I((2, 3)), tr=True)])
        w.add(op, "bool", fn, [inp(B((2, 3)))])


def gen_inplace(w):
    """out = in0.clone(); out.<op>_(in1 or scalar): the in-place ops recorded on a non-leaf"""
    def ip(method):
        def run(a, b=None, s=None):
            out = a.clone()
            getattr(out, method)(b if b is not None else s)
            return out
        return run

    for op, method, safe in (("add_", "add_", False), ("sub_", "sub_", False),
                             ("mul_", "mul_", False), ("div_", "div_", True)):
        run = ip(method)
        bv = (lambda shape, dt: POS(shape, dt)) if safe else (lambda shape, dt: U(shape, dtype=dt))
        for dt, dn in FLOATS:
            w.add(op, "2x3_" + dn, lambda a, b: run(a, b), [inp(U((2, 3), dtype=dt)),
                                                             inp(bv((2, 3), dt))])
            w.add(op, "bcast_other_" + dn, lambda a, b: run(a, b),
                  [inp(U((2, 3), dtype=dt)), inp(bv((3,), dt))])
            w.add(op, "noncontig_self_" + dn, lambda a, b: run(a, b),
                  [inp(U((3, 2), dtype=dt), tr=True), inp(bv((2, 1), dt))])
            w.add(op, "only_other_rg_" + dn, lambda a, b: run(a, b),
                  [inp(U((2, 3), dtype=dt), rg=False), inp(bv((2, 3), dt))])
            w.add(op, "0d_other_" + dn, lambda a, b: run(a, b),
                  [inp(U((2, 2), dtype=dt)), inp(bv((), dt))])
        w.add(op, "f32_self_f64_other", lambda a, b: run(a, b),
              [inp(U((2, 2))), inp(bv((2, 2), F64))])
        w.add(op, "f64_self_i64_other", lambda a, b: run(a, b),
              [inp(U((3,), dtype=F64)), inp(I((3,), 1, 5))])
        if op != "div_":
            w.add(op, "i64_i64", lambda a, b: run(a, b), [inp(I((2, 3))), inp(I((2, 3)))])
    for op, method, scalars in (("add_scalar_", "add_", (2.5, 3)), ("sub_scalar_", "sub_", (2.5, 3)),
                                ("mul_scalar_", "mul_", (-1.5, 2)), ("div_scalar_", "div_", (4, 0.5))):
        run = ip(method)
        for dt, dn in FLOATS:
            for s in scalars:
                w.add(op, "2x3_%s_%s" % (fmt_scalar(s).replace("-", "m"), dn),
                      lambda a, s=s: run(a, s=s), [inp(U((2, 3), dtype=dt))], scalar=s)
            w.add(op, "noncontig_" + dn, lambda a: run(a, s=scalars[0]),
                  [inp(U((3, 2), dtype=dt), tr=True)], scalar=scalars[0])
        if op != "div_scalar_":
            w.add(op, "i64_int", lambda a: run(a, s=scalars[1]), [inp(I((3,)))],
                  scalar=scalars[1])

    def fill(a, s):
        out = a.clone()
        out.fill_(s)
        return out

    def zero(a):
        out = a.clone()
        out.zero_()
        return out

    def copy(a, b):
        out = a.clone()
        out.copy_(b)
        return out

    for dt, dn in FLOATS:
        w.add("fill_", "2x3_" + dn, lambda a: fill(a, 2.5), [inp(U((2, 3), dtype=dt))], scalar=2.5)
        w.add("zero_", "2x3_" + dn, zero, [inp(U((2, 3), dtype=dt))])
        w.add("copy_", "same_" + dn, copy, [inp(U((2, 3), dtype=dt)), inp(U((2, 3), dtype=dt))])
        w.add("copy_", "bcast_src_" + dn, copy, [inp(U((2, 3), dtype=dt)), inp(U((3,), dtype=dt))])
        w.add("copy_", "noncontig_src_" + dn, copy,
              [inp(U((2, 3), dtype=dt)), inp(U((3, 2), dtype=dt), tr=True)])
        w.add("copy_", "src_no_grad_" + dn, copy,
              [inp(U((2, 2), dtype=dt)), inp(U((2, 2), dtype=dt), rg=False)])
    w.add("copy_", "f32_from_f64", copy, [inp(U((2, 2))), inp(U((2, 2), dtype=F64))])
    w.add("copy_", "f32_from_i64", copy, [inp(U((3,))), inp(I((3,)))])
    w.add("copy_", "i64_from_f32", copy, [inp(I((3,))), inp(T([1.7, -2.7, 0.2]))])
    w.add("fill_", "i64", lambda a: fill(a, 7), [inp(I((2, 2)))], scalar=7)
    w.add("fill_", "bool", lambda a: fill(a, 1), [inp(B((3,)))], scalar=1)


def gen_errors(w):
    e = w.error
    # broadcasting
    e("add", "bcast_3_4", "SHAPE", lambda a, b: a + b, [inp(U((3,))), inp(U((4,)))])
    e("add", "bcast_2x3_4x3", "SHAPE", lambda a, b: a + b, [inp(U((2, 3))), inp(U((4, 3)))])
    e("sub", "bcast", "SHAPE", lambda a, b: a - b, [inp(U((2, 3))), inp(U((2,)))])
    e("mul", "bcast", "SHAPE", lambda a, b: a * b, [inp(U((2, 3, 4))), inp(U((3, 3)))])
    e("div", "bcast", "SHAPE", lambda a, b: a / b, [inp(U((5,))), inp(U((2, 3)))])
    e("pow", "bcast", "SHAPE", torch.pow, [inp(POS((2,))), inp(U((3,)))])
    e("eq", "bcast", "SHAPE", torch.eq, [inp(U((2,))), inp(U((3,)))])
    e("lt", "bcast", "SHAPE", torch.lt, [inp(I((2, 2))), inp(U((3, 1, 3)))])
    # mm / matmul
    e("mm", "shape", "SHAPE", torch.mm, [inp(U((2, 3))), inp(U((4, 5)))])
    e("mm", "dtype_f32_f64", "DTYPE", torch.mm, [inp(U((2, 3))), inp(U((3, 2), dtype=F64))])
    e("mm", "dtype_f64_f32", "DTYPE", torch.mm, [inp(U((2, 3), dtype=F64)), inp(U((3, 2)))])
    e("mm", "dtype_i64_f32", "DTYPE", torch.mm, [inp(I((2, 3))), inp(U((3, 2)))])
    e("mm", "bool", "DTYPE", torch.mm, [inp(B((2, 3))), inp(B((3, 2)))])
    e("mm", "self_1d", "SHAPE", torch.mm, [inp(U((3,))), inp(U((3, 2)))])
    e("mm", "mat2_1d", "SHAPE", torch.mm, [inp(U((2, 3))), inp(U((3,)))])
    e("mm", "self_3d", "SHAPE", torch.mm, [inp(U((2, 2, 2))), inp(U((2, 2)))])
    e("matmul", "shape", "SHAPE", torch.matmul, [inp(U((2, 3))), inp(U((4, 5)))])
    e("matmul", "dtype", "DTYPE", torch.matmul, [inp(U((2, 3))), inp(U((3, 2), dtype=F64))])
    # dims
    e("sum_dim", "dim_range", "INDEX", lambda x: x.sum([2]), [inp(U((2, 3)))], dims=[2],
      keepdim=False)
    e("sum_dim", "dim_range_neg", "INDEX", lambda x: x.sum([-3]), [inp(U((2, 3)))], dims=[-3],
      keepdim=False)
    e("sum_dim", "dim_range_0d", "INDEX", lambda x: x.sum([1]), [inp(U(()))], dims=[1],
      keepdim=False)
    e("sum_dim", "dim_repeated", "INVALID_ARG", lambda x: x.sum([0, -2]), [inp(U((2, 3)))],
      dims=[0, -2], keepdim=False)
    e("mean_dim", "dim_range", "INDEX", lambda x: x.mean([3]), [inp(U((2, 3)))], dims=[3],
      keepdim=True)
    e("mean_dim", "dim_repeated", "INVALID_ARG", lambda x: x.mean([1, 1]), [inp(U((2, 3)))],
      dims=[1, 1], keepdim=False)
    e("norm_dim", "dim_range", "INDEX", lambda x: torch.linalg.vector_norm(x, 2, [3]),
      [inp(U((2, 3)))], p=2.0, dims=[3], keepdim=False)
    e("transpose", "dim_range", "INDEX", lambda x: x.transpose(0, 2), [inp(U((2, 3)))], dim0=0,
      dim1=2)
    e("transpose", "dim_range_neg", "INDEX", lambda x: x.transpose(-3, 0), [inp(U((2, 3)))],
      dim0=-3, dim1=0)
    e("transpose", "0d_dim1", "INDEX", lambda x: x.transpose(0, 1), [inp(U(()))], dim0=0, dim1=1)
    e("unsqueeze", "dim_range", "INDEX", lambda x: x.unsqueeze(3), [inp(U((2, 3)))], dim=3)
    e("unsqueeze", "dim_range_neg", "INDEX", lambda x: x.unsqueeze(-4), [inp(U((2, 3)))], dim=-4)
    e("unsqueeze", "0d_dim_range", "INDEX", lambda x: x.unsqueeze(-2), [inp(U(()))], dim=-2)
    # views
    e("view", "incompatible_strides", "SHAPE", lambda x: x.view(6), [inp(U((3, 2)), tr=True)],
      size=[6])
    e("view", "incompatible_3d", "SHAPE", lambda x: x.view(6, 4), [inp(U((2, 3, 4)), tr=True)],
      size=[6, 4])
    e("view", "invalid_size", "SHAPE", lambda x: x.view(5), [inp(U((2, 3)))], size=[5])
    e("view", "two_inferred", "SHAPE", lambda x: x.view(-1, -1), [inp(U((2, 3)))], size=[-1, -1])
    e("view", "negative_size", "SHAPE", lambda x: x.view(-2, 3), [inp(U((2, 3)))], size=[-2, 3])
    e("view", "ambiguous_empty", "SHAPE", lambda x: x.view(0, -1), [inp(U((0, 3)))],
      size=[0, -1])
    e("reshape", "invalid_size", "SHAPE", lambda x: x.reshape(5), [inp(U((2, 3)))], size=[5])
    e("reshape", "invalid_inferred", "SHAPE", lambda x: x.reshape(4, -1), [inp(U((2, 3)))],
      size=[4, -1])
    e("reshape", "ambiguous_empty", "SHAPE", lambda x: x.reshape(-1, 0), [inp(U((0, 3)))],
      size=[-1, 0])
    e("t", "3d", "SHAPE", lambda x: x.t(), [inp(U((2, 2, 2)))])
    e("expand", "mismatch", "SHAPE", lambda x: x.expand(3, 3), [inp(U((2, 3)))], size=[3, 3])
    e("expand", "too_few_sizes", "SHAPE", lambda x: x.expand(3), [inp(U((2, 3)))], size=[3])
    e("expand", "too_few_sizes_f64", "SHAPE", lambda x: x.expand(2), [inp(U((2, 2), dtype=F64))],
      size=[2])
    e("expand", "leading_m1", "SHAPE", lambda x: x.expand(-1, 2, 3), [inp(U((2, 3)))],
      size=[-1, 2, 3])
    # dtypes
    e("mean", "i64", "DTYPE", torch.mean, [inp(I((2, 3)))])
    e("mean", "bool", "DTYPE", torch.mean, [inp(B((3,)))])
    e("mean_dim", "i64", "DTYPE", lambda x: x.mean([0]), [inp(I((2, 3)))], dims=[0],
      keepdim=False)
    e("norm", "i64", "DTYPE", lambda x: torch.linalg.vector_norm(x, 2), [inp(I((2, 3)))], p=2.0)
    e("norm_dim", "i64", "DTYPE", lambda x: torch.linalg.vector_norm(x, 1, [0]),
      [inp(I((2, 3)))], p=1.0, dims=[0], keepdim=False)
    e("norm", "inf_empty", "INVALID_ARG", lambda x: torch.linalg.vector_norm(x, INF),
      [inp(U((0, 3)))], p=INF)
    e("norm_dim", "inf_empty_dim", "INVALID_ARG",
      lambda x: torch.linalg.vector_norm(x, INF, [-2]), [inp(U((0, 3)))], p=INF, dims=[-2],
      keepdim=False)
    e("neg", "bool", "DTYPE", lambda x: -x, [inp(B((3,)))])
    e("sub", "bool_bool", "DTYPE", lambda a, b: a - b, [inp(B((3,))), inp(B((3,)))])
    e("sub", "bool_i64", "DTYPE", lambda a, b: a - b, [inp(B((3,))), inp(I((3,)))])
    e("sub", "i64_bool", "DTYPE", lambda a, b: a - b, [inp(I((3,))), inp(B((3,)))])
    e("sub", "f32_bool_bcast", "DTYPE", lambda a, b: a - b, [inp(U((2, 3))), inp(B((3,)))])
    e("sub_scalar", "bool", "DTYPE", lambda x: x - 1, [inp(B((3,)))], scalar=1)
    e("sub_scalar", "bool_float", "DTYPE", lambda x: x - 2.5, [inp(B((3,)))], scalar=2.5)
    e("rsub_scalar", "bool_float", "DTYPE", lambda x: 2.5 - x, [inp(B((3,)))], scalar=2.5)
    e("pow", "bool_0d_bool", "DTYPE", torch.pow, [inp(B((3,))), inp(T(True, BOOL))])
    e("rsub_scalar", "bool", "DTYPE", lambda x: 1 - x, [inp(B((3,)))], scalar=1)
    e("abs", "bool", "DTYPE", torch.abs, [inp(B((3,)))])
    e("pow", "bool_bool", "DTYPE", torch.pow, [inp(B((3,))), inp(B((3,)))])
    e("pow_scalar", "i64_negative_int", "INVALID_ARG", lambda x: x ** -1, [inp(I((3,), 1, 5))],
      scalar=-1)
    e("pow_scalar", "i64_negative_int_m2", "INVALID_ARG", lambda x: x ** -2, [inp(T(2, I64))],
      scalar=-2)
    e("pow_scalar", "bool_negative_int", "INVALID_ARG", lambda x: x ** -1, [inp(B((2,)))],
      scalar=-1)
    # in-place: broadcasting into a smaller self, results self's dtype cannot hold
    e("add_", "bcast_into_smaller_self", "SHAPE", lambda a, b: a.clone().add_(b),
      [inp(U((3,))), inp(U((2, 3)))])
    e("mul_", "bcast_into_smaller_self", "SHAPE", lambda a, b: a.clone().mul_(b),
      [inp(U((2, 1))), inp(U((2, 3)))])
    e("add_", "bcast_mismatch", "SHAPE", lambda a, b: a.clone().add_(b),
      [inp(U((2, 3))), inp(U((4,)))])
    e("add_", "cast_i64_f32", "DTYPE", lambda a, b: a.clone().add_(b),
      [inp(I((3,))), inp(U((3,)))])
    e("sub_", "cast_i64_f64", "DTYPE", lambda a, b: a.clone().sub_(b),
      [inp(I((3,))), inp(U((3,), dtype=F64))])
    e("div_", "cast_i64_i64", "DTYPE", lambda a, b: a.clone().div_(b),
      [inp(I((3,))), inp(I((3,), 1, 4))])
    e("mul_", "cast_bool_i64", "DTYPE", lambda a, b: a.clone().mul_(b),
      [inp(B((3,))), inp(I((3,)))])
    e("add_scalar_", "cast_i64_float", "DTYPE", lambda a: a.clone().add_(1.5), [inp(I((3,)))],
      scalar=1.5)
    e("div_scalar_", "cast_i64_int", "DTYPE", lambda a: a.clone().div_(2), [inp(I((3,)))],
      scalar=2)
    e("sub_", "bool_bool", "DTYPE", lambda a, b: a.clone().sub_(b), [inp(B((3,))), inp(B((3,)))])
    e("sub_", "f32_bool", "DTYPE", lambda a, b: a.clone().sub_(b), [inp(U((3,))), inp(B((3,)))])
    e("sub_scalar_", "bool", "DTYPE", lambda a: a.clone().sub_(1), [inp(B((3,)))], scalar=1)
    e("copy_", "bcast_into_smaller_self", "SHAPE", lambda a, b: a.clone().copy_(b),
      [inp(U((3, 1))), inp(U((3, 4)))])
    e("copy_", "more_dims_than_self", "SHAPE", lambda a, b: a.clone().copy_(b),
      [inp(U((3,))), inp(U((2, 3)))])
    e("copy_", "bcast_src", "SHAPE", lambda a, b: a.clone().copy_(b),
      [inp(U((2, 3))), inp(U((2,)))])


def generate(outdir):
    _draw.reset()
    torch.set_default_dtype(torch.float32)
    return Writer().run(outdir, "ops.txt", gen_binary, gen_scalar, gen_unary, gen_compare,
                        gen_reduce, gen_linalg, gen_views, gen_inplace, gen_errors)


if __name__ == "__main__":
    print(generate(sys.argv[1]))
