/*
 * conv.c — conv1d and conv2d as torch.nn.functional (int and "same"/"valid" padding, stride,
 * dilation, groups, optional bias, unbatched inputs) with PyTorch's checks and messages; the
 * ConvolutionBackward0 node and the two ops its backward is made of (input and weight
 * gradients, each recorded as ConvolutionBackwardBackward0, so gradients can be differentiated
 * again). Kernels are in conv_kernel.c; conv1d runs as conv2d with height 1, as PyTorch does.
 */
#include "conv.h"
#include "ops.h"

#include <stdlib.h>
#include <string.h>

/* What a convolution node keeps (node->extra): the geometry and the rank of its tensors
 * (3 for conv1d's [n, c, w], 4 for conv2d's [n, c, h, w]). */
typedef struct conv_params {
    tgi_conv_geom g;
    int ndim;
} conv_params;

static void input_shape(const conv_params *p, int64_t *s) {
    s[0] = p->g.n, s[1] = p->g.c;
    if (p->ndim == 4) s[2] = p->g.h;
    s[p->ndim - 1] = p->g.w;
}

static void weight_shape(const conv_params *p, int64_t *s) {
    s[0] = p->g.o, s[1] = p->g.c / p->g.groups;
    if (p->ndim == 4) s[2] = p->g.kh;
    s[p->ndim - 1] = p->g.kw;
}

static void output_shape(const conv_params *p, int64_t *s) {
    s[0] = p->g.n, s[1] = p->g.oc;
    if (p->ndim == 4) s[2] = p->g.oh;
    s[p->ndim - 1] = p->g.ow;
}

/* first element of a contiguous tensor; NULL when it is empty */
static void *ptr(const tg_tensor *t) {
    if (!t || t->numel == 0) return NULL;
    return (char *)t->storage->data + (size_t)t->offset * tgi_dtype_size(t->dtype);
}

/* Records out = op(in[0..n-1]) with the convolution's parameters and saves in[0], in[1]
 * (what derivatives.yaml saves: input and weight; grad_output and the other operand for the
 * gradient ops). Nothing is recorded for int64 results or when no input requires grad. */
static tg_status record(tg_tensor *out, int op, const tg_tensor *const *in, int n,
                        const conv_params *p) {
    tg_ctx *ctx = out->ctx;
    if (!tgi_is_floating(out->dtype) || !tgi_should_record(ctx, in, n)) return TG_OK;
    tg_node *node = tgi_record(out, op, in, n);
    if (!node) return ctx->err;
    node->extra = malloc(sizeof *p);
    if (!node->extra) return tgi_error(ctx, TG_ERR_OOM, "out of memory recording a convolution");
    memcpy(node->extra, p, sizeof *p);
    tg_status st = tgi_save(node, in[0], false);
    return st == TG_OK ? tgi_save(node, in[1], false) : st;
}

/* ================================================================ the three differentiable ops */

/* y = conv(x, w) + b on checked, batched operands of one dtype. ConvolutionBackward0. */
static tg_tensor *conv_forward(const tg_tensor *x, const tg_tensor *w, const tg_tensor *b,
                               const conv_params *p) {
    tg_ctx *ctx = x->ctx;
    tg_dtype dt = x->dtype;
    int64_t shape[4];
    output_shape(p, shape);
    tg_tensor *xc = tgi_cast(x, dt, true), *wc = tgi_cast(w, dt, true);
    tg_tensor *bc = b ? tgi_cast(b, dt, true) : NULL;
    tg_tensor *out = tgi_empty(ctx, shape, p->ndim, dt);
    tg_status st = xc && wc && (!b || bc) && out ? TG_OK : ctx->err;
    if (st == TG_OK && out->numel) tgi_conv2d_fast(dt, &p->g, ptr(xc), ptr(wc), ptr(bc), ptr(out));
    tgi_tensor_decref(xc);
    tgi_tensor_decref(wc);
    tgi_tensor_decref(bc);
    const tg_tensor *in[3] = {x, w, b};
    if (st == TG_OK) st = record(out, TGI_OP_CONVOLUTION, in, 3, p);
    return tgi_finish(out, st);
}

/* The input gradient of conv for upstream gy (input-shaped): a transposed convolution.
 * Recorded (ConvolutionBackwardBackward0) on (gy, w). */
static tg_tensor *conv_input_grad(const tg_tensor *gy, const tg_tensor *w, const conv_params *p) {
    tg_ctx *ctx = gy->ctx;
    tg_dtype dt = gy->dtype;
    int64_t shape[4];
    input_shape(p, shape);
    tg_tensor *gc = tgi_cast(gy, dt, true), *wc = tgi_cast(w, dt, true);
    tg_tensor *out = tgi_empty(ctx, shape, p->ndim, dt);
    tg_status st = gc && wc && out ? TG_OK : ctx->err;
    if (st == TG_OK && out->numel)
        tgi_conv2d_input_grad_fast(dt, &p->g, ptr(gc), ptr(wc), ptr(out));
    tgi_tensor_decref(gc);
    tgi_tensor_decref(wc);
    const tg_tensor *in[2] = {gy, w};
    if (st == TG_OK) st = record(out, TGI_OP_CONVOLUTION_BACKWARD_INPUT, in, 2, p);
    return tgi_finish(out, st);
}

/* The weight gradient of conv for input x and upstream gy (weight-shaped). Recorded
 * (ConvolutionBackwardBackward0) on (x, gy). */
static tg_tensor *conv_weight_grad(const tg_tensor *x, const tg_tensor *gy, const conv_params *p) {
    tg_ctx *ctx = x->ctx;
    tg_dtype dt = gy->dtype;
    int64_t shape[4];
    weight_shape(p, shape);
    tg_tensor *xc = tgi_cast(x, dt, true), *gc = tgi_cast(gy, dt, true);
    tg_tensor *out = tgi_empty(ctx, shape, p->ndim, dt);
    tg_status st = xc && gc && out ? TG_OK : ctx->err;
    if (st == TG_OK && out->numel)
        tgi_conv2d_weight_grad_fast(dt, &p->g, ptr(xc), ptr(gc), ptr(out));
    tgi_tensor_decref(xc);
    tgi_tensor_decref(gc);
    const tg_tensor *in[2] = {x, gy};
    if (st == TG_OK) st = record(out, TGI_OP_CONVOLUTION_BACKWARD_WEIGHT, in, 2, p);
    return tgi_finish(out, st);
}

/* convolution_backward, PyTorch's ConvolutionBackward0:
 *   input:  conv_transpose(g, w)      (conv_input_grad)
 *   weight: correlation of x with g   (conv_weight_grad)
 *   bias:   g summed over every dim but 1 (zeros when an empty input made no channels) */
tg_status tgi_bw_convolution(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    const conv_params *p = n->extra;
    tg_tensor *x = tgi_unpack(n, 0), *w = tgi_unpack(n, 1);
    if (!x || !w) return n->ctx->err;
    if (tgi_needs(n, 0) && !(gi[0] = conv_input_grad(g, w, p))) return n->ctx->err;
    if (tgi_needs(n, 1) && !(gi[1] = conv_weight_grad(x, g, p))) return n->ctx->err;
    if (tgi_needs(n, 2)) {
        int64_t dims[3] = {0, 2, 3};
        gi[2] = p->g.oc == p->g.o ? tg_sum_dim(g, dims, p->ndim - 1, false)
                                  : tg_zeros(n->ctx, &p->g.o, 1, g->dtype);
        if (!gi[2]) return n->ctx->err;
    }
    return TG_OK;
}

/* gx = I(gy, w) is linear in each operand: for upstream gg (input-shaped)
 *   gy: conv(gg, w);   w: the weight gradient of conv for input gg and upstream gy */
tg_status tgi_bw_conv_input_grad(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    const conv_params *p = n->extra;
    tg_tensor *gy = tgi_unpack(n, 0), *w = tgi_unpack(n, 1);
    if (!gy || !w) return n->ctx->err;
    if (tgi_needs(n, 0) && !(gi[0] = conv_forward(g, w, NULL, p))) return n->ctx->err;
    if (tgi_needs(n, 1) && !(gi[1] = conv_weight_grad(g, gy, p))) return n->ctx->err;
    return TG_OK;
}

/* gw = W(x, gy): for upstream gg (weight-shaped)
 *   x: the input gradient of conv for upstream gy and weight gg;   gy: conv(x, gg) */
tg_status tgi_bw_conv_weight_grad(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    const conv_params *p = n->extra;
    tg_tensor *x = tgi_unpack(n, 0), *gy = tgi_unpack(n, 1);
    if (!x || !gy) return n->ctx->err;
    if (tgi_needs(n, 0) && !(gi[0] = conv_input_grad(gy, g, p))) return n->ctx->err;
    if (tgi_needs(n, 1) && !(gi[1] = conv_forward(x, g, NULL, p))) return n->ctx->err;
    return TG_OK;
}

/* ================================================================ the public ops */

static void fmt_list(char *buf, size_t cap, const int64_t *v, int n) {
    tgi_fmt_shape(buf, cap, v, n);
}

/* "7 x 7" (PyTorch's per-channel size list) */
static void fmt_x(char *buf, size_t cap, const int64_t *v, int n) {
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%lld", i ? " x " : "", (long long)v[i]);
}

/* Everything at::convolution checks before it runs a kernel (check_shape_forward and the
 * backend's own checks), in PyTorch's order. shape / ndim: the batched input. pl / pr: the
 * padding before / after each spatial dim (equal unless padding="same" made them differ);
 * nsp values each (1 for conv1d, 2 for conv2d) in stride / dl. */
static tg_status check_convolution(tg_ctx *ctx, const char *fn, const int64_t *shape, int k,
                                   const tg_tensor *input, const tg_tensor *weight,
                                   const tg_tensor *bias, int nsp, const int64_t *stride,
                                   const int64_t *pl, const int64_t *pr, const int64_t *dl,
                                   int64_t groups, bool mode) {
    char a[256], b[256], c[256];
    int wdim = weight->ndim, dim = wdim - 2;
    if (dim <= 0)
        return tgi_error(ctx, TG_ERR_SHAPE, "%s: weight should have at least three dimensions",
                         fn);
    if (groups <= 0)
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: non-positive groups is not supported", fn);
    /* expand_param_if_needed: one value broadcasts, otherwise one per spatial dim of weight */
    if (nsp != 1 && nsp != dim) {
        fmt_list(a, sizeof a, stride, nsp);
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: expected stride to be a single integer value or a list of %d values "
                         "to match the convolution dimensions, but got stride=%s",
                         fn, dim, a);
    }
    for (int i = 0; i < nsp; i++)
        if (pl[i] < 0 || pr[i] < 0)
            return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: negative padding is not supported", fn);
    for (int i = 0; i < nsp; i++)
        if (stride[i] <= 0)
            return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: non-positive stride is not supported",
                             fn);
    for (int i = 0; i < nsp; i++)
        if (dl[i] < 0)
            return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: dilation should be greater than zero",
                             fn);
    fmt_list(a, sizeof a, weight->shape, wdim);
    fmt_list(b, sizeof b, shape, k);
    if (wdim != k)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Expected %d-dimensional input for %d-dimensional weight %s, but got "
                         "%d-dimensional input of size %s instead",
                         fn, wdim, wdim, a, k, b);
    int64_t o = weight->shape[0];
    if (o < groups)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Given groups=%lld, expected weight to be at least %lld at dimension "
                         "0, but got weight of size %s instead",
                         fn, (long long)groups, (long long)groups, a);
    if (o % groups)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Given groups=%lld, expected weight to be divisible by %lld at "
                         "dimension 0, but got weight of size [%s] instead",
                         fn, (long long)groups, (long long)groups, a);
    if (shape[1] != weight->shape[1] * groups)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Given groups=%lld, weight of size %s, expected input%s to have %lld "
                         "channels, but got %lld channels instead",
                         fn, (long long)groups, a, b, (long long)(weight->shape[1] * groups),
                         (long long)shape[1]);
    if (bias && !(bias->ndim == 1 && bias->shape[0] == o)) {
        fmt_list(c, sizeof c, bias->shape, bias->ndim);
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Given weight of size %s, expected bias to be 1-dimensional with %lld "
                         "elements, but got bias of size %s instead",
                         fn, a, (long long)o, c);
    }
    int64_t padded[2], kern[2];
    bool fits = true;
    for (int i = 0; i < nsp; i++) {
        padded[i] = shape[2 + i] + pl[i] + pr[i];
        kern[i] = dl[i] * (weight->shape[2 + i] - 1) + 1;
        if (padded[i] < kern[i]) fits = false;
    }
    if (!fits) {
        fmt_x(a, sizeof a, padded, nsp);
        fmt_x(b, sizeof b, kern, nsp);
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Calculated padded input size per channel: (%s). Kernel size: (%s). "
                         "Kernel size can't be greater than actual input size",
                         fn, a, b);
    }
    /* the backend: conv1d is viewed as conv2d ([n, c, 1, w]); zero batch or channels make an
     * empty output, any other empty input is an error */
    int64_t s4[4] = {shape[0], shape[1], nsp == 1 ? 1 : shape[2], shape[k - 1]};
    int64_t numel = s4[0] * s4[1] * s4[2] * s4[3];
    bool empty = s4[0] == 0 || s4[1] == 0;
    if (!empty && numel == 0) {
        fmt_list(a, sizeof a, s4, 4);
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Only zero batch or zero channel inputs are supported, but got input "
                         "shape: %s",
                         fn, a);
    }
    int64_t d2[2] = {nsp == 1 ? 1 : dl[0], dl[nsp - 1]};
    if (!empty && (d2[0] == 0 || d2[1] == 0)) { /* the dilated kernel's own check */
        fmt_list(a, sizeof a, d2, 2);
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: dilation should be greater than zero, but got %s", fn, a);
    }
    if (input->dtype == TG_BOOL) /* the kernel's name: the dilated one when any dilation != 1 */
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: \"%s\" not implemented for 'Bool'", fn,
                         d2[0] != 1 || d2[1] != 1 ? "slow_conv_dilated<>" : "slow_conv2d_cpu");
    const tg_tensor *params[2] = {weight, mode ? bias : NULL};
    for (int i = 0; i < 2; i++)
        if (params[i] && params[i]->dtype != input->dtype)
            return tgi_error(ctx, TG_ERR_DTYPE, "%s: expected scalar type %s but found %s", fn,
                             tgi_dtype_cname(input->dtype), tgi_dtype_cname(params[i]->dtype));
    return TG_OK;
}

/* F.conv1d / F.conv2d: nsp spatial dims; padding holds nsp values, or mode is "same"/"valid"
 * (the conv*d.padding overloads). NULL stride / padding / dilation are PyTorch's defaults. */
static tg_tensor *conv_entry(const char *fn, const char *tname, int nsp, const tg_tensor *input,
                             const tg_tensor *weight, const tg_tensor *bias,
                             const int64_t *stride_, const int64_t *padding,
                             const char *mode, const int64_t *dilation_, int64_t groups) {
    if (!input || !weight) {
        tg_ctx *c = input ? input->ctx : weight ? weight->ctx : bias ? bias->ctx : NULL;
        tgi_null_arg(c, fn, !input ? "input" : "weight");
        return NULL;
    }
    tg_ctx *ctx = input->ctx;
    int64_t stride[2], pl[2], pr[2], dl[2];
    for (int i = 0; i < nsp; i++) {
        stride[i] = stride_ ? stride_[i] : 1;
        dl[i] = dilation_ ? dilation_[i] : 1;
        pl[i] = pr[i] = padding && !mode ? padding[i] : 0;
    }
    if (!mode && bias && bias->dtype != input->dtype) {
        tgi_error(ctx, TG_ERR_DTYPE, "%s: Input type (%s) and bias type (%s) should be the same",
                  fn, tgi_dtype_short(input->dtype), tgi_dtype_short(bias->dtype));
        return NULL;
    }
    /* batchify */
    int k = nsp + 2;
    char a[256], b[256];
    if (input->ndim != k && input->ndim != k - 1) {
        fmt_list(a, sizeof a, input->shape, input->ndim);
        tgi_error(ctx, TG_ERR_SHAPE,
                  "%s: Expected %dD (unbatched) or %dD (batched) input to %s, but got input of "
                  "size: %s",
                  fn, k - 1, k, tname, a);
        return NULL;
    }
    bool batched = input->ndim == k;
    int64_t shape[4];
    shape[0] = 1;
    memcpy(shape + (batched ? 0 : 1), input->shape, sizeof(int64_t) * (size_t)input->ndim);
    if (mode && strcmp(mode, "same") == 0) { /* convolution_same */
        if (weight->ndim <= 2) {
            tgi_error(ctx, TG_ERR_SHAPE, "%s: weight should have at least three dimensions", fn);
            return NULL;
        }
        if (groups <= 0) {
            tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: non-positive groups is not supported", fn);
            return NULL;
        }
        if (weight->ndim != k) {
            fmt_list(a, sizeof a, weight->shape, weight->ndim);
            fmt_list(b, sizeof b, shape, k);
            tgi_error(ctx, TG_ERR_SHAPE,
                      "%s: Expected %d-dimensional input for %d-dimensional weight%s, but got "
                      "%d-dimensional input of size %s instead",
                      fn, weight->ndim, weight->ndim, a, k, b);
            return NULL;
        }
        for (int i = 0; i < nsp; i++)
            if (stride[i] != 1) {
                tgi_error(ctx, TG_ERR_INVALID_ARG,
                          "%s: padding='same' is not supported for strided convolutions", fn);
                return NULL;
            }
        for (int i = 0; i < nsp; i++) { /* the extra padding of an even total goes after */
            int64_t total = dl[i] * (weight->shape[2 + i] - 1);
            pl[i] = total / 2;
            pr[i] = total - pl[i];
        }
    } else if (mode && strcmp(mode, "valid") != 0) {
        tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: Invalid padding string: '%s'", fn, mode);
        return NULL;
    }
    if (check_convolution(ctx, fn, shape, k, input, weight, bias, nsp, stride, pl, pr, dl, groups,
                          mode != NULL) != TG_OK)
        return NULL;

    conv_params p;
    memset(&p, 0, sizeof p);
    p.ndim = k;
    tgi_conv_geom *g = &p.g;
    g->n = shape[0], g->c = shape[1], g->w = shape[k - 1], g->h = nsp == 2 ? shape[2] : 1;
    g->o = weight->shape[0], g->oc = g->c ? g->o : 0, g->groups = groups;
    g->kw = weight->shape[k - 1], g->kh = nsp == 2 ? weight->shape[2] : 1;
    g->sw = stride[nsp - 1], g->sh = nsp == 2 ? stride[0] : 1;
    g->pw = pl[nsp - 1], g->ph = nsp == 2 ? pl[0] : 0;
    g->dw = dl[nsp - 1], g->dh = nsp == 2 ? dl[0] : 1;
    g->ow = (g->w + pl[nsp - 1] + pr[nsp - 1] - g->dw * (g->kw - 1) - 1) / g->sw + 1;
    g->oh = nsp == 2 ? (g->h + pl[0] + pr[0] - g->dh * (g->kh - 1) - 1) / g->sh + 1 : 1;

    const tg_tensor *x = batched ? input : tg_unsqueeze(input, 0);
    tg_tensor *out = x ? conv_forward(x, weight, bias, &p) : NULL;
    return batched || !out ? out : tg_squeeze_dim(out, 0);
}

tg_tensor *tg_conv1d(const tg_tensor *input, const tg_tensor *weight, const tg_tensor *bias,
                     const int64_t *stride, const int64_t *padding, const int64_t *dilation,
                     int64_t groups) {
    return conv_entry("tg_conv1d", "conv1d", 1, input, weight, bias, stride, padding, NULL,
                      dilation, groups);
}

tg_tensor *tg_conv2d(const tg_tensor *input, const tg_tensor *weight, const tg_tensor *bias,
                     const int64_t *stride, const int64_t *padding, const int64_t *dilation,
                     int64_t groups) {
    return conv_entry("tg_conv2d", "conv2d", 2, input, weight, bias, stride, padding, NULL,
                      dilation, groups);
}

tg_tensor *tg_conv1d_padding(const tg_tensor *input, const tg_tensor *weight,
                             const tg_tensor *bias, const int64_t *stride, const char *padding,
                             const int64_t *dilation, int64_t groups) {
    if (!padding && input) return tgi_null_arg(input->ctx, "tg_conv1d_padding", "padding"), NULL;
    return conv_entry("tg_conv1d_padding", "conv1d", 1, input, weight, bias, stride, NULL,
                      padding, dilation, groups);
}

tg_tensor *tg_conv2d_padding(const tg_tensor *input, const tg_tensor *weight,
                             const tg_tensor *bias, const int64_t *stride, const char *padding,
                             const int64_t *dilation, int64_t groups) {
    if (!padding && input) return tgi_null_arg(input->ctx, "tg_conv2d_padding", "padding"), NULL;
    return conv_entry("tg_conv2d_padding", "conv2d", 2, input, weight, bias, stride, NULL,
                      padding, dilation, groups);
}
