"""fixtures_autograd.py — autograd behaviour scenarios run in PyTorch, written to autograd.txt.

Each scenario has a name that tests/test_autograd.c runs the same way in C; a record holds the
values, flags, grad_fn names and error messages PyTorch produced. Names follow PyTorch 2.x.
Run: /usr/bin/python3 tools/fixtures_autograd.py tests/fixtures
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import err, gfn_name as gfn, Scenarios  # noqa: E402

records = Scenarios()
rec = records.rec


def scenarios():
    # the tutorial's first cells
    x = torch.tensor([[1., 3.], [2., 2.]], requires_grad=True)
    y = x + 2
    z = 3 * (y ** 2)
    zz = y * y
    out = zz.mean()
    out.backward()
    rec("tutorial_mean", y=y, z=z, zz=zz, out=out, grad=x.grad, y_fn=gfn(y), z_fn=gfn(z),
        out_fn=gfn(out))

    # accumulation across calls and across paths
    x = torch.tensor([1., 2.], requires_grad=True)
    (x * x).sum().backward()
    g1 = x.grad.clone()
    (x * x).sum().backward()
    rec("accumulate_calls", g1=g1, g2=x.grad)
    x = torch.tensor(3., requires_grad=True)
    (x * x + x).backward()
    rec("accumulate_paths", grad=x.grad)

    # retain_graph, and which graphs can be backpropagated twice
    x = torch.ones(2, requires_grad=True)
    s = (x * x).sum()
    s.backward(retain_graph=True)
    s.backward()
    rec("retain_graph_twice", grad=x.grad)
    for name, f in [("add", lambda x: (x + 1).sum()), ("view", lambda x: x.view(-1).sum()),
                    ("mul_scalar", lambda x: (x * 2).sum()), ("mul", lambda x: (x * x).sum()),
                    ("exp", lambda x: x.exp().sum()), ("div_scalar", lambda x: (x / 2).sum()),
                    ("pow", lambda x: (x ** 2).sum())]:
        x = torch.tensor([1., 2.], requires_grad=True)
        s = f(x)
        s.backward()
        e = err(s.backward)
        rec("twice_" + name, error=e, grad=x.grad)

    # vector-Jacobian products
    x = torch.tensor([3., 4., 6.], requires_grad=True)
    y = x * x * 3
    y.backward(torch.tensor([1., 1., 2.]))
    rec("vjp_example1", grad=x.grad)
    g = torch.tensor([[1., 1., 1.], [2., 3., 4.]])
    g.add_(torch.ones_like(g))
    g.requires_grad_(True)
    ggg = g * g * g + 3 * g
    ggg.backward(torch.tensor([[1., 1., 2.], [2., 2., 2.]]))
    rec("vjp_example2", g=g, grad=g.grad, fn=gfn(ggg))

    # broadcasting: gradients summed back to each input's shape
    a = torch.full((3, 1), 1.0, requires_grad=True)
    b = torch.full((1, 4), 1.0, requires_grad=True)
    c = torch.full((4,), 1.0, requires_grad=True)
    s = torch.tensor(2., requires_grad=True)
    (a * b + c * s).sum().backward()
    rec("broadcast_grads", a=a.grad, b=b.grad, c=c.grad, s=s.grad)
    e = torch.tensor([1., 2.], requires_grad=True)
    ex = e.expand(3, 2)
    ex.sum().backward()
    rec("expand_sum", grad=e.grad, fn=gfn(ex))

    # grad modes
    x = torch.tensor(3., requires_grad=True)
    with torch.no_grad():
        z = x * 2
        with torch.enable_grad():
            w = x * 2
    rec("no_grad", z=z, z_rg=z.requires_grad, z_leaf=z.is_leaf, w_rg=w.requires_grad,
        w_fn=gfn(w))
    torch.set_grad_enabled(False)
    v = x * 2
    torch.set_grad_enabled(True)
    rec("set_grad_enabled", v_rg=v.requires_grad, enabled=torch.is_grad_enabled())
    l = torch.ones(3, requires_grad=True)
    with torch.no_grad():
        l.mul_(2)
    rec("no_grad_inplace_leaf", l=l, version=l._version, rg=l.requires_grad, leaf=l.is_leaf)

    # requires_grad propagation
    p = torch.ones(2)
    q = torch.ones(2, requires_grad=True)
    rec("propagation", pq=(p + q).requires_grad, pp=(p + p).requires_grad,
        pq_leaf=(p + q).is_leaf, pp_leaf=(p * 2).is_leaf)

    # detach
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * 2
    d = y.detach()
    d.mul_(50)
    rec("detach_shares", y=y, d_rg=d.requires_grad, d_leaf=d.is_leaf, y_version=y._version,
        eq=x.eq(x.detach()))
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x.exp()
    y.detach().zero_()
    rec("detach_version", error=err(lambda: y.sum().backward()))
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x.exp()
    y.data.zero_()
    y.sum().backward()
    rec("data_bypasses_check", grad=x.grad, version=y._version)
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.detach_()
    rec("detach_inplace", y_leaf=y.is_leaf, y_rg=y.requires_grad, y_fn=gfn(y))
    rec("detach_inplace_view", error=err(lambda: (x * 1).view(2).detach_()))
    x = torch.ones(3, requires_grad=True)
    xd = x.detach()
    xd.requires_grad_()
    rec("detach_requires_grad", rg=xd.requires_grad, leaf=xd.is_leaf)

    # requires_grad_ rules
    rec("requires_grad_int", error=err(lambda: torch.tensor([1, 2]).requires_grad_()))
    rec("requires_grad_nonleaf_false",
        error=err(lambda: (torch.ones(2, requires_grad=True) * 2).requires_grad_(False)))
    y = torch.ones(2, requires_grad=True) * 2
    y.requires_grad_(True)
    rec("requires_grad_nonleaf_true", rg=y.requires_grad, leaf=y.is_leaf)

    # in-place ops
    rec("inplace_leaf", error=err(lambda: torch.ones(2, requires_grad=True).add_(1)))
    lv = torch.ones(4, requires_grad=True)
    rec("inplace_view_of_leaf", error=err(lambda: lv.view(2, 2).mul_(2)))
    p = torch.ones(2, requires_grad=True)
    q = p * 2
    q.add_(1)
    q.sum().backward()
    rec("inplace_nonleaf", q=q, fn=gfn(q), grad=p.grad, version=q._version)
    p = torch.tensor([1., 2.], requires_grad=True)
    q = p * 3
    q.mul_(p)
    q.sum().backward()
    rec("inplace_mul_tensor", q=q, fn=gfn(q), grad=p.grad)
    p = torch.tensor([1., 2.], requires_grad=True)
    q = p * 3
    q.div_(p + 1)
    q.sum().backward()
    rec("inplace_div_tensor", q=q, fn=gfn(q), grad=p.grad)
    p = torch.tensor([1., 2.], requires_grad=True)
    q = p * 3
    q.sub_(p * p)
    q.mul_(2.5)
    q.div_(2)
    q.sub_(0.5)
    q.sum().backward()
    rec("inplace_chain", q=q, fn=gfn(q), grad=p.grad)
    p = torch.ones(2, requires_grad=True)
    r = torch.zeros(2)
    r.add_(p)
    r.sum().backward()
    rec("inplace_into_plain", r=r, fn=gfn(r), leaf=r.is_leaf, grad=p.grad)
    p = torch.tensor([1., 2.], requires_grad=True)
    s = torch.zeros(2)
    s.copy_(p * 3)
    (s * s).sum().backward()
    rec("copy_", s=s, fn=gfn(s), grad=p.grad)
    p = torch.tensor([1., 2.], requires_grad=True)
    s = p * 3
    s.copy_(torch.tensor([5., 6.]))
    (s * p).sum().backward()
    rec("copy_over_history", s=s, fn=gfn(s), grad=p.grad)
    p = torch.tensor([1., 2.], requires_grad=True)
    s = p * 3
    s.fill_(2.)
    t = p * 1
    t.zero_()
    (s * p + t).sum().backward()
    rec("fill_zero", s=s, s_fn=gfn(s), t_fn=gfn(t), grad=p.grad)
    rec("inplace_broadcast_self", error=err(lambda: torch.ones(3).add_(torch.ones(2, 3))))
    rec("inplace_cast", error=err(lambda: torch.ones(3, dtype=torch.long).add_(1.5)))
    x = torch.ones(2)
    x.add_(1)
    v1 = x._version
    x.mul_(3)
    rec("version_counter", v1=v1, v2=x._version, x=x)

    # the saved-tensor version check
    p = torch.ones(3, requires_grad=True)
    q = p.exp()
    r = q * 2
    q.mul_(2)
    rec("version_error_output", error=err(lambda: r.sum().backward()))
    x = torch.ones(2, requires_grad=True)
    h = x.clone()
    y = h * h
    h.mul_(2)
    rec("version_error_input", error=err(lambda: y.sum().backward()))
    l = torch.ones(2, requires_grad=True)
    e = l * l
    with torch.no_grad():
        l.mul_(2)
    rec("version_error_leaf", error=err(lambda: e.sum().backward()))
    m = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    h = m.clone()
    y = h.mm(h)
    h.add_(1)
    rec("version_error_double", error=err(lambda: y.sum().backward()))

    # backward's argument checks
    x = torch.ones(2, requires_grad=True)
    rec("implicit_nonscalar", error=err(lambda: (x * 2).backward()))
    rec("no_grad_fn", error=err(lambda: torch.ones(2).sum().backward()))
    rec("mismatch_shape", error=err(lambda: (x * 2).backward(torch.ones(3))))
    x = torch.tensor(2., requires_grad=True)
    x.backward()
    rec("backward_on_leaf", grad=x.grad)
    o = torch.ones(1, requires_grad=True)
    (o * 2).backward()
    rec("one_element", grad=o.grad)
    x = torch.ones(2, requires_grad=True)
    (x * 2).backward(torch.ones(2, dtype=torch.float64))
    rec("gradient_dtype_cast", grad=x.grad, dtype=str(x.grad.dtype))

    # .grad assignment
    x = torch.ones(2, requires_grad=True)

    def set_grad(v):
        x.grad = v
    rec("set_grad_size", error=err(lambda: set_grad(torch.ones(3))))
    rec("set_grad_type", error=err(lambda: set_grad(torch.ones(2, dtype=torch.float64))))

    # graph-structure facts
    x = torch.ones(2, requires_grad=True)
    y = x + 2
    rec("leaf_flags", x_leaf=x.is_leaf, y_leaf=y.is_leaf, y_rg=y.requires_grad,
        ones_leaf=torch.ones(2).is_leaf)

    # 2-D matmul shows MmBackward0 (the notebook's missing zz)
    a = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    b = torch.tensor([[0.5, -1.], [2., 0.25]], requires_grad=True)
    zz = a.mm(b)
    zz.backward(torch.tensor([[1., 2.], [3., 4.]]))
    rec("mm_grads", zz=zz, fn=gfn(zz), ga=a.grad, gb=b.grad)

    # data-dependent control flow with PyTorch's generator
    torch.manual_seed(0)
    x = torch.randn(3, requires_grad=True)
    y = x * 2
    count = 0
    while y.data.norm() < 1000:
        y = y * 2
        count += 1
    y.backward(torch.tensor([0.1, 1.0, 0.0001]))
    rec("control_flow", x=x, y=y, count=count, grad=x.grad)


def generate(outdir):
    records.run(outdir, "autograd.txt", scenarios)


if __name__ == "__main__":
    generate(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures")
