"""fixtures_autograd2.py — higher-order gradients, autograd.grad and hooks in PyTorch (autograd2.txt).

Scenario names match tests/test_autograd2.c, which replays each one in C.
Run: /usr/bin/python3 tools/fixtures_autograd2.py tests/fixtures
"""
import os
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import err, gfn_name as gfn, Scenarios  # noqa: E402

records = Scenarios()
rec = records.rec


def scenarios():
    # derivatives to third order
    x = torch.tensor(3., requires_grad=True)
    g1, = torch.autograd.grad(x ** 3, x, create_graph=True)
    g2, = torch.autograd.grad(g1, x, create_graph=True)
    g3, = torch.autograd.grad(g2, x)
    rec("pow3_orders", g1=g1, g1_fn=gfn(g1), g2=g2, g2_fn=gfn(g2), g3=g3, g3_fn=gfn(g3))

    x = torch.tensor([0.5, 1.5, -0.7], dtype=torch.float64, requires_grad=True)

    def f(x):
        return ((x * x).exp() / (x ** 2 + 1).sqrt() + (x - 2).abs().log() * x).sum()
    g1, = torch.autograd.grad(f(x), x, create_graph=True)
    g2, = torch.autograd.grad(g1.sum(), x, create_graph=True)
    g3, = torch.autograd.grad(g2.sum(), x)
    rec("composite_orders", g1=g1, g2=g2, g3=g3)

    a = torch.tensor([[1., 2.], [3., 4.]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([[0.5, -1.], [2., 0.25]], dtype=torch.float64, requires_grad=True)
    y = (a.mm(b).mm(a) ** 2).mean()
    ga, gb = torch.autograd.grad(y, (a, b), create_graph=True)
    gga, = torch.autograd.grad((ga * gb).sum(), a)
    rec("mm_double", ga=ga, gb=gb, gga=gga)

    x = torch.tensor([1., -2., 3.], dtype=torch.float64, requires_grad=True)
    n = x.norm()
    g1, = torch.autograd.grad(n, x, create_graph=True)
    h, = torch.autograd.grad(g1[0] + 2 * g1[2], x)
    rec("norm_double", g1=g1, h=h)

    # backward(create_graph=True): .grad gets a graph, with PyTorch's warning
    x = torch.tensor(3., requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        (x ** 3).backward(create_graph=True)
    g = x.grad
    g2, = torch.autograd.grad(g, x)
    rec("backward_create_graph", grad=g, fn=gfn(g), g2=g2,
        warning=str(w[0].message).split(" (Triggered")[0] if w else "none")

    # autograd.grad semantics
    x = torch.tensor([1., 2.], requires_grad=True)
    w_ = torch.tensor([3., 4.], requires_grad=True)
    y = (x * w_).sum()
    gx, = torch.autograd.grad(y, x, retain_graph=True)
    rec("grad_no_accumulate", gx=gx, x_grad=x.grad, w_grad=w_.grad)
    u = torch.tensor([5., 6.], requires_grad=True)
    rec("grad_unused", error=err(lambda: torch.autograd.grad(y, [x, u], retain_graph=True)))
    gx, gu = torch.autograd.grad(y, [x, u], retain_graph=True, allow_unused=True)
    rec("grad_allow_unused", gx=gx, gu=gu)
    rec("grad_no_requires", error=err(lambda: torch.autograd.grad(y, torch.ones(2))))
    h = x * 3
    z = (h * h).sum()
    gh, gx = torch.autograd.grad(z, [h, x])
    rec("grad_nonleaf", gh=gh, gx=gx)
    yy = x * 2
    gy, = torch.autograd.grad(yy, yy, torch.ones(2))
    rec("grad_self", gy=gy)
    o1 = (x * x).sum()
    o2 = x * 3
    gx, = torch.autograd.grad([o1, o2], x, [None, torch.tensor([1., -1.])])
    rec("grad_multi_outputs", gx=gx)
    rec("grad_nonscalar", error=err(lambda: torch.autograd.grad(x * 2, x)))

    # hooks
    x = torch.tensor([1., 1.], requires_grad=True)
    x.register_hook(lambda g: g * 10)
    (x * 2).sum().backward()
    rec("leaf_hook", grad=x.grad)

    x = torch.tensor(1., requires_grad=True)
    z = x * 2
    z.register_hook(lambda g: g * 2)
    z.retain_grad()
    z.register_hook(lambda g: g * 100)
    (z * 3).backward()
    rec("retain_after_hooks", z_grad=z.grad, x_grad=x.grad, retains=z.retains_grad)

    x = torch.tensor([1., 2.], requires_grad=True)
    h = x + 3
    h.retain_grad()
    (h * h).sum().backward()
    (h * h).sum().backward()
    rec("retain_grad_accumulates", h_grad=h.grad, x_grad=x.grad)
    x.retain_grad()
    rec("retain_grad_leaf", retains=x.retains_grad)
    rec("retain_grad_no_grad", error=err(lambda: torch.ones(2).retain_grad()))
    rec("hook_no_grad", error=err(lambda: torch.ones(2).register_hook(lambda g: g)))
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: torch.ones(3))
    rec("hook_size", error=err(lambda: y.sum().backward()))

    x = torch.tensor([1., 2.], requires_grad=True)
    handle = x.register_hook(lambda g: g * 10)
    handle.remove()
    (x * 2).sum().backward()
    rec("hook_removed", grad=x.grad)

    # register_post_accumulate_grad_hook is PyTorch 2.1+ (not in Debian's 1.13): emulate its
    # documented effect — an SGD step run right after accumulation — and take its error text
    # from the 2.x source (spec 1.14)
    p = torch.tensor([1., 2., 3.], requires_grad=True)
    ((p * p).sum() / 2).backward()
    with torch.no_grad():
        p.sub_(0.01 * p.grad)
    rec("post_acc_sgd", p=p, grad=p.grad)
    rec("post_acc_nonleaf",
        error="post accumulate grad hooks cannot be registered on non-leaf tensors")

    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * torch.tensor([3., 3.])
    seen = []
    y.grad_fn.register_prehook(lambda go: seen.append(go[0].clone()) or (go[0] * 2,))
    y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1, gi[1]))
    y.sum().backward()
    rec("node_hooks", seen=seen[0], grad=x.grad)

    # inference mode
    x = torch.ones(2, requires_grad=True)
    with torch.inference_mode():
        i = torch.ones(2) * 3
        y = x * 2
        inside = torch.is_inference_mode_enabled()
        with torch.inference_mode(False):
            normal = torch.ones(2)
    rec("inference", i_inf=i.is_inference(), y_rg=y.requires_grad, y_inf=y.is_inference(),
        inside=inside, outside=torch.is_inference_mode_enabled(), normal_inf=normal.is_inference(),
        x_inf=x.is_inference())
    rec("inference_version", error=err(lambda: i._version))
    rec("inference_inplace", error=err(lambda: i.add_(1)))
    rec("inference_requires_grad", error=err(lambda: i.requires_grad_()))
    (x + i).sum().backward()
    rec("inference_unsaved_input", grad=x.grad)
    rec("inference_saved", error="Inference tensors cannot be saved for backward. Please do not "
        "use Tensors created in inference mode in computation tracked by autograd. To work around "
        "this, you can make a clone to get a normal tensor and use it in autograd.",
        error_113=err(lambda: (x * i).sum().backward()))

    # in-place ops on views: CopySlices
    x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
    w = torch.tensor([[1., 2.], [3., 4.], [5., 6.]], requires_grad=True)
    y = x.clone()
    v = y.t()
    v.mul_(w)
    names = (type(y.grad_fn).__name__, type(v.grad_fn).__name__)
    (y * y).sum().backward()
    rec("copy_slices", y=y, y_fn=names[0], v_fn=names[1], x_grad=x.grad, w_grad=w.grad,
        version=y._version)
    b = torch.zeros(2, 3)
    q = torch.tensor([[1., 2.], [3., 4.], [5., 6.]], requires_grad=True)
    bv = b.t()
    bv.add_(q * 2)
    rec("copy_slices_plain_base", b_fn=type(b.grad_fn).__name__, b_leaf=b.is_leaf,
        b_rg=b.requires_grad)
    (b * b).sum().backward()
    rec("copy_slices_plain_base_grad", q_grad=q.grad)

    # activation checkpointing (reentrant)
    from torch.utils.checkpoint import checkpoint
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    w = torch.tensor([1.5, 0.5, -0.25], requires_grad=True)

    def seg(x, w):
        h = x * w
        for _ in range(3):
            h = (h * h + 1).sqrt() * w
        return h
    y = checkpoint(seg, x, w, use_reentrant=True)
    fn = type(y.grad_fn).__name__
    y.sum().backward()
    rec("checkpoint", y=y, fn=fn, x_grad=x.grad, w_grad=w.grad)

    # anomaly detection
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with torch.autograd.detect_anomaly():
            x = torch.tensor([0., 1.], requires_grad=True)
            e1 = err(lambda: (x.sqrt() / x).sum().backward())
            p = torch.ones(3, requires_grad=True)
            q = p.exp()
            r = q * 2
            q.mul_(2)
            e2 = err(lambda: r.sum().backward())
    msgs = [str(m.message).split(" (Triggered")[0] for m in w]
    rec("anomaly", enabled=msgs[0], nan_error=e1,
        nan_warning=msgs[1].split("\n")[0], version_error=e2,
        version_warning=msgs[2].split("\n")[0])

    # .grad of a non-leaf warns
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        _ = y.grad
    rec("nonleaf_grad_warning", warning=str(w[0].message).split(" (Triggered")[0])


def generate(outdir):
    records.run(outdir, "autograd2.txt", scenarios)


if __name__ == "__main__":
    generate(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures")
