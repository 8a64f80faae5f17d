/*
 * linalg.c — matrix products and their gradients. mm, bmm, mv, dot and addmm record their own
 * nodes; matmul, outer and linear are built from them as PyTorch 2.x builds them (same
 * branches, same intermediate ops), so results carry PyTorch's grad_fn and backward comes from
 * the pieces. Errors use PyTorch's words for the check that fails first. Kernels: linalg_gemm.c.
 */
#include "linalg.h"
#include "ops.h"

#include <math.h>
#include <string.h>

static void *data_at(const tg_tensor *t) {
    return (char *)t->storage->data + (size_t)t->offset * tgi_dtype_size(t->dtype);
}

static tg_tensor *null2(const char *fn, const tg_tensor *a, const tg_tensor *b, const char *na,
                        const char *nb) {
    tgi_null_arg(a ? a->ctx : b ? b->ctx : NULL, fn, !a ? na : nb);
    return NULL;
}

/* ---------------------------------------------------------------- mm */

static tg_tensor *mm_impl(const char *fn, const tg_tensor *a, const tg_tensor *b) {
    tg_ctx *ctx = a->ctx;
    if (a->ndim != 2) return tgi_error(ctx, TG_ERR_SHAPE, "%s: self must be a matrix", fn), NULL;
    if (b->ndim != 2) return tgi_error(ctx, TG_ERR_SHAPE, "%s: mat2 must be a matrix", fn), NULL;
    if (a->shape[1] != b->shape[0])
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: mat1 and mat2 shapes cannot be multiplied (%lldx%lld and %lldx%lld)",
                         fn, (long long)a->shape[0], (long long)a->shape[1],
                         (long long)b->shape[0], (long long)b->shape[1]),
               NULL;
    if (a->dtype != b->dtype)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: expected m1 and m2 to have the same dtype, but got: %s != %s", fn,
                         tgi_dtype_short(a->dtype), tgi_dtype_short(b->dtype)),
               NULL;
    if (a->dtype == TG_BOOL)
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: \"addmm_impl_cpu_\" not implemented for 'Bool'",
                         fn),
               NULL;
    int64_t shape[2] = {a->shape[0], b->shape[1]};
    tg_tensor *c = tgi_empty(ctx, shape, 2, a->dtype);
    if (!c) return NULL;
    tgi_gemm(a->dtype, shape[0], shape[1], a->shape[1], data_at(a), a->strides[0], a->strides[1],
             data_at(b), b->strides[0], b->strides[1], c->storage->data, shape[1]);
    const tg_tensor *in[2] = {a, b};
    tg_status st = TG_OK;
    if (tgi_is_floating(c->dtype) && tgi_should_record(ctx, in, 2)) {
        tg_node *n = tgi_record(c, TGI_OP_MM, in, 2);
        st = n ? TG_OK : ctx->err;
        /* mat1's gradient needs mat2 and vice versa: saved in that order, when needed */
        if (n && tgi_needs(n, 0)) st = tgi_save(n, b, false);
        if (n && st == TG_OK && tgi_needs(n, 1)) st = tgi_save(n, a, false);
    }
    return tgi_finish(c, st);
}

tg_tensor *tg_mm(const tg_tensor *a, const tg_tensor *b) {
    if (!a || !b) return null2("tg_mm", a, b, "self", "mat2");
    return mm_impl("tg_mm", a, b);
}

/* mm: self: grad @ mat2^T; mat2: self^T @ grad */
tg_status tgi_bw_mm(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    int k = 0;
    if (tgi_needs(n, 0)) {
        tg_tensor *b = tgi_unpack(n, k++);
        if (!b || !(gi[0] = tg_mm(g, tg_t(b)))) return n->ctx->err;
    }
    if (tgi_needs(n, 1)) {
        tg_tensor *a = tgi_unpack(n, k);
        if (!a || !(gi[1] = tg_mm(tg_t(a), g))) return n->ctx->err;
    }
    return TG_OK;
}

/* ---------------------------------------------------------------- bmm */

static tg_tensor *bmm_impl(const char *fn, const tg_tensor *a, const tg_tensor *b) {
    tg_ctx *ctx = a->ctx;
    if (a->ndim != 3)
        return tgi_error(ctx, TG_ERR_SHAPE, "%s: batch1 must be a 3D tensor", fn), NULL;
    if (b->ndim != 3)
        return tgi_error(ctx, TG_ERR_SHAPE, "%s: batch2 must be a 3D tensor", fn), NULL;
    if (b->shape[0] != a->shape[0] || b->shape[1] != a->shape[2])
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Expected size for first two dimensions of batch2 tensor to be: "
                         "[%lld, %lld] but got: [%lld, %lld].",
                         fn, (long long)a->shape[0], (long long)a->shape[2],
                         (long long)b->shape[0], (long long)b->shape[1]),
               NULL;
    if (a->dtype != b->dtype)
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: expected scalar type %s but found %s", fn,
                         tgi_dtype_cname(a->dtype), tgi_dtype_cname(b->dtype)),
               NULL;
    if (a->dtype == TG_BOOL)
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: \"bmm\" not implemented for 'Bool'", fn), NULL;
    int64_t nb = a->shape[0], m = a->shape[1], k = a->shape[2], n = b->shape[2];
    int64_t shape[3] = {nb, m, n};
    tg_tensor *c = tgi_empty(ctx, shape, 3, a->dtype);
    if (!c) return NULL;
    size_t es = tgi_dtype_size(a->dtype);
    for (int64_t i = 0; i < nb; i++)
        tgi_gemm(a->dtype, m, n, k, (const char *)data_at(a) + (size_t)(i * a->strides[0]) * es,
                 a->strides[1], a->strides[2],
                 (const char *)data_at(b) + (size_t)(i * b->strides[0]) * es, b->strides[1],
                 b->strides[2], (char *)c->storage->data + (size_t)(i * m * n) * es, n);
    const tg_tensor *in[2] = {a, b};
    tg_status st = TG_OK;
    if (tgi_is_floating(c->dtype) && tgi_should_record(ctx, in, 2)) {
        tg_node *nd = tgi_record(c, TGI_OP_BMM, in, 2);
        st = nd ? TG_OK : ctx->err;
        if (nd && tgi_needs(nd, 0)) st = tgi_save(nd, b, false);
        if (nd && st == TG_OK && tgi_needs(nd, 1)) st = tgi_save(nd, a, false);
    }
    return tgi_finish(c, st);
}

tg_tensor *tg_bmm(const tg_tensor *a, const tg_tensor *b) {
    if (!a || !b) return null2("tg_bmm", a, b, "self", "mat2");
    return bmm_impl("tg_bmm", a, b);
}

/* bmm: self: grad.bmm(mat2^T); mat2: self^T.bmm(grad) (transposing the last two dims) */
tg_status tgi_bw_bmm(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    int k = 0;
    if (tgi_needs(n, 0)) {
        tg_tensor *b = tgi_unpack(n, k++);
        if (!b || !(gi[0] = tg_bmm(g, tg_transpose(b, 1, 2)))) return n->ctx->err;
    }
    if (tgi_needs(n, 1)) {
        tg_tensor *a = tgi_unpack(n, k);
        if (!a || !(gi[1] = tg_bmm(tg_transpose(a, 1, 2), g))) return n->ctx->err;
    }
    return TG_OK;
}

/* ---------------------------------------------------------------- mv */

static tg_tensor *mv_impl(const char *fn, const tg_tensor *mat, const tg_tensor *vec) {
    tg_ctx *ctx = mat->ctx;
    /* PyTorch sizes the result with self.size(0) first, then runs addmv's checks */
    if (mat->ndim == 0)
        return tgi_error(ctx, TG_ERR_INDEX,
                         "%s: Dimension specified as 0 but tensor has no dimensions", fn),
               NULL;
    if (mat->ndim != 2 || vec->ndim != 1)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: vector + matrix @ vector expected, got 1, %d, %d", fn, mat->ndim,
                         vec->ndim),
               NULL;
    if (mat->shape[1] != vec->shape[0])
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: size mismatch, got input (%lld), mat (%lldx%lld), vec (%lld)", fn,
                         (long long)mat->shape[0], (long long)mat->shape[0],
                         (long long)mat->shape[1], (long long)vec->shape[0]),
               NULL;
    if (mat->dtype != vec->dtype) /* the result PyTorch checks first has vec's dtype */
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: addmv input tensors must have the same dtype, but got %s, %s, and %s",
                         fn, tgi_dtype_cname(vec->dtype), tgi_dtype_cname(mat->dtype),
                         tgi_dtype_cname(vec->dtype)),
               NULL;
    if (mat->dtype == TG_BOOL && mat->numel != 0)
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: \"addmv_impl_cpu\" not implemented for 'Bool'",
                         fn),
               NULL;
    int64_t m = mat->shape[0];
    tg_tensor *c = tgi_empty(ctx, &m, 1, mat->dtype);
    if (!c) return NULL;
    if (mat->dtype == TG_BOOL) memset(c->storage->data, 0, (size_t)m); /* empty mat: zeros */
    else /* a k x 1 matrix B whose column is vec */
        tgi_gemm(mat->dtype, m, 1, mat->shape[1], data_at(mat), mat->strides[0],
                 mat->strides[1], data_at(vec), vec->strides[0], 1, c->storage->data, 1);
    const tg_tensor *in[2] = {mat, vec};
    tg_status st = TG_OK;
    if (tgi_is_floating(c->dtype) && tgi_should_record(ctx, in, 2)) {
        tg_node *n = tgi_record(c, TGI_OP_MV, in, 2);
        st = n ? TG_OK : ctx->err;
        if (n && tgi_needs(n, 0)) st = tgi_save(n, vec, false);
        if (n && st == TG_OK && tgi_needs(n, 1)) st = tgi_save(n, mat, false);
    }
    return tgi_finish(c, st);
}

tg_tensor *tg_mv(const tg_tensor *mat, const tg_tensor *vec) {
    if (!mat || !vec) return null2("tg_mv", mat, vec, "self", "vec");
    return mv_impl("tg_mv", mat, vec);
}

/* mv: self: grad.outer(vec); vec: self^T.mv(grad) */
tg_status tgi_bw_mv(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    int k = 0;
    if (tgi_needs(n, 0)) {
        tg_tensor *vec = tgi_unpack(n, k++);
        if (!vec || !(gi[0] = tg_outer(g, vec))) return n->ctx->err;
    }
    if (tgi_needs(n, 1)) {
        tg_tensor *mat = tgi_unpack(n, k);
        if (!mat || !(gi[1] = tg_mv(tg_t(mat), g))) return n->ctx->err;
    }
    return TG_OK;
}

/* ---------------------------------------------------------------- dot */

static tg_tensor *dot_impl(const char *fn, const tg_tensor *a, const tg_tensor *b) {
    tg_ctx *ctx = a->ctx;
    if (a->ndim != 1 || b->ndim != 1)
        return tgi_error(ctx, TG_ERR_SHAPE, "%s: 1D tensors expected, but got %dD and %dD tensors",
                         fn, a->ndim, b->ndim),
               NULL;
    if (a->dtype != b->dtype)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: dot : expected both vectors to have same dtype, but found %s and %s",
                         fn, tgi_dtype_cname(a->dtype), tgi_dtype_cname(b->dtype)),
               NULL;
    if (a->numel != b->numel)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: inconsistent tensor size, expected tensor [%lld] and src [%lld] to "
                         "have the same number of elements, but got %lld and %lld elements "
                         "respectively",
                         fn, (long long)a->numel, (long long)b->numel, (long long)a->numel,
                         (long long)b->numel),
               NULL;
    if (a->dtype == TG_BOOL)
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: \"dot\" not implemented for 'Bool'", fn), NULL;
    tg_tensor *c = tgi_empty(ctx, NULL, 0, a->dtype);
    if (!c) return NULL;
    int64_t n = a->numel, sa = a->strides[0], sb = b->strides[0];
    if (a->dtype == TG_INT64) {
        const int64_t *x = data_at(a), *y = data_at(b);
        uint64_t acc = 0; /* wraps on overflow, as PyTorch's integer dot */
        for (int64_t i = 0; i < n; i++) acc += (uint64_t)x[i * sa] * (uint64_t)y[i * sb];
        *(int64_t *)c->storage->data = (int64_t)acc;
    } else {
        double acc = 0; /* float32 products summed in double */
        for (int64_t i = 0; i < n; i++)
            acc += tgi_load(data_at(a), a->dtype, i * sa) * tgi_load(data_at(b), b->dtype, i * sb);
        tgi_store(c->storage->data, c->dtype, 0, acc);
    }
    const tg_tensor *in[2] = {a, b};
    tg_status st = TG_OK;
    if (tgi_is_floating(c->dtype) && tgi_should_record(ctx, in, 2)) {
        tg_node *nd = tgi_record(c, TGI_OP_DOT, in, 2);
        st = nd ? TG_OK : ctx->err;
        if (nd && tgi_needs(nd, 0)) st = tgi_save(nd, b, false);
        if (nd && st == TG_OK && tgi_needs(nd, 1)) st = tgi_save(nd, a, false);
    }
    return tgi_finish(c, st);
}

tg_tensor *tg_dot(const tg_tensor *a, const tg_tensor *b) {
    if (!a || !b) return null2("tg_dot", a, b, "self", "tensor");
    return dot_impl("tg_dot", a, b);
}

/* dot: self: grad * tensor; tensor: grad * self (grad is 0-d) */
tg_status tgi_bw_dot(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    int k = 0;
    if (tgi_needs(n, 0)) {
        tg_tensor *b = tgi_unpack(n, k++);
        if (!b || !(gi[0] = tg_mul(g, b))) return n->ctx->err;
    }
    if (tgi_needs(n, 1)) {
        tg_tensor *a = tgi_unpack(n, k);
        if (!a || !(gi[1] = tg_mul(g, a))) return n->ctx->err;
    }
    return TG_OK;
}

/* ---------------------------------------------------------------- addmm */

/* beta travels in args.d0 (its bits), alpha in args.s */
static double addmm_beta(const tg_node *n) {
    double beta;
    memcpy(&beta, &n->args.d0, sizeof beta);
    return beta;
}

/* PyTorch's expand_size(self, {m, n}) check, with expand's messages */
static tg_status check_expandable(const char *fn, const tg_tensor *t, const int64_t *to, int nto) {
    tg_ctx *ctx = t->ctx;
    char cur[160], tgt[160];
    tgi_fmt_shape(cur, sizeof cur, t->shape, t->ndim);
    tgi_fmt_shape(tgt, sizeof tgt, to, nto);
    if (t->ndim > nto)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: expand(CPU%sType{%s}, size=%s): the number of sizes provided (%d) "
                         "must be greater or equal to the number of dimensions in the tensor (%d)",
                         fn, tgi_dtype_cname(t->dtype), cur, tgt, nto, t->ndim);
    for (int i = nto - 1; i >= 0; i--) {
        int ti = i - (nto - t->ndim);
        if (ti < 0) break;
        if (t->shape[ti] != to[i] && t->shape[ti] != 1)
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: The expanded size of the tensor (%lld) must match the existing "
                             "size (%lld) at non-singleton dimension %d.  Target sizes: %s.  "
                             "Tensor sizes: %s",
                             fn, (long long)to[i], (long long)t->shape[ti], i, tgt, cur);
    }
    return TG_OK;
}

/* out = beta * input + alpha * (m1 @ m2), input broadcast to [m, n]. beta == 0 ignores input
 * (nan included) and alpha == 0 the product, as BLAS does. Integer tensors take beta and alpha
 * truncated to integers, as PyTorch converts its Scalars. */
static void addmm_combine(tg_tensor *c, const tg_tensor *input, double beta, double alpha) {
    int64_t numel = c->numel, n = c->shape[1];
    int64_t s0 = 0, s1 = 0; /* input's strides once expanded to c's shape */
    if (input->ndim == 2) {
        s0 = input->shape[0] == 1 ? 0 : input->strides[0];
        s1 = input->shape[1] == 1 ? 0 : input->strides[1];
    } else if (input->ndim == 1) {
        s1 = input->shape[0] == 1 ? 0 : input->strides[0];
    }
    const void *x = data_at(input);
    for (int64_t e = 0; e < numel; e++) {
        int64_t i = e / n, j = e % n, xi = i * s0 + j * s1;
        if (c->dtype == TG_FLOAT32) {
            float *r = (float *)c->storage->data + e;
            float prod = alpha == 0 ? 0.0f : (float)alpha * *r;
            *r = beta == 0 ? prod : (float)beta * ((const float *)x)[xi] + prod;
        } else if (c->dtype == TG_FLOAT64) {
            double *r = (double *)c->storage->data + e;
            double prod = alpha == 0 ? 0.0 : alpha * *r;
            *r = beta == 0 ? prod : beta * ((const double *)x)[xi] + prod;
        } else {
            int64_t *r = (int64_t *)c->storage->data + e;
            uint64_t ib = (uint64_t)(int64_t)beta, ia = (uint64_t)(int64_t)alpha;
            *r = (int64_t)(ib * (uint64_t)((const int64_t *)x)[xi] + ia * (uint64_t)*r);
        }
    }
}

static tg_tensor *addmm_impl(const char *fn, const tg_tensor *input, const tg_tensor *m1,
                             const tg_tensor *m2, double beta, double alpha) {
    tg_ctx *ctx = m1->ctx;
    if (input->dtype != m2->dtype)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: self and mat2 must have the same dtype, but got %s and %s", fn,
                         tgi_dtype_cname(input->dtype), tgi_dtype_cname(m2->dtype)),
               NULL;
    if (m1->dtype != m2->dtype)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: mat1 and mat2 must have the same dtype, but got %s and %s", fn,
                         tgi_dtype_cname(m1->dtype), tgi_dtype_cname(m2->dtype)),
               NULL;
    if (m1->ndim != 2)
        return tgi_error(ctx, TG_ERR_SHAPE, "%s: mat1 must be a matrix, got %d-D tensor", fn,
                         m1->ndim),
               NULL;
    if (m2->ndim != 2)
        return tgi_error(ctx, TG_ERR_SHAPE, "%s: mat2 must be a matrix, got %d-D tensor", fn,
                         m2->ndim),
               NULL;
    if (m1->shape[1] != m2->shape[0])
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: mat1 and mat2 shapes cannot be multiplied (%lldx%lld and %lldx%lld)",
                         fn, (long long)m1->shape[0], (long long)m1->shape[1],
                         (long long)m2->shape[0], (long long)m2->shape[1]),
               NULL;
    int64_t shape[2] = {m1->shape[0], m2->shape[1]}, k = m1->shape[1];
    if (check_expandable(fn, input, shape, 2) != TG_OK) return NULL;
    if (m1->dtype == TG_BOOL) /* (PyTorch returns beta * input when the product is empty) */
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: \"addmm_impl_cpu_\" not implemented for 'Bool'",
                         fn),
               NULL;
    if (m1->dtype == TG_INT64 && !(fabs(beta) < 0x1p63 && fabs(alpha) < 0x1p63))
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: value cannot be converted to type int64_t without overflow", fn),
               NULL;
    tg_tensor *c = tgi_empty(ctx, shape, 2, m1->dtype);
    if (!c) return NULL;
    tgi_gemm(c->dtype, shape[0], shape[1], k, data_at(m1), m1->strides[0], m1->strides[1],
             data_at(m2), m2->strides[0], m2->strides[1], c->storage->data, shape[1]);
    addmm_combine(c, input, beta, alpha);
    const tg_tensor *in[3] = {input, m1, m2};
    tg_status st = TG_OK;
    if (tgi_is_floating(c->dtype) && tgi_should_record(ctx, in, 3)) {
        tg_node *n = tgi_record(c, TGI_OP_ADDMM, in, 3);
        st = n ? TG_OK : ctx->err;
        if (n) {
            n->args.s = alpha;
            memcpy(&n->args.d0, &beta, sizeof beta);
        }
        if (n && tgi_needs(n, 1)) st = tgi_save(n, m2, false);
        if (n && st == TG_OK && tgi_needs(n, 2)) st = tgi_save(n, m1, false);
    }
    return tgi_finish(c, st);
}

tg_tensor *tg_addmm(const tg_tensor *input, const tg_tensor *mat1, const tg_tensor *mat2,
                    double beta, double alpha) {
    if (!input || !mat1 || !mat2) {
        const tg_tensor *any = input ? input : mat1 ? mat1 : mat2;
        tgi_null_arg(any ? any->ctx : NULL, "tg_addmm",
                     !input ? "self" : !mat1 ? "mat1" : "mat2");
        return NULL;
    }
    return addmm_impl("tg_addmm", input, mat1, mat2, beta, alpha);
}

/* addmm: self: beta * grad; mat1: alpha * grad @ mat2^T; mat2: alpha * mat1^T @ grad
 * (a factor of 1 is not applied, as PyTorch's maybe_multiply) */
tg_status tgi_bw_addmm(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    double beta = addmm_beta(n), alpha = n->args.s;
    if (tgi_needs(n, 0) && !(gi[0] = beta == 1 ? g : tg_mul_scalar(g, beta))) return n->ctx->err;
    int k = 0;
    if (tgi_needs(n, 1)) {
        tg_tensor *m2 = tgi_unpack(n, k++);
        if (!m2 || !(gi[1] = tg_mm(g, tg_t(m2)))) return n->ctx->err;
        if (alpha != 1 && !(gi[1] = tg_mul_scalar(gi[1], alpha))) return n->ctx->err;
    }
    if (tgi_needs(n, 2)) {
        tg_tensor *m1 = tgi_unpack(n, k);
        if (!m1 || !(gi[2] = tg_mm(tg_t(m1), g))) return n->ctx->err;
        if (alpha != 1 && !(gi[2] = tg_mul_scalar(gi[2], alpha))) return n->ctx->err;
    }
    return TG_OK;
}

/* ---------------------------------------------------------------- outer */

tg_tensor *tg_outer(const tg_tensor *a, const tg_tensor *b) {
    if (!a || !b) return null2("tg_outer", a, b, "self", "vec2");
    if (a->ndim != 1 || b->ndim != 1) {
        tgi_error(a->ctx, TG_ERR_SHAPE, "tg_outer: outer: Expected 1-D argument %s, but got %d-D",
                  a->ndim != 1 ? "self" : "vec2", a->ndim != 1 ? a->ndim : b->ndim);
        return NULL;
    }
    /* PyTorch 2.x: self.reshape({n, 1}) * vec2 */
    int64_t col[2] = {a->shape[0], 1};
    return tg_mul(tg_reshape(a, col, 2), b);
}

/* ---------------------------------------------------------------- matmul */

/* A view of a without the size-1 dim d, recorded as `op` (a squeeze). */
static tg_tensor *squeeze_view(const tg_tensor *a, int d, int op) {
    int64_t sh[TG_MAX_DIMS], st[TG_MAX_DIMS];
    for (int i = 0, j = 0; i < a->ndim; i++)
        if (i != d) {
            sh[j] = a->shape[i];
            st[j++] = a->strides[i];
        }
    tg_tensor *v = tgi_alias(a, sh, st, a->ndim - 1, a->offset);
    if (!v) return NULL;
    v->is_view = true;
    v->base = (tg_tensor *)(uintptr_t)(a->is_view && a->base ? a->base : a);
    v->base->refcount++;
    tg_status s = TG_OK;
    if (tgi_should_record(a->ctx, &a, 1) && !tgi_record(v, op, &a, 1)) s = a->ctx->err;
    return tgi_finish(v, s);
}

/* at::_unsafe_view(t, shape): t's (contiguous) storage under a new shape, recorded as
 * UnsafeViewBackward0 and not a view, because t is a temporary nobody else sees. */
static tg_tensor *unsafe_view(const tg_tensor *t, const int64_t *shape, int ndim) {
    if (!t) return NULL;
    int64_t st[TG_MAX_DIMS];
    tgi_contiguous_strides(shape, ndim, st);
    tg_tensor *r = tgi_alias(t, shape, st, ndim, t->offset);
    if (!r) return NULL;
    tg_status s = TG_OK;
    if (tgi_should_record(t->ctx, &t, 1) && !tgi_record(r, TGI_OP_UNSAFE_VIEW, &t, 1))
        s = t->ctx->err;
    return tgi_finish(r, s);
}

/* r.squeeze_(0) on the fresh [1, n] result of mm: in PyTorch the same tensor becomes [n], its
 * history rebased onto SqueezeBackward4 and its version bumped. Here a new header takes r's
 * place (nobody else holds r). */
static tg_tensor *squeeze0_inplace(tg_tensor *r) {
    if (!r) return NULL;
    tg_tensor *v = tgi_alias(r, r->shape + 1, r->strides + 1, 1, r->offset);
    if (!v) return NULL;
    r->storage->version++;
    tg_status s = TG_OK;
    const tg_tensor *in = r;
    if (tgi_should_record(r->ctx, &in, 1) && !tgi_record(v, TGI_OP_LINALG_SQUEEZE_, &in, 1))
        s = r->ctx->err;
    return tgi_finish(v, s);
}

/* PyTorch's should_fold: whether a >= 3-D operand times a 1-D/2-D one is computed by folding the
 * big operand's batch dims into its rows and calling mm/mv (always when the small operand
 * requires grad, to keep its gradient from being materialised per batch), instead of bmm. */
static bool should_fold(const tg_tensor *t1, const tg_tensor *t2) {
    bool t1_larger = t1->ndim >= t2->ndim;
    const tg_tensor *big = t1_larger ? t1 : t2, *small = t1_larger ? t2 : t1;
    if (!(big->ndim >= 3 && small->ndim <= 2)) return false;
    if (tgi_requires_grad(small)) return true;
    if (t1->ndim == 2) return false; /* folding would need a copy to transpose the result */
    if (big->numel == 0) return true;
    int64_t sh[TG_MAX_DIMS], st[TG_MAX_DIMS];
    int d = big->ndim;
    memcpy(sh, big->shape, sizeof sh);
    memcpy(st, big->strides, sizeof st);
    if (!t1_larger) { /* big is tensor2.mT() */
        sh[d - 2] = big->shape[d - 1];
        sh[d - 1] = big->shape[d - 2];
        st[d - 2] = big->strides[d - 1];
        st[d - 1] = big->strides[d - 2];
    }
    for (int i = 0; i < d - 2; i++) /* view(-1, size(-1)) is possible without a copy */
        if (st[i] != st[i + 1] * sh[i + 1]) return false;
    return true;
}

static int64_t prod(const int64_t *s, int n) {
    int64_t p = 1;
    for (int i = 0; i < n; i++) p *= s[i];
    return p;
}

/* The folded product: [..., k] x [k(, n)] (or its transposed twin) through mm / mv. */
static tg_tensor *matmul_fold(const char *fn, const tg_tensor *a, const tg_tensor *b) {
    bool transpose = b->ndim > a->ndim;
    const tg_tensor *t1 = transpose ? tg_transpose(b, -2, -1) : a;
    const tg_tensor *t2 = !transpose ? b : a->ndim == 2 ? tg_t(a) : a;
    if (!t1 || !t2) return NULL;
    int64_t out_shape[TG_MAX_DIMS];
    int nout = t1->ndim - 1;
    memcpy(out_shape, t1->shape, sizeof(int64_t) * (size_t)nout);
    int64_t folded[2] = {prod(out_shape, nout), t1->shape[t1->ndim - 1]};
    bool t2_matrix = t2->ndim == 2;
    if (t2_matrix) out_shape[nout++] = t2->shape[1];
    tg_tensor *t1f = tg_reshape(t1, folded, 2);
    if (!t1f) return NULL;
    if (!t2_matrix) return unsafe_view(mv_impl(fn, t1f, t2), out_shape, nout);
    tg_tensor *out = unsafe_view(mm_impl(fn, t1f, t2), out_shape, nout);
    /* 2-D @ N-D: the result was computed transposed; PyTorch copies it back */
    return transpose && out ? tg_contiguous(tg_transpose(out, -2, -1)) : out;
}

/* The batched product: batch dims broadcast, both sides expanded and flattened to 3-D, bmm. */
static tg_tensor *matmul_batched(const char *fn, const tg_tensor *a, const tg_tensor *b);

static tg_tensor *matmul_impl(const char *fn, const tg_tensor *a, const tg_tensor *b) {
    int d1 = a->ndim, d2 = b->ndim;
    if (d1 == 0 || d2 == 0) {
        tgi_error(a->ctx, TG_ERR_SHAPE,
                  "%s: both arguments to matmul need to be at least 1D, but they are %dD and %dD",
                  fn, d1, d2);
        return NULL;
    }
    if (d1 == 1 && d2 == 1) return dot_impl(fn, a, b);
    if (d1 == 2 && d2 == 1) return mv_impl(fn, a, b);
    if (d1 == 1 && d2 == 2) {
        tg_tensor *row = tg_unsqueeze(a, 0);
        return row ? squeeze0_inplace(mm_impl(fn, row, b)) : NULL;
    }
    if (d1 == 2 && d2 == 2) return mm_impl(fn, a, b);
    if (should_fold(a, b)) return matmul_fold(fn, a, b);
    return matmul_batched(fn, a, b);
}

static tg_tensor *matmul_batched(const char *fn, const tg_tensor *a, const tg_tensor *b) {
    int d1 = a->ndim, d2 = b->ndim;
    int64_t n = d1 > 1 ? a->shape[d1 - 2] : 1, m1 = a->shape[d1 - 1];
    int64_t m2 = d2 > 1 ? b->shape[d2 - 2] : b->shape[0], p = d2 > 1 ? b->shape[d2 - 1] : 1;
    int nb1 = d1 > 2 ? d1 - 2 : 0, nb2 = d2 > 2 ? d2 - 2 : 0;
    /* a batch of one that requires grad is squeezed away so its gradient is not expanded */
    if (d1 == 3 && d2 == 3 && a->shape[0] != b->shape[0]) {
        if (a->shape[0] == 1 && tgi_requires_grad(a)) {
            tg_tensor *a2 = squeeze_view(a, 0, TGI_OP_LINALG_SQUEEZE_DIM);
            return a2 ? matmul_impl(fn, a2, b) : NULL;
        }
        if (b->shape[0] == 1 && tgi_requires_grad(b)) {
            tg_tensor *b2 = squeeze_view(b, 0, TGI_OP_LINALG_SQUEEZE_DIM);
            return b2 ? matmul_impl(fn, a, b2) : NULL;
        }
    }
    int64_t shape[TG_MAX_DIMS + 2];
    int nbatch;
    if (tgi_broadcast_shapes(a->ctx, fn, a->shape, nb1, b->shape, nb2, shape, &nbatch) != TG_OK)
        return NULL;
    int64_t batch = prod(shape, nbatch);
    /* a: expand to [batch..., n, m1] (a 1-D a is a row), reshape to [B, n, m1] */
    shape[nbatch] = n;
    shape[nbatch + 1] = m1;
    int64_t s3[3] = {batch, n, m1};
    tg_tensor *a3 = tg_reshape(tg_expand(a, shape, nbatch + 2), s3, 3);
    /* b: expand to [batch..., m2(, p)], reshape to [B, m2, p] (a 1-D b becomes a column) */
    shape[nbatch] = m2;
    shape[nbatch + 1] = p;
    tg_tensor *b3;
    if (d2 == 1) {
        int64_t s2[2] = {batch, m2};
        b3 = tg_unsqueeze(tg_reshape(tg_expand(b, shape, nbatch + 1), s2, 2), 2);
    } else {
        int64_t t3[3] = {batch, m2, p};
        b3 = tg_reshape(tg_expand(b, shape, nbatch + 2), t3, 3);
    }
    if (!a3 || !b3) return NULL;
    int nout = nbatch;
    if (d1 > 1) shape[nout++] = n;
    if (d2 > 1) shape[nout++] = p;
    tg_tensor *r = bmm_impl(fn, a3, b3);
    if (r && d2 == 1) r = squeeze_view(r, 2, TGI_OP_LINALG_SQUEEZE_DIM);
    return unsafe_view(r, shape, nout);
}

tg_tensor *tg_matmul(const tg_tensor *a, const tg_tensor *b) {
    if (!a || !b) return null2("tg_matmul", a, b, "self", "other");
    return matmul_impl("tg_matmul", a, b);
}

/* ---------------------------------------------------------------- linear */

/* PyTorch 2.x's _flatten_nd_linear: addmm on input viewed as [prod(leading), in], then viewed
 * back to [leading..., out]. */
static tg_tensor *linear_flat(const char *fn, const tg_tensor *x, const tg_tensor *wt,
                              const tg_tensor *bias) {
    int64_t flat[2] = {prod(x->shape, x->ndim - 1), x->shape[x->ndim - 1]};
    tg_tensor *x2 = tg_reshape(x, flat, 2);
    tg_tensor *r = x2 ? addmm_impl(fn, bias, x2, wt, 1, 1) : NULL;
    if (!r) return NULL;
    int64_t shape[TG_MAX_DIMS];
    memcpy(shape, x->shape, sizeof(int64_t) * (size_t)(x->ndim - 1));
    shape[x->ndim - 1] = r->shape[1];
    return tg_view(r, shape, x->ndim);
}

tg_tensor *tg_linear(const tg_tensor *x, const tg_tensor *weight, const tg_tensor *bias) {
    static const char fn[] = "tg_linear";
    if (!x || !weight) return null2(fn, x, weight, "input", "weight");
    tg_ctx *ctx = x->ctx;
    if (x->ndim == 0 || weight->ndim == 0)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: both arguments to linear need to be at least 1D, but they are %dD "
                         "and %dD",
                         fn, x->ndim, weight->ndim),
               NULL;
    if (weight->ndim > 2)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: t() expects a tensor with <= 2 dimensions, but self is %dD", fn,
                         weight->ndim),
               NULL;
    tg_tensor *wt = tg_t(weight);
    if (!wt) return NULL;
    if (bias && x->ndim == 2) return addmm_impl(fn, bias, x, wt, 1, 1);
    if (bias && x->contiguous && (x->ndim == 3 || bias->ndim == 1))
        return linear_flat(fn, x, wt, bias);
    tg_tensor *out = matmul_impl(fn, x, wt);
    if (!out || !bias) return out;
    /* output.add_(bias): bias must broadcast to the output's shape and dtype */
    int64_t bshape[TG_MAX_DIMS];
    int nb;
    if (tgi_broadcast_shapes(ctx, fn, out->shape, out->ndim, bias->shape, bias->ndim, bshape,
                             &nb) != TG_OK)
        return NULL;
    if (!tgi_same_shape(bshape, nb, out->shape, out->ndim)) {
        char o[160], s[160];
        tgi_fmt_shape(o, sizeof o, out->shape, out->ndim);
        tgi_fmt_shape(s, sizeof s, bshape, nb);
        tgi_error(ctx, TG_ERR_SHAPE, "%s: output with shape %s doesn't match the broadcast shape %s",
                  fn, o, s);
        return NULL;
    }
    tg_dtype rt = tgi_result_type(out, bias);
    if (!tgi_can_cast(rt, out->dtype)) {
        tgi_error(ctx, TG_ERR_DTYPE,
                  "%s: result type %s can't be cast to the desired output type %s", fn,
                  tgi_dtype_cname(rt), tgi_dtype_cname(out->dtype));
        return NULL;
    }
    return tg_add_(out, bias) == TG_OK ? out : NULL;
}
