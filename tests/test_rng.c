/*
 * test_rng.c — tg_rand / tg_randn against PyTorch's CPU generator, bit for bit. Every session of
 * tests/fixtures/rng.txt (made by tools/fixtures_rng.py) is replayed on a fresh ctx: seeds,
 * sizes on each side of the 16-element switch, tails, 2-D shapes, call sequences sharing the
 * cached normal sample, reseeding and the default seed. Then known values, the raw draws,
 * dtype errors, value ranges and the normal/uniform moments.
 */
#include "test.h"

#include "internal.h" /* tgi_random_u32 / tgi_random_u64 / tgi_uniform_f32 / tgi_uniform_f64 */

#include <stdint.h>

/* t holds exactly want[0..n) in its dtype: same bits, so -0.0 and +0.0 differ. Reports the first
 * differing element. */
static void check_exact(const char *where, const tg_tensor *t, tg_dtype dtype, const double *want,
                        int64_t n) {
    if (!t) {
        tt_failf(__FILE__, __LINE__, "%s: NULL tensor", where);
        return;
    }
    if (tg_tensor_dtype(t) != dtype || tg_tensor_numel(t) != n || !tg_tensor_is_contiguous(t)) {
        tt_failf(__FILE__, __LINE__, "%s: dtype %d numel %lld (expected %d, %lld)", where,
                 (int)tg_tensor_dtype(t), (long long)tg_tensor_numel(t), (int)dtype,
                 (long long)n);
        return;
    }
    size_t es = dtype == TG_FLOAT32 ? sizeof(float) : sizeof(double);
    void *got = malloc((size_t)(n ? n : 1) * es);
    if (!got || tg_tensor_copy_out(t, got, (size_t)n * es) != TG_OK) {
        tt_failf(__FILE__, __LINE__, "%s: copy_out failed", where);
        free(got);
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        bool same;
        double g;
        if (dtype == TG_FLOAT32) {
            float w = (float)want[i], gf = ((float *)got)[i];
            same = memcmp(&w, &gf, sizeof w) == 0 && (double)w == want[i];
            g = gf;
        } else {
            double gd = ((double *)got)[i];
            same = memcmp(&want[i], &gd, sizeof gd) == 0;
            g = gd;
        }
        if (!same) {
            tt_failf(__FILE__, __LINE__, "%s: element %lld of %lld: got %.17g expected %.17g",
                     where, (long long)i, (long long)n, g, want[i]);
            free(got);
            return;
        }
    }
    tt_pass++;
    free(got);
}

/* Replays one fixture session; returns the number of rand/randn calls checked. */
static int replay(const tt_record *r) {
    const char *name = tt_get(r, "name"), *seed = tt_get(r, "seed"), *nc = tt_get(r, "ncalls");
    if (!name || !seed || !nc) {
        tt_failf(__FILE__, __LINE__, "malformed record");
        return 0;
    }
    tg_ctx *ctx = tg_ctx_new();
    if (strcmp(seed, "default") != 0) tg_manual_seed(ctx, strtoull(seed, NULL, 10));
    int ncalls = atoi(nc), checked = 0;
    for (int i = 0; i < ncalls; i++) {
        char key[32], where[256];
        snprintf(where, sizeof where, "%s call %d", name, i);
        snprintf(key, sizeof key, "op%d", i);
        const char *op = tt_get(r, key);
        if (!op) {
            tt_failf(__FILE__, __LINE__, "%s: no op", where);
            break;
        }
        if (strcmp(op, "manual_seed") == 0) {
            snprintf(key, sizeof key, "arg%d", i);
            tg_manual_seed(ctx, strtoull(tt_get(r, key), NULL, 10));
            continue;
        }
        tg_dtype dtype = TG_FLOAT32;
        int64_t shape[TG_MAX_DIMS];
        snprintf(key, sizeof key, "dtype%d", i);
        bool ok = tt_parse_dtype(tt_get(r, key), &dtype) &&
                  (dtype == TG_FLOAT32 || dtype == TG_FLOAT64); /* what rand/randn make */
        snprintf(key, sizeof key, "shape%d", i);
        int ndim = tt_parse_ints(tt_get(r, key), shape, TG_MAX_DIMS);
        snprintf(key, sizeof key, "values%d", i);
        const char *vals = tt_get(r, key);
        if (!ok || ndim < 0 || !vals) {
            tt_failf(__FILE__, __LINE__, "%s: malformed call", where);
            break;
        }
        int64_t n;
        double *want = tt_parse_doubles(vals, &n);
        tg_tensor *t = strcmp(op, "rand") == 0 ? tg_rand(ctx, shape, ndim, dtype)
                                               : tg_randn(ctx, shape, ndim, dtype);
        CHECK_OK(ctx);
        if (t && (tg_tensor_ndim(t) != ndim ||
                  !tgi_same_shape(tg_tensor_shape(t), ndim, shape, ndim)))
            tt_failf(__FILE__, __LINE__, "%s: wrong shape", where);
        check_exact(where, t, dtype, want, n);
        free(want);
        checked++;
    }
    tg_ctx_free(ctx);
    return checked;
}

static void test_fixtures(void) {
    tt_fixture *fx = tt_fixture_load("rng.txt");
    if (!fx) return;
    int sessions = 0, calls = 0;
    for (int i = 0; i < fx->n; i++) {
        calls += replay(&fx->recs[i]);
        sessions++;
    }
    CHECK(sessions > 300);
    CHECK(calls > 300);
    tt_fixture_free(fx);
}

/* The values quoted in the task, independent of the fixture file. */
static void test_known_values(void) {
    tg_ctx *ctx = tg_ctx_new();
    static const double randn3[] = {1.5409960746765137, -0.293428897857666, -2.1787893772125244};
    static const double randn20_head[] = {-1.1258398294448853, -1.152360200881958,
                                          -0.2505785822868347};
    static const double rand5[] = {0.49625658988952637, 0.7682217955589294, 0.08847743272781372,
                                   0.13203048706054688, 0.30742281675338745};
    tg_manual_seed(ctx, 0);
    check_exact("randn(3)", tg_randn(ctx, TG_SHAPE(3), TG_FLOAT32), TG_FLOAT32, randn3, 3);
    tg_manual_seed(ctx, 0);
    tg_tensor *t = tg_randn(ctx, TG_SHAPE(20), TG_FLOAT32);
    for (int i = 0; i < 3; i++) CHECK(tg_tensor_get(t, i) == randn20_head[i]);
    tg_manual_seed(ctx, 0);
    check_exact("rand(5)", tg_rand(ctx, TG_SHAPE(5), TG_FLOAT32), TG_FLOAT32, rand5, 5);
    /* randn(1) right after randn(3): the cached r*sin of the second pair (torch gives this). */
    tg_manual_seed(ctx, 0);
    tg_randn(ctx, TG_SHAPE(3), TG_FLOAT32);
    static const double cached[] = {0.5684312582015991};
    check_exact("randn(1) after randn(3)", tg_randn(ctx, TG_SHAPE(1), TG_FLOAT32), TG_FLOAT32,
                cached, 1);
    tg_ctx_free(ctx);

    /* A new ctx starts where torch.Generator() starts (seed 67280421310721). */
    ctx = tg_ctx_new();
    static const double fresh[] = {0.267295241355896, 0.8725283145904541};
    check_exact("rand(2) unseeded", tg_rand(ctx, TG_SHAPE(2), TG_FLOAT32), TG_FLOAT32, fresh, 2);
    tg_ctx_free(ctx);
}

/* Raw draws: mt19937 seeded with 0 (std::mt19937 gives 2357136044 first), the 64-bit order
 * and the mantissa masks of the uniforms. */
static void test_raw_draws(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 0);
    uint32_t w[4];
    for (int i = 0; i < 4; i++) w[i] = tgi_random_u32(ctx);
    CHECK_INT(w[0], 2357136044u);
    tg_manual_seed(ctx, 0);
    CHECK(tgi_random_u64(ctx) == (((uint64_t)w[0] << 32) | w[1]));
    tg_manual_seed(ctx, 0);
    CHECK(tgi_uniform_f32(ctx) == (float)(w[0] & 0xffffffu) / 16777216.0f);
    tg_manual_seed(ctx, 0);
    uint64_t v = (((uint64_t)w[0] << 32) | w[1]) & ((UINT64_C(1) << 53) - 1);
    CHECK(tgi_uniform_f64(ctx) == (double)v / 9007199254740992.0);
    /* only the low 32 bits of the seed reach the state */
    tg_manual_seed(ctx, (UINT64_C(5) << 32) | 0);
    CHECK_INT(tgi_random_u32(ctx), 2357136044u);
    /* the 625th draw comes from the second block */
    tg_manual_seed(ctx, 5489);
    uint32_t last = 0;
    for (int i = 0; i < 10000; i++) last = tgi_random_u32(ctx);
    CHECK_INT(last, 4123659995u); /* std::mt19937's 10000th output for its default seed */
    tg_ctx_free(ctx);
}

static void test_dtype_errors(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 3);
    CHECK(tg_rand(ctx, TG_SHAPE(2, 3), TG_INT64) == NULL);
    CHECK_ERR(ctx, TG_ERR_DTYPE, "tg_rand: \"check_uniform_bounds\" not implemented for 'Long'");
    CHECK(tg_randn(ctx, TG_SHAPE(4), TG_BOOL) == NULL);
    CHECK_ERR(ctx, TG_ERR_DTYPE, "tg_randn: \"normal_kernel_cpu\" not implemented for 'Bool'");
    CHECK(tg_rand(ctx, TG_SHAPE(4), TG_BOOL) == NULL);
    CHECK_ERR(ctx, TG_ERR_DTYPE, "tg_rand: \"check_uniform_bounds\" not implemented for 'Bool'");
    CHECK(tg_randn(ctx, TG_SHAPE(4), TG_INT64) == NULL);
    CHECK_ERR(ctx, TG_ERR_DTYPE, "tg_randn: \"normal_kernel_cpu\" not implemented for 'Long'");
    /* failed calls draw nothing */
    tg_tensor *a = tg_rand(ctx, TG_SHAPE(3), TG_FLOAT64);
    tg_manual_seed(ctx, 3);
    tg_tensor *b = tg_rand(ctx, TG_SHAPE(3), TG_FLOAT64);
    for (int i = 0; i < 3; i++) CHECK(tg_tensor_get(a, i) == tg_tensor_get(b, i));
    CHECK(tg_rand(NULL, TG_SHAPE(3), TG_FLOAT32) == NULL);
    CHECK(tg_randn(NULL, TG_SHAPE(3), TG_FLOAT32) == NULL);
    tg_ctx_free(ctx);
}

/* rand lies in [0, 1) and randn is finite, in both dtypes and on every path; for 200k samples
 * the moments are what they should be (mean 0.5 / 0, variance 1/12 / 1). */
static void test_ranges(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 99);
    static const int64_t sizes[] = {1, 5, 15, 16, 17, 200000};
    for (int d = 0; d < 2; d++) {
        tg_dtype dt = d ? TG_FLOAT64 : TG_FLOAT32;
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            int64_t n = sizes[k];
            tg_scope_begin(ctx);
            tg_tensor *u = tg_rand(ctx, &n, 1, dt), *g = tg_randn(ctx, &n, 1, dt);
            bool in_range = u && g;
            double su = 0, sg = 0, sgg = 0, suu = 0;
            for (int64_t i = 0; in_range && i < n; i++) {
                double x = tg_tensor_get(u, i), y = tg_tensor_get(g, i);
                in_range = x >= 0 && x < 1 && isfinite(y) && fabs(y) < 10;
                su += x;
                suu += x * x;
                sg += y;
                sgg += y * y;
            }
            CHECK(in_range);
            if (n == 200000) {
                double mu = su / (double)n, mg = sg / (double)n;
                CHECK_NEAR(mu, 0.5, 0.005);
                CHECK_NEAR(suu / (double)n - mu * mu, 1.0 / 12, 0.002);
                CHECK_NEAR(mg, 0.0, 0.01);
                CHECK_NEAR(sgg / (double)n - mg * mg, 1.0, 0.02);
            }
            tg_scope_end(ctx);
        }
    }
    /* empty and 0-d tensors */
    int64_t zero = 0;
    tg_tensor *e = tg_randn(ctx, &zero, 1, TG_FLOAT32);
    CHECK(e && tg_tensor_numel(e) == 0);
    tg_tensor *s = tg_rand(ctx, NULL, 0, TG_FLOAT64);
    CHECK(s && tg_tensor_ndim(s) == 0 && tg_tensor_numel(s) == 1);
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

TT_MAIN(T(test_fixtures), T(test_known_values), T(test_raw_draws), T(test_dtype_errors),
        T(test_ranges))
