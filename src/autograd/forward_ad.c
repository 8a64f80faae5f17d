/*
 * forward_ad.c — forward-mode AD (torch.autograd.forward_ad): dual levels, make_dual and
 * unpack_dual, and the tangent of every op's result. The tangent rule of an op is derived from
 * its backward formula, which is linear in the incoming gradient u: J t = d/du <J^T u, t>, one
 * recorded backward and one tg_autograd_grad per op. So every op whose backward is differentiable
 * has a tangent rule, and the tangents agree with PyTorch's formulas to rounding.
 */
#include "../ops/ops.h"

#include <stdlib.h>
#include <string.h>

tg_status tg_fwad_enter(tg_ctx *ctx) {
    if (!ctx) return TG_ERR_NULL_ARG;
    if (ctx->fw_depth > 0)
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_fwad_enter: Nested forward mode AD is not supported at the moment");
    ctx->fw_depth = 1;
    ctx->fw_level_id = ++ctx->fw_next_id;
    return TG_OK;
}

tg_status tg_fwad_exit(tg_ctx *ctx) {
    if (!ctx) return TG_ERR_NULL_ARG;
    if (ctx->fw_depth == 0)
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_fwad_exit: Trying to exit a forward AD level that was not the last "
                         "one that was created. This is not supported.");
    ctx->fw_depth = 0; /* tangents of this level are ignored from now on, and die with their
                          tensors */
    if (ctx->fw_sink) { /* nodes still pointing at it keep it alive */
        tgi_node_decref(ctx->fw_sink);
        ctx->fw_sink = NULL;
    }
    return TG_OK;
}

tg_tensor *tg_make_dual(const tg_tensor *primal, const tg_tensor *tangent) {
    if (!primal || !tangent)
        return tgi_null_arg(primal ? primal->ctx : tangent ? tangent->ctx : NULL, "tg_make_dual",
                            !primal ? "tensor" : "tangent"),
               NULL;
    tg_ctx *ctx = primal->ctx;
    if (ctx->fw_depth == 0) {
        tgi_error(ctx, TG_ERR_AUTOGRAD,
                  "tg_make_dual: Trying to create a dual Tensor for forward AD but no level "
                  "exists, make sure to enter_dual_level() first.");
        return NULL;
    }
    if (!tgi_is_floating(primal->dtype)) {
        tgi_error(ctx, TG_ERR_DTYPE,
                  "tg_make_dual: Expected primal to be floating point or complex, but got: %s",
                  tg_dtype_name(primal->dtype));
        return NULL;
    }
    if (!tgi_same_shape(primal->shape, primal->ndim, tangent->shape, tangent->ndim)) {
        char a[200], b[200];
        tgi_fmt_shape(a, sizeof a, primal->shape, primal->ndim);
        tgi_fmt_shape(b, sizeof b, tangent->shape, tangent->ndim);
        tgi_error(ctx, TG_ERR_SHAPE,
                  "tg_make_dual: Trying to set a forward gradient that has a different size than "
                  "that of the original Tensor, this is not supported. Tensor is of size %s while "
                  "the given forward gradient is of size %s.",
                  a, b);
        return NULL;
    }
    /* the dual shares the primal's storage (a view, as PyTorch's make_dual returns) */
    tg_tensor *d = tg_view(primal, primal->shape, primal->ndim);
    if (!d) return NULL;
    tg_tensor *t = tgi_cast(tangent, primal->dtype, false);
    if (!t) return NULL;
    if (t->grad_fn || t->requires_grad) { /* the tangent is a value, not part of a graph */
        tg_tensor *det = tgi_alias(t, t->shape, t->strides, t->ndim, t->offset);
        tgi_tensor_decref(t);
        if (!det) return NULL;
        t = det;
    }
    d->fw_tangent = t;
    d->fw_level = ctx->fw_level_id;
    return d;
}

tg_status tg_unpack_dual(const tg_tensor *t, tg_tensor **primal, tg_tensor **tangent) {
    if (!t) return tgi_null_arg(NULL, "tg_unpack_dual", "tensor");
    tg_ctx *ctx = t->ctx;
    if (t->fw_pending && tgi_fw_resolve((tg_tensor *)(uintptr_t)t) != TG_OK) return ctx->err;
    if (primal) {
        /* a view of t without the tangent (its reverse history is kept, as PyTorch's) */
        tg_tensor *p = tgi_alias(t, t->shape, t->strides, t->ndim, t->offset);
        if (!p) return ctx->err;
        if (t->grad_fn) {
            p->grad_fn = t->grad_fn;
            p->grad_fn->refcount++;
            p->output_nr = t->output_nr;
        }
        p->requires_grad = t->requires_grad;
        *primal = tgi_own(p);
    }
    if (tangent) {
        *tangent = NULL;
        if (tgi_is_dual(t)) {
            t->fw_tangent->refcount++;
            *tangent = tgi_own(t->fw_tangent);
        }
    }
    return TG_OK;
}

tg_status tgi_bw_fw_sink(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    (void)n;
    (void)g;
    (void)gi;
    return TG_OK; /* gradients that reach a dual input without reverse history are dropped */
}

/* g brought to input i's recorded shape and dtype, as the engine does */
static tg_tensor *conform(tg_node *n, int i, tg_tensor *g) {
    const tgi_meta *m = &n->in_meta[i];
    if (!tgi_same_shape(g->shape, g->ndim, m->shape, m->ndim))
        g = tgi_sum_to(g, m->shape, m->ndim);
    if (g && g->dtype != m->dtype) g = tgi_to_dtype(g, m->dtype);
    return g;
}

/* Ops whose backward is deliberately not the adjoint of their forward (PyTorch's conventions)
 * get their own tangent: embedding's padding_idx rows receive no gradient but do move the
 * output, so its tangent is embedding(tangent of weight) without padding (auto_linear). */
static tg_tensor *special_jvp(tg_node *n, bool *handled) {
    *handled = false;
    if (n->op == TGI_OP_EMBEDDING && n->fw_tan && n->fw_tan[0]) {
        *handled = true;
        tg_tensor *idx = tgi_unpack(n, 0);
        return idx ? tg_embedding(n->fw_tan[0], idx, TG_NO_PADDING_IDX) : NULL;
    }
    return NULL;
}

/* t's tangent from its pending node: J t = d/du sum_i <backward_i(u), t_i> at u = 0. */
static tg_tensor *jvp_of(tg_tensor *t, tg_node *n) {
    tg_ctx *ctx = t->ctx;
    bool handled;
    tg_tensor *special = special_jvp(n, &handled);
    if (handled) return special;
    int k = t->grad_fn == n ? (int)t->output_nr : 0;
    tg_tensor *u = tg_zeros(ctx, t->shape, t->ndim, t->dtype);
    if (!u || tg_requires_grad_(u, true) != TG_OK) return NULL;
    tg_tensor *go_inline[4], **go = go_inline;
    tg_tensor **gi = calloc((size_t)(n->n_next > 0 ? n->n_next : 1), sizeof *gi);
    if (n->n_outputs > 4) go = calloc((size_t)n->n_outputs, sizeof *go);
    if (!gi || !go) {
        free(gi);
        if (go != go_inline) free(go);
        tgi_error(ctx, TG_ERR_OOM, "forward AD: out of memory");
        return NULL;
    }
    for (int j = 0; j < n->n_outputs; j++) go[j] = NULL;
    go[k < n->n_outputs ? k : 0] = u;
    n->out_grads = go;
    tg_status st = tgi_op_backward[n->op](n, u, gi);
    n->out_grads = NULL;
    tg_tensor *s = NULL;
    for (int i = 0; st == TG_OK && i < n->n_next; i++) {
        if (!n->fw_tan || !n->fw_tan[i] || !gi[i]) continue;
        tg_tensor *g = conform(n, i, gi[i]);
        tg_tensor *term = g ? tg_sum(tg_mul(g, n->fw_tan[i])) : NULL;
        s = term ? (s ? tg_add(s, term) : term) : NULL;
        if (!s) st = ctx->err;
    }
    free(gi);
    if (go != go_inline) free(go);
    if (st != TG_OK) return NULL;
    if (!s || !tg_tensor_requires_grad(s)) return tg_zeros_like(t); /* no input moves t */
    tg_grad_opts o = {.allow_unused = true, .materialize_grads = true};
    tg_tensor *tan = NULL;
    if (tg_autograd_grad(&s, 1, &u, 1, NULL, &o, &tan) != TG_OK) return NULL;
    return tan;
}

tg_status tgi_fw_resolve(tg_tensor *t) {
    tg_node *n = t->fw_node;
    t->fw_pending = false;
    t->fw_node = NULL;
    if (!n) return TG_OK;
    tg_ctx *ctx = t->ctx;
    tg_status st = TG_OK;
    if (n->op == TGI_OP_COPY_SLICES || n->op == TGI_OP_AS_STRIDED ||
        (t->is_view && t->grad_fn != n && t->grad_fn && t->grad_fn->op == TGI_OP_AS_STRIDED)) {
        st = tgi_error(ctx, TG_ERR_AUTOGRAD,
                       "forward AD: in-place operations on views of dual tensors are not "
                       "supported yet");
    } else {
        /* the tangent computation itself is neither forward-differentiated nor kept */
        int depth = ctx->fw_depth;
        ctx->fw_depth = 0;
        tgi_grad_push(ctx, true);
        tg_scope_begin(ctx);
        tg_tensor *tan = jvp_of(t, n);
        tg_tensor *keep = tan ? tgi_cast(tan, t->dtype, true) : NULL;
        if (keep == tan && keep) { /* a private, detached copy */
            tgi_tensor_decref(keep);
            keep = tgi_empty(ctx, tan->shape, tan->ndim, tan->dtype);
            if (keep) tgi_copy_into(keep, tan);
        }
        tg_scope_end(ctx);
        tgi_grad_pop(ctx);
        ctx->fw_depth = depth;
        if (!keep) st = ctx->err ? ctx->err : TG_ERR_AUTOGRAD;
        else {
            if (keep->grad_fn) {
                tgi_node_decref(keep->grad_fn);
                keep->grad_fn = NULL;
            }
            if (t->fw_tangent) tgi_tensor_decref(t->fw_tangent);
            t->fw_tangent = keep;
            t->fw_level = ctx->fw_level_id;
        }
    }
    /* a node recorded only for forward AD is not part of t's reverse history */
    if (!n->fw_reverse && t->grad_fn == n) {
        tg_node *prev = NULL;
        if (n->n_next > 0 && n->next[0].fn && n->next[0].fn->op != TGI_OP_FW_SINK &&
            n->next[0].fn->op != TGI_OP_ACCUMULATE_GRAD && n->fw_inplace)
            prev = n->next[0].fn; /* an in-place op under no_grad keeps t's old history */
        if (prev) {
            prev->refcount++;
            t->output_nr = n->next[0].input_nr;
        }
        t->grad_fn = prev;
        if (!prev) t->output_nr = 0;
        /* an in-place op on a leaf that requires grad (allowed under no_grad) keeps it a leaf
         * that requires grad */
        if (!prev && n->fw_inplace && n->n_next > 0 && n->next[0].fn &&
            n->next[0].fn->op == TGI_OP_ACCUMULATE_GRAD)
            t->requires_grad = true;
        tgi_node_decref(n);
    }
    tgi_node_decref(n); /* t's fw_node reference */
    return st;
}
