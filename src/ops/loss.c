/*
 * loss.c — the losses of torch.nn.functional: nll_loss (1-D, 2-D and spatial inputs),
 * cross_entropy (class indices and class probabilities, weight, ignore_index, label smoothing,
 * composed of log_softmax and nll_loss as PyTorch composes it), mse_loss, l1_loss,
 * smooth_l1_loss, binary_cross_entropy and binary_cross_entropy_with_logits. Reference kernels
 * on contiguous copies, sums in double; each backward is grad times a factor tensor.
 */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static tg_status check_reduction(tg_ctx *ctx, const char *fn, tg_reduction r) {
    if (r == TG_REDUCTION_NONE || r == TG_REDUCTION_MEAN || r == TG_REDUCTION_SUM) return TG_OK;
    return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: %d is not a valid value for reduction", fn,
                     (int)r);
}

/* A new contiguous tensor of `shape` and dtype dt holding t broadcast and converted (refcount
 * 1, not in a scope, never recorded). */
static tg_tensor *materialize(const tg_tensor *t, const int64_t *shape, int nd, tg_dtype dt) {
    tg_tensor *r = tgi_empty(t->ctx, shape, nd, dt);
    if (r) tgi_copy_into(r, t);
    return r;
}

/* "torch.Size([3, 4])" */
static void fmt_size(char *buf, size_t cap, const tg_tensor *t) {
    char s[256];
    tgi_fmt_shape(s, sizeof s, t->shape, t->ndim);
    snprintf(buf, cap, "torch.Size(%s)", s);
}

/* PyTorch's check_no_requires_grad for an argument that has no derivative formula. */
static tg_status no_grad_arg(tg_ctx *ctx, const char *fn, const tg_tensor *t, const char *arg,
                             const char *torch_fn) {
    if (t && tgi_requires_grad(t) && ctx->grad_enabled)
        return tgi_error(ctx, TG_ERR_AUTOGRAD,
                         "%s: The function '%s' is not differentiable with respect to argument "
                         "'%s'. This input cannot have requires_grad True.",
                         fn, torch_fn, arg);
    return TG_OK;
}

/* Reduces the per-element losses l (contiguous) into a new tensor: l itself for none, else a
 * 0-d sum or mean (NaN for the mean of nothing). Consumes l's reference. */
static tg_tensor *reduce_loss(tg_tensor *l, tg_reduction r) {
    if (!l || r == TG_REDUCTION_NONE) return l;
    double s = 0.0;
    for (int64_t i = 0; i < l->numel; i++) s += tgi_at(l, i);
    if (r == TG_REDUCTION_MEAN) s /= (double)l->numel;
    tg_tensor *out = tgi_empty(l->ctx, NULL, 0, l->dtype);
    if (out) tgi_put(out, 0, s);
    tgi_tensor_decref(l);
    return out;
}

/* The 1/N factor of a mean reduction over n elements (1 otherwise). */
static double mean_norm(tg_reduction r, int64_t n) {
    return r == TG_REDUCTION_MEAN ? 1.0 / (double)n : 1.0;
}

/* ================================================================ nll_loss */

/* Validates (nll_loss_nd, then nll_loss / nll_loss2d's checks, in PyTorch's order) and fills
 * the layout: N batches, C classes, S spatial positions per batch. */
typedef struct nll_layout {
    int64_t N, C, S;
    bool spatial; /* more than 2 input dims: nll_loss2d */
} nll_layout;

static tg_status nll_checks(tg_ctx *ctx, const char *fn, const tg_tensor *input,
                            const tg_tensor *target, const tg_tensor *weight, nll_layout *L) {
    char a[256], b[256];
    if (input->ndim < 1)
        return tgi_error(ctx, TG_ERR_SHAPE, "%s: Expected 1 or more dimensions (got %d)", fn,
                         input->ndim);
    int64_t tb = target->ndim > 0 ? target->shape[0] : 0;
    if (input->ndim != 1 && input->shape[0] != tb)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Expected input batch_size (%lld) to match target batch_size (%lld).",
                         fn, (long long)input->shape[0], (long long)tb);
    L->spatial = input->ndim > 2;
    if (input->ndim > 2 && input->ndim != 4) {
        bool ok = target->ndim == input->ndim - 1;
        for (int d = 2; ok && d < input->ndim; d++) ok = target->shape[d - 1] == input->shape[d];
        if (!ok) {
            int64_t want[TG_MAX_DIMS];
            want[0] = input->shape[0];
            for (int d = 2; d < input->ndim; d++) want[d - 1] = input->shape[d];
            tgi_fmt_shape(a, sizeof a, want, input->ndim - 1);
            tgi_fmt_shape(b, sizeof b, target->shape, target->ndim);
            return tgi_error(ctx, TG_ERR_SHAPE, "%s: Expected target size %s, got %s", fn, a, b);
        }
    }
    const char *tfn = L->spatial ? "nll_loss2d_forward" : "nll_loss_forward";
    if (no_grad_arg(ctx, fn, weight, "weight", tfn) != TG_OK) return ctx->err;
    if (!L->spatial) {
        if (target->ndim > 1)
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: 0D or 1D target tensor expected, multi-target not supported",
                             fn);
        bool no_batch = input->ndim == 1 && target->ndim == 0;
        if (!no_batch && input->shape[0] != tb) {
            tgi_fmt_shape(a, sizeof a, input->shape, input->ndim);
            tgi_fmt_shape(b, sizeof b, target->shape, target->ndim);
            return tgi_error(ctx, TG_ERR_SHAPE, "%s: size mismatch (got input: %s, target: %s)",
                             fn, a, b);
        }
        if (input->ndim == 1 && target->ndim == 1)
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: Expected target to be 0D when input is 1D, but got "
                             "target.dim =%d",
                             fn, target->ndim);
        int64_t C = input->shape[input->ndim - 1];
        if (weight && (weight->ndim != 1 || weight->numel != C)) {
            tgi_fmt_shape(a, sizeof a, weight->shape, weight->ndim);
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: weight tensor should be defined either for all %lld classes or "
                             "no classes but got weight tensor of shape: %s",
                             fn, (long long)C, a);
        }
        L->N = input->ndim == 1 ? 1 : input->shape[0];
        L->C = C;
        L->S = 1;
    } else {
        if (input->ndim == 4) { /* nll_loss2d's own checks; other ranks were reshaped to 4-D */
            if (target->ndim != 3)
                return tgi_error(ctx, TG_ERR_SHAPE,
                                 "%s: only batches of spatial targets supported (3D tensors) but "
                                 "got targets of dimension: %d",
                                 fn, target->ndim);
        }
        if (weight && weight->numel != input->shape[1])
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: weight tensor should be defined either for all or no classes",
                             fn);
        if (input->ndim == 4 &&
            (target->shape[1] != input->shape[2] || target->shape[2] != input->shape[3])) {
            tgi_fmt_shape(a, sizeof a, input->shape, input->ndim);
            tgi_fmt_shape(b, sizeof b, target->shape, target->ndim);
            return tgi_error(ctx, TG_ERR_SHAPE, "%s: size mismatch (got input: %s , target: %s",
                             fn, a, b);
        }
        L->N = input->shape[0];
        L->C = input->shape[1];
        L->S = 1;
        for (int d = 2; d < input->ndim; d++) L->S *= input->shape[d];
    }
    if (!tgi_is_floating(input->dtype))
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: \"%s\" not implemented for '%s'", fn,
                         L->spatial ? "nll_loss2d_forward_out_frame" : "nll_loss_out_frame",
                         tgi_dtype_cname(input->dtype));
    if (weight && weight->dtype != input->dtype)
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: expected scalar type %s but found %s", fn,
                         tgi_dtype_cname(input->dtype), tgi_dtype_cname(weight->dtype));
    if (target->dtype != TG_INT64)
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: expected scalar type Long but found %s", fn,
                         tgi_dtype_cname(target->dtype));
    return TG_OK;
}

/* Checks every target against [0, C) (ignore_index aside), PyTorch's IndexError. */
static tg_status nll_check_targets(tg_ctx *ctx, const char *fn, const int64_t *tp, int64_t n,
                                   int64_t C, int64_t ignore_index) {
    for (int64_t i = 0; i < n; i++)
        if (tp[i] != ignore_index && (tp[i] < 0 || tp[i] >= C))
            return tgi_error(ctx, TG_ERR_INDEX, "%s: Target %lld is out of bounds.", fn,
                             (long long)tp[i]);
    return TG_OK;
}

static tg_tensor *nll_impl(const char *fn, const tg_tensor *input, const tg_tensor *target,
                           const tg_tensor *weight, tg_reduction reduction, int64_t ignore_index) {
    if (!input || !target) {
        tgi_null_arg(input ? input->ctx : target ? target->ctx : NULL, fn,
                     !input ? "input" : "target");
        return NULL;
    }
    tg_ctx *ctx = input->ctx;
    nll_layout L = {0, 0, 0, false};
    if (check_reduction(ctx, fn, reduction) != TG_OK ||
        nll_checks(ctx, fn, input, target, weight, &L) != TG_OK)
        return NULL;
    tg_tensor *x = tgi_cast(input, input->dtype, true);
    tg_tensor *t = x ? tgi_cast(target, TG_INT64, true) : NULL;
    tg_tensor *w = t && weight ? tgi_cast(weight, weight->dtype, true) : NULL;
    if (!t || (weight && !w)) {
        tgi_tensor_decref(x);
        tgi_tensor_decref(t);
        return NULL;
    }
    const int64_t *tp = (const int64_t *)t->storage->data + t->offset;
    int64_t N = L.N, C = L.C, S = L.S;
    /* output: per element for none (input 1-D: 0-d; 2-D: (N); 4-D: (N, H, W); 3-D and 5-D+:
     * (N, 1, S), viewed as (N, d1, ...) below); a 0-d tensor when reducing */
    int64_t oshape[TG_MAX_DIMS];
    int ond = 0;
    if (reduction == TG_REDUCTION_NONE) {
        if (input->ndim == 2) oshape[ond++] = N;
        else if (input->ndim == 4) {
            oshape[0] = N;
            oshape[1] = input->shape[2];
            oshape[2] = input->shape[3];
            ond = 3;
        } else if (input->ndim > 2) {
            oshape[0] = N;
            oshape[1] = 1;
            oshape[2] = S;
            ond = 3;
        }
    }
    tg_tensor *out = tgi_empty(ctx, oshape, ond, input->dtype);
    tg_status st = out ? TG_OK : ctx->err;
    double total = 0.0, sum = 0.0;
    if (st == TG_OK && (reduction == TG_REDUCTION_NONE || N * S > 0))
        st = nll_check_targets(ctx, fn, tp, N * S, C, ignore_index);
    for (int64_t i = 0; st == TG_OK && i < N; i++)
        for (int64_t s = 0; s < S; s++) {
            int64_t k = tp[i * S + s];
            double v = 0.0;
            if (k != ignore_index) {
                double wk = w ? tgi_at(w, k) : 1.0;
                v = -tgi_at(x, (i * C + k) * S + s) * wk;
                total += wk;
                sum += v;
            }
            if (reduction == TG_REDUCTION_NONE) tgi_put(out, i * S + s, v);
        }
    if (st == TG_OK && reduction != TG_REDUCTION_NONE) {
        if (N * S == 0) tgi_put(out, 0, reduction == TG_REDUCTION_MEAN ? NAN : 0.0);
        else tgi_put(out, 0, reduction == TG_REDUCTION_MEAN ? sum / total : sum);
    }
    tgi_tensor_decref(x);
    tgi_tensor_decref(t);
    tgi_tensor_decref(w);
    const tg_tensor *in[1] = {input};
    if (st == TG_OK && tgi_should_record(ctx, in, 1)) {
        tg_node *n = tgi_record(out, L.spatial ? TGI_OP_NLL_LOSS2D : TGI_OP_NLL_LOSS, in, 1);
        if (!n) st = ctx->err;
        if (st == TG_OK) st = tgi_save(n, input, false);
        if (st == TG_OK) st = tgi_save(n, target, false);
        if (st == TG_OK && weight) st = tgi_save(n, weight, false);
        if (n) {
            n->args.s = total;
            n->args.d0 = reduction;
            n->args.d1 = ignore_index;
        }
    }
    out = tgi_finish(out, st);
    if (out && reduction == TG_REDUCTION_NONE && input->ndim > 2 && input->ndim != 4) {
        /* PyTorch runs 3-D and 5-D+ inputs through nll_loss2d and views the result back */
        int64_t vs[TG_MAX_DIMS];
        vs[0] = N;
        for (int d = 2; d < input->ndim; d++) vs[d - 1] = input->shape[d];
        out = tg_view(out, vs, input->ndim - 1);
    }
    return out;
}

tg_tensor *tg_nll_loss(const tg_tensor *input, const tg_tensor *target, const tg_tensor *weight,
                       tg_reduction reduction, int64_t ignore_index) {
    return nll_impl("tg_nll_loss", input, target, weight, reduction, ignore_index);
}

/* nll_loss_backward: grad_input[n, t, s] = -weight[t] * grad (divided by the total weight for
 * mean), zero elsewhere and at ignored targets. Written as grad times that constant pattern, so
 * it is linear in grad as PyTorch's formula is. */
tg_status tgi_bw_nll_loss(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *input = tgi_unpack(n, 0), *target = tgi_unpack(n, 1);
    tg_tensor *weight = n->n_saved > 2 ? tgi_unpack(n, 2) : NULL;
    if (!input || !target || (n->n_saved > 2 && !weight)) return n->ctx->err;
    tg_ctx *ctx = n->ctx;
    const tgi_meta *m = &n->in_meta[0];
    tg_reduction red = (tg_reduction)n->args.d0;
    int64_t ignore = n->args.d1;
    int64_t N = m->ndim == 1 ? 1 : m->shape[0], C = m->ndim == 1 ? m->shape[0] : m->shape[1];
    int64_t S = 1;
    for (int d = 2; d < m->ndim; d++) S *= m->shape[d];
    tg_tensor *t = tgi_cast(target, TG_INT64, true);
    tg_tensor *w = t && weight ? tgi_cast(weight, weight->dtype, true) : NULL;
    tg_tensor *pat = t && (!weight || w) ? tgi_empty(ctx, m->shape, m->ndim, m->dtype) : NULL;
    if (!pat) {
        tgi_tensor_decref(t);
        tgi_tensor_decref(w);
        return ctx->err;
    }
    memset(pat->storage->data, 0, (size_t)pat->numel * tgi_dtype_size(pat->dtype));
    const int64_t *tp = (const int64_t *)t->storage->data + t->offset;
    double scale = red == TG_REDUCTION_MEAN ? 1.0 / n->args.s : 1.0;
    for (int64_t i = 0; i < N; i++)
        for (int64_t s = 0; s < S; s++) {
            int64_t k = tp[i * S + s];
            if (k == ignore) continue;
            tgi_put(pat, (i * C + k) * S + s, -(w ? tgi_at(w, k) : 1.0) * scale);
        }
    tgi_tensor_decref(t);
    tgi_tensor_decref(w);
    tgi_own(pat);
    /* grad broadcast over the class dim: per-element grads get a size-1 class dim */
    tg_tensor *gb = g;
    if (red == TG_REDUCTION_NONE && m->ndim >= 2) {
        int64_t gs[TG_MAX_DIMS];
        for (int d = 0; d < m->ndim; d++) gs[d] = d == 1 ? 1 : m->shape[d];
        gb = tg_reshape(g, gs, m->ndim);
    }
    return (gi[0] = tg_mul(gb, pat)) ? TG_OK : ctx->err;
}

/* ================================================================ cross_entropy */

/* weight viewed to broadcast along the class dim of an ndim-d input */
static tg_tensor *class_weight(const tg_tensor *weight, int ndim, int class_dim) {
    if (ndim <= 1) return (tg_tensor *)(uintptr_t)weight;
    int64_t shape[TG_MAX_DIMS];
    for (int d = 0; d < ndim; d++) shape[d] = d == class_dim ? weight->numel : 1;
    return tg_reshape(weight, shape, ndim);
}

/* Re-labels an error of a helper op as the caller's: "tg_mean: x" becomes "tg_l1_loss: x". */
static void rename_error(tg_ctx *ctx, const char *helper, const char *fn) {
    size_t n = strlen(helper);
    const char *m = tg_errmsg(ctx);
    if (tg_errcode(ctx) == TG_OK || strncmp(m, helper, n) != 0 || strncmp(m + n, ": ", 2) != 0)
        return;
    char msg[TGI_ERRMSG_CAP];
    snprintf(msg, sizeof msg, "%s", m + n + 2);
    tgi_error(ctx, tg_errcode(ctx), "%s: %s", fn, msg);
}

static tg_tensor *log_softmax_as(const char *fn, const tg_tensor *input, int dim) {
    tg_tensor *r = tg_log_softmax(input, dim);
    if (!r) rename_error(input->ctx, "tg_log_softmax", fn);
    return r;
}

static tg_status label_smoothing_check(tg_ctx *ctx, const char *fn, double ls) {
    if (ls > 0.0 && ls > 1.0)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: label_smoothing must be between 0.0 and 1.0. Got: %g", fn, ls);
    return TG_OK;
}

/* class probabilities: -sum(log_softmax(input) * target' [* weight]) reduced */
static tg_tensor *ce_prob(const char *fn, const tg_tensor *input, const tg_tensor *target,
                          const tg_tensor *weight, tg_reduction reduction, double ls) {
    tg_ctx *ctx = input->ctx;
    int class_dim = input->ndim == 1 ? 0 : 1;
    if (input->ndim == 0) { /* self.size(1) */
        tgi_error(ctx, TG_ERR_INDEX, "%s: Dimension specified as %d but tensor has no dimensions",
                  fn, class_dim);
        return NULL;
    }
    int64_t C = input->shape[class_dim];
    if (weight && (weight->ndim != 1 || weight->numel != C)) {
        char a[256];
        tgi_fmt_shape(a, sizeof a, weight->shape, weight->ndim);
        tgi_error(ctx, TG_ERR_SHAPE,
                  "%s: cross_entropy: weight tensor should be defined either for all %lld "
                  "classes or no classes but got weight tensor of shape: %s",
                  fn, (long long)C, a);
        return NULL;
    }
    tg_tensor *lsm = log_softmax_as(fn, input, class_dim);
    if (!lsm) return NULL;
    if (label_smoothing_check(ctx, fn, ls) != TG_OK) return NULL;
    const tg_tensor *tgt = target;
    if (ls > 0.0) tgt = tg_add_scalar(tg_mul_scalar(target, 1.0 - ls), ls / (double)C);
    tg_tensor *p = tg_mul(lsm, tgt);
    if (weight) p = tg_mul(p, class_weight(weight, input->ndim, class_dim));
    if (!p) return NULL;
    if (reduction == TG_REDUCTION_NONE) {
        int64_t d = class_dim;
        return tg_neg(tg_sum_dim(p, &d, 1, false));
    }
    if (reduction == TG_REDUCTION_MEAN && input->numel == 0) {
        /* C++'s -(x).sum().fill_(nan) negates the filled sum */
        tg_tensor *s = tg_sum(p);
        return s && tg_fill_(s, NAN) == TG_OK ? tg_neg(s) : NULL;
    }
    tg_tensor *r = tg_neg(tg_sum(p));
    if (!r || reduction == TG_REDUCTION_SUM) return r;
    r = tg_div_scalar(r, (double)(input->numel / C));
    /* C++'s tensor / integer is div.Scalar: DivBackward1, unlike Python's x / n */
    if (r && r->grad_fn && r->grad_fn->op == TGI_OP_DIV_SCALAR) r->grad_fn->op = TGI_OP_CE_DIV_NUMEL;
    return r;
}

/* class indices with label smoothing: (1 - ls) nll + ls / C * smooth */
static tg_tensor *ce_smooth(const char *fn, const tg_tensor *lsm, const tg_tensor *target,
                            const tg_tensor *weight, tg_reduction reduction,
                            int64_t ignore_index, double ls) {
    tg_tensor *nll = nll_impl(fn, lsm, target, weight, reduction, ignore_index);
    if (!nll) return NULL;
    int class_dim = lsm->ndim == 1 ? 0 : 1;
    int64_t C = lsm->shape[class_dim], cd = class_dim;
    tg_tensor *p = weight ? tg_mul(lsm, class_weight(weight, lsm->ndim, class_dim))
                          : (tg_tensor *)(uintptr_t)lsm;
    tg_tensor *smooth = tg_neg(tg_sum_dim(p, &cd, 1, false));
    tg_tensor *mask = tg_eq_scalar(target, (double)ignore_index);
    smooth = tgi_masked_zero(smooth, mask);
    if (!smooth) return NULL;
    tg_tensor *ret = smooth;
    if (reduction != TG_REDUCTION_NONE) ret = tg_sum(smooth);
    if (ret && reduction == TG_REDUCTION_MEAN) {
        /* divided by the weights (or the count) of the targets that are not ignored */
        tg_tensor *t = tgi_cast(target, TG_INT64, true);
        tg_tensor *w = t && weight ? tgi_cast(weight, weight->dtype, true) : NULL;
        if (!t || (weight && !w)) {
            tgi_tensor_decref(t);
            return NULL;
        }
        const int64_t *tp = (const int64_t *)t->storage->data + t->offset;
        double denom = 0.0;
        for (int64_t i = 0; i < t->numel; i++)
            if (tp[i] != ignore_index) denom += w ? tgi_at(w, tp[i]) : 1.0;
        tgi_tensor_decref(t);
        tgi_tensor_decref(w);
        ret = tg_div_scalar(ret, denom);
    }
    return tg_add(tg_mul_scalar(nll, 1.0 - ls), tg_mul_scalar(ret, ls / (double)C));
}

tg_tensor *tg_cross_entropy(const tg_tensor *input, const tg_tensor *target,
                            const tg_tensor *weight, tg_reduction reduction, int64_t ignore_index,
                            double label_smoothing) {
    static const char fn[] = "tg_cross_entropy";
    if (!input || !target) {
        tgi_null_arg(input ? input->ctx : target ? target->ctx : NULL, fn,
                     !input ? "input" : "target");
        return NULL;
    }
    tg_ctx *ctx = input->ctx;
    if (check_reduction(ctx, fn, reduction) != TG_OK) return NULL;
    if (tgi_same_shape(input->shape, input->ndim, target->shape, target->ndim)) {
        if (!tgi_is_floating(target->dtype)) {
            tgi_error(ctx, TG_ERR_DTYPE,
                      "%s: Expected floating point type for target with class probabilities, "
                      "got %s",
                      fn, tgi_dtype_cname(target->dtype));
            return NULL;
        }
        if (ignore_index >= 0) {
            tgi_error(ctx, TG_ERR_INVALID_ARG,
                      "%s: ignore_index is not supported for floating point target", fn);
            return NULL;
        }
        return ce_prob(fn, input, target, weight, reduction, label_smoothing);
    }
    if (label_smoothing_check(ctx, fn, label_smoothing) != TG_OK) return NULL;
    tg_tensor *lsm = log_softmax_as(fn, input, input->ndim == 1 ? 0 : 1);
    if (!lsm) return NULL;
    if (label_smoothing > 0.0)
        return ce_smooth(fn, lsm, target, weight, reduction, ignore_index, label_smoothing);
    return nll_impl(fn, lsm, target, weight, reduction, ignore_index);
}

/* ================================================================ pointwise losses */

/* Shared front end of mse / smooth_l1: broadcast shape and promoted dtype. */
static tg_status pair_setup(const char *fn, const tg_tensor *a, const tg_tensor *b,
                            tg_reduction red, const char *kname, int64_t *shape, int *nd,
                            tg_dtype *dt) {
    if (!a || !b)
        return tgi_null_arg(a ? a->ctx : b ? b->ctx : NULL, fn, !a ? "input" : "target");
    tg_ctx *ctx = a->ctx;
    if (tgi_broadcast_shapes(ctx, fn, a->shape, a->ndim, b->shape, b->ndim, shape, nd) != TG_OK ||
        check_reduction(ctx, fn, red) != TG_OK)
        return ctx->err;
    *dt = tgi_result_type(a, b);
    if (!tgi_is_floating(*dt))
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: \"%s\" not implemented for '%s'", fn, kname,
                         tgi_dtype_cname(*dt));
    return TG_OK;
}

typedef enum { PL_MSE, PL_SMOOTH_L1 } pair_loss;

static double pair_value(pair_loss k, double x, double t, double beta) {
    double d = x - t;
    if (k == PL_MSE) return d * d;
    double z = fabs(d);
    return z < beta ? 0.5 * z * z / beta : z - 0.5 * beta;
}

static tg_tensor *pair_loss_impl(const char *fn, pair_loss kind, int op, const tg_tensor *input,
                                 const tg_tensor *target, tg_reduction red, double beta) {
    int64_t shape[TG_MAX_DIMS];
    int nd;
    tg_dtype dt = TG_FLOAT32;
    if (pair_setup(fn, input, target, red, kind == PL_MSE ? "mse_cpu" : "smooth_l1_cpu", shape,
                   &nd, &dt) != TG_OK)
        return NULL;
    tg_ctx *ctx = input->ctx;
    if (kind == PL_SMOOTH_L1 && !(beta >= 0)) {
        tgi_error(ctx, TG_ERR_INVALID_ARG,
                  "%s: smooth_l1_loss does not support negative values for beta.", fn);
        return NULL;
    }
    tg_tensor *x = materialize(input, shape, nd, dt);
    tg_tensor *t = x ? materialize(target, shape, nd, dt) : NULL;
    tg_tensor *l = t ? tgi_empty(ctx, shape, nd, dt) : NULL;
    if (l)
        for (int64_t i = 0; i < l->numel; i++)
            tgi_put(l, i, pair_value(kind, tgi_at(x, i), tgi_at(t, i), beta));
    tgi_tensor_decref(x);
    tgi_tensor_decref(t);
    tg_tensor *out = reduce_loss(l, red);
    if (!out) return NULL;
    tg_status st = TG_OK;
    const tg_tensor *in[2] = {input, target};
    if (tgi_should_record(ctx, in, 2)) {
        tg_node *n = tgi_record(out, op, in, 2);
        if (!n) st = ctx->err;
        if (st == TG_OK) st = tgi_save(n, input, false);
        if (st == TG_OK) st = tgi_save(n, target, false);
        if (n) {
            n->args.d0 = red;
            n->args.s = beta;
        }
    }
    return tgi_finish(out, st);
}

tg_tensor *tg_mse_loss(const tg_tensor *input, const tg_tensor *target, tg_reduction reduction) {
    return pair_loss_impl("tg_mse_loss", PL_MSE, TGI_OP_MSE_LOSS, input, target, reduction, 0.0);
}

tg_tensor *tg_l1_loss(const tg_tensor *input, const tg_tensor *target, tg_reduction reduction) {
    static const char fn[] = "tg_l1_loss";
    if (!input || !target) {
        tgi_null_arg(input ? input->ctx : target ? target->ctx : NULL, fn,
                     !input ? "input" : "target");
        return NULL;
    }
    tg_ctx *ctx = input->ctx;
    int64_t shape[TG_MAX_DIMS];
    int nd;
    if (tgi_broadcast_shapes(ctx, fn, input->shape, input->ndim, target->shape, target->ndim,
                             shape, &nd) != TG_OK ||
        check_reduction(ctx, fn, reduction) != TG_OK)
        return NULL;
    /* PyTorch 2.x: apply_loss_reduction((input - target).abs(), reduction) */
    tg_tensor *d = tg_abs(tg_sub(input, target));
    if (!d || reduction == TG_REDUCTION_NONE) return d;
    if (reduction == TG_REDUCTION_SUM) return tg_sum(d);
    tg_tensor *r = tg_mean(d);
    if (!r) rename_error(ctx, "tg_mean", fn);
    return r;
}

tg_tensor *tg_smooth_l1_loss(const tg_tensor *input, const tg_tensor *target,
                             tg_reduction reduction, double beta) {
    static const char fn[] = "tg_smooth_l1_loss";
    if (beta == 0.0 && input && target) { /* F.smooth_l1_loss hands beta 0 to l1_loss (2.x) */
        int64_t shape[TG_MAX_DIMS];
        int nd;
        if (tgi_broadcast_shapes(input->ctx, fn, input->shape, input->ndim, target->shape,
                                 target->ndim, shape, &nd) != TG_OK)
            return NULL;
        tg_tensor *r = tg_l1_loss(input, target, reduction);
        if (!r) rename_error(input->ctx, "tg_l1_loss", fn);
        return r;
    }
    return pair_loss_impl(fn, PL_SMOOTH_L1, TGI_OP_SMOOTH_L1_LOSS, input, target, reduction,
                          beta);
}

/* The pair losses' factor f(x - t) * norm from differentiable ops, for create_graph (the
 * raw kernel below is constant to autograd): 2 d for mse (mse_loss_double_backward's 2 / N),
 * where(|d| < beta, d / beta, sign(d)) for smooth_l1 (1 / beta inside, 0 outside). */
static tg_tensor *pair_factor_graph(tg_tensor *input, tg_tensor *target, pair_loss kind,
                                    double beta, double norm) {
    tg_tensor *d = tg_sub(input, target);
    if (!d) return NULL;
    if (kind == PL_MSE) return tg_mul_scalar(d, 2.0 * norm);
    tg_tensor *f = tgi_where(tg_lt_scalar(tg_abs(d), beta), tg_div_scalar(d, beta), tgi_sign(d));
    return f && norm != 1.0 ? tg_mul_scalar(f, norm) : f;
}

/* Backward of the pair losses: input gets grad * f(x - t) * norm, target its negation, where f
 * is 2 d (mse) or d <= -beta ? -1 : d >= beta ? 1 : d / beta (smooth_l1). The factor is a
 * kernel over the broadcast shape (differentiable ops under create_graph); the engine sums it
 * back to each input's shape. */
static tg_status pair_backward(tg_node *n, tg_tensor *g, tg_tensor **gi, pair_loss kind) {
    tg_tensor *input = tgi_unpack(n, 0), *target = tgi_unpack(n, 1);
    if (!input || !target) return n->ctx->err;
    tg_ctx *ctx = n->ctx;
    int64_t shape[TG_MAX_DIMS];
    int nd;
    if (tgi_broadcast_shapes(ctx, "tg_backward", input->shape, input->ndim, target->shape,
                             target->ndim, shape, &nd) != TG_OK)
        return ctx->err;
    tg_dtype dt = tgi_result_type(input, target);
    tg_reduction red = (tg_reduction)n->args.d0;
    if (tgi_grad_mode(ctx)) {
        int64_t numel = 1;
        for (int i = 0; i < nd; i++) numel *= shape[i];
        tg_tensor *f = pair_factor_graph(input, target, kind, n->args.s, mean_norm(red, numel));
        tg_tensor *gx = f ? tg_mul(f, g) : NULL;
        if (!gx) return ctx->err;
        if (tgi_needs(n, 0)) gi[0] = gx;
        if (tgi_needs(n, 1) && !(gi[1] = tg_neg(gx))) return ctx->err;
        return TG_OK;
    }
    tg_tensor *x = materialize(input, shape, nd, dt);
    tg_tensor *t = x ? materialize(target, shape, nd, dt) : NULL;
    tg_tensor *f = t ? tgi_empty(ctx, shape, nd, dt) : NULL;
    if (f) {
        double beta = n->args.s;
        double norm = mean_norm(red, f->numel) * (kind == PL_MSE ? 2.0 : 1.0);
        for (int64_t i = 0; i < f->numel; i++) {
            double d = tgi_at(x, i) - tgi_at(t, i), v;
            if (kind == PL_MSE) v = d;
            else v = d <= -beta ? -1.0 : d >= beta ? 1.0 : d / beta;
            tgi_put(f, i, v * norm);
        }
    }
    tgi_tensor_decref(x);
    tgi_tensor_decref(t);
    if (!f) return ctx->err;
    tgi_own(f);
    tg_tensor *gx = tg_mul(f, g);
    if (!gx) return ctx->err;
    if (tgi_needs(n, 0)) gi[0] = gx;
    if (tgi_needs(n, 1) && !(gi[1] = tg_neg(gx))) return ctx->err;
    return TG_OK;
}

tg_status tgi_bw_mse_loss(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    return pair_backward(n, g, gi, PL_MSE);
}

tg_status tgi_bw_smooth_l1_loss(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    return pair_backward(n, g, gi, PL_SMOOTH_L1);
}

/* ================================================================ binary cross entropy */

/* A weight-like operand broadcast into out's shape: PyTorch multiplies in place, so it may not
 * grow the shape ("output with shape [3] doesn't match the broadcast shape [2, 3]"). a_first:
 * the in-place tensor is "tensor a" in the broadcast message. */
static tg_status inplace_bcast(tg_ctx *ctx, const char *fn, const int64_t *shape, int nd,
                               const tg_tensor *w) {
    int64_t bs[TG_MAX_DIMS];
    int bn;
    if (tgi_broadcast_shapes(ctx, fn, shape, nd, w->shape, w->ndim, bs, &bn) != TG_OK)
        return ctx->err;
    if (!tgi_same_shape(bs, bn, shape, nd)) {
        char a[256], b[256];
        tgi_fmt_shape(a, sizeof a, shape, nd);
        tgi_fmt_shape(b, sizeof b, bs, bn);
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: output with shape %s doesn't match the broadcast shape %s", fn, a, b);
    }
    return TG_OK;
}

static inline double log_sigmoid(double x) { return x < 0 ? x - log1p(exp(x)) : -log1p(exp(-x)); }
static inline double sigmoid(double x) {
    return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}
/* v rounded to dtype d: PyTorch evaluates log_sigmoid(input) / sigmoid(input) in input's dtype
 * before promoting, so a float32 input limits them to float32 precision */
static inline double in_dtype(tg_dtype d, double v) { return d == TG_FLOAT32 ? (double)(float)v : v; }

tg_tensor *tg_binary_cross_entropy(const tg_tensor *input, const tg_tensor *target,
                                   const tg_tensor *weight, tg_reduction reduction) {
    static const char fn[] = "tg_binary_cross_entropy";
    if (!input || !target) {
        tgi_null_arg(input ? input->ctx : target ? target->ctx : NULL, fn,
                     !input ? "input" : "target");
        return NULL;
    }
    tg_ctx *ctx = input->ctx;
    if (check_reduction(ctx, fn, reduction) != TG_OK) return NULL;
    if (!tgi_same_shape(input->shape, input->ndim, target->shape, target->ndim)) {
        char a[300], b[300];
        fmt_size(a, sizeof a, target);
        fmt_size(b, sizeof b, input);
        tgi_error(ctx, TG_ERR_SHAPE,
                  "%s: Using a target size (%s) that is different to the input size (%s) is "
                  "deprecated. Please ensure they have the same size.",
                  fn, a, b);
        return NULL;
    }
    if (weight) { /* F.binary_cross_entropy expands weight to _infer_size(target, weight) */
        int64_t bs[TG_MAX_DIMS];
        int bn;
        if (tgi_broadcast_shapes(ctx, fn, target->shape, target->ndim, weight->shape,
                                 weight->ndim, bs, &bn) != TG_OK)
            return NULL;
    }
    if (no_grad_arg(ctx, fn, weight, "weight", "binary_cross_entropy") != TG_OK) return NULL;
    if (target->dtype != input->dtype) {
        tgi_error(ctx, TG_ERR_DTYPE, "%s: Found dtype %s but expected %s", fn,
                  tgi_dtype_cname(target->dtype), tgi_dtype_cname(input->dtype));
        return NULL;
    }
    if (!tgi_is_floating(input->dtype)) {
        tgi_error(ctx, TG_ERR_DTYPE, "%s: \"binary_cross_entropy\" not implemented for '%s'", fn,
                  tgi_dtype_cname(input->dtype));
        return NULL;
    }
    tg_tensor *x = tgi_cast(input, input->dtype, true);
    tg_tensor *t = x ? tgi_cast(target, target->dtype, true) : NULL;
    tg_tensor *l = t ? tgi_empty(ctx, input->shape, input->ndim, input->dtype) : NULL;
    tg_status st = l ? TG_OK : ctx->err;
    for (int64_t i = 0; st == TG_OK && i < input->numel; i++) {
        double xv = tgi_at(x, i), tv = tgi_at(t, i);
        if (!(xv >= 0 && xv <= 1)) {
            st = tgi_error(ctx, TG_ERR_INVALID_ARG,
                           "%s: all elements of input should be between 0 and 1", fn);
            break;
        }
        tgi_put(l, i, (tv - 1.0) * fmax(log(1.0 - xv), -100.0) - tv * fmax(log(xv), -100.0));
    }
    tgi_tensor_decref(x);
    tgi_tensor_decref(t);
    if (st == TG_OK && weight) {
        if (inplace_bcast(ctx, fn, input->shape, input->ndim, weight) != TG_OK) {
            st = ctx->err;
        } else {
            tg_tensor *w = materialize(weight, input->shape, input->ndim, TG_FLOAT64);
            if (!w) st = ctx->err;
            for (int64_t i = 0; w && i < l->numel; i++) tgi_put(l, i, tgi_at(l, i) * tgi_at(w, i));
            tgi_tensor_decref(w);
        }
    }
    if (st != TG_OK) {
        tgi_tensor_decref(l);
        return NULL;
    }
    tg_tensor *out = reduce_loss(l, reduction);
    if (!out) return NULL;
    const tg_tensor *in[2] = {input, target};
    if (tgi_should_record(ctx, in, 2)) {
        tg_node *n = tgi_record(out, TGI_OP_BINARY_CROSS_ENTROPY, in, 2);
        if (!n) st = ctx->err;
        if (st == TG_OK) st = tgi_save(n, input, false);
        if (st == TG_OK) st = tgi_save(n, target, false);
        if (st == TG_OK && weight) st = tgi_save(n, weight, false);
        if (n) n->args.d0 = reduction;
    }
    return tgi_finish(out, st);
}

/* The create_graph tail of the binary cross entropy backwards: the input and target factors
 * fx and ft (recorded ops) times the optional weight and the mean's 1/N, times grad. */
static tg_status apply_factors(tg_node *n, tg_tensor *g, tg_tensor **gi, tg_tensor *fx,
                               tg_tensor *ft, const tg_tensor *weight, tg_dtype dt, double norm) {
    if (weight) {
        tg_tensor *w = tgi_to_dtype(weight, dt);
        fx = tg_mul(fx, w);
        ft = tg_mul(ft, w);
    }
    if (norm != 1.0) {
        fx = tg_mul_scalar(fx, norm);
        ft = tg_mul_scalar(ft, norm);
    }
    if (!fx || !ft) return n->ctx->err;
    if (tgi_needs(n, 0) && !(gi[0] = tg_mul(g, fx))) return n->ctx->err;
    if (tgi_needs(n, 1) && !(gi[1] = tg_mul(g, ft))) return n->ctx->err;
    return TG_OK;
}

/* binary_cross_entropy_backward and PyTorch 2.x's target formula:
 *   input:  grad * (x - t) / max((1 - x) x, 1e-12) * w [/ N]
 *   target: grad * -logit(x) * w [/ N] */
tg_status tgi_bw_binary_cross_entropy(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *input = tgi_unpack(n, 0), *target = tgi_unpack(n, 1);
    tg_tensor *weight = n->n_saved > 2 ? tgi_unpack(n, 2) : NULL;
    if (!input || !target || (n->n_saved > 2 && !weight)) return n->ctx->err;
    tg_ctx *ctx = n->ctx;
    tg_dtype dt = input->dtype;
    if (tgi_grad_mode(ctx)) { /* create_graph: the same factors from differentiable ops */
        double norm = mean_norm((tg_reduction)n->args.d0, input->numel);
        tg_tensor *one_minus = tg_rsub_scalar(input, 1.0);
        tg_tensor *fx = tg_div(tg_sub(input, target),
                               tg_clamp_min(tg_mul(one_minus, input), (double)1e-12f));
        tg_tensor *ft = tg_neg(tg_log(tg_div(input, one_minus)));
        return apply_factors(n, g, gi, fx, ft, weight, dt, norm);
    }
    tg_tensor *x = tgi_cast(input, dt, true);
    tg_tensor *t = x ? tgi_cast(target, dt, true) : NULL;
    tg_tensor *w = t && weight ? materialize(weight, input->shape, input->ndim, TG_FLOAT64) : NULL;
    tg_tensor *fx = t && (!weight || w) ? tgi_empty(ctx, input->shape, input->ndim, dt) : NULL;
    tg_tensor *ft = fx ? tgi_empty(ctx, input->shape, input->ndim, dt) : NULL;
    if (ft) {
        double norm = mean_norm((tg_reduction)n->args.d0, input->numel);
        for (int64_t i = 0; i < input->numel; i++) {
            double xv = tgi_at(x, i), tv = tgi_at(t, i), wv = w ? tgi_at(w, i) : 1.0;
            /* PyTorch's EPSILON is the float 1e-12f, also for double inputs */
            tgi_put(fx, i, (xv - tv) / fmax((1.0 - xv) * xv, (double)1e-12f) * wv * norm);
            tgi_put(ft, i, -log(xv / (1.0 - xv)) * wv * norm);
        }
    }
    tgi_tensor_decref(x);
    tgi_tensor_decref(t);
    tgi_tensor_decref(w);
    if (!ft) {
        tgi_tensor_decref(fx);
        return ctx->err;
    }
    tgi_own(fx);
    tgi_own(ft);
    if (tgi_needs(n, 0) && !(gi[0] = tg_mul(g, fx))) return ctx->err;
    if (tgi_needs(n, 1) && !(gi[1] = tg_mul(g, ft))) return ctx->err;
    return TG_OK;
}

tg_tensor *tg_binary_cross_entropy_with_logits(const tg_tensor *input, const tg_tensor *target,
                                               const tg_tensor *weight,
                                               const tg_tensor *pos_weight,
                                               tg_reduction reduction) {
    static const char fn[] = "tg_binary_cross_entropy_with_logits";
    if (!input || !target) {
        tgi_null_arg(input ? input->ctx : target ? target->ctx : NULL, fn,
                     !input ? "input" : "target");
        return NULL;
    }
    tg_ctx *ctx = input->ctx;
    if (check_reduction(ctx, fn, reduction) != TG_OK) return NULL;
    if (!tgi_same_shape(input->shape, input->ndim, target->shape, target->ndim)) {
        char a[300], b[300];
        fmt_size(a, sizeof a, target);
        fmt_size(b, sizeof b, input);
        tgi_error(ctx, TG_ERR_SHAPE, "%s: Target size (%s) must be the same as input size (%s)",
                  fn, a, b);
        return NULL;
    }
    if (no_grad_arg(ctx, fn, weight, "weight", "binary_cross_entropy_with_logits") != TG_OK ||
        no_grad_arg(ctx, fn, pos_weight, "pos_weight", "binary_cross_entropy_with_logits") !=
            TG_OK)
        return NULL;
    /* (pos_weight - 1) * target, then the loss (target's shape) takes it in place; then
     * loss *= weight in place */
    if (pos_weight) {
        int64_t bs[TG_MAX_DIMS];
        int bn;
        if (tgi_broadcast_shapes(ctx, fn, pos_weight->shape, pos_weight->ndim, target->shape,
                                 target->ndim, bs, &bn) != TG_OK ||
            inplace_bcast(ctx, fn, target->shape, target->ndim, pos_weight) != TG_OK)
            return NULL;
    }
    if (weight && inplace_bcast(ctx, fn, input->shape, input->ndim, weight) != TG_OK) return NULL;
    tg_dtype dt = tgi_result_type(input, target);
    if (!tgi_is_floating(dt)) {
        tgi_error(ctx, TG_ERR_DTYPE, "%s: result type Float can't be cast to the desired output "
                                     "type %s",
                  fn, tgi_dtype_cname(dt));
        return NULL;
    }
    const int64_t *shape = input->shape;
    int nd = input->ndim;
    tg_tensor *x = materialize(input, shape, nd, TG_FLOAT64);
    tg_tensor *t = x ? materialize(target, shape, nd, TG_FLOAT64) : NULL;
    tg_tensor *w = t && weight ? materialize(weight, shape, nd, TG_FLOAT64) : NULL;
    tg_tensor *p = t && pos_weight ? materialize(pos_weight, shape, nd, TG_FLOAT64) : NULL;
    tg_tensor *l = t && (!weight || w) && (!pos_weight || p) ? tgi_empty(ctx, shape, nd, dt) : NULL;
    if (l)
        for (int64_t i = 0; i < l->numel; i++) {
            double xv = tgi_at(x, i), tv = tgi_at(t, i);
            double lw = p ? 1.0 + (tgi_at(p, i) - 1.0) * tv : 1.0;
            double v = (1.0 - tv) * xv - lw * in_dtype(input->dtype, log_sigmoid(xv));
            tgi_put(l, i, w ? v * tgi_at(w, i) : v);
        }
    tgi_tensor_decref(x);
    tgi_tensor_decref(t);
    tgi_tensor_decref(w);
    tgi_tensor_decref(p);
    tg_tensor *out = reduce_loss(l, reduction);
    if (!out) return NULL;
    tg_status st = TG_OK;
    const tg_tensor *in[2] = {input, target};
    if (tgi_should_record(ctx, in, 2)) {
        tg_node *n = tgi_record(out, TGI_OP_BCE_WITH_LOGITS, in, 2);
        if (!n) st = ctx->err;
        if (st == TG_OK) st = tgi_save(n, input, false);
        if (st == TG_OK) st = tgi_save(n, target, false);
        if (st == TG_OK && weight) st = tgi_save(n, weight, false);
        if (st == TG_OK && pos_weight) st = tgi_save(n, pos_weight, false);
        if (n) {
            n->args.d0 = reduction;
            n->args.d1 = (weight ? 1 : 0) | (pos_weight ? 2 : 0);
        }
    }
    return tgi_finish(out, st);
}

/* The factors below from differentiable ops, for create_graph: with log_sigmoid(z) =
 * -softplus(-z), input: (p t + 1 - t) sigmoid(x) - p t; target: p softplus(-x) - softplus(x)
 * (p = 1: sigmoid(x) - t and -x); times weight and the mean's 1 / N. softplus's threshold is
 * 50, where log1p(exp(x)) equals x in double (20, PyTorch's default, is off by 2e-9). */
static tg_status bce_logits_backward_graph(tg_node *n, tg_tensor *g, tg_tensor **gi,
                                           tg_tensor *x, tg_tensor *t, tg_tensor *weight,
                                           tg_tensor *pos_weight, tg_dtype dt) {
    double norm = mean_norm((tg_reduction)n->args.d0, x->numel);
    tg_tensor *fx, *ft;
    if (pos_weight) {
        tg_tensor *p = tgi_to_dtype(pos_weight, dt);
        tg_tensor *pt = tg_mul(p, t);
        fx = tg_sub(tg_mul(tg_add(pt, tg_rsub_scalar(t, 1.0)), tg_sigmoid(x)), pt);
        ft = tg_sub(tg_mul(p, tg_softplus(tg_neg(x), 1.0, 50.0)), tg_softplus(x, 1.0, 50.0));
    } else {
        fx = tg_sub(tg_sigmoid(x), t);
        ft = tg_neg(x);
    }
    return apply_factors(n, g, gi, fx, ft, weight, dt, norm);
}

/* binary_cross_entropy_with_logits_backward (and its target formula), with p the pos_weight:
 *   input:  grad * ((p t + 1 - t) sigmoid(x) - p t) * w [/ N]   (p = 1: sigmoid(x) - t)
 *   target: grad * (log_sigmoid(-x) - p log_sigmoid(x)) * w [/ N]   (p = 1: -x) */
tg_status tgi_bw_bce_with_logits(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    for (int i = 0; i < n->n_saved; i++)
        if (!tgi_unpack(n, i)) return n->ctx->err;
    tg_ctx *ctx = n->ctx;
    tg_tensor *input = tgi_unpack(n, 0), *target = tgi_unpack(n, 1);
    int k = 2;
    tg_tensor *weight = (n->args.d1 & 1) ? tgi_unpack(n, k++) : NULL;
    tg_tensor *pos_weight = (n->args.d1 & 2) ? tgi_unpack(n, k) : NULL;
    const int64_t *shape = input->shape;
    int nd = input->ndim;
    tg_dtype dt = tgi_result_type(input, target);
    if (tgi_grad_mode(ctx)) return bce_logits_backward_graph(n, g, gi, input, target, weight,
                                                             pos_weight, dt);
    tg_tensor *x = materialize(input, shape, nd, TG_FLOAT64);
    tg_tensor *t = x ? materialize(target, shape, nd, TG_FLOAT64) : NULL;
    tg_tensor *w = t && weight ? materialize(weight, shape, nd, TG_FLOAT64) : NULL;
    tg_tensor *p = t && pos_weight ? materialize(pos_weight, shape, nd, TG_FLOAT64) : NULL;
    bool ok = t && (!weight || w) && (!pos_weight || p);
    tg_tensor *fx = ok ? tgi_empty(ctx, shape, nd, dt) : NULL;
    tg_tensor *ft = fx ? tgi_empty(ctx, shape, nd, dt) : NULL;
    if (ft) {
        double norm = mean_norm((tg_reduction)n->args.d0, input->numel);
        for (int64_t i = 0; i < fx->numel; i++) {
            double xv = tgi_at(x, i), tv = tgi_at(t, i), wv = (w ? tgi_at(w, i) : 1.0) * norm;
            double a, b;
            tg_dtype idt = input->dtype;
            if (p) {
                double pt = tgi_at(p, i) * tv;
                a = (pt + 1.0 - tv) * in_dtype(idt, sigmoid(xv)) - pt;
                b = in_dtype(idt, log_sigmoid(-xv)) - in_dtype(idt, log_sigmoid(xv)) * tgi_at(p, i);
            } else {
                a = in_dtype(idt, sigmoid(xv)) - tv;
                b = -xv;
            }
            tgi_put(fx, i, a * wv);
            tgi_put(ft, i, b * wv);
        }
    }
    tgi_tensor_decref(x);
    tgi_tensor_decref(t);
    tgi_tensor_decref(w);
    tgi_tensor_decref(p);
    if (!ft) {
        tgi_tensor_decref(fx);
        return ctx->err;
    }
    tgi_own(fx);
    tgi_own(ft);
    if (tgi_needs(n, 0) && !(gi[0] = tg_mul(g, fx))) return ctx->err;
    if (tgi_needs(n, 1) && !(gi[1] = tg_mul(g, ft))) return ctx->err;
    return TG_OK;
}
