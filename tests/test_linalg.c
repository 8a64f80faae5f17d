/*
 * test_linalg.c — matmul (every rank and PyTorch 2.x path), mm, bmm, mv, dot, outer, addmm and
 * linear: each record of tests/fixtures/linalg.txt (tools/fixtures_linalg.py) replayed in its own
 * scope (values, dtype, shape, version, grad_fn, gradients, or the error's code and message);
 * tg_gradcheck in float64 over every op and path; the fast GEMM against the reference loop on
 * random shapes and layouts; second backward, version-counter and leak checks; and coverage.
 */
#include "test.h"

#include "../src/ops/linalg.h"

#include <stdint.h>

/* ------------------------------------------------------------------ the ops */

typedef struct op_entry {
    const char *name; /* the record's op; the C function is "tg_" name */
    int fixtures, errors, gradchecks; /* coverage counts (test_coverage) */
} op_entry;

static op_entry ops[] = {{"matmul", 0, 0, 0}, {"mm", 0, 0, 0},    {"bmm", 0, 0, 0},
                         {"mv", 0, 0, 0},     {"dot", 0, 0, 0},   {"outer", 0, 0, 0},
                         {"addmm", 0, 0, 0},  {"linear", 0, 0, 0}};
#define N_OPS ((int)(sizeof ops / sizeof ops[0]))

static op_entry *find_op(const char *name) { return TT_LOOKUP(ops, name); }

/* Runs op on x[0..n) (beta, alpha for addmm; linear's bias is x[2] when n == 3). */
static tg_tensor *run_op(const char *op, tg_tensor *const *x, int n, double beta, double alpha) {
    if (strcmp(op, "matmul") == 0) return tg_matmul(x[0], x[1]);
    if (strcmp(op, "mm") == 0) return tg_mm(x[0], x[1]);
    if (strcmp(op, "bmm") == 0) return tg_bmm(x[0], x[1]);
    if (strcmp(op, "mv") == 0) return tg_mv(x[0], x[1]);
    if (strcmp(op, "dot") == 0) return tg_dot(x[0], x[1]);
    if (strcmp(op, "outer") == 0) return tg_outer(x[0], x[1]);
    if (strcmp(op, "addmm") == 0) return tg_addmm(x[0], x[1], x[2], beta, alpha);
    if (strcmp(op, "linear") == 0) return tg_linear(x[0], x[1], n > 2 ? x[2] : NULL);
    return NULL;
}

/* ------------------------------------------------------------------ fixture replay */

static void run_record(tg_ctx *ctx, const tt_record *r) {
    const op_entry *e = TT_RECORD_OP(ops, r);
    if (!e) return;
    const char *op = e->name;
    const char *s_beta = tt_get(r, "beta"), *s_alpha = tt_get(r, "alpha");
    double beta = s_beta ? atof(s_beta) : 1, alpha = s_alpha ? atof(s_alpha) : 1;
    tt_input in[3];
    tg_tensor *x[3];
    int nin = TT_RECORD_INPUTS(ctx, r, in, x);
    if (nin < 0) return;
    tg_tensor *out = run_op(op, x, nin, beta, alpha);
    if (!CHECK_OP_OUTCOME(ctx, r, out == NULL)) return;
    tg_dtype odt;
    int64_t oshape[TG_MAX_DIMS];
    int ond;
    if (!TT_RECORD_DTYPE_SHAPE(r, "out", &odt, oshape, &ond)) return;
    CHECK_TENSOR("out", out, odt, oshape, ond, tt_get(r, "out_values"), tt_tol(odt));
    CHECK_RECORD_AUTOGRAD(out, r);
    CHECK_INT(tg_tensor_version(out), atoi(tt_get(r, "out_version")));
    const char *v = tt_get(r, "v");
    if (!v) return;
    tg_tensor *vt = tt_tensor_from(ctx, v, odt, oshape, ond);
    CHECK_INT(tg_backward(out, vt), TG_OK);
    CHECK_OK(ctx);
    for (int i = 0; i < nin; i++) CHECK_INPUT_GRAD(r, i, &in[i], tt_tol(in[i].dtype));
}

static void test_fixtures(void) { tt_replay_fixture("linalg.txt", 250, "case", run_record); }

/* ------------------------------------------------------------------ gradcheck */

typedef struct gc_case {
    const char *op;
    int nin;
    int64_t shape[3][4]; /* the contiguous inputs, made with tg_randn */
    int ndim[3];
    int tr[3][2];      /* transpose (d0, d1) applied inside the function; {0, 0} for none */
    bool rg[3];        /* which inputs gradcheck differentiates */
    double beta, alpha;
} gc_case;

#define S(...) {__VA_ARGS__}
static const gc_case gc_cases[] = {
    /* matmul, every path */
    {"matmul", 2, {S(4), S(4)}, {1, 1}, {{0}}, {1, 1}, 0, 0},
    {"matmul", 2, {S(3, 4), S(4)}, {2, 1}, {{0}}, {1, 1}, 0, 0},
    {"matmul", 2, {S(4), S(4, 3)}, {1, 2}, {{0}}, {1, 1}, 0, 0},
    {"matmul", 2, {S(2, 3), S(3, 4)}, {2, 2}, {{0}}, {1, 1}, 0, 0},
    {"matmul", 2, {S(3, 2), S(4, 3)}, {2, 2}, {{0, 1}, {0, 1}}, {1, 1}, 0, 0},
    {"matmul", 2, {S(2, 3, 4), S(4, 2)}, {3, 2}, {{0}}, {1, 1}, 0, 0},          /* fold mm */
    {"matmul", 2, {S(2, 3, 4), S(4, 2)}, {3, 2}, {{0}}, {1, 0}, 0, 0},          /* fold view */
    {"matmul", 2, {S(3, 2, 4), S(4, 2)}, {3, 2}, {{0, 1}}, {1, 0}, 0, 0},       /* bmm */
    {"matmul", 2, {S(3, 2, 4), S(4, 2)}, {3, 2}, {{0, 1}}, {1, 1}, 0, 0},       /* fold copy */
    {"matmul", 2, {S(2, 3, 4), S(4)}, {3, 1}, {{0}}, {1, 1}, 0, 0},             /* fold mv */
    {"matmul", 2, {S(3, 2, 4), S(4)}, {3, 1}, {{0, 1}}, {1, 0}, 0, 0},          /* bmm vec */
    {"matmul", 2, {S(2, 3), S(2, 3, 4)}, {2, 3}, {{0}}, {1, 1}, 0, 0},          /* fold, t */
    {"matmul", 2, {S(2, 3), S(2, 3, 4)}, {2, 3}, {{0}}, {0, 1}, 0, 0},          /* bmm */
    {"matmul", 2, {S(1, 3), S(2, 3, 4)}, {2, 3}, {{0}}, {1, 1}, 0, 0},
    {"matmul", 2, {S(3), S(2, 3, 4)}, {1, 3}, {{0}}, {1, 1}, 0, 0},
    {"matmul", 2, {S(3), S(2, 3, 4)}, {1, 3}, {{0}}, {0, 1}, 0, 0},
    {"matmul", 2, {S(2, 3, 4), S(2, 4, 2)}, {3, 3}, {{0}}, {1, 1}, 0, 0},
    {"matmul", 2, {S(2, 4, 3), S(2, 4, 2)}, {3, 3}, {{1, 2}}, {1, 1}, 0, 0},
    {"matmul", 2, {S(1, 3, 4), S(2, 4, 2)}, {3, 3}, {{0}}, {1, 1}, 0, 0},       /* squeeze */
    {"matmul", 2, {S(2, 3, 4), S(1, 4, 2)}, {3, 3}, {{0}}, {0, 1}, 0, 0},
    {"matmul", 2, {S(1, 3, 4), S(2, 4, 2)}, {3, 3}, {{0}}, {0, 1}, 0, 0},       /* bcast */
    {"matmul", 2, {S(2, 1, 2, 3), S(3, 3, 2)}, {4, 3}, {{0}}, {1, 1}, 0, 0},
    {"matmul", 2, {S(2, 2, 3, 4), S(4)}, {4, 1}, {{0}}, {1, 1}, 0, 0},
    {"matmul", 2, {S(3), S(2, 1, 3, 2)}, {1, 4}, {{0}}, {1, 1}, 0, 0},
    /* the recorded products */
    {"mm", 2, {S(2, 3), S(3, 4)}, {2, 2}, {{0}}, {1, 1}, 0, 0},
    {"mm", 2, {S(3, 2), S(4, 3)}, {2, 2}, {{0, 1}, {0, 1}}, {1, 1}, 0, 0},
    {"bmm", 2, {S(2, 3, 4), S(2, 4, 2)}, {3, 3}, {{0}}, {1, 1}, 0, 0},
    {"bmm", 2, {S(3, 2, 4), S(2, 2, 4)}, {3, 3}, {{0, 1}, {1, 2}}, {1, 1}, 0, 0},
    {"mv", 2, {S(3, 4), S(4)}, {2, 1}, {{0}}, {1, 1}, 0, 0},
    {"mv", 2, {S(4, 3), S(4)}, {2, 1}, {{0, 1}}, {1, 1}, 0, 0},
    {"dot", 2, {S(5), S(5)}, {1, 1}, {{0}}, {1, 1}, 0, 0},
    {"outer", 2, {S(3), S(4)}, {1, 1}, {{0}}, {1, 1}, 0, 0},
    {"addmm", 3, {S(2, 4), S(2, 3), S(3, 4)}, {2, 2, 2}, {{0}}, {1, 1, 1}, 1, 1},
    {"addmm", 3, {S(4), S(2, 3), S(3, 4)}, {1, 2, 2}, {{0}}, {1, 1, 1}, 0.5, -2},
    {"addmm", 3, {S(2, 1), S(3, 2), S(4, 3)}, {2, 2, 2}, {{0}, {0, 1}, {0, 1}}, {1, 1, 1}, 2, 1},
    {"addmm", 3, {S(0), S(2, 3), S(3, 4)}, {0, 2, 2}, {{0}}, {1, 1, 1}, -1, 0.25},
    /* linear, each way PyTorch builds it */
    {"linear", 3, {S(3, 4), S(5, 4), S(5)}, {2, 2, 1}, {{0}}, {1, 1, 1}, 0, 0},
    {"linear", 2, {S(3, 4), S(5, 4)}, {2, 2}, {{0}}, {1, 1}, 0, 0},
    {"linear", 3, {S(4), S(5, 4), S(5)}, {1, 2, 1}, {{0}}, {1, 1, 1}, 0, 0},
    {"linear", 2, {S(4), S(5, 4)}, {1, 2}, {{0}}, {1, 1}, 0, 0},
    {"linear", 3, {S(2, 3, 4), S(5, 4), S(5)}, {3, 2, 1}, {{0}}, {1, 1, 1}, 0, 0},
    {"linear", 2, {S(2, 3, 4), S(5, 4)}, {3, 2}, {{0}}, {1, 1}, 0, 0},
    {"linear", 3, {S(3, 2, 4), S(5, 4), S(5)}, {3, 2, 1}, {{0, 1}}, {1, 1, 1}, 0, 0},
    {"linear", 3, {S(2, 1, 3, 4), S(2, 4), S(3, 2)}, {4, 2, 2}, {{0}}, {1, 1, 1}, 0, 0},
    {"linear", 3, {S(3, 4), S(4, 5), S(0)}, {2, 2, 0}, {{0}, {0, 1}}, {1, 1, 1}, 0, 0},
};
#undef S
#define N_GC ((int)(sizeof gc_cases / sizeof gc_cases[0]))

static tg_tensor *gc_fn(tg_tensor *const *in, int n, void *user) {
    const gc_case *c = user;
    tg_tensor *x[3];
    for (int i = 0; i < n; i++)
        x[i] = c->tr[i][0] != c->tr[i][1] ? tg_transpose(in[i], c->tr[i][0], c->tr[i][1]) : in[i];
    return run_op(c->op, x, n, c->beta, c->alpha);
}

static void test_gradcheck(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 7);
    for (int k = 0; k < N_GC; k++) {
        const gc_case *c = &gc_cases[k];
        char label[64];
        snprintf(label, sizeof label, "gradcheck %s #%d", c->op, k);
        tt_current = label;
        tg_scope_begin(ctx);
        tg_tensor *in[3];
        for (int i = 0; i < c->nin; i++) {
            in[i] = tg_randn(ctx, c->shape[i], c->ndim[i], TG_FLOAT64);
            if (c->rg[i]) tg_requires_grad_(in[i], true);
        }
        tg_status st = tg_gradcheck(gc_fn, in, c->nin, (void *)(uintptr_t)c, NULL);
        if (st == TG_OK) tt_pass++;
        else tt_failf(__FILE__, __LINE__, "tg_gradcheck: %d %s", (int)st, tg_errmsg(ctx));
        tg_clear_error(ctx);
        tg_scope_end(ctx);
    }
    tt_current = "test_gradcheck";
    CHECK_NOTHING_ALIVE(ctx);
    tg_ctx_free(ctx);
}

/* ------------------------------------------------------------------ the GEMM vs its oracle */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double urand(void) { /* splitmix64 -> [-1, 1) */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0 * 2 - 1;
}

/* Layouts of an r x c operand inside a buffer: row-major, column-major (a transposed view),
 * row-major with padded rows, and a broadcast row (stride 0 along the rows). */
enum { ROW, COL, PAD, BCAST, N_LAYOUTS };
static void layout(int kind, int64_t r, int64_t c, int64_t *s0, int64_t *s1, int64_t *size) {
    switch (kind) {
    case ROW: *s0 = c, *s1 = 1, *size = r * c; break;
    case COL: *s0 = 1, *s1 = r, *size = r * c; break;
    case PAD: *s0 = c + 3, *s1 = 1, *size = r * (c + 3); break;
    default: *s0 = 0, *s1 = 1, *size = c; break;
    }
}

/* C from the fast kernel vs the reference, each element within a bound proportional to
 * k * eps * sum |a||b| (the reference's own error is far below it). */
static void gemm_case(bool f64, int64_t m, int64_t n, int64_t k, int la, int lb) {
    int64_t sa0, sa1, na, sb0, sb1, nb;
    layout(la, m, k, &sa0, &sa1, &na);
    layout(lb, k, n, &sb0, &sb1, &nb);
    size_t es = f64 ? 8 : 4;
    void *a = malloc((size_t)(na + 1) * es), *b = malloc((size_t)(nb + 1) * es);
    void *c = malloc((size_t)(m * n + 1) * es), *ref = malloc((size_t)(m * n + 1) * es);
    void *abs_a = malloc((size_t)(na + 1) * es), *abs_b = malloc((size_t)(nb + 1) * es);
    void *bound = malloc((size_t)(m * n + 1) * es);
    for (int64_t i = 0; i < na; i++) {
        double v = urand();
        if (f64) ((double *)a)[i] = v, ((double *)abs_a)[i] = fabs(v);
        else ((float *)a)[i] = (float)v, ((float *)abs_a)[i] = fabsf((float)v);
    }
    for (int64_t i = 0; i < nb; i++) {
        double v = urand();
        if (f64) ((double *)b)[i] = v, ((double *)abs_b)[i] = fabs(v);
        else ((float *)b)[i] = (float)v, ((float *)abs_b)[i] = fabsf((float)v);
    }
    if (f64) {
        tgi_gemm_f64(m, n, k, a, sa0, sa1, b, sb0, sb1, c, n);
        tgi_gemm_ref_f64(m, n, k, a, sa0, sa1, b, sb0, sb1, ref, n);
        tgi_gemm_ref_f64(m, n, k, abs_a, sa0, sa1, abs_b, sb0, sb1, bound, n);
    } else {
        tgi_gemm_f32(m, n, k, a, sa0, sa1, b, sb0, sb1, c, n);
        tgi_gemm_ref_f32(m, n, k, a, sa0, sa1, b, sb0, sb1, ref, n);
        tgi_gemm_ref_f32(m, n, k, abs_a, sa0, sa1, abs_b, sb0, sb1, bound, n);
    }
    double eps = f64 ? 2.3e-16 : 1.2e-7;
    int64_t bad = -1;
    for (int64_t i = 0; i < m * n && bad < 0; i++) {
        double got = f64 ? ((double *)c)[i] : ((float *)c)[i];
        double want = f64 ? ((double *)ref)[i] : ((float *)ref)[i];
        double lim = f64 ? ((double *)bound)[i] : ((float *)bound)[i];
        if (!(fabs(got - want) <= 2 * (double)(k + 2) * eps * lim + 1e-30)) bad = i;
    }
    if (bad >= 0)
        tt_failf(__FILE__, __LINE__, "%s gemm %lldx%lldx%lld layouts %d/%d: element %lld",
                 f64 ? "f64" : "f32", (long long)m, (long long)n, (long long)k, la, lb,
                 (long long)bad);
    else
        tt_pass++;
    free(a), free(b), free(c), free(ref), free(abs_a), free(abs_b), free(bound);
}

static void test_gemm_oracle(void) {
    static const int64_t shapes[][3] = {
        {1, 1, 1},    {3, 5, 7},     {4, 8, 8},     {5, 9, 17},     {32, 32, 32},
        {33, 31, 34}, {64, 65, 63},  {129, 17, 40}, {7, 300, 260},  {140, 70, 513},
        {2, 2100, 9}, {40, 2053, 20}, {16, 16, 0},  {0, 5, 5},      {70, 1, 600},
        {1, 90, 400}, {200, 130, 3},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        /* every pair of layouts; big shapes (slow in the reference under valgrind) a few */
        bool big = (double)shapes[s][0] * (double)shapes[s][1] * (double)shapes[s][2] > 2e5;
        for (int la = 0; la < N_LAYOUTS; la++)
            for (int lb = 0; lb < N_LAYOUTS; lb++) {
                if (big && la != lb && la + lb != 3) continue;
                for (int f64 = 0; f64 < 2; f64++)
                    gemm_case(f64, shapes[s][0], shapes[s][1], shapes[s][2], la, lb);
            }
    }
    /* int64 wraps like PyTorch's: (2^62)*4 overflows to 0 */
    int64_t a[2] = {(int64_t)1 << 62, 3}, b[2] = {4, -5}, c[1];
    tgi_gemm_i64(1, 1, 2, a, 2, 1, b, 1, 1, c, 1);
    CHECK_INT(c[0], -15);
    /* IEEE specials are not skipped: 0 * inf is nan, and an inf row stays inf */
    double x[4] = {0, 1, INFINITY, 1}, y[4] = {INFINITY, 2, 1, 1}, z[4];
    tgi_gemm_f64(2, 2, 2, x, 2, 1, y, 2, 1, z, 2);
    CHECK(isnan(z[0]) && z[1] == 1 && isinf(z[2]) && isinf(z[3]));
}

/* tg_matmul on random batched shapes (broadcast, transposed operands) against per-batch
 * reference products. */
static void test_matmul_batched_oracle(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 3);
    tg_scope_begin(ctx);
    /* a: [3, 1, 20, 30] (its last two dims transposed from [.., 30, 20]), b: [4, 30, 10] */
    tg_tensor *a0 = tg_randn(ctx, TG_SHAPE(3, 1, 30, 20), TG_FLOAT32);
    tg_tensor *a = tg_transpose(a0, 2, 3), *b = tg_randn(ctx, TG_SHAPE(4, 30, 10), TG_FLOAT32);
    tg_tensor *r = tg_matmul(a, b);
    CHECK(r && tg_tensor_ndim(r) == 4 && tg_tensor_shape(r)[0] == 3 &&
          tg_tensor_shape(r)[1] == 4 && tg_tensor_shape(r)[2] == 20 && tg_tensor_shape(r)[3] == 10);
    float *av = malloc(3 * 600 * sizeof(float)), *bv = malloc(4 * 300 * sizeof(float));
    float *rv = malloc(3 * 4 * 200 * sizeof(float)), ref[200];
    if (r && av && bv && rv) {
        tg_tensor_copy_out(a0, av, 3 * 600 * sizeof(float));
        tg_tensor_copy_out(b, bv, 4 * 300 * sizeof(float));
        tg_tensor_copy_out(r, rv, 3 * 4 * 200 * sizeof(float));
        double maxdiff = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++) {
                /* a[i, 0] is a0[i, 0] transposed: element (r, c) at c * 20 + r */
                tgi_gemm_ref_f32(20, 10, 30, av + i * 600, 1, 20, bv + j * 300, 10, 1, ref, 10);
                for (int e = 0; e < 200; e++)
                    maxdiff = fmax(maxdiff, fabs(rv[(i * 4 + j) * 200 + e] - ref[e]));
            }
        CHECK(maxdiff < 1e-4);
    }
    free(av), free(bv), free(rv);
    tg_scope_end(ctx);
    CHECK_NOTHING_ALIVE(ctx);
    tg_ctx_free(ctx);
}

/* ------------------------------------------------------------------ autograd behaviour */

static void test_autograd_behaviour(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 11);
    tg_scope_begin(ctx);
    /* addmm whose only differentiable input is `input` saves nothing: a second backward works */
    tg_tensor *in = tg_randn(ctx, TG_SHAPE(2, 4), TG_FLOAT32);
    tg_requires_grad_(in, true);
    tg_tensor *s = tg_sum(tg_addmm(in, tg_randn(ctx, TG_SHAPE(2, 3), TG_FLOAT32),
                                   tg_randn(ctx, TG_SHAPE(3, 4), TG_FLOAT32), 2, 1));
    CHECK_INT(tg_backward(s, NULL), TG_OK);
    CHECK_INT(tg_backward(s, NULL), TG_OK);
    CHECK_NEAR(tg_tensor_get(tg_tensor_grad(in), 0), 4.0, 0);
    /* mm saved its other operand: a second backward fails with PyTorch's message */
    tg_tensor *w = tg_randn(ctx, TG_SHAPE(3, 2), TG_FLOAT32);
    tg_requires_grad_(w, true);
    s = tg_sum(tg_matmul(tg_randn(ctx, TG_SHAPE(2, 3), TG_FLOAT32), w));
    CHECK_INT(tg_backward(s, NULL), TG_OK);
    CHECK_INT(tg_backward(s, NULL), TG_ERR_AUTOGRAD);
    CHECK(strstr(tg_errmsg(ctx), "Trying to backward through the graph a second time") != NULL);
    tg_clear_error(ctx);
    /* dot saved both vectors: changing one in place breaks backward (version counter) */
    tg_tensor *u = tg_randn(ctx, TG_SHAPE(3), TG_FLOAT64), *v = tg_randn(ctx, TG_SHAPE(3), TG_FLOAT64);
    tg_requires_grad_(v, true);
    tg_tensor *d = tg_dot(u, v);
    tg_mul_scalar_(u, 2);
    CHECK_INT(tg_backward(d, NULL), TG_ERR_AUTOGRAD);
    CHECK_STR(tg_errmsg(ctx),
              "tg_backward: one of the variables needed for gradient computation has been "
              "modified by an inplace operation: [torch.DoubleTensor [3]] is at version 1; "
              "expected version 0 instead. Hint: enable anomaly detection to find the operation "
              "that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).");
    tg_clear_error(ctx);
    /* no_grad: nothing is recorded on any path */
    tg_tensor *b3 = tg_randn(ctx, TG_SHAPE(2, 3, 4), TG_FLOAT32);
    tg_requires_grad_(b3, true);
    tg_no_grad(ctx);
    tg_tensor *r1 = tg_matmul(tg_randn(ctx, TG_SHAPE(3), TG_FLOAT32), b3);
    tg_tensor *r2 = tg_linear(b3, tg_randn(ctx, TG_SHAPE(5, 4), TG_FLOAT32), NULL);
    tg_grad_mode_pop(ctx);
    CHECK(r1 && !tg_tensor_requires_grad(r1) && tg_tensor_grad_fn(r1) == NULL);
    CHECK(r2 && !tg_tensor_requires_grad(r2) && tg_tensor_grad_fn(r2) == NULL);
    /* second derivatives through the backward formulas (create_graph): for
     * f = sum(matmul(a, b)) with a [2, 3, 4] (the folded path), h = sum(df/da) = 6 sum(b), so
     * dh/db is 6 everywhere; the same through mm, addmm and bmm */
    for (int which = 0; which < 4; which++) {
        tg_tensor *a = tg_randn(ctx, TG_SHAPE(2, 3, 4), TG_FLOAT64);
        tg_tensor *bm = tg_randn(ctx, TG_SHAPE(4, 5), TG_FLOAT64);
        tg_requires_grad_(a, true);
        tg_requires_grad_(bm, true);
        tg_tensor *a2 = tg_reshape(a, TG_SHAPE(6, 4)), *f = NULL, *wrt = a;
        if (which == 0) f = tg_sum(tg_matmul(a, bm));
        if (which == 1) f = tg_sum(tg_mm(a2, bm)), wrt = a2;
        if (which == 2) f = tg_sum(tg_addmm(tg_zeros(ctx, TG_SHAPE(5), TG_FLOAT64), a2, bm, 1, 1)),
                        wrt = a2;
        if (which == 3)
            f = tg_sum(tg_bmm(a, tg_expand(tg_unsqueeze(bm, 0), TG_SHAPE(2, 4, 5))));
        tg_grad_opts o = {.create_graph = true};
        tg_tensor *ga = NULL;
        CHECK_INT(tg_autograd_grad(&f, 1, &wrt, 1, NULL, &o, &ga), TG_OK);
        CHECK(ga && tg_tensor_requires_grad(ga));
        CHECK_INT(tg_backward(tg_sum(ga), NULL), TG_OK);
        tg_tensor *gb = tg_tensor_grad(bm);
        CHECK(gb != NULL);
        for (int64_t i = 0; gb && i < 20; i++) CHECK_NEAR(tg_tensor_get(gb, i), 6.0, 1e-12);
        CHECK_OK(ctx);
    }
    /* broadcast (stride-0) operands: dot and mv of an expanded [1] against ones */
    tg_tensor *three = tg_expand(tg_full(ctx, TG_SHAPE(1), 3, TG_FLOAT32), TG_SHAPE(5));
    tg_tensor *ones5 = tg_ones(ctx, TG_SHAPE(5), TG_FLOAT32);
    CHECK_NEAR(tg_tensor_get(tg_dot(three, ones5), 0), 15, 0);
    tg_tensor *mvr = tg_mv(tg_ones(ctx, TG_SHAPE(2, 5), TG_FLOAT32), three);
    CHECK(mvr && tg_tensor_get(mvr, 0) == 15 && tg_tensor_get(mvr, 1) == 15);
    /* integer addmm takes beta and alpha as int64: a value out of range is an error */
    tg_tensor *i22 = tg_ones(ctx, TG_SHAPE(2, 2), TG_INT64);
    CHECK(tg_addmm(i22, i22, i22, NAN, 1) == NULL);
    CHECK_ERR(ctx, TG_ERR_INVALID_ARG,
              "tg_addmm: value cannot be converted to type int64_t without overflow");
    CHECK(tg_addmm(i22, i22, i22, 1, 1e19) == NULL);
    tg_clear_error(ctx);
    /* NULL inputs: NULL out, TG_ERR_NULL_ARG, and a chain keeps the first error */
    CHECK(tg_matmul(NULL, b3) == NULL);
    CHECK_INT(tg_errcode(ctx), TG_ERR_NULL_ARG);
    tg_clear_error(ctx);
    CHECK(tg_linear(b3, NULL, NULL) == NULL && tg_addmm(NULL, NULL, NULL, 1, 1) == NULL);
    CHECK(tg_bmm(NULL, NULL) == NULL && tg_mv(b3, NULL) == NULL && tg_dot(NULL, b3) == NULL);
    CHECK(tg_outer(NULL, b3) == NULL && tg_mm(b3, NULL) == NULL);
    tg_clear_error(ctx);
    CHECK(tg_matmul(tg_mm(b3, b3), b3) == NULL); /* mm's error is kept */
    CHECK_STR(tg_errmsg(ctx), "tg_mm: self must be a matrix");
    tg_clear_error(ctx);
    tg_scope_end(ctx);
    CHECK_NOTHING_ALIVE(ctx);
    tg_ctx_free(ctx);
}

/* ------------------------------------------------------------------ coverage */

/* Every op has forward/backward records, error records and gradcheck cases (counted here from
 * the fixture and the table, so this test also runs alone). */
static void test_coverage(void) {
    tt_fixture *fx = tt_fixture_load("linalg.txt");
    CHECK(fx != NULL);
    for (int i = 0; i < N_OPS; i++) ops[i].fixtures = ops[i].errors = ops[i].gradchecks = 0;
    for (int r = 0; fx && r < fx->n; r++) {
        op_entry *e = find_op(tt_get(&fx->recs[r], "op"));
        if (!e) continue;
        if (tt_get(&fx->recs[r], "error")) e->errors++;
        else if (tt_get(&fx->recs[r], "v")) e->fixtures++;
    }
    for (int k = 0; k < N_GC; k++) {
        op_entry *e = find_op(gc_cases[k].op);
        CHECK(e != NULL);
        if (e) e->gradchecks++;
    }
    for (int i = 0; i < N_OPS; i++) {
        tt_current = ops[i].name;
        if (ops[i].fixtures > 0) tt_pass++;
        else tt_failf(__FILE__, __LINE__, "%s: no fixture record with a backward", ops[i].name);
        if (ops[i].errors > 0) tt_pass++;
        else tt_failf(__FILE__, __LINE__, "%s: no error record", ops[i].name);
        if (ops[i].gradchecks > 0) tt_pass++;
        else tt_failf(__FILE__, __LINE__, "%s: no gradcheck case", ops[i].name);
    }
    tt_fixture_free(fx);
}

TT_MAIN(T(test_fixtures), T(test_gradcheck), T(test_gemm_oracle), T(test_matmul_batched_oracle),
        T(test_autograd_behaviour), T(test_coverage))
