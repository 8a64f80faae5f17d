/*
 * attention.c — F.scaled_dot_product_attention composed of public differentiable ops as
 * PyTorch 2.x's math backend (_scaled_dot_product_attention_math) composes it: q and k scaled by
 * sqrt(scale) each, q @ k^T, plus the additive mask (bool masks and is_causal become 0 / -inf),
 * a softmax that gives 0 for rows masked entirely (_safe_softmax), then @ v.
 */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char FN[] = "tg_scaled_dot_product_attention";

/* A failure of an op this one is made of is reported under this op's name:
 * "tg_matmul: ..." becomes "tg_scaled_dot_product_attention: ...". */
static void reprefix(tg_ctx *ctx) {
    const char *msg = ctx->errmsg;
    const char *colon = strstr(msg, ": ");
    if (ctx->err == TG_OK || strncmp(msg, "tg_", 3) != 0 || !colon ||
        strncmp(msg, FN, strlen(FN)) == 0)
        return;
    char rest[TGI_ERRMSG_CAP];
    snprintf(rest, sizeof rest, "%s", colon + 2);
    tgi_error(ctx, ctx->err, "%s: %s", FN, rest);
}

/* PyTorch's validate_sdpa_input, then this implementation's own limits. */
static tg_status validate(tg_ctx *ctx, const tg_tensor *q, const tg_tensor *k, const tg_tensor *v,
                          const tg_tensor *mask, double dropout_p, bool is_causal) {
    if (q->dtype != k->dtype || q->dtype != v->dtype)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: Expected query, key, and value to have the same dtype, but got "
                         "query.dtype: %s key.dtype: %s and value.dtype: %s instead.",
                         FN, tgi_dtype_short(q->dtype), tgi_dtype_short(k->dtype),
                         tgi_dtype_short(v->dtype));
    if (q->ndim < 2 || k->ndim < 2 || v->ndim < 2)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Expected query, key, and value to all be  at least 2 dimensional, "
                         "but got query.dim: %d key.dim: %d and value.dim: %d instead.",
                         FN, q->ndim, k->ndim, v->ndim);
    if (mask && mask->dtype != TG_BOOL && mask->dtype != TG_FLOAT32 && mask->dtype != q->dtype)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: Expected attn_mask dtype to be bool or float or to match query "
                         "dtype, but got attn_mask.dtype: %s and  query.dtype: %s instead.",
                         FN, tgi_dtype_short(mask->dtype), tgi_dtype_short(q->dtype));
    if (!tgi_is_floating(q->dtype))
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: query, key and value must be float32 or float64, but got %s", FN,
                         tgi_dtype_cname(q->dtype));
    if (dropout_p != 0.0)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: dropout_p must be 0 (dropout inside attention is not implemented), "
                         "but got %g",
                         FN, dropout_p);
    if (is_causal && mask)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: _scaled_dot_product_attention: Explicit attn_mask should not be set "
                         "when is_causal=True",
                         FN);
    return TG_OK;
}

/* is_causal: ones(L, S).tril() converted to an additive mask (0 on and below the diagonal,
 * -inf above), of dtype dt. */
static tg_tensor *causal_mask(tg_ctx *ctx, int64_t L, int64_t S, tg_dtype dt) {
    int64_t shape[2] = {L, S};
    tg_tensor *m = tg_zeros(ctx, shape, 2, dt);
    if (!m || m->numel == 0) return m;
    for (int64_t i = 0; i < L; i++)
        for (int64_t j = i + 1; j < S; j++) tgi_store(m->storage->data, dt, m->offset + i * S + j, -INFINITY);
    return m;
}

/* softmax along the last dim, with 0 (and a zero gradient) for rows that are -inf throughout:
 * PyTorch's _safe_softmax. Such rows are softmaxed as zeros and then overwritten, so no NaN
 * reaches the gradient either. */
static tg_tensor *safe_softmax(tg_tensor *a) {
    int64_t last = -1;
    tg_tensor *rows = tg_all_dim(tg_eq_scalar(a, -INFINITY), &last, 1, true);
    tg_tensor *any = tg_any(rows);
    double found = 0;
    if (!any || tg_item(any, &found) != TG_OK) return NULL;
    if (found == 0) return tg_softmax(a, -1);
    return tg_masked_fill(tg_softmax(tg_masked_fill(a, rows, 0.0), -1), rows, 0.0);
}

/* The in-place attn.add_(mask) of PyTorch: mask must broadcast to attn's own shape. */
static tg_tensor *add_mask(tg_tensor *attn, const tg_tensor *mask) {
    tg_ctx *ctx = attn->ctx;
    int64_t shape[TG_MAX_DIMS];
    int nd = 0;
    if (tgi_broadcast_shapes(ctx, "tg_add", attn->shape, attn->ndim, mask->shape, mask->ndim,
                             shape, &nd) != TG_OK)
        return NULL;
    if (!tgi_same_shape(shape, nd, attn->shape, attn->ndim)) {
        char a[256], b[256];
        tgi_fmt_shape(a, sizeof a, attn->shape, attn->ndim);
        tgi_fmt_shape(b, sizeof b, shape, nd);
        tgi_error(ctx, TG_ERR_SHAPE, "%s: output with shape %s doesn't match the broadcast shape %s",
                  FN, a, b);
        return NULL;
    }
    return tg_add(attn, mask);
}

static tg_tensor *attention(const tg_tensor *q, const tg_tensor *k, const tg_tensor *v,
                            const tg_tensor *attn_mask, bool is_causal, const double *scale) {
    tg_ctx *ctx = q->ctx;
    double s = scale ? *scale : 1.0 / sqrt((double)q->shape[q->ndim - 1]);
    double f = sqrt(fabs(s));
    tg_tensor *qs = tg_mul_scalar(q, scale && *scale < 0 ? -f : f);
    tg_tensor *kt = tg_mul_scalar(tg_transpose(k, -2, -1), f);
    tg_tensor *attn = qs && kt ? tg_matmul(qs, kt) : NULL;
    if (!attn) return NULL;
    const tg_tensor *mask = attn_mask;
    if (is_causal) {
        mask = causal_mask(ctx, q->shape[q->ndim - 2], k->shape[k->ndim - 2], q->dtype);
    } else if (mask && mask->dtype == TG_BOOL) { /* convert_boolean_attn_mask */
        tg_tensor *z = tg_zeros(ctx, mask->shape, mask->ndim, q->dtype);
        mask = tg_masked_fill(z, tg_eq_scalar(mask, 0), -INFINITY);
    }
    if (is_causal || attn_mask) {
        if (!mask) return NULL;
        attn = add_mask(attn, mask);
    }
    tg_tensor *p = attn ? safe_softmax(attn) : NULL;
    return p ? tg_matmul(p, v) : NULL;
}

tg_tensor *tg_scaled_dot_product_attention(const tg_tensor *query, const tg_tensor *key,
                                           const tg_tensor *value, const tg_tensor *attn_mask,
                                           double dropout_p, bool is_causal,
                                           const double *scale) {
    if (!query || !key || !value) {
        const tg_tensor *any = query ? query : key ? key : value ? value : attn_mask;
        tgi_null_arg(any ? any->ctx : NULL, FN, !query ? "query" : !key ? "key" : "value");
        return NULL;
    }
    tg_ctx *ctx = query->ctx;
    if (validate(ctx, query, key, value, attn_mask, dropout_p, is_causal) != TG_OK) return NULL;
    /* the intermediates live in a scope of their own: only the result is handed out */
    if (tg_scope_begin(ctx) != TG_OK) return NULL;
    tg_tensor *out = tg_keep(attention(query, key, value, attn_mask, is_causal, scale));
    tg_status st = tg_errcode(ctx);
    if (tg_scope_end(ctx) != TG_OK) return NULL;
    if (!out) {
        if (st != TG_OK) reprefix(ctx);
        return NULL;
    }
    return out;
}
