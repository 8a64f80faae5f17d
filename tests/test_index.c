/*
 * test_index.c — the indexing ops against PyTorch: every record of tests/fixtures/index.txt
 * (tools/fixtures_index.py) is replayed — values, dtype, shape, grad_fn, the gradients after
 * backward(v) and exact error messages — plus hand-built scenarios (in-place rules, saved-tensor
 * version checks), tg_gradcheck of every differentiable op, coverage and leak checks.
 */
#include "test.h"

#include <stdint.h>

static tg_ctx *ctx;
static tt_fixture *FX;

/* Every op of the family, as fixture records name them; `grad` marks differentiable ones. */
static const struct {
    const char *op;
    bool grad;
} OPS[] = {
    {"index_select", true}, {"index_add", true},      {"gather", true},
    {"scatter", true},      {"scatter_value", true},  {"scatter_add", true},
    {"scatter_", true},     {"scatter_value_", true}, {"scatter_add_", true},
    {"masked_fill", true},  {"masked_fill_", true},   {"where", true},
    {"where_scalar", true}, {"where_rscalar", true},  {"index", true},
    {"one_hot", false},
};
#define N_OPS ((int)(sizeof OPS / sizeof OPS[0]))

/* ---------------------------------------------------------------- fixture helpers */

/* The value of "<key>_<suffix>". */
static const char *get(const tt_record *r, const char *key, const char *suffix) {
    char k[128];
    snprintf(k, sizeof k, "%s_%s", key, suffix);
    return tt_get(r, k);
}

/* Input `key` of a record: its base (a leaf, requiring grad when X_rg) and the tensor given to
 * the op (base.transpose(0, -1) when X_nc). NULL when the record has no such input. */
static tg_tensor *load(const tt_record *r, const char *key, tg_tensor **base) {
    *base = NULL;
    const char *vals = tt_get(r, key);
    if (!vals) return NULL;
    int64_t shape[TG_MAX_DIMS];
    int nd = tt_parse_ints(get(r, key, "shape"), shape, TG_MAX_DIMS);
    tg_dtype dt = TG_FLOAT32;
    if (nd < 0 || !tt_parse_dtype(get(r, key, "dtype"), &dt)) {
        tt_failf(__FILE__, __LINE__, "input %s: bad dtype or shape", key);
        return NULL;
    }
    *base = tt_tensor_from(ctx, vals, dt, shape, nd);
    if (get(r, key, "rg")) tg_requires_grad_(*base, true);
    if (get(r, key, "nc")) return tg_transpose(*base, 0, nd - 1);
    return *base;
}

/* t has the values listed under key (tolerance by t's dtype; nan and inf exact). */
static double tol_of(const tg_tensor *t) { return t ? tt_tol(tg_tensor_dtype(t)) : 0; }
#define EXPECT_VALUES(r, key, t) CHECK_RECORD_VALUES(t, r, key, tol_of(t), tol_of(t))

/* The op a record names, on its inputs; in-place ops run on a clone of a when a requires grad
 * (so a gradient can flow to the leaf) and on a itself otherwise. *st: the in-place status. */
typedef struct {
    tg_tensor *a, *index, *src, *mask, *cond, *b;
    tg_tensor *base_a;
} inputs;

static tg_tensor *run(const tt_record *r, const inputs *in, tg_status *st) {
    const char *op = tt_get(r, "op");
    int dim = tt_get(r, "dim") ? atoi(tt_get(r, "dim")) : 0;
    double value = tt_get(r, "value") ? strtod(tt_get(r, "value"), NULL) : 0.0;
    *st = TG_OK;
    if (!strcmp(op, "index_select")) return tg_index_select(in->a, dim, in->index);
    if (!strcmp(op, "index_add")) return tg_index_add(in->a, dim, in->index, in->src);
    if (!strcmp(op, "gather")) return tg_gather(in->a, dim, in->index);
    if (!strcmp(op, "scatter")) return tg_scatter(in->a, dim, in->index, in->src);
    if (!strcmp(op, "scatter_value")) return tg_scatter_value(in->a, dim, in->index, value);
    if (!strcmp(op, "scatter_add")) return tg_scatter_add(in->a, dim, in->index, in->src);
    if (!strcmp(op, "masked_fill")) return tg_masked_fill(in->a, in->mask, value);
    if (!strcmp(op, "where")) return tg_where(in->cond, in->a, in->b);
    if (!strcmp(op, "where_scalar")) return tg_where_scalar(in->cond, in->a, value);
    if (!strcmp(op, "where_rscalar")) return tg_where_rscalar(in->cond, value, in->b);
    if (!strcmp(op, "index")) return tg_index(in->a, dim, in->index);
    if (!strcmp(op, "one_hot")) return tg_one_hot(in->a, atoi(tt_get(r, "num_classes")));
    tg_tensor *s = tg_tensor_requires_grad(in->base_a) ? tg_clone(in->a) : in->a;
    if (!strcmp(op, "scatter_")) *st = tg_scatter_(s, dim, in->index, in->src);
    else if (!strcmp(op, "scatter_value_")) *st = tg_scatter_value_(s, dim, in->index, value);
    else if (!strcmp(op, "scatter_add_")) *st = tg_scatter_add_(s, dim, in->index, in->src);
    else if (!strcmp(op, "masked_fill_")) *st = tg_masked_fill_(s, in->mask, value);
    else {
        tt_failf(__FILE__, __LINE__, "unknown op %s", op);
        return NULL;
    }
    return *st == TG_OK ? s : NULL;
}

/* One fixture record, in its own scope (tt_replay_records). */
static void replay(tg_ctx *c, const tt_record *r) {
    inputs in;
    tg_tensor *base[6];
    in.a = load(r, "a", &base[0]);
    in.index = load(r, "index", &base[1]);
    in.src = load(r, "src", &base[2]);
    in.mask = load(r, "mask", &base[3]);
    in.cond = load(r, "cond", &base[4]);
    in.b = load(r, "b", &base[5]);
    in.base_a = base[0];
    CHECK_OK(c);
    tg_status st;
    tg_tensor *out = run(r, &in, &st);
    if (!CHECK_OP_OUTCOME(c, r, out == NULL)) {
        /* in-place ops check every index before writing: self is untouched */
        const char *op = tt_get(r, "op");
        if (tt_get(r, "error") && op[strlen(op) - 1] == '_') EXPECT_VALUES(r, "a", base[0]);
        return;
    }
    tg_dtype dt;
    int64_t shape[TG_MAX_DIMS];
    int nd;
    if (!TT_RECORD_DTYPE_SHAPE(r, "out", &dt, shape, &nd)) return;
    CHECK_TENSOR("out", out, dt, shape, nd, tt_get(r, "out"), tt_tol(dt));
    CHECK_STR(tt_grad_fn_name(out), tt_get(r, "grad_fn"));
    if (!tt_get(r, "v")) return;
    TT_RECORD_BACKWARD(c, r, out);
    static const char *const keys[6] = {"a", "index", "src", "mask", "cond", "b"};
    for (int k = 0; k < 6; k++) {
        char gk[32];
        snprintf(gk, sizeof gk, "grad_%s", keys[k]);
        if (tt_get(r, gk)) EXPECT_VALUES(r, gk, tg_tensor_grad(base[k]));
    }
}

static void test_fixtures(void) {
    CHECK(tt_replay_records(ctx, FX, "op", "index.txt", replay) > 200);
}

/* Every op has forward records (with gradients when differentiable) and error records. */
static void test_fixture_coverage(void) {
    for (int k = 0; k < N_OPS; k++) {
        int ok = 0, grads = 0, errs = 0;
        for (int i = 0; FX && i < FX->n; i++) {
            const tt_record *r = &FX->recs[i];
            const char *op = tt_get(r, "op");
            if (!op || strcmp(op, OPS[k].op)) continue;
            if (tt_get(r, "error")) errs++;
            else ok++;
            if (tt_get(r, "v")) grads++;
        }
        if (ok < 3 || errs < 1 || (OPS[k].grad && grads < 2))
            tt_failf(__FILE__, __LINE__, "op %s: %d forward, %d backward, %d error records",
                     OPS[k].op, ok, grads, errs);
        else tt_pass++;
    }
}

/* ---------------------------------------------------------------- scenarios */

#define scenario(name) TT_FIND(FX, "name", name)
#define EXPECT_ERR(code, prefix, name) CHECK_RECORD_ERROR(ctx, code, prefix, scenario(name))

static tg_tensor *ones_rg(int64_t n0, int64_t n1) {
    tg_tensor *t = n1 ? tg_ones(ctx, TG_SHAPE(n0, n1), TG_FLOAT32) : tg_ones(ctx, TG_SHAPE(n0), TG_FLOAT32);
    tg_requires_grad_(t, true);
    return t;
}

static void test_scenarios(void) {
    tg_memstats before = tg_ctx_memstats(ctx);
    tg_scope_begin(ctx);
    /* in-place on a leaf that requires grad */
    tg_tensor *a = ones_rg(2, 3);
    CHECK_INT(tg_scatter_value_(a, 0, tg_tensor_parse(ctx, "[[0, 1, 0]]", TG_INT64), 2.0),
              TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_scatter_value_", "scenario_inplace_leaf");
    tg_tensor *m = tg_tensor_parse(ctx, "[True, False, True]", TG_BOOL);
    tg_tensor *a3 = ones_rg(3, 0);
    CHECK_INT(tg_masked_fill_(a3, m, 0.0), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_masked_fill_", "scenario_masked_fill_leaf");
    /* but allowed under no_grad */
    tg_no_grad(ctx);
    CHECK_INT(tg_masked_fill_(a3, m, 0.0), TG_OK);
    tg_grad_mode_pop(ctx);
    CHECK_INT(tg_tensor_version(a3), 1);

    /* gather saves self: modifying it in place breaks backward */
    a = ones_rg(2, 3);
    tg_tensor *y = tg_mul_scalar(a, 2);
    tg_tensor *z = tg_gather(y, 0, tg_tensor_parse(ctx, "[[1, 0, 1]]", TG_INT64));
    tg_add_scalar_(y, 1);
    CHECK_INT(tg_backward(tg_sum(z), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", "scenario_gather_self_modified");

    /* the index is saved too */
    a = ones_rg(3, 0);
    tg_tensor *i = tg_tensor_parse(ctx, "[1, 0]", TG_INT64);
    z = tg_index_select(a, 0, i);
    tg_add_scalar_(i, 1);
    CHECK_INT(tg_backward(tg_sum(z), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", "scenario_index_modified");

    /* index_add saves its source */
    a = ones_rg(3, 0);
    tg_tensor *s = tg_mul_scalar(a, 2);
    z = tg_index_add(tg_zeros(ctx, TG_SHAPE(2), TG_FLOAT32), 0,
                     tg_tensor_parse(ctx, "[1, 1, 0]", TG_INT64), s);
    tg_mul_scalar_(s, 3);
    CHECK_INT(tg_backward(tg_sum(z), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", "scenario_index_add_source_modified");

    /* index_select keeps only the index: modifying self afterwards is fine */
    a = ones_rg(2, 3);
    y = tg_mul_scalar(a, 2);
    z = tg_index_select(y, 1, tg_tensor_parse(ctx, "[2, 2]", TG_INT64));
    tg_add_scalar_(y, 1);
    CHECK_INT(tg_backward(tg_sum(z), NULL), TG_OK);
    const tt_record *r = scenario("scenario_index_select_self_modified");
    EXPECT_VALUES(r, "grad", tg_tensor_grad(a));

    /* scatter_add's src gradient has index's shape: PyTorch's own error when it is smaller */
    tg_tensor *src = ones_rg(2, 4);
    z = tg_scatter_add(tg_zeros(ctx, TG_SHAPE(3, 4), TG_FLOAT32), 0,
                       tg_tensor_parse(ctx, "[[0, 2]]", TG_INT64), src);
    CHECK_INT(tg_backward(tg_sum(z), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", "scenario_scatter_add_small_index");

    /* saved tensors are freed after backward */
    a = ones_rg(3, 0);
    z = tg_sum(tg_gather(a, 0, tg_tensor_parse(ctx, "[0, 0]", TG_INT64)));
    CHECK_INT(tg_backward(z, NULL), TG_OK);
    CHECK_INT(tg_backward(z, NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", "scenario_backward_twice");
    tg_scope_end(ctx);
    CHECK_NO_LEAK(ctx, before, "scenarios");
}

/* In-place results: self keeps its identity, its version moves, history is rebased. */
static void test_inplace_details(void) {
    tg_memstats before = tg_ctx_memstats(ctx);
    tg_scope_begin(ctx);
    tg_tensor *t = tg_zeros(ctx, TG_SHAPE(2, 3), TG_FLOAT64);
    tg_tensor *idx = tg_tensor_parse(ctx, "[[1, 0, 1]]", TG_INT64);
    CHECK_INT(tg_scatter_add_(t, 0, idx, t), TG_OK); /* src aliasing self: reads old values */
    CHECK_INT(tg_tensor_version(t), 1);
    CHECK(tg_tensor_is_leaf(t));
    tg_tensor *src = tg_ones(ctx, TG_SHAPE(1, 3), TG_FLOAT64);
    tg_requires_grad_(src, true);
    CHECK_INT(tg_scatter_(t, 0, idx, src), TG_OK); /* a plain tensor takes src's history */
    CHECK(!tg_tensor_is_leaf(t));
    CHECK_STR(tt_grad_fn_name(t), "ScatterBackward0");
    CHECK_INT(tg_tensor_version(t), 2);
    const double want[] = {0, 1, 0, 1, 0, 1};
    CHECK_VALUES(t, want, 6, 0, 0);
    CHECK_INT(tg_backward(tg_sum(t), NULL), TG_OK);
    const double gs[] = {1, 1, 1};
    CHECK_VALUES(tg_tensor_grad(src), gs, 3, 0, 0);
    /* ops given NULL return NULL and keep the first error */
    tg_clear_error(ctx);
    CHECK(tg_gather(NULL, 0, idx) == NULL);
    CHECK_INT(tg_errcode(ctx), TG_ERR_NULL_ARG);
    CHECK_STR(tg_errmsg(ctx), "tg_gather: argument 'self' is NULL");
    tg_clear_error(ctx);
    CHECK(tg_index_select(tg_gather(t, 5, idx), 0, idx) == NULL);
    CHECK_INT(tg_errcode(ctx), TG_ERR_INDEX); /* the gather's error, kept */
    CHECK_STR(tg_errmsg(ctx), "tg_gather: Dimension out of range (expected to be in range of "
                              "[-2, 1], but got 5)");
    tg_clear_error(ctx);
    CHECK(tg_where(NULL, t, t) == NULL);
    CHECK_STR(tg_errmsg(ctx), "tg_where: argument 'condition' is NULL");
    tg_clear_error(ctx);
    CHECK_INT(tg_scatter_(t, 0, NULL, src), TG_ERR_NULL_ARG);
    tg_clear_error(ctx);
    CHECK(tg_one_hot(NULL, 3) == NULL);
    tg_scope_end(ctx);
    CHECK_NO_LEAK(ctx, before, "inplace details");
}

/* ---------------------------------------------------------------- gradcheck */

typedef struct gc_case {
    const char *op;
    int nin;                         /* float64 leaves */
    int64_t shape[3][4];             /* shapes of the leaves (-1 ends a shape) */
    int dim;
    const char *index;               /* literal of an int64 (or bool, for masks) tensor */
    bool index_bool;
    bool nc;                         /* the first input is given transposed (0, -1) */
    double value;
} gc_case;

static tg_tensor *gc_index; /* the case's index/mask/cond tensor, built before tg_gradcheck */

static tg_tensor *case_fn(tg_tensor *const *x, int n, void *user) {
    const gc_case *c = user;
    (void)n;
    tg_tensor *a = c->nc ? tg_transpose(x[0], 0, tg_tensor_ndim(x[0]) - 1) : x[0];
    tg_tensor *b = c->nin > 1 ? x[1] : NULL;
    const char *op = c->op;
    if (!strcmp(op, "index_select")) return tg_index_select(a, c->dim, gc_index);
    if (!strcmp(op, "index_add")) return tg_index_add(a, c->dim, gc_index, b);
    if (!strcmp(op, "gather")) return tg_gather(a, c->dim, gc_index);
    if (!strcmp(op, "scatter")) return tg_scatter(a, c->dim, gc_index, b);
    if (!strcmp(op, "scatter_value")) return tg_scatter_value(a, c->dim, gc_index, c->value);
    if (!strcmp(op, "scatter_add")) return tg_scatter_add(a, c->dim, gc_index, b);
    if (!strcmp(op, "masked_fill")) return tg_masked_fill(a, gc_index, c->value);
    if (!strcmp(op, "where")) return tg_where(gc_index, a, b);
    if (!strcmp(op, "where_scalar")) return tg_where_scalar(gc_index, a, c->value);
    if (!strcmp(op, "where_rscalar")) return tg_where_rscalar(gc_index, c->value, a);
    if (!strcmp(op, "index")) return tg_index(a, c->dim, gc_index);
    /* in place, on a clone (times 1.5 so the clone's own history is not trivial) */
    tg_tensor *s = tg_mul_scalar(a, 1.5);
    tg_status st = TG_ERR_INVALID_ARG;
    if (!strcmp(op, "scatter_")) st = tg_scatter_(s, c->dim, gc_index, b);
    if (!strcmp(op, "scatter_value_")) st = tg_scatter_value_(s, c->dim, gc_index, c->value);
    if (!strcmp(op, "scatter_add_")) st = tg_scatter_add_(s, c->dim, gc_index, b);
    if (!strcmp(op, "masked_fill_")) st = tg_masked_fill_(s, gc_index, c->value);
    return st == TG_OK ? s : NULL;
}

#define S1(a) {a, -1}
#define S2(a, b) {a, b, -1}
#define S3(a, b, c) {a, b, c, -1}
static const gc_case GC[] = {
    {"index_select", 1, {S2(4, 3)}, 0, "[3, 0, 3]", false, false, 0},
    {"index_select", 1, {S3(2, 3, 4)}, -1, "[1, 1, 0, 3]", false, false, 0},
    {"index_select", 1, {S2(4, 3)}, 1, "[2, 3]", false, true, 0},
    {"index_select", 1, {{-1}}, 0, "[0]", false, false, 0},
    {"index_add", 2, {S2(3, 4), S2(2, 4)}, 0, "[2, 2]", false, false, 0},
    {"index_add", 2, {S2(3, 4), S2(3, 3)}, 1, "[0, 3, 0]", false, false, 0},
    {"index_add", 2, {S2(4, 3), S2(3, 2)}, -1, "[1, 1]", false, true, 0},
    {"index_add", 2, {S1(3), {-1}}, 0, "[1]", false, false, 0},
    {"gather", 1, {S2(3, 4)}, 1, "[[0, 0, 3], [1, 2, 2], [3, 3, 3]]", false, false, 0},
    {"gather", 1, {S3(3, 2, 2)}, 0, "[[[2, 0], [0, 0]], [[1, 1], [2, 2]]]", false, false, 0},
    {"gather", 1, {S2(4, 3)}, 0, "[[2, 2, 1, 0], [0, 1, 1, 1]]", false, true, 0},
    {"gather", 1, {{-1}}, 0, "[0, 0]", false, false, 0},
    {"scatter", 2, {S2(3, 4), S2(1, 4)}, 0, "[[2, 0, 1, 1]]", false, false, 0},
    {"scatter", 2, {S2(3, 4), S2(3, 2)}, -1, "[[3, 0], [1, 2], [2, 1]]", false, false, 0},
    {"scatter", 2, {S2(4, 3), S2(2, 4)}, 0, "[[0, 1, 2, 0], [1, 2, 0, 2]]", false, true, 0},
    {"scatter_value", 1, {S2(3, 4)}, 1, "[[1, 3], [0, 0], [2, 1]]", false, false, 2.5},
    {"scatter_value", 1, {S3(2, 2, 3)}, 0, "[[[1, 0, 1]]]", false, false, -1.0},
    {"scatter_add", 2, {S2(3, 4), S2(3, 4)}, 0, "[[2, 0, 2, 2], [2, 0, 1, 2], [0, 0, 0, 0]]",
     false, false, 0},
    {"scatter_add", 2, {S2(2, 3), S2(2, 4)}, 1, "[[0, 0, 2, 0], [1, 1, 1, 1]]", false, false, 0},
    {"scatter_add", 2, {S2(4, 3), S2(3, 4)}, 0, "[[0, 0, 0, 1], [2, 2, 1, 1], [0, 1, 2, 0]]",
     false, true, 0},
    {"scatter_", 2, {S2(3, 4), S2(1, 4)}, 0, "[[1, 2, 0, 1]]", false, false, 0},
    {"scatter_value_", 1, {S2(3, 4)}, 1, "[[3, 0], [1, 1], [2, 0]]", false, false, 0.5},
    {"scatter_add_", 2, {S2(3, 4), S2(2, 4)}, 0, "[[1, 1, 1, 1], [1, 2, 1, 0]]", false, false, 0},
    {"scatter_add_", 2, {S1(4), S1(3)}, 0, "[3, 3, 0]", false, false, 0},
    {"masked_fill", 1, {S2(3, 4)}, 0, "[True, False, False, True]", true, false, 1.5},
    {"masked_fill", 1, {S1(4)}, 0, "[[True, False, True, True], [False, False, True, False]]",
     true, false, -2.0},
    {"masked_fill", 1, {S2(4, 3)}, 0, "[[True], [False], [True]]", true, true, 0.0},
    {"masked_fill_", 1, {S2(3, 4)}, 0, "[[True], [False], [True]]", true, false, -4.0},
    {"where", 2, {S2(3, 1), S1(4)}, 0, "[[[True], [False], [True]], [[False], [True], [True]]]",
     true, false, 0},
    {"where", 2, {S2(4, 3), {-1}}, 0, "[[True, False, True, False], [False, False, True, True], "
                                      "[True, True, True, False]]",
     true, true, 0},
    {"where", 2, {S2(2, 3), S2(2, 3)}, 0, "[[True, False, True], [False, False, True]]", true,
     false, 0},
    {"where_scalar", 1, {S2(2, 3)}, 0, "[[True], [False]]", true, false, 0.25},
    {"where_rscalar", 1, {S1(3)}, 0, "[[True, False, False], [False, True, True]]", true, false,
     -3.0},
    {"index", 1, {S1(5)}, 0, "[4, -1, 0, -5, 4]", false, false, 0},
    {"index", 1, {S2(3, 4)}, 1, "[[1, 3], [-1, 1]]", false, false, 0},
    {"index", 1, {S3(2, 3, 4)}, -2, "[2, 2, 0]", false, false, 0},
    {"index", 1, {S2(4, 3)}, 0, "[[0], [2], [0]]", false, true, 0},
    {"index", 1, {S2(3, 4)}, 0, "[True, False, True]", true, false, 0},
    {"index", 1, {S3(2, 3, 4)}, 1, "[[True, False, True, True], [False, True, False, True], "
                                   "[True, True, False, False]]",
     true, false, 0},
    {"index", 1, {S2(4, 3)}, 1, "[False, True, True, True]", true, true, 0},
    {"index", 1, {S2(3, 4)}, 0, "-2", false, false, 0},
};
#define N_GC ((int)(sizeof GC / sizeof GC[0]))

static void test_gradcheck(void) {
    for (int k = 0; k < N_GC; k++) {
        const gc_case *c = &GC[k];
        tg_memstats before = tg_ctx_memstats(ctx);
        tg_scope_begin(ctx);
        tg_manual_seed(ctx, (uint64_t)k + 1);
        tg_tensor *x[2];
        for (int i = 0; i < c->nin; i++) {
            int nd = 0;
            while (nd < 4 && c->shape[i][nd] >= 0) nd++;
            x[i] = tg_randn(ctx, c->shape[i], nd, TG_FLOAT64);
            tg_requires_grad_(x[i], true);
        }
        gc_index = tg_tensor_parse(ctx, c->index, c->index_bool ? TG_BOOL : TG_INT64);
        tg_status st = tg_gradcheck(case_fn, x, c->nin, (void *)(uintptr_t)c, NULL);
        if (st != TG_OK) {
            tt_failf(__FILE__, __LINE__, "gradcheck %s #%d: %s", c->op, k, tg_errmsg(ctx));
            tg_clear_error(ctx);
        } else tt_pass++;
        tg_scope_end(ctx);
        CHECK_NO_LEAK(ctx, before, c->op);
    }
}

/* Every differentiable op has gradcheck cases, one of them on a non-contiguous input where the
 * op takes a tensor to index into. */
static void test_gradcheck_coverage(void) {
    for (int k = 0; k < N_OPS; k++) {
        if (!OPS[k].grad) continue;
        int n = 0;
        for (int i = 0; i < N_GC; i++) n += !strcmp(GC[i].op, OPS[k].op);
        if (n < 1) tt_failf(__FILE__, __LINE__, "op %s has no gradcheck case", OPS[k].op);
        else tt_pass++;
    }
    int nc = 0;
    for (int i = 0; i < N_GC; i++) nc += GC[i].nc;
    CHECK(nc >= 8);
}

/* gradcheck notices a wrong gradient: a deliberately broken index (the gradient of a[idx] is
 * compared against f = a[other idx]) must fail, so the cases above can fail too. */
static tg_tensor *mismatched_fn(tg_tensor *const *x, int n, void *user) {
    (void)n;
    (void)user;
    tg_tensor *idx = tg_tensor_parse(ctx, "[0, 1]", TG_INT64);
    if (tg_is_grad_enabled(ctx)) idx = tg_tensor_parse(ctx, "[1, 0]", TG_INT64);
    return tg_index(x[0], 0, idx);
}

static void test_gradcheck_can_fail(void) {
    tg_scope_begin(ctx);
    tg_tensor *x = tg_tensor_parse(ctx, "[1.0, 2.0, 3.0]", TG_FLOAT64);
    tg_requires_grad_(x, true);
    CHECK_INT(tg_gradcheck(mismatched_fn, &x, 1, NULL, NULL), TG_ERR_AUTOGRAD);
    tg_clear_error(ctx);
    tg_scope_end(ctx);
}

static void teardown(void) {
    tt_fixture_free(FX);
    tg_ctx_free(ctx);
}

/* The ctx and fixture, made on first use so any subset of tests can run (argv filter). */
static void setup(void) {
    if (ctx) return;
    ctx = tg_ctx_new();
    FX = tt_fixture_load("index.txt");
    atexit(teardown);
}

#define TS(fn) {#fn, fn##_run}
#define WITH_SETUP(fn)                                                                         \
    static void fn##_run(void) {                                                               \
        setup();                                                                               \
        fn();                                                                                  \
    }
WITH_SETUP(test_fixtures)
WITH_SETUP(test_fixture_coverage)
WITH_SETUP(test_scenarios)
WITH_SETUP(test_inplace_details)
WITH_SETUP(test_gradcheck)
WITH_SETUP(test_gradcheck_coverage)
WITH_SETUP(test_gradcheck_can_fail)

TT_MAIN(TS(test_fixtures), TS(test_fixture_coverage), TS(test_scenarios),
        TS(test_inplace_details), TS(test_gradcheck), TS(test_gradcheck_coverage),
        TS(test_gradcheck_can_fail))
