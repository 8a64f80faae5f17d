/*
 * test.h — the tiny test harness: CHECK* macros that record failures with file:line and both
 * values, fixture reading helpers, and a main() that runs the listed tests and prints
 * "N passed, N failed". Each tests/test_*.c is its own program.
 */
#ifndef TG_TEST_H
#define TG_TEST_H

#include "tensorgrad.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int tt_pass, tt_fail;
extern const char *tt_current;

void tt_failf(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#define CHECK(c)                                                                               \
    do {                                                                                       \
        if (c) tt_pass++;                                                                      \
        else tt_failf(__FILE__, __LINE__, "CHECK(%s)", #c);                                  \
    } while (0)

#define CHECK_INT(a, b)                                                                        \
    do {                                                                                       \
        long long tt_a = (long long)(a), tt_b = (long long)(b);                                \
        if (tt_a == tt_b) tt_pass++;                                                           \
        else tt_failf(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, tt_a, tt_b);     \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                  \
    do {                                                                                       \
        double tt_a = (double)(a), tt_b = (double)(b);                                         \
        if (fabs(tt_a - tt_b) <= (tol) || (tt_a == tt_b) || (isnan(tt_a) && isnan(tt_b)))     \
            tt_pass++;                                                                         \
        else                                                                                   \
            tt_failf(__FILE__, __LINE__, "%s ~ %s: %.17g vs %.17g (diff %.3g)", #a, #b, tt_a, \
                     tt_b, fabs(tt_a - tt_b));                                                 \
    } while (0)

#define CHECK_STR(a, b)                                                                        \
    do {                                                                                       \
        const char *tt_a = (a), *tt_b = (b);                                                   \
        if (tt_a && tt_b && strcmp(tt_a, tt_b) == 0) tt_pass++;                               \
        else tt_failf(__FILE__, __LINE__, "%s == %s:\n  got:      [%s]\n  expected: [%s]", #a, \
                      #b, tt_a ? tt_a : "(null)", tt_b ? tt_b : "(null)");                     \
    } while (0)

/* The ctx holds error `code` and exactly message `msg`; then clears it. */
#define CHECK_ERR(ctx, code, msg)                                                              \
    do {                                                                                       \
        CHECK_INT(tg_errcode(ctx), code);                                                      \
        CHECK_STR(tg_errmsg(ctx), msg);                                                        \
        tg_clear_error(ctx);                                                                   \
    } while (0)

#define CHECK_OK(ctx)                                                                          \
    do {                                                                                       \
        if (tg_errcode(ctx) == TG_OK) tt_pass++;                                               \
        else {                                                                                 \
            tt_failf(__FILE__, __LINE__, "unexpected error %d: %s", (int)tg_errcode(ctx),      \
                     tg_errmsg(ctx));                                                          \
            tg_clear_error(ctx);                                                               \
        }                                                                                      \
    } while (0)

/* repr(t) equals expected exactly */
#define CHECK_REPR(t, expected)                                                                \
    do {                                                                                       \
        char *tt_s = tg_tensor_str(t);                                                         \
        CHECK_STR(tt_s, expected);                                                             \
        free(tt_s);                                                                            \
    } while (0)

/* Every element of t equals vals[] within atol + rtol*|v| (shape checked by numel). */
int tt_check_values(const char *file, int line, const tg_tensor *t, const double *vals,
                    int64_t n, double atol, double rtol);
#define CHECK_VALUES(t, vals, n, atol, rtol)                                                   \
    tt_check_values(__FILE__, __LINE__, t, vals, n, atol, rtol)

typedef void (*tt_fn)(void);
typedef struct {
    const char *name;
    tt_fn fn;
} tt_case;
int tt_run(const tt_case *cases, int n, int argc, char **argv);
#define TT_MAIN(...)                                                                           \
    int main(int argc, char **argv) {                                                          \
        static const tt_case tt_cases[] = {__VA_ARGS__};                                       \
        return tt_run(tt_cases, (int)(sizeof tt_cases / sizeof tt_cases[0]), argc, argv);     \
    }
#define T(fn) {#fn, fn}

/* Fixture access: a fixture file is a list of records "key: value" separated by blank lines;
 * see tools/gen_fixtures.py. tt_fixture_load returns records; values stay strings. */
typedef struct {
    int n;
    char **keys;
    char **vals;
} tt_record;
typedef struct {
    int n;
    tt_record *recs;
} tt_fixture;
/* Loads tests/fixtures/<name> (path relative to the repo root or $TG_FIXTURES). NULL + message
 * on failure. */
tt_fixture *tt_fixture_load(const char *name);
void tt_fixture_free(tt_fixture *f);
const char *tt_get(const tt_record *r, const char *key); /* NULL if absent */
/* Parses "1.5 -2 nan inf" into a malloc'd array; *n receives the count. */
double *tt_parse_doubles(const char *s, int64_t *n);

#endif
