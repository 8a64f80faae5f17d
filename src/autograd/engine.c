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

/* Adds g (a reference the caller gives away) into the pending gradient of node's output k. */
static tg_status buffer_add(tg_node *node, uint32_t k, tg_tensor *g) {
    tg_tensor **slot = &node->grad_bufs[k < (uint32_t)node->n_outputs ? k : 0];
    if (!*slot) {
        *slot = g;
        return TG_OK;
    }
    tg_tensor *sum = tg_add(*slot, g); /* out of place: either may be shared */
    tgi_tensor_decref(g);
    if (!sum) return node->ctx->err;
    sum->refcount++;
    tgi_tensor_decref(*slot);
    *slot = sum;
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

/* Runs n's backward on its output gradients go[] and hands the input gradients on. */
static tg_status run_node(tg_node *n, tg_tensor **go, vec *heap, bool retain) {
    tg_ctx *ctx = n->ctx;
    tg_tensor *gi_inline[8];
    bool own_inline[8];
    tg_tensor **gi = gi_inline;
    bool *own = own_inline;
    if (n->n_next > 8) {
        gi = calloc((size_t)n->n_next, sizeof *gi);
        own = calloc((size_t)n->n_next, sizeof *own);
        if (!gi || !own) {
            free(gi);
            free(own);
            return tgi_error(ctx, TG_ERR_OOM, "tg_backward: out of memory");
        }
    }
    for (int i = 0; i < n->n_next; i++) {
        gi[i] = NULL;
        own[i] = false;
    }
    tg_status st = tg_scope_begin(ctx);
    if (st == TG_OK) {
        /* the backward's temporaries live in this scope; we keep references to the results */
        n->out_grads = go;
        st = tgi_op_backward[n->op](n, go[0], gi);
        n->out_grads = NULL;
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
    }
    if (st == TG_OK && !retain) tgi_node_release_saved(n);
    for (int i = 0; i < n->n_next; i++) {
        tg_node *next = n->next[i].fn;
        if (own[i]) {
            if (st == TG_OK) st = buffer_add(next, n->next[i].input_nr, gi[i]);
            else tgi_tensor_decref(gi[i]);
        }
        if (st == TG_OK && next && --next->deps == 0 && !heap_push(heap, next))
            st = tgi_error(ctx, TG_ERR_OOM, "tg_backward: out of memory");
    }
    if (gi != gi_inline) {
        free(gi);
        free(own);
    }
    return st;
}

static tg_status engine(tg_node *root, uint32_t root_nr, tg_tensor *seed, bool retain) {
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
    root->grad_bufs[root_nr < (uint32_t)root->n_outputs ? root_nr : 0] = seed;
    seed->refcount++;
    if (!heap_push(&heap, root)) goto oom;
    bool prev_mode = ctx->grad_enabled;
    ctx->grad_enabled = false; /* create_graph comes later: backward ops are not recorded */
    while (heap.n && st == TG_OK) {
        tg_node *n = heap_pop(&heap);
        if (n->op == TGI_OP_ACCUMULATE_GRAD) {
            tg_tensor *g = n->grad_bufs[0];
            n->grad_bufs[0] = NULL;
            if (g) st = accumulate(n->variable, g);
            continue;
        }
        /* take the pending gradients out of the node */
        tg_tensor *go_inline[4], **go = go_inline;
        if (n->n_outputs > 4 && !(go = calloc((size_t)n->n_outputs, sizeof *go))) goto oom_mode;
        bool any = false;
        for (int k = 0; k < n->n_outputs; k++) {
            go[k] = n->grad_bufs[k];
            n->grad_bufs[k] = NULL;
            any |= go[k] != NULL;
        }
        if (!any) { /* nothing flowed here: release the inputs' dependencies */
            for (int i = 0; i < n->n_next && st == TG_OK; i++) {
                tg_node *nx = n->next[i].fn;
                if (nx && --nx->deps == 0 && !heap_push(&heap, nx))
                    st = tgi_error(ctx, TG_ERR_OOM, "tg_backward: out of memory");
            }
        } else {
            st = run_node(n, go, &heap, retain);
        }
        for (int k = 0; k < n->n_outputs; k++) tgi_tensor_decref(go[k]);
        if (go != go_inline) free(go);
    }
    ctx->grad_enabled = prev_mode;
    goto done;
oom_mode:
    ctx->grad_enabled = prev_mode;
oom:
    st = tgi_error(ctx, TG_ERR_OOM, "tg_backward: out of memory");
done:
    /* drop gradients left pending by an error */
    for (int64_t i = 0; i < all.n; i++)
        for (int k = 0; k < all.v[i]->n_outputs; k++)
            if (all.v[i]->grad_bufs[k]) {
                tgi_tensor_decref(all.v[i]->grad_bufs[k]);
                all.v[i]->grad_bufs[k] = NULL;
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
    if (st == TG_OK) st = engine(root.fn, root.input_nr, seed, retain);
    tgi_tensor_decref(seed);
    tgi_node_decref(root.fn);
    return st;
}

tg_status tg_backward(tg_tensor *t, const tg_tensor *gradient) {
    return tg_backward_ex(t, gradient, NULL);
}
