/* rng.c — PLACEHOLDER being replaced by the PyTorch-exact generator. */
#include "internal.h"
#include <math.h>
void tgi_rng_seed(tg_ctx *ctx, uint64_t seed) { ctx->seed = seed; ctx->mti = 0; }
static double u01(tg_ctx *ctx) { ctx->seed = ctx->seed * 6364136223846793005ULL + 1442695040888963407ULL; return (double)(ctx->seed >> 11) / 9007199254740992.0; }
void tgi_fill_rand(tg_ctx *ctx, tg_tensor *t) { for (int64_t i = 0; i < t->numel; i++) tgi_store(tgi_data(t), t->dtype, i, u01(ctx)); }
void tgi_fill_randn(tg_ctx *ctx, tg_tensor *t) { for (int64_t i = 0; i < t->numel; i++) { double u1 = 1 - u01(ctx), u2 = u01(ctx); tgi_store(tgi_data(t), t->dtype, i, sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2)); } }
