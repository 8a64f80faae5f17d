/*
 * gradcheck.c — torch.autograd.gradcheck: the analytical Jacobian, row by row from backward
 * with one-hot output gradients, against central differences, |a - n| <= atol + rtol |n|.
 */
#include "../ops/ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* f(inputs) as a fresh contiguous float64 copy of its values, or NULL. Runs under no_grad. */
static double *eval(tg_gradcheck_fn fn, tg_tensor *const *in, int n, void *user, int64_t *m) {
    tg_ctx *ctx = in[0]->ctx;
    double *vals = NULL;
    tg_scope_begin(ctx);
    tg_no_grad(ctx);
    tg_tensor *y = fn(in, n, user);
    tgi_grad_pop(ctx);
    if (y) {
        *m = y->numel;
        vals = malloc(sizeof(double) * (size_t)(y->numel ? y->numel : 1));
        if (vals)
            for (int64_t i = 0; i < y->numel; i++) vals[i] = tg_tensor_get(y, i);
    }
    tg_scope_end(ctx);
    return vals;
}

static int64_t elem_offset(const tg_tensor *t, int64_t i) {
    int64_t off = t->offset;
    for (int d = t->ndim - 1; d >= 0; d--) {
        off += (i % t->shape[d]) * t->strides[d];
        i /= t->shape[d];
    }
    return off;
}

static char *repr_matrix(tg_ctx *ctx, const double *v, int64_t rows, int64_t cols) {
    tg_scope_begin(ctx);
    int64_t shape[2] = {rows, cols};
    tg_tensor *t = tg_tensor_new(ctx, v, shape, 2, TG_FLOAT64);
    char *s = t ? tg_tensor_str(t) : NULL;
    tg_scope_end(ctx);
    return s;
}

tg_status tg_gradcheck(tg_gradcheck_fn fn, tg_tensor *const *inputs, int n, void *user,
                       const tg_gradcheck_opts *opts) {
    if (!fn || !inputs || n <= 0 || !inputs[0])
        return inputs && n > 0 && inputs[0] ? tgi_null_arg(inputs[0]->ctx, "tg_gradcheck", "fn")
                                            : TG_ERR_NULL_ARG;
    tg_ctx *ctx = inputs[0]->ctx;
    double eps = opts && opts->eps > 0 ? opts->eps : 1e-6;
    double atol = opts && opts->atol > 0 ? opts->atol : 1e-5;
    double rtol = opts && opts->rtol > 0 ? opts->rtol : 1e-3;
    int64_t m = 0;
    double *y0 = eval(fn, inputs, n, user, &m);
    if (!y0) return ctx->err ? ctx->err : tgi_error(ctx, TG_ERR_OOM, "tg_gradcheck: out of memory");
    free(y0);
    tg_status st = TG_OK;
    for (int k = 0; k < n && st == TG_OK; k++) {
        tg_tensor *x = inputs[k];
        if (!x || !tgi_requires_grad(x) || !tgi_is_floating(x->dtype)) continue;
        int64_t nx = x->numel;
        double *num = calloc((size_t)(nx * m + 1), sizeof(double)); /* [nx][m]: d y_j / d x_i */
        double *ana = calloc((size_t)(nx * m + 1), sizeof(double));
        if (!num || !ana) {
            free(num);
            free(ana);
            return tgi_error(ctx, TG_ERR_OOM, "tg_gradcheck: out of memory");
        }
        /* numerical: perturb each element in place */
        for (int64_t i = 0; i < nx && st == TG_OK; i++) {
            int64_t off = elem_offset(x, i);
            double orig = tgi_load(x->storage->data, x->dtype, off);
            int64_t mm;
            tgi_store(x->storage->data, x->dtype, off, orig + eps);
            double *yp = eval(fn, inputs, n, user, &mm);
            tgi_store(x->storage->data, x->dtype, off, orig - eps);
            double *ym = eval(fn, inputs, n, user, &mm);
            tgi_store(x->storage->data, x->dtype, off, orig);
            if (!yp || !ym) st = ctx->err ? ctx->err : TG_ERR_OOM;
            for (int64_t j = 0; st == TG_OK && j < m; j++)
                num[i * m + j] = (yp[j] - ym[j]) / (2 * eps);
            free(yp);
            free(ym);
        }
        /* analytical: one autograd.grad per output element with a one-hot gradient (works
         * for inputs that are not leaves, and leaves .grad alone) */
        for (int64_t j = 0; j < m && st == TG_OK; j++) {
            tg_scope_begin(ctx);
            tg_enable_grad(ctx);
            tg_tensor *y = fn(inputs, n, user);
            if (!y) st = ctx->err;
            tg_tensor *v = st == TG_OK ? tg_zeros_like(y) : NULL;
            if (st == TG_OK && !v) st = ctx->err;
            if (st == TG_OK && tgi_requires_grad(y)) {
                tgi_store(v->storage->data, v->dtype, j, 1.0);
                tg_grad_opts o = {.allow_unused = true};
                tg_tensor *gx = NULL;
                st = tg_autograd_grad(&y, 1, &x, 1, &v, &o, &gx);
                if (st == TG_OK && gx)
                    for (int64_t i = 0; i < nx; i++) ana[i * m + j] = tg_tensor_get(gx, i);
            }
            tgi_grad_pop(ctx);
            tg_scope_end(ctx);
        }
        /* forward mode: column i of the Jacobian is the tangent of the output for the tangent
         * e_i on input k (zero tangents elsewhere) */
        if (st == TG_OK && opts && opts->check_forward_ad) {
            double *fwd = calloc((size_t)(nx * m + 1), sizeof(double));
            if (!fwd) st = tgi_error(ctx, TG_ERR_OOM, "tg_gradcheck: out of memory");
            for (int64_t i = 0; i < nx && st == TG_OK; i++) {
                tg_scope_begin(ctx);
                if ((st = tg_fwad_enter(ctx)) == TG_OK) {
                    tg_tensor *dual[64];
                    for (int q = 0; q < n && q < 64 && st == TG_OK; q++) {
                        dual[q] = inputs[q];
                        if (!inputs[q] || !tgi_is_floating(inputs[q]->dtype)) continue;
                        tg_tensor *tan = tg_zeros_like(inputs[q]);
                        if (tan && q == k) tgi_store(tan->storage->data, tan->dtype, i, 1.0);
                        dual[q] = tan ? tg_make_dual(inputs[q], tan) : NULL;
                        if (!dual[q]) st = ctx->err;
                    }
                    tg_tensor *y = st == TG_OK ? fn(dual, n, user) : NULL, *tan = NULL;
                    if (st == TG_OK && !y) st = ctx->err ? ctx->err : TG_ERR_AUTOGRAD;
                    if (st == TG_OK) st = tg_unpack_dual(y, NULL, &tan);
                    for (int64_t j = 0; st == TG_OK && tan && j < m; j++)
                        fwd[i * m + j] = tg_tensor_get(tan, j);
                    tg_fwad_exit(ctx);
                }
                tg_scope_end(ctx);
            }
            for (int64_t q = 0; st == TG_OK && q < nx * m; q++) {
                if (fabs(fwd[q] - num[q]) <= atol + rtol * fabs(num[q])) continue;
                char *ns = repr_matrix(ctx, num, nx, m), *fs = repr_matrix(ctx, fwd, nx, m);
                st = tgi_error(ctx, TG_ERR_AUTOGRAD,
                               "tg_gradcheck: Jacobian computed with forward mode mismatch for "
                               "output 0 with respect to input %d,\nnumerical:%s\nanalytical:%s\n",
                               k, ns ? ns : "?", fs ? fs : "?");
                free(ns);
                free(fs);
            }
            free(fwd);
        }
        if (st == TG_OK) {
            for (int64_t q = 0; q < nx * m; q++) {
                double a = ana[q], nn = num[q];
                if (!(fabs(a - nn) <= atol + rtol * fabs(nn))) {
                    /* PyTorch prints the Jacobians as [input elements x output elements] */
                    char *ns = repr_matrix(ctx, num, nx, m), *as = repr_matrix(ctx, ana, nx, m);
                    st = tgi_error(ctx, TG_ERR_AUTOGRAD,
                                   "tg_gradcheck: Jacobian mismatch for output 0 with respect to "
                                   "input %d,\nnumerical:%s\nanalytical:%s\n",
                                   k, ns ? ns : "?", as ? as : "?");
                    free(ns);
                    free(as);
                    break;
                }
            }
        }
        free(num);
        free(ana);
    }
    return st;
}

/* ---------------------------------------------------------------- gradgradcheck */

typedef struct gg_wrap {
    tg_gradcheck_fn fn;
    void *user;
    int n;      /* the function's own inputs; input n is the grad_output v */
    int which;  /* which input's gradient this wrapper returns */
} gg_wrap;

/* (inputs..., v) -> d(fn(inputs) . v)/d inputs[which], with a graph */
static tg_tensor *gg_fn(tg_tensor *const *in, int n_all, void *user) {
    const gg_wrap *w = user;
    (void)n_all;
    tg_ctx *ctx = in[0]->ctx;
    tg_enable_grad(ctx); /* gradcheck evaluates under no_grad; this function needs a graph */
    tg_tensor *y = w->fn(in, w->n, w->user), *g = NULL;
    if (y) {
        tg_tensor *v = in[w->n];
        tg_grad_opts o = {.create_graph = true, .allow_unused = true, .materialize_grads = true};
        tg_tensor *x = in[w->which];
        if (!tgi_requires_grad(y)) g = tg_zeros_like(x);
        else if (tg_autograd_grad(&y, 1, &x, 1, &v, &o, &g) != TG_OK) g = NULL;
    }
    tgi_grad_pop(ctx);
    return g;
}

tg_status tg_gradgradcheck(tg_gradcheck_fn fn, tg_tensor *const *inputs, int n, void *user,
                           tg_tensor *grad_output, const tg_gradcheck_opts *opts) {
    if (!fn || !inputs || n <= 0 || !inputs[0]) return TG_ERR_NULL_ARG;
    tg_ctx *ctx = inputs[0]->ctx;
    if (n > 15) return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_gradgradcheck: at most 15 inputs");
    tg_scope_begin(ctx);
    tg_status st = TG_OK;
    tg_tensor *v = grad_output;
    if (!v) { /* PyTorch draws random grad_outputs that require grad */
        tg_no_grad(ctx);
        tg_tensor *y = fn(inputs, n, user);
        tgi_grad_pop(ctx);
        if (!y) st = ctx->err ? ctx->err : TG_ERR_INVALID_ARG;
        else if (!(v = tg_randn(ctx, y->shape, y->ndim, TG_FLOAT64)) ||
                 !(v = tgi_to_dtype(v, y->dtype)) || tg_requires_grad_(v, true) != TG_OK)
            st = ctx->err;
    }
    tg_tensor *all[16];
    for (int i = 0; i < n; i++) all[i] = inputs[i];
    all[n] = v;
    for (int k = 0; k < n && st == TG_OK; k++) {
        if (!inputs[k] || !tgi_requires_grad(inputs[k]) || !tgi_is_floating(inputs[k]->dtype))
            continue;
        gg_wrap w = {fn, user, n, k};
        st = tg_gradcheck(gg_fn, all, n + 1, &w, opts);
        if (st != TG_OK) {
            char msg[TGI_ERRMSG_CAP];
            snprintf(msg, sizeof msg, "%s", tg_errmsg(ctx));
            const char *body = strncmp(msg, "tg_gradcheck: ", 14) == 0 ? msg + 14 : msg;
            tgi_error(ctx, st, "tg_gradgradcheck: (gradient of input %d) %s", k, body);
        }
    }
    tg_scope_end(ctx);
    return st;
}
