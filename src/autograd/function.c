/*
 * function.c — custom functions (torch.autograd.Function): apply runs the user's forward with
 * grad mode off and records one node whose backward calls the user's; the ctx offers
 * save_for_backward, needs_input_grad, mark_dirty, mark_non_differentiable and
 * set_materialize_grads; once_differentiable results carry an <Error> node.
 */
#include "../ops/ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MARKS 16

struct tg_function_ctx {
    tg_function fn; /* a copy: the caller's struct need not outlive the graph */
    char node_name[96];
    void *user;
    tg_ctx *ctx;
    tg_node *node; /* set while the node exists */
    int n_inputs, n_outputs;
    bool *needs_input_grad;
    bool materialize;
    bool in_forward;
    tg_tensor *to_save[TGI_MAX_SAVED];
    int n_to_save;
    tg_tensor *dirty[MAX_MARKS];
    int n_dirty;
    tg_tensor *non_diff[MAX_MARKS];
    int n_non_diff;
    bool *out_non_diff;   /* per output, after forward */
    tgi_meta *out_meta;   /* per output: shape and dtype, to materialize zeros */
};

const char *tgi_custom_name(const tg_node *n) { return n->custom->node_name; }

void tgi_custom_free(tg_function_ctx *f) {
    if (!f) return;
    free(f->needs_input_grad);
    free(f->out_non_diff);
    free(f->out_meta);
    free(f);
}

static bool listed(tg_tensor *const *list, int n, const tg_tensor *t) {
    for (int i = 0; i < n; i++)
        if (list[i] == t) return true;
    return false;
}

tg_status tg_function_save_for_backward(tg_function_ctx *f, tg_tensor *const *ts, int n) {
    if (!f) return TG_ERR_NULL_ARG;
    if (!f->in_forward)
        return tgi_error(f->ctx, TG_ERR_AUTOGRAD,
                         "tg_function_save_for_backward: only valid inside forward");
    if (n < 0 || f->n_to_save + n > TGI_MAX_SAVED)
        return tgi_error(f->ctx, TG_ERR_INVALID_ARG,
                         "tg_function_save_for_backward: at most %d tensors can be saved",
                         TGI_MAX_SAVED);
    for (int i = 0; i < n; i++) {
        if (!ts[i]) return tgi_null_arg(f->ctx, "tg_function_save_for_backward", "tensors");
        f->to_save[f->n_to_save++] = ts[i];
    }
    return TG_OK;
}

tg_tensor *tg_function_saved_tensor(tg_function_ctx *f, int i) {
    if (!f) return NULL;
    if (!f->node) {
        tgi_error(f->ctx, TG_ERR_AUTOGRAD, "tg_function_saved_tensor: only valid inside backward");
        return NULL;
    }
    if (i < 0 || i >= (f->node->saved_freed ? TGI_MAX_SAVED : f->node->n_saved)) {
        tgi_error(f->ctx, TG_ERR_INDEX, "tg_function_saved_tensor: index %d out of range (%d saved)",
                  i, f->node->n_saved);
        return NULL;
    }
    return tgi_unpack(f->node, i);
}

bool tg_function_needs_input_grad(const tg_function_ctx *f, int i) {
    return f && i >= 0 && i < f->n_inputs && f->needs_input_grad[i];
}

tg_status tg_function_mark_dirty(tg_function_ctx *f, tg_tensor *t) {
    if (!f || !t) return TG_ERR_NULL_ARG;
    if (f->n_dirty == MAX_MARKS)
        return tgi_error(f->ctx, TG_ERR_INVALID_ARG, "tg_function_mark_dirty: too many tensors");
    f->dirty[f->n_dirty++] = t;
    return TG_OK;
}

tg_status tg_function_mark_non_differentiable(tg_function_ctx *f, tg_tensor *t) {
    if (!f || !t) return TG_ERR_NULL_ARG;
    if (f->n_non_diff == MAX_MARKS)
        return tgi_error(f->ctx, TG_ERR_INVALID_ARG,
                         "tg_function_mark_non_differentiable: too many tensors");
    f->non_diff[f->n_non_diff++] = t;
    return TG_OK;
}

void tg_function_set_materialize_grads(tg_function_ctx *f, bool value) {
    if (f) f->materialize = value;
}

/* ---------------------------------------------------------------- apply */

tg_status tg_function_apply(const tg_function *fn, tg_tensor *const *inputs, int n_inputs,
                            void *user, tg_tensor **outputs) {
    static const char *name = "tg_function_apply";
    tg_ctx *ctx = NULL;
    for (int i = 0; i < n_inputs && !ctx; i++)
        if (inputs && inputs[i]) ctx = inputs[i]->ctx;
    if (!fn || !fn->forward || !outputs || !inputs || n_inputs <= 0 || !ctx)
        return tgi_null_arg(ctx, name, !fn || !fn->forward ? "fn" : "inputs");
    for (int i = 0; i < n_inputs; i++) {
        if (!inputs[i]) return tgi_null_arg(ctx, name, "inputs");
        if (tgi_is_dual(inputs[i])) /* a tg_function has no jvp: no tangent for its outputs */
            return tgi_error(ctx, TG_ERR_AUTOGRAD,
                             "%s: You must implement the jvp function for custom "
                             "autograd.Function to use it with forward mode AD.",
                             name);
    }
    int n_out = fn->n_outputs > 0 ? fn->n_outputs : 1;
    for (int k = 0; k < n_out; k++) outputs[k] = NULL;

    tg_function_ctx *f = calloc(1, sizeof *f);
    if (f) {
        f->needs_input_grad = calloc((size_t)n_inputs, sizeof(bool));
        f->out_non_diff = calloc((size_t)n_out, sizeof(bool));
        f->out_meta = calloc((size_t)n_out, sizeof(tgi_meta));
    }
    if (!f || !f->needs_input_grad || !f->out_non_diff || !f->out_meta) {
        tgi_custom_free(f);
        return tgi_error(ctx, TG_ERR_OOM, "%s: out of memory", name);
    }
    f->fn = *fn;
    snprintf(f->node_name, sizeof f->node_name, "%sBackward", fn->name ? fn->name : "Function");
    f->user = user;
    f->ctx = ctx;
    f->n_inputs = n_inputs;
    f->n_outputs = n_out;
    f->materialize = true;
    bool record = tgi_should_record(ctx, (const tg_tensor *const *)inputs, n_inputs);
    for (int i = 0; i < n_inputs; i++)
        f->needs_input_grad[i] = record && tgi_requires_grad(inputs[i]) &&
                                 tgi_is_floating(inputs[i]->dtype);

    /* forward, not recorded */
    tgi_grad_push(ctx, false);
    f->in_forward = true;
    tg_status st = fn->forward(f, inputs, n_inputs, outputs, user);
    f->in_forward = false;
    tgi_grad_pop(ctx);
    if (st == TG_OK)
        for (int k = 0; k < n_out && st == TG_OK; k++)
            if (!outputs[k])
                st = tgi_error(ctx, TG_ERR_NULL_ARG, "%s: forward of %s returned no output %d", name,
                               f->node_name, k);
    if (st != TG_OK || !record) {
        /* in-place modification of a leaf that requires grad is an error even when not recorded
         * only under grad mode, like PyTorch; nothing to record here */
        tgi_custom_free(f);
        if (st != TG_OK) {
            for (int k = 0; k < n_out; k++) outputs[k] = NULL;
            return ctx->err ? ctx->err : st;
        }
        return TG_OK;
    }

    /* outputs: dirty inputs are rebased onto the node; other outputs that alias an input
     * become new views so the input keeps its own history */
    for (int k = 0; k < n_out; k++) {
        tg_tensor *o = outputs[k];
        bool is_input = listed(inputs, n_inputs, o);
        if (listed(f->dirty, f->n_dirty, o)) {
            if (!o->grad_fn && o->requires_grad) {
                tgi_custom_free(f);
                for (int j = 0; j < n_out; j++) outputs[j] = NULL;
                return tgi_error(ctx, TG_ERR_AUTOGRAD,
                                 "%s: a leaf Variable that requires grad has been used in an "
                                 "in-place operation.",
                                 name);
            }
            o->storage->version++;
        } else if (is_input) {
            tg_tensor *a = tgi_alias(o, o->shape, o->strides, o->ndim, o->offset);
            if (!a) {
                tgi_custom_free(f);
                return ctx->err;
            }
            outputs[k] = tgi_own(a);
        }
        f->out_non_diff[k] = listed(f->non_diff, f->n_non_diff, o) || !tgi_is_floating(o->dtype);
        tgi_meta *m = &f->out_meta[k];
        m->ndim = outputs[k]->ndim;
        m->dtype = outputs[k]->dtype;
        memcpy(m->shape, outputs[k]->shape, sizeof(int64_t) * (size_t)m->ndim);
    }
    int n_diff = 0;
    for (int k = 0; k < n_out; k++) n_diff += !f->out_non_diff[k];
    if (n_diff == 0) { /* nothing differentiable came out */
        tgi_custom_free(f);
        return TG_OK;
    }
    /* record: every differentiable output becomes an output of one node (its index in the
     * node is its index among the outputs, so backward can place the gradients) */
    tg_node *node = tgi_node_new(ctx, TGI_OP_CUSTOM);
    if (!node) {
        tgi_custom_free(f);
        return ctx->err;
    }
    node->custom = f;
    if (tgi_node_reserve(node, n_inputs, n_out) != TG_OK) {
        tgi_node_decref(node);
        return ctx->err;
    }
    for (int i = 0; i < n_inputs && st == TG_OK; i++) {
        if (!f->needs_input_grad[i]) continue;
        st = tgi_edge_of(inputs[i], &node->next[i]);
        tgi_meta *m = &node->in_meta[i];
        m->ndim = inputs[i]->ndim;
        m->dtype = inputs[i]->dtype;
        memcpy(m->shape, inputs[i]->shape, sizeof(int64_t) * (size_t)m->ndim);
    }
    int held = 0;
    for (int k = 0; k < n_out && st == TG_OK; k++) {
        if (f->out_non_diff[k]) continue;
        tg_tensor *o = outputs[k];
        tg_node *old = o->grad_fn;
        o->grad_fn = node;
        o->output_nr = (uint32_t)k;
        o->requires_grad = false;
        if (held++ > 0) node->refcount++;
        if (old) tgi_node_decref(old);
    }
    if (held == 0) tgi_node_decref(node);
    for (int s = 0; s < f->n_to_save && st == TG_OK; s++)
        st = tgi_save(node, f->to_save[s], listed(outputs, n_out, f->to_save[s]));
    f->node = node;
    return st;
}

/* ---------------------------------------------------------------- backward */

static bool any_requires_grad(tg_tensor *const *ts, int n) {
    for (int i = 0; i < n; i++)
        if (ts[i] && tgi_requires_grad(ts[i])) return true;
    return false;
}

tg_status tgi_bw_custom(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    (void)g;
    tg_function_ctx *f = n->custom;
    tg_ctx *ctx = n->ctx;
    if (!f->fn.backward)
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "tg_backward: You must implement either the backward or vjp method for "
                         "your custom autograd.Function to use it with backward mode AD.");
    if (tgi_check_not_freed(n) != TG_OK) return ctx->err;
    tg_tensor *go[64];
    int m = f->n_outputs < 64 ? f->n_outputs : 64;
    for (int k = 0; k < m; k++) {
        go[k] = n->out_grads ? n->out_grads[k] : NULL;
        if (!go[k] && f->materialize) {
            const tgi_meta *om = &f->out_meta[k];
            if (!(go[k] = tg_zeros(ctx, om->shape, om->ndim, om->dtype))) return ctx->err;
        }
    }
    for (int i = 0; i < f->n_inputs; i++) gi[i] = NULL;
    bool once = f->fn.once_differentiable && ctx->grad_enabled;
    bool wrap = once && any_requires_grad(go, m);
    if (once) tgi_grad_push(ctx, false);
    tg_status st = f->fn.backward(f, go, m, gi, f->n_inputs, f->user);
    if (once) tgi_grad_pop(ctx);
    if (st != TG_OK) return ctx->err ? ctx->err : st;
    for (int i = 0; i < f->n_inputs; i++)
        if (!tgi_needs(n, i)) gi[i] = NULL; /* the engine drops gradients nobody asked for */
    if (wrap) { /* results of a once-differentiable backward refuse a second differentiation */
        for (int i = 0; i < f->n_inputs; i++) {
            if (!gi[i]) continue;
            tg_tensor *a = tgi_alias(gi[i], gi[i]->shape, gi[i]->strides, gi[i]->ndim, gi[i]->offset);
            if (!a) return ctx->err;
            const tg_tensor *in[64];
            for (int k = 0; k < m; k++) in[k] = go[k];
            if (!tgi_record(a, TGI_OP_ERROR, in, m)) {
                tgi_tensor_decref(a);
                return ctx->err;
            }
            gi[i] = tgi_own(a);
        }
    }
    return TG_OK;
}

tg_status tgi_bw_error(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    (void)g;
    (void)gi;
    return tgi_error(n->ctx, TG_ERR_AUTOGRAD,
                     "tg_backward: trying to differentiate twice a function that was marked with "
                     "@once_differentiable");
}
