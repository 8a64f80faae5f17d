/*
 * copyslices.c — in-place ops on views (PyTorch's CopySlices). When an op modifies a view of a
 * base in place while recording, the base's history is rebased onto a CopySlices node that runs
 * the op's backward on the view's slice of the base's gradient, and the view's grad_fn becomes
 * an AsStridedBackward0 node reading its slice of the base's new history.
 */
#include "../ops/ops.h"

#include <stdlib.h>
#include <string.h>

/* Where the view sits inside its (contiguous) base, in elements. */
typedef struct geom {
    int64_t shape[TG_MAX_DIMS];
    int64_t strides[TG_MAX_DIMS];
    int ndim;
    int64_t offset;
} geom;

static void meta_of(const tg_tensor *t, tgi_meta *m) {
    m->ndim = t->ndim;
    m->dtype = t->dtype;
    memcpy(m->shape, t->shape, sizeof(int64_t) * (size_t)t->ndim);
}

static geom *geom_of(const tg_tensor *view) {
    geom *g = malloc(sizeof *g);
    if (!g) return NULL;
    g->ndim = view->ndim;
    memcpy(g->shape, view->shape, sizeof g->shape);
    memcpy(g->strides, view->strides, sizeof g->strides);
    g->offset = view->offset - view->base->offset;
    return g;
}

tg_status tgi_copy_slices(tg_tensor *view, tg_node *n) {
    tg_ctx *ctx = view->ctx;
    tg_tensor *base = view->base;
    geom *g1 = geom_of(view), *g2 = geom_of(view);
    tg_node *c = tgi_node_new(ctx, TGI_OP_COPY_SLICES);
    tg_node *a = tgi_node_new(ctx, TGI_OP_AS_STRIDED);
    if (!g1 || !g2 || !c || !a) {
        free(g1);
        free(g2);
        tgi_node_decref(c);
        tgi_node_decref(a);
        return tgi_error(ctx, TG_ERR_OOM, "out of memory recording an in-place op on a view");
    }
    c->extra = g1;
    a->extra = g2;
    /* CopySlices: edge 0 is the base's history, the others are the op's other inputs */
    if (tgi_node_reserve(c, n->n_next, 1) != TG_OK || tgi_edge_of(base, &c->next[0]) != TG_OK) {
        tgi_node_decref(c);
        tgi_node_decref(a);
        return ctx->err;
    }
    meta_of(base, &c->in_meta[0]);
    for (int i = 1; i < n->n_next; i++) {
        c->next[i] = n->next[i];
        if (c->next[i].fn) c->next[i].fn->refcount++;
        c->in_meta[i] = n->in_meta[i];
    }
    c->sub = n;
    n->refcount++;
    /* the base now comes from CopySlices (a leaf that did not require grad becomes a non-leaf) */
    tg_node *old = base->grad_fn;
    base->grad_fn = c;
    base->output_nr = 0;
    base->requires_grad = false;
    if (old) tgi_node_decref(old);
    /* the view reads its slice of the base's new history */
    tgi_node_reserve(a, 1, 1);
    a->next[0].fn = c;
    a->next[0].input_nr = 0;
    c->refcount++;
    meta_of(base, &a->in_meta[0]);
    view->grad_fn = a;
    view->output_nr = 0;
    tgi_node_decref(n); /* c holds it now */
    return TG_OK;
}

/* The slice of a contiguous base-shaped tensor t that the view covers (a new reference). */
static tg_tensor *slice_of(const tg_tensor *t, const geom *g) {
    return tgi_alias(t, g->shape, g->strides, g->ndim, t->offset + g->offset);
}

/* CopySlices: result = grad; result[view] = op's backward for self on grad[view]; the op's
 * other inputs get the rest of its backward. */
tg_status tgi_bw_copy_slices(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_ctx *ctx = n->ctx;
    if (ctx->grad_enabled)
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_backward: create_graph through an in-place modification of a view "
                         "(CopySlices) is not supported yet");
    const geom *gm = n->extra;
    tg_node *sub = n->sub;
    tg_tensor *result = tg_clone(g);
    if (!result) return ctx->err;
    tg_tensor *slice = slice_of(result, gm);
    if (!slice) return ctx->err;
    tg_tensor *gslice = tg_clone(tgi_own(slice));
    if (!gslice) return ctx->err;
    tg_tensor *res_inline[8], **res = res_inline;
    if (sub->n_next > 8 && !(res = calloc((size_t)sub->n_next, sizeof *res)))
        return tgi_error(ctx, TG_ERR_OOM, "tg_backward: out of memory");
    for (int i = 0; i < sub->n_next; i++) res[i] = NULL;
    sub->out_grads = &gslice;
    /* the op's backward must produce the slice's gradient even when the view had no history */
    tgi_edge e0 = sub->next[0];
    if (!e0.fn) sub->next[0].fn = n; /* any non-NULL marks "needed"; never followed */
    tg_status st = tgi_op_backward[sub->op](sub, gslice, res);
    sub->next[0] = e0;
    sub->out_grads = NULL;
    if (st == TG_OK) {
        if (res[0]) {
            tg_tensor *r0 = res[0];
            if (!tgi_same_shape(r0->shape, r0->ndim, slice->shape, slice->ndim))
                r0 = tgi_sum_to(r0, slice->shape, slice->ndim);
            if (r0) tgi_copy_into(slice, r0);
            else st = ctx->err;
        } else {
            tg_tensor *z = tg_zeros(ctx, slice->shape, slice->ndim, slice->dtype);
            if (z) tgi_copy_into(slice, z);
            else st = ctx->err;
        }
    }
    gi[0] = st == TG_OK ? result : NULL;
    for (int i = 1; i < n->n_next; i++) gi[i] = st == TG_OK ? res[i] : NULL;
    if (res != res_inline) free(res);
    return st;
}

/* AsStrided (the view's grad_fn after an in-place op): zeros of the base's shape with the
 * gradient written into the view's slice. */
tg_status tgi_bw_as_strided(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_ctx *ctx = n->ctx;
    if (ctx->grad_enabled) /* the slice is written with a raw copy: not differentiable */
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_backward: create_graph through a view modified in place "
                         "(AsStridedBackward0) is not supported yet");
    const tgi_meta *m = &n->in_meta[0];
    tg_tensor *z = tg_zeros(ctx, m->shape, m->ndim, m->dtype);
    if (!z) return ctx->err;
    tg_tensor *slice = slice_of(z, n->extra);
    if (!slice) return ctx->err;
    tgi_copy_into(slice, g);
    tgi_tensor_decref(slice);
    gi[0] = z;
    return TG_OK;
}
