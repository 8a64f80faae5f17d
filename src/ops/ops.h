/*
 * ops.h — internal interface of the op layer: the op enum from ops.def, backward signatures,
 * the elementwise iterator, graph recording, and hidden helper ops used by backward formulas.
 */
#ifndef TG_OPS_H
#define TG_OPS_H

#include "internal.h"

typedef enum tgi_op {
#define OP(e, name, bw) TGI_OP_##e,
#include "ops.def"
#undef OP
    TGI_OP_COUNT
} tgi_op;

/* A backward function reads node n (saved tensors, args, input metadata) and the gradient of
 * its output, and writes one gradient per input into gi[] (NULL where the input needs none:
 * n->next[i].fn == NULL). Results are owned by the current scope (the engine opens one). */
typedef tg_status (*tgi_backward_fn)(tg_node *n, tg_tensor *g, tg_tensor **gi);
TGI_HIDDEN extern const char *const tgi_op_names[TGI_OP_COUNT];
TGI_HIDDEN extern const tgi_backward_fn tgi_op_backward[TGI_OP_COUNT];

#define OP(e, name, bw) TGI_HIDDEN tg_status bw(tg_node *n, tg_tensor *g, tg_tensor **gi);
#include "ops.def"
#undef OP

/* ---------------------------------------------------------------- recording (record.c) */
/* Whether an op on these inputs is recorded: grad mode on and an input requires grad. */
static inline bool tgi_should_record(tg_ctx *ctx, const tg_tensor *const *in, int n) {
    if (TGI_UNLIKELY(ctx->fw_depth > 0) && !ctx->inference) /* forward AD ignores no_grad */
        for (int i = 0; i < n; i++)
            if (in[i] && tgi_is_dual(in[i])) return true;
    if (!ctx->grad_enabled) return false;
    for (int i = 0; i < n; i++)
        if (in[i] && (in[i]->requires_grad || in[i]->grad_fn)) return true;
    return false;
}
/* Creates the node for out = op(in...) with edges to each input's history, records input
 * metadata and makes out a non-leaf. Returns the node (borrowed: out owns it) so the caller
 * can save tensors, or NULL with the error set. */
TGI_HIDDEN tg_node *tgi_record(tg_tensor *out, int op, const tg_tensor *const *in, int n);
/* The same for an op with several outputs: outs[k] becomes output k of the node (each holds a
 * reference to it). The backward then reads n->out_grads[k] (NULL where none flowed). */
TGI_HIDDEN tg_node *tgi_record_multi(tg_tensor *const *outs, int nout, int op,
                                     const tg_tensor *const *in, int n);
/* Saves t for backward (a strong reference plus its version). is_output: t is the node's own
 * output (stored as a detached alias to avoid a cycle). */
TGI_HIDDEN tg_status tgi_save(tg_node *n, const tg_tensor *t, bool is_output);
/* Reads saved tensor i, checking it was not freed and not modified in place since. */
TGI_HIDDEN tg_tensor *tgi_unpack(tg_node *n, int i);
/* Anomaly mode: a NaN in gi[] fails the backward with PyTorch's message. */
TGI_HIDDEN tg_status tgi_anomaly_check_nan(tg_node *n, tg_tensor **gi);
/* Fails with PyTorch's "backward through the graph a second time" error when n needed saved
 * values that a previous backward freed. */
TGI_HIDDEN tg_status tgi_check_not_freed(tg_node *n);
/* The edge to t's history: its grad_fn, or (for a leaf requiring grad) its AccumulateGrad. */
TGI_HIDDEN tg_status tgi_edge_of(const tg_tensor *t, tgi_edge *e);
static inline bool tgi_needs(const tg_node *n, int i) { return n->next[i].fn != NULL; }

/* ---------------------------------------------------------------- small shared helpers */
/* Hands out to the current scope when st is TG_OK, else frees it and returns NULL. */
static inline tg_tensor *tgi_finish(tg_tensor *out, tg_status st) {
    if (st != TG_OK) {
        tgi_tensor_decref(out);
        return NULL;
    }
    return tgi_own(out);
}
/* Element i (row-major) of a contiguous tensor, read or written as a double. */
static inline double tgi_at(const tg_tensor *t, int64_t i) {
    return tgi_load(t->storage->data, t->dtype, t->offset + i);
}
static inline void tgi_put(tg_tensor *t, int64_t i, double v) {
    tgi_store(t->storage->data, t->dtype, t->offset + i, v);
}

/* ---------------------------------------------------------------- elementwise (elementwise.c) */
/* Elementwise kernel: n elements, p[k] base pointers and s[k] byte strides; operand 0 is the
 * output. */
typedef void (*tgi_kernel)(char **p, const int64_t *s, int64_t n, const tgi_args *a);
/* Runs k over out and ins (already broadcast-compatible with out's shape). */
TGI_HIDDEN void tgi_run_kernel(tgi_kernel k, tg_tensor *out, const tg_tensor *const *ins, int nin,
                               const tgi_args *a);
/* A contiguous copy of t converted to dtype (a new reference, not recorded); t itself (with a
 * new reference) when it already has that dtype and contiguous is not required. */
TGI_HIDDEN tg_tensor *tgi_cast(const tg_tensor *t, tg_dtype dtype, bool contiguous);
/* Copies src into dst elementwise with broadcasting and dtype conversion (no recording). */
TGI_HIDDEN void tgi_copy_into(tg_tensor *dst, const tg_tensor *src);

/* Hidden ops used by backward formulas (recorded like any op when grad mode is on). */
TGI_HIDDEN tg_tensor *tgi_where(const tg_tensor *cond, const tg_tensor *a, const tg_tensor *b);
TGI_HIDDEN tg_tensor *tgi_sign(const tg_tensor *a);
TGI_HIDDEN tg_tensor *tgi_reciprocal(const tg_tensor *a);
TGI_HIDDEN tg_tensor *tgi_masked_zero(const tg_tensor *a, const tg_tensor *mask);
/* Sums g down to shape (the engine's reduction of broadcast gradients, at::sum_to). */
TGI_HIDDEN tg_tensor *tgi_sum_to(const tg_tensor *g, const int64_t *shape, int ndim);
TGI_HIDDEN tg_tensor *tgi_to_dtype(const tg_tensor *a, tg_dtype dtype);
TGI_HIDDEN bool tgi_is_expandable_to(const int64_t *shape, int nd, const int64_t *to, int nto);

#endif
