/*
 * elementwise_grad.c — backward formulas of the pointwise ops, written with differentiable ops
 * (as tools/autograd/derivatives.yaml writes them), so they can later be differentiated again.
 * Each writes gi[i] only for inputs that need a gradient; the engine reduces broadcast
 * gradients to each input's shape and casts them to its dtype.
 */
#include "ops.h"

#include <math.h>

tg_status tgi_bw_identity(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    (void)n;
    gi[0] = g;
    return TG_OK;
}

tg_status tgi_bw_zeros(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    (void)n;
    gi[0] = tg_zeros_like(g);
    return gi[0] ? TG_OK : g->ctx->err;
}

/* add: self: grad; other: grad (alpha is 1) */
tg_status tgi_bw_add(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    gi[0] = tgi_needs(n, 0) ? g : NULL;
    gi[1] = tgi_needs(n, 1) ? g : NULL;
    return TG_OK;
}

/* sub: self: grad; other: -grad */
tg_status tgi_bw_sub(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    gi[0] = tgi_needs(n, 0) ? g : NULL;
    if (tgi_needs(n, 1) && !(gi[1] = tg_neg(g))) return g->ctx->err;
    return TG_OK;
}

/* rsub (s - self): self: -grad */
tg_status tgi_bw_rsub(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    (void)n;
    return (gi[0] = tg_neg(g)) ? TG_OK : g->ctx->err;
}

tg_status tgi_bw_neg(tg_node *n, tg_tensor *g, tg_tensor **gi) { return tgi_bw_rsub(n, g, gi); }

/* mul: self: grad * other; other: grad * self (saved in that order when needed) */
tg_status tgi_bw_mul(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    int k = 0;
    if (tgi_needs(n, 0)) {
        tg_tensor *other = tgi_unpack(n, k++);
        if (!other || !(gi[0] = tg_mul(g, other))) return g->ctx->err;
    }
    if (tgi_needs(n, 1)) {
        tg_tensor *self = tgi_unpack(n, k);
        if (!self || !(gi[1] = tg_mul(g, self))) return g->ctx->err;
    }
    return TG_OK;
}

/* mul by a scalar s: self: grad * s */
tg_status tgi_bw_mul_scalar(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    if (tgi_check_not_freed(n) != TG_OK) return n->ctx->err;
    return (gi[0] = tg_mul_scalar(g, n->args.s)) ? TG_OK : g->ctx->err;
}

/* div: self: grad / other; other: -grad * self / other^2, computed as PyTorch does:
 * -grad * ((self / other) / other). For in-place div_ the saved value is the result. */
tg_status tgi_bw_div(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *other = tgi_unpack(n, 0);
    if (!other) return n->ctx->err;
    if (tgi_needs(n, 0) && !(gi[0] = tg_div(g, other))) return g->ctx->err;
    if (tgi_needs(n, 1)) {
        tg_tensor *s1 = tgi_unpack(n, 1);
        if (!s1) return n->ctx->err;
        tg_tensor *q = n->saved[1].is_output ? s1 : tg_div(s1, other); /* self / other */
        gi[1] = tg_neg(tg_mul(g, tg_div(q, other)));
        if (!gi[1]) return g->ctx->err;
    }
    return TG_OK;
}

tg_status tgi_bw_div_scalar(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    if (tgi_check_not_freed(n) != TG_OK) return n->ctx->err;
    return (gi[0] = tg_div_scalar(g, n->args.s)) ? TG_OK : g->ctx->err;
}

/* pow(self, e): e == 0 ? 0 : grad * (e * self^(e-1)) */
tg_status tgi_bw_pow_scalar(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *self = tgi_unpack(n, 0);
    if (!self) return n->ctx->err;
    double e = n->args.s;
    if (e == 0.0) gi[0] = tg_zeros_like(self);
    else gi[0] = tg_mul(g, tg_mul_scalar(tg_pow_scalar(self, e - 1.0), e));
    return gi[0] ? TG_OK : g->ctx->err;
}

/* pow(self, other):
 *   self:  where(other == 0, 0, grad * other * self^(other - 1))
 *   other: grad * where(self == 0 & other >= 0, 0, result * log(self)) */
tg_status tgi_bw_pow(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *self = tgi_unpack(n, 0), *other = tgi_unpack(n, 1), *result = tgi_unpack(n, 2);
    if (!self || !other || !result) return n->ctx->err;
    if (tgi_needs(n, 0)) {
        tg_tensor *t = tg_mul(g, tg_mul(other, tg_pow(self, tg_sub_scalar(other, 1.0))));
        gi[0] = tgi_masked_zero(t, tg_eq_scalar(other, 0.0));
        if (!gi[0]) return g->ctx->err;
    }
    if (tgi_needs(n, 1)) {
        tg_tensor *cond = tg_mul(tg_eq_scalar(self, 0.0), tg_ge_scalar(other, 0.0));
        tg_tensor *t = tgi_masked_zero(tg_mul(result, tg_log(self)), cond);
        if (!(gi[1] = tg_mul(g, t))) return g->ctx->err;
    }
    return TG_OK;
}

/* pow(base, self) with a scalar base:
 *   self: grad * (result * log(base)), and where base == 0 the entries with self >= 0 get 0
 *   (saved: result, and self when base == 0) */
tg_status tgi_bw_rpow(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *result = tgi_unpack(n, 0);
    if (!result) return n->ctx->err;
    double base = n->args.s;
    tg_tensor *t = tg_mul_scalar(result, log(base));
    if (base == 0.0) {
        tg_tensor *self = tgi_unpack(n, 1);
        if (!self) return n->ctx->err;
        t = tgi_masked_zero(t, tg_ge_scalar(self, 0.0));
    }
    return (gi[0] = tg_mul(g, t)) ? TG_OK : g->ctx->err;
}

/* exp: grad * result */
tg_status tgi_bw_exp(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *r = tgi_unpack(n, 0);
    return r && (gi[0] = tg_mul(g, r)) ? TG_OK : n->ctx->err;
}

/* log: grad / self */
tg_status tgi_bw_log(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *s = tgi_unpack(n, 0);
    return s && (gi[0] = tg_div(g, s)) ? TG_OK : n->ctx->err;
}

/* sqrt: grad / (2 * result) */
tg_status tgi_bw_sqrt(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *r = tgi_unpack(n, 0);
    return r && (gi[0] = tg_div(g, tg_mul_scalar(r, 2.0))) ? TG_OK : n->ctx->err;
}

/* abs: grad * self.sgn() */
tg_status tgi_bw_abs(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *s = tgi_unpack(n, 0);
    return s && (gi[0] = tg_mul(g, tgi_sign(s))) ? TG_OK : n->ctx->err;
}

/* reciprocal: -grad * result * result */
tg_status tgi_bw_reciprocal(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *r = tgi_unpack(n, 0);
    return r && (gi[0] = tg_mul(tg_neg(g), tg_mul(r, r))) ? TG_OK : n->ctx->err;
}

/* where(cond, a, b): a: where(cond, grad, 0); b: where(cond, 0, grad). Edge 0 is the
 * condition (never differentiable). */
tg_status tgi_bw_where(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *cond = tgi_unpack(n, 0);
    if (!cond) return n->ctx->err;
    gi[0] = NULL;
    tg_tensor *z = tg_scalar(g->ctx, 0.0, g->dtype);
    if (tgi_needs(n, 1) && !(gi[1] = tgi_where(cond, g, z))) return g->ctx->err;
    if (tgi_needs(n, 2) && !(gi[2] = tgi_where(cond, z, g))) return g->ctx->err;
    return TG_OK;
}

/* copy_: self's old history gets zeros, src gets the gradient */
tg_status tgi_bw_copy(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    if (tgi_needs(n, 0) && !(gi[0] = tg_zeros_like(g))) return g->ctx->err;
    if (n->n_next > 1) gi[1] = tgi_needs(n, 1) ? g : NULL;
    return TG_OK;
}
