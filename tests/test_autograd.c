/*
 * test_autograd.c — autograd semantics against PyTorch: each scenario of
 * tools/fixtures_autograd.py is replayed in C and compared with what torch produced
 * (values, flags, grad_fn names, exact error messages).
 */
#include "test.h"

static tt_fixture *FX;
static tg_ctx *ctx;

#define fx(name) TT_FIND(FX, "name", name)

#define EXPECT_VALS(t, rec, key) CHECK_RECORD_VALUES(t, rec, key, 1e-6, 1e-6)
#define EXPECT_FLAG(b, rec, key) CHECK_RECORD_STR((b) ? "1" : "0", rec, key)
#define EXPECT_STR(s, rec, key) CHECK_RECORD_STR(s, rec, key)
#define fn_name(t) tt_grad_fn_name(t)
/* The ctx holds `code` and "<prefix>: <PyTorch's message>" */
#define EXPECT_ERR(code, prefix, rec) CHECK_RECORD_ERROR(ctx, code, prefix, rec)

static tg_tensor *vec(const double *v, int64_t n, bool rg) {
    float f[64];
    for (int64_t i = 0; i < n; i++) f[i] = (float)v[i];
    tg_tensor *t = tg_tensor_new(ctx, f, &n, 1, TG_FLOAT32);
    if (rg) tg_requires_grad_(t, true);
    return t;
}

static tg_tensor *lit(const char *s, bool rg) { return tt_literal(ctx, s, TG_FLOAT32, rg); }

static void test_tutorial_mean(void) {
    const tt_record *r = fx("tutorial_mean");
    tg_tensor *x = lit("[[1., 3.], [2., 2.]]", true);
    tg_tensor *y = tg_add_scalar(x, 2);
    tg_tensor *z = tg_mul_scalar(tg_pow_scalar(y, 2), 3);
    tg_tensor *zz = tg_mul(y, y);
    tg_tensor *out = tg_mean(zz);
    CHECK_INT(tg_backward(out, NULL), TG_OK);
    EXPECT_VALS(y, r, "y");
    EXPECT_VALS(z, r, "z");
    EXPECT_VALS(zz, r, "zz");
    EXPECT_VALS(out, r, "out");
    EXPECT_VALS(tg_tensor_grad(x), r, "grad");
    EXPECT_STR(fn_name(y), r, "y_fn");
    EXPECT_STR(fn_name(z), r, "z_fn");
    EXPECT_STR(fn_name(out), r, "out_fn");
}

static void test_accumulate(void) {
    const double one_two[] = {1, 2};
    tg_tensor *x = vec(one_two, 2, true);
    tg_backward(tg_sum(tg_mul(x, x)), NULL);
    tg_tensor *g1 = tg_clone(tg_tensor_grad(x));
    tg_backward(tg_sum(tg_mul(x, x)), NULL);
    const tt_record *r = fx("accumulate_calls");
    EXPECT_VALS(g1, r, "g1");
    EXPECT_VALS(tg_tensor_grad(x), r, "g2");
    tg_tensor *s = tg_scalar(ctx, 3, TG_FLOAT32);
    tg_requires_grad_(s, true);
    CHECK_INT(tg_backward(tg_add(tg_mul(s, s), s), NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(s), fx("accumulate_paths"), "grad");
}

static tg_tensor *f_add(tg_tensor *x) { return tg_sum(tg_add_scalar(x, 1)); }
static tg_tensor *f_view(tg_tensor *x) { return tg_sum(tg_view(x, TG_SHAPE(-1))); }
static tg_tensor *f_mul_scalar(tg_tensor *x) { return tg_sum(tg_mul_scalar(x, 2)); }
static tg_tensor *f_mul(tg_tensor *x) { return tg_sum(tg_mul(x, x)); }
static tg_tensor *f_exp(tg_tensor *x) { return tg_sum(tg_exp(x)); }
static tg_tensor *f_div_scalar(tg_tensor *x) { return tg_sum(tg_div_scalar(x, 2)); }
static tg_tensor *f_pow(tg_tensor *x) { return tg_sum(tg_pow_scalar(x, 2)); }

static void test_backward_twice(void) {
    static const struct {
        const char *name;
        tg_tensor *(*f)(tg_tensor *);
    } cases[] = {{"twice_add", f_add},   {"twice_view", f_view},
                 {"twice_mul_scalar", f_mul_scalar}, {"twice_mul", f_mul},
                 {"twice_exp", f_exp},   {"twice_div_scalar", f_div_scalar},
                 {"twice_pow", f_pow}};
    const double one_two[] = {1, 2};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const tt_record *r = fx(cases[i].name);
        tg_tensor *x = vec(one_two, 2, true);
        tg_tensor *s = cases[i].f(x);
        CHECK_INT(tg_backward(s, NULL), TG_OK);
        tg_status st = tg_backward(s, NULL);
        if (strcmp(tt_get(r, "error"), "no error") == 0) CHECK_INT(st, TG_OK);
        else EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", r);
        EXPECT_VALS(tg_tensor_grad(x), r, "grad");
    }
    /* retain_graph keeps saved tensors: the second backward accumulates */
    const double ones[] = {1, 1};
    tg_tensor *x = vec(ones, 2, true);
    tg_tensor *s = tg_sum(tg_mul(x, x));
    tg_backward_opts keep = {.retain_graph = true};
    CHECK_INT(tg_backward_ex(s, NULL, &keep), TG_OK);
    CHECK_INT(tg_backward(s, NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(x), fx("retain_graph_twice"), "grad");
}

static void test_vjp(void) {
    const double xv[] = {3, 4, 6}, vv[] = {1, 1, 2};
    tg_tensor *x = vec(xv, 3, true);
    tg_tensor *y = tg_mul_scalar(tg_mul(x, x), 3);
    CHECK_INT(tg_backward(y, vec(vv, 3, false)), TG_OK);
    EXPECT_VALS(tg_tensor_grad(x), fx("vjp_example1"), "grad");

    const tt_record *r = fx("vjp_example2");
    tg_tensor *g = lit("[[1, 1, 1], [2, 3, 4]]", false);
    tg_add_(g, tg_ones_like(g));
    tg_requires_grad_(g, true);
    tg_tensor *ggg = tg_add(tg_mul(tg_mul(g, g), g), tg_mul_scalar(g, 3));
    CHECK_INT(tg_backward(ggg, lit("[[1, 1, 2], [2, 2, 2]]", false)), TG_OK);
    EXPECT_VALS(g, r, "g");
    EXPECT_VALS(tg_tensor_grad(g), r, "grad");
    EXPECT_STR(fn_name(ggg), r, "fn");
}

static void test_broadcast(void) {
    const tt_record *r = fx("broadcast_grads");
    tg_tensor *a = tg_full(ctx, TG_SHAPE(3, 1), 1.0, TG_FLOAT32);
    tg_tensor *b = tg_full(ctx, TG_SHAPE(1, 4), 1.0, TG_FLOAT32);
    tg_tensor *c = tg_full(ctx, TG_SHAPE(4), 1.0, TG_FLOAT32);
    tg_tensor *s = tg_scalar(ctx, 2, TG_FLOAT32);
    tg_requires_grad_(a, true);
    tg_requires_grad_(b, true);
    tg_requires_grad_(c, true);
    tg_requires_grad_(s, true);
    CHECK_INT(tg_backward(tg_sum(tg_add(tg_mul(a, b), tg_mul(c, s))), NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(a), r, "a");
    EXPECT_VALS(tg_tensor_grad(b), r, "b");
    EXPECT_VALS(tg_tensor_grad(c), r, "c");
    EXPECT_VALS(tg_tensor_grad(s), r, "s");
    CHECK_INT(tg_tensor_ndim(tg_tensor_grad(a)), 2);
    CHECK_INT(tg_tensor_ndim(tg_tensor_grad(s)), 0);

    const double ev[] = {1, 2};
    tg_tensor *e = vec(ev, 2, true);
    tg_tensor *ex = tg_expand(e, TG_SHAPE(3, 2));
    CHECK_INT(tg_backward(tg_sum(ex), NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(e), fx("expand_sum"), "grad");
    EXPECT_STR(fn_name(ex), fx("expand_sum"), "fn");
}

static void test_grad_modes(void) {
    const tt_record *r = fx("no_grad");
    tg_tensor *x = tg_scalar(ctx, 3, TG_FLOAT32);
    tg_requires_grad_(x, true);
    CHECK(tg_is_grad_enabled(ctx));
    tg_no_grad(ctx);
    CHECK(!tg_is_grad_enabled(ctx));
    tg_tensor *z = tg_mul_scalar(x, 2);
    tg_enable_grad(ctx);
    tg_tensor *w = tg_mul_scalar(x, 2);
    tg_grad_mode_pop(ctx);
    tg_grad_mode_pop(ctx);
    CHECK(tg_is_grad_enabled(ctx));
    EXPECT_VALS(z, r, "z");
    EXPECT_FLAG(tg_tensor_requires_grad(z), r, "z_rg");
    EXPECT_FLAG(tg_tensor_is_leaf(z), r, "z_leaf");
    EXPECT_FLAG(tg_tensor_requires_grad(w), r, "w_rg");
    EXPECT_STR(fn_name(w), r, "w_fn");
    CHECK_INT(tg_grad_mode_pop(ctx), TG_ERR_SCOPE);
    CHECK_STR(tg_errmsg(ctx),
              "tg_grad_mode_pop: no grad mode was pushed with tg_no_grad or tg_enable_grad");
    tg_clear_error(ctx);

    r = fx("set_grad_enabled");
    tg_set_grad_enabled(ctx, false);
    tg_tensor *v = tg_mul_scalar(x, 2);
    tg_set_grad_enabled(ctx, true);
    EXPECT_FLAG(tg_tensor_requires_grad(v), r, "v_rg");
    EXPECT_FLAG(tg_is_grad_enabled(ctx), r, "enabled");

    r = fx("no_grad_inplace_leaf");
    tg_tensor *l = tg_ones(ctx, TG_SHAPE(3), TG_FLOAT32);
    tg_requires_grad_(l, true);
    tg_no_grad(ctx);
    CHECK_INT(tg_mul_scalar_(l, 2), TG_OK);
    tg_grad_mode_pop(ctx);
    EXPECT_VALS(l, r, "l");
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)tg_tensor_version(l));
    EXPECT_STR(buf, r, "version");
    EXPECT_FLAG(tg_tensor_requires_grad(l), r, "rg");
    EXPECT_FLAG(tg_tensor_is_leaf(l), r, "leaf");

    r = fx("propagation");
    tg_tensor *p = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32), *q = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    tg_requires_grad_(q, true);
    EXPECT_FLAG(tg_tensor_requires_grad(tg_add(p, q)), r, "pq");
    EXPECT_FLAG(tg_tensor_requires_grad(tg_add(p, p)), r, "pp");
    EXPECT_FLAG(tg_tensor_is_leaf(tg_add(p, q)), r, "pq_leaf");
    EXPECT_FLAG(tg_tensor_is_leaf(tg_mul_scalar(p, 2)), r, "pp_leaf");
}

static void test_detach(void) {
    const double v12[] = {1, 2};
    const tt_record *r = fx("detach_shares");
    tg_tensor *x = vec(v12, 2, true);
    tg_tensor *y = tg_mul_scalar(x, 2);
    tg_tensor *d = tg_detach(y);
    CHECK_INT(tg_mul_scalar_(d, 50), TG_OK);
    EXPECT_VALS(y, r, "y");
    EXPECT_FLAG(tg_tensor_requires_grad(d), r, "d_rg");
    EXPECT_FLAG(tg_tensor_is_leaf(d), r, "d_leaf");
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)tg_tensor_version(y));
    EXPECT_STR(buf, r, "y_version");
    EXPECT_VALS(tg_eq(x, tg_detach(x)), r, "eq");

    x = vec(v12, 2, true);
    y = tg_exp(x);
    tg_zero_(tg_detach(y));
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", fx("detach_version"));

    r = fx("data_bypasses_check");
    x = vec(v12, 2, true);
    y = tg_exp(x);
    CHECK_INT(tg_zero_(tg_tensor_data(y)), TG_OK);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(x), r, "grad");
    snprintf(buf, sizeof buf, "%lld", (long long)tg_tensor_version(y));
    EXPECT_STR(buf, r, "version");

    r = fx("detach_inplace");
    x = vec(v12, 2, true);
    y = tg_mul_scalar(x, 2);
    CHECK_INT(tg_detach_(y), TG_OK);
    EXPECT_FLAG(tg_tensor_is_leaf(y), r, "y_leaf");
    EXPECT_FLAG(tg_tensor_requires_grad(y), r, "y_rg");
    EXPECT_STR(fn_name(y), r, "y_fn");
    CHECK_INT(tg_detach_(tg_view(tg_mul_scalar(x, 1), TG_SHAPE(2))), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_detach_", fx("detach_inplace_view"));

    r = fx("detach_requires_grad");
    tg_tensor *xd = tg_detach(tg_ones(ctx, TG_SHAPE(3), TG_FLOAT32));
    CHECK_INT(tg_requires_grad_(xd, true), TG_OK);
    EXPECT_FLAG(tg_tensor_requires_grad(xd), r, "rg");
    EXPECT_FLAG(tg_tensor_is_leaf(xd), r, "leaf");
}

static void test_requires_grad_rules(void) {
    tg_tensor *i = tg_tensor_parse(ctx, "[1, 2]", TG_INT64);
    CHECK_INT(tg_requires_grad_(i, true), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_requires_grad_", fx("requires_grad_int"));
    CHECK_INT(tg_requires_grad_(i, false), TG_OK); /* false is always allowed on a leaf */

    tg_tensor *x = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *y = tg_mul_scalar(x, 2);
    CHECK_INT(tg_requires_grad_(y, false), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_requires_grad_", fx("requires_grad_nonleaf_false"));
    CHECK_INT(tg_requires_grad_(y, true), TG_OK);
    EXPECT_FLAG(tg_tensor_requires_grad(y), fx("requires_grad_nonleaf_true"), "rg");
    EXPECT_FLAG(tg_tensor_is_leaf(y), fx("requires_grad_nonleaf_true"), "leaf");

    const tt_record *r = fx("leaf_flags");
    tg_tensor *y2 = tg_add_scalar(x, 2);
    EXPECT_FLAG(tg_tensor_is_leaf(x), r, "x_leaf");
    EXPECT_FLAG(tg_tensor_is_leaf(y2), r, "y_leaf");
    EXPECT_FLAG(tg_tensor_requires_grad(y2), r, "y_rg");
    EXPECT_FLAG(tg_tensor_is_leaf(tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32)), r, "ones_leaf");
}

static void test_inplace(void) {
    tg_tensor *leaf = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    tg_requires_grad_(leaf, true);
    CHECK_INT(tg_add_scalar_(leaf, 1), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_add_scalar_", fx("inplace_leaf"));
    tg_tensor *lv = tg_ones(ctx, TG_SHAPE(4), TG_FLOAT32);
    tg_requires_grad_(lv, true);
    CHECK_INT(tg_mul_scalar_(tg_view(lv, TG_SHAPE(2, 2)), 2), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_mul_scalar_", fx("inplace_view_of_leaf"));

    const double ones[] = {1, 1}, v12[] = {1, 2};
    const tt_record *r = fx("inplace_nonleaf");
    tg_tensor *p = vec(ones, 2, true);
    tg_tensor *q = tg_mul_scalar(p, 2);
    CHECK_INT(tg_add_scalar_(q, 1), TG_OK);
    CHECK_INT(tg_backward(tg_sum(q), NULL), TG_OK);
    EXPECT_VALS(q, r, "q");
    EXPECT_STR(fn_name(q), r, "fn");
    EXPECT_VALS(tg_tensor_grad(p), r, "grad");

    r = fx("inplace_mul_tensor");
    p = vec(v12, 2, true);
    q = tg_mul_scalar(p, 3);
    CHECK_INT(tg_mul_(q, p), TG_OK);
    CHECK_INT(tg_backward(tg_sum(q), NULL), TG_OK);
    EXPECT_VALS(q, r, "q");
    EXPECT_STR(fn_name(q), r, "fn");
    EXPECT_VALS(tg_tensor_grad(p), r, "grad");

    r = fx("inplace_div_tensor");
    p = vec(v12, 2, true);
    q = tg_mul_scalar(p, 3);
    CHECK_INT(tg_div_(q, tg_add_scalar(p, 1)), TG_OK);
    CHECK_INT(tg_backward(tg_sum(q), NULL), TG_OK);
    EXPECT_VALS(q, r, "q");
    EXPECT_STR(fn_name(q), r, "fn");
    EXPECT_VALS(tg_tensor_grad(p), r, "grad");

    r = fx("inplace_chain");
    p = vec(v12, 2, true);
    q = tg_mul_scalar(p, 3);
    tg_sub_(q, tg_mul(p, p));
    tg_mul_scalar_(q, 2.5);
    tg_div_scalar_(q, 2);
    tg_sub_scalar_(q, 0.5);
    CHECK_OK(ctx);
    CHECK_INT(tg_backward(tg_sum(q), NULL), TG_OK);
    EXPECT_VALS(q, r, "q");
    EXPECT_STR(fn_name(q), r, "fn");
    EXPECT_VALS(tg_tensor_grad(p), r, "grad");

    r = fx("inplace_into_plain");
    p = vec(ones, 2, true);
    tg_tensor *rr = tg_zeros(ctx, TG_SHAPE(2), TG_FLOAT32);
    CHECK_INT(tg_add_(rr, p), TG_OK);
    CHECK_INT(tg_backward(tg_sum(rr), NULL), TG_OK);
    EXPECT_VALS(rr, r, "r");
    EXPECT_STR(fn_name(rr), r, "fn");
    EXPECT_FLAG(tg_tensor_is_leaf(rr), r, "leaf");
    EXPECT_VALS(tg_tensor_grad(p), r, "grad");

    r = fx("copy_");
    p = vec(v12, 2, true);
    tg_tensor *s = tg_zeros(ctx, TG_SHAPE(2), TG_FLOAT32);
    CHECK_INT(tg_copy_(s, tg_mul_scalar(p, 3)), TG_OK);
    CHECK_INT(tg_backward(tg_sum(tg_mul(s, s)), NULL), TG_OK);
    EXPECT_VALS(s, r, "s");
    EXPECT_STR(fn_name(s), r, "fn");
    EXPECT_VALS(tg_tensor_grad(p), r, "grad");

    r = fx("copy_over_history");
    p = vec(v12, 2, true);
    s = tg_mul_scalar(p, 3);
    const double v56[] = {5, 6};
    CHECK_INT(tg_copy_(s, vec(v56, 2, false)), TG_OK);
    CHECK_INT(tg_backward(tg_sum(tg_mul(s, p)), NULL), TG_OK);
    EXPECT_VALS(s, r, "s");
    EXPECT_STR(fn_name(s), r, "fn");
    EXPECT_VALS(tg_tensor_grad(p), r, "grad");

    r = fx("fill_zero");
    p = vec(v12, 2, true);
    s = tg_mul_scalar(p, 3);
    CHECK_INT(tg_fill_(s, 2), TG_OK);
    tg_tensor *t = tg_mul_scalar(p, 1);
    CHECK_INT(tg_zero_(t), TG_OK);
    CHECK_INT(tg_backward(tg_sum(tg_add(tg_mul(s, p), t)), NULL), TG_OK);
    EXPECT_VALS(s, r, "s");
    EXPECT_STR(fn_name(s), r, "s_fn");
    EXPECT_STR(fn_name(t), r, "t_fn");
    EXPECT_VALS(tg_tensor_grad(p), r, "grad");

    CHECK_INT(tg_add_(tg_ones(ctx, TG_SHAPE(3), TG_FLOAT32), tg_ones(ctx, TG_SHAPE(2, 3), TG_FLOAT32)),
              TG_ERR_SHAPE);
    EXPECT_ERR(TG_ERR_SHAPE, "tg_add_", fx("inplace_broadcast_self"));
    CHECK_INT(tg_add_scalar_(tg_ones(ctx, TG_SHAPE(3), TG_INT64), 1.5), TG_ERR_DTYPE);
    EXPECT_ERR(TG_ERR_DTYPE, "tg_add_scalar_", fx("inplace_cast"));

    r = fx("version_counter");
    tg_tensor *x = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    tg_add_scalar_(x, 1);
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)tg_tensor_version(x));
    EXPECT_STR(buf, r, "v1");
    tg_mul_scalar_(x, 3);
    snprintf(buf, sizeof buf, "%lld", (long long)tg_tensor_version(x));
    EXPECT_STR(buf, r, "v2");
    EXPECT_VALS(x, r, "x");
}

static void test_version_errors(void) {
    tg_tensor *p = tg_ones(ctx, TG_SHAPE(3), TG_FLOAT32);
    tg_requires_grad_(p, true);
    tg_tensor *q = tg_exp(p);
    tg_tensor *r = tg_mul_scalar(q, 2);
    tg_mul_scalar_(q, 2);
    CHECK_INT(tg_backward(tg_sum(r), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", fx("version_error_output"));

    tg_tensor *x = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *h = tg_clone(x);
    tg_tensor *y = tg_mul(h, h);
    tg_mul_scalar_(h, 2);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", fx("version_error_input"));

    tg_tensor *l = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    tg_requires_grad_(l, true);
    tg_tensor *e = tg_mul(l, l);
    tg_no_grad(ctx);
    tg_mul_scalar_(l, 2);
    tg_grad_mode_pop(ctx);
    CHECK_INT(tg_backward(tg_sum(e), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", fx("version_error_leaf"));

    tg_tensor *m = tg_ones(ctx, TG_SHAPE(2, 2), TG_FLOAT64);
    tg_requires_grad_(m, true);
    h = tg_clone(m);
    y = tg_mm(h, h);
    tg_add_scalar_(h, 1);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", fx("version_error_double"));
}

static void test_backward_checks(void) {
    tg_tensor *x = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    tg_requires_grad_(x, true);
    CHECK_INT(tg_backward(tg_mul_scalar(x, 2), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", fx("implicit_nonscalar"));
    CHECK_INT(tg_backward(tg_sum(tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32)), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", fx("no_grad_fn"));
    CHECK_INT(tg_backward(tg_mul_scalar(x, 2), tg_ones(ctx, TG_SHAPE(3), TG_FLOAT32)),
              TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", fx("mismatch_shape"));

    tg_tensor *s = tg_scalar(ctx, 2, TG_FLOAT32);
    tg_requires_grad_(s, true);
    CHECK_INT(tg_backward(s, NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(s), fx("backward_on_leaf"), "grad");
    tg_tensor *o = tg_ones(ctx, TG_SHAPE(1), TG_FLOAT32);
    tg_requires_grad_(o, true);
    CHECK_INT(tg_backward(tg_mul_scalar(o, 2), NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(o), fx("one_element"), "grad");

    const tt_record *r = fx("gradient_dtype_cast");
    x = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    tg_requires_grad_(x, true);
    CHECK_INT(tg_backward(tg_mul_scalar(x, 2), tg_ones(ctx, TG_SHAPE(2), TG_FLOAT64)), TG_OK);
    EXPECT_VALS(tg_tensor_grad(x), r, "grad");
    EXPECT_STR(tg_dtype_name(tg_tensor_dtype(tg_tensor_grad(x))), r, "dtype");

    CHECK_INT(tg_tensor_set_grad(x, tg_ones(ctx, TG_SHAPE(3), TG_FLOAT32)), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_tensor_set_grad", fx("set_grad_size"));
    CHECK_INT(tg_tensor_set_grad(x, tg_ones(ctx, TG_SHAPE(2), TG_FLOAT64)), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_tensor_set_grad", fx("set_grad_type"));
    CHECK_INT(tg_tensor_set_grad(x, tg_full(ctx, TG_SHAPE(2), 5, TG_FLOAT32)), TG_OK);
    CHECK_NEAR(tg_tensor_get(tg_tensor_grad(x), 1), 5, 0);
    tg_zero_grad(x);
    CHECK(tg_tensor_grad(x) == NULL);
    CHECK_INT(tg_tensor_set_grad(x, NULL), TG_OK);
}

static void test_mm(void) {
    const tt_record *r = fx("mm_grads");
    tg_tensor *a = lit("[[1., 2.], [3., 4.]]", true);
    tg_tensor *b = lit("[[0.5, -1.], [2., 0.25]]", true);
    tg_tensor *zz = tg_mm(a, b);
    CHECK_INT(tg_backward(zz, lit("[[1., 2.], [3., 4.]]", false)), TG_OK);
    EXPECT_VALS(zz, r, "zz");
    EXPECT_STR(fn_name(zz), r, "fn");
    EXPECT_VALS(tg_tensor_grad(a), r, "ga");
    EXPECT_VALS(tg_tensor_grad(b), r, "gb");
}

static void test_control_flow(void) {
    const tt_record *r = fx("control_flow");
    tg_manual_seed(ctx, 0);
    tg_tensor *x = tg_randn(ctx, TG_SHAPE(3), TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *y = tg_mul_scalar(x, 2);
    int count = 0;
    for (;;) {
        double nrm;
        tg_item(tg_norm(tg_tensor_data(y), 2), &nrm);
        if (!(nrm < 1000)) break;
        y = tg_mul_scalar(y, 2);
        count++;
    }
    CHECK_INT(tg_backward(y, lit("[0.1, 1.0, 0.0001]", false)), TG_OK);
    EXPECT_VALS(x, r, "x");
    EXPECT_VALS(y, r, "y");
    char buf[16];
    snprintf(buf, sizeof buf, "%d", count);
    EXPECT_STR(buf, r, "count");
    EXPECT_VALS(tg_tensor_grad(x), r, "grad");
}

/* ---- properties that need no fixture: stack depth, memory, scopes, NULL chains ---- */

static void test_million_op_chain(void) {
    tg_ctx *c = tg_ctx_new();
    tg_tensor *x = tg_ones(c, TG_SHAPE(1), TG_FLOAT64);
    tg_requires_grad_(x, true);
    tg_scope_begin(c);
    tg_tensor *y = x;
    for (int i = 0; i < 1000000; i++) y = tg_add_scalar(y, 1.0);
    CHECK_INT(tg_backward(y, NULL), TG_OK);
    CHECK_NEAR(tg_tensor_get(y, 0), 1000001.0, 0);
    CHECK_NEAR(tg_tensor_get(tg_tensor_grad(x), 0), 1.0, 0);
    tg_scope_end(c); /* releases a million-node graph without recursion */
    tg_memstats m = tg_ctx_memstats(c);
    CHECK_INT(m.nodes, 0);
    CHECK_INT(m.tensors, 2); /* x and x.grad */
    tg_ctx_free(c);
}

static void test_memory_flat(void) {
    tg_ctx *c = tg_ctx_new();
    tg_tensor *w = tg_randn(c, TG_SHAPE(4, 3), TG_FLOAT32);
    tg_requires_grad_(w, true);
    tg_tensor *xin = tg_randn(c, TG_SHAPE(5, 4), TG_FLOAT32);
    tg_memstats before = {0, 0, 0, 0, 0};
    for (int step = 0; step < 2000; step++) {
        tg_scope_begin(c);
        tg_tensor *loss = tg_mean(tg_pow_scalar(tg_sub_scalar(tg_mm(xin, w), 1.0), 2));
        tg_backward(loss, NULL);
        tg_no_grad(c);
        tg_sub_(w, tg_mul_scalar(tg_tensor_grad(w), 0.01));
        tg_grad_mode_pop(c);
        tg_zero_grad(w);
        tg_scope_end(c);
        if (step == 0) before = tg_ctx_memstats(c);
    }
    tg_memstats after = tg_ctx_memstats(c);
    CHECK_INT(after.tensors, before.tensors);
    CHECK_INT(after.storages, before.storages);
    CHECK_INT(after.nodes, 0);
    CHECK_INT(after.storage_bytes, before.storage_bytes);
    CHECK_OK(c);
    tg_ctx_free(c);
}

static void test_scopes(void) {
    tg_ctx *c = tg_ctx_new();
    CHECK_INT(tg_scope_end(c), TG_ERR_SCOPE);
    CHECK_STR(tg_errmsg(c), "tg_scope_end: no scope is open");
    tg_clear_error(c);
    tg_memstats m0 = tg_ctx_memstats(c);
    tg_scope_begin(c);
    tg_tensor *kept = NULL;
    tg_scope_begin(c);
    tg_tensor *a = tg_ones(c, TG_SHAPE(2), TG_FLOAT32);
    kept = tg_keep(tg_add_scalar(a, 1));
    tg_scope_end(c);
    CHECK_NEAR(tg_tensor_get(kept, 1), 2.0, 0); /* still alive in the outer scope */
    tg_tensor *mine = tg_retain(tg_ones(c, TG_SHAPE(3), TG_FLOAT32));
    tg_scope_end(c);
    CHECK_INT(tg_ctx_memstats(c).tensors, m0.tensors + 1); /* only the retained one */
    CHECK_NEAR(tg_tensor_get(mine, 2), 1.0, 0);
    tg_release(mine);
    tg_release(NULL);
    CHECK_INT(tg_ctx_memstats(c).tensors, m0.tensors);
    /* a keep made in an outer scope is not moved by an inner scope's end */
    tg_scope_begin(c);
    tg_tensor *outer = tg_keep(tg_full(c, TG_SHAPE(2), 3.0, TG_FLOAT32));
    tg_scope_begin(c);
    tg_tensor *inner = tg_keep(tg_full(c, TG_SHAPE(2), 4.0, TG_FLOAT32));
    tg_scope_end(c); /* inner moves to the outer scope */
    CHECK_NEAR(tg_tensor_get(inner, 0), 4.0, 0);
    tg_scope_end(c); /* inner is freed with the outer scope; outer moves to the root */
    CHECK_NEAR(tg_tensor_get(outer, 1), 3.0, 0);
    CHECK_INT(tg_ctx_memstats(c).tensors, m0.tensors + 1);
    /* a leaked user reference is still reclaimed by tg_ctx_free (valgrind checks this) */
    tg_retain(tg_ones(c, TG_SHAPE(100000), TG_FLOAT32));
    tg_ctx_free(c);
    tg_ctx_free(NULL);
}

static void test_null_chain(void) {
    /* an error deep in a chain survives the NULLs that follow it */
    tg_tensor *a = tg_ones(ctx, TG_SHAPE(2, 3), TG_FLOAT32);
    tg_tensor *b = tg_ones(ctx, TG_SHAPE(4, 5), TG_FLOAT32);
    tg_tensor *r = tg_mean(tg_exp(tg_add_scalar(tg_mm(a, b), 1)));
    CHECK(r == NULL);
    CHECK_ERR(ctx, TG_ERR_SHAPE, "tg_mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
    CHECK(tg_add(a, NULL) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_add: argument 'other' is NULL");
    CHECK_INT(tg_backward(NULL, NULL), TG_ERR_NULL_ARG);
    CHECK(tg_tensor_grad(NULL) == NULL);
    CHECK(tg_tensor_ndim(NULL) == 0);
    double v = 7;
    CHECK_INT(tg_item(a, &v), TG_ERR_INVALID_ARG);
    CHECK_ERR(ctx, TG_ERR_INVALID_ARG, "tg_item: a Tensor with 6 elements cannot be converted to Scalar");
    CHECK_NEAR(v, 7, 0);
}

static void test_node_repr(void) {
    tg_tensor *x = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *y = tg_add_scalar(x, 2);
    char buf[128], want[128];
    size_t n = tg_node_repr(tg_tensor_grad_fn(y), buf, sizeof buf);
    snprintf(want, sizeof want, "<AddBackward0 object at %p>", (void *)tg_tensor_grad_fn(y));
    CHECK_STR(buf, want);
    CHECK_INT(n, strlen(want));
    CHECK(tg_tensor_grad_fn(x) == NULL);
    CHECK_INT(tg_node_repr(NULL, buf, sizeof buf), 4);
    CHECK_STR(buf, "None");
}

static void setup(void) {
    FX = tt_fixture_load("autograd.txt");
    ctx = tg_ctx_new();
}

static void run_all_in_scope(void (*f)(void)) {
    tg_scope_begin(ctx);
    f();
    tg_scope_end(ctx);
}

static void t_all(void) {
    setup();
    void (*fs[])(void) = {test_tutorial_mean, test_accumulate, test_backward_twice, test_vjp,
                          test_broadcast,     test_grad_modes, test_detach,         test_requires_grad_rules,
                          test_inplace,       test_version_errors, test_backward_checks, test_mm,
                          test_control_flow,  test_null_chain, test_node_repr};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) run_all_in_scope(fs[i]);
    CHECK_NOTHING_ALIVE(ctx); /* every scenario's tensors and graphs are gone with its scope */
    tg_ctx_free(ctx);
    tt_fixture_free(FX);
}

TT_MAIN(T(t_all), T(test_million_op_chain), T(test_memory_flat), T(test_scopes))
