/*
 * test_gradcheck.c — tg_gradcheck (float64, default tolerances) over every differentiable op:
 * broadcasting pairs, non-contiguous (transposed) inputs, reductions with dims and keepdim,
 * every norm order, views and in-place ops on clones. Also that gradcheck catches a wrong
 * gradient (a tg_detach'ed term) with PyTorch's message, and a coverage test: each
 * differentiable op has backward records in tests/fixtures/ops.txt and a gradcheck case here.
 */
#include "test.h"

#include "ops_table.h" /* the ops, as test_ops.c runs them */

#include <stdint.h>

/* ------------------------------------------------------------------ the cases */

/* input domains: keep finite differences away from kinks and poles */
enum { ANY, POS /* [0.5, 2) */, AWAY0 /* +-[0.3, 1.5) */ };

typedef struct gc_input {
    int64_t shape[4];
    int ndim;
    bool tr; /* transposed (dims 0, 1) inside the function: a non-contiguous operand */
    int domain;
} gc_input;

typedef struct gc_case {
    const char *op;
    op_fn fn;
    int nin;
    gc_input in[2];
    op_args a;
} gc_case;

#define S(...) {__VA_ARGS__}, (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))
#define S0 {0}, 0
#define IN(shape, tr, dom) {shape, tr, dom}
#define NO_ARGS .scalar = 0 /* ops without non-tensor arguments */
#define C1(name, i0, ...) {#name, f_##name, 1, {i0, {{0}, 0, false, ANY}}, {__VA_ARGS__}}
#define C2(name, i0, i1, ...) {#name, f_##name, 2, {i0, i1}, {__VA_ARGS__}}

/* binary broadcasting matrix for op, with b's domain */
#define BINARY(name, bdom)                                                                     \
    C2(name, IN(S(2, 3), false, ANY), IN(S(2, 3), false, bdom), NO_ARGS),                            \
        C2(name, IN(S(3, 1), false, ANY), IN(S(1, 4), false, bdom), NO_ARGS),                        \
        C2(name, IN(S(4), false, ANY), IN(S(2, 3, 4), false, bdom), NO_ARGS),                        \
        C2(name, IN(S0, false, ANY), IN(S(2, 3), false, bdom), NO_ARGS),                             \
        C2(name, IN(S(2, 3), false, ANY), IN(S0, false, bdom), NO_ARGS),                             \
        C2(name, IN(S(3, 2), true, ANY), IN(S(2, 3), false, bdom), NO_ARGS),                         \
        C2(name, IN(S(3, 2, 4), true, ANY), IN(S(4, 1), true, bdom), NO_ARGS)

#define SCALAR(name, dom, s)                                                                   \
    C1(name, IN(S(2, 3), false, dom), .scalar = s),                                            \
        C1(name, IN(S0, false, dom), .scalar = s),                                             \
        C1(name, IN(S(3, 2, 2), true, dom), .scalar = s)

#define UNARY(name, dom)                                                                       \
    C1(name, IN(S(2, 3), false, dom), NO_ARGS), C1(name, IN(S0, false, dom), NO_ARGS),                     \
        C1(name, IN(S(3, 2, 2), true, dom), NO_ARGS)

#define NORMS(ord)                                                                               \
    C1(norm, IN(S(2, 3), false, AWAY0), .p = ord), C1(norm, IN(S(3, 2, 2), true, AWAY0), .p = ord), \
        C1(norm, IN(S0, false, AWAY0), .p = ord),                                                \
        C1(norm_dim, IN(S(2, 3, 4), false, AWAY0), .p = ord, .dims = {0, 2}, .ndims = 2,        \
           .keepdim = true),                                                                   \
        C1(norm_dim, IN(S(2, 3, 4), false, AWAY0), .p = ord, .dims = {-1}, .ndims = 1),         \
        C1(norm_dim, IN(S(3, 2), true, AWAY0), .p = ord, .dims = {0}, .ndims = 1),              \
        C1(norm_dim, IN(S(2, 3), false, AWAY0), .p = ord, .ndims = 0, .keepdim = true)

#define REDUCE_DIM(name)                                                                       \
    C1(name, IN(S(2, 3, 4), false, ANY), .dims = {0, 2}, .ndims = 2, .keepdim = true),         \
        C1(name, IN(S(2, 3, 4), false, ANY), .dims = {-1}, .ndims = 1),                        \
        C1(name, IN(S(2, 3, 4), false, ANY), .dims = {1, -3}, .ndims = 2),                     \
        C1(name, IN(S(3, 2, 4), true, ANY), .dims = {0}, .ndims = 1, .keepdim = true),         \
        C1(name, IN(S(2, 3), false, ANY), .ndims = 0, .keepdim = true),                        \
        C1(name, IN(S0, false, ANY), .dims = {0}, .ndims = 1)

#define INPLACE_B(name, bdom)                                                                  \
    C2(name, IN(S(2, 3), false, ANY), IN(S(2, 3), false, bdom), NO_ARGS),                            \
        C2(name, IN(S(2, 3), false, ANY), IN(S(3), false, bdom), NO_ARGS),                           \
        C2(name, IN(S(3, 2), true, ANY), IN(S(2, 1), false, bdom), NO_ARGS)

static const gc_case cases[] = {
    BINARY(add, ANY),
    BINARY(sub, ANY),
    BINARY(mul, ANY),
    BINARY(div, AWAY0),
    C2(pow, IN(S(2, 3), false, POS), IN(S(2, 3), false, ANY), NO_ARGS),
    C2(pow, IN(S(3, 1), false, POS), IN(S(1, 4), false, ANY), NO_ARGS),
    C2(pow, IN(S(4), false, POS), IN(S(2, 3, 4), false, ANY), NO_ARGS),
    C2(pow, IN(S(2, 3), false, POS), IN(S0, false, ANY), NO_ARGS),
    C2(pow, IN(S(3, 2), true, POS), IN(S(3, 2), true, ANY), NO_ARGS),
    SCALAR(add_scalar, ANY, 2.5),
    SCALAR(sub_scalar, ANY, -1.5),
    SCALAR(rsub_scalar, ANY, 3),
    SCALAR(mul_scalar, ANY, -1.5),
    SCALAR(div_scalar, ANY, 4),
    SCALAR(rdiv_scalar, AWAY0, 2.5),
    SCALAR(pow_scalar, POS, 2.5),
    SCALAR(pow_scalar, ANY, 3),
    SCALAR(pow_scalar, POS, -0.5),
    SCALAR(pow_scalar, AWAY0, -1),
    SCALAR(pow_scalar, ANY, 0),
    SCALAR(rpow_scalar, ANY, 2.5),
    SCALAR(rpow_scalar, ANY, 0.5),
    UNARY(neg, ANY),
    UNARY(exp, ANY),
    UNARY(log, POS),
    UNARY(sqrt, POS),
    UNARY(abs, AWAY0),
    UNARY(sum, ANY),
    C1(sum, IN(S(0, 3), false, ANY), NO_ARGS),
    UNARY(mean, ANY),
    REDUCE_DIM(sum_dim),
    REDUCE_DIM(mean_dim),
    NORMS(2.0),
    NORMS(1.0),
    NORMS(3.0),
    NORMS(0.5),
    NORMS(INFINITY),
    NORMS(0.0),
    C2(mm, IN(S(2, 3), false, ANY), IN(S(3, 4), false, ANY), NO_ARGS),
    C2(mm, IN(S(3, 2), true, ANY), IN(S(4, 3), true, ANY), NO_ARGS),
    C2(mm, IN(S(1, 5), false, ANY), IN(S(5, 1), false, ANY), NO_ARGS),
    C2(matmul, IN(S(2, 3), false, ANY), IN(S(3, 4), false, ANY), NO_ARGS),
    C2(matmul, IN(S(4, 2), true, ANY), IN(S(4, 3), false, ANY), NO_ARGS),
    C1(view, IN(S(2, 3), false, ANY), .size = {3, 2}, .nsize = 2),
    C1(view, IN(S(2, 3, 4), false, ANY), .size = {4, -1}, .nsize = 2),
    C1(view, IN(S(3, 2), true, ANY), .size = {2, 1, 3}, .nsize = 3),
    C1(reshape, IN(S(2, 3), false, ANY), .size = {6}, .nsize = 1),
    C1(reshape, IN(S(2, 3), true, ANY), .size = {6}, .nsize = 1),
    C1(reshape, IN(S(2, 3, 4), true, ANY), .size = {-1, 4}, .nsize = 2),
    C1(transpose, IN(S(2, 3, 4), false, ANY), .dim0 = 0, .dim1 = 2),
    C1(transpose, IN(S(3, 2, 4), true, ANY), .dim0 = -1, .dim1 = 1),
    C1(t, IN(S(2, 3), false, ANY), NO_ARGS),
    C1(t, IN(S(3, 2), true, ANY), NO_ARGS),
    C1(t, IN(S(4), false, ANY), NO_ARGS),
    C1(expand, IN(S(3, 1), false, ANY), .size = {2, 3, 4}, .nsize = 3),
    C1(expand, IN(S0, false, ANY), .size = {2, 3}, .nsize = 2),
    C1(expand, IN(S(1, 3), true, ANY), .size = {2, -1, 4}, .nsize = 3),
    C1(unsqueeze, IN(S(2, 3), false, ANY), .dim = 1),
    C1(unsqueeze, IN(S(3, 2), true, ANY), .dim = -1),
    C1(clone, IN(S(2, 3), false, ANY), NO_ARGS),
    C1(clone, IN(S(3, 2, 2), true, ANY), NO_ARGS),
    C1(contiguous, IN(S(2, 3), false, ANY), NO_ARGS),
    C1(contiguous, IN(S(3, 2, 2), true, ANY), NO_ARGS),
    INPLACE_B(add_, ANY),
    INPLACE_B(sub_, ANY),
    INPLACE_B(mul_, ANY),
    INPLACE_B(div_, AWAY0),
    C1(add_scalar_, IN(S(2, 3), false, ANY), .scalar = 2.5),
    C1(sub_scalar_, IN(S(3, 2), true, ANY), .scalar = 3),
    C1(mul_scalar_, IN(S(2, 3), false, ANY), .scalar = -1.5),
    C1(div_scalar_, IN(S(3, 2), true, ANY), .scalar = 4),
    C1(fill_, IN(S(2, 3), false, ANY), .scalar = 2.5),
    C1(zero_, IN(S(2, 3), false, ANY), NO_ARGS),
    C2(copy_, IN(S(2, 3), false, ANY), IN(S(3), false, ANY), NO_ARGS),
    C2(copy_, IN(S(2, 3), false, ANY), IN(S(3, 2), true, ANY), NO_ARGS),
};
#define N_CASES ((int)(sizeof cases / sizeof cases[0]))

/* ------------------------------------------------------------------ running them */

static uint64_t lcg_state = 0x2545f4914f6cdd1dULL;
static double uniform(double lo, double hi) {
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (hi - lo) * (double)(lcg_state >> 11) / 9007199254740992.0;
}

static tg_tensor *make_input(tg_ctx *ctx, const gc_input *in) {
    int64_t n = 1;
    for (int d = 0; d < in->ndim; d++) n *= in->shape[d];
    double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    if (!v) return NULL;
    for (int64_t i = 0; i < n; i++) {
        switch (in->domain) {
        case POS: v[i] = uniform(0.5, 2.0); break;
        case AWAY0: v[i] = uniform(0.3, 1.5) * (uniform(0, 1) < 0.5 ? -1 : 1); break;
        default: v[i] = uniform(-1.5, 1.5); break;
        }
    }
    tg_tensor *t = tg_tensor_new(ctx, v, in->shape, in->ndim, TG_FLOAT64);
    free(v);
    if (t && tg_requires_grad_(t, true) != TG_OK) return NULL;
    return t;
}

/* the function under test: transposes the flagged inputs, then runs the op */
static tg_tensor *case_fn(tg_tensor *const *inputs, int n, void *user) {
    const gc_case *c = user;
    tg_tensor *x[2] = {NULL, NULL};
    for (int i = 0; i < n; i++) x[i] = c->in[i].tr ? tg_transpose(inputs[i], 0, 1) : inputs[i];
    return c->fn(x, &c->a);
}

static void test_ops_gradcheck(void) {
    tg_ctx *ctx = tg_ctx_new();
    const char *test_name = tt_current;
    char label[64];
    for (int k = 0; k < N_CASES; k++) {
        const gc_case *c = &cases[k];
        snprintf(label, sizeof label, "gradcheck %s #%d", c->op, k);
        tt_current = label;
        tg_memstats before = tg_ctx_memstats(ctx);
        tg_scope_begin(ctx);
        tg_tensor *in[2] = {NULL, NULL};
        for (int i = 0; i < c->nin; i++) in[i] = make_input(ctx, &c->in[i]);
        if (!in[0] || (c->nin > 1 && !in[1])) {
            tt_failf(__FILE__, __LINE__, "cannot build inputs: %s", tg_errmsg(ctx));
            tg_clear_error(ctx);
        } else {
            tg_status st = tg_gradcheck(case_fn, in, c->nin, (void *)(uintptr_t)c, NULL);
            if (st != TG_OK) {
                tt_failf(__FILE__, __LINE__, "tg_gradcheck: %d %s", (int)st, tg_errmsg(ctx));
                tg_clear_error(ctx);
            } else {
                tt_pass++;
            }
            CHECK_OK(ctx);
        }
        tg_scope_end(ctx);
        tg_memstats after = tg_ctx_memstats(ctx);
        CHECK_INT(after.tensors, before.tensors);
        CHECK_INT(after.nodes, before.nodes);
        CHECK_INT(after.storages, before.storages);
    }
    tt_current = test_name;
    tg_ctx_free(ctx);
}

/* x * detach(x): backward misses the term through the detached factor (analytical x,
 * numerical 2x). */
static tg_tensor *wrong_square(tg_tensor *const *in, int n, void *user) {
    (void)n;
    (void)user;
    return tg_mul(in[0], tg_detach(in[0]));
}

/* a * detach(b) + 0 * b: correct for a, wrong for b (analytical 0, numerical a) */
static tg_tensor *wrong_second(tg_tensor *const *in, int n, void *user) {
    (void)n;
    (void)user;
    return tg_add(tg_mul(in[0], tg_detach(in[1])), tg_mul_scalar(in[1], 0.0));
}

static void test_detects_wrong_gradient(void) {
    tg_ctx *ctx = tg_ctx_new();
    const char *prefix0 = "tg_gradcheck: Jacobian mismatch for output 0 with respect to input 0,\n"
                          "numerical:";
    const char *prefix1 = "tg_gradcheck: Jacobian mismatch for output 0 with respect to input 1,\n"
                          "numerical:";
    const double xv[] = {0.5, -1.25, 2.0};
    tg_tensor *x = tg_tensor_new(ctx, xv, TG_SHAPE(3), TG_FLOAT64);
    tg_requires_grad_(x, true);
    CHECK_INT(tg_gradcheck(wrong_square, &x, 1, NULL, NULL), TG_ERR_AUTOGRAD);
    CHECK_INT(tg_errcode(ctx), TG_ERR_AUTOGRAD);
    CHECK(strncmp(tg_errmsg(ctx), prefix0, strlen(prefix0)) == 0);
    if (strncmp(tg_errmsg(ctx), prefix0, strlen(prefix0)) != 0)
        printf("  message: [%s]\n", tg_errmsg(ctx));
    tg_clear_error(ctx);
    CHECK(tg_tensor_grad(x) == NULL); /* gradcheck leaves .grad as it found it */

    const double bv[] = {1.5, -0.5, 0.75};
    tg_tensor *b = tg_tensor_new(ctx, bv, TG_SHAPE(3), TG_FLOAT64);
    tg_requires_grad_(b, true);
    tg_tensor *ab[2] = {x, b};
    CHECK_INT(tg_gradcheck(wrong_second, ab, 2, NULL, NULL), TG_ERR_AUTOGRAD);
    CHECK(strncmp(tg_errmsg(ctx), prefix1, strlen(prefix1)) == 0);
    if (strncmp(tg_errmsg(ctx), prefix1, strlen(prefix1)) != 0)
        printf("  message: [%s]\n", tg_errmsg(ctx));
    tg_clear_error(ctx);

    /* the same functions without the detach pass */
    CHECK_INT(tg_gradcheck(case_fn, ab, 2, (void *)(uintptr_t)&cases[0], NULL), TG_OK);
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

/* Every differentiable op has backward records in ops.txt (records with an upstream
 * gradient v) and at least one gradcheck case above. */
static const char *const differentiable[] = {
    "add", "sub", "mul", "div", "pow", "add_scalar", "sub_scalar", "rsub_scalar",
    "mul_scalar", "div_scalar", "rdiv_scalar", "pow_scalar", "rpow_scalar", "neg", "exp", "log",
    "sqrt", "abs", "sum", "sum_dim", "mean", "mean_dim", "norm", "norm_dim", "mm", "matmul",
    "view", "reshape", "transpose", "t", "expand", "unsqueeze", "clone", "contiguous", "add_",
    "sub_", "mul_", "div_", "add_scalar_", "sub_scalar_", "mul_scalar_", "div_scalar_", "fill_",
    "zero_", "copy_",
};

static void test_coverage(void) {
    tt_fixture *fx = tt_fixture_load("ops.txt");
    if (!fx) return;
    for (size_t i = 0; i < sizeof differentiable / sizeof differentiable[0]; i++) {
        const char *name = differentiable[i];
        int in_fixture = 0, in_table = 0;
        for (int r = 0; r < fx->n; r++) {
            const char *op = tt_get(&fx->recs[r], "op");
            if (op && strcmp(op, name) == 0 && tt_get(&fx->recs[r], "v")) in_fixture++;
        }
        for (int k = 0; k < N_CASES; k++)
            if (strcmp(cases[k].op, name) == 0) in_table++;
        if (!in_fixture)
            tt_failf(__FILE__, __LINE__, "%s: no backward record in ops.txt", name);
        else
            tt_pass++;
        if (!in_table)
            tt_failf(__FILE__, __LINE__, "%s: no gradcheck case", name);
        else
            tt_pass++;
    }
    /* and the table names nothing outside the list */
    for (int k = 0; k < N_CASES; k++) {
        bool known = false;
        for (size_t i = 0; i < sizeof differentiable / sizeof differentiable[0]; i++)
            known = known || strcmp(cases[k].op, differentiable[i]) == 0;
        CHECK(known);
    }
    tt_fixture_free(fx);
}

TT_MAIN(T(test_ops_gradcheck), T(test_detects_wrong_gradient), T(test_coverage))
