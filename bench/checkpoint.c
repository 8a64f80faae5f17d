/*
 * checkpoint.c — what activation checkpointing buys: a 16-layer tanh MLP (batch 512, width 256,
 * float32), forward + backward, plain and with each 4-layer segment checkpointed. Validates that
 * both give the same gradient, then prints peak tensor memory and time for each, as
 * "tensorgrad_checkpoint key=value" lines that tools/run_bench.sh compares with PyTorch.
 */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "tensorgrad.h"

#define LAYERS 16
#define SEG 4
#define B 512
#define W 256

static tg_tensor *weights[LAYERS];

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* one segment: h = tanh(h @ W) for the SEG weights passed after h (every tensor that needs a
 * gradient is an input of the checkpointed function) */
static tg_tensor *segment(tg_tensor *const *in, int n, void *user) {
    (void)user;
    tg_tensor *h = in[0];
    for (int l = 1; l < n; l++) h = tg_tanh(tg_mm(h, in[l]));
    return h;
}

/* one forward + backward; returns seconds and fills *peak and grad checksum */
static double run(tg_ctx *ctx, tg_tensor *x, bool ckpt, int64_t *peak, double *checksum) {
    tg_scope_begin(ctx);
    for (int l = 0; l < LAYERS; l++) tg_zero_grad(weights[l]);
    tg_ctx_reset_peak(ctx);
    double t0 = now();
    tg_tensor *h = x;
    for (int s = 0; s < LAYERS / SEG; s++) {
        tg_tensor *in[SEG + 1] = {h};
        for (int l = 0; l < SEG; l++) in[l + 1] = weights[s * SEG + l];
        if (ckpt) tg_checkpoint(segment, in, SEG + 1, NULL, &h);
        else h = segment(in, SEG + 1, NULL);
    }
    tg_backward(tg_sum(h), NULL);
    double t = now() - t0;
    *peak = tg_ctx_memstats(ctx).peak_storage_bytes;
    double sum = 0; /* sum |dL/dW| over the first and last layers */
    for (int l = 0; l < LAYERS; l += LAYERS - 1) {
        tg_tensor *g = tg_tensor_grad(weights[l]);
        for (int64_t i = 0; g && i < tg_tensor_numel(g); i++) sum += fabs(tg_tensor_get(g, i));
    }
    *checksum = sum;
    tg_scope_end(ctx);
    return t;
}

int main(void) {
    tg_ctx *ctx = tg_ctx_new();
    /* deterministic inputs both sides can build:
     * w[l][i][j] = 0.1 (sin(0.37 i + 0.91 j + l) + cos(1.7 i j / W + 0.3 l)) */
    static float buf[(B > W ? B : W) * W];
    for (int l = 0; l < LAYERS; l++) {
        for (int i = 0; i < W; i++)
            for (int j = 0; j < W; j++) buf[i * W + j] = (float)(0.1 * (sin(0.37 * i + 0.91 * j + l) +
                                                  cos(1.7 * i * j / W + 0.3 * l)));
        weights[l] = tg_tensor_new(ctx, buf, TG_SHAPE(W, W), TG_FLOAT32);
        tg_requires_grad_(weights[l], true);
    }
    for (int i = 0; i < B; i++)
        for (int j = 0; j < W; j++) buf[i * W + j] = (float)cos(0.13 * i - 0.29 * j);
    tg_tensor *x = tg_tensor_new(ctx, buf, TG_SHAPE(B, W), TG_FLOAT32);

    int64_t peak_plain, peak_ckpt;
    double sum_plain, sum_ckpt, t_plain = 1e9, t_ckpt = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        double t = run(ctx, x, false, &peak_plain, &sum_plain);
        if (t < t_plain) t_plain = t;
        t = run(ctx, x, true, &peak_ckpt, &sum_ckpt);
        if (t < t_ckpt) t_ckpt = t;
    }
    if (tg_errcode(ctx) != TG_OK || !(fabs(sum_plain - sum_ckpt) <= 1e-5 * fabs(sum_plain)) || !(sum_plain > 0)) {
        fprintf(stderr, "checkpoint: validation failed (%s; checksums %.9g vs %.9g)\n",
                tg_errmsg(ctx), sum_plain, sum_ckpt);
        return 1;
    }
    printf("tensorgrad_checkpoint plain_ms=%.3f ckpt_ms=%.3f plain_peak_bytes=%lld "
           "ckpt_peak_bytes=%lld grad_checksum=%.6g\n",
           t_plain * 1e3, t_ckpt * 1e3, (long long)peak_plain, (long long)peak_ckpt, sum_plain);
    tg_ctx_free(ctx);
    return 0;
}
