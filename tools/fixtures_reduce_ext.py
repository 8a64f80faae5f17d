"""fixtures_reduce_ext.py — writes reduce_ext.txt: the reductions of src/ops/reduce_ext.c in PyTorch.

prod, max/min (whole and along a dim, with indices), amax/amin, argmax/argmin, var/std with a
correction, logsumexp, cumsum, all/any: forward values, dtype, shape, the PyTorch 2.x grad_fn
name, the upstream gradient v and the input's .grad after out.backward(v); error records hold
PyTorch's exact message. tests/test_reduce_ext.c replays every record.

Where Debian's torch 1.13 cannot give the 2.x answer, the record is still computed by torch, from
the 2.x definition (each place says so, see TWO_X below):
  - var/std over the whole tensor (dim=None, or a 0-d input) with N - correction <= 0: 2.x's
    var_backward returns grad * where(x == x.mean(), nan, inf); 1.13 returns inf * grad of the
    output's shape (an error "Function StdBackward0 returned an invalid gradient at index 0 - got
    [] but expected shape compatible with [1]" for a 1-element 1-D input) or 2 / (N - c) * ...
  - 2.x warns "var(): degrees of freedom is <= 0. ..." (warn_invalid_degrees_of_freedom) where
    1.13 is silent; the record's `warning` key holds the 2.x text.
  - a fractional correction (2.x takes a float; 1.13 only int) is computed as
    sum((x - mean)^2, dims) / (N - c) with torch autograd.
  - var/std/logsumexp with dims=() mean every dim here (and in 2.x's var); the record is made
    with dim=None (var/std) or every dim listed (logsumexp: torch raises a shape error for ()).
  - all/any over several dims (2.2+): torch's single-dim all/any applied dim by dim.
Run: /usr/bin/python3 tools/fixtures_reduce_ext.py tests/fixtures
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import BOOL, F32, F64, FLOATS, I64, T, CaseWriter, Draws  # noqa: E402
from fixture_common import err as err_text, fmt_ints, fmt_values, gfn_name, Inp  # noqa: E402
from fixture_common import upstream  # noqa: E402

INF = math.inf
NAN = math.nan

# ------------------------------------------------------------------ deterministic inputs

_draw = Draws(20240611)
U, I, B = _draw.uniform, _draw.ints, _draw.bools


def two_x_warning(fname, x, dims, correction):
    """2.x's warn_invalid_degrees_of_freedom: input numel / output numel - correction <= 0"""
    nd = x.dim()
    red = list(range(nd)) if dims is None or len(dims) == 0 else [d % max(nd, 1) for d in dims]
    out_numel = 1
    for d in range(nd):
        if d not in red:
            out_numel *= x.shape[d]
    per = 0 if out_numel == 0 else x.numel() // out_numel
    if per - correction <= 0:
        return ("%s(): degrees of freedom is <= 0. Correction should be strictly less than the "
                "reduction factor (input numel divided by output numel)." % fname)
    return None


# ------------------------------------------------------------------ the writer


class Writer(CaseWriter):
    KINDS = ("ok", "error", "scenario")

    @staticmethod
    def _arg(k, v):
        if k == "dims":
            return fmt_ints(v)
        if k == "keepdim":
            return "1" if v else "0"
        if k == "correction":
            return repr(float(v))
        return str(int(v))

    def add(self, op, tag, fn, x, rg=None, tr=False, backward=True, grad_2x=None, warning=None,
            grad_fn=None, **args):
        """fn(effective input) runs the op in torch: a tensor, or (values, indices). grad_2x,
        when given, computes the 2.x gradient instead of out.backward, and grad_fn names the
        node when fn computes the op by composition (see the module doc)."""
        name, rec, (leaf,), (eff,) = self._begin(op, tag, args, [Inp(x, rg, tr)])
        res = fn(eff)
        out, idx = (res if isinstance(res, tuple) else (res, None))
        self._result(rec, out, grad_fn if grad_fn and out.requires_grad else gfn_name(out))
        if idx is not None:
            assert not idx.requires_grad and idx.grad_fn is None
            self._output(rec, idx, "out1")
        if warning is not None:
            rec.append(("warning", warning))
        if out.requires_grad and backward:
            v = upstream(name, out)
            if grad_2x is not None:
                assert not tr
                g = grad_2x(leaf.detach(), v, out.detach())
            else:
                out.backward(v)
                g = leaf.grad
            rec.append(("v", fmt_values(v)))
            rec.append(("in0_grad", "none" if g is None else fmt_values(g)))
            if g is not None:
                assert g.shape == leaf.shape and g.dtype == leaf.dtype, name
        self._ok(rec)

    def error(self, op, tag, code, fn, x, tr=False, **args):
        """a call that must fail: code is the tg_status class (TG_ERR_<code>), message PyTorch's
        text, which the C library prefixes with "tg_<op>: "."""
        name, rec, _, (eff,) = self._begin(op, "error_" + tag, args, [Inp(x, False, tr)])
        self._fail(name, rec, code, lambda: fn(eff))

    def scenario(self, name, **kv):
        """a record that tests/test_reduce_ext.c replays by name (key "scenario")"""
        assert name not in self.names, name
        self.names.add(name)
        self._ok([("scenario", name)] + [(k, str(v)) for k, v in kv.items()], "scenario")


def dn(d):
    return str(d).replace("-", "m")


def dims_tag(dims):
    return "d" + ("_".join(dn(d) for d in dims) if dims else "none")


# ------------------------------------------------------------------ prod


def gen_prod(w):
    for dt, n in FLOATS:
        P = lambda shape: U(shape, 0.5, 1.5, dt) * torch.where(B(shape), 1, -1).to(dt)  # noqa
        w.add("prod", "1d_" + n, torch.prod, P((5,)))
        w.add("prod", "2d_" + n, torch.prod, P((3, 4)))
        w.add("prod", "3d_" + n, torch.prod, P((2, 3, 2)))
        w.add("prod", "0d_" + n, torch.prod, P(()))
        w.add("prod", "noncontig_" + n, torch.prod, P((3, 4)), tr=True)
        w.add("prod", "empty_" + n, torch.prod, P((0, 3)))
        w.add("prod", "no_grad_" + n, torch.prod, P((2, 2)), rg=False)
        w.add("prod", "one_zero_" + n, torch.prod, T([0.0, 2.0, 3.0], dt))
        w.add("prod", "two_zeros_" + n, torch.prod, T([0.0, 0.0, 3.0], dt))
        w.add("prod", "one_zero_2d_" + n, torch.prod, T([[1.5, -2.0], [0.0, 3.0]], dt))
        w.add("prod", "one_zero_noncontig_" + n, torch.prod, T([[1.5, -2.0, 0.5], [0.0, 3.0, 2.0]], dt),
              tr=True)
        w.add("prod", "zero_inf_" + n, torch.prod, T([0.0, INF, 2.0], dt))
        w.add("prod", "two_zeros_inf_" + n, torch.prod, T([0.0, 0.0, INF], dt))
        w.add("prod", "nan_" + n, torch.prod, T([1.0, NAN, 2.0], dt))
        for d in (0, 1, -1):
            for kd in (False, True):
                w.add("prod_dim", "2x3_%s_k%d_%s" % (dn(d), kd, n),
                      lambda x, d=d, kd=kd: x.prod(d, keepdim=kd), P((2, 3)), dim=d, keepdim=kd)
        w.add("prod_dim", "3d_d1_" + n, lambda x: x.prod(1), P((2, 3, 2)), dim=1, keepdim=False)
        w.add("prod_dim", "3d_dm3_k_" + n, lambda x: x.prod(-3, keepdim=True), P((2, 3, 2)),
              dim=-3, keepdim=True)
        w.add("prod_dim", "noncontig_d1_" + n, lambda x: x.prod(1), P((3, 4)), tr=True, dim=1,
              keepdim=False)
        w.add("prod_dim", "noncontig_3d_d2_" + n, lambda x: x.prod(2), P((3, 2, 4)), tr=True, dim=2,
              keepdim=False)
        w.add("prod_dim", "0d_d0_" + n, lambda x: x.prod(0), P(()), dim=0, keepdim=False)
        w.add("prod_dim", "0d_dm1_k_" + n, lambda x: x.prod(-1, keepdim=True), P(()), dim=-1,
              keepdim=True)
        w.add("prod_dim", "empty_d0_" + n, lambda x: x.prod(0), P((0, 3)), dim=0, keepdim=False)
        w.add("prod_dim", "empty_d1_" + n, lambda x: x.prod(1), P((0, 3)), dim=1, keepdim=False)
        w.add("prod_dim", "size1_dim_zero_" + n, lambda x: x.prod(1),
              T([[0.0], [2.0], [0.0]], dt), dim=1, keepdim=False)
        w.add("prod_dim", "zeros_" + n, lambda x: x.prod(1),
              T([[0.0, 2.0, 3.0], [0.0, 0.0, 1.5], [1.0, 2.0, -1.0]], dt), dim=1, keepdim=False)
        w.add("prod_dim", "zeros_d0_k_" + n, lambda x: x.prod(0, keepdim=True),
              T([[0.0, 2.0, 3.0], [4.0, 0.0, 1.5], [1.0, 0.0, -1.0]], dt), dim=0, keepdim=True)
        w.add("prod_dim", "zeros_noncontig_" + n, lambda x: x.prod(1),
              T([[0.0, 2.0], [5.0, 0.0], [1.0, 3.0]], dt), tr=True, dim=1, keepdim=False)
        w.add("prod_dim", "zero_inf_" + n, lambda x: x.prod(0),
              T([[0.0, 1.0], [INF, 2.0], [2.0, 0.5]], dt), dim=0, keepdim=False)
    # float32 products are taken in float32 (PyTorch's prod kernel has no wider accumulator)
    w.add("prod", "f32_overflow", torch.prod, T([1e30, 1e30, 1e-30]))
    w.add("prod", "f32_underflow", torch.prod, T([1e-30, 1e-30, 1e30]))
    w.add("prod_dim", "f32_overflow", lambda x: x.prod(1), T([[1e30, 1e30, 1e-30], [1.0, 2.0, 3.0]]),
          dim=1, keepdim=False)
    w.add("prod", "i64", torch.prod, I((2, 3), -3, 4))
    w.add("prod", "i64_noncontig", torch.prod, I((3, 2), -3, 4), tr=True)
    w.add("prod", "i64_wrap", torch.prod, T([2 ** 40, 2 ** 40, 3], I64))
    w.add("prod", "i64_0d", torch.prod, T(-7, I64))
    w.add("prod", "bool", torch.prod, T([True, True, False], BOOL))
    w.add("prod", "bool_all_true", torch.prod, T([True, True], BOOL))
    w.add("prod_dim", "i64_d1", lambda x: x.prod(1), I((2, 3), -3, 4), dim=1, keepdim=False)
    w.add("prod_dim", "bool_d0_k", lambda x: x.prod(0, keepdim=True), B((3, 2)), dim=0,
          keepdim=True)
    e = w.error
    e("prod_dim", "dim_range", "INDEX", lambda x: x.prod(2), U((2, 3)), dim=2, keepdim=False)
    e("prod_dim", "dim_range_neg", "INDEX", lambda x: x.prod(-3), U((2, 3)), dim=-3, keepdim=False)
    e("prod_dim", "0d_dim_range", "INDEX", lambda x: x.prod(1), U(()), dim=1, keepdim=False)


# ------------------------------------------------------------------ max / min / amax / argmax


def gen_minmax(w):
    for op, fn in (("max", torch.max), ("min", torch.min)):
        for dt, n in FLOATS:
            w.add(op, "1d_" + n, fn, U((5,), dtype=dt))
            w.add(op, "2d_" + n, fn, U((3, 4), dtype=dt))
            w.add(op, "3d_" + n, fn, U((2, 3, 2), dtype=dt))
            w.add(op, "0d_" + n, fn, U((), dtype=dt))
            w.add(op, "noncontig_" + n, fn, U((3, 4), dtype=dt), tr=True)
            w.add(op, "ties_" + n, fn, T([1.0, 3.0, 3.0, -3.0, -3.0], dt))
            w.add(op, "ties_2d_" + n, fn, T([[2.0, 2.0], [2.0, 2.0]], dt))
            w.add(op, "nan_" + n, fn, T([1.0, NAN, 3.0, NAN], dt))
            w.add(op, "nan_first_" + n, fn, T([NAN, 1.0, -1.0], dt))
            w.add(op, "inf_" + n, fn, T([1.0, INF, -INF, 2.0], dt))
            w.add(op, "all_minf_" + n, fn, T([-INF, -INF], dt))
            w.add(op, "no_grad_" + n, fn, U((2, 2), dtype=dt), rg=False)
        w.add(op, "i64", fn, I((2, 3)))
        w.add(op, "i64_noncontig", fn, I((3, 2)), tr=True)
        w.add(op, "i64_0d", fn, T(4, I64))
        w.add(op, "bool", fn, T([False, True, False], BOOL))
        w.error(op, "empty", "INVALID_ARG", fn, U((0, 3)))
        w.error(op, "empty_1d", "INVALID_ARG", fn, U((0,)))

    for op, fn in (("max_dim", torch.max), ("min_dim", torch.min)):
        for dt, n in FLOATS:
            for d in (0, 1, -1):
                for kd in (False, True):
                    w.add(op, "2x3_%s_k%d_%s" % (dn(d), kd, n),
                          lambda x, d=d, kd=kd: tuple(fn(x, d, keepdim=kd)), U((2, 3), dtype=dt),
                          dim=d, keepdim=kd)
            w.add(op, "3d_d1_" + n, lambda x: tuple(fn(x, 1)), U((2, 3, 4), dtype=dt), dim=1,
                  keepdim=False)
            w.add(op, "3d_dm3_k_" + n, lambda x: tuple(fn(x, -3, keepdim=True)),
                  U((2, 3, 4), dtype=dt), dim=-3, keepdim=True)
            w.add(op, "0d_d0_" + n, lambda x: tuple(fn(x, 0)), U((), dtype=dt), dim=0,
                  keepdim=False)
            w.add(op, "0d_dm1_k_" + n, lambda x: tuple(fn(x, -1, keepdim=True)), U((), dtype=dt),
                  dim=-1, keepdim=True)
            w.add(op, "noncontig_d1_" + n, lambda x: tuple(fn(x, 1)), U((3, 4), dtype=dt), tr=True,
                  dim=1, keepdim=False)
            w.add(op, "noncontig_3d_d0_" + n, lambda x: tuple(fn(x, 0)), U((3, 2, 4), dtype=dt),
                  tr=True, dim=0, keepdim=False)
            w.add(op, "ties_" + n, lambda x: tuple(fn(x, 1)),
                  T([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0], [-1.0, 5.0, 5.0]], dt), dim=1, keepdim=False)
            w.add(op, "nan_" + n, lambda x: tuple(fn(x, 1)),
                  T([[1.0, NAN, 3.0, NAN], [NAN, 0.0, -1.0, 2.0], [1.0, 2.0, 3.0, 4.0]], dt),
                  dim=1, keepdim=False)
            w.add(op, "inf_" + n, lambda x: tuple(fn(x, 0)),
                  T([[INF, -INF], [1.0, 2.0]], dt), dim=0, keepdim=False)
            w.add(op, "empty_kept_" + n, lambda x: tuple(fn(x, 1)), U((0, 3), dtype=dt), dim=1,
                  keepdim=False)
            w.add(op, "empty_kept_k_" + n, lambda x: tuple(fn(x, 0, keepdim=True)),
                  U((2, 0), dtype=dt), dim=0, keepdim=True)
        w.add(op, "i64_d1", lambda x: tuple(fn(x, 1)), I((3, 4), -2, 3), dim=1, keepdim=False)
        w.add(op, "i64_noncontig", lambda x: tuple(fn(x, 0)), I((3, 2), -2, 3), tr=True, dim=0,
              keepdim=False)
        w.add(op, "bool_d0", lambda x: tuple(fn(x, 0)), B((3, 4)), dim=0, keepdim=False)
        e = w.error
        e(op, "empty_dim", "INDEX", lambda x: fn(x, 0), U((0, 3)), dim=0, keepdim=False)
        e(op, "empty_dim_neg", "INDEX", lambda x: fn(x, -2), U((0, 3)), dim=-2, keepdim=False)
        e(op, "dim_range", "INDEX", lambda x: fn(x, 2), U((2, 3)), dim=2, keepdim=False)
        e(op, "dim_range_neg", "INDEX", lambda x: fn(x, -3), U((2, 3)), dim=-3, keepdim=False)
        e(op, "0d_dim_range", "INDEX", lambda x: fn(x, 1), U(()), dim=1, keepdim=False)

    for op, fn in (("amax", torch.amax), ("amin", torch.amin)):
        for dt, n in FLOATS:
            for dims in ((), (0,), (1,), (-1,), (0, 1), (-1, 0)):
                for kd in (False, True):
                    w.add(op, "2x3_%s_k%d_%s" % (dims_tag(dims), kd, n),
                          lambda x, dims=dims, kd=kd: fn(x, dims, kd), U((2, 3), dtype=dt),
                          dims=dims, keepdim=kd)
            w.add(op, "3d_d0_2_" + n, lambda x: fn(x, (0, 2)), U((2, 3, 4), dtype=dt),
                  dims=(0, 2), keepdim=False)
            w.add(op, "3d_dm1_m3_k_" + n, lambda x: fn(x, (-1, -3), True), U((2, 3, 4), dtype=dt),
                  dims=(-1, -3), keepdim=True)
            w.add(op, "0d_dnone_" + n, lambda x: fn(x, ()), U((), dtype=dt), dims=(),
                  keepdim=False)
            w.add(op, "0d_d0_k_" + n, lambda x: fn(x, (0,), True), U((), dtype=dt), dims=(0,),
                  keepdim=True)
            w.add(op, "noncontig_d1_" + n, lambda x: fn(x, (1,)), U((3, 4), dtype=dt), tr=True,
                  dims=(1,), keepdim=False)
            w.add(op, "noncontig_3d_d0_2_" + n, lambda x: fn(x, (0, 2)), U((3, 2, 4), dtype=dt),
                  tr=True, dims=(0, 2), keepdim=False)
            w.add(op, "ties_" + n, lambda x: fn(x, (1,)),
                  T([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0], [-1.0, 5.0, 5.0]], dt), dims=(1,),
                  keepdim=False)
            w.add(op, "ties_all_" + n, lambda x: fn(x, ()), T([[1.0, 1.0], [-1.0, -1.0]], dt),
                  dims=(), keepdim=False)
            w.add(op, "nan_" + n, lambda x: fn(x, (1,)),
                  T([[1.0, NAN, 3.0], [2.0, 2.0, 1.0]], dt), dims=(1,), keepdim=False)
            w.add(op, "inf_" + n, lambda x: fn(x, (0,)), T([[INF, -INF], [1.0, 2.0]], dt),
                  dims=(0,), keepdim=False)
            w.add(op, "empty_kept_" + n, lambda x: fn(x, (1,)), U((0, 3), dtype=dt), dims=(1,),
                  keepdim=False)
        w.add(op, "i64", lambda x: fn(x, (1,)), I((3, 4), -2, 3), dims=(1,), keepdim=False)
        w.add(op, "i64_all", lambda x: fn(x, ()), I((2, 3)), dims=(), keepdim=False)
        w.add(op, "bool", lambda x: fn(x, (0,)), B((3, 2)), dims=(0,), keepdim=False)
        e = w.error
        e(op, "empty_nodims", "INVALID_ARG", lambda x: fn(x, ()), U((0, 3)), dims=(),
          keepdim=False)
        e(op, "empty_dim", "INDEX", lambda x: fn(x, (0,)), U((0, 3)), dims=(0,), keepdim=False)
        e(op, "empty_dim_neg", "INDEX", lambda x: fn(x, (1, -2)), U((0, 3)), dims=(1, -2),
          keepdim=False)
        e(op, "empty_dim_range", "INDEX", lambda x: fn(x, (5,)), U((0, 3)), dims=(5,),
          keepdim=False)
        e(op, "dim_range", "INDEX", lambda x: fn(x, (2,)), U((2, 3)), dims=(2,), keepdim=False)
        e(op, "dim_repeated", "INVALID_ARG", lambda x: fn(x, (0, -2)), U((2, 3)), dims=(0, -2),
          keepdim=False)
        e(op, "0d_dim_range", "INDEX", lambda x: fn(x, (1,)), U(()), dims=(1,), keepdim=False)

    for name, fn in (("argmax", torch.argmax), ("argmin", torch.argmin)):
        op = name
        for dt, n in FLOATS:
            for kd in (False, True):
                w.add(op, "2d_k%d_%s" % (kd, n), lambda x, kd=kd: fn(x, keepdim=kd),
                      U((3, 4), dtype=dt), keepdim=kd)
            w.add(op, "3d_" + n, lambda x: fn(x), U((2, 3, 2), dtype=dt), keepdim=False)
            w.add(op, "0d_k_" + n, lambda x: fn(x, keepdim=True), U((), dtype=dt), keepdim=True)
            w.add(op, "noncontig_" + n, lambda x: fn(x), U((3, 4), dtype=dt), tr=True,
                  keepdim=False)
            w.add(op, "ties_" + n, lambda x: fn(x), T([[1.0, 3.0], [3.0, -3.0], [-3.0, 0.0]], dt),
                  keepdim=False)
            w.add(op, "nan_" + n, lambda x: fn(x), T([1.0, 2.0, NAN, 5.0, NAN], dt),
                  keepdim=False)
        w.add(op, "i64", lambda x: fn(x), I((3, 3), -2, 3), keepdim=False)
        w.error(op, "empty", "INDEX", lambda x: fn(x), U((0, 3)), keepdim=False)
        w.error(op, "bool", "DTYPE", lambda x: fn(x), B((3,)), keepdim=False)
        op = name + "_dim"
        for dt, n in FLOATS:
            for d in (0, 1, -1):
                for kd in (False, True):
                    w.add(op, "2x3_%s_k%d_%s" % (dn(d), kd, n),
                          lambda x, d=d, kd=kd: fn(x, d, kd), U((2, 3), dtype=dt), dim=d,
                          keepdim=kd)
            w.add(op, "3d_d2_" + n, lambda x: fn(x, 2), U((2, 3, 4), dtype=dt), dim=2,
                  keepdim=False)
            w.add(op, "0d_d0_" + n, lambda x: fn(x, 0), U((), dtype=dt), dim=0, keepdim=False)
            w.add(op, "0d_dm1_k_" + n, lambda x: fn(x, -1, True), U((), dtype=dt), dim=-1,
                  keepdim=True)
            w.add(op, "noncontig_d0_" + n, lambda x: fn(x, 0), U((3, 4), dtype=dt), tr=True, dim=0,
                  keepdim=False)
            w.add(op, "ties_nan_" + n, lambda x: fn(x, 1),
                  T([[3.0, 1.0, 3.0], [NAN, 2.0, NAN], [-1.0, 5.0, 5.0]], dt), dim=1,
                  keepdim=False)
            w.add(op, "empty_kept_" + n, lambda x: fn(x, 1), U((0, 3), dtype=dt), dim=1,
                  keepdim=False)
        w.add(op, "i64", lambda x: fn(x, 0), I((3, 4), -2, 3), dim=0, keepdim=False)
        e = w.error
        e(op, "empty_dim", "INDEX", lambda x: fn(x, -2), U((0, 3)), dim=-2, keepdim=False)
        e(op, "dim_range", "INDEX", lambda x: fn(x, 2), U((2, 3)), dim=2, keepdim=False)
        e(op, "0d_dim_range", "INDEX", lambda x: fn(x, 1), U(()), dim=1, keepdim=False)
        e(op, "bool", "DTYPE", lambda x: fn(x, 0), B((3, 2)), dim=0, keepdim=False)


# ------------------------------------------------------------------ var / std


def var_2x(x, dims, correction, keepdim, take_sqrt):
    """the 2.x value and backward when 1.13 cannot give them; see the module doc"""
    dims = tuple(range(x.dim())) if dims is None or len(dims) == 0 else dims
    whole = len(dims) == x.dim() or x.dim() == 0

    def forward(t):
        n = 1
        for d in dims:
            n *= t.shape[d]
        if x.dim() == 0:
            n = 1
        m2 = ((t - t.mean(dims, keepdim=True)) ** 2).sum(dims, keepdim=keepdim) if x.dim() else \
            (t - t) ** 2
        v = m2 / max(0.0, n - correction) if n - correction > 0 else m2 / 0.0
        return v.sqrt() if take_sqrt else v

    def grad(leaf, v, out):
        n = leaf.numel() if whole else math.prod(leaf.shape[d] for d in dims)
        if whole and n - correction <= 0:
            gv = v
            if take_sqrt:
                gv = (v / (out * 2)).masked_fill(out == 0, 0)
            return gv * torch.where(leaf == leaf.mean(), torch.tensor(NAN, dtype=leaf.dtype),
                                    torch.tensor(INF, dtype=leaf.dtype))
        t = leaf.clone().requires_grad_(True)
        forward(t).backward(v)
        return t.grad

    return forward, grad


def gen_var(w):
    for name, take_sqrt in (("var", False), ("std", True)):
        tfn = torch.std if take_sqrt else torch.var
        node = "StdBackward0" if take_sqrt else "VarBackward0"

        def whole(tag, x, c, tr=False, rg=None, name=name, tfn=tfn, take_sqrt=take_sqrt,
                  node=node):
            warn = two_x_warning(name, x, None, c)
            if x.numel() - c <= 0 and x.dtype in (F32, F64):
                fwd, grad = var_2x(x, None, c, False, take_sqrt)
                w.add(name, tag, lambda t: tfn(t, None, correction=int(c)), x, tr=tr, rg=rg,
                      grad_2x=grad, warning=warn, correction=c)
            elif c != int(c):
                fwd, grad = var_2x(x, None, c, False, take_sqrt)
                w.add(name, tag, fwd, x, tr=tr, rg=rg, warning=warn, grad_fn=node, correction=c)
            else:
                w.add(name, tag, lambda t: tfn(t, None, correction=int(c)), x, tr=tr, rg=rg,
                      warning=warn, correction=c)

        def dimmed(tag, x, dims, c, kd, tr=False, name=name, tfn=tfn, take_sqrt=take_sqrt,
                   node=node):
            op = name + "_dim"
            warn = two_x_warning(name, x, dims, c)
            if len(dims) == 0:
                if x.numel() - c <= 0:
                    fwd, grad = var_2x(x, None, c, kd, take_sqrt)
                    w.add(op, tag, lambda t: tfn(t, None, correction=int(c), keepdim=kd), x,
                          grad_2x=grad, warning=warn, dims=dims, correction=c, keepdim=kd)
                else:
                    w.add(op, tag, lambda t: tfn(t, None, correction=int(c), keepdim=kd), x,
                          tr=tr, warning=warn, dims=dims, correction=c, keepdim=kd)
            elif x.dim() == 0 and x.numel() - c <= 0:
                fwd, grad = var_2x(x, None, c, kd, take_sqrt)
                w.add(op, tag, lambda t: tfn(t, dims, correction=int(c), keepdim=kd), x,
                      grad_2x=grad, warning=warn, dims=dims, correction=c, keepdim=kd)
            elif c != int(c):
                fwd, grad = var_2x(x, dims, c, kd, take_sqrt)
                w.add(op, tag, fwd, x, tr=tr, warning=warn, grad_fn=node, dims=dims, correction=c,
                      keepdim=kd)
            else:
                w.add(op, tag, lambda t: tfn(t, dims, correction=int(c), keepdim=kd), x, tr=tr,
                      warning=warn, dims=dims, correction=c, keepdim=kd)

        for dt, n in FLOATS:
            whole("1d_c1_" + n, U((5,), dtype=dt), 1)
            whole("1d_c0_" + n, U((5,), dtype=dt), 0)
            whole("1d_c2_" + n, U((5,), dtype=dt), 2)
            whole("1d_c0_5_" + n, U((5,), dtype=dt), 0.5)
            whole("2d_" + n, U((3, 4), dtype=dt), 1)
            whole("3d_" + n, U((2, 3, 2), dtype=dt), 1)
            whole("noncontig_" + n, U((3, 4), dtype=dt), 1, tr=True)
            whole("no_grad_" + n, U((2, 2), dtype=dt), 1, rg=False)
            whole("const_" + n, T([1.5, 1.5, 1.5], dt), 1)  # std 0: gradient masked to 0
            whole("empty_" + n, U((0, 3), dtype=dt), 1)
            whole("empty_c0_" + n, U((0,), dtype=dt), 0)
            whole("0d_c1_" + n, U((), dtype=dt), 1)
            whole("0d_c0_" + n, U((), dtype=dt), 0)
            whole("single_c1_" + n, T([2.0], dt), 1)
            whole("dof0_" + n, T([2.0, 3.0], dt), 2)
            whole("dof_neg_" + n, T([2.0, 3.0], dt), 3)
            whole("dof_neg_equal_" + n, T([[2.0, 2.0]], dt), 4)
            whole("inf_" + n, T([1.0, INF, 2.0], dt), 1)
            for dims in ((0,), (1,), (-1,), (0, 1), (-1, -2)):
                for kd in (False, True):
                    dimmed("2x3_%s_k%d_%s" % (dims_tag(dims), kd, n), U((2, 3), dtype=dt), dims, 1,
                           kd)
            dimmed("2x3_dnone_k1_" + n, U((2, 3), dtype=dt), (), 1, True)
            dimmed("2x3_dnone_k0_" + n, U((2, 3), dtype=dt), (), 0, False)
            dimmed("3d_d0_2_" + n, U((2, 3, 4), dtype=dt), (0, 2), 1, False)
            dimmed("3d_dm1_k_" + n, U((2, 3, 4), dtype=dt), (-1,), 0, True)
            dimmed("3d_d1_c2_" + n, U((2, 3, 4), dtype=dt), (1,), 2, False)
            dimmed("1d_d0_" + n, U((5,), dtype=dt), (0,), 1, False)
            dimmed("noncontig_d1_" + n, U((3, 4), dtype=dt), (1,), 1, False, tr=True)
            dimmed("noncontig_3d_d0_" + n, U((3, 2, 4), dtype=dt), (0,), 0, True, tr=True)
            dimmed("0d_d0_c0_" + n, U((), dtype=dt), (0,), 0, False)
            dimmed("0d_dm1_c1_" + n, U((), dtype=dt), (-1,), 1, False)
            dimmed("size1_dims_" + n, U((3, 1), dtype=dt), (1,), 1, False)  # dof 0: NaN
            dimmed("dof0_" + n, U((3, 2), dtype=dt), (1,), 2, False)  # inf
            dimmed("dof_neg_" + n, U((3, 2), dtype=dt), (1,), 3, True)
            dimmed("frac_c_" + n, U((3, 4), dtype=dt), (1,), 0.5, False)
            dimmed("empty_d0_" + n, U((0, 3), dtype=dt), (0,), 1, False)
            dimmed("empty_d1_" + n, U((0, 3), dtype=dt), (1,), 1, False)
        e = w.error
        e(name, "i64", "DTYPE", lambda x: tfn(x), I((3,)), correction=1)
        e(name, "bool", "DTYPE", lambda x: tfn(x), B((3,)), correction=1)
        e(name + "_dim", "i64", "DTYPE", lambda x: tfn(x, 0), I((2, 3)), dims=(0,), correction=1,
          keepdim=False)
        e(name + "_dim", "dim_range", "INDEX", lambda x: tfn(x, 2), U((2, 3)), dims=(2,),
          correction=1, keepdim=False)
        e(name + "_dim", "dim_range_neg", "INDEX", lambda x: tfn(x, (0, -3)), U((2, 3)),
          dims=(0, -3), correction=1, keepdim=False)
        e(name + "_dim", "dim_repeated", "INVALID_ARG", lambda x: tfn(x, (1, 1)), U((2, 3)),
          dims=(1, 1), correction=1, keepdim=False)


# ------------------------------------------------------------------ logsumexp


def gen_logsumexp(w):
    op = "logsumexp"

    def lse(x, dims, kd):
        # dims=() means every dim here (torch raises a shape error; see the module doc)
        d = dims if len(dims) or x.dim() == 0 else tuple(range(x.dim()))
        return torch.logsumexp(x, d, kd)

    def add(tag, x, dims, kd=False, tr=False, rg=None):
        w.add(op, tag, lambda t: lse(t, dims, kd), x, tr=tr, rg=rg, dims=dims, keepdim=kd)

    for dt, n in FLOATS:
        for dims in ((0,), (1,), (-1,), (0, 1), (1, -2), ()):
            for kd in (False, True):
                add("2x3_%s_k%d_%s" % (dims_tag(dims), kd, n), U((2, 3), dtype=dt), dims, kd)
        add("3d_d0_2_" + n, U((2, 3, 4), dtype=dt), (0, 2))
        add("3d_dm1_k_" + n, U((2, 3, 4), dtype=dt), (-1,), True)
        add("0d_d0_" + n, U((), dtype=dt), (0,))
        add("0d_dnone_k_" + n, U((), dtype=dt), (), True)
        add("noncontig_d1_" + n, U((3, 4), dtype=dt), (1,), tr=True)
        add("noncontig_3d_d0_" + n, U((3, 2, 4), dtype=dt), (0,), True, tr=True)
        add("large_" + n, T([[1000.0, 1000.0, 990.0], [-1000.0, -1001.0, -1000.5]], dt), (1,))
        add("all_minf_" + n, T([[-INF, -INF], [-INF, 1.0]], dt), (1,))
        add("pinf_" + n, T([[INF, 1.0], [INF, INF]], dt), (1,))
        add("nan_" + n, T([[NAN, 1.0], [2.0, 3.0]], dt), (1,))
        add("empty_d0_" + n, U((0, 3), dtype=dt), (0,))
        add("empty_d1_" + n, U((0, 3), dtype=dt), (1,))
        add("no_grad_" + n, U((2, 2), dtype=dt), (0,), rg=False)
    add("i64", I((2, 3)), (1,))
    add("bool", B((2, 3)), (0,))
    e = w.error
    e(op, "dim_range", "INDEX", lambda x: torch.logsumexp(x, 2), U((2, 3)), dims=(2,),
      keepdim=False)
    e(op, "dim_repeated", "INVALID_ARG", lambda x: torch.logsumexp(x, (0, 0)), U((2, 3)),
      dims=(0, 0), keepdim=False)
    e(op, "0d_dim_range", "INDEX", lambda x: torch.logsumexp(x, 1), U(()), dims=(1,),
      keepdim=False)


# ------------------------------------------------------------------ cumsum


def gen_cumsum(w):
    op = "cumsum"
    for dt, n in FLOATS:
        w.add(op, "1d_" + n, lambda x: x.cumsum(0), U((5,), dtype=dt), dim=0)
        for d in (0, 1, -1, -2):
            w.add(op, "2x3_%s_%s" % (dn(d), n), lambda x, d=d: x.cumsum(d), U((2, 3), dtype=dt),
                  dim=d)
        w.add(op, "3d_d1_" + n, lambda x: x.cumsum(1), U((2, 3, 4), dtype=dt), dim=1)
        w.add(op, "3d_d2_" + n, lambda x: x.cumsum(2), U((2, 3, 4), dtype=dt), dim=2)
        w.add(op, "0d_d0_" + n, lambda x: x.cumsum(0), U((), dtype=dt), dim=0)
        w.add(op, "0d_dm1_" + n, lambda x: x.cumsum(-1), U((), dtype=dt), dim=-1)
        w.add(op, "noncontig_d1_" + n, lambda x: x.cumsum(1), U((3, 4), dtype=dt), tr=True, dim=1)
        w.add(op, "noncontig_3d_d0_" + n, lambda x: x.cumsum(0), U((3, 2, 4), dtype=dt), tr=True,
              dim=0)
        w.add(op, "size1_dim_" + n, lambda x: x.cumsum(1), U((3, 1), dtype=dt), dim=1)
        w.add(op, "empty_d0_" + n, lambda x: x.cumsum(0), U((0, 3), dtype=dt), dim=0)
        w.add(op, "empty_d1_" + n, lambda x: x.cumsum(1), U((0, 3), dtype=dt), dim=1)
        w.add(op, "inf_" + n, lambda x: x.cumsum(0), T([1.0, INF, -INF, 2.0], dt), dim=0)
        w.add(op, "no_grad_" + n, lambda x: x.cumsum(0), U((3,), dtype=dt), rg=False, dim=0)
    w.add(op, "i64_d1", lambda x: x.cumsum(1), I((2, 3)), dim=1)
    w.add(op, "i64_noncontig", lambda x: x.cumsum(0), I((3, 2)), tr=True, dim=0)
    w.add(op, "i64_wrap", lambda x: x.cumsum(0), T([2 ** 62, 2 ** 62, 5], I64), dim=0)
    w.add(op, "bool", lambda x: x.cumsum(0), T([True, False, True, True], BOOL), dim=0)
    e = w.error
    e(op, "dim_range", "INDEX", lambda x: x.cumsum(2), U((2, 3)), dim=2)
    e(op, "dim_range_neg", "INDEX", lambda x: x.cumsum(-3), U((2, 3)), dim=-3)
    e(op, "0d_dim_range", "INDEX", lambda x: x.cumsum(1), U(()), dim=1)


# ------------------------------------------------------------------ all / any


def gen_allany(w):
    for name in ("all", "any"):
        def tfn(x, name=name):
            return getattr(x, name)()

        def over(x, dims, kd, name=name):
            # several dims: torch's one-dim all/any applied dim by dim (module doc)
            if len(dims) == 0:
                r = getattr(x, name)()
                return r.reshape([1] * x.dim()) if kd else r
            ds = sorted({d % max(x.dim(), 1) for d in dims}, reverse=True)
            r = x
            for d in ds:
                r = getattr(r, name)(d, keepdim=kd)
            return r

        mixed = T([[1.0, 0.0, 2.0], [3.0, -1.0, 0.5]])
        w.add(name, "f32", tfn, mixed)
        w.add(name, "f32_nonzero", tfn, T([1.0, -2.0, 0.5]))
        w.add(name, "f32_zeros", tfn, T([0.0, -0.0]))
        w.add(name, "nan", tfn, T([NAN, 0.0]))
        w.add(name, "f64", tfn, T([[1.0, 2.0], [0.0, 4.0]], F64))
        w.add(name, "i64", tfn, T([3, 0, -1], I64))
        w.add(name, "bool", tfn, T([True, True, False], BOOL))
        w.add(name, "bool_all_true", tfn, T([True, True], BOOL))
        w.add(name, "0d", tfn, T(0.0))
        w.add(name, "0d_i64", tfn, T(7, I64))
        w.add(name, "empty", tfn, U((0, 3)))
        w.add(name, "noncontig", tfn, T([[1.0, 1.0], [0.0, 2.0], [3.0, 4.0]]), tr=True)
        op = name + "_dim"
        grid = T([[1.0, 0.0, 2.0], [3.0, 4.0, 0.5], [0.0, 0.0, 0.0]])
        for dims in ((0,), (1,), (-1,), (0, 1), (-1, 0), ()):
            for kd in (False, True):
                w.add(op, "3x3_%s_k%d" % (dims_tag(dims), kd),
                      lambda x, dims=dims, kd=kd: over(x, dims, kd), grid, dims=dims, keepdim=kd)
        w.add(op, "3d_d0_2", lambda x: over(x, (0, 2), False), B((2, 3, 2)), dims=(0, 2),
              keepdim=False)
        w.add(op, "i64_d1_k", lambda x: over(x, (1,), True), I((3, 4), -1, 2), dims=(1,),
              keepdim=True)
        w.add(op, "f64_nan_d0", lambda x: over(x, (0,), False),
              T([[NAN, 0.0], [0.0, 0.0]], F64), dims=(0,), keepdim=False)
        w.add(op, "0d_d0", lambda x: over(x, (0,), False), T(1.5), dims=(0,), keepdim=False)
        w.add(op, "empty_d0", lambda x: over(x, (0,), False), U((0, 3)), dims=(0,), keepdim=False)
        w.add(op, "empty_d1", lambda x: over(x, (1,), False), U((0, 3)), dims=(1,), keepdim=False)
        w.add(op, "noncontig_d1", lambda x: over(x, (1,), False),
              T([[1.0, 1.0, 0.0], [0.0, 2.0, 0.0]]), tr=True, dims=(1,), keepdim=False)
        e = w.error
        e(op, "dim_range", "INDEX", lambda x: getattr(x, name)(2), U((2, 3)), dims=(2,),
          keepdim=False)
        e(op, "dim_range_neg", "INDEX", lambda x: getattr(x, name)(-3), U((2, 3)), dims=(-3,),
          keepdim=False)
        e(op, "0d_dim_range", "INDEX", lambda x: getattr(x, name)(1), U(()), dims=(1,),
          keepdim=False)
        # several dims (2.2+): the same checks as every reduction taking a dim list
        e(op, "dim_repeated", "INVALID_ARG", lambda x: x.sum((1, -1)), U((2, 3)), dims=(1, -1),
          keepdim=False)


# ------------------------------------------------------------------ saved tensors


def err(fn):
    return err_text(fn, must_raise=True)


def gen_scenarios(w):
    """what each node saves decides which in-place changes break its backward"""
    x = torch.tensor([1.0, 3.0, 2.0], requires_grad=True)
    v, i = x.max(0)
    i.fill_(0)
    w.scenario("max_dim_indices_modified", error=err(v.backward))
    x = torch.tensor([1.0, 3.0, 2.0], requires_grad=True)
    p = x.prod()
    with torch.no_grad():
        x.mul_(2)
    w.scenario("prod_input_modified", error=err(p.backward))
    x = torch.tensor([1.0, 3.0, 2.0], requires_grad=True)
    lse = torch.logsumexp(x, (0,))
    with torch.no_grad():
        lse.add_(1)
    w.scenario("logsumexp_result_modified", error=err(lse.backward))
    x = torch.tensor([1.0, 3.0, 2.0], requires_grad=True)
    c = x.cumsum(0).sum()
    with torch.no_grad():
        x.mul_(2)
    c.backward()
    w.scenario("cumsum_input_modified", grad=fmt_values(x.grad))
    x = torch.tensor([1.0, 3.0, 2.0], dtype=F64, requires_grad=True)
    s = x.var()
    s.backward()
    w.scenario("var_backward_twice", error=err(s.backward))


def generate(outdir):
    _draw.reset()
    torch.set_default_dtype(torch.float32)
    return Writer().run(outdir, "reduce_ext.txt", gen_prod, gen_minmax, gen_var, gen_logsumexp,
                        gen_cumsum, gen_allany, gen_scenarios)


if __name__ == "__main__":
    print(generate(sys.argv[1]))
