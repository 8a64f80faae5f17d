/*
 * shape.c — shape ops as PyTorch 2.x has them: the views permute, squeeze, expand_as, flatten,
 * unflatten, narrow, slice, select and split/chunk (several views from one node), and the copies
 * cat, stack, repeat and flip; their backward formulas (derivatives.yaml), plus the recorded
 * slice_backward / select_backward helpers those formulas use so they can be differentiated again.
 */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the nodes of this file keep in tgi_args (the input's shape is in in_meta[0]):
 *   PERMUTE            n: the permutation, 4 bits per output dim (dim i reads input dim
 *                         (n >> 4i) & 15)
 *   SLICE, SLICE_BACKWARD  dim_mask: the dim; d0, d1: start and end, already clamped to
 *                         [0, size] with end >= start; n: step
 *   SELECT, SELECT_BACKWARD  d0: the dim; d1: the index, made non-negative
 *   SPLIT              d0: the dim; d1: split_size (output k has split_size elements along
 *                         dim, the last one what is left)
 *   SPLIT_WITH_SIZES   d0: the dim; the sizes (int64_t[n_outputs]) in node->extra, which
 *                         lives as long as the node (not freed with the saved values)
 *   CAT, STACK         d0: the dim (cat: wrapped against the first tensor that is not a
 *                         legacy empty [0])
 *   FLIP               dim_mask: the flipped dims
 *   REPEAT             nothing: the repeats are the output's shape over the input's */

#define SLICE_DIM(n) ((int)(n)->args.dim_mask)

/* ---------------------------------------------------------------- helpers */

/* "[1, -2, 3]" for an int list of any length (truncated to fit buf) */
static const char *fmt_list(char *buf, size_t cap, const int64_t *v, int64_t n) {
    size_t k = 0;
    int w = snprintf(buf, cap, "[");
    k += w > 0 ? (size_t)w : 0;
    for (int64_t i = 0; i < n && k < cap; i++) {
        w = snprintf(buf + k, cap - k, "%s%lld", i ? ", " : "", (long long)v[i]);
        k += w > 0 ? (size_t)w : 0;
    }
    if (k < cap) snprintf(buf + k, cap - k, "]");
    return buf;
}

static tg_status too_many_dims(tg_ctx *ctx, const char *fn, int64_t ndim) {
    return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: tensors have at most %d dimensions, got %lld",
                     fn, TG_MAX_DIMS, (long long)ndim);
}

/* A new tensor header viewing a's storage, marked as a view of a's base (as view.c does). */
static tg_tensor *make_view(const tg_tensor *a, const int64_t *shape, const int64_t *strides,
                            int ndim, int64_t offset) {
    tg_tensor *v = tgi_alias(a, shape, strides, ndim, offset);
    if (!v) return NULL;
    v->is_view = true;
    v->base = (tg_tensor *)(uintptr_t)(a->is_view && a->base ? a->base : a);
    v->base->refcount++;
    return v;
}

/* Records `op` for the view v of a (when a requires grad and grad mode is on), with args, and
 * hands v to the current scope. */
static tg_tensor *finish_view(const tg_tensor *a, tg_tensor *v, int op, const tgi_args *args) {
    if (!v) return NULL;
    if (tgi_should_record(a->ctx, &a, 1)) {
        tg_node *n = tgi_record(v, op, &a, 1);
        if (!n) {
            tgi_tensor_decref(v);
            return NULL;
        }
        if (args) n->args = *args;
    }
    return tgi_own(v);
}

/* A new reference to a itself in the current scope (flatten with start == end). */
static tg_tensor *same_tensor(const tg_tensor *a) {
    tg_tensor *t = (tg_tensor *)(uintptr_t)a;
    t->refcount++;
    return tgi_own(t);
}

/* The dtype torch.result_type gives a list of tensors of one category each: for our four
 * dtypes promotion is the maximum of bool < int64 < float32 < float64. */
static int dtype_rank(tg_dtype d) {
    switch (d) {
    case TG_BOOL: return 0;
    case TG_INT64: return 1;
    case TG_FLOAT32: return 2;
    case TG_FLOAT64: return 3;
    }
    return 0;
}

static tg_dtype promote_list(tg_tensor *const *t, int n) {
    tg_dtype d = t[0]->dtype;
    for (int i = 1; i < n; i++)
        if (dtype_rank(t[i]->dtype) > dtype_rank(d)) d = t[i]->dtype;
    return d;
}

/* Copies the elements of the strided view (src + off; shape, strides in elements, nd dims of
 * any number) into dst in row-major order. Strides may be negative (flip) or zero (repeat). */
static void gather(void *dst, const void *src, int64_t off, const int64_t *shape,
                   const int64_t *strides, int nd, size_t es, int64_t n) {
    int64_t idx[2 * TG_MAX_DIMS] = {0};
    char *d = dst;
    const char *s = src;
    int64_t o = off;
    for (int64_t i = 0; i < n; i++) {
        memcpy(d + (size_t)i * es, s + o * (int64_t)es, es);
        for (int k = nd - 1; k >= 0; k--) {
            if (++idx[k] < shape[k]) {
                o += strides[k];
                break;
            }
            o -= strides[k] * (shape[k] - 1);
            idx[k] = 0;
        }
    }
}

/* Zeros of shape (m) in dtype, not recorded (refcount 1, not in a scope). */
static tg_tensor *raw_zeros(tg_ctx *ctx, const tgi_meta *m, tg_dtype dtype) {
    tg_tensor *z = tgi_empty(ctx, m->shape, m->ndim, dtype);
    if (z) memset(z->storage->data, 0, z->storage->nbytes);
    return z;
}

/* ---------------------------------------------------------------- permute */

tg_tensor *tg_permute(const tg_tensor *a, const int64_t *dims, int ndims) {
    if (!a) return tgi_null_arg(NULL, "tg_permute", "self"), NULL;
    tg_ctx *ctx = a->ctx;
    if (ndims > 0 && !dims) return tgi_null_arg(ctx, "tg_permute", "dims"), NULL;
    if (ndims != a->ndim) {
        tgi_error(ctx, TG_ERR_SHAPE,
                  "tg_permute: permute(sparse_coo): number of dimensions in the tensor input "
                  "does not match the length of the desired ordering of dimensions i.e. "
                  "input.dim() = %d is not equal to len(dims) = %d",
                  a->ndim, ndims);
        return NULL;
    }
    int64_t sh[TG_MAX_DIMS], st[TG_MAX_DIMS];
    bool seen[TG_MAX_DIMS] = {false};
    tgi_args args;
    memset(&args, 0, sizeof args);
    for (int i = 0; i < ndims; i++) {
        int64_t d;
        if (tgi_wrap_dim(ctx, "tg_permute", dims[i], a->ndim, &d) != TG_OK) return NULL;
        if (seen[d]) {
            tgi_error(ctx, TG_ERR_INVALID_ARG,
                      "tg_permute: permute(): duplicate dims are not allowed.");
            return NULL;
        }
        seen[d] = true;
        sh[i] = a->shape[d];
        st[i] = a->strides[d];
        args.n |= d << (4 * i);
    }
    return finish_view(a, make_view(a, sh, st, a->ndim, a->offset), TGI_OP_PERMUTE, &args);
}

/* permute: the inverse permutation of grad */
tg_status tgi_bw_permute(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    int nd = n->in_meta[0].ndim;
    int64_t inv[TG_MAX_DIMS];
    for (int i = 0; i < nd; i++) inv[(n->args.n >> (4 * i)) & 15] = i;
    gi[0] = tg_permute(g, inv, nd);
    return gi[0] ? TG_OK : n->ctx->err;
}

/* ---------------------------------------------------------------- squeeze */

tg_tensor *tg_squeeze(const tg_tensor *a) {
    if (!a) return tgi_null_arg(NULL, "tg_squeeze", "self"), NULL;
    int64_t sh[TG_MAX_DIMS], st[TG_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] == 1) continue;
        sh[nd] = a->shape[i];
        st[nd] = a->strides[i];
        nd++;
    }
    return finish_view(a, make_view(a, sh, st, nd, a->offset), TGI_OP_SQUEEZE, NULL);
}

tg_tensor *tg_squeeze_dim(const tg_tensor *a, int dim) {
    if (!a) return tgi_null_arg(NULL, "tg_squeeze_dim", "self"), NULL;
    int64_t d;
    if (tgi_wrap_dim(a->ctx, "tg_squeeze_dim", dim, a->ndim, &d) != TG_OK) return NULL;
    int64_t sh[TG_MAX_DIMS], st[TG_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < a->ndim; i++) {
        if (i == d && a->shape[i] == 1) continue; /* any other size: a view of a as it is */
        sh[nd] = a->shape[i];
        st[nd] = a->strides[i];
        nd++;
    }
    return finish_view(a, make_view(a, sh, st, nd, a->offset), TGI_OP_SQUEEZE_DIM, NULL);
}

/* ---------------------------------------------------------------- expand_as, flatten, unflatten */

/* Renames the "from: " prefix of the ctx's message to "to: " (ops built on another op). */
static void rename_error(tg_ctx *ctx, const char *from, const char *to) {
    size_t n = strlen(from);
    if (strncmp(ctx->errmsg, from, n) != 0 || ctx->errmsg[n] != ':') return;
    char tmp[TGI_ERRMSG_CAP];
    snprintf(tmp, sizeof tmp, "%s%s", to, ctx->errmsg + n);
    memcpy(ctx->errmsg, tmp, sizeof tmp);
}

tg_tensor *tg_expand_as(const tg_tensor *a, const tg_tensor *other) {
    if (!a) return tgi_null_arg(other ? other->ctx : NULL, "tg_expand_as", "self"), NULL;
    if (!other) return tgi_null_arg(a->ctx, "tg_expand_as", "other"), NULL;
    tg_tensor *r = tg_expand(a, other->shape, other->ndim);
    if (!r) rename_error(a->ctx, "tg_expand", "tg_expand_as");
    return r;
}

tg_tensor *tg_flatten(const tg_tensor *a, int start_dim, int end_dim) {
    if (!a) return tgi_null_arg(NULL, "tg_flatten", "self"), NULL;
    tg_ctx *ctx = a->ctx;
    int64_t s, e;
    if (tgi_wrap_dim(ctx, "tg_flatten", start_dim, a->ndim, &s) != TG_OK ||
        tgi_wrap_dim(ctx, "tg_flatten", end_dim, a->ndim, &e) != TG_OK)
        return NULL;
    if (s > e) {
        tgi_error(ctx, TG_ERR_INVALID_ARG,
                  "tg_flatten: flatten() has invalid args: start_dim cannot come after end_dim");
        return NULL;
    }
    int64_t one = 1;
    if (a->ndim == 0) return tg_reshape(a, &one, 1);
    if (s == e) return same_tensor(a);
    int64_t sh[TG_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < s; i++) sh[nd++] = a->shape[i];
    int64_t merged = 1;
    for (int64_t i = s; i <= e; i++) merged *= a->shape[i]; /* <= numel, which fits */
    sh[nd++] = merged;
    for (int64_t i = e + 1; i < a->ndim; i++) sh[nd++] = a->shape[i];
    tg_tensor *r = tg_reshape(a, sh, nd);
    if (!r) rename_error(ctx, "tg_reshape", "tg_flatten");
    return r;
}

/* at::infer_size as unflatten reports it (PyTorch 2.x): fills out[] or sets the error. */
static tg_status unflatten_sizes(tg_ctx *ctx, const int64_t *sizes, int n, int64_t dim,
                                 int64_t numel, int64_t *out) {
    char list[512];
    const char *pre = "tg_unflatten: unflatten got an unexpected error:\n";
    int infer = -1;
    int64_t newsize = 1;
    bool overflow = false;
    for (int i = 0; i < n; i++) {
        out[i] = sizes[i];
        if (sizes[i] == -1) {
            if (infer >= 0)
                return tgi_error(ctx, TG_ERR_SHAPE, "%sonly one dimension can be inferred", pre);
            infer = i;
        } else if (sizes[i] < 0) {
            return tgi_error(ctx, TG_ERR_SHAPE, "%sinvalid shape dimension %lld at index %d of "
                             "shape %s", pre, (long long)sizes[i], i,
                             fmt_list(list, sizeof list, sizes, n));
        } else if (sizes[i] != 0 && newsize > INT64_MAX / sizes[i]) {
            overflow = true; /* the product cannot match any real size */
        } else {
            newsize *= sizes[i];
        }
    }
    bool ok = !overflow && (infer >= 0 ? (newsize > 0 && numel % newsize == 0) || numel == newsize
                                       : numel == newsize);
    if (!ok)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "tg_unflatten: unflatten: Provided sizes %s don't multiply up to the "
                         "size of dim %lld (%lld) in the input tensor",
                         fmt_list(list, sizeof list, sizes, n), (long long)dim, (long long)numel);
    if (infer >= 0) {
        if (newsize == 0)
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%scannot reshape tensor of 0 elements into shape %s because the "
                             "unspecified dimension size -1 can be any value and is ambiguous",
                             pre, fmt_list(list, sizeof list, sizes, n));
        out[infer] = numel / newsize;
    }
    return TG_OK;
}

tg_tensor *tg_unflatten(const tg_tensor *a, int dim, const int64_t *sizes, int nsizes) {
    if (!a) return tgi_null_arg(NULL, "tg_unflatten", "self"), NULL;
    tg_ctx *ctx = a->ctx;
    int64_t d;
    if (tgi_wrap_dim(ctx, "tg_unflatten", dim, a->ndim, &d) != TG_OK) return NULL;
    if (nsizes <= 0) {
        tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_unflatten: unflatten: sizes must be non-empty");
        return NULL;
    }
    if (!sizes) return tgi_null_arg(ctx, "tg_unflatten", "sizes"), NULL;
    if (a->ndim == 0) {
        /* 2.x reads self.size(0) of the 0-d tensor inside its try block */
        tgi_error(ctx, TG_ERR_SHAPE,
                  "tg_unflatten: unflatten got an unexpected error:\nDimension specified as 0 "
                  "but tensor has no dimensions");
        return NULL;
    }
    if ((int64_t)a->ndim - 1 + nsizes > TG_MAX_DIMS) {
        too_many_dims(ctx, "tg_unflatten", (int64_t)a->ndim - 1 + nsizes);
        return NULL;
    }
    int64_t inferred[TG_MAX_DIMS], sh[TG_MAX_DIMS];
    if (unflatten_sizes(ctx, sizes, nsizes, d, a->shape[d], inferred) != TG_OK) return NULL;
    int nd = 0;
    for (int i = 0; i < d; i++) sh[nd++] = a->shape[i];
    for (int i = 0; i < nsizes; i++) sh[nd++] = inferred[i];
    for (int64_t i = d + 1; i < a->ndim; i++) sh[nd++] = a->shape[i];
    tg_tensor *r = tg_view(a, sh, nd); /* splitting one dim is always a view: ViewBackward0 */
    if (!r) rename_error(ctx, "tg_view", "tg_unflatten");
    return r;
}

/* ---------------------------------------------------------------- slice, narrow, select */

/* The view a[..., start:end:step] along dim, with start/end already clamped (0 <= start <=
 * end <= size) and step > 0. SliceBackward0. */
static tg_tensor *slice_view(const tg_tensor *a, int64_t dim, int64_t start, int64_t end,
                             int64_t step) {
    int64_t sh[TG_MAX_DIMS], st[TG_MAX_DIMS];
    memcpy(sh, a->shape, sizeof sh);
    memcpy(st, a->strides, sizeof st);
    int64_t len = end - start;
    sh[dim] = len == 0 ? 0 : (len - 1) / step + 1;
    if (sh[dim] > 1) st[dim] *= step; /* (sh - 1) * step < len: no overflow */
    tgi_args args;
    memset(&args, 0, sizeof args);
    args.dim_mask = (uint32_t)dim;
    args.d0 = start;
    args.d1 = end;
    args.n = step;
    return finish_view(a, make_view(a, sh, st, a->ndim, a->offset + start * a->strides[dim]),
                       TGI_OP_SLICE, &args);
}

tg_tensor *tg_slice(const tg_tensor *a, int dim, int64_t start, int64_t end, int64_t step) {
    if (!a) return tgi_null_arg(NULL, "tg_slice", "self"), NULL;
    tg_ctx *ctx = a->ctx;
    if (a->ndim == 0) {
        tgi_error(ctx, TG_ERR_INDEX, "tg_slice: slice() cannot be applied to a 0-dim tensor.");
        return NULL;
    }
    int64_t d;
    if (tgi_wrap_dim(ctx, "tg_slice", dim, a->ndim, &d) != TG_OK) return NULL;
    if (step <= 0) {
        tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_slice: slice step must be positive");
        return NULL;
    }
    int64_t size = a->shape[d];
    if (start < 0) start += size; /* start < 0 <= size: no overflow */
    if (end < 0) end += size;
    if (start < 0) start = 0;
    else if (start > size) start = size;
    if (end < start) end = start;
    else if (end > size) end = size;
    return slice_view(a, d, start, end, step);
}

tg_tensor *tg_narrow(const tg_tensor *a, int dim, int64_t start, int64_t length) {
    if (!a) return tgi_null_arg(NULL, "tg_narrow", "self"), NULL;
    tg_ctx *ctx = a->ctx;
    if (a->ndim == 0) {
        tgi_error(ctx, TG_ERR_SHAPE, "tg_narrow: narrow() cannot be applied to a 0-dim tensor.");
        return NULL;
    }
    if (length < 0) {
        tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_narrow: narrow(): length must be non-negative.");
        return NULL;
    }
    int64_t d;
    if (tgi_wrap_dim(ctx, "tg_narrow", dim, a->ndim, &d) != TG_OK) return NULL;
    int64_t size = a->shape[d];
    if (start < -size || start > size) {
        tgi_error(ctx, TG_ERR_INDEX,
                  "tg_narrow: start out of range (expected to be in range of [%lld, %lld], but "
                  "got %lld)",
                  (long long)-size, (long long)size, (long long)start);
        return NULL;
    }
    if (start < 0) start += size;
    if (start > size - length) {
        tgi_error(ctx, TG_ERR_INVALID_ARG,
                  "tg_narrow: start (%lld) + length (%lld) exceeds dimension size (%lld).",
                  (long long)start, (long long)length, (long long)size);
        return NULL;
    }
    return slice_view(a, d, start, start + length, 1);
}

tg_tensor *tg_select(const tg_tensor *a, int dim, int64_t index) {
    if (!a) return tgi_null_arg(NULL, "tg_select", "self"), NULL;
    tg_ctx *ctx = a->ctx;
    if (a->ndim == 0) {
        tgi_error(ctx, TG_ERR_INDEX, "tg_select: select() cannot be applied to a 0-dim tensor.");
        return NULL;
    }
    int64_t d;
    if (tgi_wrap_dim(ctx, "tg_select", dim, a->ndim, &d) != TG_OK) return NULL;
    int64_t size = a->shape[d];
    if (size <= -1 - index || size <= index) {
        char s[256];
        tgi_fmt_shape(s, sizeof s, a->shape, a->ndim);
        tgi_error(ctx, TG_ERR_INDEX,
                  "tg_select: select(): index %lld out of range for tensor of size %s at "
                  "dimension %lld",
                  (long long)index, s, (long long)d);
        return NULL;
    }
    if (index < 0) index += size;
    int64_t sh[TG_MAX_DIMS], st[TG_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < a->ndim; i++) {
        if (i == d) continue;
        sh[nd] = a->shape[i];
        st[nd] = a->strides[i];
        nd++;
    }
    tgi_args args;
    memset(&args, 0, sizeof args);
    args.d0 = d;
    args.d1 = index;
    return finish_view(a, make_view(a, sh, st, nd, a->offset + index * a->strides[d]),
                       TGI_OP_SELECT, &args);
}

/* slice_backward / select_backward (at::slice_backward, at::select_backward): zeros of the
 * input's shape with g written into the slice (or the selected index). Recorded as
 * SliceBackwardBackward0 / SelectBackwardBackward0, whose backward slices / selects again. */
static tg_tensor *scatter_backward(const tg_node *fw, const tg_tensor *g, int op) {
    tg_ctx *ctx = g->ctx;
    const tgi_meta *m = &fw->in_meta[0];
    tg_tensor *z = raw_zeros(ctx, m, g->dtype);
    if (!z) return NULL;
    int64_t sh[TG_MAX_DIMS], st[TG_MAX_DIMS], off;
    int nd = 0;
    if (op == TGI_OP_SLICE_BACKWARD) {
        int d = SLICE_DIM(fw);
        int64_t len = fw->args.d1 - fw->args.d0;
        for (int i = 0; i < m->ndim; i++) {
            sh[i] = z->shape[i];
            st[i] = z->strides[i];
        }
        sh[d] = len == 0 ? 0 : (len - 1) / fw->args.n + 1;
        if (sh[d] > 1) st[d] *= fw->args.n;
        off = fw->args.d0 * z->strides[d];
        nd = m->ndim;
    } else {
        int64_t d = fw->args.d0;
        for (int i = 0; i < m->ndim; i++) {
            if (i == d) continue;
            sh[nd] = z->shape[i];
            st[nd] = z->strides[i];
            nd++;
        }
        off = fw->args.d1 * z->strides[d];
    }
    tg_tensor *region = tgi_alias(z, sh, st, nd, off);
    if (!region) {
        tgi_tensor_decref(z);
        return NULL;
    }
    tgi_copy_into(region, g);
    tgi_tensor_decref(region);
    if (tgi_is_floating(z->dtype) && tgi_should_record(ctx, &g, 1)) {
        tg_node *n = tgi_record(z, op, &g, 1);
        if (!n) {
            tgi_tensor_decref(z);
            return NULL;
        }
        n->args = fw->args;
    }
    return tgi_own(z);
}

tg_status tgi_bw_slice(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    gi[0] = scatter_backward(n, g, TGI_OP_SLICE_BACKWARD);
    return gi[0] ? TG_OK : n->ctx->err;
}

tg_status tgi_bw_select(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    gi[0] = scatter_backward(n, g, TGI_OP_SELECT_BACKWARD);
    return gi[0] ? TG_OK : n->ctx->err;
}

/* slice_backward's own backward: grad.slice(dim, start, end, step) */
tg_status tgi_bw_slice_backward(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    gi[0] = tg_slice(g, SLICE_DIM(n), n->args.d0, n->args.d1, n->args.n);
    return gi[0] ? TG_OK : n->ctx->err;
}

/* select_backward's own backward: grad.select(dim, index) */
tg_status tgi_bw_select_backward(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    gi[0] = tg_select(g, (int)n->args.d0, n->args.d1);
    return gi[0] ? TG_OK : n->ctx->err;
}

/* ---------------------------------------------------------------- split, split_with_sizes, chunk */

/* Checks the caller's array against the number of results. A NULL out with cap 0 asks for the
 * count only: *done is set and nothing is made. */
static tg_status check_room(tg_ctx *ctx, const char *fn, tg_tensor **out, int cap, int *n_out,
                            int64_t count, bool *done) {
    *done = false;
    if (count > INT32_MAX)
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: the result has %lld tensors, more than an "
                         "int can count", fn, (long long)count);
    if (n_out) *n_out = (int)count;
    if (!out && cap == 0) {
        *done = true;
        return TG_OK;
    }
    if (!out && count > 0) return tgi_null_arg(ctx, fn, "out");
    if (cap < count)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: out has room for %d tensors, but the result has %lld", fn, cap,
                         (long long)count);
    return TG_OK;
}

/* The n views of a along dim with the given sizes (summing to a's size), all outputs of one
 * node `op`, written to out[]. */
static tg_status split_views(const tg_tensor *a, int64_t dim, const int64_t *sizes, int n, int op,
                             int64_t split_size, tg_tensor **out) {
    tg_ctx *ctx = a->ctx;
    if (n == 0) return TG_OK;
    tg_tensor **v = calloc((size_t)n, sizeof *v);
    if (!v) return tgi_error(ctx, TG_ERR_OOM, "out of memory splitting a tensor");
    tg_status st = TG_OK;
    int64_t sh[TG_MAX_DIMS], start = 0;
    memcpy(sh, a->shape, sizeof sh);
    for (int k = 0; k < n && st == TG_OK; k++) {
        sh[dim] = sizes[k];
        v[k] = make_view(a, sh, a->strides, a->ndim, a->offset + start * a->strides[dim]);
        if (!v[k]) st = ctx->err;
        start += sizes[k];
    }
    if (st == TG_OK && tgi_should_record(ctx, &a, 1)) {
        tg_node *node = tgi_record_multi(v, n, op, &a, 1);
        if (!node) st = ctx->err;
        if (node) {
            node->args.d0 = dim;
            node->args.d1 = split_size;
        }
        if (node && op == TGI_OP_SPLIT_WITH_SIZES) {
            node->extra = malloc((size_t)n * sizeof *sizes);
            if (!node->extra) st = tgi_error(ctx, TG_ERR_OOM, "out of memory splitting a tensor");
            else memcpy(node->extra, sizes, (size_t)n * sizeof *sizes);
        }
    }
    for (int k = 0; k < n; k++) {
        if (st == TG_OK) {
            out[k] = tgi_own(v[k]);
            if (!out[k]) st = ctx->err;
        } else {
            tgi_tensor_decref(v[k]);
            out[k] = NULL;
        }
    }
    free(v);
    return st;
}

static tg_status split_by_size(const char *fn, const tg_tensor *a, int64_t split_size, int64_t d,
                               tg_tensor **out, int cap, int *n_out) {
    tg_ctx *ctx = a->ctx;
    int64_t size = a->shape[d];
    if (split_size == 0 && size != 0)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: split_size can only be 0 if dimension size is 0, but got dimension "
                         "size of %lld", fn, (long long)size);
    int64_t count = split_size == 0 || size == 0 ? 1 : (size - 1) / split_size + 1;
    bool done;
    tg_status st = check_room(ctx, fn, out, cap, n_out, count, &done);
    if (st != TG_OK || done) return st;
    int64_t *sizes = malloc((size_t)count * sizeof *sizes);
    if (!sizes) return tgi_error(ctx, TG_ERR_OOM, "%s: out of memory", fn);
    for (int64_t k = 0; k < count; k++)
        sizes[k] = k < count - 1 ? split_size : size - split_size * (count - 1);
    st = split_views(a, d, sizes, (int)count, TGI_OP_SPLIT, split_size, out);
    free(sizes);
    return st;
}

static tg_status split_sizes_list(const char *fn, const tg_tensor *a, const int64_t *sizes,
                                  int64_t count, int64_t d, tg_tensor **out, int cap,
                                  int *n_out) {
    tg_ctx *ctx = a->ctx;
    bool done;
    tg_status st = check_room(ctx, fn, out, cap, n_out, count, &done);
    if (st != TG_OK || done) return st;
    return split_views(a, d, sizes, (int)count, TGI_OP_SPLIT_WITH_SIZES, 0, out);
}

tg_status tg_split(const tg_tensor *a, int64_t split_size, int dim, tg_tensor **out, int cap,
                   int *n_out) {
    if (!a) return tgi_null_arg(NULL, "tg_split", "self");
    tg_ctx *ctx = a->ctx;
    if (a->ndim == 0)
        return tgi_error(ctx, TG_ERR_SHAPE, "tg_split: split expects at least a 1-dimensional "
                         "tensor");
    if (split_size < 0)
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_split: split expects split_size be "
                         "non-negative, but got split_size=%lld", (long long)split_size);
    int64_t d;
    if (tgi_wrap_dim(ctx, "tg_split", dim, a->ndim, &d) != TG_OK) return ctx->err;
    return split_by_size("tg_split", a, split_size, d, out, cap, n_out);
}

tg_status tg_split_with_sizes(const tg_tensor *a, const int64_t *sizes, int nsizes, int dim,
                              tg_tensor **out, int cap, int *n_out) {
    if (!a) return tgi_null_arg(NULL, "tg_split_with_sizes", "self");
    tg_ctx *ctx = a->ctx;
    if (nsizes > 0 && !sizes) return tgi_null_arg(ctx, "tg_split_with_sizes", "sizes");
    if (nsizes < 0)
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_split_with_sizes: nsizes is negative (%d)",
                         nsizes);
    if (a->ndim == 0)
        return tgi_error(ctx, TG_ERR_SHAPE, "tg_split_with_sizes: split expects at least a "
                         "1-dimensional tensor");
    int64_t d;
    if (tgi_wrap_dim(ctx, "tg_split_with_sizes", dim, a->ndim, &d) != TG_OK) return ctx->err;
    char list[512];
    int64_t sum = 0;
    for (int i = 0; i < nsizes; i++) {
        if (sizes[i] < 0)
            return tgi_error(ctx, TG_ERR_INVALID_ARG,
                             "tg_split_with_sizes: split_with_sizes expects split_sizes have only "
                             "non-negative entries, but got split_sizes=%s",
                             fmt_list(list, sizeof list, sizes, nsizes));
        sum = sum > INT64_MAX - sizes[i] ? INT64_MAX : sum + sizes[i];
    }
    if (sum != a->shape[d])
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "tg_split_with_sizes: split_with_sizes expects split_sizes to sum exactly "
                         "to %lld (input tensor's size at dimension %lld), but got split_sizes=%s",
                         (long long)a->shape[d], (long long)d,
                         fmt_list(list, sizeof list, sizes, nsizes));
    return split_sizes_list("tg_split_with_sizes", a, sizes, nsizes, d, out, cap, n_out);
}

tg_status tg_chunk(const tg_tensor *a, int64_t chunks, int dim, tg_tensor **out, int cap,
                   int *n_out) {
    if (!a) return tgi_null_arg(NULL, "tg_chunk", "self");
    tg_ctx *ctx = a->ctx;
    if (a->ndim == 0)
        return tgi_error(ctx, TG_ERR_SHAPE, "tg_chunk: chunk expects at least a 1-dimensional "
                         "tensor");
    if (chunks <= 0)
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_chunk: chunk expects `chunks` to be greater "
                         "than 0, got: %lld", (long long)chunks);
    int64_t d;
    if (tgi_wrap_dim(ctx, "tg_chunk", dim, a->ndim, &d) != TG_OK) return ctx->err;
    int64_t size = a->shape[d];
    int64_t split_size = size == 0 ? 0 : (size - 1) / chunks + 1;
    if (split_size == 0) {
        /* PyTorch: `chunks` empty pieces through split_with_sizes (split would make one) */
        bool done;
        tg_status st = check_room(ctx, "tg_chunk", out, cap, n_out, chunks, &done);
        if (st != TG_OK || done) return st;
        int64_t *sizes = calloc((size_t)chunks, sizeof *sizes);
        if (!sizes) return tgi_error(ctx, TG_ERR_OOM, "tg_chunk: out of memory");
        st = split_views(a, d, sizes, (int)chunks, TGI_OP_SPLIT_WITH_SIZES, 0, out);
        free(sizes);
        return st;
    }
    return split_by_size("tg_chunk", a, split_size, d, out, cap, n_out);
}

/* split / split_with_sizes: cat of the outputs' gradients along dim, zeros for an output that
 * received none (split_backward / split_with_sizes_backward) */
tg_status tgi_bw_split(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    (void)g;
    tg_ctx *ctx = n->ctx;
    int nout = n->n_outputs;
    int64_t dim = n->args.d0;
    const tgi_meta *m = &n->in_meta[0];
    tg_dtype dt = m->dtype;
    for (int k = 0; k < nout; k++)
        if (n->out_grads[k]) {
            dt = n->out_grads[k]->dtype;
            break;
        }
    tg_tensor **parts = calloc((size_t)nout, sizeof *parts);
    if (!parts) return tgi_error(ctx, TG_ERR_OOM, "tg_backward: out of memory");
    const int64_t *sizes = n->op == TGI_OP_SPLIT_WITH_SIZES ? n->extra : NULL;
    tg_status st = TG_OK;
    for (int k = 0; k < nout && st == TG_OK; k++) {
        parts[k] = n->out_grads[k];
        if (parts[k]) continue;
        int64_t sh[TG_MAX_DIMS];
        memcpy(sh, m->shape, sizeof sh);
        sh[dim] = sizes ? sizes[k]
                        : (k < nout - 1 ? n->args.d1 : m->shape[dim] - n->args.d1 * (nout - 1));
        parts[k] = tg_zeros(ctx, sh, m->ndim, dt);
        if (!parts[k]) st = ctx->err;
    }
    if (st == TG_OK) {
        gi[0] = tg_cat(parts, nout, (int)dim);
        if (!gi[0]) st = ctx->err;
    }
    free(parts);
    return st;
}

/* ---------------------------------------------------------------- cat, stack */

/* PyTorch skips 1-D empty tensors in cat whatever their other sizes (a legacy rule). */
static bool cat_skip(const tg_tensor *t) { return t->ndim == 1 && t->shape[0] == 0; }

/* The tensor list's context, or NULL: for an empty list (n <= 0: PyTorch's "expected a
 * non-empty list" has no context to be recorded on) and for a NULL entry (a NULL_ARG error on
 * the others' context, keeping an earlier error). */
static tg_ctx *list_ctx(const char *fn, tg_tensor *const *t, int n) {
    tg_ctx *ctx = NULL;
    for (int i = 0; t && i < n && !ctx; i++)
        if (t[i]) ctx = t[i]->ctx;
    for (int i = 0; t && i < n; i++)
        if (!t[i]) {
            char arg[32];
            snprintf(arg, sizeof arg, "tensors[%d]", i);
            tgi_null_arg(ctx, fn, arg);
            return NULL;
        }
    return ctx;
}

tg_tensor *tg_cat(tg_tensor *const *tensors, int n, int dim) {
    tg_ctx *ctx = list_ctx("tg_cat", tensors, n); /* NULL for an empty list: no context */
    if (!ctx) return NULL;
    for (int i = 0; i < n; i++)
        if (tensors[i]->ndim == 0) {
            tgi_error(ctx, TG_ERR_SHAPE,
                      "tg_cat: zero-dimensional tensor (at position %d) cannot be concatenated",
                      i);
            return NULL;
        }
    int valid = -1;
    for (int i = 0; i < n && valid < 0; i++)
        if (!cat_skip(tensors[i])) valid = i;
    int64_t d = dim;
    if (valid >= 0 &&
        tgi_wrap_dim(ctx, "tg_cat", dim, tensors[valid]->ndim, &d) != TG_OK)
        return NULL;
    int64_t sh[TG_MAX_DIMS] = {0};
    int nd = 1;
    if (valid >= 0) {
        const tg_tensor *f = tensors[valid];
        nd = f->ndim;
        memcpy(sh, f->shape, sizeof sh);
        sh[d] = 0;
        for (int i = 0; i < n; i++) {
            const tg_tensor *t = tensors[i];
            if (cat_skip(t)) continue;
            if (t->ndim != f->ndim) {
                tgi_error(ctx, TG_ERR_SHAPE,
                          "tg_cat: Tensors must have same number of dimensions: got %d and %d",
                          f->ndim, t->ndim);
                return NULL;
            }
            for (int k = 0; k < f->ndim; k++)
                if (k != d && t->shape[k] != f->shape[k]) {
                    tgi_error(ctx, TG_ERR_SHAPE,
                              "tg_cat: Sizes of tensors must match except in dimension %lld. "
                              "Expected size %lld but got size %lld for tensor number %d in the "
                              "list.",
                              (long long)d, (long long)f->shape[k], (long long)t->shape[k], i);
                    return NULL;
                }
            sh[d] += t->shape[d]; /* each fits a real tensor; their sum is checked below */
        }
    }
    int64_t numel;
    if (tgi_check_shape(ctx, "tg_cat", sh, nd, &numel) != TG_OK) return NULL;
    tg_dtype dt = promote_list(tensors, n);
    tg_tensor *out = tgi_empty(ctx, sh, nd, dt);
    if (!out) return NULL;
    int64_t at = 0;
    for (int i = 0; i < n && valid >= 0; i++) {
        const tg_tensor *t = tensors[i];
        if (cat_skip(t)) continue;
        if (t->numel > 0) {
            tg_tensor *region = tgi_alias(out, t->shape, out->strides, nd,
                                          at * out->strides[d]);
            if (!region) {
                tgi_tensor_decref(out);
                return NULL;
            }
            tgi_copy_into(region, t);
            tgi_tensor_decref(region);
        }
        at += t->shape[d];
    }
    const tg_tensor *const *in = (const tg_tensor *const *)tensors;
    if (tgi_is_floating(dt) && tgi_should_record(ctx, in, n)) {
        tg_node *node = tgi_record(out, TGI_OP_CAT, in, n);
        if (!node) {
            tgi_tensor_decref(out);
            return NULL;
        }
        node->args.d0 = d;
    }
    return tgi_own(out);
}

/* cat: grad.narrow(dim, offset, size) per input; a legacy empty [0] input gets zeros([0])
 * (cat_tensors_backward) */
tg_status tgi_bw_cat(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    int64_t dim = n->args.d0, at = 0;
    for (int i = 0; i < n->n_next; i++) {
        const tgi_meta *m = &n->in_meta[i];
        bool skip = m->ndim == 1 && m->shape[0] == 0;
        if (tgi_needs(n, i)) {
            gi[i] = skip ? tg_zeros(n->ctx, m->shape, 1, g->dtype)
                         : tg_narrow(g, (int)dim, at, m->shape[dim]);
            if (!gi[i]) return n->ctx->err;
        }
        if (!skip) at += m->shape[dim];
    }
    return TG_OK;
}

tg_tensor *tg_stack(tg_tensor *const *tensors, int n, int dim) {
    tg_ctx *ctx = list_ctx("tg_stack", tensors, n); /* NULL for an empty list: no context */
    if (!ctx) return NULL;
    const tg_tensor *f = tensors[0];
    int64_t d;
    if (tgi_wrap_dim(ctx, "tg_stack", dim, f->ndim + 1, &d) != TG_OK) return NULL;
    for (int i = 1; i < n; i++)
        if (!tgi_same_shape(tensors[i]->shape, tensors[i]->ndim, f->shape, f->ndim)) {
            char s0[256], si[256];
            tgi_fmt_shape(s0, sizeof s0, f->shape, f->ndim);
            tgi_fmt_shape(si, sizeof si, tensors[i]->shape, tensors[i]->ndim);
            tgi_error(ctx, TG_ERR_SHAPE,
                      "tg_stack: stack expects each tensor to be equal size, but got %s at entry "
                      "0 and %s at entry %d",
                      s0, si, i);
            return NULL;
        }
    if (f->ndim + 1 > TG_MAX_DIMS) {
        too_many_dims(ctx, "tg_stack", f->ndim + 1);
        return NULL;
    }
    int64_t sh[TG_MAX_DIMS], numel;
    for (int i = 0, j = 0; i <= f->ndim; i++) sh[i] = i == d ? n : f->shape[j++];
    if (tgi_check_shape(ctx, "tg_stack", sh, f->ndim + 1, &numel) != TG_OK) return NULL;
    tg_dtype dt = promote_list(tensors, n);
    tg_tensor *out = tgi_empty(ctx, sh, f->ndim + 1, dt);
    if (!out) return NULL;
    int64_t st[TG_MAX_DIMS];
    for (int i = 0, j = 0; i <= f->ndim; i++)
        if (i != d) st[j++] = out->strides[i];
    for (int i = 0; i < n && numel > 0; i++) {
        tg_tensor *region = tgi_alias(out, f->shape, st, f->ndim, i * out->strides[d]);
        if (!region) {
            tgi_tensor_decref(out);
            return NULL;
        }
        tgi_copy_into(region, tensors[i]);
        tgi_tensor_decref(region);
    }
    const tg_tensor *const *in = (const tg_tensor *const *)tensors;
    if (tgi_is_floating(dt) && tgi_should_record(ctx, in, n)) {
        tg_node *node = tgi_record(out, TGI_OP_STACK, in, n);
        if (!node) {
            tgi_tensor_decref(out);
            return NULL;
        }
        node->args.d0 = d;
    }
    return tgi_own(out);
}

/* stack: grad.select(dim, i) for input i (stack_tensors_backward) */
tg_status tgi_bw_stack(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    for (int i = 0; i < n->n_next; i++) {
        if (!tgi_needs(n, i)) continue;
        gi[i] = tg_select(g, (int)n->args.d0, i);
        if (!gi[i]) return n->ctx->err;
    }
    return TG_OK;
}

/* ---------------------------------------------------------------- repeat */

tg_tensor *tg_repeat(const tg_tensor *a, const int64_t *sizes, int nsizes) {
    if (!a) return tgi_null_arg(NULL, "tg_repeat", "self"), NULL;
    tg_ctx *ctx = a->ctx;
    if (nsizes > 0 && !sizes) return tgi_null_arg(ctx, "tg_repeat", "sizes"), NULL;
    if (nsizes < a->ndim) {
        tgi_error(ctx, TG_ERR_INVALID_ARG,
                  "tg_repeat: Number of dimensions of repeat dims can not be smaller than number "
                  "of dimensions of tensor");
        return NULL;
    }
    if (nsizes > TG_MAX_DIMS) {
        too_many_dims(ctx, "tg_repeat", nsizes);
        return NULL;
    }
    /* a seen as padded (leading 1s) and the output as [r0, s0, r1, s1, ...] with stride 0 on
     * the repeat dims: one strided gather */
    int lead = nsizes - a->ndim;
    int64_t sh[TG_MAX_DIMS], gsh[2 * TG_MAX_DIMS], gst[2 * TG_MAX_DIMS];
    for (int i = 0; i < nsizes; i++) {
        int64_t s = i < lead ? 1 : a->shape[i - lead];
        int64_t r = sizes[i];
        sh[i] = s != 0 && r != 0 && (r > INT64_MAX / s || r < INT64_MIN / s) ? INT64_MAX : s * r;
        gsh[2 * i] = r;
        gsh[2 * i + 1] = s;
        gst[2 * i] = 0;
        gst[2 * i + 1] = i < lead ? 0 : a->strides[i - lead];
    }
    int64_t numel;
    if (tgi_check_shape(ctx, "tg_repeat", sh, nsizes, &numel) != TG_OK) return NULL;
    tg_tensor *out = tgi_empty(ctx, sh, nsizes, a->dtype);
    if (!out) return NULL;
    gather(out->storage->data, a->storage->data, a->offset, gsh, gst, 2 * nsizes,
           tgi_dtype_size(a->dtype), numel);
    if (tgi_is_floating(a->dtype) && tgi_should_record(ctx, &a, 1) &&
        !tgi_record(out, TGI_OP_REPEAT, &a, 1)) {
        tgi_tensor_decref(out);
        return NULL;
    }
    return tgi_own(out);
}

/* repeat: the output's copies summed onto the input (repeat_backward). Extra leading dims are
 * summed away; each repeated dim of size r*s is viewed as [P, r, s*Q] and summed over r. */
tg_status tgi_bw_repeat(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_ctx *ctx = n->ctx;
    const tgi_meta *m = &n->in_meta[0];
    if (g->numel == 0) { /* a zero repeat or an empty input: nothing flows back */
        gi[0] = tg_zeros(ctx, m->shape, m->ndim, g->dtype);
        return gi[0] ? TG_OK : ctx->err;
    }
    tg_tensor *cur = g;
    int lead = g->ndim - m->ndim;
    if (lead > 0) {
        int64_t dims[TG_MAX_DIMS];
        for (int i = 0; i < lead; i++) dims[i] = i;
        if (!(cur = tg_sum_dim(cur, dims, lead, false))) return ctx->err;
    }
    for (int d = 0; d < m->ndim; d++) {
        int64_t s = m->shape[d], r = cur->shape[d] / s; /* s > 0: g has elements */
        if (r == 1) continue;
        int64_t p = 1, q = 1, one = 1;
        for (int i = 0; i < d; i++) p *= cur->shape[i];
        for (int i = d + 1; i < cur->ndim; i++) q *= cur->shape[i];
        int64_t v3[3] = {p, r, s * q}, back[TG_MAX_DIMS];
        memcpy(back, cur->shape, sizeof back);
        back[d] = s;
        tg_tensor *t3 = tg_reshape(cur, v3, 3);
        tg_tensor *summed = t3 ? tg_sum_dim(t3, &one, 1, false) : NULL;
        if (!summed || !(cur = tg_reshape(summed, back, cur->ndim))) return ctx->err;
    }
    gi[0] = cur;
    return TG_OK;
}

/* ---------------------------------------------------------------- flip */

tg_tensor *tg_flip(const tg_tensor *a, const int64_t *dims, int ndims) {
    if (!a) return tgi_null_arg(NULL, "tg_flip", "self"), NULL;
    tg_ctx *ctx = a->ctx;
    uint32_t mask;
    if (ndims < 0) {
        tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_flip: ndims is negative (%d)", ndims);
        return NULL;
    }
    if (tgi_dims_to_mask(ctx, "tg_flip", dims, ndims, a->ndim, &mask) != TG_OK) return NULL;
    int64_t st[TG_MAX_DIMS], off = a->offset;
    for (int i = 0; i < a->ndim; i++) {
        st[i] = a->strides[i];
        if ((mask >> i) & 1u && a->shape[i] > 0) {
            off += (a->shape[i] - 1) * a->strides[i];
            st[i] = -st[i];
        }
    }
    tg_tensor *out = tgi_empty(ctx, a->shape, a->ndim, a->dtype);
    if (!out) return NULL;
    gather(out->storage->data, a->storage->data, off, a->shape, st, a->ndim,
           tgi_dtype_size(a->dtype), a->numel);
    if (tgi_is_floating(a->dtype) && tgi_should_record(ctx, &a, 1)) {
        tg_node *n = tgi_record(out, TGI_OP_FLIP, &a, 1);
        if (!n) {
            tgi_tensor_decref(out);
            return NULL;
        }
        n->args.dim_mask = mask;
    }
    return tgi_own(out);
}

/* flip: the same flip of grad */
tg_status tgi_bw_flip(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    int64_t dims[TG_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < TG_MAX_DIMS; i++)
        if ((n->args.dim_mask >> i) & 1u) dims[nd++] = i;
    gi[0] = tg_flip(g, dims, nd);
    return gi[0] ? TG_OK : n->ctx->err;
}
