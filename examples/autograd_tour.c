/*
 * autograd_tour.c — PyTorch's tutorial "Autograd: Automatic Differentiation", cell by cell, in C.
 * Every line it prints equals what PyTorch prints for the same cell (tools/autograd_tour.py is
 * the PyTorch side; `make parity` diffs the two, object addresses aside). Where the notebook's
 * notes are wrong, this follows PyTorch: z.backward(1) on a vector is an error, the missing `zz`
 * is defined as a matrix product, and y * y is an elementwise product, not a dot product.
 */
#include "tensorgrad.h"

#include <stdio.h>
#include <stdlib.h>

static const char *py_bool(bool b) { return b ? "True" : "False"; }

/* print(a, b): Python joins the two reprs with a space */
static void print2(const tg_tensor *a, const tg_tensor *b) {
    char *sa = tg_tensor_str(a), *sb = tg_tensor_str(b);
    printf("%s %s\n", sa ? sa : "NULL", sb ? sb : "NULL");
    free(sa);
    free(sb);
}

static void print_node(const tg_tensor *t) {
    char buf[128];
    tg_node_repr(tg_tensor_grad_fn(t), buf, sizeof buf);
    printf("%s\n", buf);
}

static void print_size(const tg_tensor *t) {
    char buf[128];
    tg_tensor_size_repr(t, buf, sizeof buf);
    printf("%s\n", buf);
}

int main(void) {
    tg_ctx *ctx = tg_ctx_new();
    if (!ctx) return 1;
    tg_manual_seed(ctx, 0); /* the random cells become deterministic: torch.manual_seed(0) */

    printf("# In [3]: a tensor that tracks history\n");
    tg_tensor *x = tg_tensor_parse(ctx, "[[1,3],[2,2]]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_print(x);
    print_size(x);

    printf("# In [10]: y = x + 2; z = 3 * (y ** 2)\n");
    tg_tensor *y = tg_add_scalar(x, 2);
    tg_tensor *z = tg_mul_scalar(tg_pow_scalar(y, 2), 3);
    print2(y, z);

    printf("# In [11]: grad_fn of y, and of zz = y @ y (a matrix product)\n");
    tg_tensor *zz = tg_mm(y, y);
    print_node(y);
    print_node(zz);

    printf("# In [12]: z = y * y (elementwise, not a dot product); out = z.mean()\n");
    z = tg_mul(y, y);
    tg_tensor *out = tg_mean(z);
    print2(z, out);

    printf("# In [13]: requires_grad_ changes the flag in place\n");
    tg_tensor *a = tg_tensor_parse(ctx, "[2, 2]", TG_FLOAT32);
    a = tg_mul_scalar(a, 3);
    tg_print(a);
    printf("%s\n", py_bool(tg_tensor_requires_grad(a)));
    tg_requires_grad_(a, true);
    printf("%s\n", py_bool(tg_tensor_requires_grad(a)));
    tg_tensor *b = tg_sum(tg_mul(a, a));
    tg_print(b);
    print_node(b);

    printf("# out.backward(): d(out)/dx\n");
    tg_backward(out, NULL);
    tg_print(tg_tensor_grad(x));

    printf("# In [30]: y = 2 * x + x * x * 3\n");
    x = tg_tensor_parse(ctx, "[3]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    y = tg_add(tg_mul_scalar(x, 2), tg_mul_scalar(tg_mul(x, x), 3));
    print2(x, y);

    printf("# In [31]: y.backward(); x.grad = 2 + 6 * x\n");
    tg_backward(y, NULL);
    tg_print(tg_tensor_grad(x));

    printf("# The notes' z.backward(1) on a vector: PyTorch needs a gradient of z's shape\n");
    x = tg_tensor_parse(ctx, "[3, 4, 6]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    y = tg_mul_scalar(tg_mul(x, x), 3);
    if (tg_backward(y, NULL) != TG_OK) {
        printf("RuntimeError: %s\n", tg_errmsg(ctx) + sizeof("tg_backward: ") - 1);
        tg_clear_error(ctx);
    }

    printf("# In [34]: example 1, a vector-Jacobian product\n");
    tg_tensor *v = tg_tensor_parse(ctx, "[1, 1, 2]", TG_FLOAT32);
    tg_backward(y, v);
    tg_print(tg_tensor_grad(x));

    printf("# In [41]: example 2\n");
    tg_tensor *g = tg_tensor_parse(ctx, "[[1,1,1],[2,3,4]]", TG_FLOAT32);
    tg_add_(g, tg_ones_like(g));
    tg_requires_grad_(g, true);
    {
        char *s = tg_tensor_str(g);
        printf("%s %s\n", s, py_bool(tg_tensor_requires_grad(g)));
        free(s);
    }
    tg_tensor *gg = tg_mul(tg_mul(g, g), g);
    tg_tensor *ggg = tg_add(gg, tg_mul_scalar(g, 3));
    v = tg_tensor_parse(ctx, "[[1,1,2],[2,2,2]]", TG_FLOAT32);
    tg_backward(ggg, v);
    tg_print(tg_tensor_grad(g));

    printf("# In [49]: define-by-run control flow\n");
    x = tg_randn(ctx, TG_SHAPE(3), TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_print(x);
    y = tg_mul_scalar(x, 2);
    int count = 0;
    for (;;) {
        double norm = 0;
        tg_item(tg_norm(tg_tensor_data(y), 2), &norm); /* y.data.norm() */
        if (!(norm < 100)) break;
        y = tg_mul_scalar(y, 2);
        count++;
    }
    {
        char *s = tg_tensor_str(y);
        printf("%s %d\n", s, count);
        free(s);
    }
    v = tg_tensor_parse(ctx, "[0.1, 1.0, 0.0001]", TG_FLOAT32);
    tg_backward(y, v);
    tg_print(tg_tensor_grad(x));

    printf("# In [53]: stop tracking with no_grad\n");
    x = tg_randn(ctx, TG_SHAPE(3), TG_FLOAT32);
    tg_requires_grad_(x, true);
    printf("%s\n", py_bool(tg_tensor_requires_grad(x)));
    printf("%s\n", py_bool(tg_tensor_requires_grad(tg_pow_scalar(x, 2))));
    tg_no_grad(ctx);
    printf("%s\n", py_bool(tg_tensor_requires_grad(tg_pow_scalar(x, 2))));
    tg_grad_mode_pop(ctx);
    x = tg_randn(ctx, TG_SHAPE(3), TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_requires_grad_(x, false);
    printf("%s\n", py_bool(tg_tensor_requires_grad(tg_pow_scalar(x, 2))));

    printf("# In [55]: or with detach\n");
    tg_requires_grad_(x, true);
    printf("%s\n", py_bool(tg_tensor_requires_grad(x)));
    y = tg_detach(x);
    printf("%s\n", py_bool(tg_tensor_requires_grad(y)));
    tg_print(tg_eq(x, y));

    int rc = tg_errcode(ctx) == TG_OK ? 0 : 1;
    if (rc) fprintf(stderr, "error: %s\n", tg_errmsg(ctx));
    tg_ctx_free(ctx);
    return rc;
}
