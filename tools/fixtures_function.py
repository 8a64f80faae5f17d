"""fixtures_function.py — custom autograd.Function behaviour in PyTorch (function.txt).

tests/test_function.c defines the same functions in C (tg_function) and replays each scenario.
Run: /usr/bin/python3 tools/fixtures_function.py tests/fixtures
"""
import os
import sys

import torch
from torch.autograd import Function
from torch.autograd.function import once_differentiable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import err, Scenarios  # noqa: E402

records = Scenarios()
rec = records.rec


class Exp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 3 * x ** 2


class Needs(Function):
    seen = None

    @staticmethod
    def forward(ctx, a, b):
        Needs.seen = ctx.needs_input_grad
        return a * b

    @staticmethod
    def backward(ctx, g):
        return g * 2, None


class TwoOut(Function):
    got = None

    @staticmethod
    def forward(ctx, x):
        idx = x.clone()
        ctx.mark_non_differentiable(idx)
        return x * 2, idx

    @staticmethod
    def backward(ctx, g, gidx):
        TwoOut.got = gidx.clone()
        return g * 2


class MulInplace(Function):
    @staticmethod
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 2


class Once(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 2 * x


class NoBackward(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2


class BadShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return torch.ones(3)


def scenarios():
    x = torch.tensor([0., 1.], requires_grad=True)
    y = Exp.apply(x)
    r = repr(y)
    y.sum().backward()
    rec("exp", y=y, repr=r, grad=x.grad, error=err(lambda: y.sum().backward()))

    x = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)
    g, = torch.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    g2, = torch.autograd.grad(g.sum(), x)
    rec("cube_double", g=g, fn=type(g.grad_fn).__name__, g2=g2)

    a = torch.tensor([1., 2.], requires_grad=True)
    b = torch.tensor([3., 4.])
    out = Needs.apply(a, b)
    out.sum().backward()
    rec("needs_input_grad", a0=Needs.seen[0], b1=Needs.seen[1], grad=a.grad)

    x = torch.tensor([1., -2.], requires_grad=True)
    o, idx = TwoOut.apply(x)
    o.sum().backward()
    rec("non_differentiable", idx_rg=idx.requires_grad, o_fn=type(o.grad_fn).__name__,
        got=TwoOut.got, grad=x.grad)

    x = torch.tensor([1., 3.], requires_grad=True)
    a = x * 1
    out = MulInplace.apply(a)
    out.sum().backward()
    rec("mark_dirty", out=out, fn=type(out.grad_fn).__name__, a_fn=type(a.grad_fn).__name__,
        grad=x.grad, same=(out is a))
    rec("mark_dirty_leaf", error=err(lambda: MulInplace.apply(torch.ones(2, requires_grad=True))))

    x = torch.tensor([1., 2.], requires_grad=True)
    g, = torch.autograd.grad(Once.apply(x).sum(), x, create_graph=True)
    rec("once_differentiable", g=g, fn=type(g.grad_fn).__name__,
        error=err(lambda: torch.autograd.grad(g.sum(), x)))

    x = torch.tensor([1., 2.], requires_grad=True)
    g, = torch.autograd.grad((Once.apply(x) ** 2).sum(), x, create_graph=True)
    rec("once_differentiable_error", g=g, fn=type(g.grad_fn).__name__,
        error=err(lambda: g.sum().backward()))

    x = torch.ones(2, requires_grad=True)
    rec("no_backward", error=err(lambda: NoBackward.apply(x).sum().backward()))
    rec("bad_shape", error=err(lambda: BadShape.apply(x).sum().backward()))


def generate(outdir):
    records.run(outdir, "function.txt", scenarios)


if __name__ == "__main__":
    generate(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures")
