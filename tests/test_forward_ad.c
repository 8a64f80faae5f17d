/*
 * test_forward_ad.c — forward-mode AD: the tangent of each op's result against PyTorch's
 * torch.autograd.forward_ad (tools/fixtures_forward_ad.py) and against central differences in
 * float64, plus levels, printing, no_grad/detach, in-place ops, mixing with reverse mode, and
 * PyTorch's errors.
 */
#include "test.h"

static tt_fixture *FX;
static tg_ctx *ctx;

static const tt_record *fx(const char *name) {
    for (int i = 0; FX && i < FX->n; i++)
        if (strcmp(tt_get(&FX->recs[i], "name"), name) == 0) return &FX->recs[i];
    tt_failf(__FILE__, __LINE__, "fixture %s missing", name);
    return NULL;
}

#define EXPECT_VALS(t, rec, key, tol) expect_vals(__LINE__, t, rec, key, tol)
static void expect_vals(int line, const tg_tensor *t, const tt_record *r, const char *key,
                        double tol) {
    const char *s = r ? tt_get(r, key) : NULL;
    if (!s) {
        tt_failf(__FILE__, line, "fixture key %s missing", key);
        return;
    }
    int64_t n;
    double *v = tt_parse_doubles(s, &n);
    tt_check_values(__FILE__, line, t, v, n, tol, tol);
    free(v);
}

/* ---- the op table, as in the fixture script ---- */
static const int64_t D0[] = {0}, D1[] = {1};

static tg_tensor *f_add(tg_tensor **x) { return tg_add(x[0], x[1]); }
static tg_tensor *f_sub(tg_tensor **x) { return tg_sub(x[0], x[1]); }
static tg_tensor *f_mul(tg_tensor **x) { return tg_mul(x[0], x[1]); }
static tg_tensor *f_div(tg_tensor **x) { return tg_div(x[0], tg_add_scalar(tg_abs(x[1]), 1)); }
static tg_tensor *f_pow(tg_tensor **x) { return tg_pow(tg_add_scalar(tg_abs(x[0]), 0.5), x[1]); }
static tg_tensor *f_exp(tg_tensor **x) { return tg_exp(x[0]); }
static tg_tensor *f_log(tg_tensor **x) { return tg_log(tg_add_scalar(tg_abs(x[0]), 0.1)); }
static tg_tensor *f_sqrt(tg_tensor **x) { return tg_sqrt(tg_add_scalar(tg_mul(x[0], x[0]), 1)); }
static tg_tensor *f_tanh(tg_tensor **x) { return tg_tanh(x[0]); }
static tg_tensor *f_sigmoid(tg_tensor **x) { return tg_sigmoid(x[0]); }
static tg_tensor *f_sin_cos(tg_tensor **x) { return tg_mul(tg_sin(x[0]), tg_cos(x[0])); }
static tg_tensor *f_relu(tg_tensor **x) { return tg_relu(x[0]); }
static tg_tensor *f_gelu(tg_tensor **x) { return tg_gelu(x[0], NULL); }
static tg_tensor *f_softplus(tg_tensor **x) { return tg_softplus(x[0], 1, 20); }
static tg_tensor *f_clamp(tg_tensor **x) {
    double lo = -0.5, hi = 0.5;
    return tg_clamp(x[0], &lo, &hi);
}
static tg_tensor *f_maximum(tg_tensor **x) { return tg_maximum(x[0], x[1]); }
static tg_tensor *f_sum_dim(tg_tensor **x) { return tg_sum_dim(x[0], D1, 1, false); }
static tg_tensor *f_mean(tg_tensor **x) { return tg_mean(x[0]); }
static tg_tensor *f_norm(tg_tensor **x) { return tg_norm(x[0], 2); }
static tg_tensor *f_var(tg_tensor **x) { return tg_var_dim(x[0], D0, 1, 1, false); }
static tg_tensor *f_logsumexp(tg_tensor **x) { return tg_logsumexp(x[0], D1, 1, false); }
static tg_tensor *f_prod(tg_tensor **x) { return tg_prod_dim(x[0], 1, false); }
static tg_tensor *f_amax(tg_tensor **x) { return tg_amax(x[0], D0, 1, false); }
static tg_tensor *f_cumsum(tg_tensor **x) { return tg_cumsum(x[0], 1); }
static tg_tensor *f_mm(tg_tensor **x) { return tg_mm(x[0], x[1]); }
static tg_tensor *f_matmul_batched(tg_tensor **x) { return tg_matmul(x[0], x[1]); }
static tg_tensor *f_linear(tg_tensor **x) { return tg_linear(x[0], x[1], x[2]); }
static tg_tensor *f_t_reshape(tg_tensor **x) { return tg_reshape(tg_t(x[0]), TG_SHAPE(6)); }
static tg_tensor *f_permute_flip(tg_tensor **x) {
    return tg_flip(tg_permute(x[0], (const int64_t[]){2, 0, 1}, 3), D0, 1);
}
static tg_tensor *f_narrow_select(tg_tensor **x) { return tg_select(tg_narrow(x[0], 1, 1, 2), 0, 1); }
static tg_tensor *f_cat(tg_tensor **x) {
    tg_tensor *in[2] = {x[0], tg_mul_scalar(x[1], 2)};
    return tg_cat(in, 2, 0);
}
static tg_tensor *f_stack(tg_tensor **x) { return tg_stack(x, 2, 1); }
static tg_tensor *f_expand_repeat(tg_tensor **x) {
    return tg_repeat(tg_expand(x[0], TG_SHAPE(3, 2)), (const int64_t[]){2, 1}, 2);
}
static tg_tensor *f_gather(tg_tensor **x) {
    return tg_gather(x[0], 1, tg_tensor_parse(ctx, "[[0, 2], [1, 1]]", TG_INT64));
}
static tg_tensor *f_index_select(tg_tensor **x) {
    return tg_index_select(x[0], 0, tg_tensor_parse(ctx, "[2, 0, 2]", TG_INT64));
}
static tg_tensor *f_where(tg_tensor **x) { return tg_where(tg_gt_scalar(x[0], 0), x[0], x[1]); }
static tg_tensor *f_softmax(tg_tensor **x) { return tg_softmax(x[0], 1); }
static tg_tensor *f_log_softmax(tg_tensor **x) { return tg_log_softmax(x[0], 0); }
static tg_tensor *f_mse_loss(tg_tensor **x) { return tg_mse_loss(x[0], x[1], TG_REDUCTION_MEAN); }
static tg_tensor *f_cross_entropy(tg_tensor **x) {
    return tg_cross_entropy(x[0], tg_tensor_parse(ctx, "[1, 0, 2]", TG_INT64), NULL,
                            TG_REDUCTION_MEAN, -100, 0.0);
}
static tg_tensor *f_layer_norm(tg_tensor **x) {
    return tg_layer_norm(x[0], TG_SHAPE(3), x[1], x[2], 1e-5);
}

/* padding_idx rows get no gradient in reverse mode, but their tangent is the row's */
static tg_tensor *f_embedding_pad(tg_tensor **x) {
    return tg_embedding(x[0], tg_tensor_parse(ctx, "[[2, 1], [0, 1]]", TG_INT64), 1);
}

typedef struct {
    const char *name;
    tg_tensor *(*f)(tg_tensor **);
    int n;
    int64_t shapes[3][3];
    int ndims[3];
} op_case;

static const op_case OPS[] = {
    {"add", f_add, 2, {{2, 3}, {3}}, {2, 1}},
    {"sub", f_sub, 2, {{2, 3}, {2, 3}}, {2, 2}},
    {"mul", f_mul, 2, {{2, 3}, {1, 3}}, {2, 2}},
    {"div", f_div, 2, {{2, 3}, {2, 3}}, {2, 2}},
    {"pow", f_pow, 2, {{4}, {4}}, {1, 1}},
    {"exp", f_exp, 1, {{2, 3}}, {2}},
    {"log", f_log, 1, {{5}}, {1}},
    {"sqrt", f_sqrt, 1, {{5}}, {1}},
    {"tanh", f_tanh, 1, {{2, 3}}, {2}},
    {"sigmoid", f_sigmoid, 1, {{2, 3}}, {2}},
    {"sin_cos", f_sin_cos, 1, {{4}}, {1}},
    {"relu", f_relu, 1, {{6}}, {1}},
    {"gelu", f_gelu, 1, {{6}}, {1}},
    {"softplus", f_softplus, 1, {{6}}, {1}},
    {"clamp", f_clamp, 1, {{6}}, {1}},
    {"maximum", f_maximum, 2, {{6}, {6}}, {1, 1}},
    {"sum_dim", f_sum_dim, 1, {{3, 4}}, {2}},
    {"mean", f_mean, 1, {{3, 4}}, {2}},
    {"norm", f_norm, 1, {{3, 4}}, {2}},
    {"var", f_var, 1, {{4, 3}}, {2}},
    {"logsumexp", f_logsumexp, 1, {{3, 4}}, {2}},
    {"prod", f_prod, 1, {{3, 4}}, {2}},
    {"amax", f_amax, 1, {{4, 3}}, {2}},
    {"cumsum", f_cumsum, 1, {{3, 4}}, {2}},
    {"mm", f_mm, 2, {{2, 3}, {3, 4}}, {2, 2}},
    {"matmul_batched", f_matmul_batched, 2, {{2, 2, 3}, {3, 2}}, {3, 2}},
    {"linear", f_linear, 3, {{2, 3}, {4, 3}, {4}}, {2, 2, 1}},
    {"t_reshape", f_t_reshape, 1, {{2, 3}}, {2}},
    {"permute_flip", f_permute_flip, 1, {{2, 3, 2}}, {3}},
    {"narrow_select", f_narrow_select, 1, {{3, 4}}, {2}},
    {"cat", f_cat, 2, {{2, 3}, {1, 3}}, {2, 2}},
    {"stack", f_stack, 2, {{2, 3}, {2, 3}}, {2, 2}},
    {"expand_repeat", f_expand_repeat, 1, {{2}}, {1}},
    {"gather", f_gather, 1, {{2, 3}}, {2}},
    {"index_select", f_index_select, 1, {{3, 2}}, {2}},
    {"where", f_where, 2, {{5}, {5}}, {1, 1}},
    {"softmax", f_softmax, 1, {{2, 4}}, {2}},
    {"log_softmax", f_log_softmax, 1, {{3, 2}}, {2}},
    {"mse_loss", f_mse_loss, 2, {{2, 3}, {2, 3}}, {2, 2}},
    {"cross_entropy", f_cross_entropy, 1, {{3, 4}}, {2}},
    {"layer_norm", f_layer_norm, 3, {{2, 3}, {3}, {3}}, {2, 1, 1}},
    {"embedding_pad", f_embedding_pad, 1, {{3, 2}}, {2}},
};

static tg_tensor *from_rec(const tt_record *r, const char *key, const int64_t *shape, int nd) {
    int64_t n;
    double *v = tt_parse_doubles(tt_get(r, key), &n);
    tg_tensor *t = tg_tensor_new(ctx, v, shape, nd, TG_FLOAT64);
    free(v);
    return t;
}

/* f(x + e t) - f(x - e t) over 2e, elementwise, in float64 */
static tg_tensor *central_difference(const op_case *c, tg_tensor **x, tg_tensor **t) {
    const double e = 1e-6;
    tg_tensor *xp[3], *xm[3];
    for (int i = 0; i < c->n; i++) {
        xp[i] = tg_add(x[i], tg_mul_scalar(t[i], e));
        xm[i] = tg_sub(x[i], tg_mul_scalar(t[i], e));
    }
    return tg_div_scalar(tg_sub(c->f(xp), c->f(xm)), 2 * e);
}

static tg_tensor *case_fn(tg_tensor *const *in, int n, void *user) {
    (void)n;
    const op_case *c = user;
    tg_tensor *x[3] = {in[0], n > 1 ? in[1] : NULL, n > 2 ? in[2] : NULL};
    return c->f(x);
}

static void test_op_tangents(void) {
    for (size_t k = 0; k < sizeof OPS / sizeof OPS[0]; k++) {
        const op_case *c = &OPS[k];
        tt_current = c->name;
        const tt_record *r = fx(c->name);
        if (!r) continue;
        tg_scope_begin(ctx);
        tg_tensor *x[3], *t[3], *d[3];
        for (int i = 0; i < c->n; i++) {
            char kx[16], kt[16];
            snprintf(kx, sizeof kx, "x%d", i);
            snprintf(kt, sizeof kt, "t%d", i);
            x[i] = from_rec(r, kx, c->shapes[i], c->ndims[i]);
            t[i] = from_rec(r, kt, c->shapes[i], c->ndims[i]);
        }
        CHECK_INT(tg_fwad_enter(ctx), TG_OK);
        for (int i = 0; i < c->n; i++) d[i] = tg_make_dual(x[i], t[i]);
        tg_tensor *out = c->f(d), *primal = NULL, *tangent = NULL;
        CHECK_INT(tg_unpack_dual(out, &primal, &tangent), TG_OK);
        CHECK_OK(ctx);
        EXPECT_VALS(primal, r, "out", 1e-12);
        EXPECT_VALS(tangent, r, "tangent", 1e-10);
        CHECK_INT(tg_fwad_exit(ctx), TG_OK);
        /* and numerically, outside any level */
        EXPECT_VALS(central_difference(c, x, t), r, "tangent", 1e-6);
        /* the whole Jacobian, column by column, against central differences (not for
         * embedding with padding_idx, whose reverse gradient is deliberately not the adjoint) */
        if (strcmp(c->name, "embedding_pad") == 0) {
            tg_scope_end(ctx);
            continue;
        }
        for (int i = 0; i < c->n; i++) tg_requires_grad_(x[i], true);
        tg_gradcheck_opts go = {.check_forward_ad = true};
        if (tg_gradcheck(case_fn, x, c->n, (void *)(uintptr_t)c, &go) == TG_OK) tt_pass++;
        else {
            tt_failf(__FILE__, __LINE__, "%s: %s", c->name, tg_errmsg(ctx));
            tg_clear_error(ctx);
        }
        tg_scope_end(ctx);
    }
    tt_current = "t_all";
}

/* NoJvp of the fixture script: 2x, with a backward but no jvp */
static tg_status twice_forward(tg_function_ctx *f, tg_tensor *const *in, int n, tg_tensor **out,
                               void *user) {
    (void)f;
    (void)n;
    (void)user;
    out[0] = tg_mul_scalar(in[0], 2);
    return out[0] ? TG_OK : tg_errcode(tg_tensor_ctx(in[0]));
}
static tg_status twice_backward(tg_function_ctx *f, tg_tensor *const *g, int n_out,
                                tg_tensor **gi, int n_in, void *user) {
    (void)f;
    (void)n_out;
    (void)n_in;
    (void)user;
    gi[0] = tg_mul_scalar(g[0], 2);
    return gi[0] ? TG_OK : tg_errcode(tg_tensor_ctx(g[0]));
}

static void test_semantics(void) {
    const tt_record *r = fx("print");
    tg_fwad_enter(ctx);
    tg_tensor *d = tg_make_dual(tg_tensor_parse(ctx, "[1., 2.]", TG_FLOAT32),
                                tg_tensor_parse(ctx, "[1., 0.]", TG_FLOAT32));
    CHECK_REPR(tg_mul(tg_sin(d), d), tt_get(r, "repr"));
    tg_no_grad(ctx); /* no_grad does not stop forward AD */
    tg_tensor *ng = tg_mul_scalar(d, 3), *tan = NULL;
    tg_grad_mode_pop(ctx);
    tg_unpack_dual(ng, NULL, &tan);
    EXPECT_VALS(tan, r, "no_grad_tangent", 0);
    tg_unpack_dual(tg_detach(d), NULL, &tan);
    CHECK_STR(tan ? "1" : "0", tt_get(r, "detach_has_tangent"));
    tg_unpack_dual(tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32), NULL, &tan);
    CHECK(tan == NULL && strcmp(tt_get(r, "plain_tangent"), "None") == 0);
    CHECK(!tg_tensor_requires_grad(ng)); /* forward AD alone records nothing for reverse mode */

    r = fx("with_reverse");
    tg_tensor *w = tg_tensor_parse(ctx, "[0.5, -1.0]", TG_FLOAT32);
    tg_requires_grad_(w, true);
    tg_tensor *y = tg_sum(tg_mul(d, w)), *yp;
    tg_unpack_dual(y, &yp, &tan);
    EXPECT_VALS(yp, r, "y", 0);
    EXPECT_VALS(tan, r, "tangent", 0);
    CHECK_STR(tg_node_name(tg_tensor_grad_fn(y)), tt_get(r, "fn"));
    CHECK_INT(tg_backward(y, NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(w), r, "w_grad", 0);

    r = fx("inplace");
    tg_tensor *q = tg_mul_scalar(d, 1);
    CHECK_INT(tg_mul_(q, tg_tensor_parse(ctx, "[2., 3.]", TG_FLOAT32)), TG_OK);
    tg_unpack_dual(q, NULL, &tan);
    EXPECT_VALS(q, r, "q", 0);
    EXPECT_VALS(tan, r, "tangent", 0);

    /* an in-place op on a view of a dual tensor would have to update the base's tangent: an
     * error, not a silently stale tangent */
    tg_tensor *base = tg_mul_scalar(d, 1);
    CHECK_INT(tg_mul_scalar_(tg_narrow(base, 0, 0, 1), 2), TG_ERR_AUTOGRAD);
    CHECK_ERR(ctx, TG_ERR_AUTOGRAD,
              "forward AD: in-place operations on views of dual tensors are not supported yet");

    /* a custom function without a jvp cannot give its output a tangent */
    tg_function no_jvp = {.name = "NoJvp", .forward = twice_forward, .backward = twice_backward};
    tg_tensor *out = NULL;
    CHECK_INT(tg_function_apply(&no_jvp, &d, 1, NULL, &out), TG_ERR_AUTOGRAD);
    CHECK(out == NULL);
    char want[512];
    snprintf(want, sizeof want, "tg_function_apply: %s", tt_get(fx("err_custom_jvp"), "error"));
    CHECK_ERR(ctx, TG_ERR_AUTOGRAD, want);

    tg_tensor *ones2 = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    CHECK(tg_make_dual(ones2, tg_ones(ctx, TG_SHAPE(3), TG_FLOAT32)) == NULL);
    snprintf(want, sizeof want, "tg_make_dual: %s", tt_get(fx("err_size"), "error"));
    CHECK_ERR(ctx, TG_ERR_SHAPE, want);
    CHECK(tg_make_dual(tg_ones(ctx, TG_SHAPE(2), TG_INT64), tg_ones(ctx, TG_SHAPE(2), TG_INT64)) ==
          NULL);
    snprintf(want, sizeof want, "tg_make_dual: %s", tt_get(fx("err_int"), "error"));
    CHECK_ERR(ctx, TG_ERR_DTYPE, want);
    CHECK_INT(tg_fwad_enter(ctx), TG_ERR_AUTOGRAD);
    snprintf(want, sizeof want, "tg_fwad_enter: %s", tt_get(fx("err_nested"), "error"));
    CHECK_ERR(ctx, TG_ERR_AUTOGRAD, want);
    CHECK_INT(tg_fwad_exit(ctx), TG_OK);
    /* after the level, tangents are gone */
    tg_unpack_dual(d, NULL, &tan);
    CHECK(tan == NULL);
    CHECK(tg_make_dual(ones2, ones2) == NULL);
    snprintf(want, sizeof want, "tg_make_dual: %s", tt_get(fx("err_no_level"), "error"));
    CHECK_ERR(ctx, TG_ERR_AUTOGRAD, want);
    CHECK_INT(tg_fwad_exit(ctx), TG_ERR_AUTOGRAD);
    tg_clear_error(ctx);
}

/* wrong_tangent of the fixture script: x * x, but x * detach(x) when x carries a tangent, so
 * backward is right and forward mode misses a term: gradcheck catches it only with
 * check_forward_ad, with PyTorch's whole message */
static tg_tensor *wrong_tangent(tg_tensor *const *in, int n, void *user) {
    (void)n;
    (void)user;
    tg_tensor *tan = NULL;
    tg_unpack_dual(in[0], NULL, &tan);
    return tg_mul(in[0], tan ? tg_detach(in[0]) : in[0]);
}

static void test_gradcheck_forward(void) {
    const tt_record *r = fx("err_gradcheck_forward");
    tg_tensor *x = tg_tensor_parse(ctx, "[0.5, -1.25, 2.0]", TG_FLOAT64);
    tg_requires_grad_(x, true);
    CHECK_STR(tt_get(r, "backward_only"), "True");
    CHECK_INT(tg_gradcheck(wrong_tangent, &x, 1, NULL, NULL), TG_OK);
    tg_gradcheck_opts fw = {.check_forward_ad = true};
    CHECK_INT(tg_gradcheck(wrong_tangent, &x, 1, NULL, &fw), TG_ERR_AUTOGRAD);
    CHECK_RECORD_ERROR(ctx, TG_ERR_AUTOGRAD, "tg_gradcheck", r);
}

static void t_all(void) {
    FX = tt_fixture_load("forward_ad.txt");
    ctx = tg_ctx_new();
    test_op_tangents();
    tg_scope_begin(ctx);
    test_semantics();
    test_gradcheck_forward();
    tg_scope_end(ctx);
    CHECK_INT(tg_ctx_memstats(ctx).tensors, 0);
    CHECK_INT(tg_ctx_memstats(ctx).nodes, 0);
    tg_ctx_free(ctx);
    tt_fixture_free(FX);
}

TT_MAIN(T(t_all))
