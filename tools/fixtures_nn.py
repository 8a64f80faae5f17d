"""fixtures_nn.py — writes nn.txt: the neural-network functions and losses run in PyTorch.

softmax, log_softmax, nll_loss, cross_entropy, mse_loss, l1_loss, smooth_l1_loss,
binary_cross_entropy(_with_logits), layer_norm, batch_norm and embedding, as
torch.nn.functional calls them. Each record holds the inputs (None ones marked), the op's
arguments, the output's dtype/shape/values and PyTorch 2.x grad_fn name, the upstream gradient v
and every input's .grad after out.backward(v); batch_norm records also hold the running
statistics after the call. Error records hold PyTorch's exact message (2.x text, see ERROR_2X)
and the tg_status class the C library reports. "scenario" records are replayed by name in
tests/test_nn.c. Run: /usr/bin/python3 tools/fixtures_nn.py tests/fixtures
"""
import math
import os
import sys
import warnings

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import BOOL, F32, F64, FLOATS, I64, LEGACY_TYPE_NAMES, T  # noqa: E402
from fixture_common import CaseWriter, Draws, err as err_text, error_text, fmt_ints  # noqa: E402
from fixture_common import fmt_scalar, fmt_values, gfn_name, Inp, inp  # noqa: E402

RED = {"none": 0, "mean": 1, "sum": 2}  # tg_reduction's values
NO_PAD = "none"

# Where Debian's torch 1.13 differs from PyTorch 2.x (which the C library follows):
#  - smooth_l1_loss with beta 0: F.smooth_l1_loss in 2.x hands it to torch._C._nn.l1_loss, which
#    composes abs(sub) and a mean/sum (MeanBackward0 / SumBackward0 / AbsBackward0); 1.13 keeps
#    SmoothL1LossBackward0. The cases below call F.l1_loss for beta 0, as 2.x does.
#  - nll_loss with a 1-D input and a 1-D target of one element: 2.x's nll_loss_forward meta
#    function (aten/src/ATen/native/LossNLL.cpp) rejects it with "Expected target to be 0D when
#    input is 1D, but got target.dim =1"; 1.13 accepts it. That record is written by hand
#    (manual_error below), with the text read from the 2.x source.
#  - Messages naming a tensor type: 1.13's Python layer rewrote "CPUFloatType" as
#    "torch.FloatTensor"; 2.x prints CPUFloatType (see ERROR_2X).
#  - log_softmax along a dim that is not the last, on an integer tensor: 1.13's CPU kernel
#    dispatches under the name "softmax_kernel_impl"; 2.x's log_softmax_kernel_impl uses
#    "log_softmax_kernel_impl" (aten/src/ATen/native/cpu/SoftMaxKernel.cpp).
#  - layer_norm with parameters of another dtype: 2.x's layer_norm_cpu first runs
#    is_mixed_type/check_mixed_data_type (aten/src/ATen/native/mixed_data_type.h), so a float64
#    weight on a float32 input gives "mixed dtype (CPU): expect parameter to have scalar type of
#    Float" and a float32 weight on a float64 input "mixed dtype (CPU): all inputs must share
#    same datatype."; 1.13 said "expected scalar type Float but found Double".
def error_2x(op, msg, inputs):
    for old, new in LEGACY_TYPE_NAMES.items():
        msg = msg.replace("but got %s instead" % old, "but got %s instead" % new)
    if op in ("log_softmax", "cross_entropy"):
        msg = msg.replace('"softmax_kernel_impl"', '"log_softmax_kernel_impl"')
    if op == "layer_norm" and msg.startswith("expected scalar type "):
        x = inputs[0].t
        params = [p.t for p in inputs[1:] if p is not None]
        if params and params[0].dtype != x.dtype:
            if any(p.dtype != F32 for p in params):
                return "mixed dtype (CPU): expect parameter to have scalar type of Float"
            return "mixed dtype (CPU): all inputs must share same datatype."
    return msg


# ------------------------------------------------------------------ deterministic inputs

_draw = Draws(20240611)
U = _draw.uniform


def P(shape, dtype=F32):
    """values in (0, 1): probabilities for binary_cross_entropy"""
    return U(shape, 0.05, 0.95, dtype)


def PROBS(shape, dim, dtype=F32):
    """rows of class probabilities summing to 1 along dim"""
    return torch.softmax(U(shape, -2, 2, F64), dim).to(dtype)


def I(shape, lo, hi):
    return _draw.ints(shape, lo, hi)


def const(t, tr=False):
    return Inp(t, False, tr)


# ------------------------------------------------------------------ the writer

class Writer(CaseWriter):
    KINDS = ("ok", "error", "scenario")

    @staticmethod
    def _arg(k, v):
        return fmt_ints(v) if k == "size" else fmt_scalar(v, allow_bool=True)

    def add(self, op, tag, fn, inputs, after=(), **args):
        """fn(*effective_inputs) runs the op in PyTorch; args are the op's other arguments;
        after lists inputs whose values the op changes in place (running statistics)."""
        name, rec, leaves, effs = self._begin(op, tag, args, inputs)
        out = fn(*effs)
        for i in after:
            rec.append(("in%d_after" % i, fmt_values(effs[i])))
        self._result(rec, out, gfn_name(out))
        if out.requires_grad:
            self._backward(rec, name, out, inputs, leaves)
        self._ok(rec)

    def error(self, op, tag, code, fn, inputs, **args):
        """a call that must fail with TG_ERR_<code> and "tg_<op>: <PyTorch's message>" """
        name, rec, _, effs = self._begin(op, "error_" + tag, args, inputs)
        self._fail(name, rec, code, lambda: fn(*effs),
                   lambda e: error_2x(op, error_text(e), inputs))

    def manual_error(self, op, tag, code, msg, inputs, **args):
        """an error of PyTorch 2.x that the installed 1.13 does not raise (see the notes on top)"""
        _, rec, _, _ = self._begin(op, "error_" + tag, args, inputs)
        self._error(rec, code, msg)

    def scenario(self, name, **kv):
        rec = [("scenario", name)]
        for k, v in kv.items():
            rec.append((k, fmt_values(v) if isinstance(v, torch.Tensor) else str(v)))
        self._ok(rec, "scenario")

REDS = ["mean", "sum", "none"]


# ------------------------------------------------------------------ softmax, log_softmax

def gen_softmax(w):
    for op, f in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
        for dt, dn in FLOATS:
            def call(dim):
                return lambda x: f(x, dim)
            w.add(op, "2x3_d1_" + dn, call(1), [inp(U((2, 3), dtype=dt))], dim=1)
            w.add(op, "2x3_d0_" + dn, call(0), [inp(U((2, 3), dtype=dt))], dim=0)
            w.add(op, "2x3_dm1_" + dn, call(-1), [inp(U((2, 3), dtype=dt))], dim=-1)
            for d in (0, 1, 2, -2):
                w.add(op, "3d_d%s_%s" % (str(d).replace("-", "m"), dn), call(d),
                      [inp(U((2, 3, 4), dtype=dt))], dim=d)
            w.add(op, "1d_" + dn, call(0), [inp(U((5,), dtype=dt))], dim=0)
            w.add(op, "0d_d0_" + dn, call(0), [inp(U((), dtype=dt))], dim=0)
            w.add(op, "0d_dm1_" + dn, call(-1), [inp(U((), dtype=dt))], dim=-1)
            w.add(op, "noncontig_d1_" + dn, call(1), [inp(U((4, 3), dtype=dt), tr=True)], dim=1)
            w.add(op, "noncontig_d0_" + dn, call(0), [inp(U((4, 3), dtype=dt), tr=True)], dim=0)
            w.add(op, "noncontig_3d_" + dn, call(2), [inp(U((3, 2, 4), dtype=dt), tr=True)],
                  dim=2)
            w.add(op, "large_" + dn, call(1),
                  [inp(T([[1000.0, 999.0, -1000.0], [-800.0, -801.0, -799.5]], dt))], dim=1)
            w.add(op, "neg_inf_" + dn, call(1),
                  [inp(T([[0.5, -math.inf, 1.0], [-math.inf, 2.0, -math.inf]], dt))], dim=1)
            w.add(op, "empty_rows_" + dn, call(1), [inp(U((0, 3), dtype=dt))], dim=1)
            w.add(op, "empty_dim_" + dn, call(1), [inp(U((3, 0), dtype=dt))], dim=1)
            w.add(op, "no_grad_" + dn, call(1), [const(U((2, 3), dtype=dt))], dim=1)
        w.error(op, "dim_2d", "INDEX", lambda x: f(x, 2), [const(U((2, 3)))], dim=2)
        w.error(op, "dim_neg", "INDEX", lambda x: f(x, -3), [const(U((2, 3)))], dim=-3)
        w.error(op, "dim_0d", "INDEX", lambda x: f(x, 1), [const(U(()))], dim=1)
        w.error(op, "int_lastdim", "DTYPE", lambda x: f(x, 1), [const(I((2, 3), 0, 5))], dim=1)
        w.error(op, "int_dim0", "DTYPE", lambda x: f(x, 0), [const(I((2, 3), 0, 5))], dim=0)
        w.error(op, "bool", "DTYPE", lambda x: f(x, 0), [const(T([True, False], BOOL))], dim=0)
        w.error(op, "int_0d", "DTYPE", lambda x: f(x, 0), [const(T(3, I64))], dim=0)


# ------------------------------------------------------------------ nll_loss, cross_entropy

def nll_call(red, ii=-100):
    return lambda x, t, wt: F.nll_loss(x, t, weight=wt, reduction=red, ignore_index=ii)


def ce_call(red, ii=-100, ls=0.0):
    return lambda x, t, wt: F.cross_entropy(x, t, weight=wt, reduction=red, ignore_index=ii,
                                            label_smoothing=ls)


def gen_nll(w):
    op = "nll_loss"
    for dt, dn in FLOATS:
        for red in REDS:
            a = dict(reduction=RED[red], ignore_index=-100)
            w.add(op, "2d_%s_%s" % (red, dn), nll_call(red),
                  [inp(U((4, 5), dtype=dt)), const(I((4,), 0, 5)), None], **a)
            w.add(op, "2d_weight_%s_%s" % (red, dn), nll_call(red),
                  [inp(U((4, 5), dtype=dt)), const(I((4,), 0, 5)), const(U((5,), 0.2, 2, dt))],
                  **a)
            w.add(op, "ignore_default_%s_%s" % (red, dn), nll_call(red),
                  [inp(U((4, 3), dtype=dt)), const(T([0, -100, 2, -100], I64)),
                   const(U((3,), 0.2, 2, dt))], **a)
            w.add(op, "ignore_1_%s_%s" % (red, dn), nll_call(red, 1),
                  [inp(U((5, 3), dtype=dt)), const(T([0, 1, 2, 1, 2], I64)), None],
                  reduction=RED[red], ignore_index=1)
            w.add(op, "1d_%s_%s" % (red, dn), nll_call(red),
                  [inp(U((4,), dtype=dt)), const(T(2, I64)), None], **a)
            w.add(op, "1d_weight_%s_%s" % (red, dn), nll_call(red),
                  [inp(U((4,), dtype=dt)), const(T(3, I64)), const(U((4,), 0.2, 2, dt))], **a)
            w.add(op, "3d_%s_%s" % (red, dn), nll_call(red),
                  [inp(U((2, 3, 4), dtype=dt)), const(I((2, 4), 0, 3)), None], **a)
            w.add(op, "4d_weight_%s_%s" % (red, dn), nll_call(red),
                  [inp(U((2, 3, 2, 3), dtype=dt)), const(I((2, 2, 3), 0, 3)),
                   const(U((3,), 0.2, 2, dt))], **a)
            w.add(op, "5d_%s_%s" % (red, dn), nll_call(red),
                  [inp(U((2, 3, 2, 1, 2), dtype=dt)), const(I((2, 2, 1, 2), 0, 3)), None], **a)
            w.add(op, "noncontig_%s_%s" % (red, dn), nll_call(red),
                  [inp(U((5, 3), dtype=dt), tr=True), const(I((3,), 0, 5)), None], **a)
            w.add(op, "empty_%s_%s" % (red, dn), nll_call(red),
                  [inp(U((0, 3), dtype=dt)), const(torch.zeros(0, dtype=I64)), None], **a)
        w.add(op, "all_ignored_mean_" + dn, nll_call("mean"),
              [inp(U((2, 3), dtype=dt)), const(T([-100, -100], I64)), None],
              reduction=RED["mean"], ignore_index=-100)
        w.add(op, "3d_target_noncontig_" + dn, nll_call("none"),
              [inp(U((3, 2, 2), dtype=dt)), const(I((2, 3), 0, 2), tr=True), None],
              reduction=RED["none"], ignore_index=-100)
        w.add(op, "4d_ignore_" + dn, nll_call("mean", 0),
              [inp(U((1, 2, 2, 2), dtype=dt)), const(I((1, 2, 2), 0, 2)), None],
              reduction=RED["mean"], ignore_index=0)
    w.add(op, "no_grad", nll_call("mean"), [const(U((3, 4))), const(I((3,), 0, 4)), None],
          reduction=RED["mean"], ignore_index=-100)
    a = dict(reduction=RED["mean"], ignore_index=-100)
    x34 = U((3, 4))
    w.error(op, "target_oob", "INDEX", nll_call("mean"), [const(x34), const(T([0, 5, 1], I64)),
                                                           None], **a)
    w.error(op, "target_negative", "INDEX", nll_call("none"),
            [const(x34), const(T([0, -1, 1], I64)), None], reduction=RED["none"],
            ignore_index=-100)
    w.error(op, "target_oob_1d", "INDEX", nll_call("sum"), [const(U((4,))), const(T(4, I64)),
                                                             None],
            reduction=RED["sum"], ignore_index=-100)
    w.error(op, "target_oob_4d", "INDEX", nll_call("mean"),
            [const(U((1, 2, 2, 2))), const(T([[[0, 1], [2, 0]]], I64)), None], **a)
    w.error(op, "target_oob_3d", "INDEX", nll_call("none"),
            [const(U((1, 2, 3))), const(T([[0, 3, 1]], I64)), None], reduction=RED["none"],
            ignore_index=-100)
    w.error(op, "batch_mismatch", "SHAPE", nll_call("mean"), [const(x34), const(T([0, 1], I64)),
                                                               None], **a)
    w.error(op, "target_0d_2d_input", "SHAPE", nll_call("mean"),
            [const(x34), const(T(1, I64)), None], **a)
    w.error(op, "float_target", "DTYPE", nll_call("mean"),
            [const(x34), const(T([0.0, 1.0, 2.0])), None], **a)
    w.error(op, "float_target_4d", "DTYPE", nll_call("mean"),
            [const(U((2, 3, 1, 2))), const(torch.zeros(2, 1, 2)), None], **a)
    w.error(op, "weight_size", "SHAPE", nll_call("mean"),
            [const(x34), const(T([0, 1, 2], I64)), const(U((3,), 0.5, 1))], **a)
    w.error(op, "weight_2d", "SHAPE", nll_call("mean"),
            [const(x34), const(T([0, 1, 2], I64)), const(U((2, 2), 0.5, 1))], **a)
    w.error(op, "weight_dtype", "DTYPE", nll_call("mean"),
            [const(x34), const(T([0, 1, 2], I64)), const(U((4,), 0.5, 1, F64))], **a)
    w.error(op, "weight_requires_grad", "AUTOGRAD", nll_call("mean"),
            [inp(x34), const(T([0, 1, 2], I64)), inp(U((4,), 0.5, 1))], **a)
    w.error(op, "weight_requires_grad_4d", "AUTOGRAD", nll_call("mean"),
            [inp(U((1, 2, 1, 2))), const(T([[[0, 1]]], I64)), inp(U((2,), 0.5, 1))], **a)
    w.error(op, "multi_target", "SHAPE", nll_call("mean"),
            [const(x34), const(I((3, 2), 0, 4)), None], **a)
    w.error(op, "input_0d", "SHAPE", nll_call("mean"), [const(U(())), const(T(0, I64)), None],
            **a)
    w.error(op, "1d_target_size", "SHAPE", nll_call("mean"),
            [const(U((4,))), const(T([1], I64)), None], **a)
    w.manual_error(op, "1d_target_1d", "SHAPE",
                   "Expected target to be 0D when input is 1D, but got target.dim =1",
                   [const(U((1,))), const(T([0], I64)), None], **a)
    w.error(op, "3d_target_size", "SHAPE", nll_call("mean"),
            [const(U((2, 3, 4))), const(I((2, 5), 0, 3)), None], **a)
    w.error(op, "5d_target_rank", "SHAPE", nll_call("mean"),
            [const(U((2, 3, 1, 2, 2))), const(I((2, 1, 4), 0, 3)), None], **a)
    w.error(op, "4d_target_rank", "SHAPE", nll_call("mean"),
            [const(U((2, 3, 2, 2))), const(I((2, 4), 0, 3)), None], **a)
    w.error(op, "4d_size_mismatch", "SHAPE", nll_call("mean"),
            [const(U((2, 3, 2, 2))), const(I((2, 2, 3), 0, 3)), None], **a)
    w.error(op, "4d_weight", "SHAPE", nll_call("mean"),
            [const(U((2, 3, 2, 2))), const(I((2, 2, 2), 0, 3)), const(U((2,), 0.5, 1))], **a)
    w.error(op, "3d_weight", "SHAPE", nll_call("mean"),
            [const(U((2, 3, 2))), const(I((2, 2), 0, 3)), const(U((4,), 0.5, 1))], **a)
    w.error(op, "int_input", "DTYPE", nll_call("mean"),
            [const(I((3, 4), 0, 3)), const(T([0, 1, 2], I64)), None], **a)
    w.error(op, "reduction_7", "INVALID_ARG", nll_call("7"),
            [const(x34), const(T([0, 1, 2], I64)), None], reduction=7, ignore_index=-100)


def gen_cross_entropy(w):
    op = "cross_entropy"
    for dt, dn in FLOATS:
        for red in REDS:
            a = dict(reduction=RED[red], ignore_index=-100, label_smoothing=0.0)
            w.add(op, "idx_%s_%s" % (red, dn), ce_call(red),
                  [inp(U((4, 5), dtype=dt)), const(I((4,), 0, 5)), None], **a)
            w.add(op, "idx_weight_%s_%s" % (red, dn), ce_call(red),
                  [inp(U((4, 5), dtype=dt)), const(I((4,), 0, 5)), const(U((5,), 0.2, 2, dt))],
                  **a)
            w.add(op, "idx_ignore_%s_%s" % (red, dn), ce_call(red, 2),
                  [inp(U((5, 3), dtype=dt)), const(T([0, 2, 1, 2, 0], I64)), None],
                  reduction=RED[red], ignore_index=2, label_smoothing=0.0)
            w.add(op, "idx_1d_%s_%s" % (red, dn), ce_call(red),
                  [inp(U((4,), dtype=dt)), const(T(1, I64)), None], **a)
            w.add(op, "idx_3d_%s_%s" % (red, dn), ce_call(red),
                  [inp(U((2, 3, 4), dtype=dt)), const(I((2, 4), 0, 3)), None], **a)
            w.add(op, "idx_4d_%s_%s" % (red, dn), ce_call(red),
                  [inp(U((2, 3, 2, 2), dtype=dt)), const(I((2, 2, 2), 0, 3)),
                   const(U((3,), 0.2, 2, dt))], **a)
            w.add(op, "idx_noncontig_%s_%s" % (red, dn), ce_call(red),
                  [inp(U((5, 3), dtype=dt), tr=True), const(I((3,), 0, 5)), None], **a)
            for ls in (0.1, 0.35):
                b = dict(reduction=RED[red], ignore_index=-100, label_smoothing=ls)
                lsn = str(ls).replace(".", "p")
                w.add(op, "smooth_%s_%s_%s" % (lsn, red, dn), ce_call(red, ls=ls),
                      [inp(U((4, 5), dtype=dt)), const(I((4,), 0, 5)), None], **b)
            b = dict(reduction=RED[red], ignore_index=1, label_smoothing=0.2)
            w.add(op, "smooth_weight_ignore_%s_%s" % (red, dn), ce_call(red, 1, 0.2),
                  [inp(U((5, 4), dtype=dt)), const(T([0, 1, 3, 1, 2], I64)),
                   const(U((4,), 0.2, 2, dt))], **b)
            b = dict(reduction=RED[red], ignore_index=-100, label_smoothing=0.25)
            w.add(op, "smooth_3d_%s_%s" % (red, dn), ce_call(red, ls=0.25),
                  [inp(U((2, 3, 2), dtype=dt)), const(I((2, 2), 0, 3)),
                   const(U((3,), 0.2, 2, dt))], **b)
            w.add(op, "smooth_1d_%s_%s" % (red, dn), ce_call(red, ls=0.25),
                  [inp(U((4,), dtype=dt)), const(T(3, I64)), None], **b)
            # class probabilities (targets differentiable too)
            w.add(op, "prob_%s_%s" % (red, dn), ce_call(red),
                  [inp(U((3, 4), dtype=dt)), inp(PROBS((3, 4), 1, dt)), None], **a)
            w.add(op, "prob_weight_%s_%s" % (red, dn), ce_call(red),
                  [inp(U((3, 4), dtype=dt)), inp(PROBS((3, 4), 1, dt)),
                   const(U((4,), 0.2, 2, dt))], **a)
            b = dict(reduction=RED[red], ignore_index=-100, label_smoothing=0.3)
            w.add(op, "prob_smooth_%s_%s" % (red, dn), ce_call(red, ls=0.3),
                  [inp(U((3, 4), dtype=dt)), inp(PROBS((3, 4), 1, dt)), None], **b)
            w.add(op, "prob_1d_%s_%s" % (red, dn), ce_call(red),
                  [inp(U((4,), dtype=dt)), inp(PROBS((4,), 0, dt)), const(U((4,), 0.2, 2, dt))],
                  **a)
            w.add(op, "prob_3d_%s_%s" % (red, dn), ce_call(red),
                  [inp(U((2, 3, 2), dtype=dt)), inp(PROBS((2, 3, 2), 1, dt)),
                   const(U((3,), 0.2, 2, dt))], **a)
            w.add(op, "prob_noncontig_%s_%s" % (red, dn), ce_call(red),
                  [inp(U((4, 3), dtype=dt), tr=True), inp(PROBS((4, 3), 0, dt), tr=True), None],
                  **a)
        a = dict(reduction=RED["mean"], ignore_index=-100, label_smoothing=0.0)
        w.add(op, "prob_empty_mean_" + dn, ce_call("mean"),
              [inp(U((0, 3), dtype=dt)), inp(U((0, 3), dtype=dt)), None], **a)
        w.add(op, "idx_empty_mean_" + dn, ce_call("mean"),
              [inp(U((0, 3), dtype=dt)), const(torch.zeros(0, dtype=I64)), None], **a)
        w.add(op, "smooth_all_ignored_" + dn, ce_call("mean", ls=0.2),
              [inp(U((2, 3), dtype=dt)), const(T([-100, -100], I64)), None],
              reduction=RED["mean"], ignore_index=-100, label_smoothing=0.2)
        w.add(op, "negative_smoothing_" + dn, ce_call("mean", ls=-0.5),
              [inp(U((2, 3), dtype=dt)), const(T([0, 2], I64)), None],
              reduction=RED["mean"], ignore_index=-100, label_smoothing=-0.5)
        w.add(op, "smoothing_1_" + dn, ce_call("sum", ls=1.0),
              [inp(U((2, 3), dtype=dt)), const(T([0, 2], I64)), None],
              reduction=RED["sum"], ignore_index=-100, label_smoothing=1.0)
    a = dict(reduction=RED["mean"], ignore_index=-100, label_smoothing=0.0)
    w.add(op, "prob_f32_f64_target", ce_call("mean"),
          [inp(U((2, 3))), inp(PROBS((2, 3), 1, F64)), None], **a)
    w.add(op, "large_logits", ce_call("mean"),
          [inp(T([[1000.0, -1000.0, 0.0], [50.0, 60.0, 70.0]])), const(T([1, 0], I64)), None],
          **a)
    x34 = U((3, 4))
    w.error(op, "prob_int_target", "DTYPE", ce_call("mean"),
            [const(x34), const(I((3, 4), 0, 2)), None], **a)
    w.error(op, "prob_ignore_index", "INVALID_ARG", ce_call("mean", 1),
            [const(x34), const(PROBS((3, 4), 1)), None], reduction=RED["mean"], ignore_index=1,
            label_smoothing=0.0)
    w.error(op, "smoothing_gt_1", "INVALID_ARG", ce_call("mean", ls=1.5),
            [const(x34), const(T([0, 1, 2], I64)), None], reduction=RED["mean"],
            ignore_index=-100, label_smoothing=1.5)
    w.error(op, "prob_smoothing_gt_1", "INVALID_ARG", ce_call("mean", ls=2.0),
            [const(x34), const(PROBS((3, 4), 1)), None], reduction=RED["mean"],
            ignore_index=-100, label_smoothing=2.0)
    w.error(op, "prob_weight_size", "SHAPE", ce_call("mean"),
            [const(x34), const(PROBS((3, 4), 1)), const(U((3,), 0.5, 1))], **a)
    w.error(op, "weight_size", "SHAPE", ce_call("mean"),
            [const(x34), const(T([0, 1, 2], I64)), const(U((3,), 0.5, 1))], **a)
    w.error(op, "int_input", "DTYPE", ce_call("mean"),
            [const(I((3, 4), 0, 3)), const(T([0, 1, 2], I64)), None], **a)
    w.error(op, "int_input_3d", "DTYPE", ce_call("mean"),
            [const(I((2, 3, 2), 0, 3)), const(I((2, 2), 0, 3)), None], **a)
    w.error(op, "target_oob", "INDEX", ce_call("mean"),
            [const(x34), const(T([0, 4, 1], I64)), None], **a)
    w.error(op, "smooth_target_oob", "INDEX", ce_call("mean", ls=0.1),
            [const(x34), const(T([0, 7, 1], I64)), None], reduction=RED["mean"],
            ignore_index=-100, label_smoothing=0.1)
    w.error(op, "batch_mismatch", "SHAPE", ce_call("mean"),
            [const(x34), const(T([0, 1], I64)), None], **a)
    w.error(op, "multi_target", "SHAPE", ce_call("mean"),
            [const(x34), const(torch.rand(3, 5, generator=_draw.gen)), None], **a)
    w.error(op, "input_0d", "INDEX", ce_call("mean"), [const(U(())), const(T([0], I64)), None],
            **a)
    w.error(op, "prob_input_0d", "INDEX", ce_call("mean"), [const(U(())), const(U(())), None],
            **a)
    w.error(op, "weight_requires_grad", "AUTOGRAD", ce_call("mean"),
            [inp(x34), const(T([0, 1, 2], I64)), inp(U((4,), 0.5, 1))], **a)


# ------------------------------------------------------------------ pointwise losses

def pair_cases(w, op, call, **extra):
    for dt, dn in FLOATS:
        for red in REDS:
            a = dict(reduction=RED[red], **extra)
            w.add(op, "2x3_%s_%s" % (red, dn), call(red), [inp(U((2, 3), dtype=dt)),
                                                            const(U((2, 3), dtype=dt))], **a)
            w.add(op, "both_rg_%s_%s" % (red, dn), call(red), [inp(U((3, 4), dtype=dt)),
                                                                inp(U((3, 4), dtype=dt))], **a)
            w.add(op, "bcast_%s_%s" % (red, dn), call(red), [inp(U((3, 1), dtype=dt)),
                                                              inp(U((1, 4), dtype=dt))], **a)
            w.add(op, "bcast_3d_%s_%s" % (red, dn), call(red), [inp(U((4,), dtype=dt)),
                                                                 inp(U((2, 3, 4), dtype=dt))], **a)
            w.add(op, "0d_%s_%s" % (red, dn), call(red), [inp(U((), dtype=dt)),
                                                           inp(U((), dtype=dt))], **a)
            w.add(op, "noncontig_%s_%s" % (red, dn), call(red),
                  [inp(U((3, 2), dtype=dt), tr=True), inp(U((2, 3), dtype=dt))], **a)
            w.add(op, "empty_%s_%s" % (red, dn), call(red), [inp(U((0, 3), dtype=dt)),
                                                              inp(U((0, 3), dtype=dt))], **a)
        a = dict(reduction=RED["mean"], **extra)
        w.add(op, "target_only_rg_" + dn, call("mean"), [const(U((2, 3), dtype=dt)),
                                                         inp(U((2, 3), dtype=dt))], **a)
        w.add(op, "no_grad_" + dn, call("mean"), [const(U((2, 3), dtype=dt)),
                                                  const(U((2, 3), dtype=dt))], **a)
    a = dict(reduction=RED["mean"], **extra)
    # mixed float32/float64: forward only for the fused losses, whose backward kernels in
    # PyTorch reject the mix ("Found dtype Double but expected Float"); l1_loss is composed
    rg = op == "l1_loss"
    w.add(op, "promote_f32_f64", call("mean"),
          [inp(U((2, 3)), rg=rg), inp(U((2, 3), dtype=F64), rg=rg)], **a)
    w.add(op, "promote_i64_f32", call("sum"), [const(I((2, 3), -3, 4)), inp(U((2, 3)), rg=rg)],
          reduction=RED["sum"], **extra)
    w.error(op, "bcast", "SHAPE", call("mean"), [const(U((3, 4))), const(U((3, 5)))], **a)


def gen_pointwise_losses(w):
    mse = lambda red: lambda x, t: F.mse_loss(x, t, reduction=red)  # noqa: E731
    l1 = lambda red: lambda x, t: F.l1_loss(x, t, reduction=red)  # noqa: E731
    pair_cases(w, "mse_loss", mse)
    w.error("mse_loss", "reduction_7", "INVALID_ARG", mse("7"), [const(U((3,))), const(U((3,)))],
            reduction=7)
    w.error("mse_loss", "int", "DTYPE", mse("mean"), [const(I((3,), 0, 3)), const(I((3,), 0, 3))],
            reduction=RED["mean"])
    w.error("mse_loss", "bool", "DTYPE", mse("sum"),
            [const(T([True, False], BOOL)), const(T([True, True], BOOL))], reduction=RED["sum"])
    pair_cases(w, "l1_loss", l1)
    # |x - t| at x == t: sign(0) = 0 (the subgradient of minimum norm)
    w.add("l1_loss", "kink_equal", l1("sum"), [inp(T([1.0, 2.0, -0.5])), inp(T([1.0, 0.0, -0.5]))],
          reduction=RED["sum"])
    w.add("l1_loss", "int_none", l1("none"), [const(I((3,), -3, 3)), const(I((3,), -3, 3))],
          reduction=RED["none"])
    w.add("l1_loss", "int_sum", l1("sum"), [const(I((3,), -3, 3)), const(I((3,), -3, 3))],
          reduction=RED["sum"])
    w.error("l1_loss", "int_mean", "DTYPE", l1("mean"),
            [const(I((3,), 0, 3)), const(I((3,), 0, 3))], reduction=RED["mean"])

    def sl1(red, beta=1.0):
        if beta == 0.0:  # PyTorch 2.x's F.smooth_l1_loss calls l1_loss for beta 0
            return lambda x, t: F.l1_loss(x, t, reduction=red)
        return lambda x, t: F.smooth_l1_loss(x, t, reduction=red, beta=beta)
    pair_cases(w, "smooth_l1_loss", sl1, beta=1.0)
    for beta in (0.5, 2.0, 0.0):
        bn = str(beta).replace(".", "p")
        for dt, dn in FLOATS:
            for red in REDS:
                w.add("smooth_l1_loss", "beta%s_%s_%s" % (bn, red, dn), sl1(red, beta),
                      [inp(U((3, 4), -3, 3, dt)), inp(U((3, 4), -3, 3, dt))],
                      reduction=RED[red], beta=beta)
    # |x - t| exactly beta and -beta (both branches give +-1 there), and 0
    w.add("smooth_l1_loss", "kinks", sl1("sum", 0.5),
          [inp(T([1.5, 0.0, 2.0, 3.0], F64)), inp(T([1.0, 0.5, 2.0, 1.0], F64))],
          reduction=RED["sum"], beta=0.5)
    w.error("smooth_l1_loss", "negative_beta", "INVALID_ARG", sl1("mean", -1.0),
            [const(U((3,))), const(U((3,)))], reduction=RED["mean"], beta=-1.0)
    w.error("smooth_l1_loss", "int", "DTYPE", sl1("mean"),
            [const(I((3,), 0, 3)), const(I((3,), 0, 3))], reduction=RED["mean"], beta=1.0)


# ------------------------------------------------------------------ binary cross entropy

def gen_bce(w):
    op = "binary_cross_entropy"
    bce = lambda red: lambda x, t, wt: F.binary_cross_entropy(x, t, weight=wt,  # noqa: E731
                                                               reduction=red)
    for dt, dn in FLOATS:
        for red in REDS:
            a = dict(reduction=RED[red])
            w.add(op, "2x3_%s_%s" % (red, dn), bce(red), [inp(P((2, 3), dt)),
                                                          const(P((2, 3), dt)), None], **a)
            w.add(op, "target_rg_%s_%s" % (red, dn), bce(red), [inp(P((3, 4), dt)),
                                                                inp(P((3, 4), dt)), None], **a)
            w.add(op, "weight_%s_%s" % (red, dn), bce(red),
                  [inp(P((3, 4), dt)), inp(P((3, 4), dt)), const(U((3, 4), 0.2, 2, dt))], **a)
            w.add(op, "weight_bcast_%s_%s" % (red, dn), bce(red),
                  [inp(P((3, 4), dt)), const(P((3, 4), dt)), const(U((4,), 0.2, 2, dt))], **a)
            w.add(op, "noncontig_%s_%s" % (red, dn), bce(red),
                  [inp(P((4, 3), dt), tr=True), inp(P((4, 3), dt), tr=True), None], **a)
            w.add(op, "0d_%s_%s" % (red, dn), bce(red), [inp(P((), dt)), inp(P((), dt)), None],
                  **a)
            w.add(op, "empty_%s_%s" % (red, dn), bce(red), [inp(P((0, 2), dt)),
                                                            inp(P((0, 2), dt)), None], **a)
        # the logs are clamped at -100 (inputs exactly 0 and 1)
        w.add(op, "clamp_" + dn, bce("none"),
              [inp(T([0.0, 1.0, 0.0, 1.0, 0.5], dt)), const(T([0.0, 1.0, 1.0, 0.0, 0.3], dt)),
               None], reduction=RED["none"])
        w.add(op, "clamp_sum_" + dn, bce("sum"),
              [inp(T([0.0, 1.0, 1e-30, 0.25], dt)), const(T([1.0, 0.0, 1.0, 0.5], dt)), None],
              reduction=RED["sum"])
    w.add(op, "weight_f64_on_f32", bce("mean"),
          [inp(P((2, 3))), const(P((2, 3))), const(U((2, 3), 0.5, 2, F64))], reduction=RED["mean"])
    a = dict(reduction=RED["mean"])
    w.error(op, "size", "SHAPE", bce("mean"), [const(P((3, 4))), const(P((3, 5))), None], **a)
    w.error(op, "range_high", "INVALID_ARG", bce("mean"),
            [const(T([0.5, 1.5])), const(T([0.0, 1.0])), None], **a)
    w.error(op, "range_negative", "INVALID_ARG", bce("sum"),
            [const(T([-0.1, 0.5])), const(T([0.0, 1.0])), None], reduction=RED["sum"])
    w.error(op, "range_nan", "INVALID_ARG", bce("none"),
            [const(T([math.nan])), const(T([0.0])), None], reduction=RED["none"])
    w.error(op, "dtype", "DTYPE", bce("mean"), [const(P((3,))), const(P((3,), F64)), None], **a)
    w.error(op, "int", "DTYPE", bce("mean"), [const(I((3,), 0, 2)), const(I((3,), 0, 2)), None],
            **a)
    w.error(op, "weight_bcast", "SHAPE", bce("mean"),
            [const(P((3, 4))), const(P((3, 4))), const(U((5,), 0.5, 1))], **a)
    w.error(op, "weight_bigger", "SHAPE", bce("mean"),
            [const(P((3,))), const(P((3,))), const(U((2, 3), 0.5, 1))], **a)
    w.error(op, "weight_requires_grad", "AUTOGRAD", bce("mean"),
            [inp(P((3,))), const(P((3,))), inp(U((3,), 0.5, 1))], **a)

    op = "binary_cross_entropy_with_logits"

    def bcel(red):
        return lambda x, t, wt, pw: F.binary_cross_entropy_with_logits(
            x, t, weight=wt, pos_weight=pw, reduction=red)
    for dt, dn in FLOATS:
        for red in REDS:
            a = dict(reduction=RED[red])
            w.add(op, "2x3_%s_%s" % (red, dn), bcel(red),
                  [inp(U((2, 3), -4, 4, dt)), const(P((2, 3), dt)), None, None], **a)
            w.add(op, "target_rg_%s_%s" % (red, dn), bcel(red),
                  [inp(U((3, 4), -4, 4, dt)), inp(P((3, 4), dt)), None, None], **a)
            w.add(op, "weight_%s_%s" % (red, dn), bcel(red),
                  [inp(U((3, 4), -4, 4, dt)), inp(P((3, 4), dt)), const(U((3, 4), 0.2, 2, dt)),
                   None], **a)
            w.add(op, "pos_weight_%s_%s" % (red, dn), bcel(red),
                  [inp(U((3, 4), -4, 4, dt)), inp(P((3, 4), dt)), None,
                   const(U((4,), 0.2, 3, dt))], **a)
            w.add(op, "both_%s_%s" % (red, dn), bcel(red),
                  [inp(U((2, 3, 4), -4, 4, dt)), inp(P((2, 3, 4), dt)),
                   const(U((3, 1), 0.2, 2, dt)), const(U((4,), 0.2, 3, dt))], **a)
            w.add(op, "noncontig_%s_%s" % (red, dn), bcel(red),
                  [inp(U((4, 3), -4, 4, dt), tr=True), inp(P((3, 4), dt)), None,
                   const(U((4,), 0.2, 3, dt))], **a)
            w.add(op, "0d_%s_%s" % (red, dn), bcel(red),
                  [inp(U((), -4, 4, dt)), inp(P((), dt)), None, None], **a)
            w.add(op, "empty_%s_%s" % (red, dn), bcel(red),
                  [inp(U((0, 3), dtype=dt)), inp(P((0, 3), dt)), None, None], **a)
        w.add(op, "large_logits_" + dn, bcel("none"),
              [inp(T([100.0, -100.0, 1000.0, -1000.0, 0.0, 30.0], dt)),
               inp(T([0.0, 1.0, 0.5, 0.5, 1.0, 1.0], dt)), None,
               const(T([2.0, 0.5, 3.0, 1.0, 1.0, 0.25], dt))], reduction=RED["none"])
    w.add(op, "promote_f32_f64", bcel("mean"),
          [inp(U((2, 3))), inp(P((2, 3), F64)), None, None], reduction=RED["mean"])
    a = dict(reduction=RED["mean"])
    x34, t34 = U((3, 4)), P((3, 4))
    w.error(op, "size", "SHAPE", bcel("mean"), [const(x34), const(P((3, 5))), None, None], **a)
    w.error(op, "weight_bcast", "SHAPE", bcel("mean"),
            [const(x34), const(t34), const(U((5,), 0.5, 1)), None], **a)
    w.error(op, "pos_weight_bcast", "SHAPE", bcel("mean"),
            [const(x34), const(t34), None, const(U((5,), 0.5, 1))], **a)
    w.error(op, "weight_bigger", "SHAPE", bcel("mean"),
            [const(U((3,))), const(P((3,))), const(U((2, 3), 0.5, 1)), None], **a)
    w.error(op, "pos_weight_bigger", "SHAPE", bcel("mean"),
            [const(U((3,))), const(P((3,))), None, const(U((2, 3), 0.5, 1))], **a)
    w.error(op, "weight_requires_grad", "AUTOGRAD", bcel("mean"),
            [inp(x34), const(t34), inp(U((4,), 0.5, 1)), None], **a)
    w.error(op, "pos_weight_requires_grad", "AUTOGRAD", bcel("mean"),
            [inp(x34), const(t34), None, inp(U((4,), 0.5, 1))], **a)


# ------------------------------------------------------------------ layer_norm, batch_norm

def gen_layer_norm(w):
    op = "layer_norm"

    def ln(shape, eps=1e-5):
        return lambda x, wt, b: F.layer_norm(x, shape, wt, b, eps)
    for dt, dn in FLOATS:
        w.add(op, "3d_last_" + dn, ln((4,)),
              [inp(U((2, 3, 4), dtype=dt)), inp(U((4,), dtype=dt)), inp(U((4,), dtype=dt))],
              size=(4,), eps=1e-5)
        w.add(op, "3d_last2_" + dn, ln((3, 4)),
              [inp(U((2, 3, 4), dtype=dt)), inp(U((3, 4), dtype=dt)), inp(U((3, 4), dtype=dt))],
              size=(3, 4), eps=1e-5)
        w.add(op, "3d_all_" + dn, ln((2, 3, 4), 1e-3),
              [inp(U((2, 3, 4), dtype=dt)), None, None], size=(2, 3, 4), eps=1e-3)
        w.add(op, "weight_only_" + dn, ln((5,)),
              [inp(U((3, 5), dtype=dt)), inp(U((5,), dtype=dt)), None], size=(5,), eps=1e-5)
        w.add(op, "bias_only_" + dn, ln((5,)),
              [inp(U((3, 5), dtype=dt)), None, inp(U((5,), dtype=dt))], size=(5,), eps=1e-5)
        w.add(op, "1d_" + dn, ln((6,)), [inp(U((6,), dtype=dt)), inp(U((6,), dtype=dt)),
                                         const(U((6,), dtype=dt))], size=(6,), eps=1e-5)
        w.add(op, "noncontig_" + dn, ln((4,)),
              [inp(U((4, 3), dtype=dt), tr=True), const(U((4,), dtype=dt)),
               inp(U((4,), dtype=dt))], size=(4,), eps=1e-5)
        w.add(op, "params_only_rg_" + dn, ln((4,)),
              [const(U((3, 4), dtype=dt)), inp(U((4,), dtype=dt)), inp(U((4,), dtype=dt))],
              size=(4,), eps=1e-5)
        w.add(op, "empty_batch_" + dn, ln((4,)),
              [inp(U((0, 4), dtype=dt)), inp(U((4,), dtype=dt)), inp(U((4,), dtype=dt))],
              size=(4,), eps=1e-5)
        w.add(op, "constant_rows_" + dn, ln((3,), 1e-2),
              [inp(T([[2.0, 2.0, 2.0], [1.0, -1.0, 0.0]], dt)), None, None], size=(3,), eps=1e-2)
    w.error(op, "shape", "SHAPE", ln((3,)), [const(U((3, 4))), None, None], size=(3,), eps=1e-5)
    w.error(op, "shape_rank", "SHAPE", ln((2, 3, 4)), [const(U((3, 4))), None, None],
            size=(2, 3, 4), eps=1e-5)
    w.error(op, "empty_shape", "SHAPE", ln(()), [const(U((3, 4))), None, None], size=(),
            eps=1e-5)
    w.error(op, "weight_shape", "SHAPE", ln((4,)), [const(U((3, 4))), const(U((3,))), None],
            size=(4,), eps=1e-5)
    w.error(op, "bias_shape", "SHAPE", ln((4,)), [const(U((3, 4))), None, const(U((2, 2)))],
            size=(4,), eps=1e-5)
    w.error(op, "int", "DTYPE", ln((4,)), [const(I((3, 4), 0, 3)), None, None], size=(4,),
            eps=1e-5)
    w.error(op, "weight_f64", "DTYPE", ln((4,)), [const(U((3, 4))), const(U((4,), dtype=F64)),
                                                  None], size=(4,), eps=1e-5)
    w.error(op, "weight_f32_on_f64", "DTYPE", ln((4,)),
            [const(U((3, 4), dtype=F64)), const(U((4,))), None], size=(4,), eps=1e-5)
    w.error(op, "bias_f64", "DTYPE", ln((4,)),
            [const(U((3, 4))), const(U((4,))), const(U((4,), dtype=F64))], size=(4,), eps=1e-5)


def gen_batch_norm(w):
    op = "batch_norm"

    def bn(training, momentum=0.1, eps=1e-5):
        return lambda x, rm, rv, wt, b: F.batch_norm(x, rm, rv, wt, b, training, momentum, eps)

    def stats(c, dt):
        return const(U((c,), -0.5, 0.5, dt)), const(U((c,), 0.5, 2.0, dt))

    for dt, dn in FLOATS:
        tr = dict(training=True, momentum=0.1, eps=1e-5)
        rm, rv = stats(3, dt)
        w.add(op, "train_2d_" + dn, bn(True), [inp(U((4, 3), dtype=dt)), rm, rv,
                                               inp(U((3,), dtype=dt)), inp(U((3,), dtype=dt))],
              after=(1, 2), **tr)
        rm, rv = stats(2, dt)
        w.add(op, "train_3d_" + dn, bn(True, 0.3), [inp(U((3, 2, 4), dtype=dt)), rm, rv,
                                                    inp(U((2,), dtype=dt)), None],
              after=(1, 2), training=True, momentum=0.3, eps=1e-5)
        rm, rv = stats(3, dt)
        w.add(op, "train_4d_" + dn, bn(True, 0.1, 1e-3),
              [inp(U((2, 3, 2, 2), dtype=dt)), rm, rv, inp(U((3,), dtype=dt)),
               inp(U((3,), dtype=dt))], after=(1, 2), training=True, momentum=0.1, eps=1e-3)
        w.add(op, "train_no_stats_" + dn, bn(True), [inp(U((5, 2), dtype=dt)), None, None,
                                                     None, None], **tr)
        rm, _ = stats(3, dt)
        w.add(op, "train_mean_only_" + dn, bn(True),
              [inp(U((4, 3), dtype=dt)), rm, None, None, inp(U((3,), dtype=dt))], after=(1,),
              **tr)
        rm, rv = stats(3, dt)
        w.add(op, "train_noncontig_" + dn, bn(True),
              [inp(U((3, 4), dtype=dt), tr=True), rm, rv, const(U((3,), dtype=dt)),
               inp(U((3,), dtype=dt))], after=(1, 2), **tr)
        rm, rv = stats(1, dt)
        w.add(op, "train_n1_spatial_" + dn, bn(True), [inp(U((1, 1, 3), dtype=dt)), rm, rv,
                                                       None, None], after=(1, 2), **tr)
        ev = dict(training=False, momentum=0.1, eps=1e-5)
        rm, rv = stats(3, dt)
        w.add(op, "eval_2d_" + dn, bn(False), [inp(U((4, 3), dtype=dt)), rm, rv,
                                               inp(U((3,), dtype=dt)), inp(U((3,), dtype=dt))],
              after=(1, 2), **ev)
        rm, rv = stats(2, dt)
        w.add(op, "eval_4d_" + dn, bn(False), [inp(U((2, 2, 2, 3), dtype=dt)), rm, rv, None,
                                               None], **ev)
        rm, rv = stats(3, dt)
        w.add(op, "eval_batch1_" + dn, bn(False), [inp(U((1, 3), dtype=dt)), rm, rv,
                                                   inp(U((3,), dtype=dt)), None], **ev)
    tr = dict(training=True, momentum=0.1, eps=1e-5)
    ev = dict(training=False, momentum=0.1, eps=1e-5)
    w.error(op, "batch1", "SHAPE", bn(True), [const(U((1, 3))), None, None, None, None], **tr)
    w.error(op, "scalar", "INDEX", bn(True), [const(U(())), None, None, None, None], **tr)
    w.error(op, "batch1_spatial", "SHAPE", bn(True), [const(U((1, 3, 1))), None, None, None,
                                                       None], **tr)
    w.error(op, "running_mean_size", "SHAPE", bn(True),
            [const(U((2, 3))), const(U((4,))), const(U((3,), 0.5, 1)), None, None], **tr)
    w.error(op, "running_var_size", "SHAPE", bn(True),
            [const(U((2, 3))), const(U((3,))), const(U((4,), 0.5, 1)), None, None], **tr)
    w.error(op, "weight_size", "SHAPE", bn(True),
            [const(U((2, 3))), None, None, const(U((2,))), None], **tr)
    w.error(op, "bias_size", "SHAPE", bn(False),
            [const(U((2, 3))), const(U((3,))), const(U((3,), 0.5, 1)), None, const(U((4,)))],
            **ev)
    w.error(op, "eval_no_mean", "INVALID_ARG", bn(False),
            [const(U((2, 3))), None, const(U((3,), 0.5, 1)), None, None], **ev)
    w.error(op, "eval_no_var", "INVALID_ARG", bn(False),
            [const(U((2, 3))), const(U((3,))), None, None, None], **ev)
    w.error(op, "int", "DTYPE", bn(True), [const(I((3, 4), 0, 3)), None, None, None, None], **tr)
    w.error(op, "mixed_f64_params", "DTYPE", bn(True),
            [const(U((3, 4))), const(U((4,), dtype=F64)), const(U((4,), 0.5, 1, F64)), None,
             None], **tr)
    w.error(op, "1d_input", "INDEX", bn(True), [const(U((3,))), None, None, None, None], **tr)


def gen_embedding(w):
    op = "embedding"

    def emb(pad=None):
        return lambda wt, idx: F.embedding(idx, wt, padding_idx=pad)
    for dt, dn in FLOATS:
        w.add(op, "1d_" + dn, emb(), [inp(U((5, 3), dtype=dt)), const(T([0, 2, 4, 2], I64))],
              padding_idx=NO_PAD)
        w.add(op, "2d_" + dn, emb(), [inp(U((6, 2), dtype=dt)), const(I((3, 4), 0, 6))],
              padding_idx=NO_PAD)
        w.add(op, "0d_" + dn, emb(), [inp(U((4, 3), dtype=dt)), const(T(3, I64))],
              padding_idx=NO_PAD)
        w.add(op, "pad0_" + dn, emb(0), [inp(U((5, 3), dtype=dt)),
                                         const(T([[0, 1, 0], [4, 0, 1]], I64))], padding_idx=0)
        w.add(op, "pad2_" + dn, emb(2), [inp(U((5, 3), dtype=dt)), const(T([2, 2, 3, 1], I64))],
              padding_idx=2)
        w.add(op, "pad_neg_" + dn, emb(-1), [inp(U((5, 3), dtype=dt)),
                                             const(T([4, 0, 4, 3], I64))], padding_idx=-1)
        w.add(op, "noncontig_weight_" + dn, emb(), [inp(U((3, 5), dtype=dt), tr=True),
                                                     const(T([1, 4, 1], I64))], padding_idx=NO_PAD)
        w.add(op, "noncontig_idx_" + dn, emb(), [inp(U((6, 2), dtype=dt)),
                                                  const(I((3, 2), 0, 6), tr=True)],
              padding_idx=NO_PAD)
        w.add(op, "empty_" + dn, emb(), [inp(U((4, 3), dtype=dt)), const(torch.zeros(0, dtype=I64))],
              padding_idx=NO_PAD)
    w.add(op, "int_weight", emb(), [const(I((4, 2), -5, 5)), const(T([3, 0], I64))],
          padding_idx=NO_PAD)
    w.error(op, "oob", "INDEX", emb(), [const(U((5, 3))), const(T([0, 5], I64))],
            padding_idx=NO_PAD)
    w.error(op, "negative", "INDEX", emb(), [const(U((5, 3))), const(T([0, -1], I64))],
            padding_idx=NO_PAD)
    w.error(op, "float_idx", "DTYPE", emb(), [const(U((5, 3))), const(T([0.0, 1.0]))],
            padding_idx=NO_PAD)
    w.error(op, "bool_idx", "DTYPE", emb(), [const(U((5, 3))), const(T([True], BOOL))],
            padding_idx=NO_PAD)
    w.error(op, "weight_1d", "SHAPE", emb(), [const(U((5,))), const(T([0, 1], I64))],
            padding_idx=NO_PAD)
    w.error(op, "pad_high", "INVALID_ARG", emb(5), [const(U((5, 3))), const(T([0, 1], I64))],
            padding_idx=5)
    w.error(op, "pad_low", "INVALID_ARG", emb(-6), [const(U((5, 3))), const(T([0, 1], I64))],
            padding_idx=-6)


# ------------------------------------------------------------------ scenarios

def gen_scenarios(w):
    # running statistics are written without a version bump; an eval-mode node saved them,
    # so changing them in place before backward is caught
    x = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], requires_grad=True)
    rm, rv = torch.zeros(3), torch.ones(3)
    F.batch_norm(x, rm, rv, training=True)
    y = F.batch_norm(x, rm, rv, training=False)
    v_train = rm._version
    rm.add_(1)
    w.scenario("bn_eval_running_mean_modified", version_after_train=v_train,
               error=err_text(lambda: y.sum().backward()))
    # softmax saves its result: modifying it in place breaks backward
    x = torch.tensor([[1.0, 2.0], [3.0, 0.0]], requires_grad=True)
    y = F.softmax(x, 1)
    y.mul_(2)
    w.scenario("softmax_result_modified", error=err_text(lambda: y.sum().backward()))
    # layer_norm saves its input
    x = torch.tensor([[1.0, 2.0, 4.0]], requires_grad=True)
    h = x * 1
    y = F.layer_norm(h, (3,))
    h.add_(1)
    w.scenario("layer_norm_input_modified", error=err_text(lambda: y.sum().backward()))
    # backward twice without retain_graph
    x = torch.tensor([[1.0, 2.0], [3.0, 0.0]], requires_grad=True)
    y = F.cross_entropy(x, torch.tensor([0, 1]))
    y.backward()
    w.scenario("cross_entropy_backward_twice", grad=x.grad,
               error=err_text(lambda: y.backward()))


def generate(outdir):
    # F.mse_loss and friends warn about broadcasting targets, which some cases do on purpose
    warnings.filterwarnings("ignore", message="Using a target size")
    return Writer().run(outdir, "nn.txt", gen_softmax, gen_nll, gen_cross_entropy,
                        gen_pointwise_losses, gen_bce, gen_layer_norm, gen_batch_norm,
                        gen_embedding, gen_scenarios)


if __name__ == "__main__":
    generate(sys.argv[1])
