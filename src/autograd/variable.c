/*
 * variable.c — a tensor's autograd state: requires_grad and its setter rules, leaf-ness, .grad
 * (read, assign, zero_grad), grad_fn, and detach / detach_ / .data.
 */
#include "../ops/ops.h"

bool tg_tensor_requires_grad(const tg_tensor *t) { return t && tgi_requires_grad(t); }

bool tg_tensor_is_leaf(const tg_tensor *t) { return t && t->grad_fn == NULL; }

tg_node *tg_tensor_grad_fn(const tg_tensor *t) { return t ? t->grad_fn : NULL; }

tg_tensor *tg_tensor_grad(const tg_tensor *t) {
    if (!t) return NULL;
    if (t->grad_fn && !t->retains_grad)
        tgi_warn(t->ctx,
                 "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                 ".grad attribute won't be populated during autograd.backward(). If you indeed "
                 "want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() "
                 "on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
                 "you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
                 "for more informations.");
    return t->grad;
}

tg_status tg_requires_grad_(tg_tensor *t, bool requires_grad) {
    if (!t) return tgi_null_arg(NULL, "tg_requires_grad_", "self");
    if (t->grad_fn) {
        if (requires_grad) return TG_OK; /* PyTorch: a no-op on non-leaves */
        return tgi_error(t->ctx, TG_ERR_AUTOGRAD,
                         "tg_requires_grad_: you can only change requires_grad flags of leaf "
                         "variables. If you want to use a computed variable in a subgraph that "
                         "doesn't require differentiation use var_no_grad = var.detach().");
    }
    if (requires_grad && t->is_inference && !t->ctx->inference)
        return tgi_error(t->ctx, TG_ERR_AUTOGRAD,
                         "tg_requires_grad_: Setting requires_grad=True on inference tensor "
                         "outside InferenceMode is not allowed.");
    if (requires_grad && !tgi_is_floating(t->dtype))
        return tgi_error(t->ctx, TG_ERR_AUTOGRAD,
                         "tg_requires_grad_: only Tensors of floating point dtype can require "
                         "gradients");
    t->requires_grad = requires_grad;
    return TG_OK;
}

tg_status tg_tensor_set_grad(tg_tensor *t, tg_tensor *g) {
    if (!t) return tgi_null_arg(g ? g->ctx : NULL, "tg_tensor_set_grad", "self");
    if (g) {
        if (g->dtype != t->dtype)
            return tgi_error(t->ctx, TG_ERR_AUTOGRAD,
                             "tg_tensor_set_grad: assigned grad has data of a different type");
        if (!tgi_same_shape(g->shape, g->ndim, t->shape, t->ndim))
            return tgi_error(t->ctx, TG_ERR_AUTOGRAD,
                             "tg_tensor_set_grad: assigned grad has data of a different size");
        g->refcount++;
    }
    if (t->grad) tgi_tensor_decref(t->grad);
    t->grad = g;
    return TG_OK;
}

void tg_zero_grad(tg_tensor *t) {
    if (t && t->grad) {
        tgi_tensor_decref(t->grad);
        t->grad = NULL;
    }
}

tg_tensor *tg_detach(const tg_tensor *t) {
    if (!t) return tgi_null_arg(NULL, "tg_detach", "self"), NULL;
    tg_tensor *d = tgi_alias(t, t->shape, t->strides, t->ndim, t->offset);
    return tgi_own(d);
}

tg_status tg_detach_(tg_tensor *t) {
    if (!t) return tgi_null_arg(NULL, "tg_detach_", "self");
    if (t->is_view)
        return tgi_error(t->ctx, TG_ERR_AUTOGRAD,
                         "tg_detach_: Can't detach views in-place. Use detach() instead. If you "
                         "are using DistributedDataParallel (DDP) for training, and "
                         "gradient_as_bucket_view is set as True, gradients are views of DDP "
                         "buckets, and hence detach_() cannot be called on these gradients. To "
                         "fix this error, please refer to the Optimizer.zero_grad() function in "
                         "torch/optim/optimizer.py as the solution.");
    if (t->grad_fn) {
        tgi_node_decref(t->grad_fn);
        t->grad_fn = NULL;
    }
    t->requires_grad = false;
    t->output_nr = 0;
    return TG_OK;
}

tg_tensor *tg_tensor_data(const tg_tensor *t) {
    if (!t) return tgi_null_arg(NULL, "tg_tensor_data", "self"), NULL;
    tg_ctx *ctx = t->ctx;
    /* an alias storage: same bytes, its own version counter, keeps the owner alive */
    tgi_storage *s = tgi_storage_alias(ctx, t->storage);
    if (!s) {
        tgi_error(ctx, TG_ERR_OOM, "tg_tensor_data: out of memory");
        return NULL;
    }
    tg_tensor *d = tgi_alias(t, t->shape, t->strides, t->ndim, t->offset);
    if (!d) {
        tgi_storage_release(ctx, s);
        return NULL;
    }
    tgi_storage_release(ctx, d->storage); /* drop the alias's reference to t's storage */
    d->storage = s;
    return tgi_own(d);
}
