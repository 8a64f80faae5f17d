/*
 * conv_kernel.c — the 2-D convolution kernels behind src/ops/conv.c (see conv.h): direct-loop
 * references (float sums in double, int64 wrapping) and im2col + GEMM versions, each for the
 * forward pass, the input gradient (a transposed convolution) and the weight gradient.
 */
#include "conv.h"
#include "linalg.h"

#include <stdlib.h>
#include <string.h>

/* Element offsets into the contiguous [n, c, h, w] input, [o, cg, kh, kw] weight and
 * [n, oc, oh, ow] output. */
#define X_AT(g, n_, c_, i_, j_) ((((n_) * (g)->c + (c_)) * (g)->h + (i_)) * (g)->w + (j_))
#define W_AT(g, o_, c_, u_, v_) ((((o_) * ((g)->c / (g)->groups) + (c_)) * (g)->kh + (u_)) * (g)->kw + (v_))
#define Y_AT(g, n_, o_, i_, j_) ((((n_) * (g)->oc + (o_)) * (g)->oh + (i_)) * (g)->ow + (j_))

/* ================================================================ references */

/* y[n, o, i, j] = b[o] + sum over the group's channels c and taps (u, v) of
 *   x[n, c, i sh - ph + u dh, j sw - pw + v dw] * w[o, c, u, v]   (zero outside the input) */
#define REF_FWD(NAME, T, ACC)                                                                  \
    static void NAME(const tgi_conv_geom *g, const T *x, const T *w, const T *b, T *y) {       \
        int64_t cg = g->c / g->groups, og = g->oc / g->groups;                                 \
        for (int64_t n = 0; n < g->n; n++)                                                     \
            for (int64_t o = 0; o < g->oc; o++) {                                              \
                int64_t c0 = (o / og) * cg;                                                    \
                for (int64_t i = 0; i < g->oh; i++)                                            \
                    for (int64_t j = 0; j < g->ow; j++) {                                      \
                        ACC acc = b ? (ACC)b[o] : (ACC)0;                                      \
                        for (int64_t c = 0; c < cg; c++)                                       \
                            for (int64_t u = 0; u < g->kh; u++) {                              \
                                int64_t ih = i * g->sh - g->ph + u * g->dh;                    \
                                if (ih < 0 || ih >= g->h) continue;                            \
                                for (int64_t v = 0; v < g->kw; v++) {                          \
                                    int64_t iw = j * g->sw - g->pw + v * g->dw;                \
                                    if (iw < 0 || iw >= g->w) continue;                        \
                                    acc += (ACC)x[X_AT(g, n, c0 + c, ih, iw)] *                \
                                           (ACC)w[W_AT(g, o, c, u, v)];                        \
                                }                                                              \
                            }                                                                  \
                        y[Y_AT(g, n, o, i, j)] = (T)acc;                                       \
                    }                                                                          \
            }                                                                                  \
    }

/* gx[n, c, ih, iw] = sum over the group's outputs o and taps (u, v) that read (ih, iw), i.e.
 * ih = i sh - ph + u dh for an output row i (likewise columns), of gy[n, o, i, j] w[o, c, u, v] */
#define REF_IGRAD(NAME, T, ACC)                                                                \
    static void NAME(const tgi_conv_geom *g, const T *gy, const T *w, T *gx) {                 \
        int64_t cg = g->c / g->groups, og = g->oc ? g->oc / g->groups : 0;                     \
        for (int64_t n = 0; n < g->n; n++)                                                     \
            for (int64_t cc = 0; cc < g->c; cc++) {                                            \
                int64_t o0 = (cc / cg) * og, c = cc % cg;                                      \
                for (int64_t ih = 0; ih < g->h; ih++)                                          \
                    for (int64_t iw = 0; iw < g->w; iw++) {                                    \
                        ACC acc = 0;                                                           \
                        for (int64_t o = o0; o < o0 + og; o++)                                 \
                            for (int64_t u = 0; u < g->kh; u++) {                              \
                                int64_t ti = ih + g->ph - u * g->dh;                           \
                                if (ti < 0 || ti % g->sh || ti / g->sh >= g->oh) continue;     \
                                for (int64_t v = 0; v < g->kw; v++) {                          \
                                    int64_t tj = iw + g->pw - v * g->dw;                       \
                                    if (tj < 0 || tj % g->sw || tj / g->sw >= g->ow) continue; \
                                    acc += (ACC)gy[Y_AT(g, n, o, ti / g->sh, tj / g->sw)] *    \
                                           (ACC)w[W_AT(g, o, c, u, v)];                        \
                                }                                                              \
                            }                                                                  \
                        gx[X_AT(g, n, cc, ih, iw)] = (T)acc;                                   \
                    }                                                                          \
            }                                                                                  \
    }

/* gw[o, c, u, v] = sum over n and output positions (i, j) of
 *   gy[n, o, i, j] * x[n, c, i sh - ph + u dh, j sw - pw + v dw] */
#define REF_WGRAD(NAME, T, ACC)                                                                \
    static void NAME(const tgi_conv_geom *g, const T *x, const T *gy, T *gw) {                 \
        int64_t cg = g->c / g->groups, og = g->o / g->groups;                                  \
        for (int64_t o = 0; o < g->o; o++) {                                                   \
            int64_t c0 = (o / og) * cg;                                                        \
            for (int64_t c = 0; c < cg; c++)                                                   \
                for (int64_t u = 0; u < g->kh; u++)                                            \
                    for (int64_t v = 0; v < g->kw; v++) {                                      \
                        ACC acc = 0;                                                           \
                        for (int64_t n = 0; n < g->n && g->oc; n++)                            \
                            for (int64_t i = 0; i < g->oh; i++) {                              \
                                int64_t ih = i * g->sh - g->ph + u * g->dh;                    \
                                if (ih < 0 || ih >= g->h) continue;                            \
                                for (int64_t j = 0; j < g->ow; j++) {                          \
                                    int64_t iw = j * g->sw - g->pw + v * g->dw;                \
                                    if (iw < 0 || iw >= g->w) continue;                        \
                                    acc += (ACC)gy[Y_AT(g, n, o, i, j)] *                      \
                                           (ACC)x[X_AT(g, n, c0 + c, ih, iw)];                 \
                                }                                                              \
                            }                                                                  \
                        gw[W_AT(g, o, c, u, v)] = (T)acc;                                      \
                    }                                                                          \
        }                                                                                      \
    }

/* float sums in double; int64 in uint64 so that overflow wraps as PyTorch's does */
REF_FWD(ref_fwd_f, float, double)
REF_FWD(ref_fwd_d, double, double)
REF_FWD(ref_fwd_l, int64_t, uint64_t)
REF_IGRAD(ref_igrad_f, float, double)
REF_IGRAD(ref_igrad_d, double, double)
REF_WGRAD(ref_wgrad_f, float, double)
REF_WGRAD(ref_wgrad_d, double, double)

void tgi_conv2d_ref(tg_dtype dt, const tgi_conv_geom *g, const void *x, const void *w,
                    const void *b, void *y) {
    switch (dt) {
    case TG_FLOAT32: ref_fwd_f(g, x, w, b, y); break;
    case TG_FLOAT64: ref_fwd_d(g, x, w, b, y); break;
    case TG_INT64: ref_fwd_l(g, x, w, b, y); break;
    default: break; /* callers reject bool with PyTorch's message */
    }
}

void tgi_conv2d_input_grad_ref(tg_dtype dt, const tgi_conv_geom *g, const void *gy,
                               const void *w, void *gx) {
    if (dt == TG_FLOAT32) ref_igrad_f(g, gy, w, gx);
    else if (dt == TG_FLOAT64) ref_igrad_d(g, gy, w, gx);
}

void tgi_conv2d_weight_grad_ref(tg_dtype dt, const tgi_conv_geom *g, const void *x,
                                const void *gy, void *gw) {
    if (dt == TG_FLOAT32) ref_wgrad_f(g, x, gy, gw);
    else if (dt == TG_FLOAT64) ref_wgrad_d(g, x, gy, gw);
}

/* ================================================================ im2col + GEMM */

/* im2col: cols[(c, u, v), (i, j)] = x[c, i sh - ph + u dh, j sw - pw + v dw] (0 outside) for
 * the cg channels starting at xc (one image, one group): a [cg kh kw, oh ow] matrix, so the
 * convolution becomes w_group [og, cg kh kw] @ cols. col2im adds such a matrix back. */
#define COLS(T, SUF)                                                                           \
    static void im2col_##SUF(const tgi_conv_geom *g, const T *xc, T *cols) {                   \
        int64_t cg = g->c / g->groups, p = g->oh * g->ow;                                      \
        for (int64_t c = 0; c < cg; c++)                                                       \
            for (int64_t u = 0; u < g->kh; u++)                                                \
                for (int64_t v = 0; v < g->kw; v++) {                                          \
                    T *row = cols + ((c * g->kh + u) * g->kw + v) * p;                         \
                    for (int64_t i = 0; i < g->oh; i++) {                                      \
                        int64_t ih = i * g->sh - g->ph + u * g->dh;                            \
                        T *out = row + i * g->ow;                                              \
                        if (ih < 0 || ih >= g->h) {                                            \
                            for (int64_t j = 0; j < g->ow; j++) out[j] = 0;                    \
                            continue;                                                          \
                        }                                                                      \
                        const T *in = xc + (c * g->h + ih) * g->w;                             \
                        for (int64_t j = 0; j < g->ow; j++) {                                  \
                            int64_t iw = j * g->sw - g->pw + v * g->dw;                        \
                            out[j] = iw < 0 || iw >= g->w ? (T)0 : in[iw];                     \
                        }                                                                      \
                    }                                                                          \
                }                                                                              \
    }                                                                                          \
    static void col2im_##SUF(const tgi_conv_geom *g, const T *cols, T *xc) {                   \
        int64_t cg = g->c / g->groups, p = g->oh * g->ow;                                      \
        for (int64_t c = 0; c < cg; c++)                                                       \
            for (int64_t u = 0; u < g->kh; u++)                                                \
                for (int64_t v = 0; v < g->kw; v++) {                                          \
                    const T *row = cols + ((c * g->kh + u) * g->kw + v) * p;                   \
                    for (int64_t i = 0; i < g->oh; i++) {                                      \
                        int64_t ih = i * g->sh - g->ph + u * g->dh;                            \
                        if (ih < 0 || ih >= g->h) continue;                                    \
                        T *in = xc + (c * g->h + ih) * g->w;                                   \
                        for (int64_t j = 0; j < g->ow; j++) {                                  \
                            int64_t iw = j * g->sw - g->pw + v * g->dw;                        \
                            if (iw >= 0 && iw < g->w) in[iw] += row[i * g->ow + j];            \
                        }                                                                      \
                    }                                                                          \
                }                                                                              \
    }

COLS(float, f)
COLS(double, d)
COLS(int64_t, l)

static void im2col(tg_dtype dt, const tgi_conv_geom *g, const void *xc, void *cols) {
    switch (dt) {
    case TG_FLOAT32: im2col_f(g, xc, cols); break;
    case TG_FLOAT64: im2col_d(g, xc, cols); break;
    default: im2col_l(g, xc, cols); break;
    }
}

static void col2im(tg_dtype dt, const tgi_conv_geom *g, const void *cols, void *xc) {
    switch (dt) {
    case TG_FLOAT32: col2im_f(g, cols, xc); break;
    case TG_FLOAT64: col2im_d(g, cols, xc); break;
    default: col2im_l(g, cols, xc); break;
    }
}

/* dst[i] += src[i] for n elements (int64 wrapping) */
static void add_into(tg_dtype dt, void *dst, const void *src, int64_t n) {
    if (dt == TG_FLOAT32) {
        float *d = dst;
        const float *s = src;
        for (int64_t i = 0; i < n; i++) d[i] += s[i];
    } else if (dt == TG_FLOAT64) {
        double *d = dst;
        const double *s = src;
        for (int64_t i = 0; i < n; i++) d[i] += s[i];
    } else {
        int64_t *d = dst;
        const int64_t *s = src;
        for (int64_t i = 0; i < n; i++) d[i] = (int64_t)((uint64_t)d[i] + (uint64_t)s[i]);
    }
}

/* A [rows, cols] buffer of dtype, or NULL (also for an empty one: callers skip those). */
static void *buffer(tg_dtype dt, int64_t rows, int64_t cols) {
    if (rows <= 0 || cols <= 0) return NULL;
    return malloc((size_t)(rows * cols) * tgi_dtype_size(dt));
}

void tgi_conv2d_fast(tg_dtype dt, const tgi_conv_geom *g, const void *x, const void *w,
                     const void *b, void *y) {
    int64_t cg = g->c / g->groups, og = g->oc / g->groups;
    int64_t k = cg * g->kh * g->kw, p = g->oh * g->ow;
    size_t es = tgi_dtype_size(dt);
    if (g->n * g->oc * p == 0) return;
    void *cols = buffer(dt, k, p);
    if (!cols && k > 0) {
        tgi_conv2d_ref(dt, g, x, w, b, y);
        return;
    }
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t grp = 0; grp < g->groups; grp++) {
            if (cols) im2col(dt, g, (const char *)x + (size_t)X_AT(g, n, grp * cg, 0, 0) * es, cols);
            /* y[n, group's outputs] = w[group's outputs] (og x k) @ cols (k x p) */
            tgi_gemm(dt, og, p, k, (const char *)w + (size_t)(grp * og * k) * es, k, 1, cols, p,
                     1, (char *)y + (size_t)Y_AT(g, n, grp * og, 0, 0) * es, p);
        }
    free(cols);
    if (!b) return;
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t o = 0; o < g->oc; o++) {
            char *row = (char *)y + (size_t)Y_AT(g, n, o, 0, 0) * es;
            for (int64_t i = 0; i < p; i++) {
                if (dt == TG_FLOAT32) ((float *)(void *)row)[i] += ((const float *)b)[o];
                else if (dt == TG_FLOAT64) ((double *)(void *)row)[i] += ((const double *)b)[o];
                else
                    ((int64_t *)(void *)row)[i] = (int64_t)((uint64_t)((int64_t *)(void *)row)[i] +
                                                            (uint64_t)((const int64_t *)b)[o]);
            }
        }
}

void tgi_conv2d_input_grad_fast(tg_dtype dt, const tgi_conv_geom *g, const void *gy,
                                const void *w, void *gx) {
    int64_t cg = g->c / g->groups, og = g->oc / g->groups;
    int64_t k = cg * g->kh * g->kw, p = g->oh * g->ow;
    size_t es = tgi_dtype_size(dt);
    memset(gx, 0, (size_t)(g->n * g->c * g->h * g->w) * es);
    if (k == 0 || p == 0 || g->oc == 0) return;
    void *cols = buffer(dt, k, p);
    if (!cols) {
        tgi_conv2d_input_grad_ref(dt, g, gy, w, gx);
        return;
    }
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t grp = 0; grp < g->groups; grp++) {
            /* cols (k x p) = w[group]^T (k x og) @ gy[n, group] (og x p), added back to gx */
            tgi_gemm(dt, k, p, og, (const char *)w + (size_t)(grp * og * k) * es, 1, k,
                     (const char *)gy + (size_t)Y_AT(g, n, grp * og, 0, 0) * es, p, 1, cols, p);
            col2im(dt, g, cols, (char *)gx + (size_t)X_AT(g, n, grp * cg, 0, 0) * es);
        }
    free(cols);
}

void tgi_conv2d_weight_grad_fast(tg_dtype dt, const tgi_conv_geom *g, const void *x,
                                 const void *gy, void *gw) {
    int64_t cg = g->c / g->groups, og = g->o / g->groups;
    int64_t k = cg * g->kh * g->kw, p = g->oh * g->ow;
    size_t es = tgi_dtype_size(dt);
    memset(gw, 0, (size_t)(g->o * k) * es);
    if (k == 0 || p == 0 || g->oc == 0 || g->n == 0) return;
    void *cols = buffer(dt, k, p), *part = buffer(dt, og, k);
    if (!cols || !part) {
        free(cols);
        free(part);
        tgi_conv2d_weight_grad_ref(dt, g, x, gy, gw);
        return;
    }
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t grp = 0; grp < g->groups; grp++) {
            /* gw[group] (og x k) += gy[n, group] (og x p) @ cols^T (p x k) */
            im2col(dt, g, (const char *)x + (size_t)X_AT(g, n, grp * cg, 0, 0) * es, cols);
            tgi_gemm(dt, og, k, p, (const char *)gy + (size_t)Y_AT(g, n, grp * og, 0, 0) * es, p,
                     1, cols, 1, p, part, k);
            add_into(dt, (char *)gw + (size_t)(grp * og * k) * es, part, og * k);
        }
    free(cols);
    free(part);
}
