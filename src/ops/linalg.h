/*
 * linalg.h — the matrix-product kernels of src/ops/linalg_gemm.c: a cache-blocked, packed GEMM
 * for float and double, an int64 loop, and the plain reference loops that tests use as their
 * oracle. Shared by the linalg ops (linalg.c), tests/test_linalg.c and bench/matmul.c.
 */
#ifndef TG_LINALG_H
#define TG_LINALG_H

#include "internal.h"

/* C = A B, overwriting C. A is m x k with element strides (sa0, sa1), B is k x n with strides
 * (sb0, sb1): any strides, including 0 (broadcast) and transposed layouts. C is m x n, row-major,
 * row stride ldc and column stride 1. k == 0 gives zeros. Products of IEEE specials follow the
 * plain formula (0 * inf is nan: nothing is skipped). */
TGI_HIDDEN void tgi_gemm_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t sa0,
                             int64_t sa1, const float *b, int64_t sb0, int64_t sb1, float *c,
                             int64_t ldc);
TGI_HIDDEN void tgi_gemm_f64(int64_t m, int64_t n, int64_t k, const double *a, int64_t sa0,
                             int64_t sa1, const double *b, int64_t sb0, int64_t sb1, double *c,
                             int64_t ldc);
/* Wrapping (two's complement) int64 arithmetic, as PyTorch's integer matmul. */
TGI_HIDDEN void tgi_gemm_i64(int64_t m, int64_t n, int64_t k, const int64_t *a, int64_t sa0,
                             int64_t sa1, const int64_t *b, int64_t sb0, int64_t sb1, int64_t *c,
                             int64_t ldc);

/* The same products by the textbook triple loop (float sums accumulated in double): the
 * readable oracle the fast kernels are tested against. */
TGI_HIDDEN void tgi_gemm_ref_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t sa0,
                                 int64_t sa1, const float *b, int64_t sb0, int64_t sb1, float *c,
                                 int64_t ldc);
TGI_HIDDEN void tgi_gemm_ref_f64(int64_t m, int64_t n, int64_t k, const double *a, int64_t sa0,
                                 int64_t sa1, const double *b, int64_t sb0, int64_t sb1,
                                 double *c, int64_t ldc);

/* Dispatches on dtype (float32, float64 or int64) with untyped pointers already offset to the
 * first element. */
TGI_HIDDEN void tgi_gemm(tg_dtype dtype, int64_t m, int64_t n, int64_t k, const void *a,
                         int64_t sa0, int64_t sa1, const void *b, int64_t sb0, int64_t sb1,
                         void *c, int64_t ldc);

#endif
