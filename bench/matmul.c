/*
 * matmul.c — float32 GEMM throughput of tg_mm on square n x n matrices (n = 256, 512, 1024).
 * Each size is validated first against the plain reference loop (tgi_gemm_ref_f32, float
 * products summed in double) within a k * eps bound, then timed (best and median of several
 * runs, allocation of the result included) and reported in GFLOP/s (2 n^3 flops per product).
 * Usage: build/bench/matmul [runs]   (exits non-zero when validation fails)
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime when built outside the Makefile */
#endif
#include "tensorgrad.h"

#include "../src/ops/linalg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* tg_mm(a, b) against the reference: |c - ref| <= 2 (n + 2) eps sum_k |a||b| everywhere. */
static int validate(tg_tensor *a, tg_tensor *b, tg_tensor *c, int64_t n, double *max_rel) {
    size_t bytes = (size_t)(n * n) * sizeof(float);
    float *av = malloc(bytes), *bv = malloc(bytes), *cv = malloc(bytes), *ref = malloc(bytes);
    float *aa = malloc(bytes), *ba = malloc(bytes), *bound = malloc(bytes);
    int ok = av && bv && cv && ref && aa && ba && bound &&
             tg_tensor_copy_out(a, av, bytes) == TG_OK && tg_tensor_copy_out(b, bv, bytes) == TG_OK &&
             tg_tensor_copy_out(c, cv, bytes) == TG_OK;
    if (ok) {
        for (int64_t i = 0; i < n * n; i++) aa[i] = fabsf(av[i]), ba[i] = fabsf(bv[i]);
        tgi_gemm_ref_f32(n, n, n, av, n, 1, bv, n, 1, ref, n);
        tgi_gemm_ref_f32(n, n, n, aa, n, 1, ba, n, 1, bound, n);
        *max_rel = 0;
        for (int64_t i = 0; i < n * n && ok; i++) {
            double d = fabs((double)cv[i] - ref[i]);
            ok = d <= 2.0 * (double)(n + 2) * 1.2e-7 * bound[i];
            if (bound[i] > 0 && d / bound[i] > *max_rel) *max_rel = d / bound[i];
        }
    }
    free(av), free(bv), free(cv), free(ref), free(aa), free(ba), free(bound);
    return ok;
}

int main(int argc, char **argv) {
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    if (runs < 1) runs = 1;
    tg_ctx *ctx = tg_ctx_new();
    if (!ctx) return 1;
    tg_manual_seed(ctx, 0);
    int status = 0;
    printf("float32 GEMM, tg_mm(a, b) on n x n matrices, single thread; %d runs per size\n", runs);
    for (int64_t n = 256; n <= 1024; n *= 2) {
        tg_scope_begin(ctx);
        tg_tensor *a = tg_randn(ctx, (int64_t[]){n, n}, 2, TG_FLOAT32);
        tg_tensor *b = tg_randn(ctx, (int64_t[]){n, n}, 2, TG_FLOAT32);
        tg_tensor *c = tg_mm(a, b);
        double max_rel = 0;
        if (!c || !validate(a, b, c, n, &max_rel)) {
            fprintf(stderr, "matmul: n=%lld: VALIDATION FAILED %s\n", (long long)n, tg_errmsg(ctx));
            status = 1;
            tg_scope_end(ctx);
            break;
        }
        double t[64];
        int nr = runs < 64 ? runs : 64;
        for (int r = 0; r < nr; r++) {
            tg_scope_begin(ctx);
            double t0 = now_s();
            tg_tensor *r_ = tg_mm(a, b);
            t[r] = now_s() - t0;
            if (!r_) status = 1;
            tg_scope_end(ctx);
        }
        qsort(t, (size_t)nr, sizeof t[0], cmp_double);
        double flops = 2.0 * (double)n * (double)n * (double)n;
        printf("matmul n=%-5lld best %8.2f ms  %6.2f GFLOP/s   median %8.2f ms  %6.2f GFLOP/s"
               "   (validated: max |err| / sum|a||b| = %.2g)\n",
               (long long)n, 1e3 * t[0], flops / t[0] / 1e9, 1e3 * t[nr / 2],
               flops / t[nr / 2] / 1e9, max_rel);
        tg_scope_end(ctx);
    }
    tg_ctx_free(ctx);
    return status;
}
