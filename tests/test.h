/*
 * test.h — the tiny test harness: CHECK* macros that record failures with file:line and both
 * values, a main() that runs the listed tests and prints "N passed, N failed", and what every
 * fixture test shares: reading records, building tensors from them, comparing results and
 * errors with them, leak checks and record replay. Each tests/test_*.c is its own program.
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
/* The whole file at path, NUL-terminated and malloc'd; NULL when it cannot be read. */
char *tt_read_file(const char *path);

/* ------------------------------------------------------------------ reading records
 * Fixture conventions (tools/fixture_common.py): dtypes are named "float32", "float64", "int64"
 * and "bool"; shapes and int lists are "2 3 4" (empty for 0-d); values are every element, floats
 * as repr(float), ints in decimal, bools as 1/0; an error record holds "code" (TG_ERR_<code>)
 * and "error" (PyTorch's text, which the C function prefixes with "tg_<op>: "). */

/* The first record of fx whose `key` is `value`; NULL, with a failure reported at file:line,
 * when there is none (or fx is NULL). */
const tt_record *tt_find_record_at(const char *file, int line, const tt_fixture *fx,
                                   const char *key, const char *value);
#define TT_FIND(fx, key, value) tt_find_record_at(__FILE__, __LINE__, fx, key, value)
/* Writes the key "<prefix><i>_<what>" (e.g. "in0_dtype") into buf; returns buf. */
const char *tt_key(char *buf, size_t cap, const char *prefix, int i, const char *what);
/* A dtype's fixture name into *out; false (out untouched) for NULL or an unknown name. */
bool tt_parse_dtype(const char *s, tg_dtype *out);
/* The fixture name of a dtype ("float32", ...), "?" for anything else. */
const char *tt_dtype_str(tg_dtype d);
/* An error record's code ("SHAPE", "INDEX", ...) as TG_ERR_<code>; false for NULL or unknown. */
bool tt_parse_code(const char *s, tg_status *out);
/* "2 -3 4" (or "[2, -3, 4]") into out[], exactly (strtoll); the count (0 for NULL), or -1 when
 * there are more than cap. */
int tt_parse_ints(const char *s, int64_t *out, int cap);
/* Every integer of s (read as tt_parse_ints does), exactly; malloc'd (never zero-sized; NULL
 * when out of memory), *count receives the count. */
int64_t *tt_parse_int64s(const char *s, int64_t *count);
/* The values of s (NULL: none) as element data of dtype: int64 exactly, floats through strtod,
 * bools nonzero; malloc'd (never zero-sized; NULL when out of memory), *count gets the count. */
void *tt_values_data(const char *s, tg_dtype dtype, int64_t *count);
/* A new tensor of dtype and shape holding the values of s; NULL when their count does not fit
 * the shape or tg_tensor_new fails (its error stays on ctx). */
tg_tensor *tt_tensor_from(tg_ctx *ctx, const char *s, tg_dtype dtype, const int64_t *shape,
                          int ndim);
/* The dtype and shape of "<prefix>_dtype" / "<prefix>_shape"; false, with a failure reported at
 * file:line, when either is missing or malformed. */
bool tt_record_dtype_shape_at(const char *file, int line, const tt_record *r, const char *prefix,
                              tg_dtype *dtype, int64_t *shape, int *ndim);
#define TT_RECORD_DTYPE_SHAPE(r, prefix, dtype, shape, ndim)                                   \
    tt_record_dtype_shape_at(__FILE__, __LINE__, r, prefix, dtype, shape, ndim)

/* Input i of an op record: "in<i>_dtype", "_shape", "_values", "_requires_grad" (the leaf
 * requires grad), "_transpose" ("1": dims 0 and 1, or "d0 d1"), or "in<i>_none" for NULL. */
typedef struct tt_input {
    tg_tensor *leaf; /* built from the values; NULL for a NULL input */
    tg_tensor *use;  /* what the op receives: leaf or its transpose */
    tg_dtype dtype;
    int64_t shape[TG_MAX_DIMS];
    int ndim;
} tt_input;
/* Builds input i of r into *in (its tensors belong to ctx's current scope); false, with a
 * failure reported at file:line, when the record is malformed or a tensor call fails. */
bool tt_record_input_at(const char *file, int line, tg_ctx *ctx, const tt_record *r, int i,
                        tt_input *in);
#define TT_RECORD_INPUT(ctx, r, i, in) tt_record_input_at(__FILE__, __LINE__, ctx, r, i, in)
/* All inputs of r: "inputs" of them (at most cap), built into in[i] with x[i] = in[i].use (NULL
 * past the last); their count, or -1 with a failure reported at file:line. */
int tt_record_inputs_at(const char *file, int line, tg_ctx *ctx, const tt_record *r,
                        tt_input *in, tg_tensor **x, int cap);
/* The same for arrays in[] and x[] of one size. */
#define TT_RECORD_INPUTS(ctx, r, in, x)                                                        \
    tt_record_inputs_at(__FILE__, __LINE__, ctx, r, in, x, (int)(sizeof(in) / sizeof((in)[0])))

/* ------------------------------------------------------------------ comparing with records */

/* The tolerance of values computed in dtype: 1e-5 for float32, 1e-10 for float64, else 0. */
double tt_tol(tg_dtype dtype);
/* t has dtype, shape and the values of the fixture text `values`: floats within tol + tol*|want|
 * (NaN equals NaN, infinities exactly), int64 and bool exactly. Two checks: dtype and shape,
 * then the values; a failure names `what` and shows both sides. True when both pass. */
bool tt_check_tensor_at(const char *file, int line, const char *what, const tg_tensor *t,
                        tg_dtype dtype, const int64_t *shape, int ndim, const char *values,
                        double tol);
#define CHECK_TENSOR(what, t, dtype, shape, ndim, values, tol)                                 \
    tt_check_tensor_at(__FILE__, __LINE__, what, t, dtype, shape, ndim, values, tol)
/* Input i's .grad against r's "in<i>_grad": "none" (one check: PyTorch leaves it unset) or the
 * values (CHECK_TENSOR with in's dtype and shape); nothing when r has no such key. */
void tt_check_input_grad_at(const char *file, int line, const tt_record *r, int i,
                            const tt_input *in, double tol);
#define CHECK_INPUT_GRAD(r, i, in, tol) tt_check_input_grad_at(__FILE__, __LINE__, r, i, in, tol)
/* t's elements equal r's `key` values within atol + rtol*|v| (one check, as CHECK_VALUES); the
 * text "None" means t must be NULL. A missing record or key fails. */
bool tt_check_record_values_at(const char *file, int line, const tg_tensor *t,
                               const tt_record *r, const char *key, double atol, double rtol);
#define CHECK_RECORD_VALUES(t, r, key, atol, rtol)                                             \
    tt_check_record_values_at(__FILE__, __LINE__, t, r, key, atol, rtol)
/* got equals r's `key` exactly (one check; a missing record or key fails). */
void tt_check_record_str_at(const char *file, int line, const char *got, const tt_record *r,
                            const char *key);
#define CHECK_RECORD_STR(got, r, key) tt_check_record_str_at(__FILE__, __LINE__, got, r, key)
/* out requires grad as r's "out_requires_grad" (1/0) says and its grad_fn is r's "grad_fn"
 * (two checks). */
void tt_check_record_autograd_at(const char *file, int line, const tg_tensor *out,
                                 const tt_record *r);
#define CHECK_RECORD_AUTOGRAD(out, r) tt_check_record_autograd_at(__FILE__, __LINE__, out, r)
/* tg_backward(out, v), v built from r's "v" in out's dtype and shape; false, with a failure
 * reported at file:line, when v cannot be built or the backward fails (its error cleared). */
bool tt_record_backward_at(const char *file, int line, tg_ctx *ctx, const tt_record *r,
                           tg_tensor *out);
#define TT_RECORD_BACKWARD(ctx, r, out) tt_record_backward_at(__FILE__, __LINE__, ctx, r, out)
/* The name of t's grad_fn: "none" when t is NULL or has none. */
const char *tt_grad_fn_name(const tg_tensor *t);
/* tg_tensor_parse(ctx, s, dtype), made to require grad when requires_grad (NULL stays NULL). */
tg_tensor *tt_literal(tg_ctx *ctx, const char *s, tg_dtype dtype, bool requires_grad);

/* ------------------------------------------------------------------ errors */

/* ctx holds error `code` and exactly the message "<prefix>: <msg>" (two checks, "?" for a NULL
 * msg); then the error is cleared. */
void tt_check_error_at(const char *file, int line, tg_ctx *ctx, tg_status code,
                       const char *prefix, const char *msg);
#define CHECK_ERROR(ctx, code, prefix, msg)                                                    \
    tt_check_error_at(__FILE__, __LINE__, ctx, code, prefix, msg)
/* The same with PyTorch's message from r's "error" (r may be NULL). */
#define CHECK_RECORD_ERROR(ctx, code, prefix, r)                                               \
    tt_check_error_at(__FILE__, __LINE__, ctx, code, prefix, (r) ? tt_get(r, "error") : NULL)
/* An op's error record: ctx holds TG_ERR_<r's "code"> and "tg_<r's "op">: <r's "error">" (two
 * checks; a failure for an unknown code); then the error is cleared. */
void tt_check_op_error_at(const char *file, int line, tg_ctx *ctx, const tt_record *r);
#define CHECK_OP_ERROR(ctx, r) tt_check_op_error_at(__FILE__, __LINE__, ctx, r)

/* After running r's op (failed: it gave no result): for an error record, one check that it
 * failed and CHECK_OP_ERROR; otherwise a failure (the error cleared) when it failed, else
 * CHECK_OK. True when there is a result to compare with the record. */
bool tt_check_op_outcome_at(const char *file, int line, tg_ctx *ctx, const tt_record *r,
                            bool failed);
#define CHECK_OP_OUTCOME(ctx, r, failed) tt_check_op_outcome_at(__FILE__, __LINE__, ctx, r, failed)

/* A warning handler, for tg_set_warning_handler(ctx, tt_on_warning, NULL): counts the warnings
 * in tt_n_warnings and keeps the last one in tt_last_warning (both for the test to reset). */
extern int tt_n_warnings;
extern char tt_last_warning[2048];
void tt_on_warning(const char *msg, void *user);

/* ------------------------------------------------------------------ leaks and replay */

/* ctx holds as many tensors, storages and graph nodes as `before` (three checks; a failure
 * names `what`). */
void tt_check_no_leak_at(const char *file, int line, const tg_ctx *ctx, tg_memstats before,
                         const char *what);
#define CHECK_NO_LEAK(ctx, before, what)                                                       \
    tt_check_no_leak_at(__FILE__, __LINE__, ctx, before, what)
/* Nothing is left alive on ctx: no tensors, storages or nodes (three checks). */
#define CHECK_NOTHING_ALIVE(ctx)                                                               \
    tt_check_no_leak_at(__FILE__, __LINE__, ctx, (tg_memstats){.tensors = 0}, "ctx")

typedef void (*tt_replay_fn)(tg_ctx *ctx, const tt_record *r);
/* Replays each record of fx that has `key`, in its own scope, with tt_current set to its "case"
 * (else "name", else the key's value): fn(ctx, r), then tg_scope_end returns TG_OK, ctx holds
 * what it held before (CHECK_NO_LEAK) and no error is left on it. Prints "N of M <label>
 * records failed" when some did and restores tt_current. Returns M, the records replayed. */
int tt_replay_records(tg_ctx *ctx, const tt_fixture *fx, const char *key, const char *label,
                      tt_replay_fn fn);
/* Loads tests/fixtures/<name>, checks that it holds at least min_records records, replays those
 * with `key` on a fresh ctx (tt_replay_records) and checks that nothing is left alive. */
void tt_replay_fixture(const char *name, int min_records, const char *key, tt_replay_fn fn);

/* ------------------------------------------------------------------ op tables */

/* The entry named `name` in table[0..count) (structs of `size` bytes whose first member is the
 * name, a const char *), or NULL. */
void *tt_lookup(void *table, size_t count, size_t size, const char *name);
#define TT_LOOKUP(table, name)                                                                 \
    tt_lookup(table, sizeof(table) / sizeof((table)[0]), sizeof((table)[0]), name)
/* The entry of table[] that r's "op" names; NULL, with a failure reported at file:line, when
 * there is none. */
void *tt_record_op_at(const char *file, int line, void *table, size_t count, size_t size,
                      const tt_record *r);
#define TT_RECORD_OP(table, r)                                                                 \
    tt_record_op_at(__FILE__, __LINE__, table, sizeof(table) / sizeof((table)[0]),             \
                    sizeof((table)[0]), r)

/* Op-table wrappers: TT_OP_UNARY(neg) defines f_neg(x, a) calling tg_neg(x[0]); BINARY passes
 * x[0], x[1]; SCALAR x[0], a->scalar. The IN_PLACE forms define f_<name>_, which acts on a clone
 * of x[0] (PyTorch: out = x.clone(); out.op_(...)) and returns it, NULL when the op fails. The
 * including file defines op_args; the wrappers are static inline, so unused ones cost nothing. */
#define TT_OP_UNARY(name)                                                                      \
    static inline tg_tensor *f_##name(tg_tensor *const *x, const op_args *a) {                 \
        (void)a;                                                                               \
        return tg_##name(x[0]);                                                                \
    }
#define TT_OP_BINARY(name)                                                                     \
    static inline tg_tensor *f_##name(tg_tensor *const *x, const op_args *a) {                 \
        (void)a;                                                                               \
        return tg_##name(x[0], x[1]);                                                          \
    }
#define TT_OP_SCALAR(name)                                                                     \
    static inline tg_tensor *f_##name(tg_tensor *const *x, const op_args *a) {                 \
        return tg_##name(x[0], a->scalar);                                                     \
    }
#define TT_OP_IN_PLACE_BINARY(name)                                                            \
    static inline tg_tensor *f_##name##_(tg_tensor *const *x, const op_args *a) {              \
        (void)a;                                                                               \
        tg_tensor *c = tg_clone(x[0]);                                                         \
        return c && tg_##name##_(c, x[1]) == TG_OK ? c : NULL;                                 \
    }
#define TT_OP_IN_PLACE_SCALAR(name)                                                            \
    static inline tg_tensor *f_##name##_(tg_tensor *const *x, const op_args *a) {              \
        tg_tensor *c = tg_clone(x[0]);                                                         \
        return c && tg_##name##_(c, a->scalar) == TG_OK ? c : NULL;                            \
    }

#endif
