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

static tg_dtype dtype_of(const char *s) {
    if (!strcmp(s, "float64")) return TG_FLOAT64;
    if (!strcmp(s, "int64")) return TG_INT64;
    if (!strcmp(s, "bool")) return TG_BOOL;
    return TG_FLOAT32;
}

static tg_status code_of(const char *s) {
    if (!strcmp(s, "INDEX")) return TG_ERR_INDEX;
    if (!strcmp(s, "SHAPE")) return TG_ERR_SHAPE;
    if (!strcmp(s, "DTYPE")) return TG_ERR_DTYPE;
    if (!strcmp(s, "INVALID_ARG")) return TG_ERR_INVALID_ARG;
    if (!strcmp(s, "AUTOGRAD")) return TG_ERR_AUTOGRAD;
    return TG_OK;
}

/* The value of "<key>_<suffix>". */
static const char *get(const tt_record *r, const char *key, const char *suffix) {
    char k[128];
    snprintf(k, sizeof k, "%s_%s", key, suffix);
    return tt_get(r, k);
}

static int parse_shape(const char *s, int64_t *shape) {
    int64_t n;
    double *v = tt_parse_doubles(s, &n);
    for (int64_t i = 0; i < n && i < TG_MAX_DIMS; i++) shape[i] = (int64_t)v[i];
    free(v);
    return (int)n;
}

/* A tensor of dtype and shape from the listed values. */
static tg_tensor *make(const char *vals, tg_dtype dt, const int64_t *shape, int nd) {
    int64_t n;
    double *v = tt_parse_doubles(vals, &n);
    void *buf = malloc(8 * (size_t)(n ? n : 1));
    for (int64_t i = 0; i < n; i++) {
        switch (dt) {
        case TG_FLOAT32: ((float *)buf)[i] = (float)v[i]; break;
        case TG_FLOAT64: ((double *)buf)[i] = v[i]; break;
        case TG_INT64: ((int64_t *)buf)[i] = (int64_t)v[i]; break;
        case TG_BOOL: ((bool *)buf)[i] = v[i] != 0; break;
        }
    }
    tg_tensor *t = tg_tensor_new(ctx, buf, shape, nd, dt);
    free(buf);
    free(v);
    return t;
}

/* Input `key` of a record: its base (a leaf, requiring grad when X_rg) and the tensor given to
 * the op (base.transpose(0, -1) when X_nc). NULL when the record has no such input. */
static tg_tensor *load(const tt_record *r, const char *key, tg_tensor **base) {
    *base = NULL;
    const char *vals = tt_get(r, key);
    if (!vals) return NULL;
    int64_t shape[TG_MAX_DIMS];
    int nd = parse_shape(get(r, key, "shape"), shape);
    *base = make(vals, dtype_of(get(r, key, "dtype")), shape, nd);
    if (get(r, key, "rg")) tg_requires_grad_(*base, true);
    if (get(r, key, "nc")) return tg_transpose(*base, 0, nd - 1);
    return *base;
}

static double tol_of(tg_dtype dt) {
    return dt == TG_FLOAT32 ? 1e-5 : dt == TG_FLOAT64 ? 1e-10 : 0.0;
}

/* t has the values listed under key (tolerance by t's dtype; nan and inf exact). */
static void expect_values(const tt_record *r, const char *key, const tg_tensor *t) {
    const char *s = tt_get(r, key);
    if (!s || !t) {
        tt_failf(__FILE__, __LINE__, "%s: %s missing (tensor %p)", tt_get(r, "name"), key,
                 (const void *)t);
        return;
    }
    int64_t n;
    double *v = tt_parse_doubles(s, &n);
    double tol = tol_of(tg_tensor_dtype(t));
    if (!tt_check_values(__FILE__, __LINE__, t, v, n, tol, tol))
        printf("  ... in record %s, key %s\n", tt_get(r, "name"), key);
    free(v);
}

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

static const char *fn_name(const tg_tensor *t) {
    tg_node *n = tg_tensor_grad_fn(t);
    return n ? tg_node_name(n) : "none";
}

static void check_no_leak(const tg_memstats *before, const char *what) {
    tg_memstats now = tg_ctx_memstats(ctx);
    if (now.tensors != before->tensors || now.storages != before->storages ||
        now.nodes != before->nodes)
        tt_failf(__FILE__, __LINE__, "%s: leaked %lld tensors, %lld storages, %lld nodes", what,
                 (long long)(now.tensors - before->tensors),
                 (long long)(now.storages - before->storages),
                 (long long)(now.nodes - before->nodes));
    else tt_pass++;
}

/* One fixture record, in its own scope. */
static void replay(const tt_record *r) {
    const char *name = tt_get(r, "name");
    tg_memstats before = tg_ctx_memstats(ctx);
    tg_scope_begin(ctx);
    inputs in;
    tg_tensor *base[6];
    in.a = load(r, "a", &base[0]);
    in.index = load(r, "index", &base[1]);
    in.src = load(r, "src", &base[2]);
    in.mask = load(r, "mask", &base[3]);
    in.cond = load(r, "cond", &base[4]);
    in.b = load(r, "b", &base[5]);
    in.base_a = base[0];
    CHECK_OK(ctx);
    tg_status st;
    tg_tensor *out = run(r, &in, &st);
    const char *err = tt_get(r, "error");
    if (err) {
        char want[2048];
        snprintf(want, sizeof want, "tg_%s: %s", tt_get(r, "op"), err);
        if (out) tt_failf(__FILE__, __LINE__, "%s: expected an error, got a result", name);
        else tt_pass++;
        if (tg_errcode(ctx) != code_of(tt_get(r, "code")) || strcmp(tg_errmsg(ctx), want) != 0)
            tt_failf(__FILE__, __LINE__, "%s: error %d [%s], expected %d [%s]", name,
                     (int)tg_errcode(ctx), tg_errmsg(ctx), (int)code_of(tt_get(r, "code")), want);
        else tt_pass++;
        tg_clear_error(ctx);
        /* in-place ops check every index before writing: self is untouched */
        const char *op = tt_get(r, "op");
        if (op[strlen(op) - 1] == '_') expect_values(r, "a", base[0]);
    } else if (!out) {
        tt_failf(__FILE__, __LINE__, "%s: failed: %s", name, tg_errmsg(ctx));
        tg_clear_error(ctx);
    } else {
        int64_t shape[TG_MAX_DIMS];
        int nd = parse_shape(tt_get(r, "out_shape"), shape);
        if (tg_tensor_dtype(out) != dtype_of(tt_get(r, "out_dtype")))
            tt_failf(__FILE__, __LINE__, "%s: dtype %s, expected %s", name,
                     tg_dtype_name(tg_tensor_dtype(out)), tt_get(r, "out_dtype"));
        else tt_pass++;
        if (tg_tensor_ndim(out) != nd ||
            (nd && memcmp(tg_tensor_shape(out), shape, sizeof(int64_t) * (size_t)nd)))
            tt_failf(__FILE__, __LINE__, "%s: wrong shape", name);
        else tt_pass++;
        expect_values(r, "out", out);
        if (strcmp(fn_name(out), tt_get(r, "grad_fn")) != 0)
            tt_failf(__FILE__, __LINE__, "%s: grad_fn %s, expected %s", name, fn_name(out),
                     tt_get(r, "grad_fn"));
        else tt_pass++;
        if (tt_get(r, "v")) {
            tg_tensor *v = make(tt_get(r, "v"), tg_tensor_dtype(out), shape, nd);
            if (tg_backward(out, v) != TG_OK) {
                tt_failf(__FILE__, __LINE__, "%s: backward: %s", name, tg_errmsg(ctx));
                tg_clear_error(ctx);
            }
            static const char *const keys[6] = {"a", "index", "src", "mask", "cond", "b"};
            for (int k = 0; k < 6; k++) {
                char gk[32];
                snprintf(gk, sizeof gk, "grad_%s", keys[k]);
                if (tt_get(r, gk)) expect_values(r, gk, tg_tensor_grad(base[k]));
            }
        }
    }
    tg_scope_end(ctx);
    check_no_leak(&before, name);
}

static void test_fixtures(void) {
    int n = 0;
    for (int i = 0; FX && i < FX->n; i++) {
        const tt_record *r = &FX->recs[i];
        if (!tt_get(r, "op")) continue;
        replay(r);
        n++;
    }
    CHECK(n > 200);
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

static const tt_record *scenario(const char *name) {
    for (int i = 0; FX && i < FX->n; i++)
        if (!strcmp(tt_get(&FX->recs[i], "name"), name)) return &FX->recs[i];
    tt_failf(__FILE__, __LINE__, "fixture scenario %s missing", name);
    return NULL;
}

static void expect_err(int line, tg_status code, const char *prefix, const char *name) {
    const tt_record *r = scenario(name);
    char want[2048];
    snprintf(want, sizeof want, "%s: %s", prefix, r ? tt_get(r, "error") : "?");
    if (tg_errcode(ctx) != code || strcmp(tg_errmsg(ctx), want) != 0)
        tt_failf(__FILE__, line, "%s: error %d [%s], expected %d [%s]", name,
                 (int)tg_errcode(ctx), tg_errmsg(ctx), (int)code, want);
    else tt_pass++;
    tg_clear_error(ctx);
}
#define EXPECT_ERR(code, prefix, name) expect_err(__LINE__, code, prefix, name)

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
    if (r) expect_values(r, "grad", tg_tensor_grad(a));

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
    check_no_leak(&before, "scenarios");
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
    CHECK_STR(fn_name(t), "ScatterBackward0");
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
    check_no_leak(&before, "inplace details");
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
        check_no_leak(&before, c->op);
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
