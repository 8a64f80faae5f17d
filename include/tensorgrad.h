/*
 * tensorgrad.h — PyTorch's autograd as a small C11 library. The only public header.
 *
 * A 20-line tour (the tutorial's first cells):
 *
 *     tg_ctx *ctx = tg_ctx_new();
 *     tg_tensor *x = tg_tensor_parse(ctx, "[[1, 3], [2, 2]]", TG_FLOAT32);
 *     tg_requires_grad_(x, true);
 *     tg_tensor *y = tg_add_scalar(x, 2);               // grad_fn=<AddBackward0>
 *     tg_tensor *z = tg_mul_scalar(tg_mul(y, y), 3);    // grad_fn=<MulBackward0>
 *     tg_tensor *out = tg_mean(z);                      // tensor(49.5000, grad_fn=<MeanBackward0>)
 *     tg_backward(out, NULL);
 *     tg_print(tg_tensor_grad(x));                      // tensor([[4.5000, 7.5000],
 *                                                       //         [6.0000, 6.0000]])
 *     if (tg_errcode(ctx)) fprintf(stderr, "%s\n", tg_errmsg(ctx));
 *     tg_ctx_free(ctx);                                 // frees every tensor it owns
 *
 * Ownership in one paragraph: every tensor a call returns belongs to the innermost open scope of
 * its context (tg_scope_begin/tg_scope_end), or to the context's root scope when none is open.
 * Arguments are borrowed. Accessors return borrowed pointers, valid while their owner lives.
 * tg_keep(t) moves a result out to the enclosing scope; tg_retain/tg_release add and drop
 * references of your own. So chained calls like tg_mean(tg_mul(y, y)) leak nothing.
 *
 * Errors in one paragraph: calls that make a tensor return NULL on failure; calls that act return
 * a tg_status. The context keeps the code and a message (tg_errcode, tg_errmsg). Ops given a NULL
 * input return NULL and keep the error that produced it, so a chain can be checked once at the
 * end. Nothing a caller does aborts the process. See docs/errors.md.
 */
#ifndef TENSORGRAD_H
#define TENSORGRAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(TG_NO_VISIBILITY)
#define TG_API __attribute__((visibility("default")))
#else
#define TG_API
#endif

#define TG_VERSION_MAJOR 0
#define TG_VERSION_MINOR 1
#define TG_VERSION_PATCH 0

/** The most dimensions a tensor may have. */
#define TG_MAX_DIMS 8

typedef struct tg_ctx tg_ctx;
typedef struct tg_tensor tg_tensor;
typedef struct tg_node tg_node;

/** Element types. TG_FLOAT32 is the default, as torch.float32 is in PyTorch. */
typedef enum tg_dtype {
    TG_FLOAT32 = 0,
    TG_FLOAT64 = 1,
    TG_INT64 = 2,
    TG_BOOL = 3
} tg_dtype;

/** Error codes. TG_OK is 0; every other value is a failure kept on the ctx with a message. */
typedef enum tg_status {
    TG_OK = 0,
    TG_ERR_NULL_ARG,   /* a required pointer argument was NULL */
    TG_ERR_INVALID_ARG,/* an argument is out of its documented range */
    TG_ERR_OOM,        /* memory could not be allocated */
    TG_ERR_SHAPE,      /* shapes do not match / cannot broadcast / sizes overflow */
    TG_ERR_DTYPE,      /* an operation is not defined for this dtype */
    TG_ERR_INDEX,      /* a dimension or index out of range (PyTorch's IndexError) */
    TG_ERR_PARSE,      /* a tensor literal could not be parsed */
    TG_ERR_AUTOGRAD,   /* requires_grad rules, backward, in-place/version checks */
    TG_ERR_SCOPE       /* scope stack misuse (tg_scope_end without tg_scope_begin) */
} tg_status;

/* ---------------------------------------------------------------------------------------------
 * Context: allocator, RNG, grad mode, scopes and the last error. Use one ctx from one thread at a
 * time.
 * ------------------------------------------------------------------------------------------- */

/** Creates a context. Returns NULL only when memory is exhausted. Free with tg_ctx_free. */
TG_API tg_ctx *tg_ctx_new(void);
/** Frees the context and every tensor, storage and graph node it owns. NULL is a no-op. */
TG_API void tg_ctx_free(tg_ctx *ctx);

/** The code of the last failure on ctx (TG_OK if none since creation or tg_clear_error). */
TG_API tg_status tg_errcode(const tg_ctx *ctx);
/** Its message, e.g. "tg_mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"; "" if none.
 *  Borrowed; valid until the next failing call on ctx. */
TG_API const char *tg_errmsg(const tg_ctx *ctx);
/** Forgets the last error. */
TG_API void tg_clear_error(tg_ctx *ctx);
/** The context a tensor belongs to (borrowed); NULL for NULL. */
TG_API tg_ctx *tg_tensor_ctx(const tg_tensor *t);

/** Warnings PyTorch gives as UserWarning (e.g. reading .grad of a non-leaf) go to a handler;
 *  the default (fn NULL) prints "UserWarning: <message>" to stderr. */
typedef void (*tg_warning_fn)(const char *message, void *user);
TG_API void tg_set_warning_handler(tg_ctx *ctx, tg_warning_fn fn, void *user);

/** Seeds the ctx's random generator (torch.manual_seed). */
TG_API void tg_manual_seed(tg_ctx *ctx, uint64_t seed);

/** Live object counts, for leak tests: tensors, storages and graph nodes still allocated. */
typedef struct tg_memstats {
    int64_t tensors;
    int64_t storages;
    int64_t nodes;
    int64_t storage_bytes;
    int64_t peak_storage_bytes; /* high-water mark since creation or tg_ctx_reset_peak */
} tg_memstats;
TG_API tg_memstats tg_ctx_memstats(const tg_ctx *ctx);
/** Restarts peak_storage_bytes from the current storage_bytes. */
TG_API void tg_ctx_reset_peak(tg_ctx *ctx);

/* ---------------------------------------------------------------------------------------------
 * Scopes and references
 * ------------------------------------------------------------------------------------------- */

/** Opens a scope: tensors returned from now on belong to it. Returns TG_ERR_OOM on failure. */
TG_API tg_status tg_scope_begin(tg_ctx *ctx);
/** Closes the innermost scope and drops its references (plus moves tg_keep'd tensors out).
 *  TG_ERR_SCOPE when no scope is open. */
TG_API tg_status tg_scope_end(tg_ctx *ctx);
/** Moves a reference to t to the scope enclosing the current one (to the root scope if the
 *  current one is the root). Returns t; NULL passes through. */
TG_API tg_tensor *tg_keep(tg_tensor *t);
/** Takes a reference of your own; drop it with tg_release. Returns t. */
TG_API tg_tensor *tg_retain(tg_tensor *t);
/** Drops a reference taken with tg_retain. NULL is a no-op. */
TG_API void tg_release(tg_tensor *t);

/* ---------------------------------------------------------------------------------------------
 * Creation. shape points to ndim sizes (ndim 0 makes a 0-d tensor; shape may then be NULL).
 * Errors: TG_ERR_SHAPE for negative sizes or an element count that overflows,
 * TG_ERR_INVALID_ARG for ndim > TG_MAX_DIMS, TG_ERR_OOM.
 * ------------------------------------------------------------------------------------------- */

/** Copies numel elements of dtype's C type (float, double, int64_t, bool) from data. */
TG_API tg_tensor *tg_tensor_new(tg_ctx *ctx, const void *data, const int64_t *shape, int ndim,
                                tg_dtype dtype);
/** Parses a PyTorch-style literal: "[[1, 3], [2, 2]]", "3.5", "[True, False]", "[]".
 *  Ints, floats (1e-3, -2., inf, nan) and True/False; the values are converted to dtype.
 *  TG_ERR_PARSE with the position for malformed or ragged input. */
TG_API tg_tensor *tg_tensor_parse(tg_ctx *ctx, const char *literal, tg_dtype dtype);
/** A 0-d tensor holding value. */
TG_API tg_tensor *tg_scalar(tg_ctx *ctx, double value, tg_dtype dtype);
TG_API tg_tensor *tg_zeros(tg_ctx *ctx, const int64_t *shape, int ndim, tg_dtype dtype);
TG_API tg_tensor *tg_ones(tg_ctx *ctx, const int64_t *shape, int ndim, tg_dtype dtype);
TG_API tg_tensor *tg_full(tg_ctx *ctx, const int64_t *shape, int ndim, double value,
                          tg_dtype dtype);
/** Same shape and dtype as t; never requires grad. */
TG_API tg_tensor *tg_zeros_like(const tg_tensor *t);
TG_API tg_tensor *tg_ones_like(const tg_tensor *t);
/** torch.arange(start, end, step, dtype=dtype): ceil((end - start) / step) elements.
 *  TG_ERR_INVALID_ARG for step 0 or a step whose sign disagrees with end - start. */
TG_API tg_tensor *tg_arange(tg_ctx *ctx, double start, double end, double step, tg_dtype dtype);
/** Uniform on [0, 1) and standard normal samples from the ctx's generator (floating dtypes only).
 *  They follow PyTorch's CPU algorithms: after tg_manual_seed(ctx, s) they give the numbers
 *  torch.manual_seed(s); torch.rand/randn(...) gives. */
TG_API tg_tensor *tg_rand(tg_ctx *ctx, const int64_t *shape, int ndim, tg_dtype dtype);
TG_API tg_tensor *tg_randn(tg_ctx *ctx, const int64_t *shape, int ndim, tg_dtype dtype);

/** C convenience: TG_SHAPE(2, 3) expands to `(const int64_t[]){2, 3}, 2` (C only). */
#define TG_SHAPE(...)                                                                          \
    (const int64_t[]){__VA_ARGS__},                                                            \
        (int)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

/* ---------------------------------------------------------------------------------------------
 * Accessors (t must not be NULL unless stated; NULL gives 0/NULL/false)
 * ------------------------------------------------------------------------------------------- */

TG_API int tg_tensor_ndim(const tg_tensor *t);
/** Borrowed pointer to ndim sizes. */
TG_API const int64_t *tg_tensor_shape(const tg_tensor *t);
/** Size of dim (negative dims count from the end); -1 and TG_ERR_INDEX if out of range. */
TG_API int64_t tg_tensor_size(const tg_tensor *t, int dim);
/** Borrowed pointer to ndim strides, in elements. */
TG_API const int64_t *tg_tensor_strides(const tg_tensor *t);
TG_API int64_t tg_tensor_numel(const tg_tensor *t);
TG_API tg_dtype tg_tensor_dtype(const tg_tensor *t);
TG_API bool tg_tensor_is_contiguous(const tg_tensor *t);
/** The single element as a double. TG_ERR_INVALID_ARG (PyTorch's message) unless numel == 1;
 *  then *out is untouched. */
TG_API tg_status tg_item(const tg_tensor *t, double *out);
/** Copies the elements in row-major order as dtype's C type into out (cap bytes).
 *  TG_ERR_INVALID_ARG if cap is too small. */
TG_API tg_status tg_tensor_copy_out(const tg_tensor *t, void *out, size_t cap);
/** Element at a flat row-major index, converted to double (no error checking beyond bounds). */
TG_API double tg_tensor_get(const tg_tensor *t, int64_t flat_index);
/** Version counter (t._version): bumped by every in-place op on t or a tensor sharing it.
 *  Inference tensors have none: -1 and TG_ERR_AUTOGRAD (PyTorch's message). */
TG_API int64_t tg_tensor_version(const tg_tensor *t);

TG_API const char *tg_dtype_name(tg_dtype dtype); /* "torch.float32" */

/* ---------------------------------------------------------------------------------------------
 * Printing: byte for byte what PyTorch's repr() prints (precision 4, linewidth 80, threshold
 * 1000, edgeitems 3).
 * ------------------------------------------------------------------------------------------- */

/** Writes repr(t) into buf (always NUL-terminated when cap > 0) and returns the full length, as
 *  snprintf does. NULL t writes "NULL". */
TG_API size_t tg_tensor_repr(const tg_tensor *t, char *buf, size_t cap);
/** repr(t) as a new malloc'd string (free it with free()); NULL when out of memory. */
TG_API char *tg_tensor_str(const tg_tensor *t);
/** Prints repr(t) and a newline to stdout / to f. */
TG_API void tg_print(const tg_tensor *t);
TG_API void tg_fprint(FILE *f, const tg_tensor *t);
/** "torch.Size([2, 2])" into buf; returns the full length. */
TG_API size_t tg_tensor_size_repr(const tg_tensor *t, char *buf, size_t cap);

/* ---------------------------------------------------------------------------------------------
 * Autograd state
 * ------------------------------------------------------------------------------------------- */

TG_API bool tg_tensor_requires_grad(const tg_tensor *t);
/** A leaf has no grad_fn (every tensor with requires_grad false is a leaf). */
TG_API bool tg_tensor_is_leaf(const tg_tensor *t);
/** t.requires_grad_(requires_grad). Errors (TG_ERR_AUTOGRAD, PyTorch's messages): a non-floating
 *  dtype; requires_grad false on a non-leaf. true on a non-leaf is a no-op, as in PyTorch. */
TG_API tg_status tg_requires_grad_(tg_tensor *t, bool requires_grad);
/** t.grad: borrowed, NULL until a backward reaches t (and for non-leaves). */
TG_API tg_tensor *tg_tensor_grad(const tg_tensor *t);
/** t.grad = g (NULL clears it). g must have t's shape and dtype (PyTorch's messages). The grad
 *  keeps its own reference to g. */
TG_API tg_status tg_tensor_set_grad(tg_tensor *t, tg_tensor *g);
/** Sets t.grad to NULL, as optimizer.zero_grad() does in PyTorch 2.x (set_to_none=True). */
TG_API void tg_zero_grad(tg_tensor *t);
/** t.grad_fn: borrowed, NULL for leaves. */
TG_API tg_node *tg_tensor_grad_fn(const tg_tensor *t);
/** The node's class name as PyTorch 2.x names it: "AddBackward0", "MmBackward0", ... */
TG_API const char *tg_node_name(const tg_node *node);
/** "<AddBackward0 object at 0x55d1c3e0a2b0>" into buf; returns the full length. */
TG_API size_t tg_node_repr(const tg_node *node, char *buf, size_t cap);

/** Backward options (tensor.backward's keywords). Zero-initialise for the defaults. */
typedef struct tg_backward_opts {
    bool retain_graph; /* keep saved tensors so the graph can be backpropagated again; implied by
                          create_graph (PyTorch's default retain_graph=None) */
    bool create_graph; /* record the backward pass, so gradients can be differentiated again;
                          .grad is then replaced by .grad + new instead of updated in place, and
                          PyTorch's reference-cycle UserWarning is reported */
} tg_backward_opts;

/** t.backward(gradient): accumulates d(t)/d(leaf)^T . gradient into every reachable leaf's .grad.
 *  gradient NULL is only allowed when t has one element (PyTorch's "grad can be implicitly created
 *  only for scalar outputs"); otherwise it must have t's shape (its dtype is cast to t's). Saved
 *  tensors are freed afterwards; a second backward through a node that needed them fails with
 *  PyTorch's "Trying to backward through the graph a second time ..." message. */
TG_API tg_status tg_backward(tg_tensor *t, const tg_tensor *gradient);
TG_API tg_status tg_backward_ex(tg_tensor *t, const tg_tensor *gradient,
                                const tg_backward_opts *opts);

/** torch.autograd.grad options. Zero-initialise for the defaults. */
typedef struct tg_grad_opts {
    bool retain_graph;      /* implied by create_graph */
    bool create_graph;      /* the returned gradients have a graph of their own */
    bool allow_unused;      /* an input the outputs do not depend on gets NULL (else an error) */
    bool materialize_grads; /* such an input gets zeros instead of NULL (implies allow_unused) */
} tg_grad_opts;

/** torch.autograd.grad(outputs, inputs, grad_outputs): writes d(sum_k outputs[k] . v_k)/d inputs[i]
 *  into grads[i] (owned by the current scope) without touching any .grad. grad_outputs may be
 *  NULL, or hold NULL entries, for one-element outputs. Inputs may be leaves or not (even an
 *  output). Errors (TG_ERR_AUTOGRAD, PyTorch's messages): an input that does not require grad;
 *  an unused input without allow_unused; the checks of tg_backward on each output. On error
 *  grads[] are all NULL. */
TG_API tg_status tg_autograd_grad(tg_tensor *const *outputs, int n_outputs,
                                  tg_tensor *const *inputs, int n_inputs,
                                  tg_tensor *const *grad_outputs, const tg_grad_opts *opts,
                                  tg_tensor **grads);

/* ---------------------------------------------------------------------------------------------
 * Hooks. Each register call returns a handle (> 0; 0 on failure with the error on the ctx) that
 * tg_remove_hook takes; a hook also goes away with the tensor or node it is attached to.
 * Order during backward, as PyTorch: tensor hooks, node pre-hooks, retain_grad, the node, node
 * post-hooks; for a leaf: tensor hooks, accumulation into .grad, post-accumulate hooks.
 * ------------------------------------------------------------------------------------------- */

/** A tensor hook sees the gradient of its tensor and may replace it: return NULL to keep it, or
 *  a tensor of the same shape (e.g. an op result; it belongs to the engine's scope). */
typedef tg_tensor *(*tg_tensor_hook_fn)(tg_tensor *grad, void *user);
/** t.register_hook(fn). TG_ERR_AUTOGRAD "cannot register a hook on a tensor that doesn't
 *  require gradient". A hook on a non-leaf stays with the grad_fn t had when it was registered
 *  (as PyTorch: an in-place op later does not move it). A replacement of another shape fails
 *  the backward with "hook has changed the size of value". */
TG_API uint64_t tg_register_hook(tg_tensor *t, tg_tensor_hook_fn fn, void *user);
/** Runs after a leaf's .grad was accumulated, with the leaf (PyTorch 2.1+
 *  register_post_accumulate_grad_hook); in no-grad mode unless create_graph. Errors: non-leaf
 *  "post accumulate grad hooks cannot be registered on non-leaf tensors", and the
 *  requires_grad one above. */
typedef void (*tg_post_accumulate_hook_fn)(tg_tensor *param, void *user);
TG_API uint64_t tg_register_post_accumulate_grad_hook(tg_tensor *t, tg_post_accumulate_hook_fn fn,
                                                      void *user);
/** t.retain_grad(): a non-leaf's .grad is filled in (after all its tensor hooks) and accumulates
 *  like a leaf's. A no-op on leaves. TG_ERR_AUTOGRAD "can't retain_grad on Tensor that has
 *  requires_grad=False". */
TG_API tg_status tg_retain_grad(tg_tensor *t);
/** t.retains_grad */
TG_API bool tg_tensor_retains_grad(const tg_tensor *t);
/** Node pre-hook: sees the gradients of the node's outputs (entries may be NULL) and may replace
 *  entries with tensors of the same shape. */
typedef void (*tg_node_pre_hook_fn)(tg_node *node, tg_tensor **grad_outputs, int n_outputs,
                                    void *user);
/** Node post-hook: sees the gradients the node computed for its inputs (entries NULL where an
 *  input needs none; may be replaced) and its output gradients. */
typedef void (*tg_node_post_hook_fn)(tg_node *node, tg_tensor **grad_inputs, int n_inputs,
                                     tg_tensor *const *grad_outputs, int n_outputs, void *user);
TG_API uint64_t tg_node_register_prehook(tg_node *node, tg_node_pre_hook_fn fn, void *user);
TG_API uint64_t tg_node_register_hook(tg_node *node, tg_node_post_hook_fn fn, void *user);
/** Removes a hook by handle. TG_ERR_INVALID_ARG if no live hook has it (already removed, or
 *  its tensor/node is gone). */
TG_API tg_status tg_remove_hook(tg_ctx *ctx, uint64_t handle);
/** The number of inputs (next_functions) and outputs of a node. */
TG_API int tg_node_num_inputs(const tg_node *node);
TG_API int tg_node_num_outputs(const tg_node *node);
/** node.next_functions[i]: the node feeding input i (borrowed; NULL where the input needs no
 *  gradient) and, in *input_nr, which of that node's outputs it is. */
TG_API tg_node *tg_node_next_function(const tg_node *node, int i, int *input_nr);

/* ---------------------------------------------------------------------------------------------
 * Custom functions: the C counterpart of torch.autograd.Function. See examples/custom_function.c.
 * ------------------------------------------------------------------------------------------- */

typedef struct tg_function_ctx tg_function_ctx;

typedef struct tg_function {
    /** The node prints as <{name}Backward>, e.g. "MyExp" gives MyExpBackward. */
    const char *name;
    /** Number of outputs (0 means 1). */
    int n_outputs;
    /** forward(ctx, *inputs): runs with grad mode off; writes n_outputs tensors into outputs
     *  (new tensors, or an input it modified in place and marked dirty). Return TG_OK or an
     *  error code (with the message set on the tensors' ctx). */
    tg_status (*forward)(tg_function_ctx *fctx, tg_tensor *const *inputs, int n_inputs,
                         tg_tensor **outputs, void *user);
    /** backward(ctx, *grad_outputs): writes one gradient per input into grad_inputs (NULL for
     *  "None": no gradient). Use differentiable tg_* ops and the result can be differentiated
     *  again. NULL: backward through the function fails with PyTorch's NotImplementedError text. */
    tg_status (*backward)(tg_function_ctx *fctx, tg_tensor *const *grad_outputs, int n_outputs,
                          tg_tensor **grad_inputs, int n_inputs, void *user);
    /** @once_differentiable: backward runs without recording; differentiating its result again
     *  fails with "trying to differentiate twice a function that was marked with
     *  @once_differentiable". */
    bool once_differentiable;
} tg_function;

/** Fn.apply(*inputs): runs forward and, when grad mode is on and an input requires grad, records
 *  one node for it. outputs receives n_outputs tensors owned by the current scope. user is
 *  passed to forward and backward (it must outlive the graph). */
TG_API tg_status tg_function_apply(const tg_function *fn, tg_tensor *const *inputs, int n_inputs,
                                   void *user, tg_tensor **outputs);
/** ctx.save_for_backward(*tensors), in forward (at most 8). */
TG_API tg_status tg_function_save_for_backward(tg_function_ctx *fctx, tg_tensor *const *tensors,
                                               int n);
/** ctx.saved_tensors[i], in backward: NULL with PyTorch's errors once freed by a backward
 *  without retain_graph, or when the tensor was modified in place since it was saved. */
TG_API tg_tensor *tg_function_saved_tensor(tg_function_ctx *fctx, int i);
/** ctx.needs_input_grad[i] */
TG_API bool tg_function_needs_input_grad(const tg_function_ctx *fctx, int i);
/** ctx.mark_dirty(t): forward modified input t in place (and returns it). */
TG_API tg_status tg_function_mark_dirty(tg_function_ctx *fctx, tg_tensor *t);
/** ctx.mark_non_differentiable(t): output t does not require grad; its gradient in backward is
 *  zeros (or NULL after tg_function_set_materialize_grads(fctx, false)). */
TG_API tg_status tg_function_mark_non_differentiable(tg_function_ctx *fctx, tg_tensor *t);
/** ctx.set_materialize_grads(value): whether missing output gradients become zeros (default). */
TG_API void tg_function_set_materialize_grads(tg_function_ctx *fctx, bool value);

/** Grad modes (torch.no_grad / enable_grad / set_grad_enabled), per ctx and nestable:
 *  tg_no_grad and tg_enable_grad push a mode, tg_grad_mode_pop restores the previous one. */
TG_API tg_status tg_no_grad(tg_ctx *ctx);
TG_API tg_status tg_enable_grad(tg_ctx *ctx);
/** Pops the mode pushed last. TG_ERR_SCOPE if nothing was pushed. */
TG_API tg_status tg_grad_mode_pop(tg_ctx *ctx);
/** Sets the current mode in place (torch.set_grad_enabled(mode) called as a function). */
TG_API void tg_set_grad_enabled(tg_ctx *ctx, bool enabled);
TG_API bool tg_is_grad_enabled(const tg_ctx *ctx);

/** torch.inference_mode(enabled): pushes a mode in which grad mode is off and new tensors are
 *  inference tensors — they have no version counter and may not be saved for backward, changed
 *  in place or set to require grad outside inference mode (PyTorch's messages).
 *  tg_inference_mode_pop restores the previous modes; TG_ERR_SCOPE if nothing was pushed. */
TG_API tg_status tg_inference_mode(tg_ctx *ctx, bool enabled);
TG_API tg_status tg_inference_mode_pop(tg_ctx *ctx);
TG_API bool tg_is_inference_mode_enabled(const tg_ctx *ctx);
/** t.is_inference() */
TG_API bool tg_tensor_is_inference(const tg_tensor *t);

/** torch.autograd.set_detect_anomaly(enabled, check_nan): in this mode each node remembers where
 *  its forward op was called, a node failing in backward is reported through the warning
 *  handler ("Error detected in SqrtBackward0. Traceback of forward call that caused the error:"
 *  and the file and line), and with check_nan a node returning NaN fails the backward with
 *  PyTorch's "Function 'SqrtBackward0' returned nan values in its 0th output.". Enabling it warns
 *  as PyTorch does. File and line are recorded when the caller defines TG_ANOMALY_LOCATIONS
 *  before including this header (the op macros at its end pass __FILE__ and __LINE__), or calls
 *  tg_set_location itself. */
TG_API void tg_set_detect_anomaly(tg_ctx *ctx, bool enabled, bool check_nan);
TG_API bool tg_is_anomaly_enabled(const tg_ctx *ctx);
/** Sets the calling thread's current source location (used by the TG_ANOMALY_LOCATIONS macros). */
TG_API void tg_set_location(const char *file, int line);

/** t.detach(): a leaf that shares t's storage and version counter and never requires grad. */
TG_API tg_tensor *tg_detach(const tg_tensor *t);
/** t.detach_(): makes t a leaf that does not require grad. PyTorch's error for views. */
TG_API tg_status tg_detach_(tg_tensor *t);
/** t.data: shares storage but has its own version counter, so in-place changes through it are
 *  invisible to autograd's correctness check (as in PyTorch: use with care). */
TG_API tg_tensor *tg_tensor_data(const tg_tensor *t);

/* ---------------------------------------------------------------------------------------------
 * Ops. Inputs are borrowed; results are new tensors owned by the current scope. Binary ops
 * broadcast and promote dtypes as PyTorch does. A "scalar" argument is a Python number: it does
 * not change a floating tensor's dtype, and turns an integer tensor into float32 when fractional
 * ops need it (as torch does with 2.5).
 * ------------------------------------------------------------------------------------------- */

TG_API tg_tensor *tg_add(const tg_tensor *a, const tg_tensor *b);       /* a + b */
TG_API tg_tensor *tg_sub(const tg_tensor *a, const tg_tensor *b);       /* a - b */
TG_API tg_tensor *tg_mul(const tg_tensor *a, const tg_tensor *b);       /* a * b */
TG_API tg_tensor *tg_div(const tg_tensor *a, const tg_tensor *b);       /* a / b (true division) */
TG_API tg_tensor *tg_pow(const tg_tensor *a, const tg_tensor *b);       /* a ** b (PowBackward1) */
TG_API tg_tensor *tg_add_scalar(const tg_tensor *a, double s);          /* a + s */
TG_API tg_tensor *tg_sub_scalar(const tg_tensor *a, double s);          /* a - s */
TG_API tg_tensor *tg_rsub_scalar(const tg_tensor *a, double s);         /* s - a (RsubBackward1) */
TG_API tg_tensor *tg_mul_scalar(const tg_tensor *a, double s);          /* a * s and s * a */
TG_API tg_tensor *tg_div_scalar(const tg_tensor *a, double s);          /* a / s */
TG_API tg_tensor *tg_rdiv_scalar(const tg_tensor *a, double s);         /* s / a */
TG_API tg_tensor *tg_pow_scalar(const tg_tensor *a, double exponent);   /* a ** e (PowBackward0) */
TG_API tg_tensor *tg_rpow_scalar(const tg_tensor *a, double base);      /* b ** a (PowBackward2) */
TG_API tg_tensor *tg_neg(const tg_tensor *a);
TG_API tg_tensor *tg_exp(const tg_tensor *a);
TG_API tg_tensor *tg_log(const tg_tensor *a);
TG_API tg_tensor *tg_sqrt(const tg_tensor *a);
TG_API tg_tensor *tg_abs(const tg_tensor *a);

/* Comparisons: bool results, never require grad. */
TG_API tg_tensor *tg_eq(const tg_tensor *a, const tg_tensor *b);
TG_API tg_tensor *tg_ne(const tg_tensor *a, const tg_tensor *b);
TG_API tg_tensor *tg_lt(const tg_tensor *a, const tg_tensor *b);
TG_API tg_tensor *tg_le(const tg_tensor *a, const tg_tensor *b);
TG_API tg_tensor *tg_gt(const tg_tensor *a, const tg_tensor *b);
TG_API tg_tensor *tg_ge(const tg_tensor *a, const tg_tensor *b);
TG_API tg_tensor *tg_eq_scalar(const tg_tensor *a, double s);
TG_API tg_tensor *tg_ne_scalar(const tg_tensor *a, double s);
TG_API tg_tensor *tg_lt_scalar(const tg_tensor *a, double s);
TG_API tg_tensor *tg_le_scalar(const tg_tensor *a, double s);
TG_API tg_tensor *tg_gt_scalar(const tg_tensor *a, double s);
TG_API tg_tensor *tg_ge_scalar(const tg_tensor *a, double s);

/* Reductions. dims points to ndims dims (negative allowed); ndims 0 reduces over every dim. */
TG_API tg_tensor *tg_sum(const tg_tensor *a);                           /* SumBackward0 */
TG_API tg_tensor *tg_sum_dim(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim);
TG_API tg_tensor *tg_mean(const tg_tensor *a);                          /* MeanBackward0 */
TG_API tg_tensor *tg_mean_dim(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim);
/** The p-norm of all elements, (sum |a|^p)^(1/p); p may be INFINITY. LinalgVectorNormBackward0. */
TG_API tg_tensor *tg_norm(const tg_tensor *a, double p);
TG_API tg_tensor *tg_norm_dim(const tg_tensor *a, double p, const int64_t *dims, int ndims,
                              bool keepdim);

/* Linear algebra. */
TG_API tg_tensor *tg_mm(const tg_tensor *a, const tg_tensor *b);        /* MmBackward0 */
/** a @ b with PyTorch's full rules (dot, mv, mm, batched with broadcasting); see the linear
 *  algebra section below for the nodes each case records. */
TG_API tg_tensor *tg_matmul(const tg_tensor *a, const tg_tensor *b);

/* Views (share storage with the input). shape may contain one -1. */
TG_API tg_tensor *tg_view(const tg_tensor *a, const int64_t *shape, int ndim);
/** A view when the strides allow it (ViewBackward0), else a copy (UnsafeViewBackward0). */
TG_API tg_tensor *tg_reshape(const tg_tensor *a, const int64_t *shape, int ndim);
TG_API tg_tensor *tg_transpose(const tg_tensor *a, int dim0, int dim1);
/** t(): transposes a 2-D tensor; 0-d and 1-D are returned as they are. */
TG_API tg_tensor *tg_t(const tg_tensor *a);
TG_API tg_tensor *tg_expand(const tg_tensor *a, const int64_t *shape, int ndim);
TG_API tg_tensor *tg_unsqueeze(const tg_tensor *a, int dim);
/** A contiguous copy (CloneBackward0). */
TG_API tg_tensor *tg_clone(const tg_tensor *a);
/** a itself (a new reference in the current scope) if contiguous, else tg_clone(a). */
TG_API tg_tensor *tg_contiguous(const tg_tensor *a);

/* In-place ops: modify self, bump its version, and return a status. On a non-leaf that requires
 * grad the op is recorded and self's history is rebased onto the new node; on a leaf that
 * requires grad (or a view of one) they fail with PyTorch's message unless grad mode is off. */
TG_API tg_status tg_add_(tg_tensor *self, const tg_tensor *other);
TG_API tg_status tg_sub_(tg_tensor *self, const tg_tensor *other);
TG_API tg_status tg_mul_(tg_tensor *self, const tg_tensor *other);
TG_API tg_status tg_div_(tg_tensor *self, const tg_tensor *other);
TG_API tg_status tg_add_scalar_(tg_tensor *self, double s);
TG_API tg_status tg_sub_scalar_(tg_tensor *self, double s);
TG_API tg_status tg_mul_scalar_(tg_tensor *self, double s);
TG_API tg_status tg_div_scalar_(tg_tensor *self, double s);
TG_API tg_status tg_zero_(tg_tensor *self);
TG_API tg_status tg_fill_(tg_tensor *self, double value);
/** self.copy_(src): src broadcasts to self's shape; dtypes convert. */
TG_API tg_status tg_copy_(tg_tensor *self, const tg_tensor *src);

/* ---- ops: shape and view ops (src/ops/shape.c) ---- [section:shape] */
/* Views (permute, squeeze, expand_as, unflatten, narrow, slice, select, split, chunk, and
 * flatten when the strides allow) share a's storage and version counter, as tg_view does;
 * cat, stack, repeat and flip make new tensors. Every op takes float32, float64, int64 and
 * bool; only floating results are recorded. dim arguments may be negative (counted from the
 * end). "IndexError" messages are TG_ERR_INDEX. */

/** a.permute(dims): dims (ndims of them) is an ordering of a's dims. PermuteBackward0
 *  (g.permute(inverse)). Errors: TG_ERR_SHAPE when ndims != a's ndim ("permute(sparse_coo):
 *  number of dimensions in the tensor input does not match ..."), TG_ERR_INDEX for a dim out of
 *  range, TG_ERR_INVALID_ARG "permute(): duplicate dims are not allowed.". */
TG_API tg_tensor *tg_permute(const tg_tensor *a, const int64_t *dims, int ndims);
/** a.squeeze(): a without its size-1 dims. SqueezeBackward0 (g reshaped to a's shape). */
TG_API tg_tensor *tg_squeeze(const tg_tensor *a);
/** a.squeeze(dim): a without dim when its size is 1, else a view with a's shape.
 *  SqueezeBackward1. TG_ERR_INDEX for dim out of range ([-1, 0] for a 0-d a). */
TG_API tg_tensor *tg_squeeze_dim(const tg_tensor *a, int dim);
/** a.expand_as(other): a.expand(other's shape). ExpandBackward0; tg_expand's errors (prefixed
 *  "tg_expand_as: "). other is only read for its shape and gets no gradient. */
TG_API tg_tensor *tg_expand_as(const tg_tensor *a, const tg_tensor *other);
/** a.flatten(start_dim, end_dim) (PyTorch's defaults are 0, -1): dims start..end merged into
 *  one. A 0-d a gives shape [1]; start == end returns a itself (a new reference, no node);
 *  otherwise it is tg_reshape: a view (ViewBackward0) when the strides allow, else a copy
 *  (UnsafeViewBackward0 over CloneBackward0). Errors: TG_ERR_INDEX for dims out of range,
 *  TG_ERR_INVALID_ARG "flatten() has invalid args: start_dim cannot come after end_dim". */
TG_API tg_tensor *tg_flatten(const tg_tensor *a, int start_dim, int end_dim);
/** a.unflatten(dim, sizes): dim split into nsizes dims (one of them may be -1, inferred).
 *  Always a view: ViewBackward0. Errors (PyTorch 2.x's texts): TG_ERR_INDEX dim out of range;
 *  TG_ERR_INVALID_ARG "unflatten: sizes must be non-empty"; TG_ERR_SHAPE "unflatten: Provided
 *  sizes [2, 2] don't multiply up to the size of dim 1 (3) in the input tensor", and
 *  "unflatten got an unexpected error:\n..." (two -1, a size below -1, -1 with a zero size, a
 *  0-d a); TG_ERR_INVALID_ARG when the result would pass TG_MAX_DIMS. */
TG_API tg_tensor *tg_unflatten(const tg_tensor *a, int dim, const int64_t *sizes, int nsizes);
/** a.narrow(dim, start, length): elements start .. start+length-1 of dim (start may be
 *  negative, from -size to size). A view: SliceBackward0. Errors (PyTorch 2.x): TG_ERR_SHAPE
 *  "narrow() cannot be applied to a 0-dim tensor."; TG_ERR_INVALID_ARG "narrow(): length must
 *  be non-negative." and "start (2) + length (3) exceeds dimension size (4)."; TG_ERR_INDEX
 *  "start out of range (expected to be in range of [-4, 4], but got 5)" and for dim. */
TG_API tg_tensor *tg_narrow(const tg_tensor *a, int dim, int64_t start, int64_t length);
/** end for tg_slice meaning "to the end" (Python's x[start:]). */
#define TG_SLICE_END INT64_MAX
/** aten::slice(a, dim, start, end, step), i.e. Python's a[..., start:end:step] along dim:
 *  negative start/end count from the end, values past either end are clamped, end <= start
 *  gives an empty dim; start 0 and end TG_SLICE_END take everything. A view: SliceBackward0
 *  (zeros of a's shape with g written into the slice; that formula records
 *  SliceBackwardBackward0). Errors: TG_ERR_INDEX "slice() cannot be applied to a 0-dim
 *  tensor." and for dim; TG_ERR_INVALID_ARG "slice step must be positive" for step <= 0. */
TG_API tg_tensor *tg_slice(const tg_tensor *a, int dim, int64_t start, int64_t end,
                           int64_t step);
/** a.select(dim, index): a[..., index] along dim, without that dim (index may be negative).
 *  A view: SelectBackward0 (zeros with g written at index; records SelectBackwardBackward0).
 *  Errors, all TG_ERR_INDEX: "select() cannot be applied to a 0-dim tensor.", "select(): index
 *  5 out of range for tensor of size [3, 4] at dimension 0", dim out of range. */
TG_API tg_tensor *tg_select(const tg_tensor *a, int dim, int64_t index);

/* Ops with several results (split, split_with_sizes, chunk) write them into the caller's
 * array out, which has room for cap tensors, and the count into *n_out (n_out may be NULL).
 * The results are views of a, each owned by the current scope like any result, and all are
 * outputs of ONE node (SplitBackward0 or SplitWithSizesBackward0: the outputs' gradients are
 * concatenated along dim, zeros for those that received none). Return TG_OK, or an error code
 * with nothing written to out (*n_out still receives the count when the arguments were valid).
 * cap smaller than the count is TG_ERR_INVALID_ARG; out NULL with cap 0 asks for the count only
 * (TG_OK, nothing made), e.g. to size a malloc'd array. With a known bound:
 *     tg_tensor *parts[3];
 *     int n;
 *     if (tg_chunk(x, 3, 0, parts, 3, &n) == TG_OK)  // parts[0..n-1], n <= 3 */
/** a.split(split_size, dim) (torch.split with an int): pieces of split_size along dim, the
 *  last one smaller when needed; a zero size dim with split_size 0 gives one empty piece.
 *  SplitBackward0. Errors: TG_ERR_SHAPE "split expects at least a 1-dimensional tensor";
 *  TG_ERR_INVALID_ARG "split expects split_size be non-negative, but got split_size=-1" and
 *  "split_size can only be 0 if dimension size is 0, but got dimension size of 4";
 *  TG_ERR_INDEX for dim. */
TG_API tg_status tg_split(const tg_tensor *a, int64_t split_size, int dim, tg_tensor **out,
                          int cap, int *n_out);
/** a.split(sizes, dim) with a list (torch.split_with_sizes): nsizes pieces of those sizes.
 *  SplitWithSizesBackward0. Errors: TG_ERR_SHAPE for a 0-d a; TG_ERR_INVALID_ARG
 *  "split_with_sizes expects split_sizes have only non-negative entries, but got
 *  split_sizes=[-1, 4]" and "split_with_sizes expects split_sizes to sum exactly to 3 (input
 *  tensor's size at dimension 0), but got split_sizes=[1, 1]"; TG_ERR_INDEX for dim. */
TG_API tg_status tg_split_with_sizes(const tg_tensor *a, const int64_t *sizes, int nsizes,
                                     int dim, tg_tensor **out, int cap, int *n_out);
/** a.chunk(chunks, dim): split with split_size ceil(size / chunks), so possibly fewer than
 *  chunks pieces (SplitBackward0); a zero size dim gives chunks empty pieces
 *  (SplitWithSizesBackward0), as PyTorch does. Errors: TG_ERR_SHAPE "chunk expects at least a
 *  1-dimensional tensor"; TG_ERR_INVALID_ARG "chunk expects `chunks` to be greater than 0, got:
 *  0"; TG_ERR_INDEX for dim. */
TG_API tg_status tg_chunk(const tg_tensor *a, int64_t chunks, int dim, tg_tensor **out, int cap,
                          int *n_out);

/** torch.cat(tensors[0..n-1], dim): joined along dim; the dtype is the promoted one (bool <
 *  int64 < float32 < float64). 1-D empty tensors (shape [0]) are skipped whatever the others'
 *  shapes, as PyTorch does. CatBackward0 (g.narrow per input). n 0 (PyTorch's "expected a
 *  non-empty list of Tensors") returns NULL without an error: no tensor, so no context to hold
 *  one. Errors: TG_ERR_SHAPE "zero-dimensional tensor (at position 0) cannot be concatenated",
 *  "Tensors must have same number of dimensions: got 2 and 1", "Sizes of tensors must match
 *  except in dimension 1. Expected size 3 but got size 2 for tensor number 1 in the list.";
 *  TG_ERR_INDEX for dim; TG_ERR_NULL_ARG for a NULL entry. */
TG_API tg_tensor *tg_cat(tg_tensor *const *tensors, int n, int dim);
/** torch.stack(tensors[0..n-1], dim): the tensors (all of one shape) along a new dim (dim in
 *  [-ndim-1, ndim]); promoted dtype as tg_cat. StackBackward0 (g.select(dim, i) per input).
 *  n 0 returns NULL without an error, as tg_cat. Errors: TG_ERR_SHAPE "stack expects each
 *  tensor to be equal size, but got [3, 4] at entry 0 and [4, 3] at entry 1"; TG_ERR_INDEX for
 *  dim. */
TG_API tg_tensor *tg_stack(tg_tensor *const *tensors, int n, int dim);
/** a.repeat(sizes): a tiled sizes[i] times along each dim; nsizes may exceed a's ndim (new
 *  leading dims). RepeatBackward0 (the copies summed back). Errors: TG_ERR_INVALID_ARG "Number
 *  of dimensions of repeat dims can not be smaller than number of dimensions of tensor";
 *  TG_ERR_SHAPE "Trying to create tensor with negative dimension -4: [6, -4]". */
TG_API tg_tensor *tg_repeat(const tg_tensor *a, const int64_t *sizes, int nsizes);
/** torch.flip(a, dims): a copy reversed along each of dims. FlipBackward0 (g flipped alike).
 *  Errors: TG_ERR_INDEX for a dim out of range; TG_ERR_INVALID_ARG "dim 0 appears multiple
 *  times in the list of dims". */
TG_API tg_tensor *tg_flip(const tg_tensor *a, const int64_t *dims, int ndims);

/* ---- ops: pointwise math (src/ops/pointwise.c) ---- [section:pointwise] */
/* Unary math. Integer and bool inputs compute in float32 (as torch.sin(int64) does); float32
 * uses float libm functions, float64 double ones. Errors: only NULL inputs. */
TG_API tg_tensor *tg_log1p(const tg_tensor *a);      /* log(1 + a); Log1PBackward0: g / (a + 1) */
TG_API tg_tensor *tg_expm1(const tg_tensor *a);      /* exp(a) - 1; Expm1Backward0: g * (r + 1) */
TG_API tg_tensor *tg_rsqrt(const tg_tensor *a);      /* 1 / sqrt(a); RsqrtBackward0 */
TG_API tg_tensor *tg_sin(const tg_tensor *a);        /* SinBackward0: g * cos(a) */
TG_API tg_tensor *tg_cos(const tg_tensor *a);        /* CosBackward0: -g * sin(a) */
TG_API tg_tensor *tg_tan(const tg_tensor *a);        /* TanBackward0: g * (1 + r^2) */
TG_API tg_tensor *tg_tanh(const tg_tensor *a);       /* TanhBackward0: g * (1 - r^2) */
/** torch.sigmoid: 1 / (1 + exp(-a)) (0 and 1 in the limits, never NaN). SigmoidBackward0. */
TG_API tg_tensor *tg_sigmoid(const tg_tensor *a);
/** torch.sign: -1, 0 or 1 in a's dtype (bool stays bool). SignBackward0 (zero gradient). */
TG_API tg_tensor *tg_sign(const tg_tensor *a);
/** torch.reciprocal: 1 / a (integers and bool give float32). ReciprocalBackward0. */
TG_API tg_tensor *tg_reciprocal(const tg_tensor *a);
/** torch.square: a * a, computed as a ** 2 as PyTorch 2.x does (PowBackward0); int64 and bool
 *  give int64. */
TG_API tg_tensor *tg_square(const tg_tensor *a);
/** torch.floor / ceil / round (round: half to even). Integers are returned unchanged (a copy);
 *  TG_ERR_DTYPE for bool ("\"floor_vml_cpu\" not implemented for 'Bool'"). FloorBackward0,
 *  CeilBackward0, RoundBackward0: a zero gradient. */
TG_API tg_tensor *tg_floor(const tg_tensor *a);
TG_API tg_tensor *tg_ceil(const tg_tensor *a);
TG_API tg_tensor *tg_round(const tg_tensor *a);

/* Activations (torch.relu, torch.nn.functional.*). Except relu they are defined for float32 and
 * float64 only: TG_ERR_DTYPE "\"<kernel>\" not implemented for 'Long'" (or 'Bool') otherwise. */
/** max(a, 0); int64 stays int64; TG_ERR_DTYPE "Boolean inputs not supported for relu".
 *  ReluBackward0: g where r > 0, else 0 (0 at the kink). */
TG_API tg_tensor *tg_relu(const tg_tensor *a);
/** F.leaky_relu(a, negative_slope): a > 0 ? a : a * slope. LeakyReluBackward0 (slope at 0). */
TG_API tg_tensor *tg_leaky_relu(const tg_tensor *a, double negative_slope);
/** F.elu(a, alpha): a > 0 ? a : alpha * expm1(a). EluBackward0 (alpha at 0: 1 for alpha 1). */
TG_API tg_tensor *tg_elu(const tg_tensor *a, double alpha);
/** F.gelu(a, approximate=...): approximate NULL or "none" is the exact a * Phi(a), "tanh" the
 *  tanh form. GeluBackward0. TG_ERR_INVALID_ARG "approximate argument must be either none or
 *  tanh." for any other string. */
TG_API tg_tensor *tg_gelu(const tg_tensor *a, const char *approximate);
/** F.silu: a * sigmoid(a). SiluBackward0. */
TG_API tg_tensor *tg_silu(const tg_tensor *a);
/** F.softplus(a, beta, threshold): log(1 + exp(beta a)) / beta, or a where beta a > threshold
 *  (PyTorch's defaults are beta 1, threshold 20). SoftplusBackward0. */
TG_API tg_tensor *tg_softplus(const tg_tensor *a, double beta, double threshold);

/** torch.clamp(a, min, max) with optional bounds: pass NULL for None. Integer a with integral
 *  bounds stays int64 (bool gives int64), a fractional bound gives float32; a NaN bound gives
 *  all NaN; min > max gives max. ClampBackward1: g where min <= a <= max (boundaries pass the
 *  gradient). TG_ERR_INVALID_ARG "torch.clamp: At least one of 'min' or 'max' must not be None"
 *  when both are NULL. */
TG_API tg_tensor *tg_clamp(const tg_tensor *a, const double *min, const double *max);
/** torch.clamp_min / clamp_max. ClampMinBackward0 (g where a >= min) / ClampMaxBackward0. */
TG_API tg_tensor *tg_clamp_min(const tg_tensor *a, double min);
TG_API tg_tensor *tg_clamp_max(const tg_tensor *a, double max);

/* Binary, broadcasting and promoting as tg_add (TG_ERR_SHAPE for shapes that don't broadcast). */
/** torch.maximum / minimum: NaN if either is NaN. MaximumBackward0 / MinimumBackward0: ties
 *  give half the gradient to each side. int64 and bool as PyTorch. */
TG_API tg_tensor *tg_maximum(const tg_tensor *a, const tg_tensor *b);
TG_API tg_tensor *tg_minimum(const tg_tensor *a, const tg_tensor *b);
/** torch.atan2(a, b): the angle of (b, a); integers give float32. Atan2Backward0. */
TG_API tg_tensor *tg_atan2(const tg_tensor *a, const tg_tensor *b);

/* In place (see the in-place rules above: a recorded op rebases self's history; a leaf that
 * requires grad fails). relu_ keeps int64; sigmoid_ and tanh_ need a floating self
 * (TG_ERR_DTYPE "result type Float can't be cast to the desired output type Long"); clamp_*
 * need bounds that keep self's dtype ("... desired output type long int"). The nodes are
 * those of the out-of-place ops; clamp_* save a copy of the original self. */
TG_API tg_status tg_relu_(tg_tensor *self);
TG_API tg_status tg_sigmoid_(tg_tensor *self);
TG_API tg_status tg_tanh_(tg_tensor *self);
TG_API tg_status tg_clamp_(tg_tensor *self, const double *min, const double *max);
TG_API tg_status tg_clamp_min_(tg_tensor *self, double min);
TG_API tg_status tg_clamp_max_(tg_tensor *self, double max);

/* ---- ops: more reductions (src/ops/reduce_ext.c) ---- [section:reduce_ext] */
/* Reductions beyond sum/mean/norm, as PyTorch 2.x. `dims` lists take negative dims and may not
 * repeat one; `ndims == 0` reduces every dim; `keepdim` keeps reduced dims as size 1. A 0-d
 * tensor accepts dim 0 / -1. Errors carry PyTorch's text after "tg_<fn>: ": TG_ERR_INDEX for a
 * dim out of range ("Dimension out of range (expected to be in range of [-2, 1], but got 2)")
 * and for an empty reduced dim, TG_ERR_INVALID_ARG for a repeated dim, TG_ERR_DTYPE as noted. */

/** a.prod(): the product of every element (ProdBackward0). float stays; int64 and bool give
 *  int64 (wrapping). Gradient correct with zeros: prod([0, 2, 3]) gives [6, 0, 0]. */
TG_API tg_tensor *tg_prod(const tg_tensor *a);
/** a.prod(dim, keepdim) (ProdBackward1). */
TG_API tg_tensor *tg_prod_dim(const tg_tensor *a, int dim, bool keepdim);

/** a.max() / a.min(): the largest / smallest element as a 0-d tensor of a's dtype (MaxBackward1
 *  / MinBackward1). NaN wins. The gradient is shared evenly by the elements equal to the result
 *  (max([1, 3, 3]) gives [0, .5, .5]). TG_ERR_INVALID_ARG for an empty tensor: "max(): Expected
 *  reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim'
 *  argument." */
TG_API tg_tensor *tg_max(const tg_tensor *a);
TG_API tg_tensor *tg_min(const tg_tensor *a);
/** torch.max(a, dim, keepdim) / torch.min: *values (a's dtype; MaxBackward0 / MinBackward0) and
 *  *indices (int64, never requires grad) of the largest / smallest element of each slice along
 *  dim: the first NaN, else the first of equal ones. Both results belong to the current scope;
 *  indices may be NULL when not wanted (values may not: TG_ERR_NULL_ARG). The whole gradient
 *  goes to the returned index. On failure both are set to NULL. TG_ERR_INDEX "max(): Expected
 *  reduction dim 0 to have non-zero size." for an empty slice. */
TG_API tg_status tg_max_dim(const tg_tensor *a, int dim, bool keepdim, tg_tensor **values,
                            tg_tensor **indices);
TG_API tg_status tg_min_dim(const tg_tensor *a, int dim, bool keepdim, tg_tensor **values,
                            tg_tensor **indices);
/** torch.amax / amin over dims (AmaxBackward0 / AminBackward0): NaN wins; the gradient is
 *  split evenly among the elements equal to their slice's result. Empty input: ndims 0 is
 *  TG_ERR_INVALID_ARG (as tg_max), an empty reduced dim TG_ERR_INDEX "amax(): Expected reduction
 *  dim -2 to have non-zero size." (the dim as given). */
TG_API tg_tensor *tg_amax(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim);
TG_API tg_tensor *tg_amin(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim);
/** torch.argmax(a, keepdim=keepdim) / argmin with no dim: the flat (row-major) index of the
 *  first largest / smallest element (the first NaN if any), int64, 0-d (keepdim: every dim
 *  size 1). Never differentiable. TG_ERR_INDEX "argmax(): Expected reduction dim to be specified
 *  for input.numel() == 0."; TG_ERR_DTYPE "\"argmax_cpu\" not implemented for 'Bool'". */
TG_API tg_tensor *tg_argmax(const tg_tensor *a, bool keepdim);
TG_API tg_tensor *tg_argmin(const tg_tensor *a, bool keepdim);
/** torch.argmax(a, dim, keepdim) / argmin: the indices tg_max_dim / tg_min_dim return. */
TG_API tg_tensor *tg_argmax_dim(const tg_tensor *a, int dim, bool keepdim);
TG_API tg_tensor *tg_argmin_dim(const tg_tensor *a, int dim, bool keepdim);

/** torch.var(a, correction=c) over every element (VarBackward0): sum((a - mean)^2) /
 *  max(0, N - c); c = 1 is the unbiased default, 0 the population variance; fractional c is
 *  allowed. N - c <= 0 gives inf (NaN when every element equals the mean, e.g. one element)
 *  and reports PyTorch 2.x's UserWarning "var(): degrees of freedom is <= 0. ..." through
 *  tg_set_warning_handler; the gradient there is grad * where(a == mean, nan, inf) (2.x;
 *  1.13 raises or differs, see docs/ops.md). float32/float64 only: TG_ERR_DTYPE "std and var
 *  only support floating point and complex dtypes". */
TG_API tg_tensor *tg_var(const tg_tensor *a, double correction);
/** torch.var(a, dims, correction=c, keepdim=keepdim). ndims 0 is the whole-tensor variance
 *  (as tg_var, keepdim honoured). */
TG_API tg_tensor *tg_var_dim(const tg_tensor *a, const int64_t *dims, int ndims,
                             double correction, bool keepdim);
/** torch.std: sqrt of the variance (StdBackward0); the same rules as tg_var / tg_var_dim. */
TG_API tg_tensor *tg_std(const tg_tensor *a, double correction);
TG_API tg_tensor *tg_std_dim(const tg_tensor *a, const int64_t *dims, int ndims,
                             double correction, bool keepdim);

/** torch.logsumexp(a, dims, keepdim) (LogsumexpBackward0), computed stably as
 *  log(sum(exp(a - m))) + m with m the slice's max (taken as 0 when infinite): all -inf gives
 *  -inf (gradient NaN), an empty slice -inf. int64 and bool give float32. ndims 0 reduces
 *  every dim (PyTorch raises a shape error for dim=() on a tensor of 2+ dims). */
TG_API tg_tensor *tg_logsumexp(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim);

/** torch.cumsum(a, dim) (CumsumBackward0): running sums along dim, a's shape. int64 and bool
 *  give int64 (wrapping). Backward: the running sum of the gradient from the end. */
TG_API tg_tensor *tg_cumsum(const tg_tensor *a, int dim);

/** a.all() / a.any(): whether every / some element is nonzero (NaN counts as nonzero), a 0-d
 *  bool tensor; empty: all true, any false. Any dtype; never differentiable. */
TG_API tg_tensor *tg_all(const tg_tensor *a);
TG_API tg_tensor *tg_any(const tg_tensor *a);
/** a.all(dims, keepdim) / a.any(dims, keepdim) (PyTorch 2.2+ takes a tuple of dims). */
TG_API tg_tensor *tg_all_dim(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim);
TG_API tg_tensor *tg_any_dim(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim);

/* ---- ops: indexing (src/ops/index.c) ---- [section:index] */
/* Index tensors are int64 (other dtypes fail with PyTorch's TG_ERR_DTYPE message); an index
 * outside its dimension fails with TG_ERR_INDEX and PyTorch's text, e.g. "tg_gather: index 5 is
 * out of bounds for dimension 0 with size 3". dim may be negative. Shape mismatches give
 * TG_ERR_SHAPE, values that do not fit the tensor's dtype TG_ERR_INVALID_ARG. Every tensor dtype
 * is accepted (gradients flow for float32/float64). Duplicate indices accumulate gradients. */

/** a.index_select(dim, index): the slices of a at the positions listed by a 1-D (or 0-d) index,
 *  in that order (negative positions are out of range). IndexSelectBackward0: grad index_add'ed
 *  into zeros. A 0-d a takes exactly one index ("Index to scalar can have only 1 value"). */
TG_API tg_tensor *tg_index_select(const tg_tensor *a, int dim, const tg_tensor *index);
/** a.index_add(dim, index, source): a copy of a with source's slice j added at position
 *  index[j] along dim (duplicates add up). source must have a's slice shape and dtype and
 *  index.numel() entries along dim. IndexAddBackward0: a: grad; source: grad.index_select. */
TG_API tg_tensor *tg_index_add(const tg_tensor *a, int dim, const tg_tensor *index,
                               const tg_tensor *source);
/** torch.gather(a, dim, index): out[i][j][k] = a[index[i][j][k]][j][k] for dim 0 (likewise for
 *  other dims); out has index's shape, which must have a's number of dims and be no larger than a
 *  apart from dim. Negative indices are out of range. GatherBackward0 (saves a and index):
 *  grad scatter_add'ed into zeros. */
TG_API tg_tensor *tg_gather(const tg_tensor *a, int dim, const tg_tensor *index);
/** a.scatter(dim, index, src): a copy of a with out[index[i][j]][j] = src[i][j] (dim 0). index
 *  must have the dims of a and src and be no larger than src, nor than a apart from dim; src has
 *  a's dtype. With duplicate positions the last write wins. ScatterBackward0: a: grad with the
 *  written positions zeroed; src: grad.gather(dim, index). */
TG_API tg_tensor *tg_scatter(const tg_tensor *a, int dim, const tg_tensor *index,
                             const tg_tensor *src);
/** a.scatter(dim, index, value) with a number. ScatterBackward1. */
TG_API tg_tensor *tg_scatter_value(const tg_tensor *a, int dim, const tg_tensor *index,
                                   double value);
/** a.scatter_add(dim, index, src): like tg_scatter but adding (duplicates accumulate).
 *  ScatterAddBackward0: a: grad; src: grad.gather(dim, index). */
TG_API tg_tensor *tg_scatter_add(const tg_tensor *a, int dim, const tg_tensor *index,
                                 const tg_tensor *src);
/** In-place scatter_, scatter_ with a value, scatter_add_ (recorded as the nodes above; the
 *  in-place rules of tg_add_ apply). Every index is checked before self is modified. */
TG_API tg_status tg_scatter_(tg_tensor *self, int dim, const tg_tensor *index,
                             const tg_tensor *src);
TG_API tg_status tg_scatter_value_(tg_tensor *self, int dim, const tg_tensor *index,
                                   double value);
TG_API tg_status tg_scatter_add_(tg_tensor *self, int dim, const tg_tensor *index,
                                 const tg_tensor *src);
/** a.masked_fill(mask, value): value where the bool mask (broadcast with a; the result has the
 *  broadcast shape) is true, a elsewhere. MaskedFillBackward0: grad.masked_fill(mask, 0). */
TG_API tg_tensor *tg_masked_fill(const tg_tensor *a, const tg_tensor *mask, double value);
/** self.masked_fill_(mask, value): mask must broadcast to self's shape. */
TG_API tg_status tg_masked_fill_(tg_tensor *self, const tg_tensor *mask, double value);
/** torch.where(cond, a, b): a where the bool cond is true, else b; the three broadcast and a, b
 *  promote as in a + b. WhereBackward0: a: where(cond, grad, 0); b: where(cond, 0, grad). */
TG_API tg_tensor *tg_where(const tg_tensor *cond, const tg_tensor *a, const tg_tensor *b);
/** torch.where(cond, a, b) with b a number (it promotes like a scalar operand of a + b). */
TG_API tg_tensor *tg_where_scalar(const tg_tensor *cond, const tg_tensor *a, double b);
/** torch.where(cond, a, b) with a a number. */
TG_API tg_tensor *tg_where_rscalar(const tg_tensor *cond, double a, const tg_tensor *b);
/** Advanced indexing by one tensor at dim: a[idx] for dim 0, a[:, idx] for dim 1, ...
 *  An int64 idx of any shape replaces dim by idx's dims (negative entries count from the end;
 *  a 0-d idx removes dim). A bool idx is a mask over dims dim .. dim+k-1 (k = idx's ndim, the
 *  sizes must match) that keeps the true positions as one new dim. IndexBackward0: grad put back
 *  with accumulation (index_put(..., accumulate=True)) into zeros. */
TG_API tg_tensor *tg_index(const tg_tensor *a, int dim, const tg_tensor *idx);
/** torch.nn.functional.one_hot(t, num_classes): int64 t of any shape -> int64 of shape
 *  t.shape + [num_classes], 1 at each class. num_classes -1 infers max(t) + 1 (an error for an
 *  empty t). Not differentiable. */
TG_API tg_tensor *tg_one_hot(const tg_tensor *t, int64_t num_classes);

/* ---- ops: more linear algebra (src/ops/linalg.c) ---- [section:linalg] */

/* tg_matmul(a, b) (declared above) follows torch.matmul for every rank: 1-D . 1-D is dot
 * (DotBackward0), 2-D . 1-D is mv (MvBackward0), 1-D . 2-D is unsqueeze(0), mm, squeeze_(0)
 * (SqueezeBackward4), 2-D . 2-D is mm (MmBackward0); when either side has 3 or more dims the
 * batch dims (all but the last two; a 1-D side has none) broadcast and the result is
 * UnsafeViewBackward0 over mm/mv of the folded operand or over bmm of the expanded ones, as
 * PyTorch 2.x chooses (a 2-D . N-D product whose 2-D side requires grad ends in a copy of the
 * transposed result: CloneBackward0). float32, float64, int64. Errors (PyTorch's text from the
 * product that fails, prefixed "tg_matmul: "): a 0-d operand (TG_ERR_SHAPE "both arguments to
 * matmul need to be at least 1D, but they are 0D and 2D"); contracted sizes that differ or batch
 * dims that do not broadcast (TG_ERR_SHAPE); different dtypes or bool (TG_ERR_DTYPE). */

/** torch.bmm(a, b): [B, n, m] @ [B, m, p] -> [B, n, p] (BmmBackward0). float32, float64, int64.
 *  Errors: TG_ERR_SHAPE "batch1 must be a 3D tensor" / "batch2 must be a 3D tensor" /
 *  "Expected size for first two dimensions of batch2 tensor to be: [B, m] but got: [..]."; TG_ERR_DTYPE
 *  "expected scalar type Float but found Double" for mixed dtypes, "\"bmm\" not implemented for
 *  'Bool'". */
TG_API tg_tensor *tg_bmm(const tg_tensor *a, const tg_tensor *b);
/** torch.mv(mat, vec): [n, m] @ [m] -> [n] (MvBackward0). float32, float64, int64.
 *  Errors: TG_ERR_INDEX for a 0-d mat; TG_ERR_SHAPE "vector + matrix @ vector expected, got 1,
 *  2, 2", "size mismatch, got input (2), mat (2x3), vec (4)"; TG_ERR_DTYPE "addmv input tensors
 *  must have the same dtype, but got Double, Float, and Double", bool. */
TG_API tg_tensor *tg_mv(const tg_tensor *mat, const tg_tensor *vec);
/** torch.dot(a, b): the 0-d sum of a[i] * b[i] of two 1-D tensors (DotBackward0). float32 (summed
 *  in double), float64, int64. Errors: TG_ERR_SHAPE "1D tensors expected, but got 2D and 2D
 *  tensors", "inconsistent tensor size, expected tensor [3] and src [4] to have the same number
 *  of elements, but got 3 and 4 elements respectively"; TG_ERR_DTYPE "dot : expected both vectors
 *  to have same dtype, but found Float and Double", bool. */
TG_API tg_tensor *tg_dot(const tg_tensor *a, const tg_tensor *b);
/** torch.outer(a, b): [n] x [m] -> [n, m], computed as PyTorch 2.x does, a.reshape(n, 1) * b
 *  (MulBackward0); dtypes promote as tg_mul. Errors: TG_ERR_SHAPE "outer: Expected 1-D argument
 *  self, but got 2-D" (or vec2). */
TG_API tg_tensor *tg_outer(const tg_tensor *a, const tg_tensor *b);
/** torch.addmm(input, mat1, mat2, beta=beta, alpha=alpha): beta * input + alpha * (mat1 @ mat2),
 *  input broadcast to [n, p] (AddmmBackward0). beta == 0 ignores input (nan included), alpha ==
 *  0 the product. float32, float64, int64 (beta and alpha truncated to integers, as PyTorch).
 *  Errors: TG_ERR_DTYPE "self and mat2 must have the same dtype, but got Float and Double", "mat1
 *  and mat2 must have the same dtype, ...", bool; TG_ERR_SHAPE "mat1 must be a matrix, got 1-D
 *  tensor", "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", input not expandable to
 *  [n, p] (expand's messages); TG_ERR_INVALID_ARG "value cannot be converted to type int64_t
 *  without overflow" for int64 tensors with a non-finite or out-of-range beta or alpha. */
TG_API tg_tensor *tg_addmm(const tg_tensor *input, const tg_tensor *mat1, const tg_tensor *mat2,
                           double beta, double alpha);
/** torch.nn.functional.linear(x, weight, bias): x @ weight^T + bias; bias may be NULL. x is
 *  [..., in] (1-D or more), weight [out, in] (or 1-D), bias broadcastable to the result. Built as
 *  PyTorch 2.x builds it: 2-D x with bias is addmm (AddmmBackward0); with bias and a contiguous x
 *  of 3 dims (or any rank when bias is 1-D) addmm on x viewed as 2-D, viewed back
 *  (ViewBackward0); otherwise matmul(x, weight^T) (MmBackward0 for 2-D x, UnsafeViewBackward0 for
 *  batched x), plus an in-place bias add (AddBackward0). Errors: TG_ERR_SHAPE "both arguments to
 *  linear need to be at least 1D, but they are 0D and 2D", "t() expects a tensor with <= 2
 *  dimensions, but self is 3D", and those of addmm / matmul / the bias add. */
TG_API tg_tensor *tg_linear(const tg_tensor *x, const tg_tensor *weight, const tg_tensor *bias);

/* ---- ops: neural-network functions and losses (src/ops/nn.c, src/ops/loss.c) ---- [section:nn] */

/** How a loss reduces its per-element values: reduction='none' | 'mean' | 'sum' in PyTorch (the
 *  values are at::Reduction's). PyTorch's default is TG_REDUCTION_MEAN. Another value fails with
 *  TG_ERR_INVALID_ARG ("<n> is not a valid value for reduction"). */
typedef enum { TG_REDUCTION_NONE, TG_REDUCTION_MEAN, TG_REDUCTION_SUM } tg_reduction;
/** PyTorch's default ignore_index of nll_loss / cross_entropy. */
#define TG_IGNORE_INDEX_DEFAULT (-100)
/** padding_idx=None for tg_embedding. */
#define TG_NO_PADDING_IDX INT64_MIN

/** F.softmax(a, dim): exp(a - max) / sum(exp(a - max)) along dim (negative counts from the end;
 *  a 0-d tensor takes dim 0 or -1). SoftmaxBackward0. Floating dtypes only: TG_ERR_DTYPE with
 *  PyTorch's '"softmax_lastdim_kernel_impl" not implemented for 'Long'' (softmax_kernel_impl
 *  when dim is not the last); TG_ERR_INDEX "Dimension out of range ...". */
TG_API tg_tensor *tg_softmax(const tg_tensor *a, int dim);
/** F.log_softmax(a, dim): a - max - log(sum(exp(a - max))). LogSoftmaxBackward0. Errors as
 *  tg_softmax (log_softmax_lastdim_kernel_impl / log_softmax_kernel_impl). */
TG_API tg_tensor *tg_log_softmax(const tg_tensor *a, int dim);

/** F.nll_loss(input, target, weight, ignore_index=, reduction=): -weight[t] * input[n, t, ...]
 *  over the targets t != ignore_index; mean divides by the sum of their weights (NaN when
 *  nothing is left). input (C) with a 0-d target, (N, C) with target (N), or (N, C, d1, ...)
 *  with target (N, d1, ...); target int64; weight NULL or (C) of input's dtype, not requiring
 *  grad. Node: NllLossBackward0 for 1-D/2-D input, NllLoss2DBackward0 for more dims (and with
 *  reduction none on 3-D / 5-D+ input a ViewBackward0 on top, as PyTorch reshapes).
 *  Errors with PyTorch's texts: TG_ERR_SHAPE ("Expected input batch_size (3) to match target
 *  batch_size (2).", "0D or 1D target tensor expected, multi-target not supported", "weight
 *  tensor should be defined either for all 4 classes or no classes but got weight tensor of
 *  shape: [3]", ...), TG_ERR_INDEX ("Target 5 is out of bounds."), TG_ERR_DTYPE ("expected
 *  scalar type Long but found Float"), TG_ERR_AUTOGRAD (a weight that requires grad). */
TG_API tg_tensor *tg_nll_loss(const tg_tensor *input, const tg_tensor *target,
                              const tg_tensor *weight, tg_reduction reduction,
                              int64_t ignore_index);
/** F.cross_entropy(input, target, weight, ignore_index=, reduction=, label_smoothing=).
 *  The class dim is 1 (0 for a 1-D input). A target of input's shape holds class
 *  probabilities (floating; ignore_index must be negative): -sum(log_softmax(input) * target'
 *  [* weight]) reduced, target' = target * (1 - ls) + ls / C; mean divides by numel / C
 *  (DivBackward1; sum and none: NegBackward0). Otherwise target holds class indices:
 *  nll_loss(log_softmax(input), target, ...) (NllLossBackward0), and with label_smoothing ls > 0
 *  (1 - ls) * nll + ls / C * smooth (AddBackward0), smooth being -sum over classes of
 *  log_softmax(input) [* weight], zero at ignored targets, reduced like nll_loss. ls > 1 fails
 *  (TG_ERR_INVALID_ARG, "label_smoothing must be between 0.0 and 1.0. Got: 1.5"); ls <= 0 means
 *  none. Other errors as tg_nll_loss and tg_log_softmax. */
TG_API tg_tensor *tg_cross_entropy(const tg_tensor *input, const tg_tensor *target,
                                   const tg_tensor *weight, tg_reduction reduction,
                                   int64_t ignore_index, double label_smoothing);
/** F.mse_loss(input, target): (input - target)^2, reduced. input and target broadcast (PyTorch
 *  warns; we do not) and promote. MseLossBackward0; both are differentiable. TG_ERR_SHAPE when
 *  they cannot broadcast, TG_ERR_DTYPE ('"mse_cpu" not implemented for 'Long'') for an integer
 *  result. */
TG_API tg_tensor *tg_mse_loss(const tg_tensor *input, const tg_tensor *target,
                              tg_reduction reduction);
/** F.l1_loss(input, target): |input - target| reduced, composed as PyTorch 2.x does: mean() /
 *  sum() of abs(sub) (MeanBackward0 / SumBackward0 / AbsBackward0). Broadcasts; integer inputs
 *  work for none and sum, mean fails as tg_mean does. */
TG_API tg_tensor *tg_l1_loss(const tg_tensor *input, const tg_tensor *target,
                             tg_reduction reduction);
/** F.smooth_l1_loss(input, target, beta=): 0.5 z^2 / beta where z = |input - target| < beta,
 *  else z - 0.5 beta; reduced. SmoothL1LossBackward0 (beta 0 is tg_l1_loss, as PyTorch 2.x).
 *  Broadcasts and promotes. TG_ERR_INVALID_ARG for beta < 0 ("smooth_l1_loss does not support
 *  negative values for beta."), TG_ERR_DTYPE for integer results ("smooth_l1_cpu"). */
TG_API tg_tensor *tg_smooth_l1_loss(const tg_tensor *input, const tg_tensor *target,
                                    tg_reduction reduction, double beta);
/** F.binary_cross_entropy(input, target, weight): -w (t log x + (1 - t) log(1 - x)) with each
 *  log clamped to >= -100, reduced. input in [0, 1]; target of input's shape and dtype; weight
 *  NULL or broadcastable to it (not requiring grad). BinaryCrossEntropyBackward0; input and
 *  target are differentiable (target: -w logit(x)). Errors: TG_ERR_SHAPE ("Using a target size
 *  (torch.Size([3, 5])) that is different to the input size (torch.Size([3, 4])) is deprecated.
 *  Please ensure they have the same size."), TG_ERR_INVALID_ARG ("all elements of input should
 *  be between 0 and 1"), TG_ERR_DTYPE ("Found dtype Double but expected Float"). */
TG_API tg_tensor *tg_binary_cross_entropy(const tg_tensor *input, const tg_tensor *target,
                                          const tg_tensor *weight, tg_reduction reduction);
/** F.binary_cross_entropy_with_logits(input, target, weight, pos_weight=): the stable
 *  w ((1 - t) x + (1 + (p - 1) t) log(1 + exp(-x))), reduced. target of input's shape; weight
 *  broadcasts to input's shape and pos_weight with target (neither may require grad); dtypes
 *  promote. BinaryCrossEntropyWithLogitsBackward0; input and target are differentiable.
 *  TG_ERR_SHAPE ("Target size (torch.Size([3, 5])) must be the same as input size
 *  (torch.Size([3, 4]))", broadcast messages), TG_ERR_AUTOGRAD. */
TG_API tg_tensor *tg_binary_cross_entropy_with_logits(const tg_tensor *input,
                                                      const tg_tensor *target,
                                                      const tg_tensor *weight,
                                                      const tg_tensor *pos_weight,
                                                      tg_reduction reduction);

/** F.layer_norm(input, normalized_shape, weight, bias, eps): normalises over the last ndim dims
 *  (mean and biased variance), then * weight + bias (each NULL or of normalized_shape).
 *  NativeLayerNormBackward0 (input, weight and bias differentiable). PyTorch's messages:
 *  "Given normalized_shape=[3], expected input with shape [*, 3], but got input of size[3, 4]"
 *  (TG_ERR_SHAPE), weight/bias shape errors, TG_ERR_DTYPE for non-floating input
 *  ('"LayerNormKernelImpl" not implemented for 'Long'') and mismatched parameter dtypes. */
TG_API tg_tensor *tg_layer_norm(const tg_tensor *input, const int64_t *normalized_shape,
                                int ndim, const tg_tensor *weight, const tg_tensor *bias,
                                double eps);
/** F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps) for
 *  (N, C) and (N, C, *) inputs. Training: per-channel batch mean and biased variance; the
 *  running statistics given (each may be NULL) are updated in place as PyTorch's CPU kernel
 *  does (r = (1 - momentum) r + momentum stat, with the unbiased variance for running_var; the
 *  version counter is not bumped). Evaluation normalises with the running statistics (both
 *  required). NativeBatchNormBackward0 in both modes (input, weight and bias differentiable).
 *  Errors: TG_ERR_SHAPE ("Expected more than 1 value per channel when training, got input size
 *  torch.Size([1, 3])", "running_mean should contain 3 elements not 4", ...),
 *  TG_ERR_INVALID_ARG ("running_mean must be defined in evaluation mode"), TG_ERR_DTYPE. */
TG_API tg_tensor *tg_batch_norm(const tg_tensor *input, tg_tensor *running_mean,
                                tg_tensor *running_var, const tg_tensor *weight,
                                const tg_tensor *bias, bool training, double momentum,
                                double eps);
/** F.embedding(indices, weight, padding_idx): the rows weight[indices] with shape
 *  indices.shape + (D,). weight is (num_embeddings, D); indices int64; padding_idx in
 *  [-num_embeddings, num_embeddings) (negative counts from the end) or TG_NO_PADDING_IDX; rows
 *  at padding_idx receive no gradient. EmbeddingBackward0. Errors: TG_ERR_SHAPE ("'weight' must
 *  be 2-D"), TG_ERR_DTYPE (indices not int64), TG_ERR_INDEX ("index out of range in self"),
 *  TG_ERR_INVALID_ARG ("Padding_idx must be within num_embeddings"). */
TG_API tg_tensor *tg_embedding(const tg_tensor *weight, const tg_tensor *indices,
                               int64_t padding_idx);

/* ---- ops: convolution, pooling, attention (src/ops/conv.c) ---- [section:conv] */
/* Convolution, pooling and attention as torch.nn.functional 2.x. Spatial parameters are arrays
 * of one value per spatial dim (1 for conv1d, 2 for the 2-D ops: height, width), or NULL for
 * PyTorch's default; a Python int k is {k} / {k, k}. Inputs may be batched ([N, C, ...]) or
 * unbatched ([C, ...]). Errors carry PyTorch's text after "tg_<fn>: ": TG_ERR_SHAPE for ranks,
 * channel counts and sizes, TG_ERR_INVALID_ARG for out-of-range parameters, TG_ERR_DTYPE. */

/** F.conv2d(input, weight, bias, stride, padding, dilation, groups): input [N, C, H, W] or
 *  [C, H, W], weight [O, C / groups, kH, kW], bias NULL or [O]; stride (default 1), padding
 *  (zeros added on both sides, default 0) and dilation (default 1) hold 2 values each.
 *  ConvolutionBackward0 (input, weight and bias differentiable; an unbatched input is
 *  unsqueezed first and the result squeezed: SqueezeBackward1). Gradients are ops of their own
 *  (ConvolutionBackwardBackward0), so they can be differentiated again. float32, float64, int64
 *  (no gradient). A zero batch or zero input channels give an empty result. Errors, PyTorch's
 *  texts in its order: "Input type (float) and bias type (double) should be the same",
 *  "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]",
 *  "weight should have at least three dimensions", "non-positive groups is not supported",
 *  "expected stride to be a single integer value or a list of 1 values to match the convolution
 *  dimensions, but got stride=[1, 1]", "negative padding is not supported", "non-positive
 *  stride is not supported", "dilation should be greater than zero", "Given groups=2, expected
 *  weight to be divisible by 2 at dimension 0, ...", "Given groups=1, weight of size
 *  [4, 3, 3, 3], expected input[1, 2, 5, 5] to have 3 channels, but got 2 channels instead",
 *  the bias size, "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3).
 *  Kernel size can't be greater than actual input size", "Only zero batch or zero channel
 *  inputs are supported, ...", TG_ERR_DTYPE "\"slow_conv2d_cpu\" not implemented for 'Bool'"
 *  and "expected scalar type Float but found Double" for a weight of another dtype. */
TG_API tg_tensor *tg_conv2d(const tg_tensor *input, const tg_tensor *weight, const tg_tensor *bias,
                            const int64_t *stride, const int64_t *padding,
                            const int64_t *dilation, int64_t groups);
/** F.conv1d: as tg_conv2d for input [N, C, L] or [C, L] and weight [O, C / groups, k], with one
 *  value in stride, padding and dilation (computed as conv2d with height 1, as PyTorch). */
TG_API tg_tensor *tg_conv1d(const tg_tensor *input, const tg_tensor *weight, const tg_tensor *bias,
                            const int64_t *stride, const int64_t *padding,
                            const int64_t *dilation, int64_t groups);
/** F.conv2d / F.conv1d with padding="valid" (no padding) or "same" (the output keeps the
 *  input's size: dilation (k - 1) zeros per dim, the odd one after; stride must be 1). Errors
 *  as tg_conv2d, plus "Invalid padding string: 'full'", "padding='same' is not supported for
 *  strided convolutions"; a bias of another dtype is "expected scalar type Float but found
 *  Double" here (PyTorch 1.13 casts it). */
TG_API tg_tensor *tg_conv2d_padding(const tg_tensor *input, const tg_tensor *weight,
                                    const tg_tensor *bias, const int64_t *stride,
                                    const char *padding, const int64_t *dilation, int64_t groups);
TG_API tg_tensor *tg_conv1d_padding(const tg_tensor *input, const tg_tensor *weight,
                                    const tg_tensor *bias, const int64_t *stride,
                                    const char *padding, const int64_t *dilation, int64_t groups);

/** F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode) on [N, C, H, W] or
 *  [C, H, W]: the largest element of each (dilated) window, the first of equal ones, NaN wins.
 *  stride NULL means kernel_size; padding (implicit -inf) default 0, dilation default 1; ceil_mode
 *  rounds the output size up (a window must start inside the input or its left padding).
 *  MaxPool2DWithIndicesBackward0: the gradient goes to each window's argmax (summed where
 *  windows share it). float32, float64, int64 (PyTorch 2.x; no gradient). Errors (PyTorch's
 *  texts): "non-empty 3D or 4D (batch mode) tensor expected for input", "stride should not be
 *  zero", "pad must be non-negative, but got pad: -1", "pad should be at most half of effective
 *  kernel size, but got pad=2, kernel_size=2 and dilation=1", "kernel size should be greater
 *  than zero, but got kH: 0 kW: 0", "stride should be greater than zero, ...", "dilation should
 *  be greater than zero, ...", "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch
 *  size for input, but got:[1, 0, 5, 5]", "pad should be smaller than or equal to half of
 *  kernel size, ...", "Given input size: (2x5x5). Calculated output size: (2x0x0). Output size
 *  is too small", "\"max_pool2d\" not implemented for 'Bool'". */
TG_API tg_tensor *tg_max_pool2d(const tg_tensor *input, const int64_t *kernel_size,
                                const int64_t *stride, const int64_t *padding,
                                const int64_t *dilation, bool ceil_mode);
/** F.max_pool2d(..., return_indices=True): *out as tg_max_pool2d and *indices (int64, may be
 *  NULL when not wanted) the argmax of each window as a flat index h * W + w into its [H, W]
 *  plane. Both belong to the current scope; on failure both are set to NULL. */
TG_API tg_status tg_max_pool2d_with_indices(const tg_tensor *input, const int64_t *kernel_size,
                                            const int64_t *stride, const int64_t *padding,
                                            const int64_t *dilation, bool ceil_mode,
                                            tg_tensor **out, tg_tensor **indices);
/** F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
 *  divisor_override): the mean of each window (zero padding); the divisor is *divisor_override
 *  when given (NULL: None), else the window size, counting the padding it covers when
 *  count_include_pad (PyTorch's default is true). AvgPool2DBackward0 (each output's gradient /
 *  its divisor spread over its window; that op, AvgPool2DBackwardBackward0, differentiates
 *  again). float32, float64, int64 (a truncating division, no gradient). Errors as
 *  tg_max_pool2d (without dilation), plus "divisor must be not zero" and TG_ERR_INDEX for fewer
 *  than 3 dims ("Dimension out of range (expected to be in range of [-2, 1], but got -3)"). */
TG_API tg_tensor *tg_avg_pool2d(const tg_tensor *input, const int64_t *kernel_size,
                                const int64_t *stride, const int64_t *padding, bool ceil_mode,
                                bool count_include_pad, const int64_t *divisor_override);
/** F.adaptive_avg_pool2d(input, output_size): output_size {OH, OW}; output (i, j) is the mean
 *  of rows floor(i H / OH) .. ceil((i + 1) H / OH) - 1 and the columns alike. A 1x1 output is
 *  input.mean((-1, -2), keepdim=True), as PyTorch computes it (MeanBackward1; any rank >= 2);
 *  otherwise AdaptiveAvgPool2DBackward0 on [N, C, H, W] / [C, H, W] (its backward op
 *  AdaptiveAvgPool2DBackwardBackward0). float32, float64. Errors: "adaptive_avg_pool2d:
 *  elements of output_size must be greater than or equal to 0 but received {-1, 2}",
 *  "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [2, 3]", "adaptive_avg_pool2d():
 *  Expected input to have non-zero size for non-batch dimensions, but input has sizes
 *  [1, 2, 0, 5] with dimension 2 being empty", TG_ERR_DTYPE "\"adaptive_avg_pool2d\" not
 *  implemented for 'Long'" (1x1: "mean(): could not infer output dtype. ..."). */
TG_API tg_tensor *tg_adaptive_avg_pool2d(const tg_tensor *input, const int64_t *output_size);

/** F.scaled_dot_product_attention(query, key, value, attn_mask, dropout_p, is_causal, scale):
 *  softmax(q k^T * scale + mask) v for q [..., L, E], k [..., S, E], v [..., S, Ev] (batch dims
 *  broadcast as in matmul) -> [..., L, Ev]. scale NULL is 1 / sqrt(E). attn_mask NULL, bool
 *  (true = take part; false becomes -inf) or float (added; float32 or q's dtype), broadcastable
 *  to [..., L, S]; is_causal masks above the diagonal of ones(L, S).tril(). A row masked
 *  entirely gives zeros (PyTorch 2.5+'s _safe_softmax; the documented reference gives NaN).
 *  Composed of public ops as PyTorch's math backend (q and k each scaled by sqrt(scale)), so the
 *  result's node is matmul's: UnsafeViewBackward0 for batched inputs (MmBackward0 for 2-D);
 *  q, k, v and a float mask are differentiable. (For 4-D inputs PyTorch's CPU may pick a fused
 *  kernel with another node name; values agree.) dropout_p must be 0: TG_ERR_INVALID_ARG
 *  otherwise (apply dropout yourself). float32, float64. Errors: "Expected query, key, and
 *  value to have the same dtype, but got query.dtype: float key.dtype: double and value.dtype:
 *  float instead.", "Expected query, key, and value to all be  at least 2 dimensional, ...",
 *  "Expected attn_mask dtype to be bool or float or to match query dtype, ...",
 *  "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True",
 *  and those of the matmuls and the mask's broadcast under this function's name. */
TG_API tg_tensor *tg_scaled_dot_product_attention(const tg_tensor *query, const tg_tensor *key,
                                                  const tg_tensor *value,
                                                  const tg_tensor *attn_mask, double dropout_p,
                                                  bool is_causal, const double *scale);

/* ---- ops: random sampling and dropout (src/ops/random.c) ---- [section:random] */
/* Every sampler draws from its ctx's generator (tg_manual_seed) exactly as PyTorch's CPU kernel
 * draws from its generator, element by element in the order PyTorch visits them, so after
 * tg_manual_seed(ctx, s) a sequence of calls gives the numbers torch.manual_seed(s) and the same
 * calls give (Debian's torch 1.13 on an AVX2 CPU; the generator is shared with tg_rand /
 * tg_randn, including randn's cached normal sample). A failing call draws nothing unless said.
 * The in-place samplers (tg_random_, tg_normal_, tg_uniform_, tg_bernoulli_) follow the in-place
 * rules above: on a non-leaf that requires grad they record a node (RandomBackward0,
 * NormalBackward0, UniformBackward0, BernoulliBackward2) that gives the old values a zero
 * gradient; on a leaf requiring grad they fail (TG_ERR_AUTOGRAD, PyTorch's message) before any
 * other check. An expanded self fails with TG_ERR_INVALID_ARG "unsupported operation: more than
 * one element of the written-to tensor refers to a single memory location. ...". */

/** torch.randint(low, high, shape, dtype=dtype): integers in [low, high), each (draw % (high -
 *  low)) + low with a 32-bit draw (a 64-bit one when high - low >= 2^32). PyTorch's default dtype
 *  here is TG_INT64; float32/float64/bool work as in PyTorch. Never requires grad. Errors:
 *  TG_ERR_INVALID_ARG "random_ expects 'from' to be less than 'to', but got from=5 >= to=5",
 *  "to - 1 is out of bounds for bool" (and "from ..."); shape errors as tg_zeros. For floating
 *  dtypes, bounds beyond +-2^24 (float32) / 2^53 (float64) give PyTorch's warning. */
TG_API tg_tensor *tg_randint(tg_ctx *ctx, int64_t low, int64_t high, const int64_t *shape,
                             int ndim, tg_dtype dtype);
/** self.random_(from, to): tg_randint's values written into self (any dtype) in place.
 *  RandomBackward0. Errors as tg_randint. */
TG_API tg_status tg_random_(tg_tensor *self, int64_t from, int64_t to);
/** self.normal_(mean, std): normal samples in place. A contiguous float tensor of 16 or more
 *  elements takes PyTorch's block Box-Muller fill; smaller or non-contiguous tensors draw one
 *  scalar Box-Muller sample per element. NormalBackward0. Errors: TG_ERR_INVALID_ARG "normal
 *  expects std >= 0.0, but found std -1"; TG_ERR_DTYPE "\"normal_kernel_cpu\" not implemented
 *  for 'Long'". */
TG_API tg_status tg_normal_(tg_tensor *self, double mean, double std);
/** self.uniform_(from, to): uniform samples on [from, to) in place. UniformBackward0. Errors:
 *  TG_ERR_DTYPE "\"check_uniform_bounds\" not implemented for 'Long'"; TG_ERR_INVALID_ARG "from
 *  is out of bounds for float" (also "to ...", NaN included), "uniform_ expects to return a
 *  [from, to) range, but found from=2 > to=1", "uniform_ expects to-from <=
 *  std::numeric_limits<Float>::max(), but found to=3e+38 and from=-3e+38 which result in
 *  to-from to exceed the limit". */
TG_API tg_status tg_uniform_(tg_tensor *self, double from, double to);
/** self.bernoulli_(p): each element becomes 1 with probability p (one 64-bit draw each), in any
 *  dtype. BernoulliBackward2. TG_ERR_INVALID_ARG "bernoulli_ expects p to be in [0, 1], but got
 *  p=1.5" (NaN too). */
TG_API tg_status tg_bernoulli_(tg_tensor *self, double p);
/** torch.bernoulli(input): a new tensor of input's shape and dtype (float32/float64) holding 1
 *  with probability input[i] per element (a 32-bit draw per float32 element, 64-bit per float64
 *  one). BernoulliBackward0 (zero gradient) when input requires grad. Errors: TG_ERR_DTYPE
 *  "\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'"; TG_ERR_INVALID_ARG "Expected p_in
 *  >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  ...)"
 *  for a probability outside [0, 1] (the elements before it have been drawn, as in PyTorch). */
TG_API tg_tensor *tg_bernoulli(const tg_tensor *input);
/** F.dropout(input, p, training): in training, input * mask / (1 - p) with mask drawn as
 *  bernoulli_(1 - p) on a contiguous tensor of input's shape; the result is tg_mul's
 *  (MulBackward0) and the gradient is upstream * mask / (1 - p). p 1 gives input * 0 (zeros,
 *  NaN where input is NaN or infinite; MulBackward0); p 0, evaluation (training false) or an
 *  empty input return input itself (a new reference in the current scope). Errors:
 *  TG_ERR_INVALID_ARG "dropout probability has to be between 0 and 1, but got 1.5" (NaN too);
 *  TG_ERR_DTYPE "result type Float can't be cast to the desired output type Long" for an
 *  integer or bool input with 0 < p < 1 in training (after the mask was drawn, as PyTorch). */
TG_API tg_tensor *tg_dropout(const tg_tensor *input, double p, bool training);
/** F.dropout(input, p, training, inplace=True): input.mul_(mask / (1 - p)) (MulBackward0 on a
 *  non-leaf); nothing for p 0, evaluation or an empty input. Errors as tg_dropout, plus the
 *  in-place ones (leaf requiring grad, expanded input), which PyTorch reports after drawing the
 *  mask, and so do we. */
TG_API tg_status tg_dropout_(tg_tensor *input, double p, bool training);

/* ---------------------------------------------------------------------------------------------
 * gradcheck: compares backward's Jacobian with central differences in float64.
 * ------------------------------------------------------------------------------------------- */

/** The function under test: computes one output tensor from n inputs (owned by the current
 *  scope, as any op result). Return NULL on failure. */
typedef tg_tensor *(*tg_gradcheck_fn)(tg_tensor *const *inputs, int n, void *user);

typedef struct tg_gradcheck_opts {
    double eps;  /* perturbation; 0 means PyTorch's 1e-6 */
    double atol; /* 0 means 1e-5 */
    double rtol; /* 0 means 1e-3 */
    bool check_forward_ad; /* also compare forward-mode tangents (J e_i, column by column) with
                              the numerical Jacobian, as PyTorch's check_forward_ad */
} tg_gradcheck_opts;

/** torch.autograd.gradcheck: for every input that requires grad, perturbs each element by +-eps
 *  (in place, under no_grad), and compares (f(x+eps) - f(x-eps)) / 2eps with the analytical
 *  vector-Jacobian rows from backward, |a - n| <= atol + rtol |n|. Returns TG_OK when they agree;
 *  otherwise TG_ERR_AUTOGRAD with PyTorch's "Jacobian mismatch for output 0 with respect to input
 *  i, numerical:... analytical:..." message. Inputs should be float64. */
TG_API tg_status tg_gradcheck(tg_gradcheck_fn fn, tg_tensor *const *inputs, int n, void *user,
                              const tg_gradcheck_opts *opts);

/** torch.autograd.gradgradcheck: gradcheck of (inputs, v) -> d(fn(inputs) . v)/d inputs, i.e.
 *  of the backward itself (second derivatives), for every input that requires grad. grad_output
 *  v NULL draws one from the ctx's generator (requiring grad, so the check covers v too). */
TG_API tg_status tg_gradgradcheck(tg_gradcheck_fn fn, tg_tensor *const *inputs, int n, void *user,
                                  tg_tensor *grad_output, const tg_gradcheck_opts *opts);

/** torch.utils.checkpoint(fn, *inputs): runs fn without recording its inside and records one
 *  CheckpointFunctionBackward node instead; backward runs fn again with grad mode on (and the
 *  ctx's generator state as it was, so random ops repeat) and backpropagates through that.
 *  Trades compute for memory: nothing inside fn is kept between forward and backward but its
 *  inputs (at most 8). Every tensor that needs a gradient must be one of the inputs (as with
 *  PyTorch's reentrant checkpoint, tensors fn reaches otherwise get none). *output receives
 *  fn's result, owned by the current scope; it may alias an entry of inputs. */
TG_API tg_status tg_checkpoint(tg_gradcheck_fn fn, tg_tensor *const *inputs, int n, void *user,
                               tg_tensor **output);

/* ---------------------------------------------------------------------------------------------
 * Forward-mode AD (torch.autograd.forward_ad). Inside a dual level, tensors made with
 * tg_make_dual carry a tangent; every op on them gives its result the tangent J t (derived from
 * the op's backward formula), also under no_grad; detach and inference mode drop tangents.
 * Printing shows ", tangent=tensor(...)".
 * ------------------------------------------------------------------------------------------- */

/** enter_dual_level / exit_dual_level. One level at a time, as PyTorch (nesting: TG_ERR_AUTOGRAD
 *  "Nested forward mode AD is not supported at the moment"). Tangents of an exited level are
 *  ignored. */
TG_API tg_status tg_fwad_enter(tg_ctx *ctx);
TG_API tg_status tg_fwad_exit(tg_ctx *ctx);
/** make_dual(primal, tangent): a view of primal carrying tangent (converted to primal's dtype).
 *  Errors with PyTorch's messages: no level, a non-floating primal, a tangent of another size. */
TG_API tg_tensor *tg_make_dual(const tg_tensor *primal, const tg_tensor *tangent);
/** unpack_dual(t): *primal (a view of t without the tangent) and *tangent (NULL when t carries
 *  none at the current level); either pointer may be NULL. Results belong to the current scope. */
TG_API tg_status tg_unpack_dual(const tg_tensor *t, tg_tensor **primal, tg_tensor **tangent);

/* ---------------------------------------------------------------------------------------------
 * Functional API (torch.autograd.functional) for a function of n tensors returning one tensor
 * (the tg_gradcheck_fn signature). Inputs are not modified; results belong to the current scope
 * and are detached unless create_graph.
 * ------------------------------------------------------------------------------------------- */

typedef struct tg_functional_opts {
    bool create_graph; /* results keep a graph, so they can be differentiated again */
    bool strict;       /* an output independent of an input is an error instead of zeros */
    bool forward_mode; /* tg_jacobian only: build it column by column with forward-mode AD (one
                          forward per input element) instead of row by row with backward (one
                          backward per output element) — cheaper when the inputs are fewer
                          than the outputs (PyTorch's strategy="forward-mode") */
} tg_functional_opts;

/** jacobian(f, inputs): jac[i] has shape f(x).shape + inputs[i].shape. One forward; one
 *  backward per output element over the retained graph. */
TG_API tg_status tg_jacobian(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user,
                             const tg_functional_opts *opts, tg_tensor **jac);
/** hessian(f, inputs) for a one-element f: hess[i*n + j] = d2f / dx_i dx_j, of shape
 *  inputs[i].shape + inputs[j].shape. */
TG_API tg_status tg_hessian(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user,
                            const tg_functional_opts *opts, tg_tensor **hess);
/** vjp(f, inputs, v): *output = f(x) (may be NULL), vjp[i] = v^T J_i. v may be NULL only when
 *  f(x) has one element. */
TG_API tg_status tg_vjp(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user,
                        const tg_tensor *v, const tg_functional_opts *opts, tg_tensor **output,
                        tg_tensor **vjp);
/** jvp(f, inputs, v): *jvp = sum_i J_i v_i (one tensor, f(x)'s shape), by the double-backward
 *  trick as PyTorch computes it. v (n tensors) may be NULL only for one one-element input. */
TG_API tg_status tg_jvp(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user,
                        tg_tensor *const *v, const tg_functional_opts *opts, tg_tensor **output,
                        tg_tensor **jvp);
/** vhp / hvp for a one-element f: vhp[i] = (v^T H)_i and hvp[i] = (H v)_i, v holding n tensors
 *  shaped like the inputs. */
TG_API tg_status tg_vhp(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user,
                        tg_tensor *const *v, const tg_functional_opts *opts, tg_tensor **output,
                        tg_tensor **vhp);
TG_API tg_status tg_hvp(tg_gradcheck_fn f, tg_tensor *const *inputs, int n, void *user,
                        tg_tensor *const *v, const tg_functional_opts *opts, tg_tensor **output,
                        tg_tensor **hvp);

#ifdef __cplusplus
}
#endif

/* <<< anomaly locations: generated by tools/gen_location_macros.py, do not edit >>> */
#ifdef TG_ANOMALY_LOCATIONS
#define tg_add(...) (tg_set_location(__FILE__, __LINE__), (tg_add)(__VA_ARGS__))
#define tg_sub(...) (tg_set_location(__FILE__, __LINE__), (tg_sub)(__VA_ARGS__))
#define tg_mul(...) (tg_set_location(__FILE__, __LINE__), (tg_mul)(__VA_ARGS__))
#define tg_div(...) (tg_set_location(__FILE__, __LINE__), (tg_div)(__VA_ARGS__))
#define tg_pow(...) (tg_set_location(__FILE__, __LINE__), (tg_pow)(__VA_ARGS__))
#define tg_add_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_add_scalar)(__VA_ARGS__))
#define tg_sub_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_sub_scalar)(__VA_ARGS__))
#define tg_rsub_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_rsub_scalar)(__VA_ARGS__))
#define tg_mul_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_mul_scalar)(__VA_ARGS__))
#define tg_div_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_div_scalar)(__VA_ARGS__))
#define tg_rdiv_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_rdiv_scalar)(__VA_ARGS__))
#define tg_pow_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_pow_scalar)(__VA_ARGS__))
#define tg_rpow_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_rpow_scalar)(__VA_ARGS__))
#define tg_neg(...) (tg_set_location(__FILE__, __LINE__), (tg_neg)(__VA_ARGS__))
#define tg_exp(...) (tg_set_location(__FILE__, __LINE__), (tg_exp)(__VA_ARGS__))
#define tg_log(...) (tg_set_location(__FILE__, __LINE__), (tg_log)(__VA_ARGS__))
#define tg_sqrt(...) (tg_set_location(__FILE__, __LINE__), (tg_sqrt)(__VA_ARGS__))
#define tg_abs(...) (tg_set_location(__FILE__, __LINE__), (tg_abs)(__VA_ARGS__))
#define tg_eq(...) (tg_set_location(__FILE__, __LINE__), (tg_eq)(__VA_ARGS__))
#define tg_ne(...) (tg_set_location(__FILE__, __LINE__), (tg_ne)(__VA_ARGS__))
#define tg_lt(...) (tg_set_location(__FILE__, __LINE__), (tg_lt)(__VA_ARGS__))
#define tg_le(...) (tg_set_location(__FILE__, __LINE__), (tg_le)(__VA_ARGS__))
#define tg_gt(...) (tg_set_location(__FILE__, __LINE__), (tg_gt)(__VA_ARGS__))
#define tg_ge(...) (tg_set_location(__FILE__, __LINE__), (tg_ge)(__VA_ARGS__))
#define tg_eq_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_eq_scalar)(__VA_ARGS__))
#define tg_ne_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_ne_scalar)(__VA_ARGS__))
#define tg_lt_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_lt_scalar)(__VA_ARGS__))
#define tg_le_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_le_scalar)(__VA_ARGS__))
#define tg_gt_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_gt_scalar)(__VA_ARGS__))
#define tg_ge_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_ge_scalar)(__VA_ARGS__))
#define tg_sum(...) (tg_set_location(__FILE__, __LINE__), (tg_sum)(__VA_ARGS__))
#define tg_sum_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_sum_dim)(__VA_ARGS__))
#define tg_mean(...) (tg_set_location(__FILE__, __LINE__), (tg_mean)(__VA_ARGS__))
#define tg_mean_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_mean_dim)(__VA_ARGS__))
#define tg_norm(...) (tg_set_location(__FILE__, __LINE__), (tg_norm)(__VA_ARGS__))
#define tg_norm_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_norm_dim)(__VA_ARGS__))
#define tg_mm(...) (tg_set_location(__FILE__, __LINE__), (tg_mm)(__VA_ARGS__))
#define tg_matmul(...) (tg_set_location(__FILE__, __LINE__), (tg_matmul)(__VA_ARGS__))
#define tg_view(...) (tg_set_location(__FILE__, __LINE__), (tg_view)(__VA_ARGS__))
#define tg_reshape(...) (tg_set_location(__FILE__, __LINE__), (tg_reshape)(__VA_ARGS__))
#define tg_transpose(...) (tg_set_location(__FILE__, __LINE__), (tg_transpose)(__VA_ARGS__))
#define tg_t(...) (tg_set_location(__FILE__, __LINE__), (tg_t)(__VA_ARGS__))
#define tg_expand(...) (tg_set_location(__FILE__, __LINE__), (tg_expand)(__VA_ARGS__))
#define tg_unsqueeze(...) (tg_set_location(__FILE__, __LINE__), (tg_unsqueeze)(__VA_ARGS__))
#define tg_clone(...) (tg_set_location(__FILE__, __LINE__), (tg_clone)(__VA_ARGS__))
#define tg_contiguous(...) (tg_set_location(__FILE__, __LINE__), (tg_contiguous)(__VA_ARGS__))
#define tg_add_(...) (tg_set_location(__FILE__, __LINE__), (tg_add_)(__VA_ARGS__))
#define tg_sub_(...) (tg_set_location(__FILE__, __LINE__), (tg_sub_)(__VA_ARGS__))
#define tg_mul_(...) (tg_set_location(__FILE__, __LINE__), (tg_mul_)(__VA_ARGS__))
#define tg_div_(...) (tg_set_location(__FILE__, __LINE__), (tg_div_)(__VA_ARGS__))
#define tg_add_scalar_(...) (tg_set_location(__FILE__, __LINE__), (tg_add_scalar_)(__VA_ARGS__))
#define tg_sub_scalar_(...) (tg_set_location(__FILE__, __LINE__), (tg_sub_scalar_)(__VA_ARGS__))
#define tg_mul_scalar_(...) (tg_set_location(__FILE__, __LINE__), (tg_mul_scalar_)(__VA_ARGS__))
#define tg_div_scalar_(...) (tg_set_location(__FILE__, __LINE__), (tg_div_scalar_)(__VA_ARGS__))
#define tg_zero_(...) (tg_set_location(__FILE__, __LINE__), (tg_zero_)(__VA_ARGS__))
#define tg_fill_(...) (tg_set_location(__FILE__, __LINE__), (tg_fill_)(__VA_ARGS__))
#define tg_copy_(...) (tg_set_location(__FILE__, __LINE__), (tg_copy_)(__VA_ARGS__))
#define tg_permute(...) (tg_set_location(__FILE__, __LINE__), (tg_permute)(__VA_ARGS__))
#define tg_squeeze(...) (tg_set_location(__FILE__, __LINE__), (tg_squeeze)(__VA_ARGS__))
#define tg_squeeze_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_squeeze_dim)(__VA_ARGS__))
#define tg_expand_as(...) (tg_set_location(__FILE__, __LINE__), (tg_expand_as)(__VA_ARGS__))
#define tg_flatten(...) (tg_set_location(__FILE__, __LINE__), (tg_flatten)(__VA_ARGS__))
#define tg_unflatten(...) (tg_set_location(__FILE__, __LINE__), (tg_unflatten)(__VA_ARGS__))
#define tg_narrow(...) (tg_set_location(__FILE__, __LINE__), (tg_narrow)(__VA_ARGS__))
#define tg_slice(...) (tg_set_location(__FILE__, __LINE__), (tg_slice)(__VA_ARGS__))
#define tg_select(...) (tg_set_location(__FILE__, __LINE__), (tg_select)(__VA_ARGS__))
#define tg_split(...) (tg_set_location(__FILE__, __LINE__), (tg_split)(__VA_ARGS__))
#define tg_split_with_sizes(...) (tg_set_location(__FILE__, __LINE__), (tg_split_with_sizes)(__VA_ARGS__))
#define tg_chunk(...) (tg_set_location(__FILE__, __LINE__), (tg_chunk)(__VA_ARGS__))
#define tg_cat(...) (tg_set_location(__FILE__, __LINE__), (tg_cat)(__VA_ARGS__))
#define tg_stack(...) (tg_set_location(__FILE__, __LINE__), (tg_stack)(__VA_ARGS__))
#define tg_repeat(...) (tg_set_location(__FILE__, __LINE__), (tg_repeat)(__VA_ARGS__))
#define tg_flip(...) (tg_set_location(__FILE__, __LINE__), (tg_flip)(__VA_ARGS__))
#define tg_log1p(...) (tg_set_location(__FILE__, __LINE__), (tg_log1p)(__VA_ARGS__))
#define tg_expm1(...) (tg_set_location(__FILE__, __LINE__), (tg_expm1)(__VA_ARGS__))
#define tg_rsqrt(...) (tg_set_location(__FILE__, __LINE__), (tg_rsqrt)(__VA_ARGS__))
#define tg_sin(...) (tg_set_location(__FILE__, __LINE__), (tg_sin)(__VA_ARGS__))
#define tg_cos(...) (tg_set_location(__FILE__, __LINE__), (tg_cos)(__VA_ARGS__))
#define tg_tan(...) (tg_set_location(__FILE__, __LINE__), (tg_tan)(__VA_ARGS__))
#define tg_tanh(...) (tg_set_location(__FILE__, __LINE__), (tg_tanh)(__VA_ARGS__))
#define tg_sigmoid(...) (tg_set_location(__FILE__, __LINE__), (tg_sigmoid)(__VA_ARGS__))
#define tg_sign(...) (tg_set_location(__FILE__, __LINE__), (tg_sign)(__VA_ARGS__))
#define tg_reciprocal(...) (tg_set_location(__FILE__, __LINE__), (tg_reciprocal)(__VA_ARGS__))
#define tg_square(...) (tg_set_location(__FILE__, __LINE__), (tg_square)(__VA_ARGS__))
#define tg_floor(...) (tg_set_location(__FILE__, __LINE__), (tg_floor)(__VA_ARGS__))
#define tg_ceil(...) (tg_set_location(__FILE__, __LINE__), (tg_ceil)(__VA_ARGS__))
#define tg_round(...) (tg_set_location(__FILE__, __LINE__), (tg_round)(__VA_ARGS__))
#define tg_relu(...) (tg_set_location(__FILE__, __LINE__), (tg_relu)(__VA_ARGS__))
#define tg_leaky_relu(...) (tg_set_location(__FILE__, __LINE__), (tg_leaky_relu)(__VA_ARGS__))
#define tg_elu(...) (tg_set_location(__FILE__, __LINE__), (tg_elu)(__VA_ARGS__))
#define tg_gelu(...) (tg_set_location(__FILE__, __LINE__), (tg_gelu)(__VA_ARGS__))
#define tg_silu(...) (tg_set_location(__FILE__, __LINE__), (tg_silu)(__VA_ARGS__))
#define tg_softplus(...) (tg_set_location(__FILE__, __LINE__), (tg_softplus)(__VA_ARGS__))
#define tg_clamp(...) (tg_set_location(__FILE__, __LINE__), (tg_clamp)(__VA_ARGS__))
#define tg_clamp_min(...) (tg_set_location(__FILE__, __LINE__), (tg_clamp_min)(__VA_ARGS__))
#define tg_clamp_max(...) (tg_set_location(__FILE__, __LINE__), (tg_clamp_max)(__VA_ARGS__))
#define tg_maximum(...) (tg_set_location(__FILE__, __LINE__), (tg_maximum)(__VA_ARGS__))
#define tg_minimum(...) (tg_set_location(__FILE__, __LINE__), (tg_minimum)(__VA_ARGS__))
#define tg_atan2(...) (tg_set_location(__FILE__, __LINE__), (tg_atan2)(__VA_ARGS__))
#define tg_relu_(...) (tg_set_location(__FILE__, __LINE__), (tg_relu_)(__VA_ARGS__))
#define tg_sigmoid_(...) (tg_set_location(__FILE__, __LINE__), (tg_sigmoid_)(__VA_ARGS__))
#define tg_tanh_(...) (tg_set_location(__FILE__, __LINE__), (tg_tanh_)(__VA_ARGS__))
#define tg_clamp_(...) (tg_set_location(__FILE__, __LINE__), (tg_clamp_)(__VA_ARGS__))
#define tg_clamp_min_(...) (tg_set_location(__FILE__, __LINE__), (tg_clamp_min_)(__VA_ARGS__))
#define tg_clamp_max_(...) (tg_set_location(__FILE__, __LINE__), (tg_clamp_max_)(__VA_ARGS__))
#define tg_prod(...) (tg_set_location(__FILE__, __LINE__), (tg_prod)(__VA_ARGS__))
#define tg_prod_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_prod_dim)(__VA_ARGS__))
#define tg_max(...) (tg_set_location(__FILE__, __LINE__), (tg_max)(__VA_ARGS__))
#define tg_min(...) (tg_set_location(__FILE__, __LINE__), (tg_min)(__VA_ARGS__))
#define tg_max_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_max_dim)(__VA_ARGS__))
#define tg_min_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_min_dim)(__VA_ARGS__))
#define tg_amax(...) (tg_set_location(__FILE__, __LINE__), (tg_amax)(__VA_ARGS__))
#define tg_amin(...) (tg_set_location(__FILE__, __LINE__), (tg_amin)(__VA_ARGS__))
#define tg_argmax(...) (tg_set_location(__FILE__, __LINE__), (tg_argmax)(__VA_ARGS__))
#define tg_argmin(...) (tg_set_location(__FILE__, __LINE__), (tg_argmin)(__VA_ARGS__))
#define tg_argmax_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_argmax_dim)(__VA_ARGS__))
#define tg_argmin_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_argmin_dim)(__VA_ARGS__))
#define tg_var(...) (tg_set_location(__FILE__, __LINE__), (tg_var)(__VA_ARGS__))
#define tg_var_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_var_dim)(__VA_ARGS__))
#define tg_std(...) (tg_set_location(__FILE__, __LINE__), (tg_std)(__VA_ARGS__))
#define tg_std_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_std_dim)(__VA_ARGS__))
#define tg_logsumexp(...) (tg_set_location(__FILE__, __LINE__), (tg_logsumexp)(__VA_ARGS__))
#define tg_cumsum(...) (tg_set_location(__FILE__, __LINE__), (tg_cumsum)(__VA_ARGS__))
#define tg_all(...) (tg_set_location(__FILE__, __LINE__), (tg_all)(__VA_ARGS__))
#define tg_any(...) (tg_set_location(__FILE__, __LINE__), (tg_any)(__VA_ARGS__))
#define tg_all_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_all_dim)(__VA_ARGS__))
#define tg_any_dim(...) (tg_set_location(__FILE__, __LINE__), (tg_any_dim)(__VA_ARGS__))
#define tg_index_select(...) (tg_set_location(__FILE__, __LINE__), (tg_index_select)(__VA_ARGS__))
#define tg_index_add(...) (tg_set_location(__FILE__, __LINE__), (tg_index_add)(__VA_ARGS__))
#define tg_gather(...) (tg_set_location(__FILE__, __LINE__), (tg_gather)(__VA_ARGS__))
#define tg_scatter(...) (tg_set_location(__FILE__, __LINE__), (tg_scatter)(__VA_ARGS__))
#define tg_scatter_value(...) (tg_set_location(__FILE__, __LINE__), (tg_scatter_value)(__VA_ARGS__))
#define tg_scatter_add(...) (tg_set_location(__FILE__, __LINE__), (tg_scatter_add)(__VA_ARGS__))
#define tg_scatter_(...) (tg_set_location(__FILE__, __LINE__), (tg_scatter_)(__VA_ARGS__))
#define tg_scatter_value_(...) (tg_set_location(__FILE__, __LINE__), (tg_scatter_value_)(__VA_ARGS__))
#define tg_scatter_add_(...) (tg_set_location(__FILE__, __LINE__), (tg_scatter_add_)(__VA_ARGS__))
#define tg_masked_fill(...) (tg_set_location(__FILE__, __LINE__), (tg_masked_fill)(__VA_ARGS__))
#define tg_masked_fill_(...) (tg_set_location(__FILE__, __LINE__), (tg_masked_fill_)(__VA_ARGS__))
#define tg_where(...) (tg_set_location(__FILE__, __LINE__), (tg_where)(__VA_ARGS__))
#define tg_where_scalar(...) (tg_set_location(__FILE__, __LINE__), (tg_where_scalar)(__VA_ARGS__))
#define tg_where_rscalar(...) (tg_set_location(__FILE__, __LINE__), (tg_where_rscalar)(__VA_ARGS__))
#define tg_index(...) (tg_set_location(__FILE__, __LINE__), (tg_index)(__VA_ARGS__))
#define tg_one_hot(...) (tg_set_location(__FILE__, __LINE__), (tg_one_hot)(__VA_ARGS__))
#define tg_bmm(...) (tg_set_location(__FILE__, __LINE__), (tg_bmm)(__VA_ARGS__))
#define tg_mv(...) (tg_set_location(__FILE__, __LINE__), (tg_mv)(__VA_ARGS__))
#define tg_dot(...) (tg_set_location(__FILE__, __LINE__), (tg_dot)(__VA_ARGS__))
#define tg_outer(...) (tg_set_location(__FILE__, __LINE__), (tg_outer)(__VA_ARGS__))
#define tg_addmm(...) (tg_set_location(__FILE__, __LINE__), (tg_addmm)(__VA_ARGS__))
#define tg_linear(...) (tg_set_location(__FILE__, __LINE__), (tg_linear)(__VA_ARGS__))
#define tg_softmax(...) (tg_set_location(__FILE__, __LINE__), (tg_softmax)(__VA_ARGS__))
#define tg_log_softmax(...) (tg_set_location(__FILE__, __LINE__), (tg_log_softmax)(__VA_ARGS__))
#define tg_nll_loss(...) (tg_set_location(__FILE__, __LINE__), (tg_nll_loss)(__VA_ARGS__))
#define tg_cross_entropy(...) (tg_set_location(__FILE__, __LINE__), (tg_cross_entropy)(__VA_ARGS__))
#define tg_mse_loss(...) (tg_set_location(__FILE__, __LINE__), (tg_mse_loss)(__VA_ARGS__))
#define tg_l1_loss(...) (tg_set_location(__FILE__, __LINE__), (tg_l1_loss)(__VA_ARGS__))
#define tg_smooth_l1_loss(...) (tg_set_location(__FILE__, __LINE__), (tg_smooth_l1_loss)(__VA_ARGS__))
#define tg_binary_cross_entropy(...) (tg_set_location(__FILE__, __LINE__), (tg_binary_cross_entropy)(__VA_ARGS__))
#define tg_binary_cross_entropy_with_logits(...) (tg_set_location(__FILE__, __LINE__), (tg_binary_cross_entropy_with_logits)(__VA_ARGS__))
#define tg_layer_norm(...) (tg_set_location(__FILE__, __LINE__), (tg_layer_norm)(__VA_ARGS__))
#define tg_batch_norm(...) (tg_set_location(__FILE__, __LINE__), (tg_batch_norm)(__VA_ARGS__))
#define tg_embedding(...) (tg_set_location(__FILE__, __LINE__), (tg_embedding)(__VA_ARGS__))
#define tg_conv2d(...) (tg_set_location(__FILE__, __LINE__), (tg_conv2d)(__VA_ARGS__))
#define tg_conv1d(...) (tg_set_location(__FILE__, __LINE__), (tg_conv1d)(__VA_ARGS__))
#define tg_conv2d_padding(...) (tg_set_location(__FILE__, __LINE__), (tg_conv2d_padding)(__VA_ARGS__))
#define tg_conv1d_padding(...) (tg_set_location(__FILE__, __LINE__), (tg_conv1d_padding)(__VA_ARGS__))
#define tg_max_pool2d(...) (tg_set_location(__FILE__, __LINE__), (tg_max_pool2d)(__VA_ARGS__))
#define tg_max_pool2d_with_indices(...) (tg_set_location(__FILE__, __LINE__), (tg_max_pool2d_with_indices)(__VA_ARGS__))
#define tg_avg_pool2d(...) (tg_set_location(__FILE__, __LINE__), (tg_avg_pool2d)(__VA_ARGS__))
#define tg_adaptive_avg_pool2d(...) (tg_set_location(__FILE__, __LINE__), (tg_adaptive_avg_pool2d)(__VA_ARGS__))
#define tg_scaled_dot_product_attention(...) (tg_set_location(__FILE__, __LINE__), (tg_scaled_dot_product_attention)(__VA_ARGS__))
#define tg_randint(...) (tg_set_location(__FILE__, __LINE__), (tg_randint)(__VA_ARGS__))
#define tg_random_(...) (tg_set_location(__FILE__, __LINE__), (tg_random_)(__VA_ARGS__))
#define tg_normal_(...) (tg_set_location(__FILE__, __LINE__), (tg_normal_)(__VA_ARGS__))
#define tg_uniform_(...) (tg_set_location(__FILE__, __LINE__), (tg_uniform_)(__VA_ARGS__))
#define tg_bernoulli_(...) (tg_set_location(__FILE__, __LINE__), (tg_bernoulli_)(__VA_ARGS__))
#define tg_bernoulli(...) (tg_set_location(__FILE__, __LINE__), (tg_bernoulli)(__VA_ARGS__))
#define tg_dropout(...) (tg_set_location(__FILE__, __LINE__), (tg_dropout)(__VA_ARGS__))
#define tg_dropout_(...) (tg_set_location(__FILE__, __LINE__), (tg_dropout_)(__VA_ARGS__))
#define tg_function_apply(...) (tg_set_location(__FILE__, __LINE__), (tg_function_apply)(__VA_ARGS__))
#endif
/* <<< end of anomaly locations >>> */

#endif /* TENSORGRAD_H */
