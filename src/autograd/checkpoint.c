/*
 * checkpoint.c — activation checkpointing (torch.utils.checkpoint, reentrant form): forward
 * runs the segment under no_grad and records a single node that saves only the inputs (and
 * the generator state); its backward recomputes the segment with grad mode on and backpropagates
 * the incoming gradient through the recomputed graph.
 */
#include "../ops/ops.h"

#include <stdlib.h>
#include <string.h>

typedef struct rng_state {
    uint32_t mt[624];
    int mti;
    uint64_t seed;
    bool has_next_normal;
    double next_normal;
} rng_state;

typedef struct ckpt {
    tg_gradcheck_fn fn;
    void *user;
    int n;
    rng_state rng;
} ckpt;

static void rng_save(const tg_ctx *ctx, rng_state *r) {
    memcpy(r->mt, ctx->mt, sizeof r->mt);
    r->mti = ctx->mti;
    r->seed = ctx->seed;
    r->has_next_normal = ctx->has_next_normal;
    r->next_normal = ctx->next_normal;
}

static void rng_load(tg_ctx *ctx, const rng_state *r) {
    memcpy(ctx->mt, r->mt, sizeof r->mt);
    ctx->mti = r->mti;
    ctx->seed = r->seed;
    ctx->has_next_normal = r->has_next_normal;
    ctx->next_normal = r->next_normal;
}

tg_status tg_checkpoint(tg_gradcheck_fn fn, tg_tensor *const *inputs, int n, void *user,
                        tg_tensor **output) {
    if (!fn || !inputs || n <= 0 || !inputs[0] || !output) return TG_ERR_NULL_ARG;
    tg_ctx *ctx = inputs[0]->ctx;
    /* *output is written last: it may alias an entry of inputs */
    if (n > TGI_MAX_SAVED)
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_checkpoint: at most %d inputs",
                         TGI_MAX_SAVED);
    for (int i = 0; i < n; i++)
        if (!inputs[i]) return tgi_null_arg(ctx, "tg_checkpoint", "inputs");
    bool record = tgi_should_record(ctx, (const tg_tensor *const *)inputs, n);
    ckpt *c = record ? malloc(sizeof *c) : NULL;
    if (record && !c) return tgi_error(ctx, TG_ERR_OOM, "tg_checkpoint: out of memory");
    if (c) {
        c->fn = fn;
        c->user = user;
        c->n = n;
        rng_save(ctx, &c->rng);
    }
    /* the segment's temporaries die with this scope: only its result survives */
    tg_scope_begin(ctx);
    tgi_grad_push(ctx, false);
    tg_tensor *y = tg_keep(fn(inputs, n, user));
    tgi_grad_pop(ctx);
    tg_scope_end(ctx);
    if (!y) {
        free(c);
        *output = NULL;
        return ctx->err ? ctx->err : tgi_error(ctx, TG_ERR_INVALID_ARG,
                                               "tg_checkpoint: the function returned NULL");
    }
    if (!record || !tgi_is_floating(y->dtype)) {
        free(c);
        *output = y;
        return TG_OK;
    }
    /* the result as a fresh alias (fn may return one of its inputs) that carries the node */
    tg_tensor *out = tgi_alias(y, y->shape, y->strides, y->ndim, y->offset);
    tg_node *node = out ? tgi_record(out, TGI_OP_CHECKPOINT, (const tg_tensor *const *)inputs, n)
                        : NULL;
    tg_status st = node ? TG_OK : ctx->err;
    if (node) node->extra = c;
    else free(c);
    for (int i = 0; i < n && st == TG_OK; i++) st = tgi_save(node, inputs[i], false);
    if (st != TG_OK) {
        tgi_tensor_decref(out);
        *output = NULL;
        return st;
    }
    *output = tgi_own(out);
    return TG_OK;
}

tg_status tgi_bw_checkpoint(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_ctx *ctx = n->ctx;
    const ckpt *c = n->extra;
    if (tgi_check_not_freed(n) != TG_OK) return ctx->err;
    tg_tensor *x[TGI_MAX_SAVED], *want[TGI_MAX_SAVED], *got[TGI_MAX_SAVED];
    int idx[TGI_MAX_SAVED], m = 0;
    for (int i = 0; i < c->n; i++) {
        tg_tensor *s = tgi_unpack(n, i);
        if (!s) return ctx->err;
        /* fresh leaves for the recomputation, requiring grad where a gradient is needed */
        x[i] = tg_detach(s);
        if (!x[i]) return ctx->err;
        if (tgi_needs(n, i) && tg_requires_grad_(x[i], true) != TG_OK) return ctx->err;
        if (tgi_needs(n, i)) {
            want[m] = x[i];
            idx[m++] = i;
        }
    }
    rng_state now;
    rng_save(ctx, &now);
    rng_load(ctx, &c->rng);
    bool create = ctx->grad_enabled;
    tgi_grad_push(ctx, true);
    tg_tensor *y = c->fn(x, c->n, c->user);
    tgi_grad_pop(ctx);
    rng_load(ctx, &now);
    if (!y) return ctx->err ? ctx->err : tgi_error(ctx, TG_ERR_AUTOGRAD,
                                                  "tg_backward: the checkpointed function failed");
    for (int i = 0; i < c->n; i++) gi[i] = NULL;
    if (m == 0 || !tgi_requires_grad(y)) return TG_OK;
    tg_grad_opts o = {.create_graph = create, .allow_unused = true};
    tg_status st = tg_autograd_grad(&y, 1, want, m, &g, &o, got);
    if (st != TG_OK) return st;
    for (int k = 0; k < m; k++) gi[idx[k]] = got[k];
    return TG_OK;
}
