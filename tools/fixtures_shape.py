"""fixtures_shape.py — writes shape.txt: the shape and view ops (src/ops/shape.c) run in PyTorch.

One record per case: the op's arguments, its inputs (values, dtype, shape, transposed or not,
requiring grad or not), each output's dtype/shape/values, the 2.x grad_fn name, whether the
output shares the first input's storage, the upstream gradient of each output (or none) and
every input's .grad after torch.autograd.backward(outputs, gradients); plus error records with
PyTorch's message. tests/test_shape.c replays every record.

PyTorch 2.x is the reference; Debian's torch is 1.13. Where the two differ the generator holds
the 2.x behaviour, each difference documented next to the code that handles it (GRAD_FN_2X,
narrow_2x, unflatten_2x, expand_as_2x, split_with_sizes_2x).
Run with Debian's torch: /usr/bin/python3 tools/fixtures_shape.py tests/fixtures
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import F32, F64, FLOATS, LEGACY_TYPE_NAMES, CaseWriter, Draws  # noqa: E402
from fixture_common import fmt_ints, fmt_values, gfn_name as _gfn_name, Inp, seeded  # noqa: E402

END = 2 ** 63 - 1  # TG_SLICE_END

# grad_fn names Debian's 1.13 spells differently from 2.x (see
# /work/shared/reference/grad-fn-names.md): flatten goes through reshape, whose view path is
# ReshapeAliasBackward0 in 1.13 and ViewBackward0 in 2.x for a contiguous input (2.x's reshape
# calls view first). For a non-contiguous input that can still be viewed 2.x reshape may still
# go through _reshape_alias; tg_reshape (src/ops/view.c) records ViewBackward0 on every view
# path, as tools/fixtures_ops.py maps it, and this map follows (one case: noncontig_view).
GRAD_FN_2X = {"ReshapeAliasBackward0": "ViewBackward0"}


def gfn_name(t):
    return _gfn_name(t, GRAD_FN_2X)


# ------------------------------------------------------------------ 2.x argument checks
# The checks below are PyTorch 2.x's (aten/src/ATen/native/TensorShape.cpp and
# aten/src/ATen/InferSize.h), in 2.x's order, for the ops whose validation changed after 1.13.
# They raise the 2.x message and otherwise let Debian's torch compute the result.

def narrow_2x(x, dim, start, length):
    """2.x narrow: 0-dim check, `length >= 0`, then start in [-size, size] (IndexError), then
    start + length <= size. 1.13 wrapped start like a dim (so start == size with length 0 was
    the only way past the end) and reported a negative length as an overflow."""
    if x.dim() == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    size = x.size(dim)  # dim out of range: torch's own IndexError
    if not (-size <= start <= size):
        raise IndexError("start out of range (expected to be in range of [%d, %d], but got %d)"
                         % (-size, size, start))
    if start < 0:
        start += size
    if start > size - length:
        raise RuntimeError("start (%d) + length (%d) exceeds dimension size (%d)."
                           % (start, length, size))
    return x.narrow(dim, start, length)


def _list(v):
    return "[" + ", ".join(str(int(s)) for s in v) + "]"


def unflatten_2x(x, dim, sizes):
    """2.x unflatten_impl: wrap dim; sizes non-empty; then at::infer_size_dv(sizes,
    self.size(dim)) inside a try block that rewrites "shape ... is invalid for input of size"
    into "Provided sizes ..." and wraps every other failure as "unflatten got an unexpected
    error:\\n<what>" — 1.13 caught std::runtime_error only, so "invalid shape dimension" (and
    self.size(0) of a 0-d tensor) escaped unwrapped. infer_size's texts are 2.x's newest
    ("invalid shape dimension -2 at index 0 of shape [-2]")."""
    nd = x.dim()
    lo, hi = (-1, 0) if nd == 0 else (-nd, nd - 1)
    if not (lo <= dim <= hi):
        raise IndexError("Dimension out of range (expected to be in range of [%d, %d], but got "
                         "%d)" % (lo, hi, dim))
    if dim < 0:
        dim += max(nd, 1)
    if len(sizes) == 0:
        raise RuntimeError("unflatten: sizes must be non-empty")
    unexpected = "unflatten got an unexpected error:\n"
    if nd == 0:
        raise RuntimeError(unexpected + "Dimension specified as 0 but tensor has no dimensions")
    numel = x.size(dim)
    infer, newsize = None, 1
    for i, s in enumerate(sizes):
        if s == -1:
            if infer is not None:
                raise RuntimeError(unexpected + "only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(unexpected + "invalid shape dimension %d at index %d of shape %s"
                               % (s, i, _list(sizes)))
        else:
            newsize *= s
    ok = ((newsize > 0 and numel % newsize == 0) or numel == newsize) if infer is not None \
        else numel == newsize
    if not ok:
        raise RuntimeError("unflatten: Provided sizes %s don't multiply up to the size of dim %d "
                           "(%d) in the input tensor" % (_list(sizes), dim, numel))
    if infer is not None and newsize == 0:
        raise RuntimeError(unexpected + "cannot reshape tensor of 0 elements into shape %s "
                           "because the unspecified dimension size -1 can be any value and is "
                           "ambiguous" % _list(sizes))
    return x.unflatten(dim, tuple(sizes))


def expand_as_2x(x, other):
    """expand with too few sizes: 1.13's Python layer rewrote the type in "expand(CPUFloatType{"
    into "torch.FloatTensor" (processErrorMsg); 2.x prints TensorBase::toString(), as
    tools/fixtures_ops.py records it."""
    try:
        return x.expand_as(other)
    except RuntimeError as e:
        msg = str(e)
        for old, new in LEGACY_TYPE_NAMES.items():
            msg = msg.replace("expand(%s{" % old, "expand(%s{" % new)
        raise RuntimeError(msg) from None


def split_with_sizes_2x(x, sizes, dim):
    """2.x split_with_sizes: "split expects at least a 1-dimensional tensor" for a 0-d tensor
    (1.13 reported the dim instead), then dim, then the entries in order, then their sum."""
    if x.dim() == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    return torch.split(x, list(sizes), dim)


# ------------------------------------------------------------------ deterministic inputs

_draw = Draws(20240611)


def U(shape, dtype=F32):
    """uniform values in [-2, 2), made in float64 then cast"""
    return _draw.uniform(shape, dtype=dtype)


def I(shape):
    return _draw.ints(shape)


B = _draw.bools


def upstream(name, k, out):
    """the gradient fed to output k: fixed pseudo-random values seeded by the case name"""
    return seeded("%s#%d" % (name, k), out.shape, out.dtype)


# ------------------------------------------------------------------ the writer

class Writer(CaseWriter):
    @staticmethod
    def _arg(k, v):
        return fmt_ints(v) if isinstance(v, (list, tuple)) else str(int(v))

    def add(self, op, tag, fn, inputs, grads=None, **args):
        """fn(*effective_inputs) runs the op in PyTorch and returns a tensor or a list of them
        (several outputs of one node); args are the op's non-tensor args, written to the record.
        grads: indices of the outputs that get an upstream gradient (None: all)."""
        name, rec, leaves, effs = self._begin(op, tag, args, inputs)
        res = fn(*effs)
        outs = list(res) if isinstance(res, (list, tuple)) else [res]
        rec.append(("outputs", str(len(outs))))
        for k, o in enumerate(outs):
            self._output(rec, o, "out%d" % k)
        names = set(gfn_name(o) for o in outs)
        assert len(names) <= 1, (name, names)
        rec.append(("grad_fn", names.pop() if names else "none"))
        rg = set(o.requires_grad for o in outs)
        assert len(rg) <= 1, name
        rec.append(("out_requires_grad", "1" if rg and rg.pop() else "0"))
        # a view of (or) the first input's leaf: in C the version counter is shared
        shares = set(o is leaves[0] or o._base is leaves[0] for o in outs)
        assert len(shares) <= 1, name
        rec.append(("shares_storage", "1" if shares and shares.pop() else "0"))
        if outs and outs[0].requires_grad:
            sel = range(len(outs)) if grads is None else grads
            ts, vs = [], []
            for k, o in enumerate(outs):
                if k in sel:
                    v = upstream(name, k, o)
                    ts.append(o)
                    vs.append(v)
                    rec.append(("v%d" % k, fmt_values(v)))
                else:
                    rec.append(("v%d" % k, "none"))
            if ts:
                torch.autograd.backward(ts, vs)
            self._grads(rec, inputs, leaves)
        self._ok(rec)

    def error(self, op, tag, code, fn, inputs, **args):
        """a call that must fail: code is the C library's TG_ERR_<code>, message PyTorch's text
        (2.x), which the C library prefixes with "tg_<op>: "."""
        name, rec, _, effs = self._begin(op, "error_" + tag, args, inputs)
        self._fail(name, rec, code, lambda: fn(*effs), str)


# ------------------------------------------------------------------ the cases

def gen_permute(w):
    for dt, dn in FLOATS:
        w.add("permute", "3d_" + dn, lambda x: x.permute(2, 0, 1), [Inp(U((2, 3, 4), dt))],
              dims=[2, 0, 1])
        w.add("permute", "neg_dims_" + dn, lambda x: x.permute(-1, -3, -2),
              [Inp(U((2, 3, 4), dt))], dims=[-1, -3, -2])
        w.add("permute", "0d_" + dn, lambda x: x.permute(()), [Inp(U((), dt))], dims=[])
        w.add("permute", "1d_" + dn, lambda x: x.permute(0), [Inp(U((5,), dt))], dims=[0])
        w.add("permute", "noncontig_" + dn, lambda x: x.permute(1, 2, 0),
              [Inp(U((3, 2, 4), dt), tr=True)], dims=[1, 2, 0])
        w.add("permute", "empty_" + dn, lambda x: x.permute(2, 0, 1), [Inp(U((0, 3, 2), dt))],
              dims=[2, 0, 1])
    w.add("permute", "4d_f64", lambda x: x.permute(3, 1, 0, 2), [Inp(U((2, 1, 3, 2), F64))],
          dims=[3, 1, 0, 2])
    w.add("permute", "identity_f32", lambda x: x.permute(0, 1), [Inp(U((2, 3)))], dims=[0, 1])
    w.add("permute", "i64", lambda x: x.permute(1, 0), [Inp(I((2, 3)))], dims=[1, 0])
    w.add("permute", "bool", lambda x: x.permute(1, 0), [Inp(B((2, 3)))], dims=[1, 0])
    w.add("permute", "no_grad_f32", lambda x: x.permute(1, 0), [Inp(U((2, 3)), rg=False)],
          dims=[1, 0])
    w.error("permute", "ndim_mismatch", "SHAPE", lambda x: x.permute(0, 1, 2), [Inp(U((2, 3)))],
            dims=[0, 1, 2])
    w.error("permute", "too_few", "SHAPE", lambda x: x.permute(0), [Inp(U((2, 3)))], dims=[0])
    w.error("permute", "duplicate", "INVALID_ARG", lambda x: x.permute(0, 0), [Inp(U((2, 3)))],
            dims=[0, 0])
    w.error("permute", "duplicate_neg", "INVALID_ARG", lambda x: x.permute(1, -1),
            [Inp(U((2, 3)))], dims=[1, -1])
    w.error("permute", "dim_range", "INDEX", lambda x: x.permute(0, 2), [Inp(U((2, 3)))],
            dims=[0, 2])
    w.error("permute", "dim_range_neg", "INDEX", lambda x: x.permute(-3, 0), [Inp(U((2, 3)))],
            dims=[-3, 0])


def gen_squeeze(w):
    for dt, dn in FLOATS:
        w.add("squeeze", "1x3x1x2_" + dn, lambda x: x.squeeze(), [Inp(U((1, 3, 1, 2), dt))])
        w.add("squeeze", "1x1_" + dn, lambda x: x.squeeze(), [Inp(U((1, 1), dt))])
        w.add("squeeze", "0d_" + dn, lambda x: x.squeeze(), [Inp(U((), dt))])
        w.add("squeeze", "none_" + dn, lambda x: x.squeeze(), [Inp(U((3, 4), dt))])
        w.add("squeeze", "noncontig_" + dn, lambda x: x.squeeze(),
              [Inp(U((2, 1, 3), dt), tr=True)])
        w.add("squeeze", "empty_" + dn, lambda x: x.squeeze(), [Inp(U((0, 1, 2), dt))])
        for d in (0, 2, -2, 1):
            w.add("squeeze_dim", "1x3x1x2_d%d_%s" % (d, dn), lambda x, d=d: x.squeeze(d),
                  [Inp(U((1, 3, 1, 2), dt))], dim=d)
        w.add("squeeze_dim", "0d_d0_" + dn, lambda x: x.squeeze(0), [Inp(U((), dt))], dim=0)
        w.add("squeeze_dim", "0d_dm1_" + dn, lambda x: x.squeeze(-1), [Inp(U((), dt))], dim=-1)
        w.add("squeeze_dim", "noncontig_" + dn, lambda x: x.squeeze(0),
              [Inp(U((2, 1, 3), dt), tr=True)], dim=0)
        w.add("squeeze_dim", "empty_" + dn, lambda x: x.squeeze(1), [Inp(U((0, 1), dt))], dim=1)
        w.add("squeeze_dim", "empty_size0_" + dn, lambda x: x.squeeze(0), [Inp(U((0, 1), dt))],
              dim=0)
    w.add("squeeze", "i64", lambda x: x.squeeze(), [Inp(I((2, 1)))])
    w.add("squeeze", "bool", lambda x: x.squeeze(), [Inp(B((1, 3)))])
    w.add("squeeze_dim", "i64", lambda x: x.squeeze(1), [Inp(I((2, 1)))], dim=1)
    w.add("squeeze_dim", "no_grad_f32", lambda x: x.squeeze(1), [Inp(U((2, 1)), rg=False)],
          dim=1)
    w.error("squeeze_dim", "dim_range", "INDEX", lambda x: x.squeeze(2), [Inp(U((2, 3)))], dim=2)
    w.error("squeeze_dim", "dim_range_neg", "INDEX", lambda x: x.squeeze(-3), [Inp(U((2, 3)))],
            dim=-3)
    w.error("squeeze_dim", "0d_dim1", "INDEX", lambda x: x.squeeze(1), [Inp(U(()))], dim=1)


def gen_expand_as(w):
    for dt, dn in FLOATS:
        w.add("expand_as", "3x1_as_2x3x4_" + dn, lambda x, o: x.expand_as(o),
              [Inp(U((3, 1), dt)), Inp(U((2, 3, 4), dt), rg=False)])
        w.add("expand_as", "4_as_3x4_" + dn, lambda x, o: x.expand_as(o),
              [Inp(U((4,), dt)), Inp(U((3, 4), dt), rg=False)])
        w.add("expand_as", "0d_as_2x3_" + dn, lambda x, o: x.expand_as(o),
              [Inp(U((), dt)), Inp(U((2, 3), dt), rg=False)])
        w.add("expand_as", "same_" + dn, lambda x, o: x.expand_as(o),
              [Inp(U((2, 3), dt)), Inp(U((2, 3), dt), rg=False)])
        w.add("expand_as", "noncontig_" + dn, lambda x, o: x.expand_as(o),
              [Inp(U((1, 3), dt), tr=True), Inp(U((2, 3, 4), dt), rg=False)])
        w.add("expand_as", "to_empty_" + dn, lambda x, o: x.expand_as(o),
              [Inp(U((1, 3), dt)), Inp(U((0, 3), dt), rg=False)])
    w.add("expand_as", "other_requires_grad_f64", lambda x, o: x.expand_as(o),
          [Inp(U((2, 1), F64)), Inp(U((2, 3), F64))])
    w.add("expand_as", "other_int_f32", lambda x, o: x.expand_as(o),
          [Inp(U((3, 1))), Inp(I((3, 2)))])
    w.add("expand_as", "i64", lambda x, o: x.expand_as(o), [Inp(I((1, 3))), Inp(I((2, 3)))])
    w.add("expand_as", "bool", lambda x, o: x.expand_as(o), [Inp(B((2, 1))), Inp(B((2, 2)))])
    w.error("expand_as", "mismatch", "SHAPE", lambda x, o: x.expand_as(o),
            [Inp(U((3, 4))), Inp(U((2, 3)))])
    w.error("expand_as", "mismatch_3d", "SHAPE", lambda x, o: x.expand_as(o),
            [Inp(U((2, 3))), Inp(U((4, 3, 3)))])
    w.error("expand_as", "fewer_dims", "SHAPE", expand_as_2x, [Inp(U((3, 4))), Inp(U((4,)))])
    w.error("expand_as", "fewer_dims_f64", "SHAPE", expand_as_2x,
            [Inp(U((2, 1), F64)), Inp(U((), F64))])


def gen_flatten(w):
    for dt, dn in FLOATS:
        w.add("flatten", "all_" + dn, lambda x: x.flatten(), [Inp(U((2, 3, 4), dt))],
              start_dim=0, end_dim=-1)
        w.add("flatten", "1_2_" + dn, lambda x: x.flatten(1, 2), [Inp(U((2, 3, 4), dt))],
              start_dim=1, end_dim=2)
        w.add("flatten", "0_1_" + dn, lambda x: x.flatten(0, 1), [Inp(U((2, 3, 4), dt))],
              start_dim=0, end_dim=1)
        w.add("flatten", "neg_" + dn, lambda x: x.flatten(-2, -1), [Inp(U((2, 3, 4), dt))],
              start_dim=-2, end_dim=-1)
        w.add("flatten", "0d_" + dn, lambda x: x.flatten(), [Inp(U((), dt))], start_dim=0,
              end_dim=-1)
        w.add("flatten", "1d_" + dn, lambda x: x.flatten(), [Inp(U((5,), dt))], start_dim=0,
              end_dim=-1)
        w.add("flatten", "start_eq_end_" + dn, lambda x: x.flatten(1, 1),
              [Inp(U((2, 3, 4), dt))], start_dim=1, end_dim=1)
        # transposed (3, 2, 4) -> (2, 3, 4) strides (4, 8, 1): merging any two dims copies
        w.add("flatten", "noncontig_copy_" + dn, lambda x: x.flatten(),
              [Inp(U((3, 2, 4), dt), tr=True)], start_dim=0, end_dim=-1)
        w.add("flatten", "noncontig_copy_0_1_" + dn, lambda x: x.flatten(0, 1),
              [Inp(U((3, 2, 4), dt), tr=True)], start_dim=0, end_dim=1)
        # transposed (3, 2, 2, 2): the last two dims stay contiguous, so a view
        w.add("flatten", "noncontig_view_" + dn, lambda x: x.flatten(2, 3),
              [Inp(U((3, 2, 2, 2), dt), tr=True)], start_dim=2, end_dim=3)
        w.add("flatten", "empty_" + dn, lambda x: x.flatten(), [Inp(U((0, 3, 2), dt))],
              start_dim=0, end_dim=-1)
    w.add("flatten", "i64", lambda x: x.flatten(), [Inp(I((2, 3)))], start_dim=0, end_dim=-1)
    w.add("flatten", "bool_noncontig", lambda x: x.flatten(), [Inp(B((3, 2)), tr=True)],
          start_dim=0, end_dim=-1)
    w.error("flatten", "start_after_end", "INVALID_ARG", lambda x: x.flatten(2, 1),
            [Inp(U((2, 3, 4)))], start_dim=2, end_dim=1)
    w.error("flatten", "start_after_end_neg", "INVALID_ARG", lambda x: x.flatten(-1, 0),
            [Inp(U((2, 3)))], start_dim=-1, end_dim=0)
    w.error("flatten", "dim_range", "INDEX", lambda x: x.flatten(0, 2), [Inp(U((2, 3)))],
            start_dim=0, end_dim=2)
    w.error("flatten", "dim_range_start", "INDEX", lambda x: x.flatten(-3, 1), [Inp(U((2, 3)))],
            start_dim=-3, end_dim=1)


def gen_unflatten(w):
    def uf(dim, sizes):
        return lambda x: unflatten_2x(x, dim, sizes)

    for dt, dn in FLOATS:
        w.add("unflatten", "2x12_d1_" + dn, uf(1, (3, 4)), [Inp(U((2, 12), dt))], dim=1,
              sizes=[3, 4])
        w.add("unflatten", "infer_" + dn, uf(1, (3, -1)), [Inp(U((2, 12), dt))], dim=1,
              sizes=[3, -1])
        w.add("unflatten", "neg_dim_" + dn, uf(-1, (2, 2, 3)), [Inp(U((2, 12), dt))], dim=-1,
              sizes=[2, 2, 3])
        w.add("unflatten", "1d_" + dn, uf(0, (2, 3)), [Inp(U((6,), dt))], dim=0, sizes=[2, 3])
        w.add("unflatten", "one_size_" + dn, uf(0, (6,)), [Inp(U((6,), dt))], dim=0, sizes=[6])
        w.add("unflatten", "noncontig_" + dn, uf(0, (2, 3)), [Inp(U((4, 6), dt), tr=True)], dim=0,
              sizes=[2, 3])
        w.add("unflatten", "empty_" + dn, uf(1, (2, 3)), [Inp(U((0, 6), dt))], dim=1,
              sizes=[2, 3])
        w.add("unflatten", "empty_dim_" + dn, uf(0, (0, 5)), [Inp(U((0, 2), dt))], dim=0,
              sizes=[0, 5])
    w.add("unflatten", "i64", uf(1, (2, 2)), [Inp(I((3, 4)))], dim=1, sizes=[2, 2])
    w.add("unflatten", "bool", uf(0, (1, 3)), [Inp(B((3,)))], dim=0, sizes=[1, 3])
    w.error("unflatten", "empty_sizes", "INVALID_ARG", uf(1, ()), [Inp(U((2, 12)))], dim=1,
            sizes=[])
    w.error("unflatten", "multiply", "SHAPE", uf(1, (2, 3)), [Inp(U((3, 4)))], dim=1,
            sizes=[2, 3])
    w.error("unflatten", "multiply_infer", "SHAPE", uf(1, (-1, 3)), [Inp(U((3, 4)))], dim=1,
            sizes=[-1, 3])
    w.error("unflatten", "two_infer", "SHAPE", uf(1, (-1, -1)), [Inp(U((3, 4)))], dim=1,
            sizes=[-1, -1])
    w.error("unflatten", "negative", "SHAPE", uf(1, (2, -2)), [Inp(U((3, 4)))], dim=1,
            sizes=[2, -2])
    w.error("unflatten", "ambiguous", "SHAPE", uf(0, (0, -1)), [Inp(U((0,)))], dim=0,
            sizes=[0, -1])
    w.error("unflatten", "zero_nonzero", "SHAPE", uf(0, (0, -1)), [Inp(U((4,)))], dim=0,
            sizes=[0, -1])
    w.error("unflatten", "0d", "SHAPE", uf(0, (1,)), [Inp(U(()))], dim=0, sizes=[1])
    w.error("unflatten", "dim_range", "INDEX", uf(2, (2, 2)), [Inp(U((3, 4)))], dim=2,
            sizes=[2, 2])


def gen_narrow_slice_select(w):
    def nw(dim, start, length):
        return lambda x: narrow_2x(x, dim, start, length)

    def sl(dim, start, end, step):
        return lambda x: torch.ops.aten.slice.Tensor(x, dim, start, end, step)

    for dt, dn in FLOATS:
        w.add("narrow", "d0_" + dn, nw(0, 1, 2), [Inp(U((4, 5), dt))], dim=0, start=1, length=2)
        w.add("narrow", "d1_neg_start_" + dn, nw(1, -3, 2), [Inp(U((4, 5), dt))], dim=1,
              start=-3, length=2)
        w.add("narrow", "len0_" + dn, nw(0, 2, 0), [Inp(U((4, 5), dt))], dim=0, start=2,
              length=0)
        w.add("narrow", "start_at_end_" + dn, nw(1, 5, 0), [Inp(U((4, 5), dt))], dim=1, start=5,
              length=0)
        w.add("narrow", "start_neg_size_" + dn, nw(0, -4, 4), [Inp(U((4, 5), dt))], dim=0,
              start=-4, length=4)
        w.add("narrow", "noncontig_" + dn, nw(1, 1, 2), [Inp(U((4, 3), dt), tr=True)], dim=1,
              start=1, length=2)
        w.add("narrow", "3d_neg_dim_" + dn, nw(-1, 1, 3), [Inp(U((2, 3, 4), dt))], dim=-1,
              start=1, length=3)
        w.add("narrow", "empty_" + dn, nw(1, 1, 1), [Inp(U((0, 3), dt))], dim=1, start=1,
              length=1)
        w.add("slice", "d0_" + dn, sl(0, 1, 4, 1), [Inp(U((5, 4), dt))], dim=0, start=1, end=4,
              step=1)
        w.add("slice", "step2_to_end_" + dn, sl(0, 0, END, 2), [Inp(U((5, 4), dt))], dim=0,
              start=0, end=END, step=2)
        w.add("slice", "negative_" + dn, sl(1, -3, -1, 1), [Inp(U((5, 4), dt))], dim=1, start=-3,
              end=-1, step=1)
        w.add("slice", "clamped_" + dn, sl(0, -10, 10, 1), [Inp(U((5, 4), dt))], dim=0,
              start=-10, end=10, step=1)
        w.add("slice", "end_before_start_" + dn, sl(0, 3, 1, 1), [Inp(U((5, 4), dt))], dim=0,
              start=3, end=1, step=1)
        w.add("slice", "start_past_end_" + dn, sl(1, 7, 9, 1), [Inp(U((5, 4), dt))], dim=1,
              start=7, end=9, step=1)
        w.add("slice", "step3_" + dn, sl(0, 1, END, 3), [Inp(U((8, 2), dt))], dim=0, start=1,
              end=END, step=3)
        w.add("slice", "big_step_" + dn, sl(1, 1, END, 100), [Inp(U((3, 5), dt))], dim=1,
              start=1, end=END, step=100)
        w.add("slice", "noncontig_" + dn, sl(1, 0, 3, 2), [Inp(U((4, 3), dt), tr=True)], dim=1,
              start=0, end=3, step=2)
        w.add("slice", "3d_neg_dim_" + dn, sl(-1, 1, -1, 1), [Inp(U((2, 3, 4), dt))], dim=-1,
              start=1, end=-1, step=1)
        w.add("slice", "empty_" + dn, sl(0, 0, 1, 1), [Inp(U((0, 3), dt))], dim=0, start=0, end=1,
              step=1)
        w.add("slice", "full_" + dn, sl(0, 0, END, 1), [Inp(U((3,), dt))], dim=0, start=0,
              end=END, step=1)
        w.add("select", "d0_" + dn, lambda x: x.select(0, 1), [Inp(U((3, 4), dt))], dim=0,
              index=1)
        w.add("select", "d1_neg_" + dn, lambda x: x.select(1, -1), [Inp(U((3, 4), dt))], dim=1,
              index=-1)
        w.add("select", "neg_dim_" + dn, lambda x: x.select(-2, -3), [Inp(U((3, 4), dt))],
              dim=-2, index=-3)
        w.add("select", "1d_" + dn, lambda x: x.select(0, 2), [Inp(U((4,), dt))], dim=0, index=2)
        w.add("select", "noncontig_" + dn, lambda x: x.select(1, 0),
              [Inp(U((4, 3), dt), tr=True)], dim=1, index=0)
        w.add("select", "3d_" + dn, lambda x: x.select(1, 2), [Inp(U((2, 3, 4), dt))], dim=1,
              index=2)
        w.add("select", "empty_" + dn, lambda x: x.select(0, 1), [Inp(U((2, 0), dt))], dim=0,
              index=1)
    w.add("narrow", "i64", nw(0, 1, 1), [Inp(I((3, 2)))], dim=0, start=1, length=1)
    w.add("slice", "bool", sl(1, 0, END, 2), [Inp(B((2, 5)))], dim=1, start=0, end=END, step=2)
    w.add("select", "i64", lambda x: x.select(1, 1), [Inp(I((3, 2)))], dim=1, index=1)
    w.add("select", "no_grad_f32", lambda x: x.select(0, 0), [Inp(U((2, 2)), rg=False)], dim=0,
          index=0)
    w.error("narrow", "0d", "SHAPE", nw(0, 0, 1), [Inp(U(()))], dim=0, start=0, length=1)
    w.error("narrow", "negative_length", "INVALID_ARG", nw(0, 1, -1), [Inp(U((3, 4)))], dim=0,
            start=1, length=-1)
    w.error("narrow", "start_range", "INDEX", nw(0, 4, 0), [Inp(U((3, 4)))], dim=0, start=4,
            length=0)
    w.error("narrow", "start_range_neg", "INDEX", nw(1, -5, 1), [Inp(U((3, 4)))], dim=1,
            start=-5, length=1)
    w.error("narrow", "exceeds", "INVALID_ARG", nw(0, 2, 2), [Inp(U((3, 4)))], dim=0, start=2,
            length=2)
    w.error("narrow", "exceeds_neg_start", "INVALID_ARG", nw(1, -2, 3), [Inp(U((3, 4)))], dim=1,
            start=-2, length=3)
    w.error("narrow", "dim_range", "INDEX", nw(2, 0, 1), [Inp(U((3, 4)))], dim=2, start=0,
            length=1)
    w.error("slice", "0d", "INDEX", sl(0, 0, 1, 1), [Inp(U(()))], dim=0, start=0, end=1, step=1)
    w.error("slice", "step0", "INVALID_ARG", sl(0, 0, 2, 0), [Inp(U((3, 4)))], dim=0, start=0,
            end=2, step=0)
    w.error("slice", "step_neg", "INVALID_ARG", sl(1, 0, 2, -1), [Inp(U((3, 4)))], dim=1,
            start=0, end=2, step=-1)
    w.error("slice", "dim_range", "INDEX", sl(2, 0, 2, 1), [Inp(U((3, 4)))], dim=2, start=0,
            end=2, step=1)
    w.error("select", "0d", "INDEX", lambda x: x.select(0, 0), [Inp(U(()))], dim=0, index=0)
    w.error("select", "index_range", "INDEX", lambda x: x.select(0, 3), [Inp(U((3, 4)))], dim=0,
            index=3)
    w.error("select", "index_range_neg", "INDEX", lambda x: x.select(1, -5), [Inp(U((3, 4)))],
            dim=1, index=-5)
    w.error("select", "empty_dim", "INDEX", lambda x: x.select(1, 0), [Inp(U((3, 0)))], dim=1,
            index=0)
    w.error("select", "dim_range", "INDEX", lambda x: x.select(2, 0), [Inp(U((3, 4)))], dim=2,
            index=0)


def gen_split(w):
    for dt, dn in FLOATS:
        w.add("split", "5x3_by2_" + dn, lambda x: x.split(2), [Inp(U((5, 3), dt))],
              split_size=2, dim=0)
        w.add("split", "partial_grads_" + dn, lambda x: x.split(2), [Inp(U((5, 3), dt))],
              grads=[1], split_size=2, dim=0)
        w.add("split", "last_only_" + dn, lambda x: x.split(2, 1), [Inp(U((3, 5), dt))],
              grads=[2], split_size=2, dim=1)
        w.add("split", "whole_" + dn, lambda x: x.split(5), [Inp(U((5, 3), dt))], split_size=5,
              dim=0)
        w.add("split", "bigger_" + dn, lambda x: x.split(10), [Inp(U((5, 3), dt))],
              split_size=10, dim=0)
        w.add("split", "neg_dim_" + dn, lambda x: x.split(1, -1), [Inp(U((2, 3), dt))],
              split_size=1, dim=-1)
        w.add("split", "noncontig_" + dn, lambda x: x.split(2, 1), [Inp(U((3, 4), dt), tr=True)],
              grads=[0, 2], split_size=2, dim=1)
        w.add("split", "empty_size0_" + dn, lambda x: x.split(0), [Inp(U((0, 3), dt))],
              split_size=0, dim=0)
        w.add("split", "empty_" + dn, lambda x: x.split(2), [Inp(U((0, 3), dt))], split_size=2,
              dim=0)
        w.add("split_with_sizes", "6x2_" + dn, lambda x: split_with_sizes_2x(x, (1, 2, 3), 0),
              [Inp(U((6, 2), dt))], sizes=[1, 2, 3], dim=0)
        w.add("split_with_sizes", "partial_grads_" + dn,
              lambda x: split_with_sizes_2x(x, (1, 2, 3), 0), [Inp(U((6, 2), dt))], grads=[0, 2],
              sizes=[1, 2, 3], dim=0)
        w.add("split_with_sizes", "zero_piece_" + dn,
              lambda x: split_with_sizes_2x(x, (0, 6, 0), 0), [Inp(U((6, 2), dt))],
              sizes=[0, 6, 0], dim=0)
        w.add("split_with_sizes", "d1_" + dn, lambda x: split_with_sizes_2x(x, (2, 3), 1),
              [Inp(U((3, 5), dt))], grads=[1], sizes=[2, 3], dim=1)
        w.add("split_with_sizes", "noncontig_" + dn,
              lambda x: split_with_sizes_2x(x, (3, 1), -1), [Inp(U((4, 2), dt), tr=True)],
              sizes=[3, 1], dim=-1)
        w.add("chunk", "5x3_2_" + dn, lambda x: x.chunk(2), [Inp(U((5, 3), dt))], chunks=2, dim=0)
        w.add("chunk", "5x3_3_" + dn, lambda x: x.chunk(3), [Inp(U((5, 3), dt))], grads=[0, 2],
              chunks=3, dim=0)
        w.add("chunk", "more_chunks_" + dn, lambda x: x.chunk(6), [Inp(U((5, 3), dt))], chunks=6,
              dim=0)
        w.add("chunk", "4_chunks_of_5_" + dn, lambda x: x.chunk(4), [Inp(U((5, 3), dt))],
              chunks=4, dim=0)
        w.add("chunk", "d1_" + dn, lambda x: x.chunk(2, 1), [Inp(U((2, 4), dt))], grads=[1],
              chunks=2, dim=1)
        w.add("chunk", "noncontig_" + dn, lambda x: x.chunk(3, -1), [Inp(U((6, 2), dt), tr=True)],
              chunks=3, dim=-1)
        w.add("chunk", "empty_dim_" + dn, lambda x: x.chunk(3), [Inp(U((0, 3), dt))], chunks=3,
              dim=0)
    w.add("split", "i64", lambda x: x.split(2), [Inp(I((3, 2)))], split_size=2, dim=0)
    w.add("split_with_sizes", "bool", lambda x: split_with_sizes_2x(x, (1, 1), 1),
          [Inp(B((2, 2)))], sizes=[1, 1], dim=1)
    w.add("split_with_sizes", "empty_list", lambda x: split_with_sizes_2x(x, (), 0),
          [Inp(U((0, 2)))], sizes=[], dim=0)
    w.add("chunk", "i64", lambda x: x.chunk(2), [Inp(I((4,)))], chunks=2, dim=0)
    w.add("chunk", "no_grad_f32", lambda x: x.chunk(2), [Inp(U((4,)), rg=False)], chunks=2, dim=0)
    w.error("split", "0d", "SHAPE", lambda x: x.split(1), [Inp(U(()))], split_size=1, dim=0)
    w.error("split", "negative", "INVALID_ARG", lambda x: x.split(-1), [Inp(U((3, 4)))],
            split_size=-1, dim=0)
    w.error("split", "zero", "INVALID_ARG", lambda x: x.split(0), [Inp(U((3, 4)))],
            split_size=0, dim=0)
    w.error("split", "dim_range", "INDEX", lambda x: x.split(1, 2), [Inp(U((3, 4)))],
            split_size=1, dim=2)
    w.error("split_with_sizes", "0d", "SHAPE", lambda x: split_with_sizes_2x(x, (1,), 0),
            [Inp(U(()))], sizes=[1], dim=0)
    w.error("split_with_sizes", "negative", "INVALID_ARG",
            lambda x: split_with_sizes_2x(x, (-1, 4), 0), [Inp(U((3, 4)))], sizes=[-1, 4], dim=0)
    w.error("split_with_sizes", "negative_last", "INVALID_ARG",
            lambda x: split_with_sizes_2x(x, (4, -1), 0), [Inp(U((3, 4)))], sizes=[4, -1], dim=0)
    w.error("split_with_sizes", "sum", "INVALID_ARG",
            lambda x: split_with_sizes_2x(x, (1, 1), 0), [Inp(U((3, 4)))], sizes=[1, 1], dim=0)
    w.error("split_with_sizes", "sum_d1", "INVALID_ARG",
            lambda x: split_with_sizes_2x(x, (2, 3), 1), [Inp(U((3, 4)))], sizes=[2, 3], dim=1)
    w.error("split_with_sizes", "dim_range", "INDEX", lambda x: split_with_sizes_2x(x, (3,), -3),
            [Inp(U((3, 4)))], sizes=[3], dim=-3)
    w.error("chunk", "0d", "SHAPE", lambda x: x.chunk(2), [Inp(U(()))], chunks=2, dim=0)
    w.error("chunk", "zero", "INVALID_ARG", lambda x: x.chunk(0), [Inp(U((3, 4)))], chunks=0,
            dim=0)
    w.error("chunk", "negative", "INVALID_ARG", lambda x: x.chunk(-2), [Inp(U((3, 4)))],
            chunks=-2, dim=0)
    w.error("chunk", "dim_range", "INDEX", lambda x: x.chunk(2, 2), [Inp(U((3, 4)))], chunks=2,
            dim=2)


def gen_cat_stack(w):
    # An empty list has no tensor whose context could hold the error, so tg_cat / tg_stack
    # return NULL without one: tests/test_shape.c checks that directly, with no record here.
    def cat(dim):
        return lambda *xs: torch.cat(xs, dim)

    def stack(dim):
        return lambda *xs: torch.stack(xs, dim)

    for dt, dn in FLOATS:
        w.add("cat", "d0_" + dn, cat(0), [Inp(U((2, 3), dt)), Inp(U((4, 3), dt))], dim=0)
        w.add("cat", "d1_" + dn, cat(1), [Inp(U((2, 3), dt)), Inp(U((2, 1), dt))], dim=1)
        w.add("cat", "three_neg_dim_" + dn, cat(-1),
              [Inp(U((2, 1, 2), dt)), Inp(U((2, 1, 3), dt)), Inp(U((2, 1, 1), dt))], dim=-1)
        w.add("cat", "five_1d_" + dn, cat(0), [Inp(U((k + 1,), dt)) for k in range(5)], dim=0)
        w.add("cat", "one_" + dn, cat(0), [Inp(U((2, 2), dt))], dim=0)
        w.add("cat", "legacy_empty_" + dn, cat(1),
              [Inp(U((2, 3), dt)), Inp(U((0,), dt)), Inp(U((2, 2), dt))], dim=1)
        w.add("cat", "legacy_empty_first_" + dn, cat(0), [Inp(U((0,), dt)), Inp(U((2, 3), dt))],
              dim=0)
        w.add("cat", "all_legacy_empty_" + dn, cat(0), [Inp(U((0,), dt)), Inp(U((0,), dt))],
              dim=0)
        w.add("cat", "empty_rows_" + dn, cat(0), [Inp(U((0, 3), dt)), Inp(U((2, 3), dt))], dim=0)
        w.add("cat", "one_requires_grad_" + dn, cat(0),
              [Inp(U((1, 3), dt), rg=False), Inp(U((2, 3), dt))], dim=0)
        w.add("cat", "noncontig_" + dn, cat(1),
              [Inp(U((3, 2), dt), tr=True), Inp(U((2, 2), dt)), Inp(U((4, 2), dt), tr=True)],
              dim=1)
        w.add("stack", "d0_" + dn, stack(0), [Inp(U((2, 3), dt)), Inp(U((2, 3), dt))], dim=0)
        w.add("stack", "d1_" + dn, stack(1), [Inp(U((2, 3), dt)), Inp(U((2, 3), dt))], dim=1)
        w.add("stack", "d2_" + dn, stack(2), [Inp(U((2, 3), dt)), Inp(U((2, 3), dt))], dim=2)
        w.add("stack", "neg_dim_" + dn, stack(-1),
              [Inp(U((3,), dt)), Inp(U((3,), dt)), Inp(U((3,), dt))], dim=-1)
        w.add("stack", "0d_" + dn, stack(0), [Inp(U((), dt)), Inp(U((), dt))], dim=0)
        w.add("stack", "one_" + dn, stack(1), [Inp(U((2, 2), dt))], dim=1)
        w.add("stack", "noncontig_" + dn, stack(1),
              [Inp(U((3, 2), dt), tr=True), Inp(U((2, 3), dt)), Inp(U((3, 2), dt), tr=True)],
              dim=1)
        w.add("stack", "empty_" + dn, stack(0), [Inp(U((0, 2), dt)), Inp(U((0, 2), dt))], dim=0)
        w.add("stack", "one_requires_grad_" + dn, stack(0),
              [Inp(U((2,), dt)), Inp(U((2,), dt), rg=False)], dim=0)
    for op, f in (("cat", cat(0)), ("stack", stack(0))):
        w.add(op, "promote_f32_f64", f, [Inp(U((2, 2))), Inp(U((2, 2), F64))], dim=0)
        w.add(op, "promote_i64_f32", f, [Inp(I((2, 2))), Inp(U((2, 2)))], dim=0)
        w.add(op, "promote_bool_f64", f, [Inp(B((2, 2))), Inp(U((2, 2), F64))], dim=0)
        w.add(op, "promote_bool_i64", f, [Inp(B((2, 2))), Inp(I((2, 2)))], dim=0)
        w.add(op, "i64", f, [Inp(I((2, 2))), Inp(I((2, 2)))], dim=0)
        w.add(op, "bool", f, [Inp(B((3,))), Inp(B((3,)))], dim=0)
        w.add(op, "no_grad_f32", f, [Inp(U((2,)), rg=False), Inp(U((2,)), rg=False)], dim=0)
    w.error("cat", "0d", "SHAPE", cat(0), [Inp(U((2,))), Inp(U(()))], dim=0)
    w.error("cat", "0d_first", "SHAPE", cat(0), [Inp(U(())), Inp(U(()))], dim=0)
    w.error("cat", "ndim", "SHAPE", cat(0), [Inp(U((3, 4))), Inp(U((3,)))], dim=0)
    w.error("cat", "ndim_after_empty", "SHAPE", cat(0),
            [Inp(U((0,))), Inp(U((3,))), Inp(U((1, 3)))], dim=0)
    w.error("cat", "sizes", "SHAPE", cat(1), [Inp(U((3, 4))), Inp(U((2, 4)))], dim=1)
    w.error("cat", "sizes_third", "SHAPE", cat(0),
            [Inp(U((1, 2, 3))), Inp(U((1, 2, 3))), Inp(U((1, 2, 4)))], dim=0)
    w.error("cat", "dim_range", "INDEX", cat(2), [Inp(U((3, 4))), Inp(U((3, 4)))], dim=2)
    w.error("cat", "dim_range_after_empty", "INDEX", cat(-2), [Inp(U((0,))), Inp(U((3,)))],
            dim=-2)
    w.error("stack", "unequal", "SHAPE", stack(0), [Inp(U((3, 4))), Inp(U((4, 3)))], dim=0)
    w.error("stack", "unequal_third", "SHAPE", stack(-1),
            [Inp(U((3,))), Inp(U((3,))), Inp(U((2,)))], dim=-1)
    w.error("stack", "unequal_ndim", "SHAPE", stack(0), [Inp(U((3,))), Inp(U((3, 1)))], dim=0)
    w.error("stack", "dim_range", "INDEX", stack(3), [Inp(U((3, 4))), Inp(U((3, 4)))], dim=3)
    w.error("stack", "dim_range_0d", "INDEX", stack(1), [Inp(U(())), Inp(U(()))], dim=1)


def gen_repeat_flip(w):
    for dt, dn in FLOATS:
        w.add("repeat", "2x3_" + dn, lambda x: x.repeat(2, 1), [Inp(U((2, 3), dt))], sizes=[2, 1])
        w.add("repeat", "both_" + dn, lambda x: x.repeat(3, 2), [Inp(U((2, 3), dt))], sizes=[3, 2])
        w.add("repeat", "lead_" + dn, lambda x: x.repeat(2, 2, 3), [Inp(U((2, 3), dt))],
              sizes=[2, 2, 3])
        w.add("repeat", "0d_" + dn, lambda x: x.repeat(3, 2), [Inp(U((), dt))], sizes=[3, 2])
        w.add("repeat", "0d_none_" + dn, lambda x: x.repeat(()), [Inp(U((), dt))], sizes=[])
        w.add("repeat", "1d_" + dn, lambda x: x.repeat(2, 2), [Inp(U((3,), dt))], sizes=[2, 2])
        w.add("repeat", "ones_" + dn, lambda x: x.repeat(1, 1), [Inp(U((2, 3), dt))], sizes=[1, 1])
        w.add("repeat", "zero_" + dn, lambda x: x.repeat(0, 2), [Inp(U((2, 3), dt))], sizes=[0, 2])
        w.add("repeat", "empty_" + dn, lambda x: x.repeat(2, 2), [Inp(U((0, 3), dt))],
              sizes=[2, 2])
        w.add("repeat", "noncontig_" + dn, lambda x: x.repeat(1, 2, 2),
              [Inp(U((3, 2, 2), dt), tr=True)], sizes=[1, 2, 2])
        w.add("flip", "d0_" + dn, lambda x: x.flip(0), [Inp(U((2, 3), dt))], dims=[0])
        w.add("flip", "both_" + dn, lambda x: x.flip(0, 1), [Inp(U((2, 3), dt))], dims=[0, 1])
        w.add("flip", "neg_" + dn, lambda x: x.flip(-1), [Inp(U((2, 3), dt))], dims=[-1])
        w.add("flip", "none_" + dn, lambda x: x.flip(()), [Inp(U((2, 3), dt))], dims=[])
        w.add("flip", "0d_" + dn, lambda x: x.flip(0), [Inp(U((), dt))], dims=[0])
        w.add("flip", "3d_" + dn, lambda x: x.flip(2, 0), [Inp(U((2, 3, 4), dt))], dims=[2, 0])
        w.add("flip", "noncontig_" + dn, lambda x: x.flip(1), [Inp(U((3, 2, 2), dt), tr=True)],
              dims=[1])
        w.add("flip", "empty_" + dn, lambda x: x.flip(0, 1), [Inp(U((0, 3), dt))], dims=[0, 1])
    w.add("repeat", "i64", lambda x: x.repeat(2, 2), [Inp(I((2, 2)))], sizes=[2, 2])
    w.add("repeat", "bool", lambda x: x.repeat(2), [Inp(B((3,)))], sizes=[2])
    w.add("flip", "i64", lambda x: x.flip(1), [Inp(I((2, 3)))], dims=[1])
    w.add("flip", "bool_noncontig", lambda x: x.flip(0), [Inp(B((3, 2)), tr=True)], dims=[0])
    w.error("repeat", "fewer", "INVALID_ARG", lambda x: x.repeat(2), [Inp(U((3, 4)))], sizes=[2])
    w.error("repeat", "fewer_empty", "INVALID_ARG", lambda x: x.repeat(()), [Inp(U((3,)))],
            sizes=[])
    w.error("repeat", "negative", "SHAPE", lambda x: x.repeat(2, -1), [Inp(U((3, 4)))],
            sizes=[2, -1])
    w.error("flip", "duplicate", "INVALID_ARG", lambda x: x.flip(0, 0), [Inp(U((3, 4)))],
            dims=[0, 0])
    w.error("flip", "duplicate_neg", "INVALID_ARG", lambda x: x.flip(1, -1), [Inp(U((3, 4)))],
            dims=[1, -1])
    w.error("flip", "dim_range", "INDEX", lambda x: x.flip(2), [Inp(U((3, 4)))], dims=[2])


def generate(outdir):
    _draw.reset()
    torch.set_default_dtype(torch.float32)
    return Writer().run(outdir, "shape.txt", gen_permute, gen_squeeze, gen_expand_as,
                        gen_flatten, gen_unflatten, gen_narrow_slice_select, gen_split,
                        gen_cat_stack, gen_repeat_flip)


if __name__ == "__main__":
    print(generate(sys.argv[1]))
