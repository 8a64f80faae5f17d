/*
 * nn.c — neural-network functions: softmax and log_softmax (max-subtracted, along a dim),
 * layer_norm, batch_norm (training with running-statistics updates, and evaluation) and
 * embedding, each recording PyTorch's node. The reference kernels read contiguous copies and
 * accumulate in double; backward formulas are written with differentiable ops where that is
 * reasonable (embedding's scatter-add is a kernel, composed of index_add under create_graph).
 * The losses live in loss.c.
 */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The shape of t with every dim except `keep` set to 1 (so a (C) tensor reshaped to it
 * broadcasts along dim keep of an ndim-d tensor). */
static tg_tensor *along_dim(const tg_tensor *t, int ndim, int keep) {
    int64_t shape[TG_MAX_DIMS];
    for (int d = 0; d < ndim; d++) shape[d] = d == keep ? t->numel : 1;
    return tg_reshape(t, shape, ndim);
}

/* ================================================================ softmax, log_softmax */

/* out[o, :, i] = softmax (or log_softmax) of a[o, :, i] along dim d (contiguous layout). */
static void softmax_kernel(const tg_tensor *x, tg_tensor *out, int64_t outer, int64_t n,
                           int64_t inner, bool log_out) {
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < inner; i++) {
            int64_t base = o * n * inner + i;
            double m = -INFINITY;
            for (int64_t j = 0; j < n; j++) {
                double v = tgi_at(x, base + j * inner);
                if (v > m || isnan(v)) m = v;
                if (isnan(m)) break;
            }
            double s = 0.0;
            for (int64_t j = 0; j < n; j++) s += exp(tgi_at(x, base + j * inner) - m);
            double ls = log(s);
            for (int64_t j = 0; j < n; j++) {
                double z = tgi_at(x, base + j * inner) - m;
                tgi_put(out, base + j * inner, log_out ? z - ls : exp(z) / s);
            }
        }
    }
}

static tg_tensor *softmax_impl(const char *fn, const tg_tensor *a, int dim, bool log_out) {
    if (!a) return tgi_null_arg(NULL, fn, "self"), NULL;
    tg_ctx *ctx = a->ctx;
    int64_t d;
    if (tgi_wrap_dim(ctx, fn, dim, a->ndim, &d) != TG_OK) return NULL;
    if (!tgi_is_floating(a->dtype)) {
        bool last = a->ndim == 0 || d == a->ndim - 1;
        tgi_error(ctx, TG_ERR_DTYPE, "%s: \"%s%s_kernel_impl\" not implemented for '%s'", fn,
                  log_out ? "log_softmax" : "softmax", last ? "_lastdim" : "",
                  tgi_dtype_cname(a->dtype));
        return NULL;
    }
    tg_tensor *x = tgi_cast(a, a->dtype, true);
    tg_tensor *out = x ? tgi_empty(ctx, a->shape, a->ndim, a->dtype) : NULL;
    if (!out) {
        tgi_tensor_decref(x);
        return NULL;
    }
    int64_t outer = 1, n = a->ndim ? a->shape[d] : 1, inner = 1;
    for (int k = 0; k < d; k++) outer *= a->shape[k];
    for (int k = (int)d + 1; k < a->ndim; k++) inner *= a->shape[k];
    softmax_kernel(x, out, outer, n, inner, log_out);
    tgi_tensor_decref(x);
    tg_status st = TG_OK;
    if (tgi_should_record(ctx, &a, 1)) {
        tg_node *node = tgi_record(out, log_out ? TGI_OP_LOG_SOFTMAX : TGI_OP_SOFTMAX, &a, 1);
        st = node ? tgi_save(node, out, true) : ctx->err;
        if (node) node->args.d0 = d;
    }
    return tgi_finish(out, st);
}

tg_tensor *tg_softmax(const tg_tensor *a, int dim) {
    return softmax_impl("tg_softmax", a, dim, false);
}

tg_tensor *tg_log_softmax(const tg_tensor *a, int dim) {
    return softmax_impl("tg_log_softmax", a, dim, true);
}

/* softmax: result * (grad - sum(grad * result, dim, keepdim)) */
tg_status tgi_bw_softmax(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *y = tgi_unpack(n, 0);
    if (!y) return n->ctx->err;
    int64_t d = n->args.d0;
    tg_tensor *s = tg_sum_dim(tg_mul(g, y), &d, 1, true);
    return (gi[0] = tg_mul(y, tg_sub(g, s))) ? TG_OK : n->ctx->err;
}

/* log_softmax: grad - exp(result) * sum(grad, dim, keepdim) */
tg_status tgi_bw_log_softmax(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *y = tgi_unpack(n, 0);
    if (!y) return n->ctx->err;
    int64_t d = n->args.d0;
    tg_tensor *s = tg_sum_dim(g, &d, 1, true);
    return (gi[0] = tg_sub(g, tg_mul(tg_exp(y), s))) ? TG_OK : n->ctx->err;
}

/* ================================================================ parameter dtype checks */

/* at::native's CPU rule for normalisation parameters: when the first one given has another
 * dtype than the input, every one must be float32 and the input a reduced float (never here);
 * otherwise each must have the input's dtype. */
static tg_status check_param_dtypes(tg_ctx *ctx, const char *fn, const tg_tensor *input,
                                    const tg_tensor *const *params, int n) {
    const tg_tensor *first = NULL;
    for (int i = 0; i < n && !first; i++) first = params[i];
    if (!first) return TG_OK;
    if (first->dtype != input->dtype) {
        for (int i = 0; i < n; i++)
            if (params[i] && params[i]->dtype != TG_FLOAT32)
                return tgi_error(ctx, TG_ERR_DTYPE,
                                 "%s: mixed dtype (CPU): expect parameter to have scalar type of "
                                 "Float",
                                 fn);
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: mixed dtype (CPU): all inputs must share same datatype.", fn);
    }
    for (int i = 0; i < n; i++)
        if (params[i] && params[i]->dtype != input->dtype)
            return tgi_error(ctx, TG_ERR_DTYPE, "%s: expected scalar type %s but found %s", fn,
                             tgi_dtype_cname(input->dtype), tgi_dtype_cname(params[i]->dtype));
    return TG_OK;
}

/* ================================================================ layer_norm */

/* "[2, 3]" for an int64 list (PyTorch's IntArrayRef printing) */
static void fmt_list(char *buf, size_t cap, const int64_t *v, int n) {
    tgi_fmt_shape(buf, cap, v, n);
}

static tg_status layer_norm_checks(tg_ctx *ctx, const char *fn, const tg_tensor *input,
                                   const int64_t *ns, int k, const tg_tensor *weight,
                                   const tg_tensor *bias) {
    char a[256], b[256];
    fmt_list(b, sizeof b, ns, k);
    if (k < 1)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Expected normalized_shape to be at least 1-dimensional, i.e., "
                         "containing at least one element, but got normalized_shape = %s",
                         fn, b);
    if (weight && !tgi_same_shape(weight->shape, weight->ndim, ns, k)) {
        fmt_list(a, sizeof a, weight->shape, weight->ndim);
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Expected weight to be of same shape as normalized_shape, but got "
                         "weight of shape %s and normalized_shape = %s",
                         fn, a, b);
    }
    if (bias && !tgi_same_shape(bias->shape, bias->ndim, ns, k)) {
        fmt_list(a, sizeof a, bias->shape, bias->ndim);
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Expected bias to be of same shape as normalized_shape, but got "
                         "bias of shape %s and normalized_shape = %s",
                         fn, a, b);
    }
    if (input->ndim < k || !tgi_same_shape(input->shape + input->ndim - k, k, ns, k)) {
        char star[256] = "[*";
        for (int i = 0; i < k; i++)
            snprintf(star + strlen(star), sizeof star - strlen(star), ", %lld", (long long)ns[i]);
        fmt_list(a, sizeof a, input->shape, input->ndim);
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Given normalized_shape=%s, expected input with shape %s], but got "
                         "input of size%s",
                         fn, b, star, a);
    }
    if (!tgi_is_floating(input->dtype))
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: \"LayerNormKernelImpl\" not implemented for '%s'", fn,
                         tgi_dtype_cname(input->dtype));
    const tg_tensor *params[2] = {weight, bias};
    return check_param_dtypes(ctx, fn, input, params, 2);
}

tg_tensor *tg_layer_norm(const tg_tensor *input, const int64_t *normalized_shape, int ndim,
                         const tg_tensor *weight, const tg_tensor *bias, double eps) {
    static const char fn[] = "tg_layer_norm";
    if (!input) return tgi_null_arg(weight ? weight->ctx : NULL, fn, "input"), NULL;
    tg_ctx *ctx = input->ctx;
    if (ndim > 0 && !normalized_shape) return tgi_null_arg(ctx, fn, "normalized_shape"), NULL;
    if (ndim < 0 || ndim > TG_MAX_DIMS) {
        tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: normalized_shape has %d dims", fn, ndim);
        return NULL;
    }
    if (layer_norm_checks(ctx, fn, input, normalized_shape, ndim, weight, bias) != TG_OK)
        return NULL;
    int axis = input->ndim - ndim;
    int64_t M = 1, N = 1;
    for (int d = 0; d < input->ndim; d++) {
        if (d < axis) M *= input->shape[d];
        else N *= input->shape[d];
    }
    /* mean and rstd keep the leading dims and have size 1 in the normalised ones */
    int64_t sshape[TG_MAX_DIMS];
    for (int d = 0; d < input->ndim; d++) sshape[d] = d < axis ? input->shape[d] : 1;
    tg_tensor *x = tgi_cast(input, input->dtype, true);
    tg_tensor *w = weight ? tgi_cast(weight, weight->dtype, true) : NULL;
    tg_tensor *b = bias ? tgi_cast(bias, bias->dtype, true) : NULL;
    tg_tensor *out = tgi_empty(ctx, input->shape, input->ndim, input->dtype);
    tg_tensor *mean = tgi_empty(ctx, sshape, input->ndim, input->dtype);
    tg_tensor *rstd = tgi_empty(ctx, sshape, input->ndim, input->dtype);
    tg_status st = x && out && mean && rstd && (!weight || w) && (!bias || b) ? TG_OK : ctx->err;
    for (int64_t r = 0; st == TG_OK && r < M; r++) {
        double s = 0.0, q = 0.0;
        for (int64_t j = 0; j < N; j++) s += tgi_at(x, r * N + j);
        double mu = s / (double)N;
        for (int64_t j = 0; j < N; j++) {
            double dv = tgi_at(x, r * N + j) - mu;
            q += dv * dv;
        }
        double rs = 1.0 / sqrt(q / (double)N + eps);
        tgi_put(mean, r, mu);
        tgi_put(rstd, r, rs);
        for (int64_t j = 0; j < N; j++) {
            double y = (tgi_at(x, r * N + j) - mu) * rs;
            if (w) y *= tgi_at(w, j);
            if (b) y += tgi_at(b, j);
            tgi_put(out, r * N + j, y);
        }
    }
    tgi_tensor_decref(x);
    tgi_tensor_decref(w);
    tgi_tensor_decref(b);
    const tg_tensor *in[3] = {input, weight, bias};
    if (st == TG_OK && tgi_should_record(ctx, in, 3)) {
        tg_node *n = tgi_record(out, TGI_OP_NATIVE_LAYER_NORM, in, 3);
        if (!n) st = ctx->err;
        /* saved: input, mean, rstd, then weight and bias when given */
        if (st == TG_OK) st = tgi_save(n, input, false);
        if (st == TG_OK) st = tgi_save(n, mean, false);
        if (st == TG_OK) st = tgi_save(n, rstd, false);
        if (st == TG_OK && weight) st = tgi_save(n, weight, false);
        if (st == TG_OK && bias) st = tgi_save(n, bias, false);
        if (n) {
            n->args.n = axis;
            n->args.d0 = weight != NULL;
            n->args.d1 = bias != NULL;
            n->args.s = eps;
        }
    }
    tgi_tensor_decref(mean);
    tgi_tensor_decref(rstd);
    return tgi_finish(out, st);
}

/* native_layer_norm_backward, with xhat = (x - mean) * rstd over the normalised dims D:
 *   input:  rstd * (g w - mean_D(g w) - xhat * mean_D(g w xhat))
 *   weight: sum over the leading dims of g * xhat;  bias: sum over the leading dims of g
 * Under create_graph mean and rstd are recomputed from x with differentiable ops (the saved
 * ones are constants to autograd), so the formula differentiates as layer_norm_double_backward
 * does. */
tg_status tgi_bw_layer_norm(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *x = tgi_unpack(n, 0), *mean = tgi_unpack(n, 1), *rstd = tgi_unpack(n, 2);
    tg_tensor *w = n->args.d0 ? tgi_unpack(n, 3) : NULL;
    if (!x || !mean || !rstd || (n->args.d0 && !w)) return n->ctx->err;
    int axis = (int)n->args.n;
    int64_t lead[TG_MAX_DIMS], norm[TG_MAX_DIMS];
    int nl = 0, nn = 0;
    for (int d = 0; d < x->ndim; d++) {
        if (d < axis) lead[nl++] = d;
        else norm[nn++] = d;
    }
    if (tgi_grad_mode(n->ctx)) {
        mean = tg_mean_dim(x, norm, nn, true);
        tg_tensor *xc = tg_sub(x, mean);
        rstd = tg_rsqrt(tg_add_scalar(tg_mean_dim(tg_mul(xc, xc), norm, nn, true), n->args.s));
        if (!rstd) return n->ctx->err;
    }
    tg_tensor *xhat = tg_mul(tg_sub(x, mean), rstd);
    if (tgi_needs(n, 0)) {
        tg_tensor *gw = w ? tg_mul(g, w) : g;
        tg_tensor *a = tg_mean_dim(gw, norm, nn, true);
        tg_tensor *b = tg_mean_dim(tg_mul(gw, xhat), norm, nn, true);
        if (!(gi[0] = tg_mul(rstd, tg_sub(tg_sub(gw, a), tg_mul(xhat, b))))) return n->ctx->err;
    }
    if (tgi_needs(n, 1)) {
        tg_tensor *p = tg_mul(g, xhat);
        if (!(gi[1] = nl ? tg_sum_dim(p, lead, nl, false) : p)) return n->ctx->err;
    }
    if (tgi_needs(n, 2) && !(gi[2] = nl ? tg_sum_dim(g, lead, nl, false) : g)) return n->ctx->err;
    return TG_OK;
}

/* ================================================================ batch_norm */

static tg_status batch_norm_checks(tg_ctx *ctx, const char *fn, const tg_tensor *input,
                                   const tg_tensor *rm, const tg_tensor *rv, const tg_tensor *w,
                                   const tg_tensor *b, bool training) {
    if (training) {
        /* F.batch_norm's _verify_batch_size */
        if (input->ndim == 0)
            return tgi_error(ctx, TG_ERR_INDEX, "%s: tuple index out of range", fn);
        int64_t prod = input->shape[0];
        for (int d = 2; d < input->ndim; d++) prod *= input->shape[d];
        if (prod == 1) {
            char s[256];
            tgi_fmt_shape(s, sizeof s, input->shape, input->ndim);
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: Expected more than 1 value per channel when training, got "
                             "input size torch.Size(%s)",
                             fn, s);
        }
    }
    if (input->ndim < 2) {
        int64_t d;
        return tgi_wrap_dim(ctx, fn, 1, input->ndim, &d);
    }
    int64_t C = input->shape[1];
    const char *names[4] = {"running_mean", "running_var", "weight", "bias"};
    const tg_tensor *ts[4] = {rm, rv, w, b};
    for (int i = 0; i < 4; i++) {
        if (ts[i] && ts[i]->numel != C)
            return tgi_error(ctx, TG_ERR_SHAPE, "%s: %s should contain %lld elements not %lld", fn,
                             names[i], (long long)C, (long long)ts[i]->numel);
        if (!ts[i] && i < 2 && !training)
            return tgi_error(ctx, TG_ERR_INVALID_ARG,
                             "%s: %s must be defined in evaluation mode", fn, names[i]);
    }
    if (!tgi_is_floating(input->dtype))
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: \"batch_norm\" not implemented for '%s'", fn,
                         tgi_dtype_cname(input->dtype));
    const tg_tensor *params[4] = {w, b, rm, rv};
    return check_param_dtypes(ctx, fn, input, params, 4);
}

tg_tensor *tg_batch_norm(const tg_tensor *input, tg_tensor *running_mean, tg_tensor *running_var,
                         const tg_tensor *weight, const tg_tensor *bias, bool training,
                         double momentum, double eps) {
    static const char fn[] = "tg_batch_norm";
    if (!input) return tgi_null_arg(NULL, fn, "input"), NULL;
    tg_ctx *ctx = input->ctx;
    if (batch_norm_checks(ctx, fn, input, running_mean, running_var, weight, bias, training) !=
        TG_OK)
        return NULL;
    int64_t N = input->shape[0], C = input->shape[1], S = 1;
    for (int d = 2; d < input->ndim; d++) S *= input->shape[d];
    int64_t cnt = N * S;
    tg_tensor *x = tgi_cast(input, input->dtype, true);
    tg_tensor *out = tgi_empty(ctx, input->shape, input->ndim, input->dtype);
    tg_tensor *smean = tgi_empty(ctx, &C, 1, input->dtype);
    tg_tensor *sinv = tgi_empty(ctx, &C, 1, input->dtype);
    tg_tensor *w = weight ? tgi_cast(weight, weight->dtype, true) : NULL;
    tg_tensor *b = bias ? tgi_cast(bias, bias->dtype, true) : NULL;
    tg_tensor *rm = running_mean ? tgi_cast(running_mean, running_mean->dtype, true) : NULL;
    tg_tensor *rv = running_var ? tgi_cast(running_var, running_var->dtype, true) : NULL;
    tg_status st = x && out && smean && sinv && (!weight || w) && (!bias || b) &&
                           (!running_mean || rm) && (!running_var || rv)
                       ? TG_OK
                       : ctx->err;
    for (int64_t c = 0; st == TG_OK && c < C; c++) {
        double mu, inv;
        if (training) {
            double s = 0.0, q = 0.0;
            for (int64_t i = 0; i < N; i++)
                for (int64_t j = 0; j < S; j++) s += tgi_at(x, (i * C + c) * S + j);
            mu = s / (double)cnt;
            for (int64_t i = 0; i < N; i++)
                for (int64_t j = 0; j < S; j++) {
                    double dv = tgi_at(x, (i * C + c) * S + j) - mu;
                    q += dv * dv;
                }
            inv = 1.0 / sqrt(q / (double)cnt + eps);
            /* running statistics, written straight into their storage as PyTorch's CPU
             * kernel does (no version bump); the variance is the unbiased one */
            if (cnt > 0 && rm) tgi_put(rm, c, momentum * mu + (1.0 - momentum) * tgi_at(rm, c));
            if (cnt > 0 && rv)
                tgi_put(rv, c,
                        momentum * (q / (double)(cnt - 1)) + (1.0 - momentum) * tgi_at(rv, c));
        } else {
            mu = tgi_at(rm, c);
            inv = 1.0 / sqrt(tgi_at(rv, c) + eps);
        }
        tgi_put(smean, c, mu);
        tgi_put(sinv, c, inv);
        double wc = w ? tgi_at(w, c) : 1.0, bc = b ? tgi_at(b, c) : 0.0;
        for (int64_t i = 0; i < N; i++)
            for (int64_t j = 0; j < S; j++) {
                int64_t k = (i * C + c) * S + j;
                tgi_put(out, k, (tgi_at(x, k) - mu) * inv * wc + bc);
            }
    }
    /* the statistics were updated in contiguous copies when the buffers are strided */
    if (st == TG_OK && training && rm && rm != running_mean) tgi_copy_into(running_mean, rm);
    if (st == TG_OK && training && rv && rv != running_var) tgi_copy_into(running_var, rv);
    tgi_tensor_decref(x);
    tgi_tensor_decref(w);
    tgi_tensor_decref(b);
    tgi_tensor_decref(rm);
    tgi_tensor_decref(rv);
    const tg_tensor *in[3] = {input, weight, bias};
    if (st == TG_OK && tgi_should_record(ctx, in, 3)) {
        tg_node *n = tgi_record(out, TGI_OP_NATIVE_BATCH_NORM, in, 3);
        if (!n) st = ctx->err;
        /* saved: input, save_mean, save_invstd, then weight, running_mean, running_var when
         * given (PyTorch saves the running statistics too, so changing them in place before
         * backward is caught) */
        if (st == TG_OK) st = tgi_save(n, input, false);
        if (st == TG_OK) st = tgi_save(n, smean, false);
        if (st == TG_OK) st = tgi_save(n, sinv, false);
        if (st == TG_OK && weight) st = tgi_save(n, weight, false);
        if (st == TG_OK && running_mean) st = tgi_save(n, running_mean, false);
        if (st == TG_OK && running_var) st = tgi_save(n, running_var, false);
        if (n) {
            n->args.keepdim = training;
            n->args.d0 = weight != NULL;
            n->args.s = eps;
        }
    }
    tgi_tensor_decref(smean);
    tgi_tensor_decref(sinv);
    return tgi_finish(out, st);
}

/* native_batch_norm_backward, with per-channel mean m and invstd r (the batch's in training,
 * the running statistics' in evaluation), xhat = (x - m) r, sums and means over every dim but 1:
 *   input:  training  (g - mean(g) - xhat mean(g xhat)) r w;  evaluation  g r w
 *   weight: sum(g xhat);  bias: sum(g)
 * Under create_graph a training node recomputes m and r from x with differentiable ops (the
 * saved statistics are constants to autograd); the running statistics of evaluation are
 * constants indeed. */
tg_status tgi_bw_batch_norm(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    for (int i = 0; i < n->n_saved; i++) /* the version checks of everything saved */
        if (!tgi_unpack(n, i)) return n->ctx->err;
    tg_tensor *x = tgi_unpack(n, 0);
    int nd = x->ndim;
    tg_tensor *m = along_dim(tgi_unpack(n, 1), nd, 1), *r = along_dim(tgi_unpack(n, 2), nd, 1);
    tg_tensor *w = n->args.d0 ? along_dim(tgi_unpack(n, 3), nd, 1) : NULL;
    int64_t red[TG_MAX_DIMS];
    int nr = 0;
    for (int d = 0; d < nd; d++)
        if (d != 1) red[nr++] = d;
    if (n->args.keepdim && tgi_grad_mode(n->ctx)) {
        m = tg_mean_dim(x, red, nr, true);
        tg_tensor *xc = tg_sub(x, m);
        r = tg_rsqrt(tg_add_scalar(tg_mean_dim(tg_mul(xc, xc), red, nr, true), n->args.s));
        if (!r) return n->ctx->err;
    }
    tg_tensor *xhat = tg_mul(tg_sub(x, m), r);
    if (tgi_needs(n, 0)) {
        tg_tensor *t = g;
        if (n->args.keepdim) {
            tg_tensor *a = tg_mean_dim(g, red, nr, true);
            tg_tensor *b = tg_mean_dim(tg_mul(g, xhat), red, nr, true);
            t = tg_sub(tg_sub(g, a), tg_mul(xhat, b));
        }
        t = tg_mul(t, r);
        if (!(gi[0] = w ? tg_mul(t, w) : t)) return n->ctx->err;
    }
    if (tgi_needs(n, 1) && !(gi[1] = tg_sum_dim(tg_mul(g, xhat), red, nr, false)))
        return n->ctx->err;
    if (tgi_needs(n, 2) && !(gi[2] = tg_sum_dim(g, red, nr, false))) return n->ctx->err;
    return TG_OK;
}

/* ================================================================ embedding */

tg_tensor *tg_embedding(const tg_tensor *weight, const tg_tensor *indices, int64_t padding_idx) {
    static const char fn[] = "tg_embedding";
    if (!weight || !indices) {
        tgi_null_arg(weight ? weight->ctx : indices ? indices->ctx : NULL, fn,
                     !weight ? "weight" : "indices");
        return NULL;
    }
    tg_ctx *ctx = weight->ctx;
    int64_t pad = -1; /* PyTorch's internal "no padding" */
    if (padding_idx != TG_NO_PADDING_IDX && weight->ndim > 0) {
        int64_t num = weight->shape[0];
        if ((padding_idx > 0 && padding_idx >= num) || (padding_idx < 0 && padding_idx < -num)) {
            tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: Padding_idx must be within num_embeddings", fn);
            return NULL;
        }
        pad = padding_idx < 0 ? padding_idx + num : padding_idx;
    }
    if (weight->ndim != 2) {
        tgi_error(ctx, TG_ERR_SHAPE, "%s: 'weight' must be 2-D", fn);
        return NULL;
    }
    if (indices->dtype != TG_INT64) {
        tgi_error(ctx, TG_ERR_DTYPE,
                  "%s: Expected tensor for argument #1 'indices' to have one of the following "
                  "scalar types: Long, Int; but got CPU%sType instead (while checking arguments "
                  "for embedding)",
                  fn, tgi_dtype_cname(indices->dtype));
        return NULL;
    }
    if (indices->ndim + 1 > TG_MAX_DIMS) {
        tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: tensors have at most %d dimensions", fn,
                  TG_MAX_DIMS);
        return NULL;
    }
    int64_t num = weight->shape[0], D = weight->shape[1];
    tg_tensor *idx = tgi_cast(indices, TG_INT64, true);
    if (!idx) return NULL;
    const int64_t *ip = (const int64_t *)idx->storage->data + idx->offset;
    for (int64_t i = 0; i < idx->numel; i++)
        if (ip[i] < 0 || ip[i] >= num) {
            tgi_tensor_decref(idx);
            tgi_error(ctx, TG_ERR_INDEX, "%s: index out of range in self", fn);
            return NULL;
        }
    int64_t shape[TG_MAX_DIMS];
    memcpy(shape, indices->shape, sizeof(int64_t) * (size_t)indices->ndim);
    shape[indices->ndim] = D;
    tg_tensor *out = tgi_empty(ctx, shape, indices->ndim + 1, weight->dtype);
    tg_tensor *w = out ? tgi_cast(weight, weight->dtype, true) : NULL;
    if (!w) {
        tgi_tensor_decref(idx);
        tgi_tensor_decref(out);
        return NULL;
    }
    size_t es = tgi_dtype_size(weight->dtype);
    for (int64_t i = 0; i < idx->numel; i++)
        memcpy((char *)out->storage->data + (size_t)(i * D) * es,
               (const char *)w->storage->data + (size_t)(w->offset + ip[i] * D) * es,
               (size_t)D * es);
    tgi_tensor_decref(w);
    tgi_tensor_decref(idx);
    tg_status st = TG_OK;
    if (tgi_is_floating(weight->dtype) && tgi_should_record(ctx, &weight, 1)) {
        tg_node *n = tgi_record(out, TGI_OP_EMBEDDING, &weight, 1);
        st = n ? tgi_save(n, indices, false) : ctx->err;
        if (n) n->args.d0 = pad;
    }
    return tgi_finish(out, st);
}

/* embedding_dense_backward from differentiable ops, for create_graph: grad viewed as (n, D)
 * with the rows of padding_idx zeroed, index_add'ed into zeros (IndexAddBackward0, whose
 * backward for grad is index_select: embedding_dense_double_backward). */
static tg_tensor *embedding_backward_graph(tg_node *n, tg_tensor *g, tg_tensor *indices) {
    const tgi_meta *m = &n->in_meta[0];
    int64_t flat = -1, pad = n->args.d0;
    tg_tensor *idx = tg_reshape(indices, &flat, 1);
    if (!idx) return NULL;
    int64_t rows[2] = {idx->numel, m->shape[1]};
    tg_tensor *g2 = tg_reshape(g, rows, 2);
    if (g2 && pad >= 0)
        g2 = tg_masked_fill(g2, tg_unsqueeze(tg_eq_scalar(idx, (double)pad), 1), 0.0);
    return tg_index_add(tg_zeros(n->ctx, m->shape, 2, g->dtype), 0, idx, g2);
}

/* embedding_dense_backward: grad_weight[indices[i]] += grad[i] for every i whose index is not
 * padding_idx (a scatter-add kernel; accumulated in double). Under create_graph the same sum
 * from differentiable ops. */
tg_status tgi_bw_embedding(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *indices = tgi_unpack(n, 0);
    if (!indices) return n->ctx->err;
    if (tgi_grad_mode(n->ctx)) {
        gi[0] = embedding_backward_graph(n, g, indices);
        return gi[0] ? TG_OK : n->ctx->err;
    }
    const tgi_meta *m = &n->in_meta[0];
    int64_t num = m->shape[0], D = m->shape[1], pad = n->args.d0;
    tg_ctx *ctx = n->ctx;
    tg_tensor *idx = tgi_cast(indices, TG_INT64, true);
    tg_tensor *gc = idx ? tgi_cast(g, g->dtype, true) : NULL;
    tg_tensor *out = gc ? tgi_empty(ctx, m->shape, 2, g->dtype) : NULL;
    double *acc = out ? calloc((size_t)(num * D + 1), sizeof(double)) : NULL;
    if (!acc) {
        tgi_tensor_decref(idx);
        tgi_tensor_decref(gc);
        tgi_tensor_decref(out);
        return out ? tgi_error(ctx, TG_ERR_OOM, "tg_backward: out of memory") : ctx->err;
    }
    const int64_t *ip = (const int64_t *)idx->storage->data + idx->offset;
    for (int64_t i = 0; i < idx->numel; i++) {
        if (ip[i] == pad) continue;
        for (int64_t j = 0; j < D; j++) acc[ip[i] * D + j] += tgi_at(gc, i * D + j);
    }
    for (int64_t k = 0; k < num * D; k++) tgi_put(out, k, acc[k]);
    free(acc);
    tgi_tensor_decref(idx);
    tgi_tensor_decref(gc);
    gi[0] = tgi_own(out);
    return TG_OK;
}
