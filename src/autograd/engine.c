/*
 * engine.c — backward(): the reverse-mode engine. It counts each node's consumers with an
 * iterative DFS, then runs nodes from a max-heap on their creation order (PyTorch's CPU order;
 * AccumulateGrad first), summing incoming gradients per node, reducing broadcast gradients to
 * each input's shape, casting to its dtype, and accumulating into leaves' .grad.
 * No recursion anywhere: a chain of a million ops runs in constant C stack.
 */
#include "../ops/ops.h"

#include <stdlib.h>
#include <string.h>

typedef struct vec {
    tg_node **v;
    int64_t n, cap;
} vec;

static bool vec_push(vec *a, tg_node *x) {
    if (a->n == a->cap) {
        int64_t nc = a->cap ? a->cap * 2 : 64;
        tg_node **p = realloc(a->v, (size_t)nc * sizeof *p);
        if (!p) return false;
        a->v = p;
        a->cap = nc;
    }
    a->v[a->n++] = x;
    return true;
}

/* max-heap on seq */
static bool heap_push(vec *h, tg_node *x) {
    if (!vec_push(h, x)) return false;
    int64_t i = h->n - 1;
    while (i > 0) {
        int64_t p = (i - 1) / 2;
        if (h->v[p]->seq >= h->v[i]->seq) break;
        tg_node *t = h->v[p];
        h->v[p] = h->v[i];
        h->v[i] = t;
        i = p;
    }
    return true;
}

static tg_node *heap_pop(vec *h) {
    tg_node *top = h->v[0];
    h->v[0] = h->v[--h->n];
    int64_t i = 0;
    for (;;) {
        int64_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->v[l]->seq > h->v[m]->seq) m = l;
        if (r < h->n && h->v[r]->seq > h->v[m]->seq) m = r;
        if (m == i) break;
        tg_node *t = h->v[m];
        h->v[m] = h->v[i];
        h->v[i] = t;
        i = m;
    }
    return top;
}

/* Adds g (a reference the caller gives away) into node's pending gradient. */
static tg_status buffer_add(tg_node *node, tg_tensor *g) {
    if (!node->grad_buf) {
        node->grad_buf = g;
        return TG_OK;
    }
    tg_tensor *sum = tg_add(node->grad_buf, g); /* out of place: either may be shared */
    tgi_tensor_decref(g);
    if (!sum) return node->ctx->err;
    sum->refcount++;
    tgi_tensor_decref(node->grad_buf);
    node->grad_buf = sum;
    return TG_OK;
}

/* Brings a gradient for input i of n to the recorded shape and dtype (validate_outputs). */
static tg_tensor *conform(tg_node *n, int i, tg_tensor *g) {
    const tgi_meta *m = &n->in_meta[i];
    if (!tgi_same_shape(g->shape, g->ndim, m->shape, m->ndim)) {
        if (!tgi_is_expandable_to(m->shape, m->ndim, g->shape, g->ndim)) {
            char got[200], exp[200];
            tgi_fmt_shape(got, sizeof got, g->shape, g->ndim);
            tgi_fmt_shape(exp, sizeof exp, m->shape, m->ndim);
            tgi_error(n->ctx, TG_ERR_AUTOGRAD,
                      "tg_backward: Function %s returned an invalid gradient at index %d - got %s "
                      "but expected shape compatible with %s",
                      tgi_op_names[n->op], i, got, exp);
            return NULL;
        }
        g = tgi_sum_to(g, m->shape, m->ndim);
        if (!g) return NULL;
    }
    if (g->dtype != m->dtype) g = tgi_to_dtype(g, m->dtype);
    return g;
}

/* leaf.grad += g (g is a reference the caller gives away) */
static tg_status accumulate(tg_tensor *leaf, tg_tensor *g) {
    tg_ctx *ctx = leaf->ctx;
    if (!leaf->grad) {
        /* Steal g when nothing else can see it; otherwise store a private copy, because later
         * accumulations write into .grad in place. */
        if (g->refcount == 1 && g->storage->refcount == 1 && g->contiguous && !g->is_view &&
            !g->grad_fn && g->offset == 0 && g->dtype == leaf->dtype) {
            leaf->grad = g;
            return TG_OK;
        }
        tg_tensor *c = tgi_empty(ctx, leaf->shape, leaf->ndim, leaf->dtype);
        if (!c) {
            tgi_tensor_decref(g);
            return ctx->err;
        }
        tgi_copy_into(c, g);
        tgi_tensor_decref(g);
        leaf->grad = c;
        return TG_OK;
    }
    /* in place, as PyTorch does without create_graph (the grad's own version counter moves) */
    tg_status st = TG_OK;
    bool prev = ctx->grad_enabled;
    ctx->grad_enabled = false;
    if (tg_add_(leaf->grad, g) != TG_OK) st = ctx->err;
    ctx->grad_enabled = prev;
    tgi_tensor_decref(g);
    return st;
}

static tg_status run_node(tg_node *n, tg_tensor *g, vec *heap, bool retain) {
    tg_ctx *ctx = n->ctx;
    tg_tensor *gi[TGI_MAX_INPUTS] = {NULL, NULL, NULL};
    bool own[TGI_MAX_INPUTS] = {false, false, false};
    tg_status st = tg_scope_begin(ctx);
    if (st != TG_OK) return st;
    /* the backward's temporaries live in this scope; we keep references to the results only */
    st = tgi_op_backward[n->op](n, g, gi);
    for (int i = 0; i < n->n_next && st == TG_OK; i++) {
        if (!n->next[i].fn || !gi[i]) continue;
        gi[i] = conform(n, i, gi[i]);
        if (!gi[i]) {
            st = ctx->err;
        } else {
            gi[i]->refcount++;
            own[i] = true;
        }
    }
    tg_scope_end(ctx);
    if (st == TG_OK && !retain) tgi_node_release_saved(n);
    for (int i = 0; i < n->n_next; i++) {
        tg_node *next = n->next[i].fn;
        if (own[i]) {
            if (st == TG_OK) st = buffer_add(next, gi[i]);
            else tgi_tensor_decref(gi[i]);
        }
        if (st == TG_OK && next && --next->deps == 0 && !heap_push(heap, next))
            st = tgi_error(ctx, TG_ERR_OOM, "tg_backward: out of memory");
    }
    return st;
}

static tg_status engine(tg_node *root, tg_tensor *seed, bool retain) {
    tg_ctx *ctx = root->ctx;
    vec all = {NULL, 0, 0}, stack = {NULL, 0, 0}, heap = {NULL, 0, 0};
    tg_status st = TG_OK;
    uint64_t epoch = ++ctx->epoch;

    /* 1. dependency counts over the reachable graph */
    root->visit_epoch = epoch;
    root->deps = 0;
    if (!vec_push(&all, root) || !vec_push(&stack, root)) goto oom;
    while (stack.n) {
        tg_node *n = stack.v[--stack.n];
        for (int i = 0; i < n->n_next; i++) {
            tg_node *nx = n->next[i].fn;
            if (!nx) continue;
            if (nx->visit_epoch != epoch) {
                nx->visit_epoch = epoch;
                nx->deps = 0;
                if (!vec_push(&all, nx) || !vec_push(&stack, nx)) goto oom;
            }
            nx->deps++;
        }
    }

    /* 2. run in order */
    root->grad_buf = seed;
    seed->refcount++;
    if (!heap_push(&heap, root)) goto oom;
    bool prev_mode = ctx->grad_enabled;
    ctx->grad_enabled = false; /* create_graph comes later: backward ops are not recorded */
    while (heap.n && st == TG_OK) {
        tg_node *n = heap_pop(&heap);
        tg_tensor *g = n->grad_buf;
        n->grad_buf = NULL;
        if (n->op == TGI_OP_ACCUMULATE_GRAD) {
            if (g) st = accumulate(n->variable, g);
            continue;
        }
        if (!g) { /* nothing flowed here: release the inputs' dependencies */
            for (int i = 0; i < n->n_next; i++) {
                tg_node *nx = n->next[i].fn;
                if (nx && --nx->deps == 0 && !heap_push(&heap, nx)) goto oom_mode;
            }
            continue;
        }
        st = run_node(n, g, &heap, retain);
        tgi_tensor_decref(g);
    }
    ctx->grad_enabled = prev_mode;
    goto done;
oom_mode:
    ctx->grad_enabled = prev_mode;
oom:
    st = tgi_error(ctx, TG_ERR_OOM, "tg_backward: out of memory");
done:
    /* drop gradients left pending by an error */
    for (int64_t i = 0; i < all.n; i++) {
        if (all.v[i]->grad_buf) {
            tgi_tensor_decref(all.v[i]->grad_buf);
            all.v[i]->grad_buf = NULL;
        }
    }
    free(all.v);
    free(stack.v);
    free(heap.v);
    return st;
}

tg_status tg_backward_ex(tg_tensor *t, const tg_tensor *gradient, const tg_backward_opts *opts) {
    if (!t) return tgi_null_arg(gradient ? gradient->ctx : NULL, "tg_backward", "self");
    tg_ctx *ctx = t->ctx;
    bool retain = opts && opts->retain_graph;
    if (!tgi_requires_grad(t))
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_backward: element 0 of tensors does not require grad and does not "
                         "have a grad_fn");
    tg_tensor *seed;
    if (!gradient) {
        if (t->numel != 1)
            return tgi_error(ctx, TG_ERR_AUTOGRAD,
                             "tg_backward: grad can be implicitly created only for scalar outputs");
        seed = tgi_empty(ctx, t->shape, t->ndim, t->dtype);
        if (!seed) return ctx->err;
        tgi_store(seed->storage->data, seed->dtype, 0, 1.0);
    } else {
        if (!tgi_same_shape(gradient->shape, gradient->ndim, t->shape, t->ndim)) {
            char a[200], b[200];
            tgi_fmt_shape(a, sizeof a, gradient->shape, gradient->ndim);
            tgi_fmt_shape(b, sizeof b, t->shape, t->ndim);
            return tgi_error(ctx, TG_ERR_AUTOGRAD,
                             "tg_backward: Mismatch in shape: grad_output[0] has a shape of "
                             "torch.Size(%s) and output[0] has a shape of torch.Size(%s).",
                             a, b);
        }
        seed = tgi_cast(gradient, t->dtype, false);
        if (!seed) return ctx->err;
    }
    tgi_edge root;
    tg_status st = tgi_edge_of(t, &root);
    if (st == TG_OK) st = engine(root.fn, seed, retain);
    tgi_tensor_decref(seed);
    tgi_node_decref(root.fn);
    return st;
}

tg_status tg_backward(tg_tensor *t, const tg_tensor *gradient) {
    return tg_backward_ex(t, gradient, NULL);
}
