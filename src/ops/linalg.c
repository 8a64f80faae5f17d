/*
 * linalg.c — matrix products: mm and 2-D matmul, with MmBackward0.
 * The kernel is the plain strided reference (i-k-j order, so the inner loop runs along
 * contiguous rows of b and c); accumulation is in the element type, as BLAS does.
 */
#include "ops.h"

#include <string.h>

/* c[m,n] = a[m,k] @ b[k,n] for strided a, b and a contiguous zeroed c. */
#define MM_KERNEL(NAME, T)                                                                     \
    static void NAME(const tg_tensor *a, const tg_tensor *b, tg_tensor *c) {                  \
        const T *A = (const T *)a->storage->data + a->offset;                                  \
        const T *B = (const T *)b->storage->data + b->offset;                                  \
        T *C = (T *)c->storage->data;                                                          \
        int64_t M = a->shape[0], K = a->shape[1], N = b->shape[1];                             \
        int64_t as0 = a->strides[0], as1 = a->strides[1];                                      \
        int64_t bs0 = b->strides[0], bs1 = b->strides[1];                                      \
        for (int64_t i = 0; i < M * N; i++) C[i] = 0;                                          \
        for (int64_t i = 0; i < M; i++) {                                                      \
            T *crow = C + i * N;                                                               \
            for (int64_t k = 0; k < K; k++) {                                                  \
                T aik = A[i * as0 + k * as1];                                                  \
                const T *brow = B + k * bs0;                                                   \
                if (bs1 == 1)                                                                  \
                    for (int64_t j = 0; j < N; j++) crow[j] += aik * brow[j];                  \
                else                                                                           \
                    for (int64_t j = 0; j < N; j++) crow[j] += aik * brow[j * bs1];            \
            }                                                                                  \
        }                                                                                      \
    }

MM_KERNEL(mm_f, float)
MM_KERNEL(mm_d, double)

static void mm_l(const tg_tensor *a, const tg_tensor *b, tg_tensor *c) {
    const int64_t *A = (const int64_t *)a->storage->data + a->offset;
    const int64_t *B = (const int64_t *)b->storage->data + b->offset;
    int64_t *C = (int64_t *)c->storage->data;
    int64_t M = a->shape[0], K = a->shape[1], N = b->shape[1];
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            uint64_t acc = 0;
            for (int64_t k = 0; k < K; k++)
                acc += (uint64_t)A[i * a->strides[0] + k * a->strides[1]] *
                       (uint64_t)B[k * b->strides[0] + j * b->strides[1]];
            C[i * N + j] = (int64_t)acc;
        }
}

static tg_tensor *mm_impl(const char *fn, const tg_tensor *a, const tg_tensor *b) {
    if (!a || !b) return tgi_null_arg(a ? a->ctx : b ? b->ctx : NULL, fn, !a ? "self" : "mat2"), NULL;
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
    if (a->dtype == TG_FLOAT32) mm_f(a, b, c);
    else if (a->dtype == TG_FLOAT64) mm_d(a, b, c);
    else mm_l(a, b, c);
    const tg_tensor *in[2] = {a, b};
    if (tgi_is_floating(c->dtype) && tgi_should_record(ctx, in, 2)) {
        tg_node *n = tgi_record(c, TGI_OP_MM, in, 2);
        tg_status st = n ? TG_OK : ctx->err;
        /* mat1's gradient needs mat2 and vice versa: saved in that order, when needed */
        if (n && tgi_needs(n, 0)) st = tgi_save(n, b, false);
        if (n && st == TG_OK && tgi_needs(n, 1)) st = tgi_save(n, a, false);
        if (st != TG_OK) {
            tgi_tensor_decref(c);
            return NULL;
        }
    }
    return tgi_own(c);
}

tg_tensor *tg_mm(const tg_tensor *a, const tg_tensor *b) { return mm_impl("tg_mm", a, b); }

tg_tensor *tg_matmul(const tg_tensor *a, const tg_tensor *b) {
    if (a && b && (a->ndim != 2 || b->ndim != 2)) {
        tgi_error(a->ctx, TG_ERR_SHAPE,
                  "tg_matmul: only 2-D operands are supported so far (got %dD and %dD); 1-D and "
                  "batched matmul come with the full op set",
                  a->ndim, b->ndim);
        return NULL;
    }
    return mm_impl("tg_matmul", a, b);
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
