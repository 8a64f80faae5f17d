/*
 * linalg_gemm_impl.h — the blocked GEMM body, included by linalg_gemm.c once per element type
 * with T (float or double), SUF (f32, f64), and the block sizes MR, NR (register tile), KC
 * (depth of a packed panel), MC (rows of packed A) and NC (columns of packed B) defined.
 * Not a header of its own: it defines static functions for that one type.
 */

#define GEMM_CAT2(a, b) a##_##b
#define GEMM_CAT(a, b) GEMM_CAT2(a, b)
#define GEMM_FN(name) GEMM_CAT(name, SUF)

/* The micro-kernel: c[0:mr, 0:nr] (=, or += when accumulate) a_panel b_panel, where a is kc
 * packed columns of MR rows (a[p * MR + i]) and b is kc packed rows of NR columns
 * (b[p * NR + j]). The MR x NR accumulator tile is unrolled into registers and its rows are
 * updated along contiguous NR-wide vectors. */
static void GEMM_FN(micro)(int64_t kc, const T *restrict a, const T *restrict b, T *restrict c,
                           int64_t ldc, int64_t mr, int64_t nr, bool accumulate) {
    T acc[MR][NR];
    TGI_UNROLL
    for (int i = 0; i < MR; i++) {
        TGI_UNROLL
        for (int j = 0; j < NR; j++) acc[i][j] = 0;
    }
    for (int64_t p = 0; p < kc; p++) {
        const T *ap = a + p * MR, *bp = b + p * NR;
        TGI_UNROLL
        for (int i = 0; i < MR; i++) {
            T ai = ap[i];
            TGI_UNROLL
            for (int j = 0; j < NR; j++) acc[i][j] += ai * bp[j];
        }
    }
    if (mr == MR && nr == NR) {
        if (accumulate) {
            TGI_UNROLL
            for (int i = 0; i < MR; i++) {
                TGI_UNROLL
                for (int j = 0; j < NR; j++) c[i * ldc + j] += acc[i][j];
            }
        } else {
            TGI_UNROLL
            for (int i = 0; i < MR; i++) {
                TGI_UNROLL
                for (int j = 0; j < NR; j++) c[i * ldc + j] = acc[i][j];
            }
        }
        return;
    }
    for (int64_t i = 0; i < mr; i++)
        for (int64_t j = 0; j < nr; j++)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

/* Packs A[0:mc, 0:kc] (strides s0, s1) into ceil(mc / MR) panels of kc x MR, zero-padded. */
static void GEMM_FN(pack_a)(int64_t mc, int64_t kc, const T *a, int64_t s0, int64_t s1,
                            T *restrict dst) {
    for (int64_t i0 = 0; i0 < mc; i0 += MR, dst += kc * MR) {
        int64_t rows = mc - i0 < MR ? mc - i0 : MR;
        const T *src = a + i0 * s0;
        if (rows == MR && s0 == 1) { /* column-major A: each packed column is contiguous */
            for (int64_t p = 0; p < kc; p++)
                for (int i = 0; i < MR; i++) dst[p * MR + i] = src[p * s1 + i];
            continue;
        }
        for (int64_t p = 0; p < kc; p++) {
            int64_t i = 0;
            for (; i < rows; i++) dst[p * MR + i] = src[i * s0 + p * s1];
            for (; i < MR; i++) dst[p * MR + i] = 0;
        }
    }
}

/* Packs B[0:kc, 0:nc] (strides s0, s1) into ceil(nc / NR) panels of kc x NR, zero-padded. */
static void GEMM_FN(pack_b)(int64_t kc, int64_t nc, const T *b, int64_t s0, int64_t s1,
                            T *restrict dst) {
    for (int64_t j0 = 0; j0 < nc; j0 += NR, dst += kc * NR) {
        int64_t cols = nc - j0 < NR ? nc - j0 : NR;
        const T *src = b + j0 * s1;
        if (cols == NR && s1 == 1) { /* row-major B: each packed row is contiguous */
            for (int64_t p = 0; p < kc; p++)
                for (int j = 0; j < NR; j++) dst[p * NR + j] = src[p * s0 + j];
            continue;
        }
        for (int64_t p = 0; p < kc; p++) {
            int64_t j = 0;
            for (; j < cols; j++) dst[p * NR + j] = src[p * s0 + j * s1];
            for (; j < NR; j++) dst[p * NR + j] = 0;
        }
    }
}

/* y += alpha x over n contiguous elements, in fixed-width chunks the compiler vectorizes
 * (restrict parameters: no aliasing checks needed). */
static inline void GEMM_FN(axpy)(int64_t n, T alpha, const T *restrict x, T *restrict y) {
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        TGI_UNROLL
        for (int u = 0; u < 8; u++) y[j + u] += alpha * x[j + u];
    }
    for (; j < n; j++) y[j] += alpha * x[j];
}

/* Small products: row i of C accumulates a[i,k] * row k of B, so the inner loop runs along a
 * row of B and of C (contiguous when B is row-major). */
static void GEMM_FN(direct)(int64_t m, int64_t n, int64_t k, const T *a, int64_t sa0,
                            int64_t sa1, const T *b, int64_t sb0, int64_t sb1, T *c,
                            int64_t ldc) {
    for (int64_t i = 0; i < m; i++) {
        T *restrict crow = c + i * ldc;
        for (int64_t j = 0; j < n; j++) crow[j] = 0;
        for (int64_t p = 0; p < k; p++) {
            T aip = a[i * sa0 + p * sa1];
            const T *brow = b + p * sb0;
            if (sb1 != 1) {
                for (int64_t j = 0; j < n; j++) crow[j] += aip * brow[j * sb1];
                continue;
            }
            GEMM_FN(axpy)(n, aip, brow, crow);
        }
    }
}

/* C = A B: B is packed KC x NC at a time and A MC x KC at a time (copies that make every
 * operand layout, transposed or broadcast, look the same to the micro-kernel and keep the
 * working set in cache); each MR x NR tile of C then gets one micro-kernel call per KC slice. */
static void GEMM_FN(gemm)(int64_t m, int64_t n, int64_t k, const T *a, int64_t sa0, int64_t sa1,
                          const T *b, int64_t sb0, int64_t sb1, T *c, int64_t ldc) {
    if (m == 0 || n == 0) return;
    bool small = m < MR || n < NR || k < 8 || (double)m * (double)n * (double)k < 32768.0;
    T *pa = NULL, *pb = NULL;
    if (!small) {
        int64_t kcap = k < KC ? k : KC;
        int64_t ncap = (n < NC ? n : NC) + NR;
        int64_t mcap = (m < MC ? m : MC) + MR;
        pa = malloc(sizeof(T) * (size_t)(mcap * kcap));
        pb = malloc(sizeof(T) * (size_t)(ncap * kcap));
    }
    if (!pa || !pb) { /* small, or no memory for the panels: the direct loop needs none */
        free(pa);
        free(pb);
        GEMM_FN(direct)(m, n, k, a, sa0, sa1, b, sb0, sb1, c, ldc);
        return;
    }
    for (int64_t jc = 0; jc < n; jc += NC) {
        int64_t nc = n - jc < NC ? n - jc : NC;
        for (int64_t pc = 0; pc < k; pc += KC) {
            int64_t kc = k - pc < KC ? k - pc : KC;
            GEMM_FN(pack_b)(kc, nc, b + pc * sb0 + jc * sb1, sb0, sb1, pb);
            for (int64_t ic = 0; ic < m; ic += MC) {
                int64_t mc = m - ic < MC ? m - ic : MC;
                GEMM_FN(pack_a)(mc, kc, a + ic * sa0 + pc * sa1, sa0, sa1, pa);
                for (int64_t jr = 0; jr < nc; jr += NR)
                    for (int64_t ir = 0; ir < mc; ir += MR)
                        GEMM_FN(micro)(kc, pa + ir * kc, pb + jr * kc,
                                       c + (ic + ir) * ldc + jc + jr, ldc,
                                       mc - ir < MR ? mc - ir : MR, nc - jr < NR ? nc - jr : NR,
                                       pc > 0);
            }
        }
    }
    free(pa);
    free(pb);
}

#undef GEMM_FN
#undef GEMM_CAT
#undef GEMM_CAT2
