/*
 * hooks.c — hooks on tensors and nodes: registration, removal by handle, and the engine's calls
 * in PyTorch's order (tensor hooks, node pre-hooks, retain_grad, node, post-hooks; for leaves,
 * tensor hooks, accumulation, post-accumulate hooks).
 */
#include "../ops/ops.h"
#include "hooks.h"

#include <stdlib.h>

static tgi_hook *hook_new(tg_ctx *ctx, int kind, void (*fn)(void), void *user, void *owner,
                          bool owner_is_node, tgi_hook **list) {
    tgi_hook *h = calloc(1, sizeof *h);
    if (!h) {
        tgi_error(ctx, TG_ERR_OOM, "out of memory registering a hook");
        return NULL;
    }
    h->id = ++ctx->next_hook_id;
    h->kind = kind;
    h->fn = fn;
    h->user = user;
    h->owner = owner;
    h->owner_is_node = owner_is_node;
    while (*list) list = &(*list)->next; /* registration order */
    *list = h;
    h->ctx_next = ctx->hooks.ctx_next;
    h->ctx_prev = &ctx->hooks;
    ctx->hooks.ctx_next->ctx_prev = h;
    ctx->hooks.ctx_next = h;
    return h;
}

static void hook_unlink_ctx(tgi_hook *h) {
    h->ctx_prev->ctx_next = h->ctx_next;
    h->ctx_next->ctx_prev = h->ctx_prev;
}

void tgi_hooks_free(tg_ctx *ctx, tgi_hook *list) {
    (void)ctx;
    while (list) {
        tgi_hook *nx = list->next;
        if (list->kind == TGI_HOOK_RETAIN && list->tensor) list->tensor->retains_grad = false;
        hook_unlink_ctx(list);
        free(list);
        list = nx;
    }
}

static tgi_hook **owner_list(tgi_hook *h) {
    return h->owner_is_node ? &((tg_node *)h->owner)->hooks : &((tg_tensor *)h->owner)->hooks;
}

static void hook_remove(tgi_hook *h) {
    for (tgi_hook **p = owner_list(h); *p; p = &(*p)->next)
        if (*p == h) {
            *p = h->next;
            break;
        }
    hook_unlink_ctx(h);
    free(h);
}

tg_status tg_remove_hook(tg_ctx *ctx, uint64_t handle) {
    if (!ctx) return TG_ERR_NULL_ARG;
    for (tgi_hook *h = ctx->hooks.ctx_next; h != &ctx->hooks; h = h->ctx_next)
        if (h->id == handle && h->kind != TGI_HOOK_RETAIN) {
            hook_remove(h);
            return TG_OK;
        }
    return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_remove_hook: no live hook has handle %llu",
                     (unsigned long long)handle);
}

static const char NO_GRAD_HOOK[] = "cannot register a hook on a tensor that doesn't require gradient";

uint64_t tg_register_hook(tg_tensor *t, tg_tensor_hook_fn fn, void *user) {
    if (!t) return tgi_null_arg(NULL, "tg_register_hook", "self"), 0;
    if (!fn) return tgi_null_arg(t->ctx, "tg_register_hook", "fn"), 0;
    if (!tgi_requires_grad(t))
        return tgi_error(t->ctx, TG_ERR_AUTOGRAD, "tg_register_hook: %s", NO_GRAD_HOOK), 0;
    tgi_hook *h;
    if (t->grad_fn) {
        h = hook_new(t->ctx, TGI_HOOK_TENSOR, (void (*)(void))fn, user, t->grad_fn, true,
                     &t->grad_fn->hooks);
        if (h) h->output_nr = t->output_nr;
    } else {
        h = hook_new(t->ctx, TGI_HOOK_TENSOR, (void (*)(void))fn, user, t, false, &t->hooks);
    }
    return h ? h->id : 0;
}

uint64_t tg_register_post_accumulate_grad_hook(tg_tensor *t, tg_post_accumulate_hook_fn fn,
                                               void *user) {
    static const char *name = "tg_register_post_accumulate_grad_hook";
    if (!t) return tgi_null_arg(NULL, name, "self"), 0;
    if (!fn) return tgi_null_arg(t->ctx, name, "fn"), 0;
    if (!tgi_requires_grad(t))
        return tgi_error(t->ctx, TG_ERR_AUTOGRAD, "%s: %s", name, NO_GRAD_HOOK), 0;
    if (t->grad_fn)
        return tgi_error(t->ctx, TG_ERR_AUTOGRAD,
                         "%s: post accumulate grad hooks cannot be registered on non-leaf tensors",
                         name),
               0;
    tgi_hook *h = hook_new(t->ctx, TGI_HOOK_POST_ACC, (void (*)(void))fn, user, t, false, &t->hooks);
    return h ? h->id : 0;
}

tg_status tg_retain_grad(tg_tensor *t) {
    if (!t) return tgi_null_arg(NULL, "tg_retain_grad", "self");
    if (!tgi_requires_grad(t))
        return tgi_error(t->ctx, TG_ERR_AUTOGRAD,
                         "tg_retain_grad: can't retain_grad on Tensor that has requires_grad=False");
    if (!t->grad_fn || t->retains_grad) return TG_OK; /* leaves: a no-op */
    tgi_hook *h = hook_new(t->ctx, TGI_HOOK_RETAIN, NULL, NULL, t->grad_fn, true, &t->grad_fn->hooks);
    if (!h) return t->ctx->err;
    h->output_nr = t->output_nr;
    h->tensor = t;
    t->retains_grad = true;
    return TG_OK;
}

bool tg_tensor_retains_grad(const tg_tensor *t) { return t && t->retains_grad; }

void tgi_retain_forget(tg_tensor *t) {
    if (!t->grad_fn) return;
    for (tgi_hook *h = t->grad_fn->hooks; h; h = h->next)
        if (h->kind == TGI_HOOK_RETAIN && h->tensor == t) {
            hook_remove(h);
            break;
        }
    t->retains_grad = false;
}

void tgi_retain_move(tg_tensor *t, tg_node *old_fn) {
    /* an in-place op rebased t: retain_grad follows t to its new grad_fn (tensor hooks don't) */
    if (!t->retains_grad || !old_fn) return;
    for (tgi_hook *h = old_fn->hooks; h; h = h->next)
        if (h->kind == TGI_HOOK_RETAIN && h->tensor == t) {
            hook_remove(h);
            break;
        }
    t->retains_grad = false;
    tg_retain_grad(t);
}

uint64_t tg_node_register_prehook(tg_node *node, tg_node_pre_hook_fn fn, void *user) {
    if (!node || !fn) return 0;
    tgi_hook *h = hook_new(node->ctx, TGI_HOOK_NODE_PRE, (void (*)(void))fn, user, node, true,
                           &node->hooks);
    return h ? h->id : 0;
}

uint64_t tg_node_register_hook(tg_node *node, tg_node_post_hook_fn fn, void *user) {
    if (!node || !fn) return 0;
    tgi_hook *h = hook_new(node->ctx, TGI_HOOK_NODE_POST, (void (*)(void))fn, user, node, true,
                           &node->hooks);
    return h ? h->id : 0;
}

int tg_node_num_inputs(const tg_node *node) { return node ? node->n_next : 0; }
int tg_node_num_outputs(const tg_node *node) { return node ? node->n_outputs : 0; }

tg_node *tg_node_next_function(const tg_node *node, int i, int *input_nr) {
    if (!node || i < 0 || i >= node->n_next) return NULL;
    if (input_nr) *input_nr = (int)node->next[i].input_nr;
    return node->next[i].fn;
}

/* ---------------------------------------------------------------- engine side */

/* Replaces *slot (an owned reference) with r (a scope-owned tensor), checking the shape. */
static tg_status replace(tg_ctx *ctx, tg_tensor **slot, tg_tensor *r, const char *what) {
    if (!r || r == *slot) return TG_OK;
    if (*slot && !tgi_same_shape(r->shape, r->ndim, (*slot)->shape, (*slot)->ndim))
        return tgi_error(ctx, TG_ERR_AUTOGRAD, "tg_backward: %s has changed the size of value",
                         what);
    r->refcount++;
    tgi_tensor_decref(*slot);
    *slot = r;
    return TG_OK;
}

tg_status tgi_run_tensor_hooks(tg_node *n, tg_tensor **go) {
    tg_ctx *ctx = n->ctx;
    tgi_hook *list = n->op == TGI_OP_ACCUMULATE_GRAD ? n->variable->hooks : n->hooks;
    tg_status st = TG_OK;
    for (tgi_hook *h = list; h && st == TG_OK; h = h->next) {
        if (h->kind != TGI_HOOK_TENSOR) continue;
        uint32_t k = n->op == TGI_OP_ACCUMULATE_GRAD ? 0 : h->output_nr;
        if (!go[k]) continue;
        tg_tensor *r = ((tg_tensor_hook_fn)h->fn)(go[k], h->user);
        st = replace(ctx, &go[k], r, "hook");
    }
    return st;
}

tg_status tgi_run_pre_hooks(tg_node *n, tg_tensor **go) {
    tg_status st = TG_OK;
    for (tgi_hook *h = n->hooks; h && st == TG_OK; h = h->next) {
        if (h->kind != TGI_HOOK_NODE_PRE) continue;
        tg_tensor *copy[64];
        int m = n->n_outputs < 64 ? n->n_outputs : 64;
        for (int k = 0; k < m; k++) copy[k] = go[k];
        ((tg_node_pre_hook_fn)h->fn)(n, copy, m, h->user);
        for (int k = 0; k < m && st == TG_OK; k++) st = replace(n->ctx, &go[k], copy[k], "hook");
    }
    /* then retain_grad, which sees the gradient after every hook: t.grad accumulates out of
     * place, as PyTorch's retain_grad hook does */
    for (tgi_hook *h = n->hooks; h && st == TG_OK; h = h->next) {
        if (h->kind != TGI_HOOK_RETAIN || !h->tensor || !go[h->output_nr]) continue;
        tg_tensor *t = h->tensor, *g = go[h->output_nr];
        tg_tensor *next = t->grad ? tg_add(t->grad, g) : tg_clone(g);
        if (!next) return n->ctx->err;
        next->refcount++;
        tgi_tensor_decref(t->grad);
        t->grad = next;
    }
    return st;
}

tg_status tgi_run_post_hooks(tg_node *n, tg_tensor **gi, tg_tensor **go) {
    tg_status st = TG_OK;
    for (tgi_hook *h = n->hooks; h && st == TG_OK; h = h->next) {
        if (h->kind != TGI_HOOK_NODE_POST) continue;
        tg_tensor *copy[64];
        int m = n->n_next < 64 ? n->n_next : 64;
        for (int i = 0; i < m; i++) copy[i] = gi[i];
        ((tg_node_post_hook_fn)h->fn)(n, copy, m, go, n->n_outputs, h->user);
        for (int i = 0; i < m && st == TG_OK; i++)
            if (copy[i] != gi[i]) {
                if (copy[i] && gi[i] &&
                    !tgi_same_shape(copy[i]->shape, copy[i]->ndim, gi[i]->shape, gi[i]->ndim))
                    st = tgi_error(n->ctx, TG_ERR_AUTOGRAD,
                                   "tg_backward: hook has changed the size of value");
                else gi[i] = copy[i]; /* scope-owned, like the backward's own results */
            }
    }
    return st;
}

void tgi_run_post_acc_hooks(tg_tensor *leaf) {
    for (tgi_hook *h = leaf->hooks; h; h = h->next)
        if (h->kind == TGI_HOOK_POST_ACC) ((tg_post_accumulate_hook_fn)h->fn)(leaf, h->user);
}
