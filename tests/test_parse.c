/*
 * test_parse.c — tg_tensor_parse against torch.tensor. Every record of tests/fixtures/parse.txt
 * (made by tools/fixtures_parse.py) is parsed: shape, dtype and exact values, or the error code
 * and exact message. Then the argument checks, int64 exactness, scopes and leaks, big and deeply
 * nested input, and the cases the fixtures cannot express.
 */
#include "test.h"

#include <errno.h>
#include <stdint.h>

/* Same value, bit for bit up to NaN payloads: -0.0 differs from 0.0. */
static bool same_double(double a, double b) {
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return a == b && signbit(a) == signbit(b);
}

/* Checks t's elements against the record's values string, exactly. Returns a failure text in
 * buf, or NULL when every element matches. */
static const char *check_values(const tg_tensor *t, const char *values, char *buf, size_t cap) {
    int64_t n = tg_tensor_numel(t);
    tg_dtype dt = tg_tensor_dtype(t);
    size_t es = dt == TG_FLOAT32 ? 4 : dt == TG_BOOL ? 1 : 8;
    unsigned char *data = malloc((size_t)(n ? n : 1) * es);
    if (!data) return "out of memory";
    const char *fail = NULL;
    if (tg_tensor_copy_out(t, data, (size_t)n * es) != TG_OK) {
        fail = "tg_tensor_copy_out failed";
        goto out;
    }
    const char *s = values ? values : "";
    for (int64_t i = 0;; i++) {
        while (*s == ' ') s++;
        if (i == n) {
            if (*s) fail = "more expected values than elements";
            break;
        }
        if (!*s) {
            fail = "fewer expected values than elements";
            break;
        }
        char *end;
        bool ok;
        double got;
        if (dt == TG_INT64) {
            errno = 0;
            long long want = strtoll(s, &end, 10);
            int64_t g = ((int64_t *)data)[i];
            ok = errno == 0 && g == want;
            snprintf(buf, cap, "element %lld: got %lld, expected %lld", (long long)i,
                     (long long)g, want);
        } else {
            double want = strtod(s, &end);
            if (dt == TG_FLOAT32) {
                got = ((float *)data)[i];
                want = (double)(float)want; /* the repr of a float32 value is exact */
            } else if (dt == TG_FLOAT64) {
                got = ((double *)data)[i];
            } else {
                got = ((bool *)data)[i] ? 1.0 : 0.0;
            }
            ok = same_double(got, want);
            snprintf(buf, cap, "element %lld: got %.17g, expected %.17g", (long long)i, got, want);
        }
        /* tg_tensor_get agrees with copy_out */
        double via_get = tg_tensor_get(t, i);
        double via_copy = dt == TG_FLOAT32   ? ((float *)data)[i]
                          : dt == TG_FLOAT64 ? ((double *)data)[i]
                          : dt == TG_INT64   ? (double)((int64_t *)data)[i]
                                             : (((bool *)data)[i] ? 1.0 : 0.0);
        if (ok && !same_double(via_get, via_copy)) {
            snprintf(buf, cap, "element %lld: tg_tensor_get %.17g != copy_out %.17g",
                     (long long)i, via_get, via_copy);
            ok = false;
        }
        if (!ok || end == s) {
            fail = buf;
            break;
        }
        s = end;
    }
out:
    free(data);
    return fail;
}

#define REC_FAIL(i, lit, dt, ...)                                                              \
    do {                                                                                       \
        char tt_m[600];                                                                        \
        snprintf(tt_m, sizeof tt_m, __VA_ARGS__);                                              \
        tt_failf(__FILE__, __LINE__, "record %d [%.200s] %s: %s", i, lit, dt, tt_m);          \
    } while (0)

static void test_fixtures(void) {
    tt_fixture *fx = tt_fixture_load("parse.txt");
    if (!fx) return;
    tg_ctx *ctx = tg_ctx_new();
    int tensors = 0, errors = 0;
    for (int r = 0; r < fx->n; r++) {
        const tt_record *rec = &fx->recs[r];
        const char *lit = tt_get(rec, "literal"), *dts = tt_get(rec, "dtype");
        const char *shape_s = tt_get(rec, "shape"), *values = tt_get(rec, "values");
        const char *message = tt_get(rec, "message");
        tg_dtype dt;
        if (!lit || !tt_parse_dtype(dts, &dt) || (!message && (!shape_s || !values))) {
            REC_FAIL(r, lit ? lit : "?", dts ? dts : "?", "malformed record");
            continue;
        }
        tg_memstats before = tg_ctx_memstats(ctx);
        tg_scope_begin(ctx);
        tg_tensor *t = tg_tensor_parse(ctx, lit, dt);
        if (message) {
            errors++;
            if (t) REC_FAIL(r, lit, dts, "parsed, expected the error [%s]", message);
            else if (tg_errcode(ctx) != TG_ERR_PARSE || strcmp(tg_errmsg(ctx), message) != 0)
                REC_FAIL(r, lit, dts, "error %d\n  got:      [%s]\n  expected: [%s]",
                         (int)tg_errcode(ctx), tg_errmsg(ctx), message);
            else tt_pass++;
            tg_clear_error(ctx);
        } else {
            tensors++;
            int64_t shape[TG_MAX_DIMS];
            int ndim = tt_parse_ints(shape_s, shape, TG_MAX_DIMS);
            char buf[300];
            const char *why;
            if (!t) REC_FAIL(r, lit, dts, "unexpected error %d: %s", (int)tg_errcode(ctx),
                             tg_errmsg(ctx));
            else if (tg_tensor_dtype(t) != dt)
                REC_FAIL(r, lit, dts, "dtype %d", (int)tg_tensor_dtype(t));
            else if (tg_tensor_ndim(t) != ndim ||
                     (ndim > 0 && memcmp(tg_tensor_shape(t), shape, (size_t)ndim * 8) != 0))
                REC_FAIL(r, lit, dts, "shape differs from [%s] (ndim %d)", shape_s,
                         tg_tensor_ndim(t));
            else if (!tg_tensor_is_contiguous(t)) REC_FAIL(r, lit, dts, "not contiguous");
            else if ((why = check_values(t, values, buf, sizeof buf)) != NULL)
                REC_FAIL(r, lit, dts, "%s", why);
            else tt_pass++;
            tg_clear_error(ctx);
        }
        tg_scope_end(ctx);
        CHECK_NO_LEAK(ctx, before, lit);
    }
    CHECK(tensors >= 200);
    CHECK(errors >= 100);
    printf("parse.txt: %d tensors, %d errors\n", tensors, errors);
    tg_ctx_free(ctx);
    tt_fixture_free(fx);
}

static void test_arguments(void) {
    CHECK(tg_tensor_parse(NULL, "[1]", TG_FLOAT32) == NULL);
    tg_ctx *ctx = tg_ctx_new();
    CHECK(tg_tensor_parse(ctx, NULL, TG_FLOAT32) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_tensor_parse: argument 'literal' is NULL");
    CHECK(tg_tensor_parse(ctx, "[1]", (tg_dtype)7) == NULL);
    CHECK_ERR(ctx, TG_ERR_DTYPE, "tg_tensor_parse: unknown dtype 7");
    CHECK(tg_tensor_parse(ctx, "[1]", (tg_dtype)-1) == NULL);
    CHECK_ERR(ctx, TG_ERR_DTYPE, "tg_tensor_parse: unknown dtype -1");
    /* a NULL literal keeps the error that produced it */
    CHECK(tg_tensor_parse(ctx, "[1", TG_FLOAT32) == NULL);
    CHECK(tg_tensor_parse(ctx, NULL, TG_FLOAT32) == NULL);
    CHECK_ERR(ctx, TG_ERR_PARSE,
              "tg_tensor_parse: unterminated list: expected ',' or ']' at position 2, found end of "
              "input ('[' at position 0 is never closed)");
    /* success leaves no error behind and does not clear an earlier one */
    tg_tensor *t = tg_tensor_parse(ctx, "[1, 2]", TG_FLOAT32);
    CHECK(t != NULL);
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

static void test_tour_literal(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *x = tg_tensor_parse(ctx, "[[1, 3], [2, 2]]", TG_FLOAT32);
    CHECK(x != NULL);
    CHECK_INT(tg_tensor_ndim(x), 2);
    CHECK_INT(tg_tensor_shape(x)[0], 2);
    CHECK_INT(tg_tensor_shape(x)[1], 2);
    CHECK_INT(tg_tensor_dtype(x), TG_FLOAT32);
    double want[] = {1, 3, 2, 2};
    CHECK_VALUES(x, want, 4, 0, 0);
    CHECK(tg_tensor_ctx(x) == ctx);
    tg_tensor *s = tg_tensor_parse(ctx, "3.5", TG_FLOAT64);
    CHECK_INT(tg_tensor_ndim(s), 0);
    CHECK_INT(tg_tensor_numel(s), 1);
    double v = 0;
    CHECK_INT(tg_item(s, &v), TG_OK);
    CHECK(v == 3.5);
    tg_ctx_free(ctx);
}

static void test_int64_exact(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *t = tg_tensor_parse(
        ctx, "[9007199254740993, -9007199254740993, 9223372036854775807, -9223372036854775808, "
             "0x7fffffffffffffff, -0o1000000000000000000000, 1_000_000_000_000_000_001]",
        TG_INT64);
    int64_t got[7] = {0};
    CHECK(t != NULL);
    CHECK_INT(tg_tensor_copy_out(t, got, sizeof got), TG_OK);
    CHECK(got[0] == INT64_C(9007199254740993));
    CHECK(got[1] == -INT64_C(9007199254740993));
    CHECK(got[2] == INT64_MAX);
    CHECK(got[3] == INT64_MIN);
    CHECK(got[4] == INT64_MAX);
    CHECK(got[5] == INT64_MIN);
    CHECK(got[6] == INT64_C(1000000000000000001));
    CHECK(tg_tensor_parse(ctx, "[1, 9223372036854775808]", TG_INT64) == NULL);
    CHECK_ERR(ctx, TG_ERR_PARSE,
              "tg_tensor_parse: Overflow when unpacking long at position 4: found "
              "'9223372036854775808'");
    CHECK(tg_tensor_parse(ctx, "-(9223372036854775809)", TG_INT64) == NULL);
    CHECK_ERR(ctx, TG_ERR_PARSE,
              "tg_tensor_parse: Overflow when unpacking long at position 0: found "
              "'-(9223372036854775809)'");
    /* the same literal is fine as float64, rounded as Python rounds int -> float */
    t = tg_tensor_parse(ctx, "-(9223372036854775809)", TG_FLOAT64);
    CHECK(t && tg_tensor_get(t, 0) == -9223372036854775808.0);
    tg_ctx_free(ctx);
}

/* Where torch relies on undefined behaviour (a float equal to 2^63 cast to int64 passes its
 * overflow check and comes out as INT64_MIN on x86), tensorgrad reports the overflow. */
static void test_float_to_int64(void) {
    tg_ctx *ctx = tg_ctx_new();
    CHECK(tg_tensor_parse(ctx, "[9.223372036854775807e18]", TG_INT64) == NULL);
    CHECK_ERR(ctx, TG_ERR_PARSE,
              "tg_tensor_parse: value cannot be converted to type int64 without overflow at "
              "position 1: found '9.223372036854775807e18'");
    tg_tensor *t = tg_tensor_parse(ctx, "[-9.223372036854775808e18, 9.2233720368547748e18, -2.9]",
                                   TG_INT64);
    int64_t got[3] = {0};
    CHECK(t != NULL);
    CHECK_INT(tg_tensor_copy_out(t, got, sizeof got), TG_OK);
    CHECK(got[0] == INT64_MIN);
    CHECK(got[1] == INT64_C(9223372036854774784));
    CHECK(got[2] == -2);
    tg_ctx_free(ctx);
}

static void test_nan_sign(void) {
    /* -nan keeps Python's sign bit (torch stores 0xffc00000 for float32) */
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *t = tg_tensor_parse(ctx, "[nan, -nan, -(-nan)]", TG_FLOAT32);
    float f[3];
    CHECK(t && tg_tensor_copy_out(t, f, sizeof f) == TG_OK);
    CHECK(isnan(f[0]) && !signbit(f[0]));
    CHECK(isnan(f[1]) && signbit(f[1]));
    CHECK(isnan(f[2]) && !signbit(f[2]));
    tg_ctx_free(ctx);
}

static void test_scopes(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_memstats m0 = tg_ctx_memstats(ctx);
    tg_scope_begin(ctx);
    tg_tensor *a = tg_tensor_parse(ctx, "[1, 2, 3]", TG_FLOAT32);
    tg_tensor *kept = tg_keep(tg_tensor_parse(ctx, "[[4, 5]]", TG_INT64));
    CHECK(a && kept);
    CHECK_INT(tg_ctx_memstats(ctx).tensors, m0.tensors + 2);
    tg_scope_end(ctx);
    CHECK_INT(tg_ctx_memstats(ctx).tensors, m0.tensors + 1);
    CHECK_INT(tg_tensor_get(kept, 1), 5);
    /* errors allocate nothing that outlives the call */
    tg_memstats m1 = tg_ctx_memstats(ctx);
    CHECK(tg_tensor_parse(ctx, "[[1, 2], [3]]", TG_FLOAT32) == NULL);
    CHECK(tg_tensor_parse(ctx, "[[1, 2], [3, 4]] x", TG_FLOAT32) == NULL);
    CHECK(tg_tensor_parse(ctx, "[1e400]", TG_INT64) == NULL);
    tg_clear_error(ctx);
    tg_memstats m2 = tg_ctx_memstats(ctx);
    CHECK_INT(m2.tensors, m1.tensors);
    CHECK_INT(m2.storages, m1.storages);
    tg_ctx_free(ctx);
}

/* A growing string buffer for the big literals below. */
typedef struct {
    char *s;
    size_t n, cap;
} sbuf;
static void sb_add(sbuf *b, const char *text) {
    size_t k = strlen(text);
    if (b->n + k + 1 > b->cap) {
        size_t cap = (b->n + k + 1) * 2;
        char *s = realloc(b->s, cap);
        if (!s) return;
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->n, text, k + 1);
    b->n += k;
}

static void test_big_literals(void) {
    tg_ctx *ctx = tg_ctx_new();
    /* 300 x 400 with mixed spelling; values i * 400 + j */
    sbuf b = {0};
    sb_add(&b, "[");
    char num[64];
    for (int i = 0; i < 300; i++) {
        sb_add(&b, i % 2 ? "(" : "[\n");
        for (int j = 0; j < 400; j++) {
            snprintf(num, sizeof num, j % 3 == 0 ? "%d, " : j % 3 == 1 ? "%d.0 ,\t" : "+%d,",
                     i * 400 + j);
            sb_add(&b, num);
        }
        sb_add(&b, i % 2 ? ")," : "],");
    }
    sb_add(&b, "]");
    tg_tensor *t = tg_tensor_parse(ctx, b.s, TG_INT64);
    CHECK(t != NULL);
    CHECK_INT(tg_tensor_ndim(t), 2);
    CHECK_INT(tg_tensor_size(t, 0), 300);
    CHECK_INT(tg_tensor_size(t, 1), 400);
    int bad = 0;
    for (int64_t k = 0; k < 300 * 400; k++) bad += tg_tensor_get(t, k) != (double)k;
    CHECK_INT(bad, 0);
    free(b.s);

    /* 100000 opening brackets: an error at the ninth, no deep recursion */
    size_t n = 100000;
    char *deep = malloc(n + 1);
    memset(deep, '[', n);
    deep[n] = '\0';
    CHECK(tg_tensor_parse(ctx, deep, TG_FLOAT32) == NULL);
    CHECK_ERR(ctx, TG_ERR_PARSE,
              "tg_tensor_parse: too many dimensions: expected at most 8 nested brackets at "
              "position 8, found '['");
    memset(deep, '(', n);
    CHECK(tg_tensor_parse(ctx, deep, TG_FLOAT32) == NULL);
    CHECK_ERR(ctx, TG_ERR_PARSE,
              "tg_tensor_parse: too many dimensions: expected at most 8 nested brackets at "
              "position 8, found '('");
    /* a long chain of signs is iterative */
    memset(deep, '-', n);
    deep[n - 1] = '1';
    t = tg_tensor_parse(ctx, deep, TG_INT64); /* 99999 minus signs */
    CHECK(t && tg_tensor_get(t, 0) == -1);
    /* a number with 100000 digits: too large for a float, fine for bool */
    memset(deep, '9', n);
    CHECK(tg_tensor_parse(ctx, deep, TG_FLOAT32) == NULL);
    CHECK_ERR(ctx, TG_ERR_PARSE,
              "tg_tensor_parse: int too large to convert to float at position 0: found "
              "'9999999999999999999999999999999999999999...'");
    t = tg_tensor_parse(ctx, deep, TG_BOOL);
    CHECK(t && tg_tensor_get(t, 0) == 1);
    /* and as a float with 100000 digits after the point */
    deep[0] = '0';
    deep[1] = '.';
    t = tg_tensor_parse(ctx, deep, TG_FLOAT64);
    CHECK(t && tg_tensor_get(t, 0) == 1.0);
    free(deep);
    tg_ctx_free(ctx);
}

/* Eight dimensions is the limit: fine at eight, an error at nine wherever it is. */
static void test_max_dims(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *t = tg_tensor_parse(ctx, "[[[[[[[[1, 2]]]]]]], [[[[[[[3, 4]]]]]]]]", TG_FLOAT32);
    CHECK(t != NULL);
    CHECK_INT(tg_tensor_ndim(t), 8);
    CHECK_INT(tg_tensor_size(t, 0), 2);
    CHECK_INT(tg_tensor_size(t, 7), 2);
    CHECK(tg_tensor_parse(ctx, "[[], [[[[[[[[1]]]]]]]]]", TG_FLOAT32) == NULL);
    CHECK_ERR(ctx, TG_ERR_PARSE,
              "tg_tensor_parse: too many dimensions: expected at most 8 nested brackets at "
              "position 12, found '['");
    tg_ctx_free(ctx);
}

TT_MAIN(T(test_fixtures), T(test_arguments), T(test_tour_literal), T(test_int64_exact),
        T(test_float_to_int64), T(test_nan_sign), T(test_scopes), T(test_big_literals),
        T(test_max_dims))
