/*
 * custom_function.c — a custom autograd function in C, the counterpart of the tutorial's
 * pointer to torch.autograd.Function: a forward, a backward built from differentiable ops (so
 * second derivatives work too), and what PyTorch prints for it.
 *
 *     class MyExp(Function):
 *         @staticmethod
 *         def forward(ctx, i):
 *             result = i.exp(); ctx.save_for_backward(result); return result
 *         @staticmethod
 *         def backward(ctx, grad_output):
 *             result, = ctx.saved_tensors; return grad_output * result
 */
#include <stdio.h>

#include "tensorgrad.h"

static tg_status my_exp_forward(tg_function_ctx *fctx, tg_tensor *const *inputs, int n_inputs,
                                tg_tensor **outputs, void *user) {
    (void)n_inputs;
    (void)user;
    outputs[0] = tg_exp(inputs[0]); /* runs with grad mode off */
    return tg_function_save_for_backward(fctx, outputs, 1);
}

static tg_status my_exp_backward(tg_function_ctx *fctx, tg_tensor *const *grad_outputs,
                                 int n_outputs, tg_tensor **grad_inputs, int n_inputs, void *user) {
    (void)n_outputs;
    (void)n_inputs;
    (void)user;
    tg_tensor *result = tg_function_saved_tensor(fctx, 0); /* version-checked */
    if (!result) return TG_ERR_AUTOGRAD;
    grad_inputs[0] = tg_mul(grad_outputs[0], result);
    return grad_inputs[0] ? TG_OK : TG_ERR_AUTOGRAD;
}

static const tg_function MY_EXP = {
    .name = "MyExp", .n_outputs = 1, .forward = my_exp_forward, .backward = my_exp_backward};

int main(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *x = tg_tensor_parse(ctx, "[0., 1., 2.]", TG_FLOAT32);
    tg_requires_grad_(x, true);

    tg_tensor *y;
    tg_function_apply(&MY_EXP, &x, 1, NULL, &y);
    tg_print(y); /* tensor([1.0000, 2.7183, 7.3891], grad_fn=<MyExpBackward>) */

    /* first and second derivatives: d/dx exp(x) = exp(x), and again */
    tg_tensor *s = tg_sum(y), *g, *g2;
    tg_grad_opts keep_graph = {.create_graph = true};
    tg_autograd_grad(&s, 1, &x, 1, NULL, &keep_graph, &g);
    tg_print(g); /* tensor([1.0000, 2.7183, 7.3891], grad_fn=<MulBackward0>) */
    tg_tensor *gs = tg_sum(g);
    tg_autograd_grad(&gs, 1, &x, 1, NULL, NULL, &g2);
    tg_print(g2); /* tensor([1.0000, 2.7183, 7.3891]) */

    int rc = tg_errcode(ctx) == TG_OK ? 0 : 1;
    if (rc) fprintf(stderr, "%s\n", tg_errmsg(ctx));
    tg_ctx_free(ctx);
    return rc;
}
