"""fixtures_forward_ad.py — forward-mode AD in PyTorch (forward_ad.txt): tangents of op results
for dual inputs, the semantics around levels, and the error messages.

tests/test_forward_ad.c replays each record by op name (the same table of lambdas in C).
Run: /usr/bin/python3 tools/fixtures_forward_ad.py tests/fixtures
"""
import os
import sys

import torch
import torch.autograd.forward_ad as fwAD
import torch.nn.functional as F

D = torch.float64
records = []


def flat(t):
    return " ".join(repr(float(v)) for v in t.detach().reshape(-1).tolist())


def shape(t):
    return " ".join(str(s) for s in t.shape)


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return str(e).split("\n")[0]
    return "no error"


def full_err(fn):  # the whole message, for multi-line ones
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return str(e)
    return "no error"


# name -> (function of the inputs, input shapes); the C test has the same table
OPS = {
    "add": (lambda a, b: a + b, [(2, 3), (3,)]),
    "sub": (lambda a, b: a - b, [(2, 3), (2, 3)]),
    "mul": (lambda a, b: a * b, [(2, 3), (1, 3)]),
    "div": (lambda a, b: a / (b.abs() + 1), [(2, 3), (2, 3)]),
    "pow": (lambda a, b: (a.abs() + 0.5) ** b, [(4,), (4,)]),
    "exp": (lambda a: a.exp(), [(2, 3)]),
    "log": (lambda a: (a.abs() + 0.1).log(), [(5,)]),
    "sqrt": (lambda a: (a * a + 1).sqrt(), [(5,)]),
    "tanh": (lambda a: a.tanh(), [(2, 3)]),
    "sigmoid": (lambda a: a.sigmoid(), [(2, 3)]),
    "sin_cos": (lambda a: a.sin() * a.cos(), [(4,)]),
    "relu": (lambda a: a.relu(), [(6,)]),
    "gelu": (lambda a: F.gelu(a), [(6,)]),
    "softplus": (lambda a: F.softplus(a), [(6,)]),
    "clamp": (lambda a: a.clamp(-0.5, 0.5), [(6,)]),
    "maximum": (lambda a, b: torch.maximum(a, b), [(6,), (6,)]),
    "sum_dim": (lambda a: a.sum(1), [(3, 4)]),
    "mean": (lambda a: a.mean(), [(3, 4)]),
    "norm": (lambda a: a.norm(), [(3, 4)]),
    "var": (lambda a: a.var(0), [(4, 3)]),
    "logsumexp": (lambda a: a.logsumexp(1), [(3, 4)]),
    "prod": (lambda a: a.prod(1), [(3, 4)]),
    "amax": (lambda a: a.amax(0), [(4, 3)]),
    "cumsum": (lambda a: a.cumsum(1), [(3, 4)]),
    "mm": (lambda a, b: a.mm(b), [(2, 3), (3, 4)]),
    "matmul_batched": (lambda a, b: a @ b, [(2, 2, 3), (3, 2)]),
    "linear": (lambda x, w, b: F.linear(x, w, b), [(2, 3), (4, 3), (4,)]),
    "t_reshape": (lambda a: a.t().reshape(6), [(2, 3)]),
    "permute_flip": (lambda a: a.permute(2, 0, 1).flip(0), [(2, 3, 2)]),
    "narrow_select": (lambda a: a.narrow(1, 1, 2).select(0, 1), [(3, 4)]),
    "cat": (lambda a, b: torch.cat([a, b * 2], 0), [(2, 3), (1, 3)]),
    "stack": (lambda a, b: torch.stack([a, b], 1), [(2, 3), (2, 3)]),
    "expand_repeat": (lambda a: a.expand(3, 2).repeat(2, 1), [(2,)]),
    "gather": (lambda a: a.gather(1, torch.tensor([[0, 2], [1, 1]])), [(2, 3)]),
    "index_select": (lambda a: a.index_select(0, torch.tensor([2, 0, 2])), [(3, 2)]),
    "where": (lambda a, b: torch.where(a > 0, a, b), [(5,), (5,)]),
    "softmax": (lambda a: a.softmax(1), [(2, 4)]),
    "log_softmax": (lambda a: a.log_softmax(0), [(3, 2)]),
    "mse_loss": (lambda a, b: F.mse_loss(a, b), [(2, 3), (2, 3)]),
    "cross_entropy": (lambda a: F.cross_entropy(a, torch.tensor([1, 0, 2])), [(3, 4)]),
    "layer_norm": (lambda a, w, b: F.layer_norm(a, (3,), w, b), [(2, 3), (3,), (3,)]),
    "embedding_pad": (lambda w: F.embedding(torch.tensor([[2, 1], [0, 1]]), w, padding_idx=1),
                      [(3, 2)]),
}


def inputs(name):
    g = torch.Generator().manual_seed(sum(map(ord, name)))
    xs = [torch.randn(*s, generator=g, dtype=D) for s in OPS[name][1]]
    ts = [torch.randn(*s, generator=g, dtype=D) for s in OPS[name][1]]
    return xs, ts


def scenarios():
    for name, (f, shapes) in OPS.items():
        xs, ts = inputs(name)
        with fwAD.dual_level():
            out = f(*[fwAD.make_dual(x, t) for x, t in zip(xs, ts)])
            p, tan = fwAD.unpack_dual(out)
        r = {"name": name, "op": "fwad_" + name, "n": str(len(xs))}
        for i, (x, t) in enumerate(zip(xs, ts)):
            r["x%d" % i] = flat(x)
            r["t%d" % i] = flat(t)
        r["out"] = flat(p)
        r["shape"] = shape(p)
        r["tangent"] = flat(tan)
        records.append(r)

    with fwAD.dual_level():
        d = fwAD.make_dual(torch.tensor([1., 2.]), torch.tensor([1., 0.]))
        out = d.sin() * d
        rec = {"name": "print", "repr": repr(out)}
        with torch.no_grad():
            ng = d * 3
        rec["no_grad_tangent"] = flat(fwAD.unpack_dual(ng).tangent)
        rec["detach_has_tangent"] = "1" if fwAD.unpack_dual(d.detach()).tangent is not None else "0"
        rec["plain_tangent"] = str(fwAD.unpack_dual(torch.ones(2)).tangent)
        records.append(rec)
        w = torch.tensor([0.5, -1.0], requires_grad=True)
        y = (d * w).sum()
        yp, yt = fwAD.unpack_dual(y)
        y.backward()
        records.append({"name": "with_reverse", "y": flat(yp), "tangent": flat(yt),
                        "w_grad": flat(w.grad), "fn": type(y.grad_fn).__name__})
        q = d * 1
        q.mul_(torch.tensor([2., 3.]))
        records.append({"name": "inplace", "q": flat(q), "tangent": flat(fwAD.unpack_dual(q).tangent)})
        records.append({"name": "err_size",
                        "error": err(lambda: fwAD.make_dual(torch.ones(2), torch.ones(3)))})
        records.append({"name": "err_int",
                        "error": err(lambda: fwAD.make_dual(torch.ones(2, dtype=torch.long),
                                                            torch.ones(2, dtype=torch.long)))})
        records.append({"name": "err_nested", "error": err(lambda: fwAD.enter_dual_level())})

        class NoJvp(torch.autograd.Function):  # a custom Function with backward only
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        records.append({"name": "err_custom_jvp", "error": err(lambda: NoJvp.apply(d))})

    def wrong_tangent(x):  # x * x, but x * detach(x) when x carries a tangent (C: the same)
        t = fwAD.unpack_dual(x).tangent
        return x * (x.detach() if t is not None else x)

    xg = torch.tensor([0.5, -1.25, 2.0], dtype=torch.float64, requires_grad=True)
    records.append({"name": "err_gradcheck_forward",
                    "backward_only": str(torch.autograd.gradcheck(wrong_tangent, (xg,))),
                    "error": full_err(lambda: torch.autograd.gradcheck(wrong_tangent, (xg,),
                                                                       check_forward_ad=True))})
    records.append({"name": "err_no_level",
                    "error": err(lambda: fwAD.make_dual(torch.ones(2), torch.ones(2)))})


def generate(outdir):
    records.clear()
    scenarios()
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "forward_ad.txt"), "w") as f:
        f.write("# generated by tools/fixtures_forward_ad.py with torch %s\n\n" % torch.__version__)
        for r in records:
            for k, v in r.items():
                lines = v.split("\n")
                f.write("%s: %s\n" % (k, lines[0]))
                for extra in lines[1:]:
                    f.write("|%s\n" % extra)
            f.write("\n")


if __name__ == "__main__":
    generate(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures")
