/*
 * linalg_gemm.c — the matrix-product kernels: a cache-blocked, packed GEMM for float (4 x 8
 * register tile) and double (4 x 4), instantiated from linalg_gemm_impl.h; the int64 loop; and
 * the plain triple-loop references that tests use as the oracle. Accumulation is in the element
 * type, as BLAS does (the references sum float products in double).
 */
#include "linalg.h"

#include <stdlib.h>

/* Unrolls the fixed-size register-tile loops so the tile stays in registers (GCC and clang). */
#if defined(__GNUC__)
#define TGI_UNROLL _Pragma("GCC unroll 16")
#else
#define TGI_UNROLL
#endif

#define T float
#define SUF f32
#define MR 4
#define NR 8
#define KC 256
#define MC 128
#define NC 2048
#include "linalg_gemm_impl.h"
#undef T
#undef SUF
#undef MR
#undef NR
#undef KC
#undef MC
#undef NC

#define T double
#define SUF f64
#define MR 4
#define NR 4
#define KC 256
#define MC 64
#define NC 1024
#include "linalg_gemm_impl.h"
#undef T
#undef SUF
#undef MR
#undef NR
#undef KC
#undef MC
#undef NC

void tgi_gemm_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t sa0, int64_t sa1,
                  const float *b, int64_t sb0, int64_t sb1, float *c, int64_t ldc) {
    gemm_f32(m, n, k, a, sa0, sa1, b, sb0, sb1, c, ldc);
}

void tgi_gemm_f64(int64_t m, int64_t n, int64_t k, const double *a, int64_t sa0, int64_t sa1,
                  const double *b, int64_t sb0, int64_t sb1, double *c, int64_t ldc) {
    gemm_f64(m, n, k, a, sa0, sa1, b, sb0, sb1, c, ldc);
}

void tgi_gemm_i64(int64_t m, int64_t n, int64_t k, const int64_t *a, int64_t sa0, int64_t sa1,
                  const int64_t *b, int64_t sb0, int64_t sb1, int64_t *c, int64_t ldc) {
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            uint64_t acc = 0; /* unsigned: overflow wraps instead of being undefined */
            for (int64_t p = 0; p < k; p++)
                acc += (uint64_t)a[i * sa0 + p * sa1] * (uint64_t)b[p * sb0 + j * sb1];
            c[i * ldc + j] = (int64_t)acc;
        }
}

void tgi_gemm_ref_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t sa0, int64_t sa1,
                      const float *b, int64_t sb0, int64_t sb1, float *c, int64_t ldc) {
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double acc = 0;
            for (int64_t p = 0; p < k; p++)
                acc += (double)a[i * sa0 + p * sa1] * (double)b[p * sb0 + j * sb1];
            c[i * ldc + j] = (float)acc;
        }
}

void tgi_gemm_ref_f64(int64_t m, int64_t n, int64_t k, const double *a, int64_t sa0,
                      int64_t sa1, const double *b, int64_t sb0, int64_t sb1, double *c,
                      int64_t ldc) {
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double acc = 0;
            for (int64_t p = 0; p < k; p++) acc += a[i * sa0 + p * sa1] * b[p * sb0 + j * sb1];
            c[i * ldc + j] = acc;
        }
}

void tgi_gemm(tg_dtype dtype, int64_t m, int64_t n, int64_t k, const void *a, int64_t sa0,
              int64_t sa1, const void *b, int64_t sb0, int64_t sb1, void *c, int64_t ldc) {
    switch (dtype) {
    case TG_FLOAT32: gemm_f32(m, n, k, a, sa0, sa1, b, sb0, sb1, c, ldc); break;
    case TG_FLOAT64: gemm_f64(m, n, k, a, sa0, sa1, b, sb0, sb1, c, ldc); break;
    case TG_INT64: tgi_gemm_i64(m, n, k, a, sa0, sa1, b, sb0, sb1, c, ldc); break;
    default: break; /* callers reject bool with PyTorch's message */
    }
}
