/*
 * hvp_network.c — a Hessian-vector product for a small network, the way second-order
 * optimisers and curvature probes use it: loss(W) for a two-layer network on a fixed batch,
 * then H v (tg_hvp) and, to check it, the full Hessian (tg_hessian) times v.
 *
 *     loss(W1, W2) = mean((relu-free smooth layer(x W1) W2 - y)^2)
 */
#include <math.h>
#include <stdio.h>

#include "tensorgrad.h"

typedef struct batch {
    tg_tensor *x, *y;
} batch;

/* h = x W1; a = h / (1 + |h|) (a smooth activation); out = a W2; loss = mean((out - y)^2) */
static tg_tensor *loss_fn(tg_tensor *const *w, int n, void *user) {
    (void)n;
    const batch *b = user;
    tg_tensor *h = tg_mm(b->x, w[0]);
    tg_tensor *a = tg_div(h, tg_add_scalar(tg_abs(h), 1));
    tg_tensor *out = tg_mm(a, w[1]);
    return tg_mean(tg_pow_scalar(tg_sub(out, b->y), 2));
}

int main(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 0);
    batch b = {tg_randn(ctx, TG_SHAPE(8, 3), TG_FLOAT64), tg_randn(ctx, TG_SHAPE(8, 1), TG_FLOAT64)};
    tg_tensor *w[2] = {tg_randn(ctx, TG_SHAPE(3, 4), TG_FLOAT64),
                       tg_randn(ctx, TG_SHAPE(4, 1), TG_FLOAT64)};
    tg_tensor *v[2] = {tg_randn(ctx, TG_SHAPE(3, 4), TG_FLOAT64),
                       tg_randn(ctx, TG_SHAPE(4, 1), TG_FLOAT64)};

    tg_tensor *loss, *hv[2];
    tg_hvp(loss_fn, w, 2, &b, v, NULL, &loss, hv);
    printf("loss = ");
    tg_print(loss);
    printf("(H v) for W1 = ");
    tg_print(hv[0]);
    printf("(H v) for W2 = ");
    tg_print(hv[1]);

    /* the same product from the full 16x16 Hessian, block by block */
    tg_tensor *H[4];
    tg_hessian(loss_fn, w, 2, &b, NULL, H);
    tg_tensor *v1 = tg_reshape(v[0], TG_SHAPE(12, 1)), *v2 = tg_reshape(v[1], TG_SHAPE(4, 1));
    tg_tensor *hv1 = tg_add(tg_mm(tg_reshape(H[0], TG_SHAPE(12, 12)), v1),
                            tg_mm(tg_reshape(H[1], TG_SHAPE(12, 4)), v2));
    tg_tensor *diff = tg_norm(tg_sub(tg_reshape(hv1, TG_SHAPE(3, 4)), hv[0]), INFINITY);
    double d = 1;
    tg_item(diff, &d);
    printf("max |H v - hvp| for W1 = %.3g\n", d);

    int rc = tg_errcode(ctx) == TG_OK && d < 1e-12 ? 0 : 1;
    if (tg_errcode(ctx)) fprintf(stderr, "%s\n", tg_errmsg(ctx));
    tg_ctx_free(ctx);
    return rc;
}
