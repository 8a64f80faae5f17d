/*
 * test_random.c — the sampling ops (src/ops/random.c) against PyTorch's CPU generator, bit for
 * bit. Every session of tests/fixtures/random.txt (tools/fixtures_random.py) is replayed on a
 * fresh ctx, each call in its own scope (checked to free everything): values, grad_fn names,
 * gradients after backward, error codes/messages and the generator state after errors. Then
 * float64 gradcheck for every differentiable op, statistics, warnings, NULL inputs, and a
 * coverage check that every op has fixture records and gradcheck cases.
 */
#include "test.h"

#include <stdint.h>

#define MAXV 8

/* ------------------------------------------------------------------ parsing */

/* an error record's "TG_ERR_<code>" as its status; TG_OK when unknown */
static tg_status parse_code(const char *s) {
    tg_status code;
    if (!s || strncmp(s, "TG_ERR_", 7) != 0 || !tt_parse_code(s + 7, &code)) return TG_OK;
    return code;
}

/* t has dtype, shape and exactly the values (same bits: -0.0 differs from 0.0, NaN equals NaN). */
static void check_exact(const char *where, const tg_tensor *t, tg_dtype dt, const int64_t *shape,
                        int nd, const char *values) {
    if (!t) {
        tt_failf(__FILE__, __LINE__, "%s: NULL tensor", where);
        return;
    }
    if (tg_tensor_dtype(t) != dt || tg_tensor_ndim(t) != nd ||
        (nd && memcmp(tg_tensor_shape(t), shape, sizeof(int64_t) * (size_t)nd) != 0)) {
        tt_failf(__FILE__, __LINE__, "%s: dtype %d ndim %d (expected %d, %d) or shape differs",
                 where, (int)tg_tensor_dtype(t), tg_tensor_ndim(t), (int)dt, nd);
        return;
    }
    int64_t n = 0, numel = tg_tensor_numel(t);
    unsigned char *want = tt_values_data(values, dt, &n);
    size_t es = dt == TG_FLOAT32 ? 4 : dt == TG_BOOL ? 1 : 8;
    unsigned char *got = malloc((size_t)(numel ? numel : 1) * es);
    if (!want || !got || n != numel || tg_tensor_copy_out(t, got, (size_t)numel * es) != TG_OK) {
        tt_failf(__FILE__, __LINE__, "%s: %lld expected values for %lld elements", where,
                 (long long)n, (long long)numel);
        free(want);
        free(got);
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        bool same = memcmp(got + (size_t)i * es, want + (size_t)i * es, es) == 0;
        double g = 0, w = 0;
        if (dt == TG_FLOAT32) {
            g = ((float *)(void *)got)[i];
            w = ((float *)(void *)want)[i];
        } else if (dt == TG_FLOAT64) {
            g = ((double *)(void *)got)[i];
            w = ((double *)(void *)want)[i];
        } else if (dt == TG_INT64) {
            g = (double)((int64_t *)(void *)got)[i];
            w = (double)((int64_t *)(void *)want)[i];
        } else {
            g = ((bool *)got)[i];
            w = ((bool *)want)[i];
        }
        if (!same && isnan(g) && isnan(w)) same = true;
        if (!same) {
            tt_failf(__FILE__, __LINE__, "%s: element %lld of %lld: got %.17g expected %.17g",
                     where, (long long)i, (long long)n, g, w);
            free(want);
            free(got);
            return;
        }
    }
    tt_pass++;
    free(want);
    free(got);
}

/* ------------------------------------------------------------------ replay */

typedef struct call {
    const tt_record *r;
    int i;
    char where[160];
} call;

static const char *get(const call *c, const char *what) {
    char key[64];
    snprintf(key, sizeof key, "c%d_%s", c->i, what);
    return tt_get(c->r, key);
}

static double get_d(const call *c, const char *what) {
    const char *s = get(c, what);
    return s ? strtod(s, NULL) : 0.0;
}

static int64_t get_i(const call *c, const char *what) {
    const char *s = get(c, what);
    return s ? (int64_t)strtoll(s, NULL, 10) : 0;
}

static bool get_flag(const call *c, const char *what) {
    const char *s = get(c, what);
    return s && strcmp(s, "1") == 0;
}

/* the same view of x as the generator's apply_layout */
static tg_tensor *apply_layout(tg_tensor *x, const char *layout) {
    if (!x || !layout || strcmp(layout, "none") == 0) return x;
    if (strcmp(layout, "t") == 0) return tg_transpose(x, -1, -2);
    if (strcmp(layout, "slice2") == 0) return tg_slice(x, -1, 0, TG_SLICE_END, 2);
    if (strcmp(layout, "offset3") == 0) return tg_slice(x, 0, 3, TG_SLICE_END, 1);
    if (strcmp(layout, "perm") == 0) return tg_permute(x, (const int64_t[]){2, 0, 1}, 3);
    return NULL;
}

/* Expected error of call c (if it has one): status / NULL result, code and message. Returns
 * whether the call was expected to fail. */
static bool check_error(tg_ctx *ctx, const call *c, bool failed) {
    const char *msg = get(c, "error");
    if (!msg) {
        if (failed)
            tt_failf(__FILE__, __LINE__, "%s: unexpected error %d: %s", c->where,
                     (int)tg_errcode(ctx), tg_errmsg(ctx));
        else tt_pass++;
        tg_clear_error(ctx);
        return false;
    }
    if (!failed) tt_failf(__FILE__, __LINE__, "%s: expected error [%s]", c->where, msg);
    else tt_pass++;
    CHECK_INT(tg_errcode(ctx), parse_code(get(c, "code")));
    CHECK_STR(tg_errmsg(ctx), msg);
    tg_clear_error(ctx);
    return true;
}

static void check_fn(const call *c, const char *key, const tg_tensor *t) {
    const char *want = get(c, key);
    if (!want || strcmp(want, "-") == 0) return;
    const char *got = tt_grad_fn_name(t);
    if (strcmp(got, want) == 0) tt_pass++;
    else tt_failf(__FILE__, __LINE__, "%s: %s %s, expected %s", c->where, key, got, want);
}

/* out.backward(v) and x.grad, when the record has them */
static void check_backward(const call *c, tg_tensor *out, const tg_tensor *x, tg_dtype dt,
                           const int64_t *vshape, int vnd, const int64_t *xshape, int xnd) {
    const char *v = get(c, "v"), *grad = get(c, "grad");
    if (!v || !grad) return;
    tg_ctx *ctx = tg_tensor_ctx(out);
    int64_t n;
    void *vd = tt_values_data(v, dt, &n);
    tg_tensor *vt = vd ? tg_tensor_new(ctx, vd, vshape, vnd, dt) : NULL;
    free(vd);
    if (!vt || tg_backward(out, vt) != TG_OK) {
        tt_failf(__FILE__, __LINE__, "%s: backward failed: %s", c->where, tg_errmsg(ctx));
        tg_clear_error(ctx);
        return;
    }
    char where[200];
    snprintf(where, sizeof where, "%s grad", c->where);
    if (strcmp(grad, "none") == 0) CHECK(tg_tensor_grad(x) == NULL);
    else check_exact(where, tg_tensor_grad(x), dt, xshape, xnd, grad);
}

/* Calls seen per op, for the coverage check. */
static const char *const OPS[] = {"randint", "random_",   "normal_", "uniform_",
                                  "bernoulli_", "bernoulli", "dropout", "dropout_"};
enum { NOPS = sizeof OPS / sizeof OPS[0] };
static int seen[NOPS];

static void count_op(const char *op) {
    for (int k = 0; k < NOPS; k++)
        if (strcmp(OPS[k], op) == 0) seen[k]++;
}

static void replay_call(tg_ctx *ctx, const call *c) {
    const char *op = get(c, "op");
    tg_dtype dt = TG_FLOAT32;
    int64_t shape[TG_MAX_DIMS], base[TG_MAX_DIMS];
    const char *ds = get(c, "dtype");
    int nd = tt_parse_ints(get(c, "shape"), shape, TG_MAX_DIMS);
    int bnd = tt_parse_ints(get(c, "base"), base, TG_MAX_DIMS);
    if (ds && !tt_parse_dtype(ds, &dt)) {
        tt_failf(__FILE__, __LINE__, "%s: bad dtype", c->where);
        return;
    }
    if (strcmp(op, "manual_seed") == 0) {
        tg_manual_seed(ctx, strtoull(get(c, "a"), NULL, 10));
    } else if (strcmp(op, "rand") == 0 || strcmp(op, "randn") == 0) {
        tg_tensor *t = op[4] ? tg_randn(ctx, shape, nd, dt) : tg_rand(ctx, shape, nd, dt);
        CHECK_OK(ctx);
        check_exact(c->where, t, dt, shape, nd, get(c, "values"));
    } else if (strcmp(op, "randint") == 0) {
        count_op(op);
        tg_tensor *t = tg_randint(ctx, get_i(c, "a"), get_i(c, "b"), shape, nd < 0 ? 0 : nd, dt);
        if (!check_error(ctx, c, t == NULL)) {
            check_exact(c->where, t, dt, shape, nd, get(c, "values"));
            CHECK(!tg_tensor_requires_grad(t));
        }
    } else if (strcmp(op, "random_") == 0 || strcmp(op, "normal_") == 0 ||
               strcmp(op, "uniform_") == 0 || strcmp(op, "bernoulli_") == 0) {
        count_op(op);
        bool rg = get_flag(c, "rg");
        tg_tensor *x = tg_zeros(ctx, base, bnd, dt), *y = x;
        if (rg) {
            tg_requires_grad_(x, true);
            y = tg_mul_scalar(x, 1.0);
        }
        tg_tensor *target = apply_layout(y, get(c, "layout"));
        int64_t v0 = tg_tensor_version(target);
        tg_status st;
        double a = get_d(c, "a"), b = get_d(c, "b");
        if (op[0] == 'r') st = tg_random_(target, get_i(c, "a"), get_i(c, "b"));
        else if (op[0] == 'n') st = tg_normal_(target, a, b);
        else if (op[0] == 'u') st = tg_uniform_(target, a, b);
        else st = tg_bernoulli_(target, a);
        if (check_error(ctx, c, st != TG_OK)) {
            CHECK_INT(tg_tensor_version(target), v0);
            return;
        }
        CHECK_INT(tg_tensor_version(target), v0 + 1);
        check_exact(c->where, target, dt, shape, nd, get(c, "values"));
        if (rg) {
            check_fn(c, "fn_base", y);
            check_fn(c, "fn", target);
            check_backward(c, y, x, dt, base, bnd, base, bnd);
        }
    } else if (strcmp(op, "bernoulli") == 0 || strcmp(op, "dropout") == 0) {
        bool inplace = get_flag(c, "inplace");
        count_op(inplace ? "dropout_" : op);
        int64_t n;
        void *in = tt_values_data(get(c, "in"), dt, &n);
        tg_tensor *x = in ? tg_tensor_new(ctx, in, base, bnd, dt) : NULL;
        free(in);
        bool floating = dt == TG_FLOAT32 || dt == TG_FLOAT64;
        if (floating) tg_requires_grad_(x, true);
        tg_tensor *inp = apply_layout(x, get(c, "layout")), *out;
        bool failed;
        if (op[0] == 'b') {
            out = tg_bernoulli(inp);
            failed = out == NULL;
        } else if (inplace) {
            if (floating) inp = tg_clone(inp);
            tg_status st = tg_dropout_(inp, get_d(c, "a"), get_flag(c, "train"));
            out = inp;
            failed = st != TG_OK;
        } else {
            out = tg_dropout(inp, get_d(c, "a"), get_flag(c, "train"));
            failed = out == NULL;
        }
        if (check_error(ctx, c, failed)) return;
        check_exact(c->where, out, dt, shape, nd, get(c, "values"));
        const char *same = get(c, "same");
        if (same) CHECK_INT(out == inp, strcmp(same, "1") == 0);
        check_fn(c, "fn", out);
        check_backward(c, out, x, dt, shape, nd, base, bnd);
    } else if (strncmp(op, "leaf_", 5) == 0 || strncmp(op, "expanded_", 9) == 0) {
        /* in-place on a leaf that requires grad, or on zeros(1).expand(3) */
        bool leaf = op[0] == 'l';
        const char *name = op + (leaf ? 5 : 9);
        count_op(name);
        tg_tensor *x = leaf ? tg_zeros(ctx, TG_SHAPE(3), TG_FLOAT32)
                            : tg_expand(tg_zeros(ctx, TG_SHAPE(1), TG_FLOAT32), TG_SHAPE(3));
        if (leaf) tg_requires_grad_(x, true);
        double a = get_d(c, "a"), b = get_d(c, "b");
        tg_status st;
        if (strcmp(name, "normal_") == 0) st = tg_normal_(x, leaf ? a : 0.0, leaf ? b : 1.0);
        else if (strcmp(name, "uniform_") == 0) st = tg_uniform_(x, leaf ? a : 0.0, leaf ? b : 1.0);
        else if (strcmp(name, "bernoulli_") == 0) st = tg_bernoulli_(x, leaf ? a : 0.5);
        else if (strcmp(name, "random_") == 0) st = tg_random_(x, leaf ? (int64_t)a : 0, leaf ? (int64_t)b : 3);
        else st = tg_dropout_(x, a, true);
        check_error(ctx, c, st != TG_OK);
        if (!get(c, "error")) tt_failf(__FILE__, __LINE__, "%s: record without error", c->where);
    } else {
        tt_failf(__FILE__, __LINE__, "%s: unknown op %s", c->where, op);
    }
}

static void test_fixtures(void) {
    tt_fixture *fx = tt_fixture_load("random.txt");
    if (!fx) {
        tt_failf(__FILE__, __LINE__, "cannot load random.txt");
        return;
    }
    int sessions = 0, calls = 0;
    for (int k = 0; k < fx->n; k++) {
        const tt_record *r = &fx->recs[k];
        const char *name = tt_get(r, "name"), *seed = tt_get(r, "seed"), *nc = tt_get(r, "ncalls");
        if (!name || !seed || !nc) {
            tt_failf(__FILE__, __LINE__, "record %d is malformed", k);
            continue;
        }
        tg_ctx *ctx = tg_ctx_new();
        tg_set_warning_handler(ctx, tt_on_warning, NULL); /* randint's float-bounds warnings */
        tg_manual_seed(ctx, strtoull(seed, NULL, 10));
        tg_memstats m0 = tg_ctx_memstats(ctx);
        for (int i = 0; i < atoi(nc); i++) {
            call c = {r, i, ""};
            snprintf(c.where, sizeof c.where, "%s call %d (%s)", name, i, get(&c, "op"));
            if (!get(&c, "op")) {
                tt_failf(__FILE__, __LINE__, "%s: no op", c.where);
                break;
            }
            tg_scope_begin(ctx);
            replay_call(ctx, &c);
            tg_scope_end(ctx);
            CHECK_NO_LEAK(ctx, m0, c.where);
            calls++;
        }
        tg_ctx_free(ctx);
        sessions++;
    }
    CHECK(sessions > 400);
    CHECK(calls > 600);
    tt_fixture_free(fx);
}

/* ------------------------------------------------------------------ gradcheck */

/* Each function reseeds, so every evaluation draws the same samples. */
typedef struct gc_case {
    const char *op;
    int kind;
    double p;
    int64_t shape[3];
    int nd;
    bool transpose; /* feed x.t() (non-contiguous) */
} gc_case;

static tg_tensor *gc_fn(tg_tensor *const *in, int n, void *user) {
    (void)n;
    const gc_case *gc = user;
    tg_tensor *x = in[0];
    tg_ctx *ctx = tg_tensor_ctx(x);
    tg_manual_seed(ctx, 1234);
    if (gc->transpose) x = tg_t(x);
    switch (gc->kind) {
    case 0: return tg_dropout(x, gc->p, true);
    case 1: return tg_dropout(x, gc->p, false);
    case 2: { /* dropout_ on a non-leaf */
        tg_tensor *y = tg_mul_scalar(x, 1.5);
        return tg_dropout_(y, gc->p, true) == TG_OK ? y : NULL;
    }
    case 3: /* bernoulli(x) * x: BernoulliBackward0 adds a zero, the product rule the rest */
        return tg_mul(tg_bernoulli(x), x);
    default: { /* an in-place sampler on x * x (or on a slice of it: CopySlices), times x */
        tg_tensor *y = tg_mul(x, x), *target = y;
        if (gc->kind == 5) target = tg_slice(y, 0, 1, TG_SLICE_END, 1);
        tg_status st;
        if (strcmp(gc->op, "normal_") == 0) st = tg_normal_(target, 0.5, 2.0);
        else if (strcmp(gc->op, "uniform_") == 0) st = tg_uniform_(target, -1.0, 1.0);
        else if (strcmp(gc->op, "bernoulli_") == 0) st = tg_bernoulli_(target, 0.5);
        else st = tg_random_(target, -3, 4);
        return st == TG_OK ? tg_mul(y, x) : NULL;
    }
    }
}

static const char *const GC_OPS[] = {"dropout", "dropout_", "bernoulli", "normal_",
                                     "uniform_", "bernoulli_", "random_"};
enum { NGC = sizeof GC_OPS / sizeof GC_OPS[0] };
static int gc_seen[NGC];

static void test_gradcheck(void) {
    static const gc_case cases[] = {
        {"dropout", 0, 0.3, {7}, 1, false},       {"dropout", 0, 0.5, {4, 5}, 2, false},
        {"dropout", 0, 0.5, {5, 4}, 2, true},     {"dropout", 0, 0.2, {2, 3, 4}, 3, false},
        {"dropout", 0, 1.0, {6}, 1, false},       {"dropout", 0, 0.0, {3, 2}, 2, true},
        {"dropout", 0, 0.5, {1}, 0, false},       {"dropout", 1, 0.5, {3, 4}, 2, false},
        {"dropout_", 2, 0.4, {17}, 1, false},     {"dropout_", 2, 0.6, {4, 3}, 2, true},
        {"dropout_", 2, 1.0, {5}, 1, false},      {"bernoulli", 3, 0, {6}, 1, false},
        {"bernoulli", 3, 0, {3, 4}, 2, true},     {"normal_", 4, 0, {5}, 1, false},
        {"normal_", 4, 0, {4, 5}, 2, false},      {"normal_", 5, 0, {4, 3}, 2, false},
        {"normal_", 4, 0, {3, 6}, 2, true},       {"uniform_", 4, 0, {5}, 1, false},
        {"uniform_", 5, 0, {3, 3}, 2, false},     {"bernoulli_", 4, 0, {6}, 1, false},
        {"bernoulli_", 5, 0, {4, 2}, 2, false},   {"random_", 4, 0, {5}, 1, false},
        {"random_", 5, 0, {3, 2}, 2, false},
    };
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 8);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const gc_case *gc = &cases[k];
        tg_scope_begin(ctx);
        tg_memstats m0 = tg_ctx_memstats(ctx);
        tg_tensor *x = tg_rand(ctx, gc->shape, gc->nd, TG_FLOAT64);
        /* probabilities / values in (0.1, 0.9), away from bernoulli's edges */
        x = tg_add_scalar(tg_mul_scalar(x, 0.8), 0.1);
        tg_requires_grad_(x, true);
        /* forward-mode tangents too, except through an in-place op on a view (kind 5), which
         * forward AD refuses (checked below) */
        tg_gradcheck_opts with_fwd = {.check_forward_ad = gc->kind != 5};
        tg_status st = tg_gradcheck(gc_fn, &x, 1, (void *)(uintptr_t)gc, &with_fwd);
        if (st == TG_OK) {
            tt_pass++;
            for (int i = 0; i < NGC; i++)
                if (strcmp(GC_OPS[i], gc->op) == 0) gc_seen[i]++;
        } else {
            tt_failf(__FILE__, __LINE__, "gradcheck %s case %zu: %s", gc->op, k, tg_errmsg(ctx));
            tg_clear_error(ctx);
        }
        tg_scope_end(ctx);
        CHECK_NO_LEAK(ctx, m0, gc->op);
    }
    tg_ctx_free(ctx);
}

/* The analytic gradient of dropout is upstream * mask / (1 - p): rebuild it from the output. */
static void test_dropout_grad_formula(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 2);
    for (int d = 0; d < 2; d++) {
        tg_dtype dt = d ? TG_FLOAT64 : TG_FLOAT32;
        tg_scope_begin(ctx);
        tg_tensor *x = tg_add_scalar(tg_rand(ctx, TG_SHAPE(40, 25), dt), 0.5); /* nonzero */
        tg_requires_grad_(x, true);
        double p = 0.35;
        tg_tensor *out = tg_dropout(x, p, true);
        tg_tensor *v = tg_randn(ctx, TG_SHAPE(40, 25), dt);
        CHECK(tg_backward(out, v) == TG_OK);
        const tg_tensor *g = tg_tensor_grad(x);
        int kept = 0, bad = 0;
        double scale = dt == TG_FLOAT32 ? (double)(1.0f / (float)(1 - p)) : 1 / (1 - p);
        for (int64_t i = 0; i < 1000; i++) {
            double o = tg_tensor_get(out, i), xi = tg_tensor_get(x, i);
            double want = o != 0 ? tg_tensor_get(v, i) * scale : 0.0;
            if (o != 0) {
                kept++;
                if (o != (dt == TG_FLOAT32 ? (double)((float)xi * (float)scale) : xi * scale))
                    bad++;
            }
            if (dt == TG_FLOAT32) want = (float)want;
            if (tg_tensor_get(g, i) != want) bad++;
        }
        CHECK_INT(bad, 0);
        CHECK(kept > 600 && kept < 700); /* 65% kept on average */
        tg_scope_end(ctx);
    }
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

/* ------------------------------------------------------------------ behaviour */

static void test_statistics(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 17);
    int64_t n = 100000;
    for (int d = 0; d < 2; d++) {
        tg_dtype dt = d ? TG_FLOAT64 : TG_FLOAT32;
        tg_scope_begin(ctx);
        tg_tensor *t = tg_zeros(ctx, &n, 1, dt);
        double s = 0, ss = 0, lo = INFINITY, hi = -INFINITY;
        CHECK(tg_normal_(t, 3.0, 0.5) == TG_OK);
        for (int64_t i = 0; i < n; i++) {
            double v = tg_tensor_get(t, i);
            s += v;
            ss += v * v;
        }
        CHECK_NEAR(s / (double)n, 3.0, 0.01);
        CHECK_NEAR(ss / (double)n - (s / (double)n) * (s / (double)n), 0.25, 0.01);
        CHECK(tg_uniform_(t, -2.0, 5.0) == TG_OK);
        s = 0;
        for (int64_t i = 0; i < n; i++) {
            double v = tg_tensor_get(t, i);
            s += v;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        CHECK(lo >= -2.0 && hi < 5.0);
        CHECK_NEAR(s / (double)n, 1.5, 0.03);
        CHECK(tg_bernoulli_(t, 0.2) == TG_OK);
        s = 0;
        for (int64_t i = 0; i < n; i++) s += tg_tensor_get(t, i);
        CHECK_NEAR(s / (double)n, 0.2, 0.005);
        tg_tensor *ones = tg_ones(ctx, &n, 1, dt), *dr = tg_dropout(ones, 0.25, true);
        s = 0;
        for (int64_t i = 0; i < n; i++) s += tg_tensor_get(dr, i);
        CHECK_NEAR(s / (double)n, 1.0, 0.01); /* dropout keeps the expectation */
        tg_scope_end(ctx);
    }
    tg_tensor *r = tg_randint(ctx, -3, 4, &n, 1, TG_INT64);
    int64_t counts[7] = {0};
    bool in_range = r != NULL;
    for (int64_t i = 0; in_range && i < n; i++) {
        int64_t v = (int64_t)tg_tensor_get(r, i);
        in_range = v >= -3 && v < 4;
        if (in_range) counts[v + 3]++;
    }
    CHECK(in_range);
    for (int k = 0; k < 7; k++) CHECK(counts[k] > n / 7 - 600 && counts[k] < n / 7 + 600);
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

static void test_randint_warnings(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_set_warning_handler(ctx, tt_on_warning, NULL);
    tt_n_warnings = 0;
    CHECK(tg_randint(ctx, 0, 1 << 24, TG_SHAPE(3), TG_FLOAT32) != NULL);
    CHECK_INT(tt_n_warnings, 0);
    CHECK(tg_randint(ctx, 0, (1 << 24) + 2, TG_SHAPE(3), TG_FLOAT32) != NULL);
    CHECK_INT(tt_n_warnings, 1);
    CHECK_STR(tt_last_warning,
              "tg_randint: to - 1 is out of bounds [-(2^24), 2^24]. Due to precision limitations "
              "float can support discrete uniform distribution only within this range. This "
              "warning will become an error in version 1.7 release, please fix the code in "
              "advance");
    CHECK(tg_randint(ctx, -(INT64_C(1) << 54), 0, TG_SHAPE(3), TG_FLOAT64) != NULL);
    CHECK_INT(tt_n_warnings, 2);
    CHECK(strstr(tt_last_warning, "from is out of bounds [-(2^53), 2^53]") != NULL);
    CHECK(tg_randint(ctx, -(INT64_C(1) << 62), INT64_C(1) << 62, TG_SHAPE(3), TG_INT64) != NULL);
    CHECK_INT(tt_n_warnings, 2);
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

static void test_behaviour(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 4);
    tg_tensor *x = tg_rand(ctx, TG_SHAPE(3, 4), TG_FLOAT32);
    tg_requires_grad_(x, true);
    /* evaluation, p 0 and empty inputs give the input object itself */
    CHECK(tg_dropout(x, 0.5, false) == x);
    CHECK(tg_dropout(x, 0.0, true) == x);
    tg_tensor *e = tg_zeros(ctx, TG_SHAPE(0, 3), TG_FLOAT64);
    CHECK(tg_dropout(e, 0.5, true) == e);
    CHECK(tg_dropout_(e, 0.5, true) == TG_OK);
    /* a failing call draws nothing */
    tg_manual_seed(ctx, 4);
    CHECK(tg_dropout(x, 1.5, true) == NULL);
    tg_clear_error(ctx);
    CHECK(tg_normal_(x, 0, 1) == TG_ERR_AUTOGRAD); /* leaf */
    tg_clear_error(ctx);
    tg_tensor *a = tg_rand(ctx, TG_SHAPE(2), TG_FLOAT64);
    tg_manual_seed(ctx, 4);
    tg_tensor *b = tg_rand(ctx, TG_SHAPE(2), TG_FLOAT64);
    CHECK(tg_tensor_get(a, 0) == tg_tensor_get(b, 0) && tg_tensor_get(a, 1) == tg_tensor_get(b, 1));
    /* dropout saves only its mask: changing the input afterwards does not break backward
     * (MulBackward0 saves self only when the other factor requires grad) */
    tg_tensor *h = tg_mul_scalar(x, 2.0);
    tg_tensor *out = tg_dropout(h, 0.5, true);
    CHECK(tg_mul_scalar_(h, 3.0) == TG_OK);
    CHECK(tg_backward(out, tg_ones_like(out)) == TG_OK);
    /* in-place samplers under no_grad record nothing, and work on leaves */
    tg_no_grad(ctx);
    CHECK(tg_normal_(x, 0, 1) == TG_OK);
    CHECK(tg_tensor_grad_fn(x) == NULL);
    tg_grad_mode_pop(ctx);
    /* samplers on non-floating tensors never record */
    tg_tensor *li = tg_zeros(ctx, TG_SHAPE(5), TG_INT64);
    CHECK(tg_bernoulli_(li, 0.5) == TG_OK && tg_tensor_grad_fn(li) == NULL);
    CHECK(tg_random_(li, 10, 20) == TG_OK);
    for (int i = 0; i < 5; i++) CHECK(tg_tensor_get(li, i) >= 10 && tg_tensor_get(li, i) < 20);
    /* NULL inputs */
    CHECK(tg_randint(NULL, 0, 3, TG_SHAPE(2), TG_INT64) == NULL);
    CHECK(tg_bernoulli(NULL) == NULL);
    CHECK(tg_dropout(NULL, 0.5, true) == NULL);
    CHECK(tg_dropout_(NULL, 0.5, true) == TG_ERR_NULL_ARG);
    CHECK(tg_normal_(NULL, 0, 1) == TG_ERR_NULL_ARG);
    CHECK(tg_uniform_(NULL, 0, 1) == TG_ERR_NULL_ARG);
    CHECK(tg_bernoulli_(NULL, 0.5) == TG_ERR_NULL_ARG);
    CHECK(tg_random_(NULL, 0, 1) == TG_ERR_NULL_ARG);
    CHECK(tg_randint(ctx, 0, 3, TG_SHAPE(2), (tg_dtype)9) == NULL);
    CHECK_INT(tg_errcode(ctx), TG_ERR_DTYPE);
    tg_clear_error(ctx);
    /* a chain keeps the first error */
    CHECK(tg_dropout(tg_bernoulli(tg_zeros(ctx, TG_SHAPE(2), TG_INT64)), 0.5, true) == NULL);
    CHECK_ERR(ctx, TG_ERR_DTYPE,
              "tg_bernoulli: \"bernoulli_tensor_cpu_p_\" not implemented for 'Long'");
    tg_ctx_free(ctx);
}

/* Every op has fixture records and every differentiable op gradcheck cases. Runs last. */
static void test_coverage(void) {
    for (int k = 0; k < NOPS; k++)
        if (seen[k] > 0) tt_pass++;
        else tt_failf(__FILE__, __LINE__, "op %s has no fixture record", OPS[k]);
    for (int k = 0; k < NGC; k++)
        if (gc_seen[k] > 0) tt_pass++;
        else tt_failf(__FILE__, __LINE__, "op %s has no passing gradcheck case", GC_OPS[k]);
}

TT_MAIN(T(test_fixtures), T(test_gradcheck), T(test_dropout_grad_formula), T(test_statistics),
        T(test_randint_warnings), T(test_behaviour), T(test_coverage))
