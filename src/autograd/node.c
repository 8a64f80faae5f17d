/*
 * node.c — graph nodes: the op tables from ops.def, recording an op (edges to each input's
 * history, input metadata), saved tensors with their version check, AccumulateGrad nodes for
 * leaves, and node names/reprs.
 */
#include "../ops/ops.h"
#include "hooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tgi_op_names[TGI_OP_COUNT] = {
#define OP(e, name, bw) name,
#include "../ops/ops.def"
#undef OP
};

const tgi_backward_fn tgi_op_backward[TGI_OP_COUNT] = {
#define OP(e, name, bw) bw,
#include "../ops/ops.def"
#undef OP
};

tg_status tgi_bw_none(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    (void)g;
    (void)gi;
    return tgi_error(n->ctx, TG_ERR_AUTOGRAD, "internal: %s has no backward function",
                     tgi_op_names[n->op]);
}

const char *tg_node_name(const tg_node *node) {
    if (!node || node->op < 0 || node->op >= TGI_OP_COUNT) return "";
    if (node->custom) return tgi_custom_name(node);
    return tgi_op_names[node->op];
}

size_t tg_node_repr(const tg_node *node, char *buf, size_t cap) {
    int n = node ? snprintf(buf, cap, "<%s object at %p>", tg_node_name(node), (const void *)node)
                 : snprintf(buf, cap, "None");
    return n > 0 ? (size_t)n : 0;
}

/* ---------------------------------------------------------------- edges */

tg_status tgi_edge_of(const tg_tensor *t, tgi_edge *e) {
    e->fn = NULL;
    e->input_nr = 0;
    if (t->grad_fn) {
        e->fn = t->grad_fn;
        e->input_nr = t->output_nr;
        e->fn->refcount++;
        return TG_OK;
    }
    if (!t->requires_grad) return TG_OK;
    /* A leaf: its AccumulateGrad node lives while some edge holds it; the leaf only keeps a
     * weak pointer (the node holds the leaf strongly). `t` gains an accumulator but is
     * logically unchanged for the caller. */
    tg_tensor *leaf = (tg_tensor *)(uintptr_t)t;
    if (leaf->grad_acc) {
        e->fn = leaf->grad_acc;
        e->fn->refcount++; /* this edge's reference */
        return TG_OK;
    }
    tg_node *acc = tgi_node_new(leaf->ctx, TGI_OP_ACCUMULATE_GRAD);
    if (!acc) return leaf->ctx->err;
    acc->seq = UINT64_MAX; /* as PyTorch: accumulate as soon as the gradient is ready */
    acc->variable = leaf;
    leaf->refcount++;
    leaf->grad_acc = acc;
    e->fn = acc; /* the creation reference is this edge's */
    return TG_OK;
}

/* ---------------------------------------------------------------- recording */

/* Edges and metadata for the n inputs of node. */
static tg_status connect(tg_node *node, const tg_tensor *const *in, int n) {
    if (n <= TGI_MAX_INPUTS && node->n_outputs == 1) node->n_next = n; /* inline storage */
    else if (tgi_node_reserve(node, n, node->n_outputs) != TG_OK) return node->ctx->err;
    for (int i = 0; i < n; i++) {
        node->next[i].fn = NULL;
        node->next[i].input_nr = 0;
        if (!in[i]) continue;
        if (TGI_UNLIKELY(in[i]->fw_pending) && tgi_fw_resolve((tg_tensor *)(uintptr_t)in[i]) != TG_OK)
            return node->ctx->err;
        if (tgi_edge_of(in[i], &node->next[i]) != TG_OK) return node->ctx->err;
        if (!node->next[i].fn && TGI_UNLIKELY(node->ctx->fw_depth > 0) && tgi_is_dual(in[i])) {
            /* a dual input without reverse history still needs its input gradient computed for
             * the tangent: point its edge at the ctx's sink, which drops gradients */
            tg_ctx *ctx = node->ctx;
            if (!ctx->fw_sink && !(ctx->fw_sink = tgi_node_new(ctx, TGI_OP_FW_SINK)))
                return ctx->err;
            node->next[i].fn = ctx->fw_sink;
            ctx->fw_sink->refcount++;
        }
        tgi_meta *m = &node->in_meta[i];
        m->ndim = in[i]->ndim;
        m->dtype = in[i]->dtype;
        for (int d = 0; d < in[i]->ndim; d++) m->shape[d] = in[i]->shape[d];
    }
    return TG_OK;
}

static void adopt(tg_tensor *out, tg_node *node, uint32_t output_nr) {
    tg_node *old = out->grad_fn;
    out->grad_fn = node;
    out->output_nr = output_nr;
    out->requires_grad = false;
    if (old) {
        if (out->retains_grad) tgi_retain_move(out, old);
        tgi_node_decref(old);
    }
}

/* Forward AD: remembers the inputs' tangents and marks out's tangent as pending. */
static tg_status fw_prepare(tg_node *node, tg_tensor *const *outs, int nout,
                            const tg_tensor *const *in, int n) {
    tg_ctx *ctx = node->ctx;
    bool any = false, reverse = false;
    for (int i = 0; i < n; i++) {
        if (!in[i]) continue;
        any |= tgi_is_dual(in[i]);
        reverse |= in[i]->requires_grad || in[i]->grad_fn != NULL;
    }
    if (!any) return TG_OK;
    node->fw_reverse = reverse && ctx->grad_enabled;
    node->fw_tan = calloc((size_t)(n > 0 ? n : 1), sizeof *node->fw_tan);
    if (!node->fw_tan) return tgi_error(ctx, TG_ERR_OOM, "out of memory recording forward AD");
    for (int i = 0; i < n; i++)
        if (in[i] && tgi_is_dual(in[i])) {
            node->fw_tan[i] = in[i]->fw_tangent;
            node->fw_tan[i]->refcount++;
        }
    for (int k = 0; k < nout; k++) {
        outs[k]->fw_pending = true;
        if (outs[k]->fw_node) tgi_node_decref(outs[k]->fw_node);
        outs[k]->fw_node = node;
        node->refcount++;
    }
    return TG_OK;
}

tg_node *tgi_record(tg_tensor *out, int op, const tg_tensor *const *in, int n) {
    tg_node *node = tgi_node_new(out->ctx, op);
    if (!node) return NULL;
    if (connect(node, in, n) != TG_OK) {
        tgi_node_decref(node);
        return NULL;
    }
    node->fw_inplace = n > 0 && in[0] == out;
    if (TGI_UNLIKELY(out->ctx->fw_depth > 0) && fw_prepare(node, &out, 1, in, n) != TG_OK) {
        tgi_node_decref(node);
        return NULL;
    }
    adopt(out, node, 0);
    /* an in-place op (self is input 0) on a view rebases the view's base: CopySlices */
    if (n > 0 && in[0] == out && out->is_view && out->base) {
        if (TGI_UNLIKELY(out->fw_pending || (out->ctx->fw_depth > 0 && tgi_is_dual(out->base)))) {
            /* the base's tangent would have to change in the slice too: not done yet */
            out->fw_pending = false;
            tgi_error(out->ctx, TG_ERR_AUTOGRAD,
                      "forward AD: in-place operations on views of dual tensors are not "
                      "supported yet");
            return NULL;
        }
        if (tgi_copy_slices(out, node) != TG_OK) return NULL;
    }
    return node;
}

tg_node *tgi_record_multi(tg_tensor *const *outs, int nout, int op, const tg_tensor *const *in,
                          int n) {
    tg_ctx *ctx = outs[0]->ctx;
    tg_node *node = tgi_node_new(ctx, op);
    if (!node) return NULL;
    if (tgi_node_reserve(node, 0, nout) != TG_OK || connect(node, in, n) != TG_OK ||
        (ctx->fw_depth > 0 && fw_prepare(node, outs, nout, in, n) != TG_OK)) {
        tgi_node_decref(node);
        return NULL;
    }
    for (int k = 0; k < nout; k++) {
        if (k > 0) node->refcount++; /* each output holds the node */
        adopt(outs[k], node, (uint32_t)k);
    }
    return node;
}

tg_status tgi_save(tg_node *n, const tg_tensor *t, bool is_output) {
    if (t->is_inference)
        return tgi_error(n->ctx, TG_ERR_AUTOGRAD,
                         "%s: Inference tensors cannot be saved for backward. Please do not use "
                         "Tensors created in inference mode in computation tracked by autograd. To "
                         "work around this, you can make a clone to get a normal tensor and use it "
                         "in autograd.",
                         tg_node_name(n));
    if (n->n_saved >= TGI_MAX_SAVED)
        return tgi_error(n->ctx, TG_ERR_AUTOGRAD, "internal: %s saves too many tensors",
                         tgi_op_names[n->op]);
    tgi_saved *s = &n->saved[n->n_saved];
    if (is_output) {
        /* A detached alias: same storage and version counter, no grad_fn (no cycle). */
        tg_tensor *a = tgi_alias(t, t->shape, t->strides, t->ndim, t->offset);
        if (!a) return n->ctx->err;
        s->t = a;
    } else {
        s->t = (tg_tensor *)(uintptr_t)t;
        s->t->refcount++;
    }
    s->version = t->storage->version;
    s->is_output = is_output;
    s->was_leaf = t->grad_fn == NULL;
    n->n_saved++;
    n->has_saved = true;
    return TG_OK;
}

static const char ERR_BACKWARD_TWICE[] =
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward.";

tg_tensor *tgi_unpack(tg_node *n, int i) {
    if (n->saved_freed) {
        tgi_error(n->ctx, TG_ERR_AUTOGRAD, "tg_backward: %s", ERR_BACKWARD_TWICE);
        return NULL;
    }
    tgi_saved *s = &n->saved[i];
    if (s->t->storage->version != s->version) {
        char shape[160];
        tgi_fmt_shape(shape, sizeof shape, s->t->shape, s->t->ndim);
        char which[128] = "";
        const tg_node *producer = s->is_output ? n : s->t->grad_fn;
        if (producer)
            snprintf(which, sizeof which, ", which is output %u of %s,",
                     s->is_output ? 0u : s->t->output_nr, tg_node_name(producer));
        tgi_error(n->ctx, TG_ERR_AUTOGRAD,
                  "tg_backward: one of the variables needed for gradient computation has been "
                  "modified by an inplace operation: [%s %s]%s is at version %lld; expected "
                  "version %lld instead. Hint: %s",
                  tgi_dtype_legacy(s->t->dtype), shape, which,
                  (long long)s->t->storage->version, (long long)s->version,
                  n->ctx->anomaly
                      ? "the backtrace further above shows the operation that failed to compute "
                        "its gradient. The variable in question was changed in there or anywhere "
                        "later. Good luck!"
                      : "enable anomaly detection to find the operation that failed to compute "
                        "its gradient, with torch.autograd.set_detect_anomaly(True).");
        return NULL;
    }
    if (s->is_output && n->ctx->grad_enabled) {
        /* create_graph: the saved output must lead back to this node, as PyTorch's
         * SavedVariable::unpack restores its grad_fn */
        tg_tensor *a = tgi_alias(s->t, s->t->shape, s->t->strides, s->t->ndim, s->t->offset);
        if (!a) return NULL;
        a->grad_fn = n;
        n->refcount++;
        return tgi_own(a);
    }
    return s->t;
}

tg_status tgi_check_not_freed(tg_node *n) {
    if (n->saved_freed)
        return tgi_error(n->ctx, TG_ERR_AUTOGRAD, "tg_backward: %s", ERR_BACKWARD_TWICE);
    return TG_OK;
}
