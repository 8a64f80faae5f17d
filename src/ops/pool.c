/*
 * pool.c — 2-D pooling as torch.nn.functional: max_pool2d (with indices; kernel, stride,
 * padding, dilation, ceil_mode), avg_pool2d (count_include_pad, divisor_override) and
 * adaptive_avg_pool2d (a mean over the last two dims for a 1x1 output, as PyTorch), on
 * [C, H, W] and [N, C, H, W] inputs, with PyTorch's checks, messages and nodes. The backward of
 * average pooling is an op of its own (recorded, so it can be differentiated again); max
 * pooling's scatters the gradient to the argmax with tg_scatter_add.
 */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One pooling over planes (every [H, W] slice of the input) kept by the node (node->extra). */
typedef struct pool_params {
    int64_t planes, h, w, oh, ow;
    int64_t kh, kw, sh, sw, ph, pw, dh, dw;
    bool count_include_pad, has_divisor;
    int64_t divisor;
    int ndim;                      /* 3 or 4 */
    int64_t in_shape[4], out_shape[4];
} pool_params;

static void *ptr(const tg_tensor *t) {
    if (!t || t->numel == 0) return NULL;
    return (char *)t->storage->data + (size_t)t->offset * tgi_dtype_size(t->dtype);
}

/* Records out = op(in) with the pooling's parameters, saving `save` (NULL: nothing). */
static tg_status record(tg_tensor *out, int op, const tg_tensor *in, const tg_tensor *save,
                        const pool_params *p, tg_node **node_out) {
    tg_ctx *ctx = out->ctx;
    if (node_out) *node_out = NULL;
    if (!tgi_is_floating(out->dtype) || !tgi_should_record(ctx, &in, 1)) return TG_OK;
    tg_node *node = tgi_record(out, op, &in, 1);
    if (!node) return ctx->err;
    if (node_out) *node_out = node;
    node->extra = malloc(sizeof *p);
    if (!node->extra) return tgi_error(ctx, TG_ERR_OOM, "out of memory recording a pooling");
    memcpy(node->extra, p, sizeof *p);
    return save ? tgi_save(node, save, false) : TG_OK;
}

/* ================================================================ shape rules (Pool.h) */

/* floor division (c10's div_rtn) */
static int64_t div_rtn(int64_t x, int64_t y) {
    int64_t q = x / y, r = x % y;
    if (r != 0 && ((r < 0) != (y < 0))) q--;
    return q;
}

/* pooling_output_shape: the output size along one dim, with its argument checks. */
static tg_status pool_out_size(tg_ctx *ctx, const char *fn, int64_t in, int64_t k, int64_t pad,
                               int64_t s, int64_t d, bool ceil_mode, int64_t *out) {
    if (s == 0) return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: stride should not be zero", fn);
    if (pad < 0)
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: pad must be non-negative, but got pad: %lld",
                         fn, (long long)pad);
    if (pad > ((k - 1) * d + 1) / 2)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: pad should be at most half of effective kernel size, but got "
                         "pad=%lld, kernel_size=%lld and dilation=%lld",
                         fn, (long long)pad, (long long)k, (long long)d);
    int64_t o = div_rtn(in + 2 * pad - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0), s) + 1;
    /* ceil mode: the last window must start inside the input or the left padding */
    if (ceil_mode && (o - 1) * s >= in + pad) o--;
    *out = o;
    return TG_OK;
}

/* pool2d_shape_check */
static tg_status pool2d_shape_check(tg_ctx *ctx, const char *fn, const tg_tensor *x,
                                    const pool_params *p) {
    char s[256];
    if (p->kh <= 0 || p->kw <= 0)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: kernel size should be greater than zero, but got kH: %lld kW: %lld",
                         fn, (long long)p->kh, (long long)p->kw);
    if (p->sh <= 0 || p->sw <= 0)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: stride should be greater than zero, but got dH: %lld dW: %lld", fn,
                         (long long)p->sh, (long long)p->sw);
    if (p->dh <= 0 || p->dw <= 0)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: dilation should be greater than zero, but got dilationH: %lld "
                         "dilationW: %lld",
                         fn, (long long)p->dh, (long long)p->dw);
    int nd = x->ndim;
    bool valid = nd >= 3 && x->shape[1] != 0 && x->shape[2] != 0;
    if (!((nd == 3 && x->shape[0] != 0 && valid) || (nd == 4 && valid && x->shape[3] != 0))) {
        tgi_fmt_shape(s, sizeof s, x->shape, nd);
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size "
                         "for input, but got:%s",
                         fn, s);
    }
    if (p->kw / 2 < p->pw || p->kh / 2 < p->ph)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: pad should be smaller than or equal to half of kernel size, but got "
                         "padW = %lld, padH = %lld, kW = %lld, kH = %lld",
                         fn, (long long)p->pw, (long long)p->ph, (long long)p->kw,
                         (long long)p->kh);
    if (p->ow < 1 || p->oh < 1) {
        int64_t c = x->shape[nd - 3];
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Given input size: (%lldx%lldx%lld). Calculated output size: "
                         "(%lldx%lldx%lld). Output size is too small",
                         fn, (long long)c, (long long)p->h, (long long)p->w, (long long)c,
                         (long long)p->oh, (long long)p->ow);
    }
    return TG_OK;
}

/* Fills p from the arguments (NULL stride: the kernel size; NULL padding 0, dilation 1) and
 * runs PyTorch's output-size computation and checks. */
static tg_status pool_setup(tg_ctx *ctx, const char *fn, const tg_tensor *x, const int64_t *k,
                            const int64_t *stride, const int64_t *padding, const int64_t *dil,
                            bool ceil_mode, pool_params *p) {
    memset(p, 0, sizeof *p);
    p->kh = k[0], p->kw = k[1];
    p->sh = stride ? stride[0] : k[0], p->sw = stride ? stride[1] : k[1];
    p->ph = padding ? padding[0] : 0, p->pw = padding ? padding[1] : 0;
    p->dh = dil ? dil[0] : 1, p->dw = dil ? dil[1] : 1;
    int nd = x->ndim;
    p->h = x->shape[nd - 2], p->w = x->shape[nd - 1];
    if (pool_out_size(ctx, fn, p->h, p->kh, p->ph, p->sh, p->dh, ceil_mode, &p->oh) != TG_OK ||
        pool_out_size(ctx, fn, p->w, p->kw, p->pw, p->sw, p->dw, ceil_mode, &p->ow) != TG_OK ||
        pool2d_shape_check(ctx, fn, x, p) != TG_OK)
        return ctx->err;
    p->ndim = nd;
    p->planes = 1;
    for (int d = 0; d < nd; d++) {
        p->in_shape[d] = p->out_shape[d] = x->shape[d];
        if (d < nd - 2) p->planes *= x->shape[d];
    }
    p->out_shape[nd - 2] = p->oh, p->out_shape[nd - 1] = p->ow;
    return TG_OK;
}

/* ================================================================ max_pool2d */

/* Per plane and output (i, j): the largest element of the dilated window (rows
 * i sh - ph + u dh inside the input), the first one on ties; a NaN wins (the last NaN seen),
 * as PyTorch's CPU kernel. idx is the flat position h * W + w within the plane. */
#define MAX_POOL(NAME, T, LOWEST, ISNAN)                                                              \
    static void NAME(const pool_params *p, const T *x, T *y, int64_t *idx) {                   \
        for (int64_t c = 0; c < p->planes; c++) {                                              \
            const T *xp = x + c * p->h * p->w;                                                 \
            for (int64_t i = 0; i < p->oh; i++)                                                \
                for (int64_t j = 0; j < p->ow; j++) {                                          \
                    int64_t h0 = i * p->sh - p->ph, w0 = j * p->sw - p->pw;                    \
                    int64_t h1 = h0 + (p->kh - 1) * p->dh + 1, w1 = w0 + (p->kw - 1) * p->dw + 1; \
                    if (h1 > p->h) h1 = p->h;                                                  \
                    if (w1 > p->w) w1 = p->w;                                                  \
                    while (h0 < 0) h0 += p->dh;                                                \
                    while (w0 < 0) w0 += p->dw;                                                \
                    int64_t best = h0 * p->w + w0;                                             \
                    T m = LOWEST;                                                              \
                    for (int64_t ih = h0; ih < h1; ih += p->dh)                                \
                        for (int64_t iw = w0; iw < w1; iw += p->dw) {                          \
                            T v = xp[ih * p->w + iw];                                          \
                            if (v > m || ISNAN(v)) {                                             \
                                m = v;                                                         \
                                best = ih * p->w + iw;                                         \
                            }                                                                  \
                        }                                                                      \
                    int64_t o = (c * p->oh + i) * p->ow + j;                                   \
                    y[o] = m;                                                                  \
                    idx[o] = best;                                                             \
                }                                                                              \
        }                                                                                      \
    }
#define NO_NAN(v) ((void)(v), false)
MAX_POOL(max_pool_f, float, -INFINITY, isnan)
MAX_POOL(max_pool_d, double, -INFINITY, isnan)
MAX_POOL(max_pool_l, int64_t, INT64_MIN, NO_NAN)

static tg_status max_pool_entry(const char *fn, const tg_tensor *input, const int64_t *kernel,
                                const int64_t *stride, const int64_t *padding,
                                const int64_t *dilation, bool ceil_mode, tg_tensor **values,
                                tg_tensor **indices) {
    if (!input) return tgi_null_arg(NULL, fn, "input");
    tg_ctx *ctx = input->ctx;
    if (!kernel) return tgi_null_arg(ctx, fn, "kernel_size");
    if (input->ndim != 3 && input->ndim != 4)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: non-empty 3D or 4D (batch mode) tensor expected for input", fn);
    pool_params p;
    if (pool_setup(ctx, fn, input, kernel, stride, padding, dilation, ceil_mode, &p) != TG_OK)
        return ctx->err;
    if (input->dtype == TG_BOOL)
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: \"max_pool2d\" not implemented for 'Bool'", fn);
    tg_tensor *x = tgi_cast(input, input->dtype, true);
    tg_tensor *out = tgi_empty(ctx, p.out_shape, p.ndim, input->dtype);
    tg_tensor *idx = tgi_empty(ctx, p.out_shape, p.ndim, TG_INT64);
    tg_status st = x && out && idx ? TG_OK : ctx->err;
    if (st == TG_OK && out->numel) {
        switch (input->dtype) {
        case TG_FLOAT32: max_pool_f(&p, ptr(x), ptr(out), ptr(idx)); break;
        case TG_FLOAT64: max_pool_d(&p, ptr(x), ptr(out), ptr(idx)); break;
        default: max_pool_l(&p, ptr(x), ptr(out), ptr(idx)); break;
        }
    }
    tgi_tensor_decref(x);
    /* saved: self and the indices (max_pool2d_with_indices in derivatives.yaml) */
    tg_node *node = NULL;
    if (st == TG_OK) st = record(out, TGI_OP_MAX_POOL2D_WITH_INDICES, input, input, &p, &node);
    if (st == TG_OK && node) st = tgi_save(node, idx, false);
    if (st != TG_OK) {
        tgi_tensor_decref(out);
        tgi_tensor_decref(idx);
        return st;
    }
    *values = tgi_own(out);
    if (indices) *indices = tgi_own(idx);
    else tgi_tensor_decref(idx);
    return TG_OK;
}

tg_tensor *tg_max_pool2d(const tg_tensor *input, const int64_t *kernel_size,
                         const int64_t *stride, const int64_t *padding, const int64_t *dilation,
                         bool ceil_mode) {
    tg_tensor *out = NULL;
    max_pool_entry("tg_max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, &out,
                   NULL);
    return out;
}

tg_status tg_max_pool2d_with_indices(const tg_tensor *input, const int64_t *kernel_size,
                                     const int64_t *stride, const int64_t *padding,
                                     const int64_t *dilation, bool ceil_mode, tg_tensor **out,
                                     tg_tensor **indices) {
    static const char fn[] = "tg_max_pool2d_with_indices";
    if (out) *out = NULL;
    if (indices) *indices = NULL;
    if (!out) return tgi_null_arg(input ? input->ctx : NULL, fn, "out");
    return max_pool_entry(fn, input, kernel_size, stride, padding, dilation, ceil_mode, out,
                          indices);
}

/* max_pool2d_with_indices_backward: the gradient goes to each output's argmax (summed where
 * windows share one): zeros(planes, H W).scatter_add(1, indices, g), viewed as the input. */
tg_status tgi_bw_max_pool2d(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    const pool_params *p = n->extra;
    tg_tensor *self = tgi_unpack(n, 0), *idx = tgi_unpack(n, 1);
    if (!self || !idx) return n->ctx->err;
    int64_t in2[2] = {p->planes, p->h * p->w}, out2[2] = {p->planes, p->oh * p->ow};
    tg_tensor *z = tg_zeros(n->ctx, in2, 2, g->dtype);
    tg_tensor *s = tg_scatter_add(z, 1, tg_reshape(idx, out2, 2), tg_reshape(g, out2, 2));
    return (gi[0] = tg_reshape(s, p->in_shape, p->ndim)) ? TG_OK : n->ctx->err;
}

/* ================================================================ avg_pool2d */

/* The window of output (i, j), clipped to the input, and its divisor: divisor_override, or the
 * window's size counting the padding it covers (count_include_pad) or not. PyTorch's
 * cpu_avg_pool; an empty window (possible in ceil mode) gives 0. */
static bool avg_window(const pool_params *p, int64_t i, int64_t j, int64_t *h0, int64_t *h1,
                       int64_t *w0, int64_t *w1, int64_t *div) {
    *h0 = i * p->sh - p->ph, *w0 = j * p->sw - p->pw;
    *h1 = *h0 + p->kh < p->h + p->ph ? *h0 + p->kh : p->h + p->ph;
    *w1 = *w0 + p->kw < p->w + p->pw ? *w0 + p->kw : p->w + p->pw;
    int64_t pool_size = (*h1 - *h0) * (*w1 - *w0);
    if (*h0 < 0) *h0 = 0;
    if (*w0 < 0) *w0 = 0;
    if (*h1 > p->h) *h1 = p->h;
    if (*w1 > p->w) *w1 = p->w;
    if (*h0 >= *h1 || *w0 >= *w1) return false;
    *div = p->has_divisor ? p->divisor
                          : p->count_include_pad ? pool_size : (*h1 - *h0) * (*w1 - *w0);
    return true;
}

/* floats: the window's sum (in double) / divisor; int64: wrapping sum, truncating division */
#define AVG_POOL(NAME, T, ACC)                                                                 \
    static void NAME(const pool_params *p, const T *x, T *y) {                                 \
        for (int64_t c = 0; c < p->planes; c++) {                                              \
            const T *xp = x + c * p->h * p->w;                                                 \
            for (int64_t i = 0; i < p->oh; i++)                                                \
                for (int64_t j = 0; j < p->ow; j++) {                                          \
                    int64_t h0, h1, w0, w1, div, o = (c * p->oh + i) * p->ow + j;              \
                    if (!avg_window(p, i, j, &h0, &h1, &w0, &w1, &div)) {                      \
                        y[o] = 0;                                                              \
                        continue;                                                              \
                    }                                                                          \
                    ACC sum = 0;                                                               \
                    for (int64_t ih = h0; ih < h1; ih++)                                       \
                        for (int64_t iw = w0; iw < w1; iw++) sum += (ACC)xp[ih * p->w + iw];    \
                    y[o] = (T)((T)sum / (T)div);                                               \
                }                                                                              \
        }                                                                                      \
    }
AVG_POOL(avg_pool_f, float, double)
AVG_POOL(avg_pool_d, double, double)
AVG_POOL(avg_pool_l, int64_t, uint64_t)

/* The input gradient: each output's gradient / its divisor, added over its (clipped) window. */
#define AVG_POOL_BW(NAME, T)                                                                   \
    static void NAME(const pool_params *p, const T *gy, T *gx) {                               \
        memset(gx, 0, sizeof(T) * (size_t)(p->planes * p->h * p->w));                         \
        for (int64_t c = 0; c < p->planes; c++) {                                              \
            T *gp = gx + c * p->h * p->w;                                                      \
            for (int64_t i = 0; i < p->oh; i++)                                                \
                for (int64_t j = 0; j < p->ow; j++) {                                          \
                    int64_t h0, h1, w0, w1, div;                                               \
                    if (!avg_window(p, i, j, &h0, &h1, &w0, &w1, &div)) continue;              \
                    T v = gy[(c * p->oh + i) * p->ow + j] / (T)div;                            \
                    for (int64_t ih = h0; ih < h1; ih++)                                       \
                        for (int64_t iw = w0; iw < w1; iw++) gp[ih * p->w + iw] += v;          \
                }                                                                              \
        }                                                                                      \
    }
AVG_POOL_BW(avg_pool_bw_f, float)
AVG_POOL_BW(avg_pool_bw_d, double)

/* The forward on a checked input (AvgPool2DBackward0, saving self). */
static tg_tensor *avg_pool_forward(const tg_tensor *input, const pool_params *p) {
    tg_ctx *ctx = input->ctx;
    tg_tensor *x = tgi_cast(input, input->dtype, true);
    tg_tensor *out = tgi_empty(ctx, p->out_shape, p->ndim, input->dtype);
    tg_status st = x && out ? TG_OK : ctx->err;
    if (st == TG_OK && out->numel) {
        switch (input->dtype) {
        case TG_FLOAT32: avg_pool_f(p, ptr(x), ptr(out)); break;
        case TG_FLOAT64: avg_pool_d(p, ptr(x), ptr(out)); break;
        default: avg_pool_l(p, ptr(x), ptr(out)); break;
        }
    }
    tgi_tensor_decref(x);
    if (st == TG_OK) st = record(out, TGI_OP_AVG_POOL2D, input, input, p, NULL);
    return tgi_finish(out, st);
}

/* avg_pool2d_backward as an op of g (AvgPool2DBackwardBackward0): linear, so its own
 * gradient is avg_pool2d of the upstream gradient. */
static tg_tensor *avg_pool_backward(const tg_tensor *g, const pool_params *p) {
    tg_ctx *ctx = g->ctx;
    tg_tensor *gc = tgi_cast(g, g->dtype, true);
    tg_tensor *out = tgi_empty(ctx, p->in_shape, p->ndim, g->dtype);
    tg_status st = gc && out ? TG_OK : ctx->err;
    if (st == TG_OK && out->numel) {
        if (g->dtype == TG_FLOAT32) avg_pool_bw_f(p, ptr(gc), ptr(out));
        else avg_pool_bw_d(p, ptr(gc), ptr(out));
    }
    tgi_tensor_decref(gc);
    if (st == TG_OK) st = record(out, TGI_OP_AVG_POOL2D_BACKWARD, g, NULL, p, NULL);
    return tgi_finish(out, st);
}

tg_status tgi_bw_avg_pool2d(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    if (!tgi_unpack(n, 0)) return n->ctx->err; /* self: its version is checked */
    return (gi[0] = avg_pool_backward(g, n->extra)) ? TG_OK : n->ctx->err;
}

tg_status tgi_bw_avg_pool2d_backward(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    return (gi[0] = avg_pool_forward(g, n->extra)) ? TG_OK : n->ctx->err;
}

tg_tensor *tg_avg_pool2d(const tg_tensor *input, const int64_t *kernel_size,
                         const int64_t *stride, const int64_t *padding, bool ceil_mode,
                         bool count_include_pad, const int64_t *divisor_override) {
    static const char fn[] = "tg_avg_pool2d";
    if (!input) return tgi_null_arg(NULL, fn, "input"), NULL;
    tg_ctx *ctx = input->ctx;
    if (!kernel_size) return tgi_null_arg(ctx, fn, "kernel_size"), NULL;
    if (divisor_override && *divisor_override == 0) {
        tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: divisor must be not zero", fn);
        return NULL;
    }
    int64_t d; /* input.size(-3) */
    if (input->ndim == 0) {
        tgi_error(ctx, TG_ERR_INDEX, "%s: Dimension specified as -3 but tensor has no dimensions",
                  fn);
        return NULL;
    }
    if (tgi_wrap_dim(ctx, fn, -3, input->ndim, &d) != TG_OK) return NULL;
    pool_params p;
    if (pool_setup(ctx, fn, input, kernel_size, stride, padding, NULL, ceil_mode, &p) != TG_OK)
        return NULL;
    if (input->dtype == TG_BOOL) {
        tgi_error(ctx, TG_ERR_DTYPE, "%s: \"avg_pool2d\" not implemented for 'Bool'", fn);
        return NULL;
    }
    p.count_include_pad = count_include_pad;
    p.has_divisor = divisor_override != NULL;
    p.divisor = divisor_override ? *divisor_override : 0;
    return avg_pool_forward(input, &p);
}

/* ================================================================ adaptive_avg_pool2d */

/* Output (i, j) averages input rows floor(i H / OH) .. ceil((i + 1) H / OH) - 1 (columns
 * likewise). */
static void adaptive_window(const pool_params *p, int64_t i, int64_t j, int64_t *h0, int64_t *h1,
                            int64_t *w0, int64_t *w1) {
    *h0 = i * p->h / p->oh, *h1 = ((i + 1) * p->h + p->oh - 1) / p->oh;
    *w0 = j * p->w / p->ow, *w1 = ((j + 1) * p->w + p->ow - 1) / p->ow;
}

#define ADAPTIVE(NAME, NAME_BW, T)                                                             \
    static void NAME(const pool_params *p, const T *x, T *y) {                                 \
        for (int64_t c = 0; c < p->planes; c++)                                                \
            for (int64_t i = 0; i < p->oh; i++)                                                \
                for (int64_t j = 0; j < p->ow; j++) {                                          \
                    int64_t h0, h1, w0, w1;                                                    \
                    adaptive_window(p, i, j, &h0, &h1, &w0, &w1);                              \
                    double sum = 0;                                                            \
                    for (int64_t ih = h0; ih < h1; ih++)                                       \
                        for (int64_t iw = w0; iw < w1; iw++)                                   \
                            sum += x[(c * p->h + ih) * p->w + iw];                             \
                    y[(c * p->oh + i) * p->ow + j] = (T)(sum / (double)((h1 - h0) * (w1 - w0))); \
                }                                                                              \
    }                                                                                          \
    static void NAME_BW(const pool_params *p, const T *gy, T *gx) {                            \
        memset(gx, 0, sizeof(T) * (size_t)(p->planes * p->h * p->w));                         \
        for (int64_t c = 0; c < p->planes; c++)                                                \
            for (int64_t i = 0; i < p->oh; i++)                                                \
                for (int64_t j = 0; j < p->ow; j++) {                                          \
                    int64_t h0, h1, w0, w1;                                                    \
                    adaptive_window(p, i, j, &h0, &h1, &w0, &w1);                              \
                    T v = gy[(c * p->oh + i) * p->ow + j] / (T)((h1 - h0) * (w1 - w0));        \
                    for (int64_t ih = h0; ih < h1; ih++)                                       \
                        for (int64_t iw = w0; iw < w1; iw++) gx[(c * p->h + ih) * p->w + iw] += v; \
                }                                                                              \
    }
ADAPTIVE(adaptive_f, adaptive_bw_f, float)
ADAPTIVE(adaptive_d, adaptive_bw_d, double)

/* _adaptive_avg_pool2d on a checked floating input (AdaptiveAvgPool2DBackward0, saving self). */
static tg_tensor *adaptive_forward(const tg_tensor *input, const pool_params *p) {
    tg_ctx *ctx = input->ctx;
    tg_tensor *x = tgi_cast(input, input->dtype, true);
    tg_tensor *out = tgi_empty(ctx, p->out_shape, p->ndim, input->dtype);
    tg_status st = x && out ? TG_OK : ctx->err;
    if (st == TG_OK && out->numel) {
        if (input->dtype == TG_FLOAT32) adaptive_f(p, ptr(x), ptr(out));
        else adaptive_d(p, ptr(x), ptr(out));
    }
    tgi_tensor_decref(x);
    if (st == TG_OK) st = record(out, TGI_OP_ADAPTIVE_AVG_POOL2D, input, input, p, NULL);
    return tgi_finish(out, st);
}

/* _adaptive_avg_pool2d_backward as an op of g (AdaptiveAvgPool2DBackwardBackward0): linear;
 * its gradient is _adaptive_avg_pool2d of the upstream gradient. */
static tg_tensor *adaptive_backward(const tg_tensor *g, const pool_params *p) {
    tg_ctx *ctx = g->ctx;
    tg_tensor *gc = tgi_cast(g, g->dtype, true);
    tg_tensor *out = tgi_empty(ctx, p->in_shape, p->ndim, g->dtype);
    tg_status st = gc && out ? TG_OK : ctx->err;
    if (st == TG_OK && out->numel) {
        if (g->dtype == TG_FLOAT32) adaptive_bw_f(p, ptr(gc), ptr(out));
        else adaptive_bw_d(p, ptr(gc), ptr(out));
    }
    tgi_tensor_decref(gc);
    if (st == TG_OK) st = record(out, TGI_OP_ADAPTIVE_AVG_POOL2D_BACKWARD, g, NULL, p, NULL);
    return tgi_finish(out, st);
}

tg_status tgi_bw_adaptive_avg_pool2d(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    if (!tgi_unpack(n, 0)) return n->ctx->err;
    for (int i = 1; i < g->ndim; i++) /* PyTorch's backward rejects empty non-batch dims */
        if (g->shape[i] == 0) {
            char s[256];
            tgi_fmt_shape(s, sizeof s, g->shape, g->ndim);
            return tgi_error(n->ctx, TG_ERR_SHAPE,
                             "tg_backward: adaptive_avg_pool2d_backward(): Expected grad_output to "
                             "have non-zero size for non-batch dimensions, but grad_output has "
                             "sizes %s with dimension %d being empty",
                             s, i);
        }
    return (gi[0] = adaptive_backward(g, n->extra)) ? TG_OK : n->ctx->err;
}

tg_status tgi_bw_adaptive_avg_pool2d_backward(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    return (gi[0] = adaptive_forward(g, n->extra)) ? TG_OK : n->ctx->err;
}

tg_tensor *tg_adaptive_avg_pool2d(const tg_tensor *input, const int64_t *output_size) {
    static const char fn[] = "tg_adaptive_avg_pool2d";
    if (!input) return tgi_null_arg(NULL, fn, "input"), NULL;
    tg_ctx *ctx = input->ctx;
    if (!output_size) return tgi_null_arg(ctx, fn, "output_size"), NULL;
    char s[256];
    int64_t oh = output_size[0], ow = output_size[1];
    if (oh < 0 || ow < 0) {
        tgi_error(ctx, TG_ERR_INVALID_ARG,
                  "%s: adaptive_avg_pool2d: elements of output_size must be greater than or equal "
                  "to 0 but received {%lld, %lld}",
                  fn, (long long)oh, (long long)ow);
        return NULL;
    }
    if (oh == 1 && ow == 1) { /* PyTorch: input.mean({-1, -2}, keepdim=True), any rank >= 2 */
        if (!tgi_is_floating(input->dtype)) {
            tgi_error(ctx, TG_ERR_DTYPE,
                      "%s: mean(): could not infer output dtype. Input dtype must be either a "
                      "floating point or complex dtype. Got: %s",
                      fn, tgi_dtype_cname(input->dtype));
            return NULL;
        }
        int64_t d, dims[2] = {-1, -2};
        if (tgi_wrap_dim(ctx, fn, -2, input->ndim, &d) != TG_OK) return NULL;
        return tg_mean_dim(input, dims, 2, true);
    }
    int nd = input->ndim;
    if (nd != 3 && nd != 4) {
        tgi_fmt_shape(s, sizeof s, input->shape, nd);
        tgi_error(ctx, TG_ERR_SHAPE, "%s: adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got %s",
                  fn, s);
        return NULL;
    }
    for (int i = nd - 2; i < nd; i++)
        if (input->shape[i] <= 0) {
            tgi_fmt_shape(s, sizeof s, input->shape, nd);
            tgi_error(ctx, TG_ERR_SHAPE,
                      "%s: adaptive_avg_pool2d(): Expected input to have non-zero size for "
                      "non-batch dimensions, but input has sizes %s with dimension %d being empty",
                      fn, s, i);
            return NULL;
        }
    if (!tgi_is_floating(input->dtype)) {
        tgi_error(ctx, TG_ERR_DTYPE, "%s: \"adaptive_avg_pool2d\" not implemented for '%s'", fn,
                  tgi_dtype_cname(input->dtype));
        return NULL;
    }
    pool_params p;
    memset(&p, 0, sizeof p);
    p.ndim = nd;
    p.h = input->shape[nd - 2], p.w = input->shape[nd - 1], p.oh = oh, p.ow = ow;
    p.planes = 1;
    for (int d = 0; d < nd; d++) {
        p.in_shape[d] = p.out_shape[d] = input->shape[d];
        if (d < nd - 2) p.planes *= input->shape[d];
    }
    p.out_shape[nd - 2] = oh, p.out_shape[nd - 1] = ow;
    return adaptive_forward(input, &p);
}
