/*
 * rng.c — the ctx's random generator, reproducing PyTorch's CPU generator bit for bit: the
 * mt19937 engine and its seeding, 32/64-bit draws, uniform floats from the low 24 (float) or
 * 53 (double) bits of a draw, and the three normal samplers torch.randn uses on CPU (scalar
 * Box-Muller with a cached second value below 16 elements; a Box-Muller fill in blocks of 16
 * from 16 elements on, with libm in float64 and the AVX2 kernel's Cephes math in float32), plus
 * their mean/std forms for normal_ (at the end, used by src/ops/random.c).
 */
#include "internal.h"

#include <math.h>
#include <string.h>

/* The float32 block kernel below fuses exactly the multiply-adds written with fmaf() and no
 * others; keep the compiler from contracting the plain ones (GCC does not contract in ISO C
 * mode, clang would within one expression). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* ------------------------------------------------------------------------------------------ */
/* mt19937, seeded as at::mt19937 (init_genrand with the low 32 bits of the seed).             */
/* ------------------------------------------------------------------------------------------ */
enum { MT_N = 624, MT_M = 397 };
#define MT_MATRIX_A 0x9908b0dfu
#define MT_UPPER 0x80000000u
#define MT_LOWER 0x7fffffffu

/* torch.manual_seed(seed): the engine is rebuilt and both cached normal samples are dropped.
 * The full 64-bit seed is kept (torch.initial_seed) while only its low 32 bits seed the
 * state. ctx->mti counts the words of the current block already used; MT_N means "twist
 * before the next draw", which is where PyTorch's engine stands after seeding. */
void tgi_rng_seed(tg_ctx *ctx, uint64_t seed) {
    uint32_t *mt = ctx->mt;
    mt[0] = (uint32_t)(seed & 0xffffffffu);
    for (uint32_t j = 1; j < MT_N; j++) mt[j] = 1812433253u * (mt[j - 1] ^ (mt[j - 1] >> 30)) + j;
    ctx->mti = MT_N;
    ctx->seed = seed;
    ctx->has_next_normal = false;
    ctx->next_normal = 0.0;
}

/* Refills the state with the next 624 words (the standard mt19937 twist). */
static void mt_twist(uint32_t *mt) {
    for (int k = 0; k < MT_N; k++) {
        uint32_t y = (mt[k] & MT_UPPER) | (mt[k + 1 < MT_N ? k + 1 : 0] & MT_LOWER);
        uint32_t mag = (y & 1u) ? MT_MATRIX_A : 0u;
        mt[k] = mt[(k + MT_M) % MT_N] ^ (y >> 1) ^ mag;
    }
}

/* CPUGeneratorImpl::random(): one tempered 32-bit word. */
uint32_t tgi_random_u32(tg_ctx *ctx) {
    if (ctx->mti >= MT_N) {
        mt_twist(ctx->mt);
        ctx->mti = 0;
    }
    uint32_t y = ctx->mt[ctx->mti++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* CPUGeneratorImpl::random64(): two words, the first one drawn is the high half. */
uint64_t tgi_random_u64(tg_ctx *ctx) {
    uint64_t hi = tgi_random_u32(ctx);
    uint64_t lo = tgi_random_u32(ctx);
    return (hi << 32) | lo;
}

/* uniform_real_distribution<float>(0, 1): the low 24 bits of one 32-bit draw, times 2^-24.
 * (x * (to - from) + from with to = 1, from = 0 leaves x unchanged.) */
float tgi_uniform_f32(tg_ctx *ctx) {
    uint32_t v = tgi_random_u32(ctx) & 0xffffffu;
    return (float)v * (1.0f / 16777216.0f);
}

/* uniform_real_distribution<double>(0, 1): the low 53 bits of one 64-bit draw, times 2^-53. */
double tgi_uniform_f64(tg_ctx *ctx) {
    uint64_t v = tgi_random_u64(ctx) & ((UINT64_C(1) << 53) - 1);
    return (double)v * (1.0 / 9007199254740992.0);
}

/* ------------------------------------------------------------------------------------------ */
/* Normal samples                                                                              */
/* ------------------------------------------------------------------------------------------ */
#define TGI_PI 3.14159265358979323846

/* at::normal_distribution<double>, used for every element of tensors below 16 elements (in
 * both dtypes): Box-Muller on u1, u2 from two 53-bit uniforms; it returns r*cos and caches
 * r*sin, which the next scalar sample returns without drawing. Only tgi_rng_seed clears the
 * cache; the block fills below neither read nor write it.
 * PyTorch 1.13 (what tools/fixtures_rng.py checks against) computes log(1 - u2); newer 2.x
 * sources write log1p(-u2), which rounds differently for about 7% of u2 and changes the
 * float64 result in a few percent of these small-tensor samples. 1 - u2 is exact here. */
static double normal_scalar(tg_ctx *ctx) {
    if (ctx->has_next_normal) {
        ctx->has_next_normal = false;
        return ctx->next_normal;
    }
    double u1 = tgi_uniform_f64(ctx);
    double u2 = tgi_uniform_f64(ctx);
    double r = sqrt(-2.0 * log(1.0 - u2));
    double theta = 2.0 * TGI_PI * u1;
    ctx->next_normal = r * sin(theta);
    ctx->has_next_normal = true;
    return r * cos(theta);
}

/* ---- float32: the AVX2 kernel (normal_fill_16_AVX2 with avx_mathfun.h's log256_ps and
 * sincos256_ps, Cephes single-precision polynomials), replayed one lane at a time.
 * Bit-exactness also depends on which multiply-adds the compiler fused in PyTorch's build:
 * every product that feeds an addition is a single fused multiply-add there (GCC's default
 * -ffp-contract=fast for C++ with -mfma). Against Debian's torch 1.13 (CPU capability AVX2)
 * this formulation gave identical bits for every value of 4 tensors of 8M float32 elements
 * and a randomized sweep of seeds and sizes; each other choice of fusions we tried did not
 * (fusing e*q1 the other way round alone gave 186 mismatches per 1M; leaving the y*DP3
 * reduction step unfused, about 1 in 10^7).
 * PyTorch runs the scalar normal_fill with libm's logf/cosf/sinf instead when its AVX2
 * kernels are not in use (ATEN_CPU_CAPABILITY=default, AVX-512 builds, ARM); those values
 * differ from the AVX2 ones in the last bits of ~40% of elements. We follow the AVX2 path,
 * which is what PyTorch gives on common x86-64 machines and what the fixtures hold. */

static float f32_from_bits(uint32_t b) {
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static uint32_t f32_bits(float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

/* Cephes logf for x in (0, 1] (x >= 2^-24 here, so no zero, negative or subnormal input). */
static float cephes_logf(float x) {
    uint32_t bits = f32_bits(x);
    float e = (float)((int32_t)(bits >> 23) - 0x7f);
    e = e + 1.0f;
    float m = f32_from_bits((bits & ~0x7f800000u) | 0x3f000000u); /* mantissa in [0.5, 1) */
    /* m < sqrt(1/2): e -= 1, x = m + m - 1; else x = m - 1 (both exact). */
    bool below = m < 0.707106781186547524f;
    float t = below ? m : 0.0f;
    e = e - (below ? 1.0f : 0.0f);
    float xr = m - 1.0f;
    xr = xr + t;

    float z = xr * xr;
    float y = 7.0376836292E-2f;
    y = fmaf(y, xr, -1.1514610310E-1f);
    y = fmaf(y, xr, 1.1676998740E-1f);
    y = fmaf(y, xr, -1.2420140846E-1f);
    y = fmaf(y, xr, 1.4249322787E-1f);
    y = fmaf(y, xr, -1.6668057665E-1f);
    y = fmaf(y, xr, 2.0000714765E-1f);
    y = fmaf(y, xr, -2.4999993993E-1f);
    y = fmaf(y, xr, 3.3333331174E-1f);
    y = y * xr;
    float eq1 = e * -2.12194440e-4f;
    y = fmaf(y, z, eq1);
    float hz = z * 0.5f;
    y = y - hz;
    float eq2 = e * 0.693359375f;
    xr = xr + y;
    return xr + eq2;
}

/* Cephes sinf/cosf of x in [0, 2*pi): reduce by the multiple of pi/4 in three parts, then pick
 * the sine or cosine polynomial per octant. */
static void cephes_sincosf(float x, float *s, float *c) {
    float y = x * 1.27323954473516f; /* 4 / pi */
    int32_t j = (int32_t)y;          /* y < 8: in range */
    j = (j + 1) & ~1;
    y = (float)j;
    uint32_t sign_sin = ((uint32_t)j & 4u) << 29;
    uint32_t sign_cos = (~(uint32_t)(j - 2) & 4u) << 29;
    bool use_sin_poly = (j & 2) == 0;

    x = fmaf(y, -0.78515625f, x);
    x = fmaf(y, -2.4187564849853515625e-4f, x);
    x = fmaf(y, -3.77489497744594108e-8f, x);

    float z = x * x;
    float yc = 2.443315711809948E-005f; /* cosine polynomial */
    yc = fmaf(yc, z, -1.388731625493765E-003f);
    yc = fmaf(yc, z, 4.166664568298827E-002f);
    yc = yc * z;
    float hz = z * 0.5f;
    yc = fmaf(yc, z, -hz);
    yc = yc + 1.0f;

    float ys = -1.9515295891E-4f; /* sine polynomial */
    ys = fmaf(ys, z, 8.3321608736E-3f);
    ys = fmaf(ys, z, -1.6666654611E-1f);
    ys = ys * z;
    ys = fmaf(ys, x, x);

    /* The vector code selects with masks and adds the unselected value as +0.0. */
    float sin_from_s = use_sin_poly ? ys : 0.0f;
    float sin_from_c = use_sin_poly ? 0.0f : yc;
    float cos_from_s = ys - sin_from_s;
    float cos_from_c = yc - sin_from_c;
    float sv = sin_from_c + sin_from_s;
    float cv = cos_from_c + cos_from_s;
    *s = f32_from_bits(f32_bits(sv) ^ sign_sin);
    *c = f32_from_bits(f32_bits(cv) ^ sign_cos);
}

/* ------------------------------------------------------------------------------------------ */
/* Tensor fills (t is fresh, contiguous, float32 or float64)                                   */
/* ------------------------------------------------------------------------------------------ */

/* torch.rand: one uniform per element in order (uniform_kernel is a serial loop). */
void tgi_fill_rand(tg_ctx *ctx, tg_tensor *t) {
    int64_t n = t->numel;
    if (t->dtype == TG_FLOAT32) {
        float *d = tgi_data(t);
        for (int64_t i = 0; i < n; i++) d[i] = tgi_uniform_f32(ctx);
    } else {
        double *d = tgi_data(t);
        for (int64_t i = 0; i < n; i++) d[i] = tgi_uniform_f64(ctx);
    }
}

/* torch.randn (normal_kernel on a contiguous tensor):
 *   n < 16:  each element is a scalar sample (normal_scalar, cast to the dtype);
 *   n >= 16: fill all n with uniforms of the dtype, transform each whole block of 16 (first 8
 *            are u1, next 8 are u2), and when n % 16 != 0 draw 16 fresh uniforms into the last
 *            16 slots and transform them as one block, overwriting the tail's earlier values.
 * The block paths leave the cached scalar sample alone. */
void tgi_fill_randn(tg_ctx *ctx, tg_tensor *t) {
    int64_t n = t->numel;
    if (n < 16) {
        for (int64_t i = 0; i < n; i++) {
            double v = normal_scalar(ctx) * 1.0 + 0.0;
            if (t->dtype == TG_FLOAT32) ((float *)tgi_data(t))[i] = (float)v;
            else ((double *)tgi_data(t))[i] = v;
        }
        return;
    }
    /* the block path is normal_ with mean 0 and std 1: fma(n, 1, 0) is PyTorch's
     * "* std + mean" (which also turns -0 into +0) */
    tgi_normal_fill(ctx, tgi_data(t), n, t->dtype, 0.0, 1.0);
}

/* ------------------------------------------------------------------------------------------ */
/* Samplers with parameters, for the random op family (src/ops/random.c)                      */
/* ------------------------------------------------------------------------------------------ */
/* PyTorch's CPU kernels are compiled with FMA enabled and GCC's default -ffp-contract=fast for
 * C++, so each "a * b + c" of TransformationHelper.h and normal_fill_16 is one fused
 * multiply-add there: fma() is written out below wherever torch's source has such an
 * expression (checked against Debian's torch 1.13: unfused, ~20% of float64 normal_ and
 * uniform_ values differ in the last bit). */

/* at::normal_distribution<double>(mean, std)(gen): the scalar Box-Muller sample (sharing the
 * cached second value with torch.randn's small path), then transformation::normal. */
double tgi_normal_double(tg_ctx *ctx, double mean, double std) {
    return fma(normal_scalar(ctx), std, mean);
}

/* normal_fill_16_AVX2: as box_muller16_f64_ms in float arithmetic with the Cephes functions;
 * theta = (float)(2 * pi) * u2 in float; the result is fma(n, std, mean). */
static void box_muller16_f32_ms(float *d, float mean, float std) {
    const float two_pi = (float)(2.0 * TGI_PI);
    for (int j = 0; j < 8; j++) {
        float u1 = 1.0f - d[j];
        float u2 = d[j + 8];
        float l = cephes_logf(u1);
        float radius = sqrtf(-2.0f * l);
        float theta = two_pi * u2;
        float s, c;
        cephes_sincosf(theta, &s, &c);
        float n1 = radius * c;
        float n2 = radius * s;
        d[j] = fmaf(n1, std, mean);
        d[j + 8] = fmaf(n2, std, mean);
    }
}

/* normal_fill_16 for float64: u1 = 1 - d[j] in (0, 1], u2 = d[j + 8]; d[j] gets r*cos(theta)
 * and d[j + 8] gets r*sin(theta), with libm's log/sqrt/cos/sin as PyTorch calls them.
 * theta = (2 * pi) * u2 in double (PyTorch writes 2.0f * pi<double> * u2). The last step,
 * "* std + mean", is fused. */
static void box_muller16_f64_ms(double *d, double mean, double std) {
    for (int j = 0; j < 8; j++) {
        double u1 = 1.0 - d[j];
        double u2 = d[j + 8];
        double radius = sqrt(-2.0 * log(u1));
        double theta = 2.0 * TGI_PI * u2;
        d[j] = fma(radius * cos(theta), std, mean);
        d[j + 8] = fma(radius * sin(theta), std, mean);
    }
}

/* normal_kernel's block path (n >= 16 contiguous elements at data, float32 or float64):
 * n uniforms of the dtype, each whole block of 16 transformed, and a tail block of 16 fresh
 * uniforms over the last 16 slots when n % 16 != 0 — as tgi_fill_randn, with mean and std
 * (cast to float for float32, as normal_fill_AVX2 takes them). The scalar cache is untouched. */
void tgi_normal_fill(tg_ctx *ctx, void *data, int64_t n, tg_dtype dtype, double mean,
                     double std) {
    if (dtype == TG_FLOAT32) {
        float *d = data, fm = (float)mean, fs = (float)std;
        for (int64_t i = 0; i < n; i++) d[i] = tgi_uniform_f32(ctx);
        for (int64_t i = 0; i + 16 <= n; i += 16) box_muller16_f32_ms(d + i, fm, fs);
        if (n % 16 != 0) {
            float *tail = d + n - 16;
            for (int k = 0; k < 16; k++) tail[k] = tgi_uniform_f32(ctx);
            box_muller16_f32_ms(tail, fm, fs);
        }
    } else {
        double *d = data;
        for (int64_t i = 0; i < n; i++) d[i] = tgi_uniform_f64(ctx);
        for (int64_t i = 0; i + 16 <= n; i += 16) box_muller16_f64_ms(d + i, mean, std);
        if (n % 16 != 0) {
            double *tail = d + n - 16;
            for (int k = 0; k < 16; k++) tail[k] = tgi_uniform_f64(ctx);
            box_muller16_f64_ms(tail, mean, std);
        }
    }
}
