"""fixtures_functional.py — torch.autograd.functional results (functional.txt).

tests/test_functional.c defines the same functions in C and compares jacobian, hessian, vjp,
jvp, hvp and vhp, and the error messages.
Run: /usr/bin/python3 tools/fixtures_functional.py tests/fixtures
"""
import os
import sys

import torch
from torch.autograd import functional as AF

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import err, fmt_ints, Scenarios  # noqa: E402

records = Scenarios()
rec = records.rec


def shape(t):
    return fmt_ints(t.shape)


D = torch.float64


def square(x):
    return x ** 2


def two(x, y):  # broadcasting and several ops
    return (x * y).exp() + (x + 2).sqrt() * y


def cube_sum(x):
    return (x ** 3).sum()


def net(x, w):  # a tiny network: mean((x @ w)^2 / (1 + |x @ w|))... kept differentiable twice
    h = x.mm(w)
    return (h * h / (h.abs() + 1)).mean() + (w ** 2).sum() * 0.1


def scenarios():
    x = torch.tensor([1., 2., 3.], dtype=D)
    rec("jac_square", j=AF.jacobian(square, x), shape=shape(AF.jacobian(square, x)))

    x = torch.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], dtype=D)
    y = torch.tensor([1.0, -1.0, 0.5], dtype=D)
    jx, jy = AF.jacobian(two, (x, y))
    rec("jac_two", jx=jx, jx_shape=shape(jx), jy=jy, jy_shape=shape(jy))
    v = torch.tensor([[1., 2., 3.], [4., 5., 6.]], dtype=D)
    out, (vx, vy) = AF.vjp(two, (x, y), v)
    rec("vjp_two", out=out, vx=vx, vy=vy)
    vx_in = torch.tensor([[1., 0., -1.], [0.5, 0.5, 0.5]], dtype=D)
    vy_in = torch.tensor([2., 1., 0.], dtype=D)
    out, jv = AF.jvp(two, (x, y), (vx_in, vy_in))
    rec("jvp_two", out=out, jv=jv)

    x = torch.tensor([1., 2., 3.], dtype=D)
    h = AF.hessian(cube_sum, x)
    out, hv = AF.hvp(cube_sum, x, torch.ones(3, dtype=D))
    rec("hess_cube", h=h, shape=shape(h), out=out, hv=hv)

    x = torch.tensor([[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]], dtype=D)
    w = torch.tensor([[0.3, -0.2, 0.1], [0.7, 0.4, -0.6]], dtype=D)
    hs = AF.hessian(net, (x, w))
    vx = torch.tensor([[1., 0.], [0., 1.], [1., 1.]], dtype=D)
    vw = torch.tensor([[0.5, -0.5, 1.], [1., 2., -1.]], dtype=D)
    out, (hvx, hvw) = AF.hvp(net, (x, w), (vx, vw))
    _, (vhx, vhw) = AF.vhp(net, (x, w), (vx, vw))
    rec("net", hxx=hs[0][0], hxw=hs[0][1], hwx=hs[1][0], hww=hs[1][1], out=out, hvx=hvx,
        hvw=hvw, vhx=vhx, vhw=vhw)

    g, = AF.jacobian(lambda x: square(x).sum(), (torch.tensor([1., 2.], dtype=D),),
                     create_graph=True)
    rec("jac_create_graph", fn=type(g.grad_fn).__name__ if g.grad_fn else "none")

    rec("err_hessian", error=err(lambda: AF.hessian(square, torch.ones(3, dtype=D))))
    rec("err_vjp_none", error=err(lambda: AF.vjp(square, torch.ones(3, dtype=D))))
    rec("err_vjp_size",
        error=err(lambda: AF.vjp(square, torch.ones(3, dtype=D), torch.ones(2, dtype=D))))
    rec("err_strict", error=err(lambda: AF.jacobian(lambda x: x.detach() * 2,
                                                    torch.ones(3, dtype=D), strict=True)))
    rec("jac_independent", j=AF.jacobian(lambda x: x.detach() * 2, torch.ones(3, dtype=D)))

    # strict mode, every function and stage: (x, y) -> one of these (C: STRICT_FNS)
    strict_fns = [
        lambda x, y: (y ** 2).sum(),           # 0: independent of x
        lambda x, y: x.sum() + (y ** 2).sum(),  # 1: linear in x
        lambda x, y: (x * y).sum(),            # 2: bilinear
        lambda x, y: (x * x * y).sum(),        # 3: cubic
        lambda x, y: x * y,                    # 4: not a scalar
        lambda x, y: y * 2,                    # 5: not a scalar, independent of x
        lambda x, y: (torch.round(x) * y).sum(),  # 6-8: round's gradient is zeros, no graph
        lambda x, y: torch.round(x).sum() + (y ** 3).sum(),
        lambda x, y: torch.round(x * y).sum(),
        lambda x, y: (torch.round(x) * y).sum() + (x * x).sum(),  # 9: H v misses u_y
    ]
    ones = lambda: torch.ones(2, dtype=D)  # noqa: E731
    calls = {
        "jacobian": lambda f, cg: AF.jacobian(f, (ones(), ones()), strict=True, create_graph=cg),
        "vjp": lambda f, cg: AF.vjp(f, (ones(), ones()), f(ones(), ones()) * 0 + 1, strict=True,
                                    create_graph=cg),
        "jvp": lambda f, cg: AF.jvp(f, (ones(), ones()), (ones(), ones()), strict=True,
                                    create_graph=cg),
        "hessian": lambda f, cg: AF.hessian(f, (ones(), ones()), strict=True, create_graph=cg),
        "vhp": lambda f, cg: AF.vhp(f, (ones(), ones()), (ones(), ones()), strict=True,
                                    create_graph=cg),
        "hvp": lambda f, cg: AF.hvp(f, (ones(), ones()), (ones(), ones()), strict=True,
                                    create_graph=cg),
    }
    for name, call in calls.items():
        for k, f in enumerate(strict_fns):
            if k in (4, 5) and name in ("hessian", "vhp", "hvp"):
                continue  # these need a one-element output
            for cg in (False, True):
                try:
                    call(f, cg)
                    e = "ok"
                except RuntimeError as ex:
                    e = str(ex)
                rec("strict_%s_%d%s" % (name, k, "_cg" if cg else ""), error=e)


def generate(outdir):
    records.run(outdir, "functional.txt", scenarios)


if __name__ == "__main__":
    generate(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures")
