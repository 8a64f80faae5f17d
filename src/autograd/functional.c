/*
 * functional.c — torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp and vhp for a
 * function of n tensors returning one tensor, built on tg_autograd_grad. jvp and hvp use the
 * double-backward trick, as PyTorch does. The forward runs once; the Jacobian's rows reuse its
 * graph (retain_graph), one backward per output element.
 */
#include "../ops/ops.h"

#include <stdlib.h>
#include <string.h>

/* PyTorch's _grad_preprocess: inputs become fresh leaves that require grad (or, with
 * create_graph, views that keep their history). References owned by the current scope. */
static tg_status prepare(tg_tensor *const *inputs, int n, bool create_graph, tg_tensor **out) {
    for (int i = 0; i < n; i++) {
        if (!inputs[i]) return tgi_null_arg(i ? inputs[0]->ctx : NULL, "tg_functional", "inputs");
        if (create_graph && tgi_requires_grad(inputs[i])) {
            out[i] = tg_view(inputs[i], inputs[i]->shape, inputs[i]->ndim);
        } else {
            out[i] = tg_detach(inputs[i]);
            if (out[i] && tg_requires_grad_(out[i], true) != TG_OK) return inputs[i]->ctx->err;
        }
        if (!out[i]) return inputs[i]->ctx->err;
    }
    return TG_OK;
}

static tg_tensor *call(tg_gradcheck_fn f, tg_tensor *const *x, int n, void *user) {
    tg_ctx *ctx = x[0]->ctx;
    tgi_grad_push(ctx, true);
    tg_tensor *y = f(x, n, user);
    tgi_grad_pop(ctx);
    if (!y && ctx->err == TG_OK)
        tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_functional: the function returned NULL");
    return y;
}

static tg_status check_strict(tg_ctx *ctx, const tg_tensor *y, bool strict) {
    if (strict && !tgi_requires_grad(y))
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_functional: Output 0 of the user-provided function does not require "
                         "gradients. The outputs must be computed in a differentiable manner from "
                         "the input when running in strict mode.");
    return TG_OK;
}

static tg_status check_v(tg_ctx *ctx, const char *fn, const tg_tensor *v, const tg_tensor *like) {
    if (!tgi_same_shape(v->shape, v->ndim, like->shape, like->ndim)) {
        char a[200], b[200];
        tgi_fmt_shape(a, sizeof a, like->shape, like->ndim);
        tgi_fmt_shape(b, sizeof b, v->shape, v->ndim);
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: v has invalid size: should be torch.Size(%s) but got torch.Size(%s).",
                         fn, a, b);
    }
    return TG_OK;
}

/* grad(outputs, inputs, v) with unused inputs as zeros (strict=False) or an error (strict). */
/* Which backward a gradient comes from decides PyTorch's strict-mode message when it does not
 * depend on input i (functional.py's _fill_in_zeros stages, and jacobian's own wording). */
typedef enum {
    STRICT_OFF,
    STRICT_BACK,              /* vjp, and jvp's first backward */
    STRICT_BACK_TRICK,        /* jvp's second backward */
    STRICT_FIRST,             /* the first backward of vhp and hvp: no create_graph check */
    STRICT_JACOBIAN,          /* jacobian's rows, hessian's second backward */
    STRICT_DOUBLE_BACK,       /* vhp's second backward */
    STRICT_DOUBLE_BACK_TRICK, /* hvp's last backward */
} strict_stage;

static tg_status strict_error(tg_ctx *ctx, strict_stage stage, int out, int i, bool create) {
    const char *what = stage == STRICT_DOUBLE_BACK || stage == STRICT_DOUBLE_BACK_TRICK
                           ? "hessian" : "jacobian";
    if (create) /* a gradient that exists but carries no graph; jacobian prints the output index */
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_functional: The %s of the user-provided function is independent of "
                         "input %d. This is not allowed in strict mode when create_graph=True.",
                         what, stage == STRICT_JACOBIAN ? out : i);
    switch (stage) {
    case STRICT_JACOBIAN:
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_functional: Output %d of the user-provided function is independent "
                         "of input %d. This is not allowed in strict mode.",
                         out, i);
    case STRICT_BACK_TRICK:
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_functional: The gradient with respect to the input is independent of "
                         "entry %d in the grad_outputs when using the double backward trick to "
                         "compute forward mode gradients. This is not allowed in strict mode.",
                         i);
    case STRICT_DOUBLE_BACK:
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_functional: The jacobian of the user-provided function is independent "
                         "of input %d. This is not allowed in strict mode.",
                         i);
    case STRICT_DOUBLE_BACK_TRICK:
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_functional: The hessian of the user-provided function is independent "
                         "of entry %d in the grad_jacobian. This is not allowed in strict mode as "
                         "it prevents from using the double backward trick to replace forward "
                         "mode AD.",
                         i);
    default:
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_functional: The output of the user-provided function is independent "
                         "of input %d. This is not allowed in strict mode.",
                         i);
    }
}

/* g[i] = d(y . v)/dx[i]. Outside strict mode a gradient that does not depend on x[i] is zeros;
 * in strict mode it is an error with the message of the stage (out: y's index, for jacobian). */
static tg_status grads(tg_tensor *y, tg_tensor *const *x, int n, tg_tensor *v, bool create,
                       bool retain, strict_stage strict, int out, tg_tensor **g) {
    tg_ctx *ctx = y->ctx;
    if (!tgi_requires_grad(y)) { /* the output does not depend on the inputs at all */
        if (strict) return strict_error(ctx, strict, out, 0, false);
        for (int i = 0; i < n; i++)
            if (!(g[i] = tg_zeros_like(x[i]))) return ctx->err;
        return TG_OK;
    }
    tg_grad_opts o = {.retain_graph = retain, .create_graph = create, .allow_unused = true,
                      .materialize_grads = !strict};
    tg_tensor *vv[1] = {v};
    tg_status st = tg_autograd_grad(&y, 1, x, n, v ? vv : NULL, &o, g);
    for (int i = 0; i < n && st == TG_OK && strict; i++) {
        if (!g[i]) return strict_error(ctx, strict, out, i, false);
        if (create && strict != STRICT_FIRST && !tgi_requires_grad(g[i]))
            return strict_error(ctx, strict, out, i, true);
    }
    return st;
}

/* A result handed to the caller: detached unless create_graph (PyTorch's _grad_postprocess). */
static tg_tensor *post(tg_tensor *t, bool create_graph) {
    return t && !create_graph && tgi_requires_grad(t) ? tg_detach(t) : t;
}

tg_status tg_vjp(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user, const tg_tensor *v,
                 const tg_functional_opts *opts, tg_tensor **output, tg_tensor **vjp) {
    if (!f || !inputs || n <= 0 || !inputs[0] || !vjp) return TG_ERR_NULL_ARG;
    tg_ctx *ctx = inputs[0]->ctx;
    bool create = opts && opts->create_graph, strict = opts && opts->strict;
    tg_tensor *x[64];
    if (n > 64) return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_vjp: at most 64 inputs");
    tg_status st = prepare(inputs, n, create, x);
    tg_tensor *y = st == TG_OK ? call(f, x, n, user) : NULL;
    if (!y) return ctx->err;
    if (!v && y->numel != 1)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "tg_vjp: The vector v can only be None if the user-provided function "
                         "returns a single Tensor with a single element.");
    if (v && (st = check_v(ctx, "tg_vjp", v, y)) != TG_OK) return st;
    if ((st = check_strict(ctx, y, strict)) != TG_OK) return st;
    st = grads(y, x, n, (tg_tensor *)(uintptr_t)v, create, create,
               strict ? STRICT_BACK : STRICT_OFF, 0, vjp);
    if (st != TG_OK) return st;
    for (int i = 0; i < n; i++) vjp[i] = post(vjp[i], create);
    if (output) *output = post(y, create);
    return TG_OK;
}

tg_status tg_jvp(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user,
                 tg_tensor *const *v, const tg_functional_opts *opts, tg_tensor **output,
                 tg_tensor **jvp) {
    if (!f || !inputs || n <= 0 || !inputs[0] || !jvp) return TG_ERR_NULL_ARG;
    tg_ctx *ctx = inputs[0]->ctx;
    bool create = opts && opts->create_graph, strict = opts && opts->strict;
    tg_tensor *x[64];
    if (n > 64) return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_jvp: at most 64 inputs");
    tg_status st = prepare(inputs, n, create, x);
    tg_tensor *y = st == TG_OK ? call(f, x, n, user) : NULL;
    if (!y) return ctx->err;
    for (int i = 0; i < n; i++) {
        if (!v && inputs[i]->numel != 1)
            return tgi_error(ctx, TG_ERR_INVALID_ARG,
                             "tg_jvp: The vector v can only be None if the input to the "
                             "user-provided function is a single Tensor with a single element.");
        if (v && (st = check_v(ctx, "tg_jvp", v[i], x[i])) != TG_OK) return st;
    }
    if ((st = check_strict(ctx, y, strict)) != TG_OK) return st;
    /* the double-backward trick: u ↦ J^T u is linear in u, so J v = d(J^T u . v)/du */
    tg_tensor *u = tg_zeros_like(y);
    if (!u || tg_requires_grad_(u, true) != TG_OK) return ctx->err;
    tg_tensor *gx[64];
    if (!tgi_requires_grad(y)) { /* not strict: check_strict above */
        if (!(jvp[0] = tg_zeros_like(y))) return ctx->err;
    } else {
        tg_grad_opts o = {.create_graph = true, .allow_unused = true, .materialize_grads = !strict};
        st = tg_autograd_grad(&y, 1, x, n, &u, &o, gx);
        if (st != TG_OK) return st;
        for (int i = 0; i < n && strict; i++) {
            if (!gx[i]) return strict_error(ctx, STRICT_BACK, 0, i, false);
            if (!tgi_requires_grad(gx[i]))
                return tgi_error(ctx, TG_ERR_AUTOGRAD,
                                 "tg_functional: The gradient with respect to input %d is "
                                 "independent of the inputs of the user-provided function. This "
                                 "is not allowed in strict mode.",
                                 i);
        }
        tg_tensor *acc = NULL;
        for (int i = 0; i < n; i++) { /* sum_i gx_i . v_i */
            tg_tensor *vi = v ? v[i] : tg_ones_like(x[i]);
            tg_tensor *term = tg_sum(tg_mul(gx[i], vi));
            acc = acc ? tg_add(acc, term) : term;
        }
        if (!acc) return ctx->err;
        st = grads(acc, &u, 1, NULL, create, create, strict ? STRICT_BACK_TRICK : STRICT_OFF, 0,
                   jvp);
        if (st != TG_OK) return st;
    }
    jvp[0] = post(jvp[0], create);
    if (output) *output = post(y, create);
    return jvp[0] ? TG_OK : ctx->err;
}

/* The Jacobian column by column: for each input element, one forward pass with a one-hot
 * tangent on it (forward-mode AD). */
static tg_status jacobian_forward(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user,
                                  tg_tensor **jac) {
    tg_ctx *ctx = inputs[0]->ctx;
    tg_status st = TG_OK;
    bool entered = ctx->fw_depth == 0;
    if (!entered)
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_jacobian: forward_mode needs forward AD, but a dual level is already "
                         "open (nested forward AD is not supported)");
    int64_t m = -1;
    int64_t oshape[TG_MAX_DIMS];
    int ond = 0;
    for (int i = 0; i < n && st == TG_OK; i++) {
        for (int64_t e = 0; e < inputs[i]->numel && st == TG_OK; e++) {
            tg_scope_begin(ctx);
            tg_fwad_enter(ctx);
            tg_tensor *x[64];
            for (int j = 0; j < n; j++) {
                tg_tensor *tan = tg_zeros_like(inputs[j]);
                if (tan && j == i) tgi_store(tan->storage->data, tan->dtype, e, 1.0);
                x[j] = tan ? tg_make_dual(tg_detach(inputs[j]), tan) : NULL;
                if (!x[j]) st = ctx->err;
            }
            tg_tensor *y = st == TG_OK ? call(f, x, n, user) : NULL, *col = NULL;
            if (st == TG_OK && !y) st = ctx->err;
            if (st == TG_OK) st = tg_unpack_dual(y, NULL, &col);
            if (st == TG_OK && m < 0) { /* first column: allocate every jac[i] */
                m = y->numel;
                ond = y->ndim;
                memcpy(oshape, y->shape, sizeof(int64_t) * (size_t)ond);
                for (int k = 0; k < n && st == TG_OK; k++) {
                    int64_t shape[TG_MAX_DIMS];
                    int nd = ond + inputs[k]->ndim;
                    if (nd > TG_MAX_DIMS) {
                        st = tgi_error(ctx, TG_ERR_INVALID_ARG,
                                       "tg_jacobian: the Jacobian would have %d dimensions (at "
                                       "most %d)",
                                       nd, TG_MAX_DIMS);
                        break;
                    }
                    memcpy(shape, oshape, sizeof(int64_t) * (size_t)ond);
                    memcpy(shape + ond, inputs[k]->shape, sizeof(int64_t) * (size_t)inputs[k]->ndim);
                    jac[k] = tg_keep(tg_zeros(ctx, shape, nd, inputs[k]->dtype));
                    if (!jac[k]) st = ctx->err;
                }
            }
            /* column e of jac[i]: jac[i][r, e] = tangent[r] */
            for (int64_t r = 0; st == TG_OK && r < m; r++)
                tgi_store(jac[i]->storage->data, jac[i]->dtype, r * inputs[i]->numel + e,
                          col ? tg_tensor_get(col, r) : 0.0);
            tg_fwad_exit(ctx);
            tg_scope_end(ctx);
        }
    }
    if (st != TG_OK)
        for (int k = 0; k < n; k++) jac[k] = NULL;
    return st;
}

tg_status tg_jacobian(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user,
                      const tg_functional_opts *opts, tg_tensor **jac) {
    if (opts && opts->forward_mode && inputs && n > 0 && n <= 64 && inputs[0] && f && jac) {
        for (int k = 0; k < n; k++) jac[k] = NULL;
        if (opts->create_graph)
            return tgi_error(inputs[0]->ctx, TG_ERR_INVALID_ARG,
                             "tg_jacobian: forward_mode does not support create_graph");
        return jacobian_forward(f, inputs, n, user, jac);
    }
    if (!f || !inputs || n <= 0 || !inputs[0] || !jac) return TG_ERR_NULL_ARG;
    tg_ctx *ctx = inputs[0]->ctx;
    bool create = opts && opts->create_graph, strict = opts && opts->strict;
    tg_tensor *x[64];
    if (n > 64) return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_jacobian: at most 64 inputs");
    tg_status st = prepare(inputs, n, create, x);
    tg_tensor *y = st == TG_OK ? call(f, x, n, user) : NULL;
    if (!y) return ctx->err;
    if ((st = check_strict(ctx, y, strict)) != TG_OK) return st;
    int64_t m = y->numel;
    /* jac[i] has shape y.shape + x[i].shape; row r is d y_r / d x[i] */
    for (int i = 0; i < n; i++) {
        int64_t shape[TG_MAX_DIMS];
        int nd = y->ndim + x[i]->ndim;
        if (nd > TG_MAX_DIMS)
            return tgi_error(ctx, TG_ERR_INVALID_ARG,
                             "tg_jacobian: the Jacobian would have %d dimensions (at most %d)", nd,
                             TG_MAX_DIMS);
        memcpy(shape, y->shape, sizeof(int64_t) * (size_t)y->ndim);
        memcpy(shape + y->ndim, x[i]->shape, sizeof(int64_t) * (size_t)x[i]->ndim);
        if (!(jac[i] = tg_zeros(ctx, shape, nd, x[i]->dtype))) return ctx->err;
    }
    bool rows_need_graph = create;
    tg_tensor *rows_sum[64] = {NULL};
    for (int64_t r = 0; r < m; r++) {
        tg_scope_begin(ctx);
        tg_tensor *onehot = tg_zeros_like(y), *g[64];
        st = onehot ? TG_OK : ctx->err;
        if (st == TG_OK) {
            tgi_store(onehot->storage->data, onehot->dtype, r, 1.0);
            st = grads(y, x, n, onehot, create, true, strict ? STRICT_JACOBIAN : STRICT_OFF, 0,
                       g);
        }
        for (int i = 0; i < n && st == TG_OK; i++) {
            if (!rows_need_graph) { /* copy the row into place */
                tg_tensor *row = tgi_cast(g[i], jac[i]->dtype, true);
                if (!row) {
                    st = ctx->err;
                    break;
                }
                size_t es = tgi_dtype_size(jac[i]->dtype);
                memcpy((char *)jac[i]->storage->data + (size_t)(r * x[i]->numel) * es,
                       (char *)row->storage->data + (size_t)row->offset * es,
                       (size_t)x[i]->numel * es);
                tgi_tensor_decref(row);
            } else { /* create_graph: build the Jacobian from differentiable ops */
                int64_t shape[TG_MAX_DIMS];
                memcpy(shape, y->shape, sizeof(int64_t) * (size_t)y->ndim);
                memcpy(shape + y->ndim, x[i]->shape, sizeof(int64_t) * (size_t)x[i]->ndim);
                tg_tensor *sel = tg_reshape(onehot, (int64_t[]){m}, 1);
                int64_t ones_shape[TG_MAX_DIMS];
                ones_shape[0] = m;
                for (int d = 0; d < x[i]->ndim; d++) ones_shape[d + 1] = 1;
                tg_tensor *mask = tg_reshape(sel, ones_shape, x[i]->ndim + 1);
                tg_tensor *contrib = tg_reshape(tg_mul(mask, g[i]), shape, y->ndim + x[i]->ndim);
                tg_tensor *acc = rows_sum[i] ? tg_add(rows_sum[i], contrib) : contrib;
                if (!acc) {
                    st = ctx->err;
                    break;
                }
                if (rows_sum[i]) tg_release(rows_sum[i]);
                rows_sum[i] = tg_retain(acc);
            }
        }
        tg_scope_end(ctx);
    }
    for (int i = 0; i < n; i++) {
        if (rows_sum[i]) {
            if (st == TG_OK) jac[i] = rows_sum[i];
            tgi_own(rows_sum[i]); /* the scope takes our reference */
        }
        if (st != TG_OK) jac[i] = NULL;
    }
    return st;
}

/* The gradient of a scalar function, with a graph (for hessian/hvp/vhp). In strict mode a
 * gradient that does not depend on the input is an error: hessian fills it with zeros first, as
 * PyTorch's inner jacobian does, so only the second message applies to it. */
static tg_status scalar_grad(const char *fn, tg_gradcheck_fn f, tg_tensor *const *inputs, int n,
                             void *user, bool strict, bool zero_fill, tg_tensor **x, tg_tensor **y,
                             tg_tensor **g) {
    tg_ctx *ctx = inputs[0]->ctx;
    tg_status st = prepare(inputs, n, true, x);
    /* prepare() with create_graph keeps inputs that require grad attached; others are fresh
     * leaves, which is what we need */
    *y = st == TG_OK ? call(f, x, n, user) : NULL;
    if (!*y) return ctx->err;
    if ((*y)->numel != 1)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: The Tensor returned by the function given to %s should contain a "
                         "single element",
                         fn, fn + 3);
    if ((st = check_strict(ctx, *y, strict)) != TG_OK) return st;
    st = grads(*y, x, n, NULL, true, true, strict && !zero_fill ? STRICT_FIRST : STRICT_OFF, 0, g);
    for (int i = 0; i < n && st == TG_OK && strict; i++)
        if (!tgi_requires_grad(g[i]))
            return tgi_error(ctx, TG_ERR_AUTOGRAD,
                             "tg_functional: While computing the hessian, found that the jacobian "
                             "of the user-provided function with respect to input %d is "
                             "independent of the input. This is not allowed in strict mode. You "
                             "should ensure that your function is twice differentiable and that "
                             "the jacobian depends on the inputs (this would be violated by a "
                             "linear function for example).",
                             i);
    return st;
}

tg_status tg_hessian(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user,
                     const tg_functional_opts *opts, tg_tensor **hess) {
    if (!f || !inputs || n <= 0 || !inputs[0] || !hess) return TG_ERR_NULL_ARG;
    tg_ctx *ctx = inputs[0]->ctx;
    bool create = opts && opts->create_graph, strict = opts && opts->strict;
    if (n > 8) return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_hessian: at most 8 inputs");
    tg_tensor *x[8], *y, *g[8];
    tg_status st = scalar_grad("tg_hessian", f, inputs, n, user, strict, true, x, &y, g);
    if (st != TG_OK) return st;
    /* hess[i*n + j] = d g_i / d x_j, shape x_i.shape + x_j.shape */
    for (int i = 0; i < n && st == TG_OK; i++) {
        for (int j = 0; j < n; j++) {
            int64_t shape[TG_MAX_DIMS];
            int nd = x[i]->ndim + x[j]->ndim;
            if (nd > TG_MAX_DIMS)
                return tgi_error(ctx, TG_ERR_INVALID_ARG,
                                 "tg_hessian: the Hessian would have %d dimensions (at most %d)",
                                 nd, TG_MAX_DIMS);
            memcpy(shape, x[i]->shape, sizeof(int64_t) * (size_t)x[i]->ndim);
            memcpy(shape + x[i]->ndim, x[j]->shape, sizeof(int64_t) * (size_t)x[j]->ndim);
            if (!(hess[i * n + j] = tg_zeros(ctx, shape, nd, x[j]->dtype))) return ctx->err;
        }
        for (int64_t r = 0; r < g[i]->numel && st == TG_OK; r++) {
            tg_scope_begin(ctx);
            tg_tensor *onehot = tg_zeros_like(g[i]), *row[8];
            st = onehot ? TG_OK : ctx->err;
            if (st == TG_OK) {
                tgi_store(onehot->storage->data, onehot->dtype, r, 1.0);
                st = grads(g[i], x, n, onehot, create, true,
                           strict ? STRICT_JACOBIAN : STRICT_OFF, i, row);
            }
            for (int j = 0; j < n && st == TG_OK; j++) {
                tg_tensor *c = tgi_cast(row[j], hess[i * n + j]->dtype, true);
                if (!c) {
                    st = ctx->err;
                    break;
                }
                size_t es = tgi_dtype_size(c->dtype);
                memcpy((char *)hess[i * n + j]->storage->data + (size_t)(r * x[j]->numel) * es,
                       (char *)c->storage->data + (size_t)c->offset * es, (size_t)x[j]->numel * es);
                tgi_tensor_decref(c);
            }
            tg_scope_end(ctx);
        }
    }
    if (st != TG_OK)
        for (int k = 0; k < n * n; k++) hess[k] = NULL;
    return st;
}

tg_status tg_vhp(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user,
                 tg_tensor *const *v, const tg_functional_opts *opts, tg_tensor **output,
                 tg_tensor **vhp) {
    if (!f || !inputs || n <= 0 || !inputs[0] || !vhp || !v) return TG_ERR_NULL_ARG;
    tg_ctx *ctx = inputs[0]->ctx;
    bool create = opts && opts->create_graph, strict = opts && opts->strict;
    if (n > 8) return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_vhp: at most 8 inputs");
    tg_tensor *x[8], *y, *g[8];
    tg_status st = scalar_grad("tg_vhp", f, inputs, n, user, strict, false, x, &y, g);
    for (int i = 0; i < n && st == TG_OK; i++) st = check_v(ctx, "tg_vhp", v[i], x[i]);
    if (st != TG_OK) return st;
    /* v^T H = d(sum_i g_i . v_i)/dx */
    tg_tensor *acc = NULL;
    for (int i = 0; i < n; i++) {
        tg_tensor *term = tg_sum(tg_mul(g[i], v[i]));
        acc = acc ? tg_add(acc, term) : term;
    }
    if (!acc) return ctx->err;
    st = grads(acc, x, n, NULL, create, create, strict ? STRICT_DOUBLE_BACK : STRICT_OFF, 0,
               vhp);
    if (st != TG_OK) return st;
    for (int i = 0; i < n; i++) vhp[i] = post(vhp[i], create);
    if (output) *output = post(y, create);
    return TG_OK;
}

tg_status tg_hvp(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user,
                 tg_tensor *const *v, const tg_functional_opts *opts, tg_tensor **output,
                 tg_tensor **hvp) {
    if (!f || !inputs || n <= 0 || !inputs[0] || !hvp || !v) return TG_ERR_NULL_ARG;
    tg_ctx *ctx = inputs[0]->ctx;
    bool create = opts && opts->create_graph, strict = opts && opts->strict;
    if (n > 8) return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_hvp: at most 8 inputs");
    tg_tensor *x[8], *y, *g[8];
    tg_status st = scalar_grad("tg_hvp", f, inputs, n, user, strict, false, x, &y, g);
    for (int i = 0; i < n && st == TG_OK; i++) st = check_v(ctx, "tg_hvp", v[i], x[i]);
    if (st != TG_OK) return st;
    /* PyTorch's double-backward trick: with u a zero leaf, w(u) = d(g . u)/dx = H^T u;
     * then H v = d(w(u) . v)/du */
    tg_tensor *u[8], *w[8];
    for (int i = 0; i < n; i++) {
        u[i] = tg_zeros_like(x[i]);
        if (!u[i] || tg_requires_grad_(u[i], true) != TG_OK) return ctx->err;
    }
    tg_tensor *acc = NULL;
    for (int i = 0; i < n; i++) {
        tg_tensor *term = tg_sum(tg_mul(g[i], u[i]));
        acc = acc ? tg_add(acc, term) : term;
    }
    if (!acc) return ctx->err;
    tg_grad_opts o = {.create_graph = true, .allow_unused = true, .materialize_grads = true};
    if ((st = tg_autograd_grad(&acc, 1, x, n, NULL, &o, w)) != TG_OK) return st;
    tg_tensor *acc2 = NULL;
    for (int i = 0; i < n; i++) {
        tg_tensor *term = tg_sum(tg_mul(w[i], v[i]));
        acc2 = acc2 ? tg_add(acc2, term) : term;
    }
    if (!acc2) return ctx->err;
    st = grads(acc2, u, n, NULL, create, create, strict ? STRICT_DOUBLE_BACK_TRICK : STRICT_OFF,
               0, hvp);
    if (st != TG_OK) return st;
    for (int i = 0; i < n; i++) hvp[i] = post(hvp[i], create);
    if (output) *output = post(y, create);
    return TG_OK;
}
