/*
 * reduce.c — reductions over all dims or a set of dims (keepdim, negative dims): sum, mean and
 * the vector p-norm, with their backward formulas, and at::sum_to for broadcast gradients.
 * Floating sums accumulate in double; integer and bool sums in int64.
 */
#include "ops.h"

#include <math.h>
#include <string.h>

typedef enum { R_SUM, R_NORM } rkind;

/* Output shape of reducing `mask` dims of a (keepdim keeps them as size 1). */
static int reduced_shape(const tg_tensor *a, uint32_t mask, bool keepdim, int64_t *out) {
    int n = 0;
    for (int d = 0; d < a->ndim; d++) {
        if (mask & (1u << d)) {
            if (keepdim) out[n++] = 1;
        } else {
            out[n++] = a->shape[d];
        }
    }
    return n;
}

static double norm_acc(double acc, double x, double p) {
    double ax = fabs(x);
    if (p == 2.0) return acc + x * x;
    if (p == 1.0) return acc + ax;
    if (p == 0.0) return acc + (x != 0);
    if (isinf(p)) return p > 0 ? (ax > acc || isnan(ax) ? ax : acc) : (ax < acc || isnan(ax) ? ax : acc);
    return acc + pow(ax, p);
}

static double norm_init(double p) { return isinf(p) && p < 0 ? INFINITY : 0.0; }

static double norm_fin(double acc, double p) {
    if (p == 2.0) return sqrt(acc);
    if (p == 1.0 || p == 0.0 || isinf(p)) return acc;
    return pow(acc, 1.0 / p);
}

/* out[o] = reduce over the masked dims of a; out is contiguous with the kept dims in order. */
static void reduce_kernel(const tg_tensor *a, uint32_t mask, tg_tensor *out, rkind kind, double p) {
    int64_t ksz[TG_MAX_DIMS], kst[TG_MAX_DIMS], rsz[TG_MAX_DIMS], rst[TG_MAX_DIMS];
    int nk = 0, nr = 0;
    int64_t rcount = 1;
    for (int d = 0; d < a->ndim; d++) {
        if (mask & (1u << d)) {
            rsz[nr] = a->shape[d];
            rst[nr++] = a->strides[d];
            rcount *= a->shape[d];
        } else {
            ksz[nk] = a->shape[d];
            kst[nk++] = a->strides[d];
        }
    }
    const void *base = a->storage->data;
    void *o = out->storage->data;
    int64_t kidx[TG_MAX_DIMS] = {0};
    bool is_int = !tgi_is_floating(a->dtype);
    for (int64_t oi = 0; oi < out->numel; oi++) {
        int64_t koff = a->offset;
        for (int d = 0; d < nk; d++) koff += kidx[d] * kst[d];
        double acc = kind == R_NORM ? norm_init(p) : 0.0;
        int64_t iacc = 0;
        if (nr == 1 && kind == R_SUM && !is_int && a->dtype == TG_FLOAT32) {
            const float *f = (const float *)base + koff;
            for (int64_t r = 0; r < rsz[0]; r++) acc += f[r * rst[0]];
        } else if (rcount > 0) {
            int64_t ridx[TG_MAX_DIMS] = {0};
            for (int64_t r = 0; r < rcount; r++) {
                int64_t off = koff;
                for (int d = 0; d < nr; d++) off += ridx[d] * rst[d];
                if (is_int && kind == R_SUM) {
                    int64_t v = a->dtype == TG_INT64 ? ((const int64_t *)base)[off]
                                                     : (int64_t)((const bool *)base)[off];
                    iacc = (int64_t)((uint64_t)iacc + (uint64_t)v);
                } else {
                    double x = tgi_load(base, a->dtype, off);
                    acc = kind == R_SUM ? acc + x : norm_acc(acc, x, p);
                }
                for (int d = nr - 1; d >= 0 && ++ridx[d] == rsz[d]; d--) ridx[d] = 0;
            }
        }
        if (is_int && kind == R_SUM) ((int64_t *)o)[oi] = iacc;
        else tgi_store(o, out->dtype, oi, kind == R_NORM ? norm_fin(acc, p) : acc);
        for (int d = nk - 1; d >= 0 && ++kidx[d] == ksz[d]; d--) kidx[d] = 0;
    }
}

/* The shared driver: validates, reduces, divides for mean, records. */
static tg_tensor *reduce(const char *fn, const tg_tensor *a, const int64_t *dims, int ndims,
                         bool all, bool keepdim, int op, rkind kind, double p) {
    if (!a) return tgi_null_arg(NULL, fn, "self"), NULL;
    tg_ctx *ctx = a->ctx;
    uint32_t mask = 0;
    if (!all && ndims > 0) {
        if (tgi_dims_to_mask(ctx, fn, dims, ndims, a->ndim, &mask) != TG_OK) return NULL;
        if (a->ndim == 0) mask = 0;
    } else {
        mask = a->ndim ? (uint32_t)((1u << a->ndim) - 1) : 0;
    }
    bool is_mean = op == TGI_OP_MEAN || op == TGI_OP_MEAN_DIM;
    if (is_mean && !tgi_is_floating(a->dtype)) {
        tgi_error(ctx, TG_ERR_DTYPE,
                  "%s: mean(): could not infer output dtype. Input dtype must be either a "
                  "floating point or complex dtype. Got: %s",
                  fn, tgi_dtype_cname(a->dtype));
        return NULL;
    }
    if (kind == R_NORM && !tgi_is_floating(a->dtype)) {
        tgi_error(ctx, TG_ERR_DTYPE,
                  "%s: linalg.vector_norm: Expected a floating point or complex tensor as input. "
                  "Got %s",
                  fn, tgi_dtype_cname(a->dtype));
        return NULL;
    }
    if (kind == R_NORM && isnan(p)) {
        tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: the norm order p must not be nan", fn);
        return NULL;
    }
    if (kind == R_NORM && a->numel == 0 && (p < 0 || p == INFINITY)) {
        /* max / min / negative powers have no identity: PyTorch refuses an empty reduction */
        if (all || ndims == 0) {
            tgi_error(ctx, TG_ERR_INVALID_ARG,
                      "%s: linalg.vector_norm cannot compute the %g norm on an empty tensor "
                      "because the operation does not have an identity",
                      fn, p);
            return NULL;
        }
        for (int i = 0; i < ndims; i++) {
            int64_t d = dims[i] < 0 ? dims[i] + a->ndim : dims[i];
            if (a->shape[d] == 0) { /* PyTorch's text lacks the space before "because" */
                tgi_error(ctx, TG_ERR_INVALID_ARG,
                          "%s: linalg.vector_norm cannot compute the %g norm on the dimension "
                          "%lldbecause this dimension is empty and the operation does not have "
                          "an identity",
                          fn, p, (long long)dims[i]);
                return NULL;
            }
        }
    }
    int64_t shape[TG_MAX_DIMS];
    int nd = reduced_shape(a, mask, keepdim, shape);
    tg_dtype odt = tgi_is_floating(a->dtype) ? a->dtype : TG_INT64;
    tg_tensor *out = tgi_empty(ctx, shape, nd, odt);
    if (!out) return NULL;
    reduce_kernel(a, mask, out, kind, p);
    int64_t count = 1;
    for (int d = 0; d < a->ndim; d++)
        if (mask & (1u << d)) count *= a->shape[d];
    if (is_mean) {
        double inv = (double)count;
        for (int64_t i = 0; i < out->numel; i++)
            tgi_store(out->storage->data, odt, i,
                      tgi_load(out->storage->data, odt, i) / inv);
    }
    if (tgi_is_floating(odt) && tgi_should_record(ctx, &a, 1)) {
        tg_node *n = tgi_record(out, op, &a, 1);
        tg_status st = n ? TG_OK : ctx->err;
        if (n) {
            n->args.dim_mask = mask;
            n->args.keepdim = keepdim;
            n->args.n = count;
            n->args.s = p;
            if (kind == R_NORM) {
                st = tgi_save(n, a, false);
                if (st == TG_OK) st = tgi_save(n, out, true);
            }
        }
        if (st != TG_OK) {
            tgi_tensor_decref(out);
            return NULL;
        }
    }
    return tgi_own(out);
}

tg_tensor *tg_sum(const tg_tensor *a) {
    return reduce("tg_sum", a, NULL, 0, true, false, TGI_OP_SUM, R_SUM, 0);
}
tg_tensor *tg_sum_dim(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim) {
    return reduce("tg_sum_dim", a, dims, ndims, ndims == 0, keepdim, TGI_OP_SUM_DIM, R_SUM, 0);
}
tg_tensor *tg_mean(const tg_tensor *a) {
    return reduce("tg_mean", a, NULL, 0, true, false, TGI_OP_MEAN, R_SUM, 0);
}
tg_tensor *tg_mean_dim(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim) {
    return reduce("tg_mean_dim", a, dims, ndims, ndims == 0, keepdim, TGI_OP_MEAN_DIM, R_SUM, 0);
}
tg_tensor *tg_norm(const tg_tensor *a, double p) {
    return reduce("tg_norm", a, NULL, 0, true, false, TGI_OP_NORM, R_NORM, p);
}
tg_tensor *tg_norm_dim(const tg_tensor *a, double p, const int64_t *dims, int ndims,
                       bool keepdim) {
    return reduce("tg_norm_dim", a, dims, ndims, ndims == 0, keepdim, TGI_OP_NORM, R_NORM, p);
}

/* ---------------------------------------------------------------- backward */

/* g (the reduced gradient) reshaped so that it broadcasts against the input: the reduced dims
 * come back as size 1 when keepdim was false. */
static tg_tensor *unsqueeze_reduced(tg_node *n, tg_tensor *g) {
    const tgi_meta *m = &n->in_meta[0];
    if (n->args.keepdim) return g;
    int64_t shape[TG_MAX_DIMS];
    for (int d = 0; d < m->ndim; d++) shape[d] = (n->args.dim_mask & (1u << d)) ? 1 : m->shape[d];
    return tg_reshape(g, shape, m->ndim);
}

/* sum: grad expanded back to the input's shape */
tg_status tgi_bw_sum(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    const tgi_meta *m = &n->in_meta[0];
    gi[0] = tg_expand(unsqueeze_reduced(n, g), m->shape, m->ndim);
    return gi[0] ? TG_OK : g->ctx->err;
}

/* mean: sum's backward divided by the number of reduced elements */
tg_status tgi_bw_mean(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    const tgi_meta *m = &n->in_meta[0];
    gi[0] = tg_div_scalar(tg_expand(unsqueeze_reduced(n, g), m->shape, m->ndim),
                          (double)n->args.n);
    return gi[0] ? TG_OK : g->ctx->err;
}

/* linalg_vector_norm: PyTorch's linalg_vector_norm_backward, case by case on p. */
tg_status tgi_bw_norm(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *self = tgi_unpack(n, 0), *norm = tgi_unpack(n, 1);
    if (!self || !norm) return n->ctx->err;
    double p = n->args.s;
    if (p == 0.0) { /* PyTorch returns an undefined gradient: .grad stays unset */
        gi[0] = NULL;
        return TG_OK;
    }
    tg_tensor *gk = unsqueeze_reduced(n, g), *nk = unsqueeze_reduced(n, norm);
    tg_tensor *r;
    if (p == 1.0) {
        r = tg_mul(tgi_sign(self), gk);
    } else if (isinf(p)) {
        /* the gradient is shared evenly by the entries that attain the max (min), or are nan
         * (PyTorch's mask: abs(self) == norm | isnan(abs(self)); bool add is logical or) */
        tg_tensor *hit = tg_add(tg_eq(tg_abs(self), nk), tg_ne(self, self));
        tg_tensor *hitf = tgi_to_dtype(hit, self->dtype);
        int64_t dims[TG_MAX_DIMS];
        int nd = 0;
        for (int d = 0; d < self->ndim; d++)
            if (n->args.dim_mask & (1u << d)) dims[nd++] = d;
        tg_tensor *cnt = nd ? tg_sum_dim(hitf, dims, nd, true) : hitf;
        r = tg_mul(tg_mul(tgi_sign(self), hitf), tg_div(gk, cnt));
    } else if (p < 1.0) {
        tg_tensor *ss = tgi_masked_zero(tg_mul(tgi_sign(self), tg_pow_scalar(tg_abs(self), p - 1.0)),
                                        tg_eq_scalar(self, 0.0));
        r = tg_mul(ss, tg_mul(gk, tg_pow_scalar(nk, 1.0 - p)));
    } else {
        tg_tensor *ss;
        if (p < 2.0) ss = tg_mul(tgi_sign(self), tg_pow_scalar(tg_abs(self), p - 1.0));
        else if (p == 2.0) ss = self;
        else ss = tg_mul(self, tg_pow_scalar(tg_abs(self), p - 2.0));
        tg_tensor *scale = p == 2.0 ? tg_div(gk, nk) : tg_div(gk, tg_pow_scalar(nk, p - 1.0));
        scale = tgi_masked_zero(scale, tg_eq_scalar(nk, 0.0));
        r = tg_mul(ss, scale);
    }
    return (gi[0] = r) ? TG_OK : g->ctx->err;
}

/* at::sum_to: sum the leading extra dims, then (keepdim) every dim the target has as 1. */
tg_tensor *tgi_sum_to(const tg_tensor *g, const int64_t *shape, int ndim) {
    const tg_tensor *cur = g;
    int lead = g->ndim - ndim;
    int64_t dims[TG_MAX_DIMS];
    if (lead > 0) {
        for (int d = 0; d < lead; d++) dims[d] = d;
        cur = tg_sum_dim(cur, dims, lead, false);
        if (!cur) return NULL;
    }
    int nd = 0;
    for (int d = 0; d < ndim; d++)
        if (shape[d] == 1 && cur->shape[d] != 1) dims[nd++] = d;
    if (nd > 0) cur = tg_sum_dim(cur, dims, nd, true);
    return (tg_tensor *)(uintptr_t)cur;
}
