/*
 * conv.h — internal interface of the convolution kernels (src/ops/conv.c): the geometry of one
 * 2-D convolution (conv1d runs as conv2d with height 1, as PyTorch does) and its forward,
 * input-gradient and weight-gradient kernels, each as a plain direct-loop reference (the oracle,
 * float sums in double) and as im2col + GEMM (what the ops use). Shared with tests/test_conv.c.
 */
#ifndef TG_CONV_H
#define TG_CONV_H

#include "internal.h"

/* input [n, c, h, w], weight [o, c / groups, kh, kw], output [n, oc, oh, ow] where oc is o,
 * or 0 when c is 0 (PyTorch's empty-channel rule). Output row i reads input rows
 * i * sh - ph + u * dh for u < kh (rows outside [0, h) are zero padding); columns likewise.
 * The bottom / right padding is implied by oh / ow (it may differ from the top / left one:
 * padding="same" with an even kernel). */
typedef struct tgi_conv_geom {
    int64_t n, c, h, w;
    int64_t o, kh, kw;
    int64_t oc, oh, ow;
    int64_t sh, sw, ph, pw, dh, dw;
    int64_t groups;
} tgi_conv_geom;

/* All buffers are contiguous arrays of dtype's C type (float32, float64 or int64, wrapping).
 * y = conv(x, w) + b (b may be NULL); gx = the input gradient of y for upstream gy;
 * gw = the weight gradient. Every output is overwritten. */
TGI_HIDDEN void tgi_conv2d_ref(tg_dtype dt, const tgi_conv_geom *g, const void *x, const void *w,
                               const void *b, void *y);
TGI_HIDDEN void tgi_conv2d_input_grad_ref(tg_dtype dt, const tgi_conv_geom *g, const void *gy,
                                          const void *w, void *gx);
TGI_HIDDEN void tgi_conv2d_weight_grad_ref(tg_dtype dt, const tgi_conv_geom *g, const void *x,
                                           const void *gy, void *gw);

/* The same through im2col and tgi_gemm (float sums in float, as PyTorch's CPU kernels). They
 * need a column buffer; without memory for it they run the reference instead. */
TGI_HIDDEN void tgi_conv2d_fast(tg_dtype dt, const tgi_conv_geom *g, const void *x,
                                const void *w, const void *b, void *y);
TGI_HIDDEN void tgi_conv2d_input_grad_fast(tg_dtype dt, const tgi_conv_geom *g, const void *gy,
                                           const void *w, void *gx);
TGI_HIDDEN void tgi_conv2d_weight_grad_fast(tg_dtype dt, const tgi_conv_geom *g, const void *x,
                                            const void *gy, void *gw);

#endif
