/*
 * internal.h — the structures behind the opaque handles, shared by every source file.
 * Nothing here is public: symbols are tgi_-prefixed and hidden from the shared library.
 * ctx (allocator, errors, scopes, grad mode), storage, tensor and graph-node layouts.
 */
#ifndef TG_INTERNAL_H
#define TG_INTERNAL_H

#include "tensorgrad.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define TGI_HIDDEN __attribute__((visibility("hidden")))
#define TGI_LIKELY(x) __builtin_expect(!!(x), 1)
#define TGI_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define TGI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TGI_HIDDEN
#define TGI_LIKELY(x) (x)
#define TGI_UNLIKELY(x) (x)
#define TGI_PRINTF(a, b)
#endif

/* Internal invariant checks: compiled in debug and test builds only, never reachable from input. */
#ifdef TG_DEBUG
#include <stdio.h>
#include <stdlib.h>
#define TGI_ASSERT(c)                                                                          \
    do {                                                                                       \
        if (!(c)) {                                                                            \
            fprintf(stderr, "%s:%d: internal invariant failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                           \
        }                                                                                      \
    } while (0)
#else
#define TGI_ASSERT(c) ((void)0)
#endif

#define TGI_MAX_INPUTS 3   /* edges and metadata stored inline; more are allocated */
#define TGI_MAX_SAVED 8    /* saved tensors per node */
#define TGI_ERRMSG_CAP 1024

/* ------------------------------------------------------------------------------------------ */
/* Storage: a refcounted buffer. Views and detach share one; its version counter is the one    */
/* autograd checks. `.data` makes an alias storage with its own counter that points at `base`. */
/* ------------------------------------------------------------------------------------------ */
typedef struct tgi_storage {
    int64_t refcount;
    int64_t version;
    void *data;
    size_t nbytes;
    struct tgi_storage *base; /* alias storages (.data) hold a reference to the owner */
    struct tgi_storage *prev, *next; /* ctx's list of live storages */
    int size_class;                  /* >= 0: data lives in a pooled block of that class */
} tgi_storage;

/* ------------------------------------------------------------------------------------------ */
/* Tensor: a strided view over a storage, plus autograd metadata.                              */
/* ------------------------------------------------------------------------------------------ */
struct tg_tensor {
    int64_t refcount;
    tg_ctx *ctx;
    tgi_storage *storage;
    int64_t offset; /* in elements */
    int64_t numel;
    int64_t shape[TG_MAX_DIMS];
    int64_t strides[TG_MAX_DIMS];
    int ndim;
    tg_dtype dtype;
    bool requires_grad; /* the leaf flag; non-leaves require grad through grad_fn */
    bool is_view;       /* made by a view op: base is the tensor it views */
    bool contiguous;
    struct tg_tensor *base; /* strong reference for views; NULL otherwise */
    tg_node *grad_fn;       /* strong reference; NULL for leaves */
    uint32_t output_nr;
    tg_node *grad_acc; /* weak: the leaf's AccumulateGrad node while one is alive */
    struct tg_tensor *grad; /* strong reference */
    struct tgi_hook *hooks; /* a leaf's tensor and post-accumulate hooks */
    bool retains_grad;      /* a non-leaf whose grad_fn carries a retain_grad hook */
    bool is_inference;      /* created in inference mode (no version counter, no autograd) */
    bool fw_pending;        /* forward AD: the tangent is computed when the op's result is owned */
    struct tg_tensor *fw_tangent; /* forward AD: the tangent (strong), valid at level fw_level */
    tg_node *fw_node;             /* forward AD: the node whose tangent is pending (strong) */
    uint64_t fw_level;
    struct tg_tensor *next_free;
};

/* ------------------------------------------------------------------------------------------ */
/* Graph nodes                                                                                 */
/* ------------------------------------------------------------------------------------------ */
typedef struct tgi_edge {
    tg_node *fn; /* strong reference, NULL when that input needs no gradient */
    uint32_t input_nr;
} tgi_edge;

typedef struct tgi_saved {
    tg_tensor *t;        /* strong reference (a detached alias when is_output) */
    int64_t version;     /* storage version at save time */
    bool is_output;      /* saved the node's own output */
    bool was_leaf;       /* the tensor had no grad_fn when saved */
} tgi_saved;

typedef struct tgi_meta {
    int64_t shape[TG_MAX_DIMS];
    int ndim;
    tg_dtype dtype;
} tgi_meta;

/* Non-tensor arguments an op records for its backward. */
typedef struct tgi_args {
    double s;            /* scalar operand / exponent / p */
    int64_t d0, d1;      /* dims (transpose) */
    uint32_t dim_mask;   /* reduced dims */
    bool keepdim;
    int64_t n;           /* element count (mean) */
} tgi_args;

/* A registered hook (src/autograd/hooks.c). Owned by a tensor (leaf hooks) or a node, and
 * listed on the ctx so a handle can find it. */
typedef struct tgi_hook {
    struct tgi_hook *next;               /* owner's list, in registration order */
    struct tgi_hook *ctx_prev, *ctx_next; /* the ctx's list of live hooks */
    uint64_t id;
    int kind;
    uint32_t output_nr;
    void (*fn)(void); /* cast to the kind's signature */
    void *user;
    tg_tensor *tensor; /* RETAIN: the tensor (weak) */
    void *owner;       /* tg_tensor * or tg_node * */
    bool owner_is_node;
} tgi_hook;

struct tg_node {
    int64_t refcount;
    tg_ctx *ctx;
    uint64_t seq; /* creation order: the engine runs later nodes first */
    int op;       /* tgi_op */
    int n_next;   /* inputs: one edge (and one metadata entry) each */
    tgi_edge *next;
    tgi_meta *in_meta;
    int n_outputs;
    int n_saved;
    tgi_saved saved[TGI_MAX_SAVED];
    bool has_saved;   /* saved something (tensor or scalar operand) needed by backward */
    bool saved_freed; /* the saved values were released after a backward */
    tgi_args args;
    tg_tensor *variable; /* AccumulateGrad: the leaf (strong) */
    tgi_hook *hooks;     /* tensor hooks on its outputs, retain_grad, pre- and post-hooks */
    struct tg_function_ctx *custom; /* custom functions: the user's function and its ctx */
    struct tg_node *sub; /* CopySlices: the in-place op's own node (strong) */
    struct tg_tensor **fw_tan; /* forward AD: the inputs' tangents (strong; malloc'd, n_next) */
    bool fw_reverse;           /* forward AD: the node is also wanted by reverse mode */
    bool fw_inplace;           /* forward AD: recorded by an in-place op (edge 0: self's past) */
    void *extra;         /* malloc'd op data freed with the node (view geometry) */
    const char *loc_file; /* anomaly mode: where the forward op was called (TG_ANOMALY_LOCATIONS) */
    int loc_line;
    /* engine scratch */
    uint64_t visit_epoch;
    int64_t deps;
    uint8_t eflags; /* TGI_NEEDED / TGI_TARGET while the engine runs */
    tg_tensor **grad_bufs; /* one pending gradient per output (owned references) */
    tg_tensor **out_grads; /* during a multi-output node's backward: its outputs' gradients */
    struct tg_node *next_free;
    /* inline storage for the common case of <= TGI_MAX_INPUTS inputs and one output */
    tgi_edge next_inline[TGI_MAX_INPUTS];
    tgi_meta meta_inline[TGI_MAX_INPUTS];
    tg_tensor *grad_buf_inline;
};

/* ------------------------------------------------------------------------------------------ */
/* Context                                                                                     */
/* ------------------------------------------------------------------------------------------ */
#define TGI_SIZE_CLASSES 8 /* pooled storage blocks of 16 << k bytes: 16 .. 2048 */

typedef struct tgi_slab {
    struct tgi_slab *next;
} tgi_slab;

struct tg_ctx {
    tg_status err;
    char errmsg[TGI_ERRMSG_CAP];

    /* grad mode and inference mode */
    bool grad_enabled;
    bool inference;
    uint8_t *inf_stack; /* pushed (inference, grad_enabled) pairs, packed */
    int inf_depth, inf_cap;
    bool *grad_stack;
    int grad_depth, grad_cap;

    /* scopes: owned[] holds one reference per entry; frames[] are start indices */
    tg_tensor **owned;
    int64_t n_owned, cap_owned;
    int64_t *frames;
    int n_frames, cap_frames;
    tg_tensor **kept; /* references moved out of the current scope by tg_keep */
    int64_t n_kept, cap_kept;
    int scope_off; /* >0: results are returned as owned references, not put in a scope */

    /* allocator: free lists and slabs */
    tg_tensor *free_tensors;
    tg_node *free_nodes;
    tgi_storage *free_storages;
    void *free_blocks[TGI_SIZE_CLASSES];
    tgi_slab *slabs;
    tgi_storage storages; /* sentinel of the live list */
    tg_memstats stats;

    /* warnings (PyTorch's UserWarning texts) */
    void (*warn_fn)(const char *message, void *user);
    void *warn_user;
    tgi_hook hooks;       /* sentinel of the live-hook list */
    uint64_t next_hook_id;

    /* anomaly detection */
    bool anomaly, anomaly_check_nan;

    /* forward-mode AD: the current dual level (0: none) and its unique id */
    int fw_depth;
    uint64_t fw_level_id, fw_next_id;
    tg_node *fw_sink; /* the edge target of dual inputs that no reverse graph reaches */

    /* autograd */
    uint64_t next_seq;
    uint64_t epoch;

    /* rng (rng.c): PyTorch's CPUGeneratorImpl state. mt19937 words and how many of them are
     * used (624: twist before the next draw); the seed given; the cached r*sin half of the
     * last scalar Box-Muller pair (its next_double_normal_sample) */
    uint32_t mt[624];
    int mti;
    uint64_t seed;
    bool has_next_normal;
    double next_normal;
};

/* ------------------------------------------------------------------------------------------ */
/* Errors (error.c)                                                                            */
/* ------------------------------------------------------------------------------------------ */
TGI_HIDDEN tg_status tgi_error(tg_ctx *ctx, tg_status code, const char *fmt, ...) TGI_PRINTF(3, 4);
/* NULL input: keep the error that produced it, else record TG_ERR_NULL_ARG. */
TGI_HIDDEN tg_status tgi_null_arg(tg_ctx *ctx, const char *fn, const char *arg);
/* Reports a warning through the ctx's handler (stderr "UserWarning: ..." by default). */
TGI_HIDDEN void tgi_warn(tg_ctx *ctx, const char *fmt, ...) TGI_PRINTF(2, 3);

/* ------------------------------------------------------------------------------------------ */
/* Allocation (ctx.c, storage.c, tensor.c)                                                     */
/* ------------------------------------------------------------------------------------------ */
TGI_HIDDEN void *tgi_slab_alloc(tg_ctx *ctx, size_t size);
TGI_HIDDEN tgi_storage *tgi_storage_new(tg_ctx *ctx, size_t nbytes);
/* A storage sharing owner's bytes with a version counter of its own (t.data); it keeps the
 * owner alive. */
TGI_HIDDEN tgi_storage *tgi_storage_alias(tg_ctx *ctx, tgi_storage *owner);
TGI_HIDDEN void tgi_storage_release(tg_ctx *ctx, tgi_storage *s);
/* Raw tensor with a fresh, uninitialised contiguous storage; refcount 1, not in a scope. */
TGI_HIDDEN tg_tensor *tgi_empty(tg_ctx *ctx, const int64_t *shape, int ndim, tg_dtype dtype);
/* A new tensor header viewing t's storage with the given geometry; refcount 1. */
TGI_HIDDEN tg_tensor *tgi_alias(const tg_tensor *t, const int64_t *shape, const int64_t *strides,
                                int ndim, int64_t offset);
TGI_HIDDEN void tgi_tensor_decref(tg_tensor *t);
TGI_HIDDEN void tgi_node_decref(tg_node *n);
/* Hands an owned reference to the current scope (or back to the caller when scope_off). */
TGI_HIDDEN tg_tensor *tgi_own(tg_tensor *t);
TGI_HIDDEN void tgi_compute_contiguous(tg_tensor *t);
TGI_HIDDEN tg_node *tgi_node_new(tg_ctx *ctx, int op);
/* Sizes a node for n_in inputs and n_out outputs (allocating beyond the inline storage). */
TGI_HIDDEN tg_status tgi_node_reserve(tg_node *n, int n_in, int n_out);
TGI_HIDDEN void tgi_node_release_saved(tg_node *n);
/* Frees every hook of an owner's list (the owner is dying). */
TGI_HIDDEN void tgi_hooks_free(tg_ctx *ctx, tgi_hook *list);
/* A dying tensor that retains grad detaches its retain hook from its grad_fn. */
TGI_HIDDEN void tgi_retain_forget(tg_tensor *t);
/* Custom functions (src/autograd/function.c): the node's name and its ctx's release. */
TGI_HIDDEN const char *tgi_custom_name(const tg_node *n);
TGI_HIDDEN void tgi_custom_free(struct tg_function_ctx *f);
/* Anomaly mode (src/autograd/anomaly.c): the location set by the public macros, and the warning
 * naming where a failing node's forward op was called. */
TGI_HIDDEN void tgi_location(const char **file, int *line);
TGI_HIDDEN void tgi_anomaly_report(tg_node *n);
/* An in-place op recorded as node n on a view: PyTorch's CopySlices rebase of the view's base
 * (src/autograd/copyslices.c). */
TGI_HIDDEN tg_status tgi_copy_slices(tg_tensor *view, tg_node *n);
/* Forward AD (src/autograd/forward_ad.c). */
static inline bool tgi_is_dual(const tg_tensor *t) {
    return t->fw_tangent && t->fw_level == t->ctx->fw_level_id && t->ctx->fw_depth > 0;
}
TGI_HIDDEN tg_status tgi_fw_resolve(tg_tensor *t);

static inline void *tgi_data(const tg_tensor *t) { return t->storage->data; }
static inline size_t tgi_dtype_size(tg_dtype d) {
    return d == TG_FLOAT64 || d == TG_INT64 ? 8 : (d == TG_FLOAT32 ? 4 : 1);
}
static inline bool tgi_is_floating(tg_dtype d) { return d == TG_FLOAT32 || d == TG_FLOAT64; }
static inline bool tgi_requires_grad(const tg_tensor *t) {
    return t->requires_grad || t->grad_fn != NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Shapes (shape.c)                                                                            */
/* ------------------------------------------------------------------------------------------ */
TGI_HIDDEN tg_status tgi_check_shape(tg_ctx *ctx, const char *fn, const int64_t *shape, int ndim,
                                     int64_t *numel);
TGI_HIDDEN tg_status tgi_broadcast_shapes(tg_ctx *ctx, const char *fn, const int64_t *a, int na,
                                          const int64_t *b, int nb, int64_t *out, int *nout);
/* Wraps a possibly negative dim into [0, ndim); PyTorch's IndexError text otherwise. */
TGI_HIDDEN tg_status tgi_wrap_dim(tg_ctx *ctx, const char *fn, int64_t dim, int ndim,
                                  int64_t *out);
TGI_HIDDEN tg_status tgi_dims_to_mask(tg_ctx *ctx, const char *fn, const int64_t *dims, int ndims,
                                      int ndim, uint32_t *mask);
TGI_HIDDEN void tgi_contiguous_strides(const int64_t *shape, int ndim, int64_t *strides);
/* "[2, 3]" */
TGI_HIDDEN int tgi_fmt_shape(char *buf, size_t cap, const int64_t *shape, int ndim);
TGI_HIDDEN bool tgi_same_shape(const int64_t *a, int na, const int64_t *b, int nb);

/* ------------------------------------------------------------------------------------------ */
/* dtype (dtype.c)                                                                             */
/* ------------------------------------------------------------------------------------------ */
TGI_HIDDEN tg_dtype tgi_result_type(const tg_tensor *a, const tg_tensor *b);
TGI_HIDDEN tg_dtype tgi_result_type_scalar(const tg_tensor *a, double s);
TGI_HIDDEN bool tgi_can_cast(tg_dtype from, tg_dtype to);
TGI_HIDDEN const char *tgi_dtype_cname(tg_dtype d);   /* "Float", "Double", "Long", "Bool" */
TGI_HIDDEN const char *tgi_dtype_legacy(tg_dtype d);  /* "torch.FloatTensor" */
TGI_HIDDEN const char *tgi_dtype_short(tg_dtype d);   /* "float", "double", "long int", "bool" */
static inline double tgi_load(const void *base, tg_dtype d, int64_t i) {
    switch (d) {
    case TG_FLOAT32: return ((const float *)base)[i];
    case TG_FLOAT64: return ((const double *)base)[i];
    case TG_INT64: return (double)((const int64_t *)base)[i];
    default: return ((const bool *)base)[i] ? 1.0 : 0.0;
    }
}
TGI_HIDDEN void tgi_store(void *base, tg_dtype d, int64_t i, double v);

/* ------------------------------------------------------------------------------------------ */
/* Scopes / grad mode helpers                                                                  */
/* ------------------------------------------------------------------------------------------ */
static inline bool tgi_grad_mode(const tg_ctx *ctx) { return ctx->grad_enabled; }
TGI_HIDDEN tg_status tgi_grad_push(tg_ctx *ctx, bool enabled);
TGI_HIDDEN void tgi_grad_pop(tg_ctx *ctx);

/* ------------------------------------------------------------------------------------------ */
/* RNG (rng.c)                                                                                 */
/* ------------------------------------------------------------------------------------------ */
TGI_HIDDEN void tgi_rng_seed(tg_ctx *ctx, uint64_t seed);
TGI_HIDDEN void tgi_fill_rand(tg_ctx *ctx, tg_tensor *t);
TGI_HIDDEN void tgi_fill_randn(tg_ctx *ctx, tg_tensor *t);
/* Raw draws from the ctx's mt19937, in PyTorch's order, for random ops (dropout, bernoulli,
 * randint): one tempered 32-bit word; a 64-bit value from two words, the first drawn being
 * the high half; uniforms on [0, 1) from the low 24 / 53 bits of one 32- / 64-bit draw
 * (at::uniform_real_distribution<float / double>(0, 1)). */
TGI_HIDDEN uint32_t tgi_random_u32(tg_ctx *ctx);
TGI_HIDDEN uint64_t tgi_random_u64(tg_ctx *ctx);
TGI_HIDDEN float tgi_uniform_f32(tg_ctx *ctx);
TGI_HIDDEN double tgi_uniform_f64(tg_ctx *ctx);

/* ------------------------------------------------------------------------------------------ */
/* Printing (print.c)                                                                          */
/* ------------------------------------------------------------------------------------------ */
/* repr(t) under torch.set_printoptions(precision, threshold, edgeitems, linewidth, sci_mode):
 * threshold < 0 means inf, edgeitems < 1 is taken as 1, sci_mode -1 is None (automatic),
 * 0 False, 1 True. Same contract as tg_tensor_repr. */
TGI_HIDDEN size_t tgi_tensor_repr_opts(const tg_tensor *t, char *buf, size_t cap, int precision,
                                       int64_t threshold, int edgeitems, int linewidth,
                                       int sci_mode);

/* RNG additions for the random op family (rng.c). */
/* Normal samples with mean and std for normal_ (src/ops/random.c): one scalar Box-Muller
 * sample (at::normal_distribution<double>, sharing torch.randn's cached value) as
 * fma(sample, std, mean); and the block fill normal_kernel uses for n >= 16 contiguous
 * float32 / float64 elements at data. */
TGI_HIDDEN double tgi_normal_double(tg_ctx *ctx, double mean, double std);
TGI_HIDDEN void tgi_normal_fill(tg_ctx *ctx, void *data, int64_t n, tg_dtype dtype, double mean,
                                double std);

#endif /* TG_INTERNAL_H */
