/*
 * test_reduce_ext.c — prod, max/min, amax/amin, argmax/argmin, var/std, logsumexp, cumsum and
 * all/any against PyTorch: every record of tests/fixtures/reduce_ext.txt (tools/
 * fixtures_reduce_ext.py) replayed in its own scope (values, dtype, shape, indices, grad_fn,
 * UserWarnings, .grad after backward(v), error code and message, nothing left alive), then
 * tg_gradcheck and a second-order gradcheck (create_graph) in float64 for every differentiable
 * op, the tg_max_dim API contract, saved-tensor checks and coverage of both.
 */
#include "test.h"

#include <stdint.h>

/* ------------------------------------------------------------------ the op table */

typedef struct op_args {
    int64_t dims[TG_MAX_DIMS];
    int ndims;
    bool keepdim;
    int dim;
    double correction;
} op_args;

/* runs the op on x; ops with an indices output write it to *idx */
typedef tg_tensor *(*op_fn)(tg_tensor *x, const op_args *a, tg_tensor **idx);

static tg_tensor *f_prod(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)a, (void)idx;
    return tg_prod(x);
}
static tg_tensor *f_prod_dim(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_prod_dim(x, a->dim, a->keepdim);
}
static tg_tensor *f_max(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)a, (void)idx;
    return tg_max(x);
}
static tg_tensor *f_min(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)a, (void)idx;
    return tg_min(x);
}
static tg_tensor *f_max_dim(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    tg_tensor *v = NULL;
    tg_max_dim(x, a->dim, a->keepdim, &v, idx);
    return v;
}
static tg_tensor *f_min_dim(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    tg_tensor *v = NULL;
    tg_min_dim(x, a->dim, a->keepdim, &v, idx);
    return v;
}
static tg_tensor *f_amax(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_amax(x, a->dims, a->ndims, a->keepdim);
}
static tg_tensor *f_amin(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_amin(x, a->dims, a->ndims, a->keepdim);
}
static tg_tensor *f_argmax(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_argmax(x, a->keepdim);
}
static tg_tensor *f_argmin(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_argmin(x, a->keepdim);
}
static tg_tensor *f_argmax_dim(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_argmax_dim(x, a->dim, a->keepdim);
}
static tg_tensor *f_argmin_dim(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_argmin_dim(x, a->dim, a->keepdim);
}
static tg_tensor *f_var(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_var(x, a->correction);
}
static tg_tensor *f_var_dim(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_var_dim(x, a->dims, a->ndims, a->correction, a->keepdim);
}
static tg_tensor *f_std(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_std(x, a->correction);
}
static tg_tensor *f_std_dim(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_std_dim(x, a->dims, a->ndims, a->correction, a->keepdim);
}
static tg_tensor *f_logsumexp(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_logsumexp(x, a->dims, a->ndims, a->keepdim);
}
static tg_tensor *f_cumsum(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_cumsum(x, a->dim);
}
static tg_tensor *f_all(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)a, (void)idx;
    return tg_all(x);
}
static tg_tensor *f_any(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)a, (void)idx;
    return tg_any(x);
}
static tg_tensor *f_all_dim(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_all_dim(x, a->dims, a->ndims, a->keepdim);
}
static tg_tensor *f_any_dim(tg_tensor *x, const op_args *a, tg_tensor **idx) {
    (void)idx;
    return tg_any_dim(x, a->dims, a->ndims, a->keepdim);
}

typedef struct op_entry {
    const char *name; /* the record's op; the C function is "tg_" name */
    op_fn fn;
    bool differentiable;
} op_entry;

#define E(name, diff) {#name, f_##name, diff}
static op_entry ops[] = {
    E(prod, true),         E(prod_dim, true),     E(max, true),        E(min, true),
    E(max_dim, true),      E(min_dim, true),      E(amax, true),       E(amin, true),
    E(argmax, false),      E(argmin, false),      E(argmax_dim, false), E(argmin_dim, false),
    E(var, true),          E(var_dim, true),      E(std, true),        E(std_dim, true),
    E(logsumexp, true),    E(cumsum, true),       E(all, false),       E(any, false),
    E(all_dim, false),     E(any_dim, false),
};
#undef E
#define N_OPS ((int)(sizeof ops / sizeof ops[0]))

static op_entry *find_op(const char *name) { return TT_LOOKUP(ops, name); }

/* ------------------------------------------------------------------ one record */

static bool parse_args(const tt_record *r, op_args *a) {
    memset(a, 0, sizeof *a);
    const char *s;
    if ((s = tt_get(r, "dims")) && (a->ndims = tt_parse_ints(s, a->dims, TG_MAX_DIMS)) < 0)
        return false;
    if ((s = tt_get(r, "keepdim"))) a->keepdim = strcmp(s, "1") == 0;
    if ((s = tt_get(r, "dim"))) a->dim = atoi(s);
    if ((s = tt_get(r, "correction"))) a->correction = strtod(s, NULL);
    return true;
}

static void run_record(tg_ctx *ctx, const tt_record *r) {
    op_entry *op = TT_RECORD_OP(ops, r);
    if (!op) return;
    const char *opname = op->name;
    op_args args;
    tt_input ins[1];
    tg_tensor *x[1];
    if (!parse_args(r, &args) || TT_RECORD_INPUTS(ctx, r, ins, x) != 1) {
        tt_failf(__FILE__, __LINE__, "malformed record for %s", opname);
        return;
    }
    const tt_input in = ins[0];
    tg_tensor *idx = NULL;
    tg_set_warning_handler(ctx, tt_on_warning, NULL);
    tt_n_warnings = 0;
    tt_last_warning[0] = '\0';
    tg_tensor *out = op->fn(in.use, &args, &idx);

    if (tt_get(r, "error")) CHECK(idx == NULL);
    if (!CHECK_OP_OUTCOME(ctx, r, out == NULL)) return;

    /* forward: values, indices, requires_grad, grad_fn, the UserWarning */
    tg_dtype odt;
    int64_t oshape[TG_MAX_DIMS];
    int ond;
    if (!TT_RECORD_DTYPE_SHAPE(r, "out", &odt, oshape, &ond)) return;
    CHECK_TENSOR("output", out, odt, oshape, ond, tt_get(r, "out_values"), tt_tol(odt));
    if (tt_get(r, "out1_values")) {
        tg_dtype idt;
        int64_t ishape[TG_MAX_DIMS];
        int ind;
        if (!TT_RECORD_DTYPE_SHAPE(r, "out1", &idt, ishape, &ind)) return;
        CHECK_TENSOR("indices", idx, idt, ishape, ind, tt_get(r, "out1_values"), tt_tol(idt));
        CHECK(!tg_tensor_requires_grad(idx));
        CHECK(tg_tensor_grad_fn(idx) == NULL);
    }
    CHECK_RECORD_AUTOGRAD(out, r);
    const char *warning = tt_get(r, "warning");
    if (warning) {
        CHECK_INT(tt_n_warnings, 1);
        CHECK_STR(tt_last_warning, warning);
    } else if (tt_n_warnings) {
        tt_failf(__FILE__, __LINE__, "unexpected warning: %s", tt_last_warning);
    }

    /* backward */
    if (!tt_get(r, "v") || !TT_RECORD_BACKWARD(ctx, r, out)) return;
    CHECK_INPUT_GRAD(r, 0, &in, tt_tol(in.dtype));
    tg_zero_grad(in.leaf);
}

/* the "scenario" records have no "case": test_saved replays those */
static void test_fixtures(void) { tt_replay_fixture("reduce_ext.txt", 700, "case", run_record); }

/* ------------------------------------------------------------------ gradcheck */

typedef struct gc_case {
    const char *op;
    int64_t shape[4];
    int ndim;
    bool transpose; /* the op sees the input transposed (dims 0 and 1): non-contiguous */
    op_args args;
    const char *values; /* fixed input values instead of random ones (NULL: randn) */
} gc_case;

#define SH(...) {__VA_ARGS__}, (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))
#define DIMS(...) {__VA_ARGS__}, (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))
#define NODIMS {0}, 0

static const gc_case gc_cases[] = {
    {"prod", SH(2, 3), false, {NODIMS, false, 0, 0}, NULL},
    {"prod", SH(3, 2, 2), true, {NODIMS, false, 0, 0}, NULL},
    {"prod", {0}, 0, false, {NODIMS, false, 0, 0}, NULL},
    {"prod", SH(4), false, {NODIMS, false, 0, 0}, "0 2 3 -1.5"},
    {"prod", SH(2, 2), false, {NODIMS, false, 0, 0}, "0 2 0 -1.5"},
    {"prod_dim", SH(2, 3), false, {NODIMS, false, 1, 0}, NULL},
    {"prod_dim", SH(2, 3), false, {NODIMS, true, 0, 0}, NULL},
    {"prod_dim", SH(3, 2, 4), true, {NODIMS, false, -1, 0}, NULL},
    {"prod_dim", {0}, 0, false, {NODIMS, false, 0, 0}, NULL},
    {"prod_dim", SH(2, 3), false, {NODIMS, false, 1, 0}, "0 2 3 0 0 1.5"},
    {"prod_dim", SH(3, 2), true, {NODIMS, true, 0, 0}, "0 2 0 1 3 4"},
    {"max", SH(2, 3), false, {NODIMS, false, 0, 0}, NULL},
    {"max", SH(3, 4), true, {NODIMS, false, 0, 0}, NULL},
    {"max", {0}, 0, false, {NODIMS, false, 0, 0}, NULL},
    {"min", SH(2, 3, 2), false, {NODIMS, false, 0, 0}, NULL},
    {"min", SH(3, 4), true, {NODIMS, false, 0, 0}, NULL},
    {"max_dim", SH(2, 3), false, {NODIMS, false, 1, 0}, NULL},
    {"max_dim", SH(2, 3), false, {NODIMS, true, -2, 0}, NULL},
    {"max_dim", SH(3, 2, 4), true, {NODIMS, false, 2, 0}, NULL},
    {"max_dim", {0}, 0, false, {NODIMS, false, 0, 0}, NULL},
    {"min_dim", SH(2, 3), false, {NODIMS, false, 0, 0}, NULL},
    {"min_dim", SH(3, 4), true, {NODIMS, true, 1, 0}, NULL},
    {"amax", SH(2, 3), false, {NODIMS, false, 0, 0}, NULL},
    {"amax", SH(2, 3, 4), false, {DIMS(0, 2), true, 0, 0}, NULL},
    {"amax", SH(3, 4), true, {DIMS(-1), false, 0, 0}, NULL},
    {"amax", {0}, 0, false, {DIMS(0), false, 0, 0}, NULL},
    {"amin", SH(2, 3), false, {DIMS(1), false, 0, 0}, NULL},
    {"amin", SH(3, 2, 4), true, {DIMS(0, 1), true, 0, 0}, NULL},
    {"var", SH(5), false, {NODIMS, false, 0, 1}, NULL},
    {"var", SH(3, 4), true, {NODIMS, false, 0, 0}, NULL},
    {"var", SH(2, 3), false, {NODIMS, false, 0, 0.5}, NULL},
    {"var", {0}, 0, false, {NODIMS, false, 0, 0}, NULL},
    {"var_dim", SH(2, 3), false, {DIMS(1), false, 0, 1}, NULL},
    {"var_dim", SH(2, 3, 4), false, {DIMS(0, 2), true, 0, 1}, NULL},
    {"var_dim", SH(3, 4), true, {DIMS(-1), false, 0, 0}, NULL},
    {"var_dim", SH(3, 2), false, {DIMS(0), false, 0, 2.5}, NULL},
    {"var_dim", SH(2, 3), false, {NODIMS, true, 0, 1}, NULL},
    {"std", SH(5), false, {NODIMS, false, 0, 1}, NULL},
    {"std", SH(3, 4), true, {NODIMS, false, 0, 0}, NULL},
    {"std_dim", SH(2, 3), false, {DIMS(1), false, 0, 1}, NULL},
    {"std_dim", SH(2, 3, 4), true, {DIMS(-1, 0), true, 0, 0}, NULL},
    {"logsumexp", SH(2, 3), false, {DIMS(1), false, 0, 0}, NULL},
    {"logsumexp", SH(2, 3, 4), false, {DIMS(0, 2), true, 0, 0}, NULL},
    {"logsumexp", SH(3, 4), true, {DIMS(-1), false, 0, 0}, NULL},
    {"logsumexp", SH(2, 3), false, {NODIMS, false, 0, 0}, NULL},
    {"logsumexp", {0}, 0, false, {DIMS(0), true, 0, 0}, NULL},
    {"cumsum", SH(5), false, {NODIMS, false, 0, 0}, NULL},
    {"cumsum", SH(2, 3), false, {NODIMS, false, -1, 0}, NULL},
    {"cumsum", SH(3, 2, 4), true, {NODIMS, false, 1, 0}, NULL},
    {"cumsum", SH(3, 1), false, {NODIMS, false, 1, 0}, NULL},
    {"cumsum", {0}, 0, false, {NODIMS, false, 0, 0}, NULL},
};
#define N_GC ((int)(sizeof gc_cases / sizeof gc_cases[0]))

/* The case's input (float64, requiring grad): its fixed values or randn. */
static tg_tensor *gc_input(tg_ctx *ctx, const gc_case *c) {
    tg_tensor *x;
    if (c->values) {
        int64_t n;
        double *v = tt_parse_doubles(c->values, &n);
        x = tg_tensor_new(ctx, v, c->shape, c->ndim, TG_FLOAT64);
        free(v);
    } else {
        x = tg_randn(ctx, c->shape, c->ndim, TG_FLOAT64);
    }
    if (x) tg_requires_grad_(x, true);
    return x;
}

static tg_tensor *gc_apply(tg_tensor *x, const gc_case *c) {
    const op_entry *op = find_op(c->op);
    tg_tensor *use = c->transpose ? tg_transpose(x, 0, 1) : x;
    tg_tensor *idx = NULL;
    return op && use ? op->fn(use, &c->args, &idx) : NULL;
}

static tg_tensor *gc_fn(tg_tensor *const *in, int n, void *user) {
    (void)n;
    return gc_apply(in[0], user);
}

/* f(x, v) = d(op(x) . v)/dx computed with create_graph: checking it differentiates the backward
 * formula (PyTorch's gradgradcheck, with the upstream gradient as an input too). */
static tg_tensor *gg_fn(tg_tensor *const *in, int n, void *user) {
    (void)n;
    tg_ctx *ctx = tg_tensor_ctx(in[0]);
    tg_enable_grad(ctx); /* gradcheck evaluates under no_grad */
    tg_tensor *y = gc_apply(in[0], user), *g = NULL;
    tg_grad_opts opts = {false, true, false, false};
    if (y && tg_autograd_grad(&y, 1, &in[0], 1, &in[1], &opts, &g) != TG_OK) g = NULL;
    tg_grad_mode_pop(ctx);
    return g;
}

static void test_gradcheck(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_set_warning_handler(ctx, tt_on_warning, NULL);
    tg_manual_seed(ctx, 7);
    const char *test_name = tt_current;
    for (int i = 0; i < N_GC; i++) {
        const gc_case *c = &gc_cases[i];
        char label[96];
        snprintf(label, sizeof label, "gradcheck %s #%d", c->op, i);
        tt_current = label;
        op_entry *op = find_op(c->op);
        CHECK(op != NULL);
        tg_scope_begin(ctx);
        tg_tensor *x = gc_input(ctx, c);
        tg_status st = x ? tg_gradcheck(gc_fn, &x, 1, (void *)(uintptr_t)c, NULL) : tg_errcode(ctx);
        if (st != TG_OK) {
            tt_failf(__FILE__, __LINE__, "%s", tg_errmsg(ctx));
            tg_clear_error(ctx);
        } else {
            tt_pass++;
        }
        /* second order, with a random upstream gradient v as a second input */
        tg_tensor *y = x ? gc_apply(x, c) : NULL;
        tg_tensor *v = y ? tg_randn(ctx, tg_tensor_shape(y), tg_tensor_ndim(y), TG_FLOAT64) : NULL;
        if (v) tg_requires_grad_(v, true);
        tg_tensor *xv[2] = {x, v};
        st = v ? tg_gradcheck(gg_fn, xv, 2, (void *)(uintptr_t)c, NULL) : tg_errcode(ctx);
        if (st != TG_OK) {
            tt_failf(__FILE__, __LINE__, "second order: %s", tg_errmsg(ctx));
            tg_clear_error(ctx);
        } else {
            tt_pass++;
        }
        tg_scope_end(ctx);
        CHECK_INT(tg_ctx_memstats(ctx).nodes, 0);
    }
    tt_current = test_name;
    /* gradcheck notices where the analytical gradient is a convention: max(dim) over a tie
     * sends everything to the returned index, central differences see [0, .5, .5] */
    static const gc_case tie = {"max_dim", SH(3), false, {NODIMS, false, 0, 0}, "1 3 3"};
    tg_scope_begin(ctx);
    tg_tensor *x = gc_input(ctx, &tie);
    CHECK_INT(tg_gradcheck(gc_fn, &x, 1, (void *)(uintptr_t)&tie, NULL), TG_ERR_AUTOGRAD);
    CHECK(strstr(tg_errmsg(ctx), "Jacobian mismatch for output 0 with respect to input 0") !=
          NULL);
    tg_clear_error(ctx);
    tg_scope_end(ctx);
    CHECK_NOTHING_ALIVE(ctx);
    tg_ctx_free(ctx);
}

/* ------------------------------------------------------------------ the API contract */

static void test_max_dim_api(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_scope_begin(ctx);
    tg_tensor *x = tg_tensor_parse(ctx, "[[1, 5, 2], [7, 7, 0]]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *v = (tg_tensor *)1, *i = (tg_tensor *)1;
    /* indices are optional */
    CHECK_INT(tg_max_dim(x, 1, false, &v, NULL), TG_OK);
    CHECK_REPR(v, "tensor([5., 7.], grad_fn=<MaxBackward0>)");
    CHECK_INT(tg_min_dim(x, 0, true, &v, &i), TG_OK);
    CHECK_REPR(v, "tensor([[1., 5., 0.]], grad_fn=<MinBackward0>)");
    CHECK_REPR(i, "tensor([[0, 0, 1]])");
    CHECK(tg_tensor_is_leaf(i));
    /* values is required; on failure both results are NULL */
    CHECK_INT(tg_max_dim(x, 0, false, NULL, &i), TG_ERR_NULL_ARG);
    CHECK(i == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_max_dim: argument 'values' is NULL");
    v = i = (tg_tensor *)1;
    CHECK_INT(tg_max_dim(x, 2, false, &v, &i), TG_ERR_INDEX);
    CHECK(v == NULL && i == NULL);
    CHECK_ERR(ctx, TG_ERR_INDEX,
              "tg_max_dim: Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    /* a NULL input keeps the error that produced it */
    tg_tensor *bad = tg_prod_dim(x, 5, false);
    CHECK(bad == NULL);
    CHECK(tg_max_dim(bad, 0, false, &v, &i) == TG_ERR_NULL_ARG && v == NULL && i == NULL);
    CHECK(tg_prod(bad) == NULL && tg_max(bad) == NULL && tg_amax(bad, NULL, 0, false) == NULL &&
          tg_argmax(bad, false) == NULL && tg_var(bad, 1) == NULL && tg_std_dim(bad, NULL, 0, 1,
          false) == NULL && tg_logsumexp(bad, NULL, 0, false) == NULL && tg_cumsum(bad, 0) == NULL &&
          tg_all(bad) == NULL && tg_any_dim(bad, NULL, 0, false) == NULL);
    CHECK_ERR(ctx, TG_ERR_INDEX,
              "tg_prod_dim: Dimension out of range (expected to be in range of [-2, 1], but got 5)");
    CHECK(tg_prod(NULL) == NULL);
    CHECK_INT(tg_errcode(ctx), TG_OK); /* no ctx to report on */
    CHECK(tg_amax(x, NULL, -1, false) == NULL);
    CHECK_ERR(ctx, TG_ERR_INVALID_ARG, "tg_amax: ndims must be >= 0 (got -1)");
    tg_scope_end(ctx);
    CHECK_NOTHING_ALIVE(ctx);
    tg_ctx_free(ctx);
}

/* ------------------------------------------------------------------ saved tensors */

#define find_scenario(fx, name) TT_FIND(fx, "scenario", name)

static void expect_backward_error(tg_ctx *ctx, tg_tensor *out, const tt_record *r) {
    if (!r) return;
    CHECK_INT(tg_backward(out, NULL), TG_ERR_AUTOGRAD);
    CHECK_RECORD_ERROR(ctx, TG_ERR_AUTOGRAD, "tg_backward", r);
}

/* What each node saves decides which in-place changes break its backward (derivatives.yaml). */
static void test_saved(void) {
    tt_fixture *fx = tt_fixture_load("reduce_ext.txt");
    if (!fx) return;
    tg_ctx *ctx = tg_ctx_new();
    tg_scope_begin(ctx);
    /* max(dim) saves its indices: modifying them in place fails the backward */
    tg_tensor *x = tg_tensor_parse(ctx, "[1, 3, 2]", TG_FLOAT32), *v, *i;
    tg_requires_grad_(x, true);
    CHECK_INT(tg_max_dim(x, 0, false, &v, &i), TG_OK);
    CHECK_INT(tg_fill_(i, 0), TG_OK);
    expect_backward_error(ctx, v, find_scenario(fx, "max_dim_indices_modified"));
    /* prod saves its input: a leaf changed under no_grad */
    x = tg_tensor_parse(ctx, "[1, 3, 2]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *p = tg_prod(x);
    tg_no_grad(ctx);
    tg_mul_scalar_(x, 2);
    tg_grad_mode_pop(ctx);
    expect_backward_error(ctx, p, find_scenario(fx, "prod_input_modified"));
    /* logsumexp saves its result */
    x = tg_tensor_parse(ctx, "[1, 3, 2]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *l = tg_logsumexp(x, TG_SHAPE(0), false);
    tg_no_grad(ctx);
    tg_add_scalar_(l, 1);
    tg_grad_mode_pop(ctx);
    expect_backward_error(ctx, l, find_scenario(fx, "logsumexp_result_modified"));
    /* cumsum saves nothing: its backward still runs */
    const tt_record *r = find_scenario(fx, "cumsum_input_modified");
    x = tg_tensor_parse(ctx, "[1, 3, 2]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *c = tg_sum(tg_cumsum(x, 0));
    tg_no_grad(ctx);
    tg_mul_scalar_(x, 2);
    tg_grad_mode_pop(ctx);
    CHECK_INT(tg_backward(c, NULL), TG_OK);
    CHECK_RECORD_VALUES(tg_tensor_grad(x), r, "grad", 0, 0);
    /* var: a second backward through freed saved tensors */
    x = tg_tensor_parse(ctx, "[1, 3, 2]", TG_FLOAT64);
    tg_requires_grad_(x, true);
    tg_tensor *s = tg_var(x, 1);
    CHECK_INT(tg_backward(s, NULL), TG_OK);
    expect_backward_error(ctx, s, find_scenario(fx, "var_backward_twice"));
    tg_scope_end(ctx);
    CHECK_NOTHING_ALIVE(ctx);
    tg_ctx_free(ctx);
    tt_fixture_free(fx);
}

/* ------------------------------------------------------------------ coverage */

/* Every op of the table has fixture records and every record names one of them; every
 * differentiable op has gradcheck cases (each runs first- and second-order in test_gradcheck). */
static void test_coverage(void) {
    tt_fixture *fx = tt_fixture_load("reduce_ext.txt");
    if (!fx) return;
    int records[64] = {0};
    for (int i = 0; i < fx->n; i++) {
        const char *name = tt_get(&fx->recs[i], "op");
        if (!name && tt_get(&fx->recs[i], "scenario")) continue;
        op_entry *op = find_op(name);
        if (op) records[op - ops]++;
        else tt_failf(__FILE__, __LINE__, "record %s: op not in the table",
                      tt_get(&fx->recs[i], "case"));
    }
    for (int i = 0; i < N_OPS; i++) {
        if (records[i] == 0)
            tt_failf(__FILE__, __LINE__, "op %s has no record in reduce_ext.txt", ops[i].name);
        else
            tt_pass++;
        int cases = 0;
        for (int k = 0; k < N_GC; k++) cases += strcmp(gc_cases[k].op, ops[i].name) == 0;
        if (ops[i].differentiable && cases == 0)
            tt_failf(__FILE__, __LINE__, "differentiable op %s has no gradcheck case", ops[i].name);
        else if (!ops[i].differentiable && cases > 0)
            tt_failf(__FILE__, __LINE__, "op %s is not differentiable but has gradcheck cases",
                     ops[i].name);
        else
            tt_pass++;
    }
    tt_fixture_free(fx);
}

TT_MAIN(T(test_fixtures), T(test_gradcheck), T(test_max_dim_api), T(test_saved),
        T(test_coverage))
