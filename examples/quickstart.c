/*
 * quickstart.c — the README's example, built by `make` so it cannot rot.
 */
#include <stdio.h>

#include "tensorgrad.h"

int main(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *x = tg_tensor_parse(ctx, "[[1, 3], [2, 2]]", TG_FLOAT32);
    tg_requires_grad_(x, true);

    tg_tensor *y = tg_add_scalar(x, 2);               /* y = x + 2          */
    tg_tensor *z = tg_mul_scalar(tg_mul(y, y), 3);    /* z = y * y * 3      */
    tg_tensor *out = tg_mean(z);                      /* out = z.mean()     */
    tg_print(out);          /* tensor(49.5000, grad_fn=<MeanBackward0>)      */

    tg_backward(out, NULL); /* out.backward()                                */
    tg_print(tg_tensor_grad(x));
    /* tensor([[4.5000, 7.5000],
               [6.0000, 6.0000]])                                            */

    if (tg_errcode(ctx)) fprintf(stderr, "%s\n", tg_errmsg(ctx));
    tg_ctx_free(ctx);       /* frees every tensor and graph node             */
    return 0;
}
