/*
 * engine.c — backward(): the reverse-mode engine. It counts each node's consumers with an
 * iterative DFS, then runs nodes from a max-heap on their creation order (PyTorch's CPU order;
 * AccumulateGrad first), summing incoming gradients per node, reducing broadcast gradients to
 * each input's shape, casting to its dtype, and accumulating into leaves' .grad.
 * No recursion anywhere: a chain of a million ops runs in constant C stack.
 */
#include "../ops/ops.h"
#include "hooks.h"

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

/* a + b as a reference owned by the caller (not put in the user's scope) */
static tg_tensor *owned_add(tg_tensor *a, tg_tensor *b) {
    tg_ctx *ctx = a->ctx;
    ctx->scope_off++;
    tg_tensor *r = tg_add(a, b);
    ctx->scope_off--;
    return r;
}

/* Adds g (a reference the caller gives away) into the pending gradient of node's output k. */
static tg_status buffer_add(tg_node *node, uint32_t k, tg_tensor *g) {
    tg_tensor **slot = &node->grad_bufs[k < (uint32_t)node->n_outputs ? k : 0];
    if (!*slot) {
        *slot = g;
        return TG_OK;
    }
    tg_tensor *sum = owned_add(*slot, g); /* out of place: either may be shared */
    tgi_tensor_decref(g);
    if (!sum) return node->ctx->err;
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
                      tg_node_name(n), i, got, exp);
            return NULL;
        }
        g = tgi_sum_to(g, m->shape, m->ndim);
        if (!g) return NULL;
    }
    if (g->dtype != m->dtype) g = tgi_to_dtype(g, m->dtype);
    return g;
}

/* leaf.grad += g (g is a reference the caller gives away); with create_graph the sum is a new
 * recorded tensor that replaces .grad. */
static tg_status accumulate(tg_tensor *leaf, tg_tensor *g, bool create_graph) {
    tg_ctx *ctx = leaf->ctx;
    if (create_graph) {
        if (g->dtype != leaf->dtype || !tgi_same_shape(g->shape, g->ndim, leaf->shape, leaf->ndim)) {
            tgi_tensor_decref(g);
            return tgi_error(ctx, TG_ERR_AUTOGRAD, "tg_backward: internal: gradient of the wrong "
                                                   "shape reached AccumulateGrad");
        }
        tg_tensor *next = g;
        if (!leaf->grad) {
            /* PyTorch's clone_obey_contract: empty_strided(...).copy_(g), attached to g's
             * history (CopyBackwards) */
            next = tgi_empty(ctx, leaf->shape, leaf->ndim, leaf->dtype);
            tg_status cs = next ? tg_copy_(next, g) : ctx->err;
            tgi_tensor_decref(g);
            if (cs != TG_OK) {
                tgi_tensor_decref(next);
                return cs;
            }
        } else {
            next = owned_add(leaf->grad, g);
            tgi_tensor_decref(g);
            if (!next) return ctx->err;
            tgi_tensor_decref(leaf->grad);
        }
        leaf->grad = next;
        return TG_OK;
    }
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
        if (n->hooks) st = tgi_run_pre_hooks(n, go);
        n->out_grads = go;
        if (st == TG_OK) st = tgi_op_backward[n->op](n, go[0], gi);
        n->out_grads = NULL;
        if (st == TG_OK && n->hooks) st = tgi_run_post_hooks(n, gi, go);
        if (st == TG_OK && ctx->anomaly_check_nan) st = tgi_anomaly_check_nan(n, gi);
        if (st != TG_OK && ctx->anomaly) tgi_anomaly_report(n);
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

enum { TGI_NEEDED = 1, TGI_TARGET = 2 };

typedef struct run_cfg {
    int n_roots;
    const tgi_edge *roots;
    tg_tensor *const *seeds;
    bool retain, create_graph;
    bool accumulate;        /* backward(): AccumulateGrad nodes update .grad */
    int n_capture;          /* autograd.grad(): gradients flowing into these edges are kept */
    const tgi_edge *capture;
    tg_tensor **captured;
} run_cfg;

static int cmp_seq(const void *a, const void *b) {
    uint64_t x = (*(tg_node *const *)a)->seq, y = (*(tg_node *const *)b)->seq;
    return x < y ? -1 : x > y;
}

static void capture_at(const run_cfg *c, tg_node *n, tg_tensor **go) {
    for (int i = 0; i < c->n_capture; i++) {
        if (c->capture[i].fn != n) continue;
        uint32_t k = c->capture[i].input_nr < (uint32_t)n->n_outputs ? c->capture[i].input_nr : 0;
        if (go[k] && !c->captured[i]) {
            go[k]->refcount++;
            c->captured[i] = go[k];
        }
    }
}

static tg_status engine(const run_cfg *c) {
    tg_ctx *ctx = c->roots[0].fn->ctx;
    vec all = {NULL, 0, 0}, stack = {NULL, 0, 0}, heap = {NULL, 0, 0};
    tg_status st = TG_OK;
    uint64_t epoch = ++ctx->epoch;
    bool prev_mode = ctx->grad_enabled;

    /* 1. dependency counts over the reachable graph */
    for (int r = 0; r < c->n_roots; r++) {
        tg_node *root = c->roots[r].fn;
        if (root->visit_epoch == epoch) continue;
        root->visit_epoch = epoch;
        root->deps = 0;
        if (!vec_push(&all, root) || !vec_push(&stack, root)) goto oom;
    }
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
    /* 2. which nodes must run: all of them for backward(); for autograd.grad only those from
     *    which a captured edge is reachable (a node's inputs are always created before it, so
     *    one pass in creation order settles it). */
    for (int64_t i = 0; i < all.n; i++) all.v[i]->eflags = c->n_capture ? 0 : TGI_NEEDED;
    if (c->n_capture) {
        for (int i = 0; i < c->n_capture; i++)
            if (c->capture[i].fn->visit_epoch == epoch) c->capture[i].fn->eflags = TGI_TARGET | TGI_NEEDED;
        qsort(all.v, (size_t)all.n, sizeof *all.v, cmp_seq);
        for (int64_t i = 0; i < all.n; i++) {
            tg_node *n = all.v[i];
            for (int e = 0; e < n->n_next && !(n->eflags & TGI_NEEDED); e++)
                if (n->next[e].fn && (n->next[e].fn->eflags & TGI_NEEDED)) n->eflags |= TGI_NEEDED;
        }
    }

    /* 3. run in order */
    for (int r = 0; r < c->n_roots; r++) {
        tg_node *root = c->roots[r].fn;
        uint32_t k = c->roots[r].input_nr < (uint32_t)root->n_outputs ? c->roots[r].input_nr : 0;
        c->seeds[r]->refcount++;
        if ((st = buffer_add(root, k, c->seeds[r])) != TG_OK) goto done;
    }
    for (int r = 0; r < c->n_roots; r++) {
        tg_node *root = c->roots[r].fn;
        if (root->deps == 0) {
            root->deps = -1; /* queued */
            if (!heap_push(&heap, root)) goto oom;
        }
    }
    ctx->grad_enabled = c->create_graph; /* record the backward pass only for create_graph */
    while (heap.n && st == TG_OK) {
        tg_node *n = heap_pop(&heap);
        /* take the pending gradients out of the node */
        tg_tensor *go_inline[4], **go = go_inline;
        if (n->n_outputs > 4 && !(go = calloc((size_t)n->n_outputs, sizeof *go))) goto oom;
        bool any = false;
        for (int k = 0; k < n->n_outputs; k++) {
            go[k] = n->grad_bufs[k];
            n->grad_bufs[k] = NULL;
            any |= go[k] != NULL;
        }
        bool acc = n->op == TGI_OP_ACCUMULATE_GRAD;
        if (any && (n->hooks || (acc && n->variable->hooks))) {
            tg_scope_begin(ctx);
            st = tgi_run_tensor_hooks(n, go);
            tg_scope_end(ctx);
        }
        if (st == TG_OK && (n->eflags & TGI_TARGET)) capture_at(c, n, go);
        if (acc) {
            if (st == TG_OK && go[0] && c->accumulate) {
                st = accumulate(n->variable, go[0], c->create_graph);
                go[0] = NULL;
                if (st == TG_OK && n->variable->hooks) {
                    tg_scope_begin(ctx);
                    tgi_run_post_acc_hooks(n->variable);
                    tg_scope_end(ctx);
                }
            }
            tgi_tensor_decref(go[0]);
            continue;
        }
        bool run = any && st == TG_OK;
        if (run && c->n_capture) { /* run only if an input leads to a captured edge */
            run = false;
            for (int i = 0; i < n->n_next && !run; i++)
                run = n->next[i].fn && (n->next[i].fn->eflags & TGI_NEEDED);
        }
        if (!run) { /* release the inputs' dependencies */
            for (int i = 0; i < n->n_next && st == TG_OK; i++) {
                tg_node *nx = n->next[i].fn;
                if (nx && --nx->deps == 0 && !heap_push(&heap, nx))
                    st = tgi_error(ctx, TG_ERR_OOM, "tg_backward: out of memory");
            }
        } else {
            st = run_node(n, go, &heap, c->retain);
        }
        for (int k = 0; k < n->n_outputs; k++) tgi_tensor_decref(go[k]);
        if (go != go_inline) free(go);
    }
    goto done;
oom:
    st = tgi_error(ctx, TG_ERR_OOM, "tg_backward: out of memory");
done:
    ctx->grad_enabled = prev_mode;
    /* drop gradients left pending by an error or by nodes that were not run */
    for (int64_t i = 0; i < all.n; i++) {
        all.v[i]->eflags = 0;
        for (int k = 0; k < all.v[i]->n_outputs; k++)
            if (all.v[i]->grad_bufs[k]) {
                tgi_tensor_decref(all.v[i]->grad_bufs[k]);
                all.v[i]->grad_bufs[k] = NULL;
            }
    }
    free(all.v);
    free(stack.v);
    free(heap.v);
    return st;
}

/* The seed for output t: ones for one-element outputs when gradient is NULL, else gradient
 * checked against t's shape and cast to its dtype (a new reference). */
static tg_tensor *make_seed(const char *fn, tg_tensor *t, const tg_tensor *gradient, int index) {
    tg_ctx *ctx = t->ctx;
    if (!tgi_requires_grad(t)) {
        tgi_error(ctx, TG_ERR_AUTOGRAD,
                  "%s: element %d of tensors does not require grad and does not have a grad_fn",
                  fn, index);
        return NULL;
    }
    if (!gradient) {
        if (t->numel != 1) {
            tgi_error(ctx, TG_ERR_AUTOGRAD,
                      "%s: grad can be implicitly created only for scalar outputs", fn);
            return NULL;
        }
        tg_tensor *seed = tgi_empty(ctx, t->shape, t->ndim, t->dtype);
        if (seed) tgi_store(seed->storage->data, seed->dtype, 0, 1.0);
        return seed;
    }
    if (!tgi_same_shape(gradient->shape, gradient->ndim, t->shape, t->ndim)) {
        char a[200], b[200];
        tgi_fmt_shape(a, sizeof a, gradient->shape, gradient->ndim);
        tgi_fmt_shape(b, sizeof b, t->shape, t->ndim);
        tgi_error(ctx, TG_ERR_AUTOGRAD,
                  "%s: Mismatch in shape: grad_output[%d] has a shape of torch.Size(%s) and "
                  "output[%d] has a shape of torch.Size(%s).",
                  fn, index, a, index, b);
        return NULL;
    }
    return tgi_cast(gradient, t->dtype, false);
}

static const char WARN_CREATE_GRAPH[] =
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak.";

tg_status tg_backward_ex(tg_tensor *t, const tg_tensor *gradient, const tg_backward_opts *opts) {
    if (!t) return tgi_null_arg(gradient ? gradient->ctx : NULL, "tg_backward", "self");
    tg_ctx *ctx = t->ctx;
    bool create = opts && opts->create_graph;
    tg_tensor *seed = make_seed("tg_backward", t, gradient, 0);
    if (!seed) return ctx->err;
    if (create) tgi_warn(ctx, "%s", WARN_CREATE_GRAPH);
    tgi_edge root;
    tg_status st = tgi_edge_of(t, &root);
    if (st == TG_OK) {
        run_cfg c = {1, &root, &seed, (opts && opts->retain_graph) || create, create, true,
                     0, NULL, NULL};
        st = engine(&c);
    }
    tgi_tensor_decref(seed);
    tgi_node_decref(root.fn);
    return st;
}

tg_status tg_backward(tg_tensor *t, const tg_tensor *gradient) {
    return tg_backward_ex(t, gradient, NULL);
}

tg_status tg_autograd_grad(tg_tensor *const *outputs, int n_outputs, tg_tensor *const *inputs,
                           int n_inputs, tg_tensor *const *grad_outputs, const tg_grad_opts *opts,
                           tg_tensor **grads) {
    static const char *fn = "tg_autograd_grad";
    if (!outputs || n_outputs <= 0 || !outputs[0]) return tgi_null_arg(NULL, fn, "outputs");
    tg_ctx *ctx = outputs[0]->ctx;
    if (!inputs || n_inputs <= 0) return tgi_null_arg(ctx, fn, "inputs");
    if (!grads) return tgi_null_arg(ctx, fn, "grads");
    for (int i = 0; i < n_inputs; i++) grads[i] = NULL;
    for (int i = 0; i < n_outputs; i++)
        if (!outputs[i]) return tgi_null_arg(ctx, fn, "outputs");
    for (int i = 0; i < n_inputs; i++) {
        if (!inputs[i]) return tgi_null_arg(ctx, fn, "inputs");
        if (!tgi_requires_grad(inputs[i]))
            return tgi_error(ctx, TG_ERR_AUTOGRAD,
                             "%s: One of the differentiated Tensors does not require grad", fn);
    }
    bool create = opts && opts->create_graph;
    bool materialize = opts && opts->materialize_grads;
    bool allow_unused = (opts && opts->allow_unused) || materialize;
    tg_status st = TG_OK;
    tgi_edge *roots = calloc((size_t)n_outputs, sizeof *roots);
    tg_tensor **seeds = calloc((size_t)n_outputs, sizeof *seeds);
    tgi_edge *cap = calloc((size_t)n_inputs, sizeof *cap);
    tg_tensor **captured = calloc((size_t)n_inputs, sizeof *captured);
    if (!roots || !seeds || !cap || !captured) {
        st = tgi_error(ctx, TG_ERR_OOM, "%s: out of memory", fn);
        goto out;
    }
    for (int i = 0; i < n_outputs && st == TG_OK; i++) {
        seeds[i] = make_seed(fn, outputs[i], grad_outputs ? grad_outputs[i] : NULL, i);
        if (!seeds[i]) st = ctx->err;
        else st = tgi_edge_of(outputs[i], &roots[i]);
    }
    for (int i = 0; i < n_inputs && st == TG_OK; i++) st = tgi_edge_of(inputs[i], &cap[i]);
    if (st == TG_OK) {
        run_cfg c = {n_outputs, roots, seeds, (opts && opts->retain_graph) || create, create,
                     false, n_inputs, cap, captured};
        st = engine(&c);
    }
    for (int i = 0; i < n_inputs && st == TG_OK; i++) {
        if (captured[i]) continue;
        if (!allow_unused)
            st = tgi_error(ctx, TG_ERR_AUTOGRAD,
                           "%s: One of the differentiated Tensors appears to not have been used "
                           "in the graph. Set allow_unused=True if this is the desired behavior.",
                           fn);
        else if (materialize && !(captured[i] = tgi_empty(ctx, inputs[i]->shape, inputs[i]->ndim,
                                                           inputs[i]->dtype)))
            st = ctx->err;
        else if (materialize)
            memset(captured[i]->storage->data, 0, captured[i]->storage->nbytes);
    }
    for (int i = 0; i < n_inputs; i++) {
        if (st == TG_OK && captured[i]) grads[i] = tgi_own(captured[i]);
        else tgi_tensor_decref(captured[i]);
    }
out:
    for (int i = 0; roots && i < n_outputs; i++) tgi_node_decref(roots[i].fn);
    for (int i = 0; seeds && i < n_outputs; i++) tgi_tensor_decref(seeds[i]);
    for (int i = 0; cap && i < n_inputs; i++) tgi_node_decref(cap[i].fn);
    free(roots);
    free(seeds);
    free(cap);
    free(captured);
    return st;
}
