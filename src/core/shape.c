/*
 * shape.c — shape validation with overflow checks, broadcasting, dim wrapping and formatting.
 * Error texts follow PyTorch's where PyTorch has one.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

int tgi_fmt_shape(char *buf, size_t cap, const int64_t *shape, int ndim) {
    size_t n = 0;
    int w = snprintf(buf, cap, "[");
    n += (size_t)(w > 0 ? w : 0);
    for (int i = 0; i < ndim; i++) {
        w = snprintf(buf + (n < cap ? n : cap), n < cap ? cap - n : 0, "%s%lld", i ? ", " : "",
                     (long long)shape[i]);
        n += (size_t)(w > 0 ? w : 0);
    }
    w = snprintf(buf + (n < cap ? n : cap), n < cap ? cap - n : 0, "]");
    n += (size_t)(w > 0 ? w : 0);
    return (int)n;
}

tg_status tgi_check_shape(tg_ctx *ctx, const char *fn, const int64_t *shape, int ndim,
                          int64_t *numel) {
    if (ndim < 0 || ndim > TG_MAX_DIMS)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: tensors have at most %d dimensions, got %d", fn, TG_MAX_DIMS, ndim);
    if (ndim > 0 && !shape) return tgi_null_arg(ctx, fn, "shape");
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) {
            char s[256];
            tgi_fmt_shape(s, sizeof s, shape, ndim);
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: Trying to create tensor with negative dimension %lld: %s", fn,
                             (long long)shape[i], s);
        }
        if (shape[i] && n > INT64_MAX / shape[i])
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: the number of elements overflows int64 (dimension %d of size "
                             "%lld)",
                             fn, i, (long long)shape[i]);
        n *= shape[i];
    }
    /* the byte count must fit size_t as well (8-byte elements at most) */
    if ((uint64_t)n > SIZE_MAX / 8)
        return tgi_error(ctx, TG_ERR_SHAPE, "%s: %lld elements do not fit in memory", fn,
                         (long long)n);
    *numel = n;
    return TG_OK;
}

tg_status tgi_broadcast_shapes(tg_ctx *ctx, const char *fn, const int64_t *a, int na,
                               const int64_t *b, int nb, int64_t *out, int *nout) {
    int n = na > nb ? na : nb;
    for (int i = 0; i < n; i++) {
        int ia = na - 1 - i, ib = nb - 1 - i;
        int64_t sa = ia >= 0 ? a[ia] : 1, sb = ib >= 0 ? b[ib] : 1;
        int64_t r;
        if (sa == sb || sb == 1) r = sa;
        else if (sa == 1) r = sb;
        else
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: The size of tensor a (%lld) must match the size of tensor b "
                             "(%lld) at non-singleton dimension %d",
                             fn, (long long)sa, (long long)sb, n - 1 - i);
        out[n - 1 - i] = r;
    }
    *nout = n;
    return TG_OK;
}

tg_status tgi_wrap_dim(tg_ctx *ctx, const char *fn, int64_t dim, int ndim, int64_t *out) {
    int64_t n = ndim > 0 ? ndim : 1; /* PyTorch treats a 0-d tensor as having one dim here */
    if (dim < -n || dim >= n)
        return tgi_error(ctx, TG_ERR_INDEX,
                         "%s: Dimension out of range (expected to be in range of [%lld, %lld], "
                         "but got %lld)",
                         fn, (long long)-n, (long long)(n - 1), (long long)dim);
    *out = dim < 0 ? dim + n : dim;
    return TG_OK;
}

tg_status tgi_dims_to_mask(tg_ctx *ctx, const char *fn, const int64_t *dims, int ndims, int ndim,
                           uint32_t *mask) {
    uint32_t m = 0;
    if (ndims > 0 && !dims) return tgi_null_arg(ctx, fn, "dims");
    for (int i = 0; i < ndims; i++) {
        int64_t d = 0;
        if (tgi_wrap_dim(ctx, fn, dims[i], ndim, &d) != TG_OK) return ctx->err;
        if (m & (1u << d))
            return tgi_error(ctx, TG_ERR_INVALID_ARG,
                             "%s: dim %lld appears multiple times in the list of dims", fn,
                             (long long)d);
        m |= 1u << d;
    }
    *mask = m;
    return TG_OK;
}

void tgi_contiguous_strides(const int64_t *shape, int ndim, int64_t *strides) {
    int64_t st = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        strides[i] = st;
        st *= shape[i];
    }
}

bool tgi_same_shape(const int64_t *a, int na, const int64_t *b, int nb) {
    return na == nb && (na == 0 || memcmp(a, b, (size_t)na * sizeof *a) == 0);
}
