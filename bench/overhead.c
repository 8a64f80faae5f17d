/*
 * overhead.c — per-op overhead of tensorgrad on a tiny tensor: y = y * 1.0001 + 0.5 repeated
 * 1000 times (2000 recorded ops) from a 2x2 float32 x that requires grad, then sum + backward.
 * Validates x.grad and y against the closed form first, then times forward alone and
 * forward+backward and prints one machine-readable line for tools/run_bench.sh; the libtorch and
 * PyTorch twins are bench/overhead_libtorch.cpp and bench/overhead.py.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime when built outside the Makefile */
#endif
#include "tensorgrad.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define STEPS 1000           /* loop iterations: each records mul_scalar and add_scalar */
#define OPS (2 * STEPS)      /* recorded ops per forward */
#define MUL 1.0001
#define ADD 0.5
/* float32 tolerance: 2000 roundings of at most 2^-24 relative each, amplified by at most
 * 1.0001^1000 ~ 1.105, bound the drift from the double-precision closed form by ~1.3e-4. */
#define REL_TOL 2e-4

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int fail(tg_ctx *ctx, const char *what) {
    fprintf(stderr, "overhead: %s: %s\n", what, tg_errmsg(ctx));
    return 1;
}

/* The workload's forward: 2000 ops on y, starting from x. */
static tg_tensor *forward(tg_tensor *x) {
    tg_tensor *y = x;
    for (int i = 0; i < STEPS; i++) y = tg_add_scalar(tg_mul_scalar(y, MUL), ADD);
    return y;
}

/* One forward (+ sum + backward when with_backward) inside its own scope, so memory stays
 * flat. Returns 0 on success. */
static int one_rep(tg_ctx *ctx, tg_tensor *x, int with_backward) {
    if (tg_scope_begin(ctx) != TG_OK) return 1;
    tg_tensor *y = forward(x);
    int bad = (y == NULL);
    if (!bad && with_backward) {
        tg_zero_grad(x); /* x.grad = None, as the libtorch and Python twins do */
        bad = tg_backward(tg_sum(y), NULL) != TG_OK;
    }
    if (tg_scope_end(ctx) != TG_OK) bad = 1;
    return bad;
}

/* Times `runs` runs of `reps` repetitions; stores median and min microseconds per op. */
static int time_it(tg_ctx *ctx, tg_tensor *x, int with_backward, int runs, int reps,
                   double *med_us, double *min_us) {
    double *per_op = malloc((size_t)runs * sizeof *per_op);
    if (!per_op) return 1;
    for (int r = 0; r < reps; r++) /* warm-up: allocator pools, caches, branch predictors */
        if (one_rep(ctx, x, with_backward)) { free(per_op); return 1; }
    for (int k = 0; k < runs; k++) {
        double t0 = now_s();
        for (int r = 0; r < reps; r++)
            if (one_rep(ctx, x, with_backward)) { free(per_op); return 1; }
        per_op[k] = (now_s() - t0) * 1e6 / ((double)reps * OPS);
    }
    qsort(per_op, (size_t)runs, sizeof *per_op, cmp_double);
    *min_us = per_op[0];
    *med_us = runs % 2 ? per_op[runs / 2] : 0.5 * (per_op[runs / 2 - 1] + per_op[runs / 2]);
    free(per_op);
    return 0;
}

/* Relative difference, guarded for zero. */
static double rel_diff(double got, double want) {
    return fabs(got - want) / fmax(fabs(want), 1e-30);
}

int main(int argc, char **argv) {
    int runs = argc > 1 ? atoi(argv[1]) : 21;
    int reps = argc > 2 ? atoi(argv[2]) : 200;
    if (runs < 1 || reps < 1) {
        fprintf(stderr, "usage: %s [runs>=1 [reps>=1]]\n", argv[0]);
        return 2;
    }
    tg_ctx *ctx = tg_ctx_new();
    if (!ctx) { fprintf(stderr, "overhead: tg_ctx_new failed\n"); return 1; }

    /* ---- validation: x = [[1,2],[3,4]], one forward + sum + backward */
    tg_tensor *x = tg_tensor_parse(ctx, "[[1, 2], [3, 4]]", TG_FLOAT32);
    if (!x || tg_requires_grad_(x, true) != TG_OK) return fail(ctx, "making x");
    if (tg_scope_begin(ctx) != TG_OK) return fail(ctx, "tg_scope_begin");
    tg_tensor *y = forward(x);
    if (!y || tg_backward(tg_sum(y), NULL) != TG_OK) return fail(ctx, "validation run");
    float yv[4], gv[4];
    const tg_tensor *g = tg_tensor_grad(x);
    if (!g) { fprintf(stderr, "overhead: x.grad is NULL after backward\n"); return 1; }
    if (tg_tensor_copy_out(y, yv, sizeof yv) != TG_OK || tg_tensor_copy_out(g, gv, sizeof gv) != TG_OK)
        return fail(ctx, "copying results out");
    if (tg_scope_end(ctx) != TG_OK) return fail(ctx, "tg_scope_end");

    /* closed form: dy_k/dx = 1.0001^k for every element; y by iterating in double */
    const double want_grad = pow(MUL, STEPS);
    int ok = 1;
    for (int i = 0; i < 4; i++) {
        double want_y = (double)(i + 1);
        for (int k = 0; k < STEPS; k++) want_y = want_y * MUL + ADD;
        if (rel_diff(yv[i], want_y) > REL_TOL || rel_diff(gv[i], want_grad) > REL_TOL) {
            fprintf(stderr,
                    "overhead: VALIDATION FAILED at element %d: y=%.9g (want %.9g), "
                    "grad=%.9g (want %.9g), relative tolerance %g\n",
                    i, (double)yv[i], want_y, (double)gv[i], want_grad, REL_TOL);
            ok = 0;
        }
    }
    if (!ok) return 1;

    /* ---- timing */
    tg_memstats before = tg_ctx_memstats(ctx);
    double fwd_med, fwd_min, fb_med, fb_min;
    if (time_it(ctx, x, 0, runs, reps, &fwd_med, &fwd_min)) return fail(ctx, "timing forward");
    if (time_it(ctx, x, 1, runs, reps, &fb_med, &fb_min)) return fail(ctx, "timing fwd+bwd");
    tg_zero_grad(x);
    tg_memstats after = tg_ctx_memstats(ctx);
    if (after.tensors > before.tensors || after.nodes > before.nodes ||
        after.storages > before.storages) {
        fprintf(stderr,
                "overhead: memory grew during timing (tensors %lld -> %lld, nodes %lld -> %lld, "
                "storages %lld -> %lld): scopes are not releasing the graph\n",
                (long long)before.tensors, (long long)after.tensors, (long long)before.nodes,
                (long long)after.nodes, (long long)before.storages, (long long)after.storages);
        return 1;
    }

    printf("tensorgrad forward_us_per_op=%.4f forward_min_us_per_op=%.4f "
           "fwdbwd_us_per_op=%.4f fwdbwd_min_us_per_op=%.4f runs=%d reps=%d "
           "grad=%.9g,%.9g,%.9g,%.9g y=%.9g,%.9g,%.9g,%.9g\n",
           fwd_med, fwd_min, fb_med, fb_min, runs, reps, (double)gv[0], (double)gv[1],
           (double)gv[2], (double)gv[3], (double)yv[0], (double)yv[1], (double)yv[2],
           (double)yv[3]);
    tg_ctx_free(ctx);
    return 0;
}
