"""fixtures_linalg.py — writes linalg.txt: matmul (every rank and PyTorch 2.x path), mm, bmm, mv,
dot, outer, addmm and linear run in PyTorch: inputs, output values/dtype/shape/version/grad_fn
(2.x names), upstream gradient v and each input's .grad, plus error records with PyTorch's text.
Replayed by tests/test_linalg.c. Run: /usr/bin/python3 tools/fixtures_linalg.py tests/fixtures
"""
# Debian's torch is 1.13, whose matmul and linear take other branches than 2.x. So matmul and
# linear run here as PyTorch 2.x's _matmul_impl and linear do (aten/src/ATen/native/
# LinearAlgebra.cpp, Linear.cpp: the same branches calling the same ops), and the few texts
# that 1.13's inner ops word differently are mapped to 2.x (see to_2x). Values are checked
# against 1.13's own torch.matmul / F.linear as well.
import os
import re
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import BOOL, F32, F64, FLOATS, I64, LEGACY_TYPE_NAMES as LEGACY  # noqa: E402
from fixture_common import CaseWriter, Draws, error_text, gfn_name, Inp  # noqa: E402

CNAME = {F32: "Float", F64: "Double", I64: "Long", BOOL: "Bool"}
TYPEMETA = {"Float": "float", "Double": "double", "Long": "long int", "Bool": "bool"}

# 1.13 grad_fn names that 2.x spells differently:
#  - squeeze_(0) (matmul of 1-D by 2-D): SqueezeBackward3 in 1.13; 2.x added squeeze.dims to
#    derivatives.yaml before the in-place entries, so squeeze_.dim became SqueezeBackward4.
#  - reshape of a viewable input: ReshapeAliasBackward0 in 1.13, ViewBackward0 in 2.x.
GRAD_FN_2X = {"SqueezeBackward3": "SqueezeBackward4", "ReshapeAliasBackward0": "ViewBackward0"}


class Error2x(Exception):
    """an error with PyTorch 2.x's text"""


def to_2x(op, msg, args):
    """1.13's message from inner op `op` on tensors args, as PyTorch 2.x words it"""
    m = re.match(r"expected scalar type (\w+) but found (\w+)$", msg)
    if op == "mm" and m:  # 2.x addmm_impl_cpu_ checks dtypes first (caffe2 TypeMeta names)
        return "expected m1 and m2 to have the same dtype, but got: %s != %s" % (
            TYPEMETA[m.group(1)], TYPEMETA[m.group(2)])
    if op == "mv":
        m2 = re.match(r"size mismatch, got (\d+), (\d+)x(\d+),(\d+)$", msg)
        if m2:  # 2.x addmv meta
            return "size mismatch, got input (%s), mat (%sx%s), vec (%s)" % m2.groups()
        if m:  # 2.x addmv meta checks dtypes; the result it writes has vec's dtype
            mat, vec = args
            return "addmv input tensors must have the same dtype, but got %s, %s, and %s" % (
                CNAME[vec.dtype], CNAME[mat.dtype], CNAME[vec.dtype])
    if op == "addmm":
        inp, mat1, mat2 = args
        if msg == "self and mat2 must have the same dtype":
            return msg + ", but got %s and %s" % (CNAME[inp.dtype], CNAME[mat2.dtype])
        if msg == "mat1 and mat2 must have the same dtype":
            return msg + ", but got %s and %s" % (CNAME[mat1.dtype], CNAME[mat2.dtype])
        if msg.startswith("expand(torch."):  # 2.x prints TensorBase::toString()
            for old, new in LEGACY.items():
                msg = msg.replace("expand(%s{" % old, "expand(%s{" % new)
    return msg


def call(op, fn, *args):
    try:
        return fn(*args)
    except (RuntimeError, IndexError) as e:
        raise Error2x(to_2x(op, error_text(e), args)) from None


def matmul_2x(t1, t2):
    """PyTorch 2.x's _matmul_impl (no out=), step by step"""
    d1, d2 = t1.dim(), t2.dim()
    if d1 == 0 or d2 == 0:
        call("matmul", torch.matmul, t1, t2)  # same check and text in 1.13
    if d1 == 1 and d2 == 1:
        return call("dot", torch.dot, t1, t2)
    if d1 == 2 and d2 == 1:
        return call("mv", torch.mv, t1, t2)
    if d1 == 1 and d2 == 2:
        return call("mm", torch.mm, t1.unsqueeze(0), t2).squeeze_(0)
    if d1 == 2 and d2 == 2:
        return call("mm", torch.mm, t1, t2)
    if should_fold(t1, t2):
        transpose = d2 > d1
        a = t2.mT if transpose else t1
        b = t2 if not transpose else (t1.t() if d1 == 2 else t1)
        out_shape = list(a.shape[:-1])
        folded = 1
        for s in out_shape:
            folded *= s
        if b.dim() == 2:
            out_shape.append(b.shape[1])
        af = a.reshape(folded, a.shape[-1])
        if b.dim() == 2:
            out = torch.ops.aten._unsafe_view(call("mm", torch.mm, af, b), out_shape)
            return out.mT.contiguous() if transpose else out
        return torch.ops.aten._unsafe_view(call("mv", torch.mv, af, b), out_shape)
    n = t1.shape[-2] if d1 > 1 else 1
    m1 = t1.shape[-1]
    batch1 = list(t1.shape[:max(d1 - 2, 0)])
    m2 = t2.shape[-2] if d2 > 1 else t2.shape[0]
    p = t2.shape[-1] if d2 > 1 else 1
    batch2 = list(t2.shape[:max(d2 - 2, 0)])
    if d1 == 3 and d2 == 3 and batch1[0] != batch2[0]:
        if batch1[0] == 1 and t1.requires_grad:
            return matmul_2x(t1.squeeze(0), t2)
        if batch2[0] == 1 and t2.requires_grad:
            return matmul_2x(t1, t2.squeeze(0))
    try:
        out_shape = list(torch._C._infer_size(torch.Size(batch1), torch.Size(batch2)))
    except RuntimeError as e:
        raise Error2x(error_text(e)) from None
    nb = 1
    for s in out_shape:
        nb *= s
    a3 = t1.expand(out_shape + [n, m1]).reshape(nb, n, m1)
    if d2 == 1:
        b3 = t2.expand(out_shape + [m2]).reshape(nb, m2).unsqueeze(2)
    else:
        b3 = t2.expand(out_shape + [m2, p]).reshape(nb, m2, p)
    if d1 > 1:
        out_shape.append(n)
    if d2 > 1:
        out_shape.append(p)
    r = call("bmm", torch.bmm, a3, b3)
    if d2 == 1:
        r = r.squeeze(-1)
    return torch.ops.aten._unsafe_view(r, out_shape)


def should_fold(t1, t2):
    t1_larger = t1.dim() >= t2.dim()
    big = t1 if t1_larger else t2.mT
    small_dim = t2.dim() if t1_larger else t1.dim()
    if not (big.dim() >= 3 and small_dim <= 2):
        return False
    if (t2 if t1_larger else t1).requires_grad:
        return True
    if t1.dim() == 2:
        return False
    if big.numel() == 0:
        return True
    sh, st = big.shape, big.stride()
    return all(st[i] == st[i + 1] * sh[i + 1] for i in range(big.dim() - 2))


def addmm_2x(inp, m1, m2, beta=1, alpha=1):
    return call("addmm", lambda a, b, c: torch.addmm(a, b, c, beta=beta, alpha=alpha), inp, m1, m2)


def linear_2x(x, w, b=None):
    """PyTorch 2.x's at::native::linear"""
    if x.dim() == 0 or w.dim() == 0:
        raise Error2x("both arguments to linear need to be at least 1D, but they are %dD and %dD"
                      % (x.dim(), w.dim()))  # 2.x's own check (1.13 reached matmul's)
    wt = call("t", w.t)
    if x.dim() == 2 and b is not None:
        return addmm_2x(b, x, wt)
    if b is not None and x.is_contiguous() and (x.dim() == 3 or b.dim() == 1):
        flat = 1
        for s in x.shape[:-1]:
            flat *= s
        r = addmm_2x(b, x.reshape(flat, x.shape[-1]), wt)
        return r.view(list(x.shape[:-1]) + [r.shape[1]])
    out = matmul_2x(x, wt)
    if b is not None:
        call("add_", out.add_, b)
    return out


def outer_2x(a, b):
    return call("outer", torch.outer, a, b)  # 1.13 and 2.x both: a.reshape(n, 1) * b


# ------------------------------------------------------------------ inputs

_draw = Draws(20240617)


def U(*shape, dtype=F32):
    return _draw.uniform(shape, dtype=dtype)


def I(*shape):
    return _draw.ints(shape, -4, 5)


def B(*shape):
    return _draw.bools(shape)


def inp(t, rg=None, tr=None):
    """an input; tr = (d0, d1) transposes it before use"""
    return Inp(t, rg, tr)


def gfn(t):
    return gfn_name(t, GRAD_FN_2X)


def error_2x_text(e):
    """what an error case records: Error2x's text as is, torch's first line; anything else is
    a bug here"""
    if isinstance(e, Error2x):
        return str(e)
    if isinstance(e, (RuntimeError, IndexError)):
        return error_text(e)
    raise e


class Writer(CaseWriter):
    @staticmethod
    def _arg(k, v):
        return repr(float(v))

    def add(self, op, tag, fn, inputs, check=None, **args):
        """fn(*effective inputs) runs the op (2.x's way); check(*inputs), when given, is the
        installed torch's own function, which must give the same values."""
        name, rec, leaves, effs = self._begin(op, tag, args, inputs)
        out = fn(*effs)
        if check is not None:
            with torch.no_grad():
                ref = check(*[e.detach() for e in effs])
            assert ref.shape == out.shape and ref.dtype == out.dtype, name
            assert torch.allclose(ref, out.detach(), rtol=1e-5, atol=1e-5, equal_nan=True), name
        self._result(rec, out, gfn(out), ("out_version", str(out._version)))
        if out.requires_grad:
            self._backward(rec, name, out, inputs, leaves)
        self._ok(rec)

    def error(self, op, tag, code, fn, inputs, **args):
        name, rec, _, effs = self._begin(op, "error_" + tag, args, inputs)
        self._fail(name, rec, code, lambda: fn(*effs), error_2x_text)


# ------------------------------------------------------------------ the cases

def gen_matmul(w):
    def mm_(tag, a, b, **kw):
        w.add("matmul", tag, matmul_2x, [a, b], check=torch.matmul, **kw)

    for dt, dn in FLOATS:
        # the four low-rank products
        mm_("1d_1d_" + dn, inp(U(5, dtype=dt)), inp(U(5, dtype=dt)))
        mm_("2d_1d_" + dn, inp(U(3, 4, dtype=dt)), inp(U(4, dtype=dt)))
        mm_("1d_2d_" + dn, inp(U(3, dtype=dt)), inp(U(3, 4, dtype=dt)))
        mm_("2d_2d_" + dn, inp(U(2, 3, dtype=dt)), inp(U(3, 4, dtype=dt)))
        mm_("2d_2d_noncontig_" + dn, inp(U(3, 2, dtype=dt), tr=(0, 1)),
            inp(U(4, 3, dtype=dt), tr=(0, 1)))
        # N-D by 2-D: folded into mm when b requires grad or a folds without a copy
        mm_("3d_2d_fold_" + dn, inp(U(2, 3, 4, dtype=dt)), inp(U(4, 5, dtype=dt)))
        mm_("3d_2d_fold_view_" + dn, inp(U(2, 3, 4, dtype=dt)), inp(U(4, 5, dtype=dt), rg=False))
        mm_("3d_2d_bmm_" + dn, inp(U(3, 2, 4, dtype=dt), tr=(0, 1)),
            inp(U(4, 5, dtype=dt), rg=False))
        mm_("3d_2d_fold_copy_" + dn, inp(U(3, 2, 4, dtype=dt), tr=(0, 1)),
            inp(U(4, 5, dtype=dt)))
        mm_("3d_2d_a_mT_" + dn, inp(U(2, 4, 3, dtype=dt), tr=(1, 2)), inp(U(4, 5, dtype=dt)))
        mm_("4d_2d_" + dn, inp(U(2, 2, 3, 4, dtype=dt)), inp(U(4, 3, dtype=dt)))
        # N-D by 1-D
        mm_("3d_1d_fold_" + dn, inp(U(2, 3, 4, dtype=dt)), inp(U(4, dtype=dt)))
        mm_("3d_1d_bmm_" + dn, inp(U(3, 2, 4, dtype=dt), tr=(0, 1)),
            inp(U(4, dtype=dt), rg=False))
        mm_("4d_1d_" + dn, inp(U(2, 1, 3, 4, dtype=dt)), inp(U(4, dtype=dt)))
        # 2-D / 1-D by N-D: transposed fold when the small side requires grad, else bmm
        mm_("2d_3d_fold_t_" + dn, inp(U(2, 3, dtype=dt)), inp(U(2, 3, 4, dtype=dt)))
        mm_("2d_3d_bmm_" + dn, inp(U(2, 3, dtype=dt), rg=False), inp(U(2, 3, 4, dtype=dt)))
        mm_("2d_3d_fold_t_row_" + dn, inp(U(1, 3, dtype=dt)), inp(U(2, 3, 4, dtype=dt)))
        mm_("1d_3d_fold_" + dn, inp(U(3, dtype=dt)), inp(U(2, 3, 4, dtype=dt)))
        mm_("1d_3d_bmm_" + dn, inp(U(3, dtype=dt), rg=False), inp(U(2, 3, 4, dtype=dt)))
        mm_("2d_4d_" + dn, inp(U(2, 3, dtype=dt)), inp(U(2, 2, 3, 4, dtype=dt)))
        mm_("1d_4d_" + dn, inp(U(3, dtype=dt), rg=False), inp(U(2, 1, 3, 2, dtype=dt)))
        # batched by batched
        mm_("3d_3d_" + dn, inp(U(2, 3, 4, dtype=dt)), inp(U(2, 4, 5, dtype=dt)))
        mm_("3d_3d_noncontig_" + dn, inp(U(2, 4, 3, dtype=dt), tr=(1, 2)),
            inp(U(4, 2, 5, dtype=dt), tr=(0, 1)))
        mm_("3d_3d_bcast_a1_rg_" + dn, inp(U(1, 3, 4, dtype=dt)), inp(U(2, 4, 5, dtype=dt)))
        mm_("3d_3d_bcast_b1_rg_" + dn, inp(U(2, 3, 4, dtype=dt), rg=False),
            inp(U(1, 4, 5, dtype=dt)))
        mm_("3d_3d_bcast_a1_nograd_" + dn, inp(U(1, 3, 4, dtype=dt), rg=False),
            inp(U(2, 4, 5, dtype=dt), rg=False))
        mm_("3d_3d_bcast_a1_b_rg_" + dn, inp(U(1, 3, 4, dtype=dt), rg=False),
            inp(U(2, 4, 5, dtype=dt)))
        mm_("4d_3d_bcast_" + dn, inp(U(2, 1, 3, 4, dtype=dt)), inp(U(3, 4, 2, dtype=dt)))
        mm_("4d_4d_bcast_" + dn, inp(U(2, 1, 2, 3, dtype=dt)), inp(U(1, 3, 3, 2, dtype=dt)))
        mm_("3d_4d_" + dn, inp(U(3, 2, 4, dtype=dt)), inp(U(2, 3, 4, 2, dtype=dt)))
        mm_("only_a_rg_3d_3d_" + dn, inp(U(2, 3, 4, dtype=dt)), inp(U(2, 4, 2, dtype=dt), rg=False))
    # empty operands
    mm_("empty_batch_3d_2d", inp(U(0, 3, 4)), inp(U(4, 5)))
    mm_("empty_batch_3d_2d_nograd", inp(U(0, 3, 4), rg=False), inp(U(4, 5), rg=False))
    mm_("empty_k_3d_2d", inp(U(2, 3, 0, dtype=F64)), inp(U(0, 5, dtype=F64)))
    mm_("empty_rows_3d_3d", inp(U(2, 0, 4)), inp(U(2, 4, 3)))
    mm_("empty_1d_1d", inp(U(0)), inp(U(0)))
    mm_("empty_k_1d_2d", inp(U(0, dtype=F64)), inp(U(0, 3, dtype=F64)))
    mm_("empty_2d_3d", inp(U(2, 0, dtype=F64), rg=False), inp(U(3, 0, 2, dtype=F64)))
    # larger: the packed kernel behind a fold, and a batch broadcast of a bigger product
    mm_("large_3d_2d_fold_f32", inp(U(3, 11, 31)), inp(U(31, 34)))
    mm_("large_3d_3d_bcast_f64", inp(U(2, 9, 12, dtype=F64), rg=False),
        inp(U(1, 12, 10, dtype=F64)))
    # integers
    for tag, a, b in (("i64_1d_1d", I(4), I(4)), ("i64_2d_1d", I(2, 3), I(3)),
                      ("i64_1d_2d", I(3), I(3, 2)), ("i64_3d_2d", I(2, 2, 3), I(3, 2)),
                      ("i64_3d_3d_bcast", I(1, 2, 3), I(3, 3, 2)), ("i64_2d_3d", I(2, 3), I(2, 3, 2))):
        mm_(tag, inp(a), inp(b))


def gen_matmul_errors(w):
    def e(tag, code, a, b):
        w.error("matmul", tag, code, matmul_2x, [a, b])

    e("0d_2d", "SHAPE", inp(U()), inp(U(2, 3)))
    e("2d_0d", "SHAPE", inp(U(2, 3)), inp(U()))
    e("0d_0d", "SHAPE", inp(U()), inp(U()))
    e("1d_1d_size", "SHAPE", inp(U(3)), inp(U(4)))
    e("2d_1d_size", "SHAPE", inp(U(2, 3)), inp(U(4)))
    e("1d_2d_size", "SHAPE", inp(U(3)), inp(U(4, 5)))
    e("2d_2d_size", "SHAPE", inp(U(2, 3)), inp(U(4, 5)))
    e("3d_1d_size_fold", "SHAPE", inp(U(2, 2, 3)), inp(U(4)))
    e("3d_1d_size_bmm", "SHAPE", inp(U(2, 2, 3), rg=False, tr=(0, 1)), inp(U(4), rg=False))
    e("3d_2d_size", "SHAPE", inp(U(2, 2, 3)), inp(U(4, 5)))
    e("1d_3d_size_fold", "SHAPE", inp(U(3)), inp(U(2, 4, 5)))
    e("1d_3d_size_bmm", "SHAPE", inp(U(3), rg=False), inp(U(2, 4, 5)))
    e("2d_3d_size_fold", "SHAPE", inp(U(2, 3)), inp(U(2, 4, 5)))
    e("2d_3d_size_bmm", "SHAPE", inp(U(2, 3), rg=False), inp(U(2, 4, 5)))
    e("3d_3d_size", "SHAPE", inp(U(2, 2, 3)), inp(U(2, 4, 5)))
    e("3d_3d_batch", "SHAPE", inp(U(2, 2, 3)), inp(U(3, 3, 5)))
    e("4d_3d_batch", "SHAPE", inp(U(2, 2, 2, 3)), inp(U(3, 3, 5)))
    e("4d_3d_size", "SHAPE", inp(U(2, 1, 2, 3)), inp(U(3, 4, 5)))
    e("dtype_1d_1d", "DTYPE", inp(U(3)), inp(U(3, dtype=F64)))
    e("dtype_2d_1d", "DTYPE", inp(U(2, 3)), inp(U(3, dtype=F64)))
    e("dtype_1d_2d", "DTYPE", inp(U(3, dtype=F64)), inp(U(3, 2)))
    e("dtype_2d_2d", "DTYPE", inp(U(2, 3)), inp(U(3, 2, dtype=F64)))
    e("dtype_3d_2d_fold", "DTYPE", inp(U(2, 2, 3)), inp(U(3, 2, dtype=F64)))
    e("dtype_3d_1d_fold", "DTYPE", inp(U(2, 2, 3, dtype=F64)), inp(U(3)))
    e("dtype_3d_3d", "DTYPE", inp(U(2, 2, 3)), inp(U(2, 3, 2, dtype=F64)))
    e("dtype_i64_f32", "DTYPE", inp(I(2, 2, 3)), inp(U(2, 3, 2)))
    e("bool_1d_1d", "DTYPE", inp(B(3)), inp(B(3)))
    e("bool_2d_1d", "DTYPE", inp(B(2, 3)), inp(B(3)))
    e("bool_2d_2d", "DTYPE", inp(B(2, 3)), inp(B(3, 2)))
    e("bool_3d_3d", "DTYPE", inp(B(2, 2, 3)), inp(B(2, 3, 2)))


def gen_products(w):
    for dt, dn in FLOATS:
        w.add("mm", "2x3_3x4_" + dn, torch.mm, [inp(U(2, 3, dtype=dt)), inp(U(3, 4, dtype=dt))])
        w.add("mm", "noncontig_" + dn, torch.mm,
              [inp(U(3, 2, dtype=dt), tr=(0, 1)), inp(U(4, 3, dtype=dt), tr=(0, 1))])
        w.add("bmm", "2x3x4_2x4x5_" + dn, torch.bmm,
              [inp(U(2, 3, 4, dtype=dt)), inp(U(2, 4, 5, dtype=dt))])
        w.add("bmm", "noncontig_mT_" + dn, torch.bmm,
              [inp(U(2, 4, 3, dtype=dt), tr=(1, 2)), inp(U(2, 4, 5, dtype=dt))])
        w.add("bmm", "noncontig_batch_" + dn, torch.bmm,
              [inp(U(3, 2, 4, dtype=dt), tr=(0, 1)), inp(U(4, 2, 5, dtype=dt), tr=(0, 1))])
        w.add("bmm", "one_batch_" + dn, torch.bmm,
              [inp(U(1, 2, 3, dtype=dt)), inp(U(1, 3, 2, dtype=dt))])
        w.add("bmm", "only_b_rg_" + dn, torch.bmm,
              [inp(U(2, 2, 3, dtype=dt), rg=False), inp(U(2, 3, 2, dtype=dt))])

        w.add("mv", "3x4_4_" + dn, torch.mv, [inp(U(3, 4, dtype=dt)), inp(U(4, dtype=dt))])
        w.add("mv", "noncontig_" + dn, torch.mv,
              [inp(U(4, 3, dtype=dt), tr=(0, 1)), inp(U(4, dtype=dt))])
        w.add("mv", "only_vec_rg_" + dn, torch.mv,
              [inp(U(2, 3, dtype=dt), rg=False), inp(U(3, dtype=dt))])
        w.add("mv", "only_mat_rg_" + dn, torch.mv,
              [inp(U(2, 3, dtype=dt)), inp(U(3, dtype=dt), rg=False)])

        w.add("dot", "5_" + dn, torch.dot, [inp(U(5, dtype=dt)), inp(U(5, dtype=dt))])
        w.add("dot", "only_a_rg_" + dn, torch.dot, [inp(U(4, dtype=dt)), inp(U(4, dtype=dt), rg=False)])
        w.add("dot", "long_" + dn, torch.dot, [inp(U(100, dtype=dt)), inp(U(100, dtype=dt))])

        w.add("outer", "3_4_" + dn, outer_2x, [inp(U(3, dtype=dt)), inp(U(4, dtype=dt))])
        w.add("outer", "only_b_rg_" + dn, outer_2x,
              [inp(U(2, dtype=dt), rg=False), inp(U(3, dtype=dt))])
        w.add("outer", "1_1_" + dn, outer_2x, [inp(U(1, dtype=dt)), inp(U(1, dtype=dt))])
    # the packed kernel (m n k >= 32768), edges not multiples of the register tile
    w.add("mm", "packed_f32", torch.mm, [inp(U(33, 31)), inp(U(31, 34))])
    w.add("mm", "packed_t_f64", torch.mm,
          [inp(U(31, 33, dtype=F64), tr=(0, 1)), inp(U(34, 31, dtype=F64), tr=(0, 1))])
    w.add("bmm", "packed_f32", torch.bmm, [inp(U(1, 33, 31)), inp(U(1, 34, 31), tr=(1, 2))])
    w.add("addmm", "packed_f64", lambda x, y, z: addmm_2x(x, y, z, 0.5, 1.5),
          [inp(U(34, dtype=F64)), inp(U(33, 31, dtype=F64)), inp(U(31, 34, dtype=F64))],
          beta=0.5, alpha=1.5)
    w.add("mm", "empty_k", torch.mm, [inp(U(2, 0)), inp(U(0, 3))])
    w.add("mm", "i64", torch.mm, [inp(I(2, 3)), inp(I(3, 2))])
    w.add("bmm", "empty_batch", torch.bmm, [inp(U(0, 2, 3)), inp(U(0, 3, 2))])
    w.add("bmm", "empty_k_f64", torch.bmm, [inp(U(2, 2, 0, dtype=F64)), inp(U(2, 0, 3, dtype=F64))])
    w.add("bmm", "i64", torch.bmm, [inp(I(2, 2, 3)), inp(I(2, 3, 2))])
    w.add("mv", "empty_rows", torch.mv, [inp(U(0, 3)), inp(U(3))])
    w.add("mv", "empty_k_f64", torch.mv, [inp(U(3, 0, dtype=F64)), inp(U(0, dtype=F64))])
    w.add("mv", "i64", torch.mv, [inp(I(2, 3)), inp(I(3))])
    w.add("mv", "bool_empty", torch.mv, [inp(B(0, 3)), inp(B(3))])
    w.add("dot", "empty", torch.dot, [inp(U(0)), inp(U(0))])
    w.add("dot", "i64", torch.dot, [inp(I(6)), inp(I(6))])
    w.add("outer", "f32_f64", outer_2x, [inp(U(3)), inp(U(2, dtype=F64))])
    w.add("outer", "i64_f32", outer_2x, [inp(I(3)), inp(U(2))])
    w.add("outer", "i64_i64", outer_2x, [inp(I(3)), inp(I(2))])
    w.add("outer", "bool_bool", outer_2x, [inp(B(3)), inp(B(2))])
    w.add("outer", "empty", outer_2x, [inp(U(0)), inp(U(3))])


def gen_product_errors(w):
    e = w.error
    e("mm", "self_1d", "SHAPE", torch.mm, [inp(U(3)), inp(U(3, 4))])
    e("mm", "size", "SHAPE", torch.mm, [inp(U(2, 3)), inp(U(4, 5))])
    e("mm", "dtype", "DTYPE", lambda a, b: call("mm", torch.mm, a, b),
      [inp(U(2, 3)), inp(U(3, 4, dtype=F64))])
    e("bmm", "batch1_2d", "SHAPE", torch.bmm, [inp(U(2, 3)), inp(U(2, 3, 4))])
    e("bmm", "batch2_2d", "SHAPE", torch.bmm, [inp(U(2, 2, 3)), inp(U(3, 4))])
    e("bmm", "batch_size", "SHAPE", torch.bmm, [inp(U(2, 2, 3)), inp(U(3, 3, 4))])
    e("bmm", "inner_size", "SHAPE", torch.bmm, [inp(U(2, 2, 3)), inp(U(2, 4, 4))])
    e("bmm", "dtype", "DTYPE", torch.bmm, [inp(U(2, 2, 3)), inp(U(2, 3, 4, dtype=F64))])
    e("bmm", "dtype_i64", "DTYPE", torch.bmm, [inp(I(2, 2, 3)), inp(U(2, 3, 4))])
    e("bmm", "bool", "DTYPE", torch.bmm, [inp(B(2, 2, 3)), inp(B(2, 3, 4))])
    mv = lambda a, b: call("mv", torch.mv, a, b)  # noqa: E731
    e("mv", "mat_1d", "SHAPE", mv, [inp(U(3)), inp(U(3))])
    e("mv", "mat_0d", "INDEX", mv, [inp(U()), inp(U(3))])
    e("mv", "mat_3d", "SHAPE", mv, [inp(U(2, 2, 3)), inp(U(3))])
    e("mv", "vec_2d", "SHAPE", mv, [inp(U(2, 3)), inp(U(3, 1))])
    e("mv", "vec_0d", "SHAPE", mv, [inp(U(2, 3)), inp(U())])
    e("mv", "size", "SHAPE", mv, [inp(U(2, 3)), inp(U(4))])
    e("mv", "dtype", "DTYPE", mv, [inp(U(2, 3)), inp(U(3, dtype=F64))])
    e("mv", "dtype_f64_f32", "DTYPE", mv, [inp(U(2, 3, dtype=F64)), inp(U(3))])
    e("mv", "bool", "DTYPE", mv, [inp(B(2, 3)), inp(B(3))])
    e("dot", "2d", "SHAPE", torch.dot, [inp(U(2, 2)), inp(U(2, 2))])
    e("dot", "0d", "SHAPE", torch.dot, [inp(U()), inp(U(2))])
    e("dot", "size", "SHAPE", torch.dot, [inp(U(3)), inp(U(4))])
    e("dot", "dtype", "DTYPE", torch.dot, [inp(U(3)), inp(U(3, dtype=F64))])
    e("dot", "bool", "DTYPE", torch.dot, [inp(B(3)), inp(B(3))])
    e("outer", "self_2d", "SHAPE", outer_2x, [inp(U(2, 2)), inp(U(3))])
    e("outer", "self_0d", "SHAPE", outer_2x, [inp(U()), inp(U(3))])
    e("outer", "vec2_2d", "SHAPE", outer_2x, [inp(U(3)), inp(U(2, 2))])


def gen_addmm(w):
    def am(tag, i, a, b, beta=1.0, alpha=1.0):
        w.add("addmm", tag, lambda x, y, z: addmm_2x(x, y, z, beta, alpha), [i, a, b],
              beta=beta, alpha=alpha)

    for dt, dn in FLOATS:
        am("2x4_" + dn, inp(U(2, 4, dtype=dt)), inp(U(2, 3, dtype=dt)), inp(U(3, 4, dtype=dt)))
        am("scaled_" + dn, inp(U(2, 4, dtype=dt)), inp(U(2, 3, dtype=dt)), inp(U(3, 4, dtype=dt)),
           beta=0.5, alpha=2.0)
        am("neg_scaled_" + dn, inp(U(2, 4, dtype=dt)), inp(U(2, 3, dtype=dt)),
           inp(U(3, 4, dtype=dt)), beta=-1.5, alpha=-0.25)
        am("bcast_row_" + dn, inp(U(4, dtype=dt)), inp(U(2, 3, dtype=dt)), inp(U(3, 4, dtype=dt)))
        am("bcast_1x4_" + dn, inp(U(1, 4, dtype=dt)), inp(U(2, 3, dtype=dt)),
           inp(U(3, 4, dtype=dt)), beta=2.0)
        am("bcast_2x1_" + dn, inp(U(2, 1, dtype=dt)), inp(U(2, 3, dtype=dt)),
           inp(U(3, 4, dtype=dt)))
        am("bcast_0d_" + dn, inp(U(dtype=dt)), inp(U(2, 3, dtype=dt)), inp(U(3, 4, dtype=dt)),
           alpha=3.0)
        am("bcast_1_" + dn, inp(U(1, dtype=dt)), inp(U(2, 3, dtype=dt)), inp(U(3, 4, dtype=dt)))
        am("noncontig_" + dn, inp(U(4, 2, dtype=dt), tr=(0, 1)), inp(U(3, 2, dtype=dt), tr=(0, 1)),
           inp(U(4, 3, dtype=dt), tr=(0, 1)))
        am("only_input_rg_" + dn, inp(U(2, 4, dtype=dt)), inp(U(2, 3, dtype=dt), rg=False),
           inp(U(3, 4, dtype=dt), rg=False), beta=3.0)
        am("only_mat2_rg_" + dn, inp(U(2, 4, dtype=dt), rg=False),
           inp(U(2, 3, dtype=dt), rg=False), inp(U(3, 4, dtype=dt)), alpha=0.5)
    nan_in = U(2, 4)
    nan_in[0, 1] = float("nan")
    am("beta0_ignores_nan", inp(nan_in), inp(U(2, 3)), inp(U(3, 4)), beta=0.0)
    nan_m = U(2, 3, dtype=F64)
    nan_m[1, 2] = float("inf")
    am("alpha0_ignores_product", inp(U(2, 4, dtype=F64)), inp(nan_m), inp(U(3, 4, dtype=F64)),
       alpha=0.0, beta=2.0)
    am("empty_k", inp(U(2, 3)), inp(U(2, 0)), inp(U(0, 3)), beta=0.5)
    am("empty_rows_f64", inp(U(3, dtype=F64)), inp(U(0, 2, dtype=F64)), inp(U(2, 3, dtype=F64)))
    am("i64", inp(I(2, 2)), inp(I(2, 3)), inp(I(3, 2)), beta=2.0, alpha=3.0)
    am("i64_fraction_truncates", inp(I(2)), inp(I(2, 3)), inp(I(3, 2)), beta=2.5, alpha=0.5)

    e = lambda tag, code, i, a, b: w.error("addmm", tag, code, addmm_2x, [i, a, b])  # noqa: E731
    e("mat1_1d", "SHAPE", inp(U(2, 4)), inp(U(3)), inp(U(3, 4)))
    e("mat2_1d", "SHAPE", inp(U(2, 4)), inp(U(2, 3)), inp(U(3)))
    e("mat1_3d", "SHAPE", inp(U(2, 4)), inp(U(1, 2, 3)), inp(U(3, 4)))
    e("size", "SHAPE", inp(U(2, 4)), inp(U(2, 3)), inp(U(2, 4)))
    e("input_1d", "SHAPE", inp(U(3)), inp(U(2, 3)), inp(U(3, 4)))
    e("input_3d", "SHAPE", inp(U(2, 2, 4)), inp(U(2, 3)), inp(U(3, 4)))
    e("input_2d", "SHAPE", inp(U(3, 4)), inp(U(2, 3)), inp(U(3, 4)))
    e("input_f64", "DTYPE", inp(U(2, 4, dtype=F64)), inp(U(2, 3)), inp(U(3, 4)))
    e("mat2_f64", "DTYPE", inp(U(2, 4)), inp(U(2, 3)), inp(U(3, 4, dtype=F64)))
    e("mat1_f64", "DTYPE", inp(U(2, 4)), inp(U(2, 3, dtype=F64)), inp(U(3, 4)))
    e("bool", "DTYPE", inp(B(2, 4)), inp(B(2, 3)), inp(B(3, 4)))
    for tag, beta, alpha in (("i64_beta_nan", float("nan"), 1.0), ("i64_alpha_huge", 1.0, 1e19)):
        w.error("addmm", tag, "INVALID_ARG",
                lambda x, y, z, b_=beta, a_=alpha: addmm_2x(x, y, z, b_, a_),
                [inp(I(2, 2)), inp(I(2, 2)), inp(I(2, 2))], beta=beta, alpha=alpha)


def gen_linear(w):
    def lin(tag, x, wt, b=None):
        ins = [x, wt] + ([b] if b is not None else [])
        w.add("linear", tag, linear_2x, ins, check=F.linear)

    for dt, dn in FLOATS:
        lin("2d_bias_" + dn, inp(U(3, 4, dtype=dt)), inp(U(5, 4, dtype=dt)), inp(U(5, dtype=dt)))
        lin("2d_nobias_" + dn, inp(U(3, 4, dtype=dt)), inp(U(5, 4, dtype=dt)))
        lin("1d_bias_" + dn, inp(U(4, dtype=dt)), inp(U(5, 4, dtype=dt)), inp(U(5, dtype=dt)))
        lin("1d_nobias_" + dn, inp(U(4, dtype=dt)), inp(U(5, 4, dtype=dt)))
        lin("3d_bias_" + dn, inp(U(2, 3, 4, dtype=dt)), inp(U(5, 4, dtype=dt)),
            inp(U(5, dtype=dt)))
        lin("3d_nobias_" + dn, inp(U(2, 3, 4, dtype=dt)), inp(U(5, 4, dtype=dt)))
        lin("3d_noncontig_bias_" + dn, inp(U(3, 2, 4, dtype=dt), tr=(0, 1)),
            inp(U(5, 4, dtype=dt)), inp(U(5, dtype=dt)))
        lin("4d_bias_" + dn, inp(U(2, 1, 3, 4, dtype=dt)), inp(U(2, 4, dtype=dt)),
            inp(U(2, dtype=dt)))
        lin("4d_bias_2d_" + dn, inp(U(2, 1, 3, 4, dtype=dt)), inp(U(2, 4, dtype=dt)),
            inp(U(3, 2, dtype=dt)))
        lin("2d_bias_0d_" + dn, inp(U(3, 4, dtype=dt)), inp(U(5, 4, dtype=dt)), inp(U(dtype=dt)))
        lin("noncontig_weight_" + dn, inp(U(3, 4, dtype=dt)), inp(U(4, 5, dtype=dt), tr=(0, 1)),
            inp(U(5, dtype=dt)))
    lin("1d_bias_0d", inp(U(4)), inp(U(3, 4)), inp(U()))
    lin("3d_noncontig_bias_2d", inp(U(3, 2, 4, dtype=F64), tr=(0, 1)), inp(U(5, 4, dtype=F64)),
        inp(U(3, 5, dtype=F64)))
    lin("weight_1d", inp(U(2, 4)), inp(U(4)))
    lin("1d_weight_1d_bias_0d", inp(U(4, dtype=F64)), inp(U(4, dtype=F64)), inp(U(dtype=F64)))
    lin("only_weight_rg", inp(U(3, 4), rg=False), inp(U(5, 4)), inp(U(5), rg=False))
    lin("only_x_rg_3d", inp(U(2, 3, 4)), inp(U(5, 4), rg=False))
    lin("only_bias_rg_3d_noncontig", inp(U(3, 2, 4), rg=False, tr=(0, 1)),
        inp(U(5, 4), rg=False), inp(U(5)))
    lin("no_grad", inp(U(2, 4), rg=False), inp(U(3, 4), rg=False), inp(U(3), rg=False))
    lin("empty_batch", inp(U(0, 4)), inp(U(3, 4)), inp(U(3)))
    lin("i64", inp(I(2, 3)), inp(I(4, 3)), inp(I(4)))

    e = lambda tag, code, *ins: w.error("linear", tag, code, linear_2x, list(ins))  # noqa: E731
    e("x_0d", "SHAPE", inp(U()), inp(U(3, 4)))
    e("weight_0d", "SHAPE", inp(U(3)), inp(U()))
    e("weight_3d", "SHAPE", inp(U(2, 4)), inp(U(2, 5, 4)))
    e("size_2d", "SHAPE", inp(U(2, 3)), inp(U(5, 4)))
    e("size_2d_bias", "SHAPE", inp(U(2, 3)), inp(U(5, 4)), inp(U(5)))
    e("size_1d", "SHAPE", inp(U(3)), inp(U(5, 4)))
    e("size_3d", "SHAPE", inp(U(2, 2, 3)), inp(U(5, 4)))
    e("size_3d_bias", "SHAPE", inp(U(2, 2, 3)), inp(U(5, 4)), inp(U(5)))
    e("bias_2d_x", "SHAPE", inp(U(2, 4)), inp(U(5, 4)), inp(U(4)))
    e("bias_3d_x", "SHAPE", inp(U(2, 2, 4)), inp(U(5, 4)), inp(U(4)))
    e("bias_noncontig_x", "SHAPE", inp(U(2, 2, 4), tr=(0, 1)), inp(U(5, 4)), inp(U(4)))
    e("bias_bigger_than_out", "SHAPE", inp(U(4)), inp(U(5, 4)), inp(U(2, 5)))
    e("dtype", "DTYPE", inp(U(2, 4)), inp(U(5, 4, dtype=F64)))
    e("dtype_bias", "DTYPE", inp(U(2, 4)), inp(U(5, 4)), inp(U(5, dtype=F64)))
    e("i64_float_bias", "DTYPE", inp(I(2, 2, 4), tr=(0, 1)), inp(I(5, 4)), inp(U()))


def generate(outdir):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a summation order that does not depend on the machine
    try:
        return Writer().run(outdir, "linalg.txt", gen_matmul, gen_matmul_errors, gen_products,
                            gen_product_errors, gen_addmm, gen_linear)
    finally:
        torch.set_num_threads(threads)  # other generators run in the same process


if __name__ == "__main__":
    generate(sys.argv[1])
