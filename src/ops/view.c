/*
 * view.c — ops that alias their input's storage (view, reshape's view path, transpose, t,
 * expand, unsqueeze) plus clone/contiguous and dtype conversion, with their backward formulas.
 * A view records its base so in-place checks can see through it.
 */
#include "ops.h"

#include <string.h>

typedef void (*tgi_node_setup_fn)(tg_node *n, const void *ud);

/* Wraps a new alias of a as a view (base = a's base, or a) and records `op` when needed. */
static tg_tensor *view_common(const tg_tensor *a, const int64_t *shape, const int64_t *strides,
                              int ndim, int64_t offset, int op, tgi_node_setup_fn setup,
                              const void *ud) {
    tg_ctx *ctx = a->ctx;
    tg_tensor *v = tgi_alias(a, shape, strides, ndim, offset);
    if (!v) return NULL;
    v->is_view = true;
    v->base = (tg_tensor *)(uintptr_t)(a->is_view && a->base ? a->base : a);
    v->base->refcount++;
    if (tgi_should_record(ctx, &a, 1)) {
        tg_node *n = tgi_record(v, op, &a, 1);
        if (!n) {
            tgi_tensor_decref(v);
            return NULL;
        }
        if (setup) setup(n, ud);
    }
    return tgi_own(v);
}

/* ---------------------------------------------------------------- view / reshape */

/* Resolves one -1 and checks the element count, with PyTorch's messages. */
static tg_status infer_shape(tg_ctx *ctx, const char *fn, const int64_t *shape, int ndim,
                             int64_t numel, int64_t *out) {
    if (ndim < 0 || ndim > TG_MAX_DIMS)
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: tensors have at most %d dimensions, got %d",
                         fn, TG_MAX_DIMS, ndim);
    if (ndim > 0 && !shape) return tgi_null_arg(ctx, fn, "shape");
    int infer = -1;
    int64_t prod = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == -1) {
            if (infer >= 0)
                return tgi_error(ctx, TG_ERR_SHAPE, "%s: only one dimension can be inferred", fn);
            infer = i;
        } else if (shape[i] < 0) {
            return tgi_error(ctx, TG_ERR_SHAPE, "%s: invalid shape dimension %lld", fn,
                             (long long)shape[i]);
        } else {
            if (shape[i] && prod > INT64_MAX / shape[i]) prod = INT64_MAX; /* forces mismatch */
            else prod *= shape[i];
        }
        out[i] = shape[i];
    }
    if (infer >= 0 && prod != 0 && numel % prod == 0) {
        out[infer] = numel / prod;
        return TG_OK;
    }
    if (infer < 0 && prod == numel) return TG_OK;
    char s[256];
    tgi_fmt_shape(s, sizeof s, shape, ndim);
    if (infer >= 0 && prod == 0 && numel == 0) /* at::infer_size: -1 could be anything */
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: cannot reshape tensor of 0 elements into shape %s because the "
                         "unspecified dimension size -1 can be any value and is ambiguous",
                         fn, s);
    return tgi_error(ctx, TG_ERR_SHAPE, "%s: shape '%s' is invalid for input of size %lld", fn, s,
                     (long long)numel);
}

/* Strides for viewing (oshape, ostrides) as nshape without copying, or false when a dimension
 * would have to span two non-contiguous chunks (at::detail::computeStride's rule). */
static bool view_strides(const int64_t *oshape, const int64_t *ostrides, int ond,
                         const int64_t *nshape, int nnd, int64_t numel, int64_t *nstrides) {
    if (numel == 0) {
        tgi_contiguous_strides(nshape, nnd, nstrides);
        return true;
    }
    int vi = nnd - 1; /* walk new dims from the back */
    int64_t chunk_base_stride = ond > 0 ? ostrides[ond - 1] : 1;
    int64_t tensor_numel = 1, view_numel = 1;
    for (int ti = ond - 1; ti >= 0; ti--) {
        tensor_numel *= oshape[ti];
        /* a chunk ends where the next-outer dim is not contiguous with this one */
        if (ti == 0 || (oshape[ti - 1] != 1 && ostrides[ti - 1] != tensor_numel * chunk_base_stride)) {
            while (vi >= 0 && (view_numel < tensor_numel || nshape[vi] == 1)) {
                nstrides[vi] = view_numel * chunk_base_stride;
                view_numel *= nshape[vi];
                vi--;
            }
            if (view_numel != tensor_numel) return false;
            if (ti > 0) {
                chunk_base_stride = ostrides[ti - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    /* leftover size-1 dims (e.g. viewing a 0-d tensor as [1, 1]) */
    while (vi >= 0) {
        nstrides[vi] = 1;
        vi--;
    }
    return true;
}

static void setup_view(tg_node *n, const void *ud) {
    (void)n;
    (void)ud;
}

tg_tensor *tg_view(const tg_tensor *a, const int64_t *shape, int ndim) {
    if (!a) return tgi_null_arg(NULL, "tg_view", "self"), NULL;
    int64_t ns[TG_MAX_DIMS], st[TG_MAX_DIMS];
    if (infer_shape(a->ctx, "tg_view", shape, ndim, a->numel, ns) != TG_OK) return NULL;
    if (!view_strides(a->shape, a->strides, a->ndim, ns, ndim, a->numel, st)) {
        tgi_error(a->ctx, TG_ERR_SHAPE,
                  "tg_view: view size is not compatible with input tensor's size and stride (at "
                  "least one dimension spans across two contiguous subspaces). Use .reshape(...) "
                  "instead.");
        return NULL;
    }
    return view_common(a, ns, st, ndim, a->offset, TGI_OP_VIEW, setup_view, NULL);
}

tg_tensor *tg_reshape(const tg_tensor *a, const int64_t *shape, int ndim) {
    if (!a) return tgi_null_arg(NULL, "tg_reshape", "self"), NULL;
    int64_t ns[TG_MAX_DIMS], st[TG_MAX_DIMS];
    if (infer_shape(a->ctx, "tg_reshape", shape, ndim, a->numel, ns) != TG_OK) return NULL;
    if (view_strides(a->shape, a->strides, a->ndim, ns, ndim, a->numel, st))
        return view_common(a, ns, st, ndim, a->offset, TGI_OP_VIEW, setup_view, NULL);
    /* PyTorch: _unsafe_view(clone(a, contiguous), shape) — UnsafeViewBackward0 over
     * CloneBackward0; the result is not a view of a. */
    tg_tensor *c = tg_clone(a);
    if (!c) return NULL;
    tgi_contiguous_strides(ns, ndim, st);
    tg_tensor *r = tgi_alias(c, ns, st, ndim, 0);
    if (!r) return NULL;
    if (tgi_should_record(a->ctx, (const tg_tensor *const *)&c, 1)) {
        const tg_tensor *in = c;
        if (!tgi_record(r, TGI_OP_UNSAFE_VIEW, &in, 1)) {
            tgi_tensor_decref(r);
            return NULL;
        }
    }
    return tgi_own(r);
}

/* view, unsafe_view and unsqueeze: grad reshaped to the input's shape */
tg_status tgi_bw_view(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    gi[0] = tg_reshape(g, n->in_meta[0].shape, n->in_meta[0].ndim);
    return gi[0] ? TG_OK : g->ctx->err;
}

/* ---------------------------------------------------------------- transpose / t */

static void setup_transpose(tg_node *n, const void *ud) {
    const int64_t *d = ud;
    n->args.d0 = d[0];
    n->args.d1 = d[1];
}

static tg_tensor *transpose_op(const char *fn, const tg_tensor *a, int64_t d0, int64_t d1, int op) {
    int64_t w0, w1;
    if (tgi_wrap_dim(a->ctx, fn, d0, a->ndim, &w0) != TG_OK ||
        tgi_wrap_dim(a->ctx, fn, d1, a->ndim, &w1) != TG_OK)
        return NULL;
    int64_t sh[TG_MAX_DIMS], st[TG_MAX_DIMS];
    memcpy(sh, a->shape, sizeof sh);
    memcpy(st, a->strides, sizeof st);
    if (a->ndim > 0) {
        sh[w0] = a->shape[w1];
        sh[w1] = a->shape[w0];
        st[w0] = a->strides[w1];
        st[w1] = a->strides[w0];
    }
    int64_t ud[2] = {w0, w1};
    return view_common(a, sh, st, a->ndim, a->offset, op, setup_transpose, ud);
}

tg_tensor *tg_transpose(const tg_tensor *a, int dim0, int dim1) {
    if (!a) return tgi_null_arg(NULL, "tg_transpose", "self"), NULL;
    return transpose_op("tg_transpose", a, dim0, dim1, TGI_OP_TRANSPOSE);
}

tg_tensor *tg_t(const tg_tensor *a) {
    if (!a) return tgi_null_arg(NULL, "tg_t", "self"), NULL;
    if (a->ndim > 2) {
        tgi_error(a->ctx, TG_ERR_SHAPE,
                  "tg_t: t() expects a tensor with <= 2 dimensions, but self is %dD", a->ndim);
        return NULL;
    }
    return transpose_op("tg_t", a, 0, a->ndim < 2 ? 0 : 1, TGI_OP_T);
}

/* transpose / t: the same transpose of grad */
tg_status tgi_bw_transpose(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    gi[0] = tg_transpose(g, (int)n->args.d0, (int)n->args.d1);
    return gi[0] ? TG_OK : g->ctx->err;
}

/* ---------------------------------------------------------------- expand / unsqueeze */

tg_tensor *tg_expand(const tg_tensor *a, const int64_t *shape, int ndim) {
    if (!a) return tgi_null_arg(NULL, "tg_expand", "self"), NULL;
    tg_ctx *ctx = a->ctx;
    if (ndim < 0 || ndim > TG_MAX_DIMS)
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_expand: tensors have at most %d dimensions, got %d",
                         TG_MAX_DIMS, ndim),
               NULL;
    if (ndim > 0 && !shape) return tgi_null_arg(ctx, "tg_expand", "shape"), NULL;
    if (ndim < a->ndim) {
        char cur[256], tgt[256];
        tgi_fmt_shape(cur, sizeof cur, a->shape, a->ndim);
        tgi_fmt_shape(tgt, sizeof tgt, shape, ndim);
        tgi_error(ctx, TG_ERR_SHAPE,
                  "tg_expand: expand(CPU%sType{%s}, size=%s): the number of sizes provided (%d) "
                  "must be greater or equal to the number of dimensions in the tensor (%d)",
                  tgi_dtype_cname(a->dtype), cur, tgt, ndim, a->ndim);
        return NULL;
    }
    int64_t sh[TG_MAX_DIMS], st[TG_MAX_DIMS];
    for (int i = ndim - 1; i >= 0; i--) {
        int ai = i - (ndim - a->ndim);
        int64_t size = shape[i];
        if (ai < 0) {
            if (size < 0) {
                tgi_error(ctx, TG_ERR_SHAPE,
                          "tg_expand: The expanded size of the tensor (%lld) isn't allowed in a "
                          "leading, non-existing dimension %d",
                          (long long)size, i);
                return NULL;
            }
            sh[i] = size;
            st[i] = 0;
            continue;
        }
        if (size == -1) size = a->shape[ai];
        if (a->shape[ai] == size) {
            sh[i] = size;
            st[i] = a->strides[ai];
        } else if (a->shape[ai] == 1 && size >= 0) {
            sh[i] = size;
            st[i] = 0;
        } else {
            char tgt[256], cur[256];
            tgi_fmt_shape(tgt, sizeof tgt, shape, ndim);
            tgi_fmt_shape(cur, sizeof cur, a->shape, a->ndim);
            tgi_error(ctx, TG_ERR_SHAPE,
                      "tg_expand: The expanded size of the tensor (%lld) must match the existing "
                      "size (%lld) at non-singleton dimension %d.  Target sizes: %s.  Tensor "
                      "sizes: %s",
                      (long long)size, (long long)a->shape[ai], i, tgt, cur);
            return NULL;
        }
    }
    int64_t numel;
    if (tgi_check_shape(ctx, "tg_expand", sh, ndim, &numel) != TG_OK) return NULL;
    return view_common(a, sh, st, ndim, a->offset, TGI_OP_EXPAND, NULL, NULL);
}

/* expand: grad summed back to the input's shape */
tg_status tgi_bw_expand(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    gi[0] = tgi_sum_to(g, n->in_meta[0].shape, n->in_meta[0].ndim);
    return gi[0] ? TG_OK : g->ctx->err;
}

tg_tensor *tg_unsqueeze(const tg_tensor *a, int dim) {
    if (!a) return tgi_null_arg(NULL, "tg_unsqueeze", "self"), NULL;
    int64_t d;
    if (tgi_wrap_dim(a->ctx, "tg_unsqueeze", dim, a->ndim + 1, &d) != TG_OK) return NULL;
    if (a->ndim >= TG_MAX_DIMS) {
        tgi_error(a->ctx, TG_ERR_INVALID_ARG, "tg_unsqueeze: tensors have at most %d dimensions",
                  TG_MAX_DIMS);
        return NULL;
    }
    int64_t sh[TG_MAX_DIMS], st[TG_MAX_DIMS];
    for (int i = 0, j = 0; i <= a->ndim; i++) {
        if (i == d) {
            sh[i] = 1;
            st[i] = j < a->ndim ? a->strides[j] * a->shape[j] : 1;
        } else {
            sh[i] = a->shape[j];
            st[i] = a->strides[j];
            j++;
        }
    }
    return view_common(a, sh, st, a->ndim + 1, a->offset, TGI_OP_UNSQUEEZE, NULL, NULL);
}

/* ---------------------------------------------------------------- copies */

static tg_tensor *copy_op(const char *fn, const tg_tensor *a, tg_dtype dtype, int op) {
    if (!a) return tgi_null_arg(NULL, fn, "self"), NULL;
    tg_tensor *c = tgi_empty(a->ctx, a->shape, a->ndim, dtype);
    if (!c) return NULL;
    tgi_copy_into(c, a);
    if (tgi_is_floating(dtype) && tgi_is_floating(a->dtype) && tgi_should_record(a->ctx, &a, 1)) {
        if (!tgi_record(c, op, &a, 1)) {
            tgi_tensor_decref(c);
            return NULL;
        }
    }
    return tgi_own(c);
}

tg_tensor *tg_clone(const tg_tensor *a) {
    return copy_op("tg_clone", a, a ? a->dtype : TG_FLOAT32, TGI_OP_CLONE);
}

tg_tensor *tg_contiguous(const tg_tensor *a) {
    if (!a) return tgi_null_arg(NULL, "tg_contiguous", "self"), NULL;
    if (a->contiguous) {
        ((tg_tensor *)(uintptr_t)a)->refcount++;
        return tgi_own((tg_tensor *)(uintptr_t)a);
    }
    return tg_clone(a);
}

/* a.to(dtype): a itself when the dtype already matches (as PyTorch), else a recorded copy. */
tg_tensor *tgi_to_dtype(const tg_tensor *a, tg_dtype dtype) {
    if (!a) return NULL;
    if (a->dtype == dtype) {
        ((tg_tensor *)(uintptr_t)a)->refcount++;
        return tgi_own((tg_tensor *)(uintptr_t)a);
    }
    return copy_op("tg_to", a, dtype, TGI_OP_TO_COPY);
}
