"""fixtures_conv.py — writes conv.txt: convolution, pooling and attention run in PyTorch.

conv1d, conv2d (int padding, and padding="same"/"valid": the C functions tg_conv*d_padding),
max_pool2d (with and without indices), avg_pool2d, adaptive_avg_pool2d and
scaled_dot_product_attention, as torch.nn.functional calls them. Each record holds the inputs
(None ones marked, transposed ones stored as their contiguous original), the op's arguments, the
output's dtype/shape/values and PyTorch 2.x grad_fn name, the upstream gradient v and every
input's .grad after out.backward(v). Error records hold PyTorch's exact message (2.x text, see
below) and the tg_status class the C library reports. "scenario" records are replayed by name in
tests/test_conv.c. Run: /usr/bin/python3 tools/fixtures_conv.py tests/fixtures

Where Debian's torch 1.13 differs from PyTorch 2.x (which the C library follows):
 - scaled_dot_product_attention does not exist in 1.13. Its records come from the formula of
   PyTorch 2.x's math backend, _scaled_dot_product_attention_math in
   aten/src/ATen/native/transformers/attention.cpp, which is also the documented reference
   implementation of F.scaled_dot_product_attention: q and k each multiplied by sqrt(scale)
   (scale defaults to 1/sqrt(E)), attn = q @ k^T, plus the additive mask (a bool mask and
   is_causal's ones(L, S).tril() become 0 where true and -inf where false), softmax over the
   last dim, @ v. 2.5+ uses _safe_softmax there: rows that are -inf throughout give 0 and a zero
   gradient instead of NaN; sdpa_reference below does the same with masked_fill (same values,
   same gradients). The grad_fn is the last matmul's, as in 2.x (UnsafeViewBackward0 for
   batched inputs, MmBackward0 for 2-D ones). The error texts are 2.x's validate_sdpa_input's;
   2.x adds the mask in place (attn.add_), so a mask that broadcasts to a larger shape fails
   with the in-place message.
 - Pooling's padding check: 1.13 says "pad should be at most half of kernel size, but got
   pad=2 and kernel_size=2"; 2.x's pooling_output_shape (aten/src/ATen/native/Pool.h) says
   "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and
   dilation=1" and compares against the dilated kernel ((k - 1) * d + 1) / 2, after which
   pool2d_shape_check still requires pad <= k / 2 ("pad should be smaller than or equal to half
   of kernel size, but got padW = 2, padH = 2, kW = 3, kH = 3"): that record is written by hand.
 - max_pool2d of int64 tensors: 2.x's CPU kernel dispatches over all types (MaxPoolKernel.cpp,
   AT_DISPATCH_ALL_TYPES_AND2); 1.13 raises '"max_pool2d" not implemented for 'Long''. Those
   records are computed by pooling the same integers as float64 (exact) and converting back.
 - conv with a negative dilation: 2.x's check_shape_forward (Convolution.cpp) raises "dilation
   should be greater than zero" first; 1.13 reached the dilated kernel's "..., but got [1, -1]".
   A zero dilation still reaches the kernel's check in 2.x ("but got [1, 0]").
 - conv1d with a bias of another dtype than the input: 2.x's conv1d checks it first ("Input
   type (double) and bias type (float) should be the same", Convolution.cpp, as conv2d does in
   both versions); 1.13's conv1d computed anyway.
"""
import math
import os
import sys
import warnings

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import F32, F64, I64, BOOL, FLOATS, T, Inp, inp  # noqa: E402
from fixture_common import CaseWriter, Draws, err as err_text, error_text  # noqa: E402
from fixture_common import fmt_ints as fmt_shape, fmt_scalar, fmt_values  # noqa: E402
from fixture_common import gfn_name  # noqa: E402


def error_2x(msg):
    """1.13's wording of an error -> 2.x's (see the notes on top)"""
    if msg.startswith("pad should be at most half of kernel size, but got pad="):
        # "pad=P and kernel_size=K": the ops below that reach it have dilation 1
        body = msg[len("pad should be at most half of kernel size, but got "):]
        pad, ks = body.split(" and ")
        return ("pad should be at most half of effective kernel size, but got %s, %s and "
                "dilation=1" % (pad, ks))
    return msg


# ------------------------------------------------------------------ deterministic inputs

_draws = Draws(20240612)


def U(shape, lo=-2.0, hi=2.0, dtype=F32):
    return _draws.uniform(shape, lo, hi, dtype)


def I(shape, lo, hi):
    return _draws.ints(shape, lo, hi)


def const(t, tr=False):
    return Inp(t, False, tr)


def trn(t, rg=None):
    """an input used transposed: t is stored with dims 0 and 1 swapped, so the op sees t"""
    return Inp(t.transpose(0, 1), rg, True)


# ------------------------------------------------------------------ the writer

class Writer(CaseWriter):
    """fixture_common's CaseWriter with conv.txt's arguments (int lists as "1 2"), max_pool2d's
    indices, 2.x error texts and scenario records"""

    KINDS = ("ok", "error", "scenario")

    @staticmethod
    def _arg(key, value):
        if value is None:
            return None
        if isinstance(value, (tuple, list)):
            return fmt_shape(value)
        return fmt_scalar(value, allow_bool=True)

    def add(self, op, tag, fn, inputs, **args):
        """fn(*effective_inputs) runs the op in PyTorch (a tensor, or (values, indices));
        args are the op's other arguments."""
        name, rec, leaves, effs = self._begin(op, tag, args, inputs)
        out = fn(*effs)
        if isinstance(out, tuple):
            out, idx = out
            rec.append(("out_indices", fmt_values(idx)))
        self._result(rec, out, gfn_name(out))
        if out.requires_grad:
            self._backward(rec, name, out, inputs, leaves)
        self._ok(rec)

    def error(self, op, tag, code, fn, inputs, **args):
        """a call that must fail with TG_ERR_<code> and "tg_<op>: <PyTorch's message>" """
        name, rec, _, effs = self._begin(op, "error_" + tag, args, inputs)
        self._fail(name, rec, code, lambda: fn(*effs), lambda e: error_2x(error_text(e)))

    def manual_error(self, op, tag, code, msg, inputs, **args):
        """an error of PyTorch 2.x that the installed 1.13 words differently or lacks (see the
        notes on top); the message is 2.x's source text"""
        _, rec, _, _ = self._begin(op, "error_" + tag, args, inputs)
        self._error(rec, code, msg)

    def scenario(self, name, **kv):
        rec = [("scenario", name)]
        for k, v in kv.items():
            rec.append((k, fmt_values(v) if isinstance(v, torch.Tensor) else str(v)))
        self._ok(rec, "scenario")


# ------------------------------------------------------------------ convolution

def conv_call(nsp, stride=None, padding=None, dilation=None, groups=1, mode=None):
    f = F.conv1d if nsp == 1 else F.conv2d
    kw = {"groups": groups}
    if stride is not None:
        kw["stride"] = tuple(stride)
    if dilation is not None:
        kw["dilation"] = tuple(dilation)
    if mode is not None:
        kw["padding"] = mode
    elif padding is not None:
        kw["padding"] = tuple(padding)
    return lambda x, w, b: f(x, w, b, **kw)


def conv_args(stride=None, padding=None, dilation=None, groups=1, mode=None):
    return dict(stride=stride, padding=padding, dilation=dilation, groups=groups, mode=mode)


def gen_conv2d(w):
    op = "conv2d"

    def case(tag, inputs, **a):
        w.add(op, tag, conv_call(2, **a), inputs, **conv_args(**a))

    for dt, dn in FLOATS:
        case("basic_bias_" + dn, [inp(U((1, 3, 5, 5), dtype=dt)), inp(U((4, 3, 3, 3), dtype=dt)),
                                  inp(U((4,), dtype=dt))])
        case("batch2_nobias_" + dn, [inp(U((2, 3, 5, 4), dtype=dt)),
                                     inp(U((2, 3, 3, 2), dtype=dt)), None])
        case("stride2_pad1_" + dn, [inp(U((2, 2, 6, 7), dtype=dt)), inp(U((3, 2, 3, 3), dtype=dt)),
                                    inp(U((3,), dtype=dt))], stride=(2, 2), padding=(1, 1))
        case("mixed_params_" + dn, [inp(U((1, 2, 7, 8), dtype=dt)),
                                    inp(U((2, 2, 2, 3), dtype=dt)), inp(U((2,), dtype=dt))],
             stride=(2, 1), padding=(1, 0), dilation=(1, 2))
        case("dilation2_" + dn, [inp(U((1, 2, 7, 7), dtype=dt)), inp(U((2, 2, 3, 3), dtype=dt)),
                                 None], dilation=(2, 2))
        case("groups2_" + dn, [inp(U((2, 4, 5, 5), dtype=dt)), inp(U((6, 2, 3, 3), dtype=dt)),
                               inp(U((6,), dtype=dt))], groups=2, padding=(1, 1))
        case("depthwise_" + dn, [inp(U((1, 3, 4, 5), dtype=dt)), inp(U((6, 1, 3, 3), dtype=dt)),
                                 inp(U((6,), dtype=dt))], groups=3, stride=(1, 2))
        case("unbatched_" + dn, [inp(U((3, 5, 5), dtype=dt)), inp(U((4, 3, 2, 2), dtype=dt)),
                                 inp(U((4,), dtype=dt))], padding=(1, 0))
        case("noncontig_" + dn, [trn(U((2, 3, 4, 4), dtype=dt)), trn(U((4, 3, 3, 3), dtype=dt)),
                                 inp(U((4,), dtype=dt))], padding=(1, 1))
        case("kernel1x1_" + dn, [inp(U((2, 3, 3, 4), dtype=dt)), inp(U((5, 3, 1, 1), dtype=dt)),
                                 inp(U((5,), dtype=dt))])
        case("kernel_is_input_" + dn, [inp(U((1, 2, 3, 4), dtype=dt)),
                                       inp(U((3, 2, 3, 4), dtype=dt)), inp(U((3,), dtype=dt))])
        case("stride_gt_kernel_" + dn, [inp(U((1, 2, 8, 7), dtype=dt)),
                                        inp(U((2, 2, 2, 2), dtype=dt)), None], stride=(3, 3))
        case("big_pad_" + dn, [inp(U((1, 1, 2, 3), dtype=dt)), inp(U((2, 1, 2, 2), dtype=dt)),
                               None], padding=(3, 2))
        case("empty_batch_" + dn, [inp(U((0, 3, 5, 5), dtype=dt)), inp(U((4, 3, 3, 3), dtype=dt)),
                                   inp(U((4,), dtype=dt))])
        case("zero_channels_" + dn, [inp(U((1, 0, 5, 5), dtype=dt)),
                                     inp(U((4, 0, 3, 3), dtype=dt)), inp(U((4,), dtype=dt))])
        case("input_const_" + dn, [const(U((1, 2, 4, 4), dtype=dt)),
                                   inp(U((3, 2, 2, 2), dtype=dt)), inp(U((3,), dtype=dt))])
        case("bias_only_" + dn, [const(U((1, 2, 4, 4), dtype=dt)),
                                 const(U((3, 2, 2, 2), dtype=dt)), inp(U((3,), dtype=dt))])
        case("no_grad_" + dn, [const(U((1, 2, 4, 4), dtype=dt)),
                               const(U((3, 2, 2, 2), dtype=dt)), None])
    case("int64", [const(I((2, 2, 4, 5), -5, 6)), const(I((3, 2, 2, 3), -3, 4)),
                   const(I((3,), -9, 10))], padding=(1, 1), stride=(1, 2))
    case("int64_groups_dilation", [const(I((1, 4, 6, 6), -5, 6)), const(I((2, 2, 2, 2), -3, 4)),
                                   None], groups=2, dilation=(2, 2))
    big = U((2, 16, 12, 12), dtype=F64)
    case("larger_f64", [inp(big), inp(U((8, 8, 3, 3), dtype=F64)), inp(U((8,), dtype=F64))],
         padding=(1, 1), groups=2)

    # padding="same" / "valid": the C function tg_conv2d_padding
    opp = "conv2d_padding"

    def pcase(tag, inputs, **a):
        w.add(opp, tag, conv_call(2, **a), inputs, **conv_args(**a))

    for dt, dn in FLOATS:
        pcase("same_odd_" + dn, [inp(U((1, 2, 5, 6), dtype=dt)), inp(U((3, 2, 3, 3), dtype=dt)),
                                 inp(U((3,), dtype=dt))], mode="same")
        pcase("same_even_" + dn, [inp(U((2, 2, 4, 5), dtype=dt)), inp(U((3, 2, 2, 4), dtype=dt)),
                                  None], mode="same")
        pcase("same_dilated_" + dn, [inp(U((1, 2, 6, 6), dtype=dt)),
                                     inp(U((2, 2, 2, 3), dtype=dt)), inp(U((2,), dtype=dt))],
              mode="same", dilation=(3, 2))
        pcase("same_kernel_gt_input_" + dn, [inp(U((1, 1, 2, 3), dtype=dt)),
                                             inp(U((2, 1, 5, 4), dtype=dt)), None], mode="same")
        pcase("same_groups_unbatched_" + dn, [inp(U((4, 5, 5), dtype=dt)),
                                              inp(U((2, 2, 3, 3), dtype=dt)), None],
              mode="same", groups=2)
        pcase("valid_" + dn, [inp(U((1, 2, 5, 6), dtype=dt)), inp(U((3, 2, 3, 2), dtype=dt)),
                              inp(U((3,), dtype=dt))], mode="valid", stride=(2, 2))

    # errors, in PyTorch's order of checks
    x, wt = U((1, 3, 5, 5)), U((4, 3, 3, 3))
    E = lambda tag, code, inputs, **a: w.error(op, tag, code, conv_call(2, **a), inputs,
                                               **conv_args(**a))
    E("rank2", "SHAPE", [const(U((2, 3))), const(wt), None])
    E("rank5", "SHAPE", [const(U((1, 1, 3, 5, 5))), const(wt), None])
    E("bias_dtype", "DTYPE", [const(x), const(wt), const(U((4,), dtype=F64))])
    E("weight_2d", "SHAPE", [const(x), const(U((4, 3))), None])
    E("weight_3d", "SHAPE", [const(x), const(U((4, 3, 3))), None])
    E("weight_5d", "SHAPE", [const(x), const(U((4, 3, 3, 3, 3))), None])
    E("groups0", "INVALID_ARG", [const(x), const(wt), None], groups=0)
    E("padding_neg", "INVALID_ARG", [const(x), const(wt), None], padding=(1, -1))
    E("stride0", "INVALID_ARG", [const(x), const(wt), None], stride=(0, 1))
    E("stride_neg", "INVALID_ARG", [const(x), const(wt), None], stride=(1, -2))
    E("weight_lt_groups", "SHAPE", [const(U((1, 6, 5, 5))), const(U((1, 3, 3, 3))), None],
      groups=2)
    E("weight_not_divisible", "SHAPE", [const(U((1, 6, 5, 5))), const(U((3, 3, 3, 3))), None],
      groups=2)
    E("channels", "SHAPE", [const(U((1, 2, 5, 5))), const(wt), None])
    E("channels_groups", "SHAPE", [const(x), const(wt), None], groups=2)
    E("channels_unbatched", "SHAPE", [const(U((2, 5, 5))), const(wt), None])
    E("bias_size", "SHAPE", [const(x), const(wt), const(U((3,)))])
    E("bias_2d", "SHAPE", [const(x), const(wt), const(U((4, 1)))])
    E("kernel_too_big", "SHAPE", [const(U((1, 3, 2, 2))), const(wt), None])
    E("kernel_too_big_dilated", "SHAPE", [const(x), const(wt), None], dilation=(3, 1))
    E("empty_spatial", "SHAPE", [const(U((1, 3, 0, 5))), const(wt), None], padding=(2, 2))
    E("dilation0", "INVALID_ARG", [const(x), const(wt), None], dilation=(0, 1))
    w.manual_error(op, "dilation_neg", "INVALID_ARG", "dilation should be greater than zero",
                   [const(x), const(wt), None], **conv_args(dilation=(1, -1)))
    E("bool", "DTYPE", [const(T(True, BOOL).expand(1, 3, 5, 5)), const(T(True, BOOL).expand(
        4, 3, 3, 3)), None])
    E("bool_dilated", "DTYPE", [const(T(True, BOOL).expand(1, 3, 5, 5)),
                                const(T(True, BOOL).expand(4, 3, 3, 3)), None], dilation=(2, 1))
    E("weight_dtype", "DTYPE", [const(x.double()), const(wt), None])
    E("weight_dtype_f32_input", "DTYPE", [const(x), const(wt.double()), None])
    E("int_input_float_weight", "DTYPE", [const(I((1, 3, 5, 5), 0, 3)), const(wt), None])
    P = lambda tag, code, inputs, **a: w.error(opp, tag, code, conv_call(2, **a), inputs,
                                               **conv_args(**a))
    P("same_strided", "INVALID_ARG", [const(x), const(wt), None], mode="same", stride=(2, 1))
    P("bad_string", "INVALID_ARG", [const(x), const(wt), None], mode="full")
    P("same_weight_3d", "SHAPE", [const(x), const(U((4, 3, 3))), None], mode="same")
    P("same_weight_2d", "SHAPE", [const(x), const(U((4, 3))), None], mode="same")
    P("same_groups0", "INVALID_ARG", [const(x), const(wt), None], mode="same", groups=0)
    P("valid_rank", "SHAPE", [const(U((5, 5))), const(wt), None], mode="valid")
    P("valid_channels", "SHAPE", [const(U((1, 2, 5, 5))), const(wt), None], mode="valid")
    P("valid_kernel_too_big", "SHAPE", [const(U((1, 3, 2, 5))), const(wt), None], mode="valid")
    P("valid_weight_dtype", "DTYPE", [const(x), const(wt.double()), None], mode="valid")


def gen_conv1d(w):
    op = "conv1d"

    def case(tag, inputs, **a):
        w.add(op, tag, conv_call(1, **a), inputs, **conv_args(**a))

    for dt, dn in FLOATS:
        case("basic_" + dn, [inp(U((2, 3, 7), dtype=dt)), inp(U((4, 3, 3), dtype=dt)),
                             inp(U((4,), dtype=dt))])
        case("params_" + dn, [inp(U((1, 2, 9), dtype=dt)), inp(U((3, 2, 2), dtype=dt)),
                              inp(U((3,), dtype=dt))], stride=(2,), padding=(2,), dilation=(3,))
        case("groups_" + dn, [inp(U((2, 4, 6), dtype=dt)), inp(U((4, 2, 3), dtype=dt)), None],
             groups=2, padding=(1,))
        case("unbatched_" + dn, [inp(U((3, 6), dtype=dt)), inp(U((2, 3, 2), dtype=dt)),
                                 inp(U((2,), dtype=dt))])
        case("noncontig_" + dn, [trn(U((2, 3, 5), dtype=dt)), trn(U((2, 3, 3), dtype=dt)),
                                 None], stride=(2,))
        case("empty_batch_" + dn, [inp(U((0, 2, 5), dtype=dt)), inp(U((3, 2, 2), dtype=dt)),
                                   inp(U((3,), dtype=dt))])
        case("input_const_" + dn, [const(U((1, 2, 5), dtype=dt)), inp(U((3, 2, 2), dtype=dt)),
                                   None])
    case("int64", [const(I((2, 2, 6), -5, 6)), const(I((3, 2, 3), -3, 4)),
                   const(I((3,), -9, 10))], padding=(1,))
    opp = "conv1d_padding"
    for dt, dn in FLOATS:
        w.add(opp, "same_" + dn, conv_call(1, mode="same"),
              [inp(U((1, 2, 6), dtype=dt)), inp(U((3, 2, 4), dtype=dt)), inp(U((3,), dtype=dt))],
              **conv_args(mode="same"))
        w.add(opp, "same_dilated_unbatched_" + dn, conv_call(1, mode="same", dilation=(2,)),
              [inp(U((2, 5), dtype=dt)), inp(U((2, 2, 3), dtype=dt)), None],
              **conv_args(mode="same", dilation=(2,)))
        w.add(opp, "valid_" + dn, conv_call(1, mode="valid", stride=(2,)),
              [inp(U((1, 2, 7), dtype=dt)), inp(U((3, 2, 3), dtype=dt)), None],
              **conv_args(mode="valid", stride=(2,)))

    x, wt = U((1, 3, 5)), U((4, 3, 3))
    E = lambda tag, code, inputs, **a: w.error(op, tag, code, conv_call(1, **a), inputs,
                                               **conv_args(**a))
    E("rank4", "SHAPE", [const(U((2, 3, 4, 5))), const(wt), None])
    E("rank1", "SHAPE", [const(U((5,))), const(wt), None])
    E("weight_4d", "SHAPE", [const(x), const(U((4, 3, 3, 3))), None])
    E("channels", "SHAPE", [const(U((1, 2, 5))), const(wt), None])
    E("channels_unbatched", "SHAPE", [const(U((2, 3))), const(wt), None])
    E("kernel_too_big", "SHAPE", [const(U((3, 5))), const(U((4, 3, 7))), None])
    E("dilation0", "INVALID_ARG", [const(x), const(wt), None], dilation=(0,))
    E("empty_length", "SHAPE", [const(U((1, 3, 0))), const(wt), None], padding=(2,))
    # 2.x's conv1d checks the bias dtype first, as conv2d does (1.13's conv1d did not)
    w.manual_error(op, "bias_dtype", "DTYPE",
                   "Input type (double) and bias type (float) should be the same",
                   [const(x.double()), const(wt.double()), const(U((4,)))], **conv_args())
    E("bool", "DTYPE", [const(T(True, BOOL).expand(1, 3, 5)), const(T(True, BOOL).expand(4, 3, 3)),
                        None])
    w.error("conv1d_padding", "same_strided", "INVALID_ARG",
            conv_call(1, mode="same", stride=(2,)), [const(x), const(wt), None],
            **conv_args(mode="same", stride=(2,)))
    w.error("conv1d_padding", "bad_string", "INVALID_ARG", conv_call(1, mode="SAME"),
            [const(x), const(wt), None], **conv_args(mode="SAME"))


# ------------------------------------------------------------------ pooling

def maxpool_call(k, stride=None, padding=(0, 0), dilation=(1, 1), ceil=False, indices=False,
                 as_double=False):
    def f(x):
        xx = x.double() if as_double else x
        r = F.max_pool2d(xx, tuple(k), stride=None if stride is None else tuple(stride),
                         padding=tuple(padding), dilation=tuple(dilation), ceil_mode=ceil,
                         return_indices=indices)
        if as_double:
            return (r[0].long(), r[1]) if indices else r.long()
        return r
    return f


def pool_args(k, stride=None, padding=None, dilation=None, ceil=False, **more):
    a = dict(kernel=k, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil)
    a.update(more)
    return a


def gen_max_pool(w):
    ops = ("max_pool2d", "max_pool2d_with_indices")

    def case(tag, inputs, k, both=True, **a):
        for op in ops if both else ops[:1]:
            w.add(op, tag, maxpool_call(k, indices=op != ops[0], **a), inputs,
                  **pool_args(k, **a))

    for dt, dn in FLOATS:
        case("k2_" + dn, [inp(U((1, 2, 5, 5), dtype=dt))], (2, 2))
        case("k3s2p1_" + dn, [inp(U((2, 2, 6, 7), dtype=dt))], (3, 3), stride=(2, 2),
             padding=(1, 1))
        case("ceil_" + dn, [inp(U((1, 2, 5, 5), dtype=dt))], (3, 3), stride=(2, 2), ceil=True)
        case("ceil_last_window_dropped_" + dn, [inp(U((1, 1, 5, 5), dtype=dt))], (2, 2),
             stride=(2, 2), padding=(1, 1), ceil=True)
        case("dilation_" + dn, [inp(U((1, 2, 7, 7), dtype=dt))], (3, 2), stride=(1, 2),
             padding=(1, 1), dilation=(2, 3))
        case("rect_" + dn, [inp(U((2, 1, 4, 7), dtype=dt))], (2, 3), stride=(1, 2))
        case("unbatched_" + dn, [inp(U((3, 5, 4), dtype=dt))], (2, 2), stride=(1, 1))
        case("noncontig_" + dn, [trn(U((2, 3, 4, 4), dtype=dt))], (2, 2))
        case("ties_" + dn, [inp(I((1, 2, 6, 6), 0, 3).to(dt))], (3, 3), stride=(1, 1))
        case("nan_inf_" + dn, [inp(T([[[[1.0, math.nan, 3.0, 3.0], [math.nan, 2.0, -math.inf, 5.0],
                                         [-math.inf, -math.inf, 4.0, math.inf],
                                         [0.0, 1.0, math.nan, 2.0]]]], dt))], (2, 2),
             stride=(1, 1))
        case("all_neg_inf_" + dn, [inp(T([[[[-math.inf, -math.inf], [-math.inf, 1.0]]]], dt))],
             (1, 2), stride=(1, 1))
        case("empty_batch_" + dn, [inp(U((0, 2, 5, 5), dtype=dt))], (2, 2))
        case("no_grad_" + dn, [const(U((1, 2, 4, 4), dtype=dt))], (2, 2))
    # int64: 2.x's kernel (computed through float64 here, see the notes on top)
    for op in ops:
        w.add(op, "int64", maxpool_call((2, 2), stride=(1, 1), indices=op != ops[0],
                                        as_double=True),
              [const(I((1, 2, 4, 5), -9, 10))], **pool_args((2, 2), stride=(1, 1)))
        w.add(op, "int64_padded", maxpool_call((3, 3), stride=(2, 2), padding=(1, 1),
                                               indices=op != ops[0], as_double=True),
              [const(I((2, 4, 5), -9, 10))], **pool_args((3, 3), stride=(2, 2), padding=(1, 1)))

    op = ops[0]
    x = U((1, 2, 5, 5))

    def E(tag, code, inputs, k, **a):
        w.error(op, tag, code, maxpool_call(k, **a), inputs, **pool_args(k, **a))

    E("rank2", "SHAPE", [const(U((5, 5)))], (2, 2))
    E("rank5", "SHAPE", [const(U((1, 1, 2, 5, 5)))], (2, 2))
    E("kernel0", "INVALID_ARG", [const(x)], (0, 2))
    E("kernel0_stride1", "INVALID_ARG", [const(x)], (2, 0), stride=(1, 1))
    E("stride0", "INVALID_ARG", [const(x)], (2, 2), stride=(1, 0))
    E("stride_neg", "INVALID_ARG", [const(x)], (2, 2), stride=(-1, 1))
    E("pad_neg", "INVALID_ARG", [const(x)], (2, 2), padding=(-1, 0))
    E("pad_gt_half", "INVALID_ARG", [const(x)], (2, 2), padding=(0, 2))
    E("dilation0", "INVALID_ARG", [const(x)], (2, 2), dilation=(0, 1))
    w.manual_error(op, "pad_gt_half_kernel_dilated", "INVALID_ARG",
                   "pad should be smaller than or equal to half of kernel size, but got padW = 2,"
                   " padH = 2, kW = 3, kH = 3",
                   [const(U((1, 2, 9, 9)))], **pool_args((3, 3), padding=(2, 2), dilation=(2, 2)))
    E("zero_channels", "SHAPE", [const(U((1, 0, 5, 5)))], (2, 2))
    E("zero_height", "SHAPE", [const(U((1, 2, 0, 5)))], (2, 2))
    E("unbatched_zero_channels", "SHAPE", [const(U((0, 5, 5)))], (2, 2))
    E("output_too_small", "SHAPE", [const(x)], (6, 6))
    E("output_too_small_dilated", "SHAPE", [const(x)], (3, 3), dilation=(3, 1))
    E("bool", "DTYPE", [const(T(True, BOOL).expand(1, 2, 4, 4))], (2, 2))
    w.error(ops[1], "rank3_ok_but_bool", "DTYPE", maxpool_call((2, 2), indices=True),
            [const(T(True, BOOL).expand(2, 4, 4))], **pool_args((2, 2)))


def avgpool_call(k, stride=None, padding=(0, 0), ceil=False, cip=True, divisor=None):
    return lambda x: F.avg_pool2d(x, tuple(k), stride=None if stride is None else tuple(stride),
                                  padding=tuple(padding), ceil_mode=ceil, count_include_pad=cip,
                                  divisor_override=divisor)


def avg_args(k, stride=None, padding=None, ceil=False, cip=True, divisor=None):
    return dict(kernel=k, stride=stride, padding=padding, ceil_mode=ceil, count_include_pad=cip,
                divisor=divisor)


def gen_avg_pool(w):
    op = "avg_pool2d"

    def case(tag, inputs, k, **a):
        w.add(op, tag, avgpool_call(k, **a), inputs, **avg_args(k, **a))

    for dt, dn in FLOATS:
        case("k2_" + dn, [inp(U((1, 2, 5, 5), dtype=dt))], (2, 2))
        case("k3s2p1_" + dn, [inp(U((2, 2, 6, 7), dtype=dt))], (3, 3), stride=(2, 2),
             padding=(1, 1))
        case("k3s2p1_exclude_pad_" + dn, [inp(U((2, 2, 6, 7), dtype=dt))], (3, 3), stride=(2, 2),
             padding=(1, 1), cip=False)
        case("ceil_" + dn, [inp(U((1, 2, 5, 5), dtype=dt))], (3, 3), stride=(2, 2), ceil=True)
        case("ceil_pad_exclude_" + dn, [inp(U((1, 1, 6, 5), dtype=dt))], (3, 2), stride=(2, 2),
             padding=(1, 1), ceil=True, cip=False)
        case("ceil_pad_include_" + dn, [inp(U((1, 1, 6, 5), dtype=dt))], (3, 2), stride=(2, 2),
             padding=(1, 1), ceil=True)
        case("divisor_" + dn, [inp(U((1, 2, 4, 6), dtype=dt))], (2, 3), divisor=4)
        case("divisor_neg_pad_" + dn, [inp(U((1, 2, 5, 5), dtype=dt))], (3, 3), stride=(2, 2),
             padding=(1, 1), divisor=-2)
        case("rect_" + dn, [inp(U((2, 1, 4, 7), dtype=dt))], (2, 3), stride=(1, 2))
        case("unbatched_" + dn, [inp(U((3, 5, 4), dtype=dt))], (2, 2), stride=(1, 1))
        case("noncontig_" + dn, [trn(U((2, 3, 4, 4), dtype=dt))], (2, 2))
        case("empty_batch_" + dn, [inp(U((0, 2, 5, 5), dtype=dt))], (2, 2))
        case("no_grad_" + dn, [const(U((1, 2, 4, 4), dtype=dt))], (2, 2))
    case("int64", [const(I((1, 2, 5, 5), -20, 21))], (2, 2))
    case("int64_pad_divisor", [const(I((2, 4, 5), -20, 21))], (3, 3), stride=(2, 2),
         padding=(1, 1), divisor=-3)
    case("int64_exclude_pad", [const(I((1, 1, 5, 5), -20, 21))], (3, 3), stride=(2, 2),
         padding=(1, 1), cip=False)

    x = U((1, 2, 5, 5))

    def E(tag, code, inputs, k, **a):
        w.error(op, tag, code, avgpool_call(k, **a), inputs, **avg_args(k, **a))

    E("rank2", "INDEX", [const(U((5, 5)))], (2, 2))
    E("rank1", "INDEX", [const(U((5,)))], (2, 2))
    E("rank0", "INDEX", [const(U(()))], (2, 2))
    E("rank5", "SHAPE", [const(U((1, 1, 2, 5, 5)))], (2, 2))
    E("divisor0", "INVALID_ARG", [const(x)], (2, 2), divisor=0)
    E("divisor0_before_rank", "INVALID_ARG", [const(U((5, 5)))], (2, 2), divisor=0)
    E("kernel0", "INVALID_ARG", [const(x)], (0, 2))
    E("kernel0_stride1", "INVALID_ARG", [const(x)], (2, 0), stride=(1, 1))
    E("stride0", "INVALID_ARG", [const(x)], (2, 2), stride=(0, 1))
    E("stride_neg", "INVALID_ARG", [const(x)], (2, 2), stride=(1, -1))
    E("pad_neg", "INVALID_ARG", [const(x)], (2, 2), padding=(0, -1))
    E("pad_gt_half", "INVALID_ARG", [const(x)], (3, 3), padding=(2, 0))
    E("zero_channels", "SHAPE", [const(U((1, 0, 5, 5)))], (2, 2))
    E("zero_width", "SHAPE", [const(U((2, 5, 0)))], (2, 2))
    E("output_too_small", "SHAPE", [const(x)], (6, 2))
    E("bool", "DTYPE", [const(T(True, BOOL).expand(1, 2, 4, 4))], (2, 2))


def adaptive_call(size):
    """F.adaptive_avg_pool2d's ATen op: the Python wrapper also rejects inputs of fewer than 3
    dims when output_size is a tuple (the C function always takes two sizes, as the op does)"""
    return lambda x: torch._C._nn.adaptive_avg_pool2d(x, tuple(size))


def gen_adaptive(w):
    op = "adaptive_avg_pool2d"

    def case(tag, inputs, size):
        w.add(op, tag, adaptive_call(size), inputs, size=size)

    for dt, dn in FLOATS:
        case("2x3_" + dn, [inp(U((2, 3, 5, 6), dtype=dt))], (2, 3))
        case("1x1_mean_" + dn, [inp(U((2, 3, 4, 5), dtype=dt))], (1, 1))
        case("upsample_" + dn, [inp(U((1, 2, 3, 4), dtype=dt))], (5, 7))
        case("uneven_" + dn, [inp(U((1, 2, 7, 5), dtype=dt))], (3, 2))
        case("1xn_" + dn, [inp(U((1, 2, 4, 6), dtype=dt))], (1, 4))
        case("same_size_" + dn, [inp(U((1, 1, 3, 3), dtype=dt))], (3, 3))
        case("unbatched_" + dn, [inp(U((3, 5, 5), dtype=dt))], (2, 2))
        case("noncontig_" + dn, [trn(U((2, 3, 4, 4), dtype=dt))], (3, 2))
        case("1x1_2d_" + dn, [inp(U((3, 4), dtype=dt))], (1, 1))
        case("1x1_5d_" + dn, [inp(U((1, 2, 2, 3, 3), dtype=dt))], (1, 1))
        case("1x1_noncontig_" + dn, [trn(U((3, 2, 4), dtype=dt))], (1, 1))
        case("out0_" + dn, [const(U((1, 2, 4, 4), dtype=dt))], (0, 3))  # no backward in PyTorch
        case("empty_batch_" + dn, [inp(U((0, 2, 4, 4), dtype=dt))], (2, 2))
        case("zero_channels_" + dn, [const(U((1, 0, 4, 4), dtype=dt))], (2, 2))  # see scenarios
        case("no_grad_" + dn, [const(U((1, 2, 4, 4), dtype=dt))], (3, 3))

    def E(tag, code, inputs, size):
        w.error(op, tag, code, adaptive_call(size), inputs,
                size=size)

    E("rank2", "SHAPE", [const(U((3, 4)))], (2, 2))
    E("rank5", "SHAPE", [const(U((1, 1, 2, 5, 5)))], (2, 2))
    E("negative", "INVALID_ARG", [const(U((1, 2, 4, 4)))], (-1, 2))
    E("negative_1x1_check_first", "INVALID_ARG", [const(U((4,)))], (1, -1))
    E("zero_height", "SHAPE", [const(U((1, 2, 0, 5)))], (2, 2))
    E("zero_width_unbatched", "SHAPE", [const(U((2, 3, 0)))], (2, 2))
    E("int64", "DTYPE", [const(I((1, 2, 4, 4), 0, 5))], (2, 2))
    E("bool", "DTYPE", [const(T(True, BOOL).expand(1, 2, 4, 4))], (3, 1))
    E("int64_1x1", "DTYPE", [const(I((1, 2, 4, 4), 0, 5))], (1, 1))
    E("bool_1x1_1d", "DTYPE", [const(T([True, False], BOOL))], (1, 1))
    E("rank1_1x1", "INDEX", [const(U((4,)))], (1, 1))
    E("rank0_1x1", "INDEX", [const(U(()))], (1, 1))


# ------------------------------------------------------------------ attention

def sdpa_reference(q, k, v, mask=None, is_causal=False, scale=None):
    """PyTorch 2.x's _scaled_dot_product_attention_math (see the notes on top)"""
    L, S, E = q.size(-2), k.size(-2), q.size(-1)
    s = 1.0 / math.sqrt(E) if scale is None else scale
    f = math.sqrt(abs(s))
    qs = q * (-f if s < 0 else f)
    attn = torch.matmul(qs, k.transpose(-2, -1) * f)
    if is_causal:
        assert mask is None
        mask = torch.ones(L, S, dtype=BOOL).tril()
    if mask is not None:
        if mask.dtype == BOOL:
            mask = torch.zeros(mask.shape, dtype=q.dtype).masked_fill(mask.logical_not(),
                                                                      -math.inf)
        # the in-place add of 2.x: the mask must broadcast to attn's own shape
        try:
            shape = torch.broadcast_shapes(attn.shape, mask.shape)
        except RuntimeError:
            shape = (attn + mask).shape  # raises the add's own message
        if shape != attn.shape:
            raise RuntimeError("output with shape %s doesn't match the broadcast shape %s"
                               % (list(attn.shape), list(shape)))
        attn = attn + mask
    rows = (attn == -math.inf).all(-1, keepdim=True)
    if bool(rows.any()):  # _safe_softmax
        p = torch.softmax(attn.masked_fill(rows, 0.0), -1).masked_fill(rows, 0.0)
    else:
        p = torch.softmax(attn, -1)
    return torch.matmul(p, v)


def sdpa_validate(q, k, v, mask, dropout_p, is_causal):
    """validate_sdpa_input's messages (attention.cpp, 2.x), then the math backend's"""
    tn = {F32: "float", F64: "double", I64: "long int", BOOL: "bool"}
    if q.dtype != k.dtype or q.dtype != v.dtype:
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got "
                           "query.dtype: %s key.dtype: %s and value.dtype: %s instead."
                           % (tn[q.dtype], tn[k.dtype], tn[v.dtype]))
    if q.dim() < 2 or k.dim() < 2 or v.dim() < 2:
        raise RuntimeError("Expected query, key, and value to all be  at least 2 dimensional, "
                           "but got query.dim: %d key.dim: %d and value.dim: %d instead."
                           % (q.dim(), k.dim(), v.dim()))
    if mask is not None and mask.dtype not in (BOOL, F32, q.dtype):
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query "
                           "dtype, but got attn_mask.dtype: %s and  query.dtype: %s instead."
                           % (tn[mask.dtype], tn[q.dtype]))
    assert dropout_p == 0.0
    if is_causal and mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")


def sdpa_call(is_causal=False, scale=None, dropout_p=0.0):
    def f(q, k, v, m):
        sdpa_validate(q, k, v, m, dropout_p, is_causal)
        return sdpa_reference(q, k, v, m, is_causal, scale)
    return f


def gen_sdpa(w):
    op = "scaled_dot_product_attention"

    def case(tag, inputs, is_causal=False, scale=None):
        w.add(op, tag, sdpa_call(is_causal, scale), inputs, is_causal=is_causal, scale=scale,
              dropout_p=0.0)

    for dt, dn in FLOATS:
        q, k, v = U((2, 3, 4), dtype=dt), U((2, 5, 4), dtype=dt), U((2, 5, 3), dtype=dt)
        case("3d_" + dn, [inp(q), inp(k), inp(v), None])
        case("2d_" + dn, [inp(U((3, 4), dtype=dt)), inp(U((5, 4), dtype=dt)),
                          inp(U((5, 2), dtype=dt)), None])
        case("4d_" + dn, [inp(U((2, 2, 3, 4), dtype=dt)), inp(U((2, 2, 4, 4), dtype=dt)),
                          inp(U((2, 2, 4, 4), dtype=dt)), None])
        case("scale_" + dn, [inp(q), inp(k), inp(v), None], scale=0.3)
        case("scale_neg_" + dn, [inp(q), inp(k), inp(v), None], scale=-0.7)
        case("causal_" + dn, [inp(U((2, 4, 3), dtype=dt)), inp(U((2, 4, 3), dtype=dt)),
                              inp(U((2, 4, 2), dtype=dt)), None], is_causal=True)
        case("causal_l_lt_s_" + dn, [inp(U((1, 2, 3), dtype=dt)), inp(U((1, 4, 3), dtype=dt)),
                                     inp(U((1, 4, 3), dtype=dt)), None], is_causal=True)
        case("causal_l_gt_s_" + dn, [inp(U((1, 4, 3), dtype=dt)), inp(U((1, 2, 3), dtype=dt)),
                                     inp(U((1, 2, 3), dtype=dt)), None], is_causal=True)
        case("bool_mask_" + dn, [inp(q), inp(k), inp(v),
                                 const(T([[1, 0, 1, 1, 0], [1, 1, 1, 1, 1], [0, 0, 0, 1, 0]],
                                         BOOL))])
        case("float_mask_grad_" + dn, [inp(q), inp(k), inp(v), inp(U((2, 3, 5), dtype=dt))])
        case("float_mask_bcast_" + dn, [inp(q), inp(k), inp(v), inp(U((1, 5), dtype=dt))])
        case("fully_masked_row_" + dn, [inp(q), inp(k), inp(v),
                                        const(T([[[1, 0, 1, 1, 0], [0, 0, 0, 0, 0],
                                                  [0, 0, 0, 1, 0]],
                                                 [[1, 1, 1, 1, 1], [1, 0, 0, 0, 0],
                                                  [0, 0, 0, 0, 0]]], BOOL))])
        case("float_mask_inf_row_" + dn, [inp(q), inp(k), inp(v),
                                          const(T([[0.0] * 5, [-math.inf] * 5, [0.5] * 5], dt))])
        case("bcast_batch_" + dn, [inp(U((2, 3, 2, 4), dtype=dt)), inp(U((3, 5, 4), dtype=dt)),
                                   inp(U((3, 5, 2), dtype=dt)), None])
        case("noncontig_" + dn, [trn(U((2, 3, 4), dtype=dt)), inp(k), trn(U((2, 5, 3), dtype=dt)),
                                 None])
        case("empty_l_" + dn, [inp(U((2, 0, 4), dtype=dt)), inp(k), inp(v), None])
        case("no_grad_" + dn, [const(q), const(k), const(v), None])
    case("f64_with_f32_mask", [inp(U((2, 3, 4), dtype=F64)), inp(U((2, 5, 4), dtype=F64)),
                               inp(U((2, 5, 3), dtype=F64)), inp(U((3, 5)))])

    q, k, v = U((2, 3, 4)), U((2, 5, 4)), U((2, 5, 3))

    def E(tag, code, inputs, is_causal=False, scale=None):
        w.error(op, tag, code, sdpa_call(is_causal, scale), inputs, is_causal=is_causal,
                scale=scale, dropout_p=0.0)

    E("dtype", "DTYPE", [const(q), const(k.double()), const(v), None])
    E("dim", "SHAPE", [const(U((4,))), const(k), const(v), None])
    E("mask_dtype", "DTYPE", [const(q), const(k), const(v), const(I((3, 5), 0, 2))])
    E("mask_f64_on_f32", "DTYPE", [const(q), const(k), const(v), const(U((3, 5), dtype=F64))])
    E("causal_with_mask", "INVALID_ARG", [const(q), const(k), const(v), const(U((3, 5)))],
      is_causal=True)
    E("e_mismatch", "SHAPE", [const(q), const(U((2, 5, 6))), const(v), None])
    E("e_mismatch_2d", "SHAPE", [const(U((3, 4))), const(U((5, 6))), const(U((5, 3))), None])
    E("s_mismatch", "SHAPE", [const(q), const(k), const(U((2, 4, 3))), None])
    E("mask_shape", "SHAPE", [const(q), const(k), const(v), const(U((3, 4)))])
    E("mask_bigger", "SHAPE", [const(U((3, 4))), const(U((5, 4))), const(U((5, 3))),
                               const(U((2, 3, 5)))])
    w.manual_error(op, "dropout", "INVALID_ARG",
                   "dropout_p must be 0 (dropout inside attention is not implemented), but got "
                   "0.5", [const(q), const(k), const(v), None], is_causal=False, dropout_p=0.5)
    w.manual_error(op, "int64", "DTYPE",
                   "query, key and value must be float32 or float64, but got Long",
                   [const(I((2, 3), 0, 3)), const(I((2, 3), 0, 3)), const(I((2, 3), 0, 3)), None],
                   is_causal=False, dropout_p=0.0)


# ------------------------------------------------------------------ scenarios

def gen_scenarios(w):
    # convolution saves its input and weight: changing the input in place breaks backward
    x = torch.ones(1, 1, 3, 3, requires_grad=True)
    h = x * 1
    y = F.conv2d(h, torch.ones(1, 1, 2, 2, requires_grad=True))
    h.add_(1)
    w.scenario("conv_input_modified", error=err_text(lambda: y.sum().backward()))
    # ... and so does max_pool2d (its input), and backward twice frees what was saved
    x = torch.ones(1, 1, 4, 4, requires_grad=True)
    h = x * 1
    y = F.max_pool2d(h, 2)
    h.mul_(2)
    w.scenario("max_pool_input_modified", error=err_text(lambda: y.sum().backward()))
    x = torch.arange(16.0).reshape(1, 1, 4, 4).requires_grad_()
    y = F.avg_pool2d(x, 2).sum()
    y.backward()
    w.scenario("avg_pool_backward_twice", grad=x.grad, error=err_text(lambda: y.backward()))


    # adaptive_avg_pool2d's backward rejects an empty non-batch dim of its gradient
    for tag, shape, size in (("zero_channels", (1, 0, 4, 4), (2, 2)),
                             ("out0", (1, 2, 4, 4), (0, 3)), ("unbatched_out0", (0, 3, 3), (2, 0))):
        x = torch.ones(shape, requires_grad=True)
        y = torch._C._nn.adaptive_avg_pool2d(x, size)
        w.scenario("adaptive_backward_" + tag, shape=fmt_shape(shape), size=fmt_shape(size),
                   error=err_text(lambda: y.backward(torch.ones(y.shape))))


def generate(outdir):
    warnings.filterwarnings("ignore", message="Using padding='same'")
    # float32 convolutions may sum in another order with more threads: one thread keeps the
    # file byte-identical from machine to machine (restored afterwards for the other modules)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        Writer().run(outdir, "conv.txt", build)
    finally:
        torch.set_num_threads(threads)


def build(w):
    gen_conv2d(w)
    gen_conv1d(w)
    gen_max_pool(w)
    gen_avg_pool(w)
    gen_adaptive(w)
    gen_sdpa(w)
    gen_scenarios(w)


if __name__ == "__main__":
    generate(sys.argv[1])
