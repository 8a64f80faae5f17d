/*
 * reduce_ext.c — more reductions: prod, max/min of the whole tensor and along a dim (values and
 * int64 indices), amax/amin, argmax/argmin, var/std with a correction, logsumexp, cumsum and
 * all/any. Plain strided reference kernels (sums accumulate in double, products in the input's
 * dtype as PyTorch's; int64 wraps); the backward formulas follow PyTorch's derivatives.yaml and
 * are written with differentiable ops, so gradients can be differentiated again (create_graph).
 */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ geometry */

/* A reduction seen from one tensor: the kept dims (in order; they index the output) and how to
 * walk one slice's reduced elements in row-major order over the reduced dims (with every dim
 * reduced, slice position r is the flat index). Reduced dims that are contiguous with each other
 * are merged; the innermost run is walked by stride and only the starts of the runs are stored
 * (one entry for a whole contiguous tensor), so no per-element table is ever allocated. */
typedef struct rgeom {
    int nk;
    int64_t ksz[TG_MAX_DIMS], kst[TG_MAX_DIMS];
    int64_t kcount, rcount; /* output elements; elements per slice */
    int64_t inner, istride; /* the innermost run: its length and stride */
    int64_t nouter, *ooff;  /* the run starts, relative to the slice start */
} rgeom;

static tg_status geom_init(rgeom *g, const tg_tensor *a, uint32_t mask, const char *fn) {
    int64_t rsz[TG_MAX_DIMS], rst[TG_MAX_DIMS];
    int nr = 0;
    g->nk = 0;
    g->kcount = 1;
    g->rcount = 1;
    for (int d = 0; d < a->ndim; d++) {
        if (mask & (1u << d)) {
            g->rcount *= a->shape[d];
            if (a->shape[d] == 1) continue; /* no effect on the walk */
            if (nr > 0 && rst[nr - 1] == a->strides[d] * a->shape[d]) {
                rsz[nr - 1] *= a->shape[d]; /* merge with the previous reduced dim */
                rst[nr - 1] = a->strides[d];
                continue;
            }
            rsz[nr] = a->shape[d];
            rst[nr++] = a->strides[d];
        } else {
            g->ksz[g->nk] = a->shape[d];
            g->kst[g->nk++] = a->strides[d];
            g->kcount *= a->shape[d];
        }
    }
    g->inner = nr ? rsz[nr - 1] : 1;
    g->istride = nr ? rst[nr - 1] : 0;
    g->nouter = g->inner ? g->rcount / g->inner : 0;
    g->ooff = malloc((size_t)(g->nouter > 0 ? g->nouter : 1) * sizeof *g->ooff);
    if (!g->ooff) return tgi_error(a->ctx, TG_ERR_OOM, "%s: out of memory", fn);
    g->ooff[0] = 0;
    int64_t idx[TG_MAX_DIMS] = {0}, off = 0;
    for (int64_t o = 0; o < g->nouter; o++) {
        g->ooff[o] = off;
        for (int d = nr - 2; d >= 0; d--) {
            off += rst[d];
            if (++idx[d] < rsz[d]) break;
            off -= rst[d] * rsz[d];
            idx[d] = 0;
        }
    }
    return TG_OK;
}

static void geom_free(rgeom *g) {
    free(g->ooff);
    g->ooff = NULL;
}

/* Walks the kept positions in row-major order; off is the storage offset of the slice start. */
typedef struct kiter {
    int64_t idx[TG_MAX_DIMS];
    int64_t off;
} kiter;

static void kiter_start(kiter *it, const tg_tensor *a) {
    memset(it->idx, 0, sizeof it->idx);
    it->off = a->offset;
}

static void kiter_next(kiter *it, const rgeom *g) {
    for (int d = g->nk - 1; d >= 0; d--) {
        it->off += g->kst[d];
        if (++it->idx[d] < g->ksz[d]) return;
        it->off -= g->kst[d] * g->ksz[d];
        it->idx[d] = 0;
    }
}

/* Walks one slice (starting at storage offset base) forward with siter_next, or backward from
 * its last element with siter_prev; each returns the storage offset of the element it passes.
 * Call them at most rcount times. */
typedef struct siter {
    const rgeom *g;
    int64_t base, o, i, off;
} siter;

static void siter_start(siter *s, const rgeom *g, int64_t base) {
    s->g = g;
    s->base = base;
    s->o = 0;
    s->i = 0;
    s->off = base + g->ooff[0];
}

static void siter_start_end(siter *s, const rgeom *g, int64_t base) {
    s->g = g;
    s->base = base;
    s->o = g->nouter > 0 ? g->nouter - 1 : 0;
    s->i = g->inner > 0 ? g->inner - 1 : 0;
    s->off = base + g->ooff[s->o] + s->i * g->istride;
}

static inline int64_t siter_next(siter *s) {
    int64_t off = s->off;
    if (++s->i < s->g->inner) {
        s->off += s->g->istride;
    } else if (++s->o < s->g->nouter) {
        s->i = 0;
        s->off = s->base + s->g->ooff[s->o];
    }
    return off;
}

static inline int64_t siter_prev(siter *s) {
    int64_t off = s->off;
    if (s->i > 0) {
        s->i--;
        s->off -= s->g->istride;
    } else if (s->o > 0) {
        s->o--;
        s->i = s->g->inner - 1;
        s->off = s->base + s->g->ooff[s->o] + s->i * s->g->istride;
    }
    return off;
}

/* element off of a as an exact int64 (int64 and bool tensors) */
static inline int64_t load_i(const tg_tensor *a, int64_t off) {
    return a->dtype == TG_INT64 ? ((const int64_t *)a->storage->data)[off]
                                : (int64_t)((const bool *)a->storage->data)[off];
}

static inline double load_d(const tg_tensor *a, int64_t off) {
    return tgi_load(a->storage->data, a->dtype, off);
}

/* ================================================================ dims and shapes */

static uint32_t all_dims(int ndim) { return ndim ? (uint32_t)((1u << ndim) - 1) : 0; }

/* The reduced-dims mask of dims (ndims 0: every dim). A 0-d tensor accepts dim 0 / -1 and
 * reduces nothing. PyTorch's IndexError and repeated-dim messages. */
static tg_status dims_mask(const char *fn, const tg_tensor *a, const int64_t *dims, int ndims,
                           uint32_t *mask) {
    if (ndims < 0)
        return tgi_error(a->ctx, TG_ERR_INVALID_ARG, "%s: ndims must be >= 0 (got %d)", fn,
                         ndims);
    if (ndims == 0) {
        *mask = all_dims(a->ndim);
        return TG_OK;
    }
    if (tgi_dims_to_mask(a->ctx, fn, dims, ndims, a->ndim, mask) != TG_OK) return a->ctx->err;
    if (a->ndim == 0) *mask = 0;
    return TG_OK;
}

/* One dim, wrapped; its mask bit (0 for a 0-d tensor). */
static tg_status one_dim(const char *fn, const tg_tensor *a, int64_t dim, int64_t *wrapped,
                         uint32_t *mask) {
    if (tgi_wrap_dim(a->ctx, fn, dim, a->ndim, wrapped) != TG_OK) return a->ctx->err;
    *mask = a->ndim ? 1u << *wrapped : 0;
    return TG_OK;
}

/* Output shape of reducing mask (keepdim keeps reduced dims as size 1). */
static int reduced_shape(const tg_tensor *a, uint32_t mask, bool keepdim, int64_t *out) {
    int n = 0;
    for (int d = 0; d < a->ndim; d++) {
        if (!(mask & (1u << d))) out[n++] = a->shape[d];
        else if (keepdim) out[n++] = 1;
    }
    return n;
}

static int64_t mask_count(const tg_tensor *a, uint32_t mask) {
    int64_t n = 1;
    for (int d = 0; d < a->ndim; d++)
        if (mask & (1u << d)) n *= a->shape[d];
    return n;
}

/* ================================================================ the slice kernel */

typedef enum { RK_PROD, RK_MAX, RK_MIN, RK_VAR, RK_STD, RK_LSE, RK_ALL, RK_ANY } rkop;

/* For every kept position k: out[k] = op over the slice (out contiguous, may be NULL for
 * argmax), idx[k] = the slice position max/min chose (may be NULL). Max/min follow PyTorch's
 * CPU kernels: the first NaN wins, ties keep the first occurrence. */
static void reduce_slices(const tg_tensor *a, const rgeom *g, rkop op, double corr, tg_tensor *out,
                          tg_tensor *idx) {
    void *dst = out ? out->storage->data : NULL;
    tg_dtype odt = out ? out->dtype : TG_INT64;
    int64_t *ip = idx ? (int64_t *)idx->storage->data : NULL;
    const bool fl = tgi_is_floating(a->dtype);
    const int64_t n = g->rcount;
    kiter it;
    siter s;
    kiter_start(&it, a);
    for (int64_t k = 0; k < g->kcount; k++, kiter_next(&it, g)) {
        siter_start(&s, g, it.off);
        switch (op) {
        case RK_PROD:
            /* in the input's dtype, as PyTorch's prod kernel (not an accumulate type): float32
             * products overflow and underflow where PyTorch's do */
            if (a->dtype == TG_FLOAT32) {
                float acc = 1.0f;
                for (int64_t r = 0; r < n; r++) acc *= (float)load_d(a, siter_next(&s));
                tgi_store(dst, odt, k, acc);
            } else if (fl) {
                double acc = 1.0;
                for (int64_t r = 0; r < n; r++) acc *= load_d(a, siter_next(&s));
                tgi_store(dst, odt, k, acc);
            } else {
                uint64_t acc = 1; /* wraps like PyTorch's int64 */
                for (int64_t r = 0; r < n; r++) acc *= (uint64_t)load_i(a, siter_next(&s));
                ((int64_t *)dst)[k] = (int64_t)acc;
            }
            break;
        case RK_MAX:
        case RK_MIN: {
            int64_t bi = 0;
            if (fl) {
                double best = n ? load_d(a, s.off) : 0.0;
                for (int64_t r = 0; r < n; r++) {
                    double x = load_d(a, siter_next(&s));
                    if (op == RK_MAX ? !(x <= best) : !(x >= best)) {
                        best = x;
                        bi = r;
                        if (isnan(x)) break;
                    }
                }
                if (dst) tgi_store(dst, odt, k, best);
            } else {
                int64_t best = n ? load_i(a, s.off) : 0;
                for (int64_t r = 0; r < n; r++) {
                    int64_t x = load_i(a, siter_next(&s));
                    if (op == RK_MAX ? x > best : x < best) {
                        best = x;
                        bi = r;
                    }
                }
                if (dst && odt == TG_INT64) ((int64_t *)dst)[k] = best;
                else if (dst) ((bool *)dst)[k] = best != 0;
            }
            if (ip) ip[k] = bi;
            break;
        }
        case RK_VAR:
        case RK_STD: {
            /* two passes in double; divisor max(0, N - correction) as PyTorch */
            double sum = 0.0, m2 = 0.0;
            for (int64_t r = 0; r < n; r++) sum += load_d(a, siter_next(&s));
            double mean = n ? sum / (double)n : 0.0;
            siter_start(&s, g, it.off);
            for (int64_t r = 0; r < n; r++) {
                double dx = load_d(a, siter_next(&s)) - mean;
                m2 += dx * dx;
            }
            double div = (double)n - corr, v;
            if (a->numel == 0) v = NAN;
            else if (div > 0) v = m2 / div;
            else v = (m2 == 0.0 || isnan(m2)) ? NAN : INFINITY;
            tgi_store(dst, odt, k, op == RK_STD ? sqrt(v) : v);
            break;
        }
        case RK_LSE: {
            /* log(sum(exp(x - m))) + m with m the max (NaN wins), m taken as 0 when infinite */
            double m = 0.0;
            for (int64_t r = 0; r < n; r++) {
                double x = load_d(a, siter_next(&s));
                if (r == 0 || x > m || isnan(x)) m = x;
                if (isnan(x)) break;
            }
            if (isinf(m)) m = 0.0;
            double sum = 0.0;
            siter_start(&s, g, it.off);
            for (int64_t r = 0; r < n; r++) sum += exp(load_d(a, siter_next(&s)) - m);
            tgi_store(dst, odt, k, log(sum) + m);
            break;
        }
        case RK_ALL:
        case RK_ANY: {
            /* all: stop at the first zero; any: at the first nonzero (NaN is nonzero) */
            const bool stop_at = op == RK_ANY;
            bool res = !stop_at;
            for (int64_t r = 0; r < n; r++) {
                int64_t off = siter_next(&s);
                bool nz = fl ? load_d(a, off) != 0.0 : load_i(a, off) != 0;
                if (nz == stop_at) {
                    res = stop_at;
                    break;
                }
            }
            ((bool *)dst)[k] = res;
            break;
        }
        }
    }
}

/* Runs the slice kernel over a's mask into out (and idx), already allocated. */
static tg_status run_reduce(const char *fn, const tg_tensor *a, uint32_t mask, rkop op,
                            double corr, tg_tensor *out, tg_tensor *idx) {
    rgeom g;
    if (geom_init(&g, a, mask, fn) != TG_OK) return a->ctx->err;
    reduce_slices(a, &g, op, corr, out, idx);
    geom_free(&g);
    return TG_OK;
}

/* Records out = op(a) when grad mode is on, a requires grad and out is floating, saving a and/or
 * out for the backward. Hands out to the current scope; on failure frees it and returns NULL. */
static tg_tensor *finish(tg_tensor *out, const tg_tensor *a, int op, const tgi_args *args,
                         bool save_self, bool save_out) {
    tg_ctx *ctx = a->ctx;
    if (tgi_is_floating(out->dtype) && tgi_should_record(ctx, &a, 1)) {
        tg_node *n = tgi_record(out, op, &a, 1);
        tg_status st = n ? TG_OK : ctx->err;
        if (n) {
            n->args = *args;
            if (save_self) st = tgi_save(n, a, false);
            if (st == TG_OK && save_out) st = tgi_save(n, out, true);
        }
        if (st != TG_OK) {
            tgi_tensor_decref(out);
            return NULL;
        }
    }
    return tgi_own(out);
}

static tgi_args make_args(uint32_t mask, bool keepdim, int64_t dim) {
    tgi_args a;
    memset(&a, 0, sizeof a);
    a.dim_mask = mask;
    a.keepdim = keepdim;
    a.d0 = dim;
    return a;
}

/* ================================================================ prod */

/* prod over every element (all) or along one dim. Integer and bool inputs give
 * int64. Saves self and the result (derivatives.yaml). */
static tg_tensor *prod_impl(const char *fn, const tg_tensor *a, bool all, int dim, bool keepdim) {
    if (!a) return tgi_null_arg(NULL, fn, "self"), NULL;
    int64_t d = 0;
    uint32_t mask = all_dims(a->ndim);
    if (!all && one_dim(fn, a, dim, &d, &mask) != TG_OK) return NULL;
    int64_t shape[TG_MAX_DIMS];
    int nd = reduced_shape(a, mask, all ? false : keepdim, shape);
    tg_tensor *out = tgi_empty(a->ctx, shape, nd, tgi_is_floating(a->dtype) ? a->dtype : TG_INT64);
    if (!out) return NULL;
    if (run_reduce(fn, a, mask, RK_PROD, 0, out, NULL) != TG_OK) {
        tgi_tensor_decref(out);
        return NULL;
    }
    tgi_args args = make_args(mask, all ? false : keepdim, d);
    return finish(out, a, all ? TGI_OP_PROD_ALL : TGI_OP_PROD_DIM, &args, true, true);
}

tg_tensor *tg_prod(const tg_tensor *a) { return prod_impl("tg_prod", a, true, 0, false); }

tg_tensor *tg_prod_dim(const tg_tensor *a, int dim, bool keepdim) {
    return prod_impl("tg_prod_dim", a, false, dim, keepdim);
}

/* ================================================================ max / min */

static const char ERR_NO_DIM[] =
    "%s: %s(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
    "reduction dim with the 'dim' argument.";

static tg_tensor *minmax_all(const char *fn, const tg_tensor *a, bool is_max) {
    if (!a) return tgi_null_arg(NULL, fn, "self"), NULL;
    if (a->numel == 0)
        return tgi_error(a->ctx, TG_ERR_INVALID_ARG, ERR_NO_DIM, fn, is_max ? "max" : "min"), NULL;
    tg_tensor *out = tgi_empty(a->ctx, NULL, 0, a->dtype);
    if (!out) return NULL;
    if (run_reduce(fn, a, all_dims(a->ndim), is_max ? RK_MAX : RK_MIN, 0, out, NULL) != TG_OK) {
        tgi_tensor_decref(out);
        return NULL;
    }
    tgi_args args = make_args(all_dims(a->ndim), false, 0);
    return finish(out, a, is_max ? TGI_OP_MAX_ALL : TGI_OP_MIN_ALL, &args, true, true);
}

tg_tensor *tg_max(const tg_tensor *a) { return minmax_all("tg_max", a, true); }
tg_tensor *tg_min(const tg_tensor *a) { return minmax_all("tg_min", a, false); }

static tg_status minmax_dim(const char *fn, const tg_tensor *a, int dim, bool keepdim,
                            tg_tensor **values, tg_tensor **indices, bool is_max) {
    if (values) *values = NULL;
    if (indices) *indices = NULL;
    if (!a) return tgi_null_arg(NULL, fn, "self");
    tg_ctx *ctx = a->ctx;
    if (!values) return tgi_null_arg(ctx, fn, "values");
    int64_t d = 0;
    uint32_t mask = 0;
    if (one_dim(fn, a, dim, &d, &mask) != TG_OK) return ctx->err;
    if (a->numel == 0 && a->shape[d] == 0)
        return tgi_error(ctx, TG_ERR_INDEX, "%s: %s(): Expected reduction dim %lld to have "
                         "non-zero size.", fn, is_max ? "max" : "min", (long long)d);
    int64_t shape[TG_MAX_DIMS];
    int nd = reduced_shape(a, mask, keepdim, shape);
    tg_tensor *v = tgi_empty(ctx, shape, nd, a->dtype);
    tg_tensor *ix = v ? tgi_empty(ctx, shape, nd, TG_INT64) : NULL;
    tg_status st = ix ? run_reduce(fn, a, mask, is_max ? RK_MAX : RK_MIN, 0, v, ix) : ctx->err;
    if (st == TG_OK && tgi_is_floating(v->dtype) && tgi_should_record(ctx, &a, 1)) {
        /* one recorded output; the indices are not differentiable (PyTorch: requires_grad
         * False, no grad_fn) but saved for the backward with their version */
        tg_node *n = tgi_record(v, is_max ? TGI_OP_MAX_DIM : TGI_OP_MIN_DIM, &a, 1);
        st = n ? TG_OK : ctx->err;
        if (n) {
            n->args = make_args(mask, keepdim, d);
            st = tgi_save(n, ix, false);
        }
    }
    if (st != TG_OK) {
        if (v) tgi_tensor_decref(v);
        if (ix) tgi_tensor_decref(ix);
        return st;
    }
    *values = tgi_own(v);
    if (indices) *indices = tgi_own(ix);
    else tgi_tensor_decref(ix);
    return TG_OK;
}

tg_status tg_max_dim(const tg_tensor *a, int dim, bool keepdim, tg_tensor **values,
                     tg_tensor **indices) {
    return minmax_dim("tg_max_dim", a, dim, keepdim, values, indices, true);
}

tg_status tg_min_dim(const tg_tensor *a, int dim, bool keepdim, tg_tensor **values,
                     tg_tensor **indices) {
    return minmax_dim("tg_min_dim", a, dim, keepdim, values, indices, false);
}

/* ================================================================ amax / amin */

static tg_tensor *amaxmin(const char *fn, const tg_tensor *a, const int64_t *dims, int ndims,
                          bool keepdim, bool is_max) {
    if (!a) return tgi_null_arg(NULL, fn, "self"), NULL;
    tg_ctx *ctx = a->ctx;
    const char *name = is_max ? "amax" : "amin";
    if (a->numel == 0) {
        /* PyTorch's zero_numel_check_dims: the dims as given, before they are wrapped */
        if (ndims == 0)
            return tgi_error(ctx, TG_ERR_INVALID_ARG, ERR_NO_DIM, fn, name), NULL;
        for (int i = 0; i < ndims && dims; i++) {
            int64_t w;
            if (tgi_wrap_dim(ctx, fn, dims[i], a->ndim, &w) != TG_OK) return NULL;
            if (a->shape[w] == 0)
                return tgi_error(ctx, TG_ERR_INDEX, "%s: %s(): Expected reduction dim %lld to "
                                 "have non-zero size.", fn, name, (long long)dims[i]),
                       NULL;
        }
    }
    uint32_t mask = 0;
    if (dims_mask(fn, a, dims, ndims, &mask) != TG_OK) return NULL;
    int64_t shape[TG_MAX_DIMS];
    int nd = reduced_shape(a, mask, keepdim, shape);
    tg_tensor *out = tgi_empty(ctx, shape, nd, a->dtype);
    if (!out) return NULL;
    if (run_reduce(fn, a, mask, is_max ? RK_MAX : RK_MIN, 0, out, NULL) != TG_OK) {
        tgi_tensor_decref(out);
        return NULL;
    }
    tgi_args args = make_args(mask, keepdim, 0);
    return finish(out, a, is_max ? TGI_OP_AMAX : TGI_OP_AMIN, &args, true, true);
}

tg_tensor *tg_amax(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim) {
    return amaxmin("tg_amax", a, dims, ndims, keepdim, true);
}

tg_tensor *tg_amin(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim) {
    return amaxmin("tg_amin", a, dims, ndims, keepdim, false);
}

/* ================================================================ argmax / argmin */

static tg_tensor *argminmax(const char *fn, const tg_tensor *a, bool has_dim, int dim,
                            bool keepdim, bool is_max) {
    if (!a) return tgi_null_arg(NULL, fn, "self"), NULL;
    tg_ctx *ctx = a->ctx;
    const char *name = is_max ? "argmax" : "argmin";
    uint32_t mask = all_dims(a->ndim);
    if (has_dim) {
        int64_t d = 0;
        if (one_dim(fn, a, dim, &d, &mask) != TG_OK) return NULL;
        if (a->ndim > 0 && a->shape[d] == 0)
            return tgi_error(ctx, TG_ERR_INDEX, "%s: %s(): Expected reduction dim %lld to have "
                             "non-zero size.", fn, name, (long long)d),
                   NULL;
    } else if (a->numel == 0) {
        return tgi_error(ctx, TG_ERR_INDEX, "%s: %s(): Expected reduction dim to be specified "
                         "for input.numel() == 0.", fn, name),
               NULL;
    }
    if (a->dtype == TG_BOOL)
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: \"%s_cpu\" not implemented for 'Bool'", fn, name),
               NULL;
    int64_t shape[TG_MAX_DIMS];
    int nd = reduced_shape(a, mask, keepdim, shape);
    tg_tensor *ix = tgi_empty(ctx, shape, nd, TG_INT64);
    if (!ix) return NULL;
    if (run_reduce(fn, a, mask, is_max ? RK_MAX : RK_MIN, 0, NULL, ix) != TG_OK) {
        tgi_tensor_decref(ix);
        return NULL;
    }
    return tgi_own(ix);
}

tg_tensor *tg_argmax(const tg_tensor *a, bool keepdim) {
    return argminmax("tg_argmax", a, false, 0, keepdim, true);
}
tg_tensor *tg_argmin(const tg_tensor *a, bool keepdim) {
    return argminmax("tg_argmin", a, false, 0, keepdim, false);
}
tg_tensor *tg_argmax_dim(const tg_tensor *a, int dim, bool keepdim) {
    return argminmax("tg_argmax_dim", a, true, dim, keepdim, true);
}
tg_tensor *tg_argmin_dim(const tg_tensor *a, int dim, bool keepdim) {
    return argminmax("tg_argmin_dim", a, true, dim, keepdim, false);
}

/* ================================================================ var / std */

/* whole: PyTorch's dim=None (also ndims == 0). args: s = correction, d0 = whole. */
static tg_tensor *var_impl(const char *fn, const tg_tensor *a, const int64_t *dims, int ndims,
                           bool whole, double correction, bool keepdim, bool take_sqrt) {
    if (!a) return tgi_null_arg(NULL, fn, "self"), NULL;
    tg_ctx *ctx = a->ctx;
    if (!tgi_is_floating(a->dtype))
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: std and var only support floating point and complex dtypes", fn),
               NULL;
    uint32_t mask = all_dims(a->ndim);
    if (ndims == 0) whole = true;
    if (!whole && dims_mask(fn, a, dims, ndims, &mask) != TG_OK) return NULL;
    int64_t shape[TG_MAX_DIMS];
    int nd = reduced_shape(a, mask, keepdim, shape);
    tg_tensor *out = tgi_empty(ctx, shape, nd, a->dtype);
    if (!out) return NULL;
    if (run_reduce(fn, a, mask, take_sqrt ? RK_STD : RK_VAR, correction, out, NULL) != TG_OK) {
        tgi_tensor_decref(out);
        return NULL;
    }
    /* PyTorch 2.x's warn_invalid_degrees_of_freedom */
    int64_t per = out->numel == 0 ? 0 : a->numel / out->numel;
    if ((double)per - correction <= 0)
        tgi_warn(ctx, "%s(): degrees of freedom is <= 0. Correction should be strictly less than "
                 "the reduction factor (input numel divided by output numel).",
                 take_sqrt ? "std" : "var");
    tgi_args args = make_args(mask, keepdim, whole ? 1 : 0);
    args.s = correction;
    return finish(out, a, take_sqrt ? TGI_OP_STD : TGI_OP_VAR, &args, true, take_sqrt);
}

tg_tensor *tg_var(const tg_tensor *a, double correction) {
    return var_impl("tg_var", a, NULL, 0, true, correction, false, false);
}
tg_tensor *tg_var_dim(const tg_tensor *a, const int64_t *dims, int ndims, double correction,
                      bool keepdim) {
    return var_impl("tg_var_dim", a, dims, ndims, false, correction, keepdim, false);
}
tg_tensor *tg_std(const tg_tensor *a, double correction) {
    return var_impl("tg_std", a, NULL, 0, true, correction, false, true);
}
tg_tensor *tg_std_dim(const tg_tensor *a, const int64_t *dims, int ndims, double correction,
                      bool keepdim) {
    return var_impl("tg_std_dim", a, dims, ndims, false, correction, keepdim, true);
}

/* ================================================================ logsumexp */

tg_tensor *tg_logsumexp(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim) {
    const char *fn = "tg_logsumexp";
    if (!a) return tgi_null_arg(NULL, fn, "self"), NULL;
    uint32_t mask = 0;
    if (dims_mask(fn, a, dims, ndims, &mask) != TG_OK) return NULL;
    int64_t shape[TG_MAX_DIMS];
    int nd = reduced_shape(a, mask, keepdim, shape);
    /* integer and bool inputs give the default dtype, float32 */
    tg_tensor *out = tgi_empty(a->ctx, shape, nd, tgi_is_floating(a->dtype) ? a->dtype : TG_FLOAT32);
    if (!out) return NULL;
    if (run_reduce(fn, a, mask, RK_LSE, 0, out, NULL) != TG_OK) {
        tgi_tensor_decref(out);
        return NULL;
    }
    tgi_args args = make_args(mask, keepdim, 0);
    return finish(out, a, TGI_OP_LOGSUMEXP, &args, true, true);
}

/* ================================================================ cumsum */

/* Inclusive running sums along dim, from the end when reverse (the backward of cumsum, itself
 * recorded as a CumsumBackward0 whose backward is the forward sum). Integer and bool inputs give
 * int64. Saves nothing. args: d0 = dim, d1 = reverse. */
static tg_tensor *cumsum_impl(const char *fn, const tg_tensor *a, int dim, bool reverse) {
    if (!a) return tgi_null_arg(NULL, fn, "self"), NULL;
    tg_ctx *ctx = a->ctx;
    int64_t d = 0;
    uint32_t mask = 0;
    if (one_dim(fn, a, dim, &d, &mask) != TG_OK) return NULL;
    bool fl = tgi_is_floating(a->dtype);
    tg_tensor *out = tgi_empty(ctx, a->shape, a->ndim, fl ? a->dtype : TG_INT64);
    if (!out) return NULL;
    rgeom ga, go;
    if (geom_init(&ga, a, mask, fn) != TG_OK) {
        tgi_tensor_decref(out);
        return NULL;
    }
    if (geom_init(&go, out, mask, fn) != TG_OK) {
        geom_free(&ga);
        tgi_tensor_decref(out);
        return NULL;
    }
    kiter ia, io;
    kiter_start(&ia, a);
    kiter_start(&io, out);
    const int64_t n = ga.rcount;
    for (int64_t k = 0; k < ga.kcount; k++, kiter_next(&ia, &ga), kiter_next(&io, &go)) {
        /* both walks follow the same logical order, however each tensor's dims merged */
        siter sa, so;
        if (reverse) {
            siter_start_end(&sa, &ga, ia.off);
            siter_start_end(&so, &go, io.off);
        } else {
            siter_start(&sa, &ga, ia.off);
            siter_start(&so, &go, io.off);
        }
        double acc = 0.0;
        uint64_t iacc = 0;
        for (int64_t j = 0; j < n; j++) {
            int64_t src = reverse ? siter_prev(&sa) : siter_next(&sa);
            int64_t dst = reverse ? siter_prev(&so) : siter_next(&so);
            if (fl) {
                acc += load_d(a, src);
                tgi_store(out->storage->data, out->dtype, dst, acc);
            } else {
                iacc += (uint64_t)load_i(a, src);
                ((int64_t *)out->storage->data)[dst] = (int64_t)iacc;
            }
        }
    }
    geom_free(&ga);
    geom_free(&go);
    tgi_args args = make_args(mask, false, d);
    args.d1 = reverse;
    return finish(out, a, TGI_OP_CUMSUM, &args, false, false);
}

tg_tensor *tg_cumsum(const tg_tensor *a, int dim) { return cumsum_impl("tg_cumsum", a, dim, false); }

/* ================================================================ all / any */

static tg_tensor *allany(const char *fn, const tg_tensor *a, const int64_t *dims, int ndims,
                         bool whole, bool keepdim, bool is_all) {
    if (!a) return tgi_null_arg(NULL, fn, "self"), NULL;
    uint32_t mask = all_dims(a->ndim);
    if (!whole && dims_mask(fn, a, dims, ndims, &mask) != TG_OK) return NULL;
    int64_t shape[TG_MAX_DIMS];
    int nd = reduced_shape(a, mask, whole ? false : keepdim, shape);
    tg_tensor *out = tgi_empty(a->ctx, shape, nd, TG_BOOL);
    if (!out) return NULL;
    if (run_reduce(fn, a, mask, is_all ? RK_ALL : RK_ANY, 0, out, NULL) != TG_OK) {
        tgi_tensor_decref(out);
        return NULL;
    }
    return tgi_own(out); /* bool: never recorded */
}

tg_tensor *tg_all(const tg_tensor *a) { return allany("tg_all", a, NULL, 0, true, false, true); }
tg_tensor *tg_any(const tg_tensor *a) { return allany("tg_any", a, NULL, 0, true, false, false); }
tg_tensor *tg_all_dim(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim) {
    return allany("tg_all_dim", a, dims, ndims, false, keepdim, true);
}
tg_tensor *tg_any_dim(const tg_tensor *a, const int64_t *dims, int ndims, bool keepdim) {
    return allany("tg_any_dim", a, dims, ndims, false, keepdim, false);
}

/* ================================================================ backward */

/* t (shaped like the node's reduced output) reshaped to broadcast against input 0: the reduced
 * dims come back as size 1 when keepdim was false (restore_reduced_dims). */
static tg_tensor *restore(const tg_node *n, tg_tensor *t) {
    const tgi_meta *m = &n->in_meta[0];
    if (!t || n->args.keepdim || m->ndim == 0) return t;
    int64_t shape[TG_MAX_DIMS];
    for (int d = 0; d < m->ndim; d++) shape[d] = (n->args.dim_mask & (1u << d)) ? 1 : m->shape[d];
    return tg_reshape(t, shape, m->ndim);
}

/* The reduced dims of the node as a list; returns their count. */
static int mask_dims(const tg_node *n, int64_t *dims) {
    int nd = 0;
    for (int d = 0; d < n->in_meta[0].ndim; d++)
        if (n->args.dim_mask & (1u << d)) dims[nd++] = d;
    return nd;
}

static tg_status done(tg_tensor **gi, tg_tensor *r, tg_ctx *ctx) {
    gi[0] = r;
    return r ? TG_OK : (ctx->err ? ctx->err : TG_ERR_OOM);
}

static int64_t count_zeros(const tg_tensor *x) {
    int64_t z = 0;
    rgeom g;
    siter s;
    if (geom_init(&g, x, all_dims(x->ndim), "tg_backward") != TG_OK) return -1;
    siter_start(&s, &g, x->offset);
    for (int64_t r = 0; r < g.rcount; r++) z += load_d(x, siter_next(&s)) == 0.0;
    geom_free(&g);
    return z;
}

/* others[i] = the product of the other elements of i's slice along the mask's dims (row-major),
 * from exclusive running products from the left and from the right as PyTorch's
 * prod_safe_zeros_backward (running products in double, each rounded to x's dtype, then
 * multiplied in it). A new contiguous tensor, not recorded: the no-grad-mode path. */
static tg_tensor *prod_others_raw(const tg_tensor *x, uint32_t mask) {
    tg_ctx *ctx = x->ctx;
    tg_tensor *out = tgi_empty(ctx, x->shape, x->ndim, x->dtype);
    if (!out) return NULL;
    rgeom gx, go;
    if (geom_init(&gx, x, mask, "tg_backward") != TG_OK) {
        tgi_tensor_decref(out);
        return NULL;
    }
    if (geom_init(&go, out, mask, "tg_backward") != TG_OK) {
        geom_free(&gx);
        tgi_tensor_decref(out);
        return NULL;
    }
    void *o = out->storage->data;
    kiter ix, io;
    kiter_start(&ix, x);
    kiter_start(&io, out);
    for (int64_t k = 0; k < gx.kcount; k++, kiter_next(&ix, &gx), kiter_next(&io, &go)) {
        siter sx, so;
        /* left to right: out[r] = x[0] * ... * x[r-1] */
        double acc = 1.0;
        siter_start(&sx, &gx, ix.off);
        siter_start(&so, &go, io.off);
        for (int64_t r = 0; r < gx.rcount; r++) {
            tgi_store(o, out->dtype, siter_next(&so), acc);
            acc *= load_d(x, siter_next(&sx));
        }
        /* right to left: out[r] *= x[r+1] * ... * x[n-1] */
        acc = 1.0;
        siter_start_end(&sx, &gx, ix.off);
        siter_start_end(&so, &go, io.off);
        for (int64_t r = 0; r < gx.rcount; r++) {
            int64_t off = siter_prev(&so);
            double v = out->dtype == TG_FLOAT32
                           ? (double)((float)tgi_load(o, out->dtype, off) * (float)acc)
                           : tgi_load(o, out->dtype, off) * acc;
            tgi_store(o, out->dtype, off, v);
            acc *= load_d(x, siter_prev(&sx));
        }
    }
    geom_free(&gx);
    geom_free(&go);
    return tgi_own(out);
}

/* The product of the others along dim for a tensor with no room for another dim, from
 * differentiable ops: for each i, prod of x without position i (the pieces before and after it
 * joined), then those n results joined along dim. O(n^2) per slice. */
static tg_tensor *prod_others_slices(tg_tensor *x, int dim) {
    int64_t n = x->shape[dim];
    if (n < 2) return tg_ones_like(x); /* the empty product */
    tg_tensor **parts = calloc((size_t)n, sizeof *parts);
    if (!parts) return tgi_error(x->ctx, TG_ERR_OOM, "tg_backward: out of memory"), NULL;
    tg_tensor *r = NULL;
    int64_t i = 0;
    for (; i < n; i++) {
        tg_tensor *pieces[2];
        int k = 0;
        if (i > 0) pieces[k++] = tg_narrow(x, dim, 0, i);
        if (i < n - 1) pieces[k++] = tg_narrow(x, dim, i + 1, n - 1 - i);
        tg_tensor *rest = k == 1 ? pieces[0] : tg_cat(pieces, 2, dim);
        if (!rest || !(parts[i] = tg_prod_dim(rest, dim, true))) break;
    }
    if (i == n) r = tg_cat(parts, (int)n, dim);
    free(parts);
    return r;
}

/* The same product of the others along dim, built from differentiable ops for create_graph:
 * X[..., i, j, ...] = i == j ? 1 : x[..., j, ...], then prod over j. O(n^2) per slice. */
static tg_tensor *prod_others_graph(tg_tensor *x, int dim) {
    tg_ctx *ctx = x->ctx;
    if (x->ndim + 1 > TG_MAX_DIMS) return prod_others_slices(x, dim);
    int64_t n = x->shape[dim], rows[TG_MAX_DIMS], cols[TG_MAX_DIMS];
    int nd = x->ndim + 1;
    for (int d = 0; d < nd; d++) rows[d] = cols[d] = 1;
    rows[dim] = n;
    cols[dim + 1] = n;
    tg_tensor *ar = tg_arange(ctx, 0, (double)n, 1, TG_INT64);
    tg_tensor *eye = tg_eq(tg_reshape(ar, rows, nd), tg_reshape(ar, cols, nd));
    tg_tensor *X = tgi_where(eye, tg_scalar(ctx, 1.0, x->dtype), tg_unsqueeze(x, dim));
    return tg_prod_dim(X, dim + 1, false);
}

/* prod: grad * result / self without zeros; with zeros the product of the other elements
 * (zeros when there are several and the backward is not recorded, as PyTorch). */
tg_status tgi_bw_prod_all(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *self = tgi_unpack(n, 0), *result = tgi_unpack(n, 1);
    if (!self || !result) return n->ctx->err;
    if (self->ndim == 0) return done(gi, g, n->ctx);
    int64_t zeros = count_zeros(self);
    if (zeros < 0) return n->ctx->err;
    if (zeros == 0) return done(gi, tg_mul(g, tg_div(result, self)), n->ctx);
    if (!tgi_grad_mode(n->ctx)) {
        if (zeros > 1) return done(gi, tg_zeros_like(self), n->ctx);
        return done(gi, tg_mul(g, prod_others_raw(self, all_dims(self->ndim))), n->ctx);
    }
    int64_t flat = -1;
    tg_tensor *others = prod_others_graph(tg_reshape(self, &flat, 1), 0);
    return done(gi, tg_mul(g, tg_reshape(others, self->shape, self->ndim)), n->ctx);
}

/* prod along dim: the same per slice (zeros anywhere take the safe path for every slice) */
tg_status tgi_bw_prod_dim(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *self = tgi_unpack(n, 0), *result = tgi_unpack(n, 1);
    if (!self || !result) return n->ctx->err;
    if (self->ndim == 0) return done(gi, g, n->ctx);
    tg_tensor *gk = restore(n, g);
    int64_t zeros = count_zeros(self);
    if (zeros < 0) return n->ctx->err;
    if (zeros == 0) return done(gi, tg_mul(gk, tg_div(restore(n, result), self)), n->ctx);
    int dim = (int)n->args.d0;
    if (self->shape[dim] == 1) return done(gi, gk, n->ctx);
    tg_tensor *others = tgi_grad_mode(n->ctx) ? prod_others_graph(self, dim)
                                              : prod_others_raw(self, 1u << dim);
    return done(gi, tg_mul(gk, others), n->ctx);
}

/* max() / min(): evenly_distribute_backward — the gradient is shared by the elements equal to
 * the result (the NaNs when it is NaN); the others get exactly 0. */
tg_status tgi_bw_minmax_all(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *self = tgi_unpack(n, 0), *result = tgi_unpack(n, 1);
    if (!self || !result) return n->ctx->err;
    tg_tensor *mask = isnan(tg_tensor_get(result, 0)) ? tg_ne(self, self) : tg_eq(self, result);
    tg_tensor *share = tg_div(g, tg_sum(mask));
    return done(gi, tgi_where(mask, share, tg_scalar(n->ctx, 0.0, g->dtype)), n->ctx);
}

/* max(dim) / min(dim): value_selecting_reduction_backward — the whole gradient to the index
 * returned: where(arange(size) == indices, grad, 0) along dim. */
tg_status tgi_bw_minmax_dim(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *idx = tgi_unpack(n, 0);
    if (!idx) return n->ctx->err;
    const tgi_meta *m = &n->in_meta[0];
    if (m->ndim == 0) return done(gi, g, n->ctx);
    int dim = (int)n->args.d0;
    int64_t shape[TG_MAX_DIMS];
    for (int d = 0; d < m->ndim; d++) shape[d] = d == dim ? m->shape[d] : 1;
    tg_tensor *ar = tg_reshape(tg_arange(n->ctx, 0, (double)m->shape[dim], 1, TG_INT64), shape,
                               m->ndim);
    tg_tensor *hit = tg_eq(ar, restore(n, idx));
    return done(gi, tgi_where(hit, restore(n, g), tg_scalar(n->ctx, 0.0, g->dtype)), n->ctx);
}

/* amax / amin: scale_grad_by_count — (grad / count) * mask, mask = (self == result) per slice
 * (a NaN result matches nothing, so its slice gets NaN: 0 * inf). */
tg_status tgi_bw_amaxmin(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *self = tgi_unpack(n, 0), *result = tgi_unpack(n, 1);
    if (!self || !result) return n->ctx->err;
    tg_tensor *mask = tg_eq(self, restore(n, result));
    int64_t dims[TG_MAX_DIMS];
    int nd = mask_dims(n, dims);
    tg_tensor *count = nd ? tg_sum_dim(mask, dims, nd, true) : tg_sum(mask);
    return done(gi, tg_mul(tg_div(restore(n, g), count), mask), n->ctx);
}

/* var_backward (PyTorch 2.x): whole (dim None or a 0-d input): dof = N - correction;
 * dof <= 0 gives grad * where(self == mean, nan, inf), else (2 / dof) * grad * (self - mean).
 * Along dims: (2 / (n - correction)) * grad * (self - mean(dims)) with 2 / 0 = inf. */
static tg_tensor *var_grad(tg_node *n, tg_tensor *g, tg_tensor *self) {
    tg_ctx *ctx = n->ctx;
    double c = n->args.s;
    if (n->args.d0 || self->ndim == 0) {
        double dof = (double)self->numel - c;
        if (dof <= 0) {
            tg_tensor *at_mean = tg_eq(self, tg_mean(self));
            return tg_mul(g, tgi_where(at_mean, tg_scalar(ctx, NAN, self->dtype),
                                       tg_scalar(ctx, INFINITY, self->dtype)));
        }
        return tg_mul(tg_mul_scalar(g, 2.0 / dof), tg_sub(self, tg_mean(self)));
    }
    int64_t dims[TG_MAX_DIMS];
    int nd = mask_dims(n, dims);
    double dof = (double)mask_count(self, n->args.dim_mask) - c;
    double scale = dof == 0 ? INFINITY : 2.0 / dof;
    return tg_mul(tg_mul_scalar(restore(n, g), scale),
                  tg_sub(self, tg_mean_dim(self, dims, nd, true)));
}

tg_status tgi_bw_var(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *self = tgi_unpack(n, 0);
    if (!self) return n->ctx->err;
    return done(gi, var_grad(n, g, self), n->ctx);
}

/* std: var's backward of (grad / (2 result)), 0 where the result is 0 */
tg_status tgi_bw_std(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *self = tgi_unpack(n, 0), *result = tgi_unpack(n, 1);
    if (!self || !result) return n->ctx->err;
    tg_tensor *gv = tgi_masked_zero(tg_div(g, tg_mul_scalar(result, 2.0)),
                                    tg_eq_scalar(result, 0.0));
    return done(gi, gv ? var_grad(n, gv, self) : NULL, n->ctx);
}

/* logsumexp: grad * exp(self - result) */
tg_status tgi_bw_logsumexp(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *self = tgi_unpack(n, 0), *result = tgi_unpack(n, 1);
    if (!self || !result) return n->ctx->err;
    return done(gi, tg_mul(restore(n, g), tg_exp(tg_sub(self, restore(n, result)))), n->ctx);
}

/* cumsum: the running sum of grad from the end (and back again for the reverse one) */
tg_status tgi_bw_cumsum(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    const tgi_meta *m = &n->in_meta[0];
    int dim = (int)n->args.d0;
    if (g->numel <= 1 || (m->ndim > 0 && m->shape[dim] == 1)) return done(gi, g, n->ctx);
    return done(gi, cumsum_impl("tg_cumsum", g, dim, !n->args.d1), n->ctx);
}
