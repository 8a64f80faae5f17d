/*
 * pointwise_grad.c — backward formulas of src/ops/pointwise.c, written with differentiable ops
 * after PyTorch's derivatives.yaml (so create_graph can differentiate them again), and the
 * hidden gelu_backward op (GeluBackwardBackward0) that GeluBackward0 uses, since the exact
 * gelu's derivative needs erf. Conventions at kinks are PyTorch's: relu at 0 -> 0, leaky_relu
 * at 0 -> negative_slope, elu at 0 -> alpha, clamp boundaries pass, maximum ties split 0.5.
 */
#include "pointwise.h"

#include <math.h>
#include <string.h>

/* <math.h>'s M_ constants are not C11; these are the same double values. */
#define PW_SQRT2 1.41421356237309504880      /* sqrt(2) */
#define PW_SQRT1_2 0.70710678118654752440    /* 1 / sqrt(2) */
#define PW_2_SQRTPI 1.12837916709551257390   /* 2 / sqrt(pi) */

TGI_HIDDEN tg_tensor *tgi_gelu_backward(const tg_tensor *g, const tg_tensor *x, bool tanh_form);

/* The second scalar parameter (set by pointwise.c in the bits of args.n). */
static double param2(const tg_node *n) {
    double v;
    memcpy(&v, &n->args.n, sizeof v);
    return v;
}

/* where(keep, g, 0) */
static tg_tensor *keep_where(tg_tensor *keep, tg_tensor *g) {
    if (!keep || !g) return NULL;
    tg_tensor *z = tg_scalar(g->ctx, 0.0, g->dtype);
    return z ? tgi_where(keep, g, z) : NULL;
}

#define DONE(expr) return (gi[0] = (expr)) ? TG_OK : n->ctx->err

/* log1p: grad / (self + 1) */
tg_status tgi_bw_log1p(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *x = tgi_unpack(n, 0);
    if (!x) return n->ctx->err;
    DONE(tg_div(g, tg_add_scalar(x, 1.0)));
}

/* expm1: grad * (result + 1) */
tg_status tgi_bw_expm1(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *r = tgi_unpack(n, 0);
    if (!r) return n->ctx->err;
    DONE(tg_mul(g, tg_add_scalar(r, 1.0)));
}

/* rsqrt: -0.5 * grad * result^3 */
tg_status tgi_bw_rsqrt(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *r = tgi_unpack(n, 0);
    if (!r) return n->ctx->err;
    DONE(tg_mul(tg_mul_scalar(g, -0.5), tg_pow_scalar(r, 3.0)));
}

/* sin: grad * cos(self) */
tg_status tgi_bw_sin(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *x = tgi_unpack(n, 0);
    if (!x) return n->ctx->err;
    DONE(tg_mul(g, tg_cos(x)));
}

/* cos: grad * -sin(self) */
tg_status tgi_bw_cos(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *x = tgi_unpack(n, 0);
    if (!x) return n->ctx->err;
    DONE(tg_mul(g, tg_neg(tg_sin(x))));
}

/* tan: grad * (1 + result^2) */
tg_status tgi_bw_tan(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *r = tgi_unpack(n, 0);
    if (!r) return n->ctx->err;
    DONE(tg_mul(g, tg_add_scalar(tg_mul(r, r), 1.0)));
}

/* tanh: tanh_backward(grad, result) = grad * (1 - result^2) */
tg_status tgi_bw_tanh(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *r = tgi_unpack(n, 0);
    if (!r) return n->ctx->err;
    DONE(tg_mul(g, tg_rsub_scalar(tg_mul(r, r), 1.0)));
}

/* sigmoid: sigmoid_backward(grad, result) = grad * (1 - result) * result */
tg_status tgi_bw_sigmoid(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *r = tgi_unpack(n, 0);
    if (!r) return n->ctx->err;
    DONE(tg_mul(tg_mul(g, tg_rsub_scalar(r, 1.0)), r));
}

/* relu: threshold_backward(grad, result, 0): 0 where result <= 0 (so 0 at the kink) */
tg_status tgi_bw_relu(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *r = tgi_unpack(n, 0);
    if (!r) return n->ctx->err;
    DONE(tgi_masked_zero(g, tg_le_scalar(r, 0.0)));
}

/* leaky_relu: self > 0 ? grad : grad * negative_slope (the slope at 0) */
tg_status tgi_bw_leaky_relu(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *x = tgi_unpack(n, 0);
    if (!x) return n->ctx->err;
    DONE(tgi_where(tg_gt_scalar(x, 0.0), g, tg_mul_scalar(g, n->args.s)));
}

/* elu (scale = input_scale = 1): self <= 0 ? grad * alpha * exp(self) : grad. exp reads
 * min(self, 0) so the unused branch stays finite and a second derivative gets no 0 * inf. */
tg_status tgi_bw_elu(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *x = tgi_unpack(n, 0);
    if (!x) return n->ctx->err;
    tg_tensor *neg = tg_mul(tg_mul_scalar(g, n->args.s), tg_exp(tg_clamp_max(x, 0.0)));
    DONE(tgi_where(tg_le_scalar(x, 0.0), neg, g));
}

/* silu: grad * s * (1 + self * (1 - s)), s = sigmoid(self) */
tg_status tgi_bw_silu(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *x = tgi_unpack(n, 0);
    if (!x) return n->ctx->err;
    tg_tensor *s = tg_sigmoid(x);
    DONE(tg_mul(tg_mul(g, s), tg_add_scalar(tg_mul(x, tg_rsub_scalar(s, 1.0)), 1.0)));
}

/* softplus: beta * self > threshold ? grad : grad * z / (z + 1), z = exp(beta * self) */
tg_status tgi_bw_softplus(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *x = tgi_unpack(n, 0);
    if (!x) return n->ctx->err;
    tg_tensor *bx = tg_mul_scalar(x, n->args.s);
    tg_tensor *z = tg_exp(bx);
    tg_tensor *soft = tg_div(tg_mul(g, z), tg_add_scalar(z, 1.0));
    DONE(tgi_where(tg_gt_scalar(bx, param2(n)), g, soft));
}

/* clamp: grad where min <= self <= max (the bounds given), else 0; boundaries pass */
tg_status tgi_bw_clamp(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *x = tgi_unpack(n, 0);
    if (!x) return n->ctx->err;
    tg_tensor *keep = NULL;
    if (n->args.d0) keep = tg_ge_scalar(x, n->args.s);
    if (n->args.d1) {
        tg_tensor *le = tg_le_scalar(x, param2(n));
        keep = keep ? tg_mul(keep, le) : le; /* logical and of two bool tensors */
    }
    DONE(keep_where(keep, g));
}

/* clamp_min: where(self >= min, grad, 0) */
tg_status tgi_bw_clamp_min(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *x = tgi_unpack(n, 0);
    if (!x) return n->ctx->err;
    DONE(keep_where(tg_ge_scalar(x, n->args.s), g));
}

/* clamp_max: where(self <= max, grad, 0) */
tg_status tgi_bw_clamp_max(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *x = tgi_unpack(n, 0);
    if (!x) return n->ctx->err;
    DONE(keep_where(tg_le_scalar(x, n->args.s), g));
}

/* maximum: t = where(self == other, grad / 2, grad); self: t with 0 where self < other;
 * other: t with 0 where self > other. minimum swaps the comparisons. (A NaN on either side
 * passes the whole gradient to both, as PyTorch.) */
static tg_status minmax_backward(tg_node *n, tg_tensor *g, tg_tensor **gi, bool is_max) {
    tg_tensor *a = tgi_unpack(n, 0), *b = tgi_unpack(n, 1);
    if (!a || !b) return n->ctx->err;
    tg_tensor *t = tgi_where(tg_eq(a, b), tg_div_scalar(g, 2.0), g);
    if (tgi_needs(n, 0) &&
        !(gi[0] = tgi_masked_zero(t, is_max ? tg_lt(a, b) : tg_gt(a, b))))
        return n->ctx->err;
    if (tgi_needs(n, 1) &&
        !(gi[1] = tgi_masked_zero(t, is_max ? tg_gt(a, b) : tg_lt(a, b))))
        return n->ctx->err;
    return TG_OK;
}

tg_status tgi_bw_maximum(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    return minmax_backward(n, g, gi, true);
}

tg_status tgi_bw_minimum(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    return minmax_backward(n, g, gi, false);
}

/* atan2(self, other): r = 1 / (self^2 + other^2); self: grad * other * r;
 * other: grad * -self * r (NaN at 0, 0 as PyTorch) */
tg_status tgi_bw_atan2(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *a = tgi_unpack(n, 0), *b = tgi_unpack(n, 1);
    if (!a || !b) return n->ctx->err;
    tg_tensor *r = tg_reciprocal(tg_add(tg_mul(a, a), tg_mul(b, b)));
    if (tgi_needs(n, 0) && !(gi[0] = tg_mul(tg_mul(g, b), r))) return n->ctx->err;
    if (tgi_needs(n, 1) && !(gi[1] = tg_mul(tg_mul(g, tg_neg(a)), r))) return n->ctx->err;
    return TG_OK;
}

/* ---------------------------------------------------------------- gelu */

/* gelu'(x), exact: Phi(x) + x phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2,
 * phi(x) = exp(-x^2 / 2) / sqrt(2 pi) */
static inline float dgelu_f(float x) {
    const float alpha = (float)(PW_2_SQRTPI * PW_SQRT1_2 * 0.5);
    float cdf = 0.5f * (1.0f + erff(x * (float)PW_SQRT1_2));
    float pdf = alpha * expf(x * x * -0.5f);
    return cdf + x * pdf;
}
static inline double dgelu_d(double x) {
    const double alpha = PW_2_SQRTPI * PW_SQRT1_2 * 0.5;
    double cdf = 0.5 * (1.0 + erf(x * PW_SQRT1_2));
    double pdf = alpha * exp(x * x * -0.5);
    return cdf + x * pdf;
}
/* gelu'(x), tanh form: with u = k (x + c x^3), t = tanh(u):
 * (1 + t) / 2 + x/2 (1 - t^2) k (1 + 3 c x^2) */
static inline float dgelu_tanh_f(float x) {
    const float k = (float)(PW_SQRT2 * PW_2_SQRTPI * 0.5), c = 0.044715f;
    float x2 = x * x, t = tanhf(k * (x + c * x2 * x));
    return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * (k * (1.0f + 3.0f * c * x2));
}
static inline double dgelu_tanh_d(double x) {
    const double k = PW_SQRT2 * PW_2_SQRTPI * 0.5, c = 0.044715;
    double x2 = x * x, t = tanh(k * (x + c * x2 * x));
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * (k * (1.0 + 3.0 * c * x2));
}

/* grad_output * gelu'(self) */
BIN_KERNEL(k_gelu_bw_f, float, float, x * dgelu_f(y))
BIN_KERNEL(k_gelu_bw_d, double, double, x * dgelu_d(y))
BIN_KERNEL(k_gelu_tanh_bw_f, float, float, x * dgelu_tanh_f(y))
BIN_KERNEL(k_gelu_tanh_bw_d, double, double, x * dgelu_tanh_d(y))

static const tgi_ew_desc D_GELU_BW = {"gelu_backward", "GeluBackwardCPUKernelImpl",
                                      TGI_OP_GELU_BACKWARD, K2(k_gelu_bw), 0, NULL};
static const tgi_ew_desc D_GELU_TANH_BW = {"gelu_backward", "GeluBackwardCPUKernelImpl",
                                           TGI_OP_GELU_BACKWARD, K2(k_gelu_tanh_bw), 0, NULL};

/* gelu_backward(grad_output, self): recorded as GeluBackwardBackward0 (saves both). */
tg_tensor *tgi_gelu_backward(const tg_tensor *g, const tg_tensor *x, bool tanh_form) {
    tg_node *n;
    tg_tensor *out = tgi_ew_binary(tanh_form ? &D_GELU_TANH_BW : &D_GELU_BW, g, x, 0.0, false,
                                   &n);
    tg_status st = TG_OK;
    if (n) {
        n->args.d0 = tanh_form;
        st = tgi_save(n, g, false);
        if (st == TG_OK) st = tgi_save(n, x, false);
    }
    return tgi_ew_finish(out, st);
}

/* gelu: gelu_backward(grad, self, approximate) */
tg_status tgi_bw_gelu(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *x = tgi_unpack(n, 0);
    if (!x) return n->ctx->err;
    DONE(tgi_gelu_backward(g, x, n->args.d0 != 0));
}

/* gelu''(x) from differentiable ops. Exact: phi(x) (2 - x^2). Tanh form, with u' = k (1 + 3 c
 * x^2) and u'' = 6 k c x: (1 - t^2) (u' + x/2 (u'' - 2 t u'^2)). */
static tg_tensor *gelu_second(tg_tensor *x, bool tanh_form) {
    tg_tensor *x2 = tg_mul(x, x);
    if (!tanh_form) {
        tg_tensor *pdf = tg_mul_scalar(tg_exp(tg_mul_scalar(x2, -0.5)), PW_2_SQRTPI * PW_SQRT1_2 * 0.5);
        return tg_mul(pdf, tg_rsub_scalar(x2, 2.0));
    }
    const double k = PW_SQRT2 * PW_2_SQRTPI * 0.5, c = 0.044715;
    tg_tensor *t = tg_tanh(tg_mul_scalar(tg_add(x, tg_mul_scalar(tg_mul(x2, x), c)), k));
    tg_tensor *du = tg_mul_scalar(tg_add_scalar(tg_mul_scalar(x2, 3.0 * c), 1.0), k);
    tg_tensor *ddu = tg_mul_scalar(x, 6.0 * k * c);
    tg_tensor *inner = tg_sub(ddu, tg_mul_scalar(tg_mul(t, tg_mul(du, du)), 2.0));
    tg_tensor *sum = tg_add(du, tg_mul(tg_mul_scalar(x, 0.5), inner));
    return tg_mul(tg_rsub_scalar(tg_mul(t, t), 1.0), sum);
}

/* gelu_backward(grad_output, self): grad_output: gelu_backward(grad, self); self: grad *
 * grad_output * gelu''(self) */
tg_status tgi_bw_gelu_backward(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *go = tgi_unpack(n, 0), *x = tgi_unpack(n, 1);
    if (!go || !x) return n->ctx->err;
    bool tanh_form = n->args.d0 != 0;
    if (tgi_needs(n, 0) && !(gi[0] = tgi_gelu_backward(g, x, tanh_form))) return n->ctx->err;
    if (tgi_needs(n, 1) && !(gi[1] = tg_mul(tg_mul(g, go), gelu_second(x, tanh_form))))
        return n->ctx->err;
    return TG_OK;
}
