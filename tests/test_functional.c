/*
 * test_functional.c — jacobian, hessian, vjp, jvp, hvp and vhp against
 * torch.autograd.functional (tools/fixtures_functional.py), including a small network's Hessian
 * blocks, and their error messages (strict mode: every function and stage).
 */
#include "test.h"

static tt_fixture *FX;
static tg_ctx *ctx;

#define fx(name) TT_FIND(FX, "name", name)

#define EXPECT_VALS(t, rec, key) CHECK_RECORD_VALUES(t, rec, key, 1e-12, 1e-10)

#define EXPECT_SHAPE(t, rec, key) expect_shape(__LINE__, t, rec, key)
static void expect_shape(int line, const tg_tensor *t, const tt_record *r, const char *key) {
    int64_t n;
    double *v = tt_parse_doubles(tt_get(r, key), &n);
    bool ok = t && tg_tensor_ndim(t) == n;
    for (int64_t i = 0; ok && i < n; i++) ok = tg_tensor_shape(t)[i] == (int64_t)v[i];
    if (ok) tt_pass++;
    else tt_failf(__FILE__, line, "%s: shape differs", key);
    free(v);
}

#define EXPECT_ERR(code, prefix, rec) CHECK_RECORD_ERROR(ctx, code, prefix, rec)

static tg_tensor *lit(const char *s) { return tg_tensor_parse(ctx, s, TG_FLOAT64); }

/* the same functions as the fixture script */
static tg_tensor *square(tg_tensor *const *x, int n, void *u) {
    (void)n;
    (void)u;
    return tg_pow_scalar(x[0], 2);
}
static tg_tensor *square_sum(tg_tensor *const *x, int n, void *u) {
    return tg_sum(square(x, n, u));
}
static tg_tensor *two(tg_tensor *const *in, int n, void *u) {
    (void)n;
    (void)u;
    tg_tensor *x = in[0], *y = in[1];
    return tg_add(tg_exp(tg_mul(x, y)), tg_mul(tg_sqrt(tg_add_scalar(x, 2)), y));
}
static tg_tensor *cube_sum(tg_tensor *const *x, int n, void *u) {
    (void)n;
    (void)u;
    return tg_sum(tg_pow_scalar(x[0], 3));
}
static tg_tensor *net(tg_tensor *const *in, int n, void *u) {
    (void)n;
    (void)u;
    tg_tensor *h = tg_mm(in[0], in[1]);
    tg_tensor *a = tg_mean(tg_div(tg_mul(h, h), tg_add_scalar(tg_abs(h), 1)));
    return tg_add(a, tg_mul_scalar(tg_sum(tg_pow_scalar(in[1], 2)), 0.1));
}
static tg_tensor *independent(tg_tensor *const *x, int n, void *u) {
    (void)n;
    (void)u;
    return tg_mul_scalar(tg_detach(x[0]), 2);
}

static void test_functional(void) {
    const tt_record *r = fx("jac_square");
    tg_tensor *x = lit("[1., 2., 3.]"), *j;
    CHECK_INT(tg_jacobian(square, &x, 1, NULL, NULL, &j), TG_OK);
    EXPECT_VALS(j, r, "j");
    EXPECT_SHAPE(j, r, "shape");
    CHECK(!tg_tensor_requires_grad(x)); /* inputs are left alone */

    r = fx("jac_two");
    tg_tensor *xy[2] = {lit("[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]"), lit("[1.0, -1.0, 0.5]")}, *jj[2];
    CHECK_INT(tg_jacobian(two, xy, 2, NULL, NULL, jj), TG_OK);
    EXPECT_VALS(jj[0], r, "jx");
    EXPECT_SHAPE(jj[0], r, "jx_shape");
    EXPECT_VALS(jj[1], r, "jy");
    EXPECT_SHAPE(jj[1], r, "jy_shape");

    /* the same Jacobian column by column with forward-mode AD */
    tg_functional_opts fwd = {.forward_mode = true};
    tg_tensor *jf[2];
    CHECK_INT(tg_jacobian(two, xy, 2, NULL, &fwd, jf), TG_OK);
    EXPECT_VALS(jf[0], r, "jx");
    EXPECT_SHAPE(jf[0], r, "jx_shape");
    EXPECT_VALS(jf[1], r, "jy");
    EXPECT_SHAPE(jf[1], r, "jy_shape");
    CHECK_INT(tg_jacobian(square, &x, 1, NULL, &fwd, &j), TG_OK);
    EXPECT_VALS(j, fx("jac_square"), "j");

    r = fx("vjp_two");
    tg_tensor *out, *vj[2];
    CHECK_INT(tg_vjp(two, xy, 2, NULL, lit("[[1., 2., 3.], [4., 5., 6.]]"), NULL, &out, vj), TG_OK);
    EXPECT_VALS(out, r, "out");
    EXPECT_VALS(vj[0], r, "vx");
    EXPECT_VALS(vj[1], r, "vy");
    CHECK(!tg_tensor_requires_grad(vj[0]));

    r = fx("jvp_two");
    tg_tensor *vin[2] = {lit("[[1., 0., -1.], [0.5, 0.5, 0.5]]"), lit("[2., 1., 0.]")}, *jv;
    CHECK_INT(tg_jvp(two, xy, 2, NULL, vin, NULL, &out, &jv), TG_OK);
    EXPECT_VALS(out, r, "out");
    EXPECT_VALS(jv, r, "jv");

    r = fx("hess_cube");
    x = lit("[1., 2., 3.]");
    tg_tensor *h, *hv, *ones = tg_ones(ctx, TG_SHAPE(3), TG_FLOAT64);
    CHECK_INT(tg_hessian(cube_sum, &x, 1, NULL, NULL, &h), TG_OK);
    EXPECT_VALS(h, r, "h");
    EXPECT_SHAPE(h, r, "shape");
    CHECK_INT(tg_hvp(cube_sum, &x, 1, NULL, &ones, NULL, &out, &hv), TG_OK);
    EXPECT_VALS(out, r, "out");
    EXPECT_VALS(hv, r, "hv");

    r = fx("net");
    tg_tensor *xw[2] = {lit("[[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]]"),
                        lit("[[0.3, -0.2, 0.1], [0.7, 0.4, -0.6]]")};
    tg_tensor *hs[4];
    CHECK_INT(tg_hessian(net, xw, 2, NULL, NULL, hs), TG_OK);
    EXPECT_VALS(hs[0], r, "hxx");
    EXPECT_VALS(hs[1], r, "hxw");
    EXPECT_VALS(hs[2], r, "hwx");
    EXPECT_VALS(hs[3], r, "hww");
    tg_tensor *v[2] = {lit("[[1., 0.], [0., 1.], [1., 1.]]"), lit("[[0.5, -0.5, 1.], [1., 2., -1.]]")};
    tg_tensor *hvs[2], *vhs[2];
    CHECK_INT(tg_hvp(net, xw, 2, NULL, v, NULL, &out, hvs), TG_OK);
    EXPECT_VALS(out, r, "out");
    EXPECT_VALS(hvs[0], r, "hvx");
    EXPECT_VALS(hvs[1], r, "hvw");
    CHECK_INT(tg_vhp(net, xw, 2, NULL, v, NULL, NULL, vhs), TG_OK);
    EXPECT_VALS(vhs[0], r, "vhx");
    EXPECT_VALS(vhs[1], r, "vhw");

    /* create_graph keeps the results differentiable */
    x = lit("[1., 2.]");
    tg_functional_opts cg = {.create_graph = true};
    CHECK_INT(tg_jacobian(square_sum, &x, 1, NULL, &cg, &j), TG_OK);
    CHECK_STR(tg_node_name(tg_tensor_grad_fn(j)), tt_get(fx("jac_create_graph"), "fn"));

    x = lit("[1., 1., 1.]");
    CHECK_INT(tg_hessian(square, &x, 1, NULL, NULL, &h), TG_ERR_SHAPE);
    EXPECT_ERR(TG_ERR_SHAPE, "tg_hessian", fx("err_hessian"));
    CHECK_INT(tg_vjp(square, &x, 1, NULL, NULL, NULL, &out, vj), TG_ERR_INVALID_ARG);
    EXPECT_ERR(TG_ERR_INVALID_ARG, "tg_vjp", fx("err_vjp_none"));
    CHECK_INT(tg_vjp(square, &x, 1, NULL, lit("[1., 1.]"), NULL, &out, vj), TG_ERR_SHAPE);
    EXPECT_ERR(TG_ERR_SHAPE, "tg_vjp", fx("err_vjp_size"));
    tg_functional_opts strict = {.strict = true};
    CHECK_INT(tg_jacobian(independent, &x, 1, NULL, &strict, &j), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_functional", fx("err_strict"));
    CHECK_INT(tg_jacobian(independent, &x, 1, NULL, NULL, &j), TG_OK);
    EXPECT_VALS(j, fx("jac_independent"), "j");
}

/* the strict-mode functions of the fixture script, (x, y) -> ... */
static tg_tensor *strict_fn(tg_tensor *const *in, int n, void *u) {
    (void)n;
    tg_tensor *x = in[0], *y = in[1];
    switch (*(const int *)u) {
    case 0: return tg_sum(tg_pow_scalar(y, 2));
    case 1: return tg_add(tg_sum(x), tg_sum(tg_pow_scalar(y, 2)));
    case 2: return tg_sum(tg_mul(x, y));
    case 3: return tg_sum(tg_mul(tg_mul(x, x), y));
    case 4: return tg_mul(x, y);
    case 5: return tg_mul_scalar(y, 2);
    case 6: return tg_sum(tg_mul(tg_round(x), y));
    case 7: return tg_add(tg_sum(tg_round(x)), tg_sum(tg_pow_scalar(y, 3)));
    case 8: return tg_sum(tg_round(tg_mul(x, y)));
    default: return tg_add(tg_sum(tg_mul(tg_round(x), y)), tg_sum(tg_mul(x, x)));
    }
}

/* every function and stage in strict mode, with and without create_graph: PyTorch's outcome */
static void test_strict(void) {
    static const char *const calls[] = {"jacobian", "vjp", "jvp", "hessian", "vhp", "hvp"};
    for (int c = 0; c < 6; c++)
        for (int k = 0; k < 10; k++)
            for (int cg = 0; cg < 2; cg++) {
                if ((k == 4 || k == 5) && c >= 3) continue; /* these need a one-element output */
                char name[64];
                snprintf(name, sizeof name, "strict_%s_%d%s", calls[c], k, cg ? "_cg" : "");
                const tt_record *r = fx(name);
                tg_scope_begin(ctx);
                tg_tensor *in[2] = {lit("[1., 1.]"), lit("[1., 1.]")}, *v[2] = {in[0], in[1]};
                tg_tensor *res[4], *out;
                tg_functional_opts o = {.strict = true, .create_graph = cg};
                tg_status st;
                if (c == 0) st = tg_jacobian(strict_fn, in, 2, &k, &o, res);
                else if (c == 1) /* v: ones of the output's shape */
                    st = tg_vjp(strict_fn, in, 2, &k, lit(k == 4 || k == 5 ? "[1., 1.]" : "1."),
                                &o, &out, res);
                else if (c == 2) st = tg_jvp(strict_fn, in, 2, &k, v, &o, &out, res);
                else if (c == 3) st = tg_hessian(strict_fn, in, 2, &k, &o, res);
                else if (c == 4) st = tg_vhp(strict_fn, in, 2, &k, v, &o, &out, res);
                else st = tg_hvp(strict_fn, in, 2, &k, v, &o, &out, res);
                const char *want = r ? tt_get(r, "error") : NULL;
                if (want && strcmp(want, "ok") == 0) {
                    CHECK_INT(st, TG_OK);
                    CHECK_OK(ctx);
                } else {
                    if (st == TG_OK) tt_failf(__FILE__, __LINE__, "%s: no error", name);
                    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_functional", r);
                }
                tg_scope_end(ctx);
            }
}

static void t_all(void) {
    FX = tt_fixture_load("functional.txt");
    ctx = tg_ctx_new();
    tg_scope_begin(ctx);
    test_functional();
    test_strict();
    tg_scope_end(ctx);
    CHECK_NOTHING_ALIVE(ctx);
    tg_ctx_free(ctx);
    tt_fixture_free(FX);
}

TT_MAIN(T(t_all))
