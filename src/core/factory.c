/*
 * factory.c — tensor creation: from C arrays, constants, arange and random samples.
 * Every function validates the shape, allocates a contiguous tensor and hands it to the scope.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

static bool valid_dtype(tg_dtype d) { return d >= TG_FLOAT32 && d <= TG_BOOL; }

static tg_tensor *make(tg_ctx *ctx, const char *fn, const int64_t *shape, int ndim,
                       tg_dtype dtype) {
    if (!ctx) return NULL;
    if (!valid_dtype(dtype)) {
        tgi_error(ctx, TG_ERR_DTYPE, "%s: unknown dtype %d", fn, (int)dtype);
        return NULL;
    }
    int64_t numel;
    if (tgi_check_shape(ctx, fn, shape, ndim, &numel) != TG_OK) return NULL;
    return tgi_empty(ctx, shape, ndim, dtype);
}

static void fill_value(tg_tensor *t, double v) {
    void *d = tgi_data(t);
    switch (t->dtype) {
    case TG_FLOAT32: {
        float f = (float)v;
        for (int64_t i = 0; i < t->numel; i++) ((float *)d)[i] = f;
        break;
    }
    case TG_FLOAT64:
        for (int64_t i = 0; i < t->numel; i++) ((double *)d)[i] = v;
        break;
    default:
        for (int64_t i = 0; i < t->numel; i++) tgi_store(d, t->dtype, i, v);
    }
}

tg_tensor *tg_tensor_new(tg_ctx *ctx, const void *data, const int64_t *shape, int ndim,
                         tg_dtype dtype) {
    if (!ctx) return NULL;
    if (!data) {
        tgi_null_arg(ctx, "tg_tensor_new", "data");
        return NULL;
    }
    tg_tensor *t = make(ctx, "tg_tensor_new", shape, ndim, dtype);
    if (!t) return NULL;
    memcpy(tgi_data(t), data, (size_t)t->numel * tgi_dtype_size(dtype));
    if (dtype == TG_BOOL) /* normalise arbitrary bytes to 0/1 */
        for (int64_t i = 0; i < t->numel; i++) ((bool *)tgi_data(t))[i] = ((bool *)tgi_data(t))[i];
    return tgi_own(t);
}

tg_tensor *tg_full(tg_ctx *ctx, const int64_t *shape, int ndim, double value, tg_dtype dtype) {
    tg_tensor *t = make(ctx, "tg_full", shape, ndim, dtype);
    if (!t) return NULL;
    fill_value(t, value);
    return tgi_own(t);
}

tg_tensor *tg_scalar(tg_ctx *ctx, double value, tg_dtype dtype) {
    return tg_full(ctx, NULL, 0, value, dtype);
}

tg_tensor *tg_zeros(tg_ctx *ctx, const int64_t *shape, int ndim, tg_dtype dtype) {
    return tg_full(ctx, shape, ndim, 0.0, dtype);
}

tg_tensor *tg_ones(tg_ctx *ctx, const int64_t *shape, int ndim, tg_dtype dtype) {
    return tg_full(ctx, shape, ndim, 1.0, dtype);
}

tg_tensor *tg_zeros_like(const tg_tensor *t) {
    return t ? tg_full(t->ctx, t->shape, t->ndim, 0.0, t->dtype) : NULL;
}

tg_tensor *tg_ones_like(const tg_tensor *t) {
    return t ? tg_full(t->ctx, t->shape, t->ndim, 1.0, t->dtype) : NULL;
}

tg_tensor *tg_arange(tg_ctx *ctx, double start, double end, double step, tg_dtype dtype) {
    if (!ctx) return NULL;
    if (!isfinite(start) || !isfinite(end))
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_arange: unsupported range: %g -> %g",
                         start, end),
               NULL;
    if (step == 0 || isnan(step))
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_arange: step must be nonzero"), NULL;
    if ((step > 0 && end < start) || (step < 0 && end > start))
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "tg_arange: upper bound and larger bound inconsistent with step sign"),
               NULL;
    if (dtype == TG_BOOL)
        return tgi_error(ctx, TG_ERR_DTYPE, "tg_arange: \"arange_cpu\" not implemented for 'Bool'"),
               NULL;
    double n = ceil((end - start) / step);
    if (n > 9.0e15)
        return tgi_error(ctx, TG_ERR_SHAPE, "tg_arange: %g elements are too many", n), NULL;
    int64_t len = (int64_t)n;
    tg_tensor *t = make(ctx, "tg_arange", &len, 1, dtype);
    if (!t) return NULL;
    for (int64_t i = 0; i < len; i++) tgi_store(tgi_data(t), dtype, i, start + (double)i * step);
    return tgi_own(t);
}

static tg_tensor *random_tensor(tg_ctx *ctx, const char *fn, const int64_t *shape, int ndim,
                                tg_dtype dtype, bool normal) {
    if (!ctx) return NULL;
    if (!tgi_is_floating(dtype)) {
        tgi_error(ctx, TG_ERR_DTYPE, "%s: \"%s\" not implemented for '%s'", fn,
                  normal ? "normal_kernel_cpu" : "check_uniform_bounds", tgi_dtype_cname(dtype));
        return NULL;
    }
    tg_tensor *t = make(ctx, fn, shape, ndim, dtype);
    if (!t) return NULL;
    if (normal) tgi_fill_randn(ctx, t);
    else tgi_fill_rand(ctx, t);
    return tgi_own(t);
}

tg_tensor *tg_rand(tg_ctx *ctx, const int64_t *shape, int ndim, tg_dtype dtype) {
    return random_tensor(ctx, "tg_rand", shape, ndim, dtype, false);
}

tg_tensor *tg_randn(tg_ctx *ctx, const int64_t *shape, int ndim, tg_dtype dtype) {
    return random_tensor(ctx, "tg_randn", shape, ndim, dtype, true);
}
