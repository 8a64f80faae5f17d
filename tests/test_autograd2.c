/*
 * test_autograd2.c — higher-order gradients (create_graph), tg_autograd_grad, and hooks
 * (tensor, retain_grad, post-accumulate, node pre/post), replayed against the PyTorch scenarios
 * of tools/fixtures_autograd2.py.
 */
#include "test.h"

static tt_fixture *FX;
static tg_ctx *ctx;

#define fx(name) TT_FIND(FX, "name", name)

#define EXPECT_VALS(t, rec, key, tol) CHECK_RECORD_VALUES(t, rec, key, tol, tol)
#define EXPECT_STR(got, rec, key) CHECK_RECORD_STR(got, rec, key)

#define EXPECT_ERR(code, prefix, rec) CHECK_RECORD_ERROR(ctx, code, prefix, rec)
#define fn_name(t) tt_grad_fn_name(t)
static tg_tensor *lit(const char *s, tg_dtype dt, bool rg) { return tt_literal(ctx, s, dt, rg); }

static tg_tensor *grad1(tg_tensor *y, tg_tensor *x, bool create) {
    tg_grad_opts o = {.create_graph = create};
    tg_tensor *g = NULL;
    CHECK_INT(tg_autograd_grad(&y, 1, &x, 1, NULL, &o, &g), TG_OK);
    return g;
}

static void test_higher_order(void) {
    const tt_record *r = fx("pow3_orders");
    tg_tensor *x = lit("3.", TG_FLOAT32, true);
    tg_tensor *g1 = grad1(tg_pow_scalar(x, 3), x, true);
    tg_tensor *g2 = grad1(g1, x, true);
    tg_tensor *g3 = grad1(g2, x, false);
    EXPECT_VALS(g1, r, "g1", 1e-6);
    EXPECT_STR(fn_name(g1), r, "g1_fn");
    EXPECT_VALS(g2, r, "g2", 1e-6);
    EXPECT_STR(fn_name(g2), r, "g2_fn");
    EXPECT_VALS(g3, r, "g3", 1e-6);
    EXPECT_STR(fn_name(g3), r, "g3_fn");
    CHECK(tg_tensor_grad(x) == NULL); /* autograd.grad never touches .grad */

    /* exp, div, sqrt, pow, abs, log, sub, mul, sum to third order in float64 */
    r = fx("composite_orders");
    x = lit("[0.5, 1.5, -0.7]", TG_FLOAT64, true);
    tg_tensor *f = tg_sum(tg_add(tg_div(tg_exp(tg_mul(x, x)),
                                        tg_sqrt(tg_add_scalar(tg_pow_scalar(x, 2), 1))),
                                 tg_mul(tg_log(tg_abs(tg_sub_scalar(x, 2))), x)));
    g1 = grad1(f, x, true);
    g2 = grad1(tg_sum(g1), x, true);
    g3 = grad1(tg_sum(g2), x, false);
    EXPECT_VALS(g1, r, "g1", 1e-12);
    EXPECT_VALS(g2, r, "g2", 1e-12);
    EXPECT_VALS(g3, r, "g3", 1e-11);

    r = fx("mm_double");
    tg_tensor *a = lit("[[1., 2.], [3., 4.]]", TG_FLOAT64, true);
    tg_tensor *b = lit("[[0.5, -1.], [2., 0.25]]", TG_FLOAT64, true);
    tg_tensor *y = tg_mean(tg_pow_scalar(tg_mm(tg_mm(a, b), a), 2));
    tg_tensor *ins[2] = {a, b}, *gs[2];
    tg_grad_opts o = {.create_graph = true};
    CHECK_INT(tg_autograd_grad(&y, 1, ins, 2, NULL, &o, gs), TG_OK);
    EXPECT_VALS(gs[0], r, "ga", 1e-10);
    EXPECT_VALS(gs[1], r, "gb", 1e-10);
    EXPECT_VALS(grad1(tg_sum(tg_mul(gs[0], gs[1])), a, false), r, "gga", 1e-8);

    r = fx("norm_double");
    x = lit("[1., -2., 3.]", TG_FLOAT64, true);
    g1 = grad1(tg_norm(x, 2), x, true);
    EXPECT_VALS(g1, r, "g1", 1e-12);
    /* g1[0] + 2 g1[2] as a dot product with [1, 0, 2] */
    tg_tensor *h = grad1(tg_sum(tg_mul(g1, lit("[1., 0., 2.]", TG_FLOAT64, false))), x, false);
    EXPECT_VALS(h, r, "h", 1e-12);
}

static void test_backward_create_graph(void) {
    const tt_record *r = fx("backward_create_graph");
    tg_tensor *x = lit("3.", TG_FLOAT32, true);
    tt_n_warnings = 0;
    tg_backward_opts o = {.create_graph = true};
    CHECK_INT(tg_backward_ex(tg_pow_scalar(x, 3), NULL, &o), TG_OK);
    CHECK_INT(tt_n_warnings, 1);
    EXPECT_STR(tt_last_warning, r, "warning");
    tg_tensor *g = tg_tensor_grad(x);
    EXPECT_VALS(g, r, "grad", 1e-6);
    EXPECT_STR(fn_name(g), r, "fn");
    EXPECT_VALS(grad1(g, x, false), r, "g2", 1e-6);
    tg_zero_grad(x); /* breaks the x -> .grad -> graph -> x cycle, as PyTorch advises */
}

static void test_autograd_grad(void) {
    tg_tensor *x = lit("[1., 2.]", TG_FLOAT32, true);
    tg_tensor *w = lit("[3., 4.]", TG_FLOAT32, true);
    tg_tensor *y = tg_sum(tg_mul(x, w));
    tg_grad_opts keep = {.retain_graph = true};
    tg_tensor *gx;
    CHECK_INT(tg_autograd_grad(&y, 1, &x, 1, NULL, &keep, &gx), TG_OK);
    const tt_record *r = fx("grad_no_accumulate");
    EXPECT_VALS(gx, r, "gx", 0);
    EXPECT_VALS(tg_tensor_grad(x), r, "x_grad", 0);
    EXPECT_VALS(tg_tensor_grad(w), r, "w_grad", 0);

    tg_tensor *u = lit("[5., 6.]", TG_FLOAT32, true);
    tg_tensor *xu[2] = {x, u}, *g2[2] = {u, u};
    CHECK_INT(tg_autograd_grad(&y, 1, xu, 2, NULL, &keep, g2), TG_ERR_AUTOGRAD);
    CHECK(g2[0] == NULL && g2[1] == NULL);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_autograd_grad", fx("grad_unused"));
    tg_grad_opts unused = {.retain_graph = true, .allow_unused = true};
    CHECK_INT(tg_autograd_grad(&y, 1, xu, 2, NULL, &unused, g2), TG_OK);
    EXPECT_VALS(g2[0], fx("grad_allow_unused"), "gx", 0);
    EXPECT_VALS(g2[1], fx("grad_allow_unused"), "gu", 0);
    tg_grad_opts mat = {.retain_graph = true, .materialize_grads = true};
    CHECK_INT(tg_autograd_grad(&y, 1, xu, 2, NULL, &mat, g2), TG_OK);
    CHECK(g2[1] && tg_tensor_get(g2[1], 0) == 0 && tg_tensor_get(g2[1], 1) == 0);

    tg_tensor *plain = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    CHECK_INT(tg_autograd_grad(&y, 1, &plain, 1, NULL, NULL, &gx), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_autograd_grad", fx("grad_no_requires"));

    r = fx("grad_nonleaf");
    tg_tensor *h = tg_mul_scalar(x, 3);
    tg_tensor *z = tg_sum(tg_mul(h, h));
    tg_tensor *hx[2] = {h, x}, *ghx[2];
    CHECK_INT(tg_autograd_grad(&z, 1, hx, 2, NULL, NULL, ghx), TG_OK);
    EXPECT_VALS(ghx[0], r, "gh", 0);
    EXPECT_VALS(ghx[1], r, "gx", 0);

    tg_tensor *yy = tg_mul_scalar(x, 2), *ones = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32), *gy;
    CHECK_INT(tg_autograd_grad(&yy, 1, &yy, 1, &ones, NULL, &gy), TG_OK);
    EXPECT_VALS(gy, fx("grad_self"), "gy", 0);

    tg_tensor *outs[2] = {tg_sum(tg_mul(x, x)), tg_mul_scalar(x, 3)};
    tg_tensor *gos[2] = {NULL, lit("[1., -1.]", TG_FLOAT32, false)};
    CHECK_INT(tg_autograd_grad(outs, 2, &x, 1, gos, NULL, &gx), TG_OK);
    EXPECT_VALS(gx, fx("grad_multi_outputs"), "gx", 0);

    tg_tensor *v = tg_mul_scalar(x, 2);
    CHECK_INT(tg_autograd_grad(&v, 1, &x, 1, NULL, NULL, &gx), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_autograd_grad", fx("grad_nonscalar"));
}

static tg_tensor *times10(tg_tensor *g, void *u) {
    (void)u;
    return tg_mul_scalar(g, 10);
}
static tg_tensor *times2(tg_tensor *g, void *u) {
    (void)u;
    return tg_mul_scalar(g, 2);
}
static tg_tensor *times100(tg_tensor *g, void *u) {
    (void)u;
    return tg_mul_scalar(g, 100);
}
static tg_tensor *wrong_size(tg_tensor *g, void *u) {
    (void)u;
    return tg_ones(tg_tensor_ctx(g), TG_SHAPE(3), TG_FLOAT32);
}
static tg_tensor *count_calls(tg_tensor *g, void *u) {
    (*(int *)u)++;
    (void)g;
    return NULL; /* keep the gradient */
}
static void sgd(tg_tensor *p, void *u) {
    (void)u;
    tg_sub_(p, tg_mul_scalar(tg_tensor_grad(p), 0.01)); /* runs in no-grad mode */
}
static tg_tensor *seen_pre;
static void pre_hook(tg_node *n, tg_tensor **go, int m, void *u) {
    (void)n;
    (void)u;
    CHECK_INT(m, 1);
    seen_pre = tg_keep(tg_clone(go[0]));
    go[0] = tg_mul_scalar(go[0], 2);
}
static void post_hook(tg_node *n, tg_tensor **gi, int ni, tg_tensor *const *go, int no, void *u) {
    (void)n;
    (void)u;
    (void)go;
    CHECK_INT(ni, 2);
    CHECK_INT(no, 1);
    CHECK(gi[1] == NULL); /* the constant operand needs no gradient */
    gi[0] = tg_add_scalar(gi[0], 1);
}

static void test_hooks(void) {
    tg_tensor *x = lit("[1., 1.]", TG_FLOAT32, true);
    CHECK(tg_register_hook(x, times10, NULL) > 0);
    CHECK_INT(tg_backward(tg_sum(tg_mul_scalar(x, 2)), NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(x), fx("leaf_hook"), "grad", 0);

    const tt_record *r = fx("retain_after_hooks");
    x = lit("1.", TG_FLOAT32, true);
    tg_tensor *z = tg_mul_scalar(x, 2);
    tg_register_hook(z, times2, NULL);
    CHECK_INT(tg_retain_grad(z), TG_OK);
    tg_register_hook(z, times100, NULL);
    CHECK_INT(tg_backward(tg_mul_scalar(z, 3), NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(z), r, "z_grad", 0);
    EXPECT_VALS(tg_tensor_grad(x), r, "x_grad", 0);
    CHECK_INT(tg_tensor_retains_grad(z), 1);

    r = fx("retain_grad_accumulates");
    x = lit("[1., 2.]", TG_FLOAT32, true);
    tg_tensor *h = tg_add_scalar(x, 3);
    tg_retain_grad(h);
    tg_backward(tg_sum(tg_mul(h, h)), NULL);
    tg_backward(tg_sum(tg_mul(h, h)), NULL);
    EXPECT_VALS(tg_tensor_grad(h), r, "h_grad", 0);
    EXPECT_VALS(tg_tensor_grad(x), r, "x_grad", 0);
    CHECK_INT(tg_retain_grad(x), TG_OK);
    CHECK_INT(tg_tensor_retains_grad(x), strcmp(tt_get(fx("retain_grad_leaf"), "retains"), "1") == 0);

    tg_tensor *plain = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    CHECK_INT(tg_retain_grad(plain), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_retain_grad", fx("retain_grad_no_grad"));
    CHECK(tg_register_hook(plain, times2, NULL) == 0);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_register_hook", fx("hook_no_grad"));

    x = lit("[1., 2.]", TG_FLOAT32, true);
    tg_tensor *y = tg_mul_scalar(x, 2);
    tg_register_hook(y, wrong_size, NULL);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_ERR_AUTOGRAD);
    /* PyTorch names the Python function ('<lambda>'); a C hook has no name */
    CHECK_STR(tg_errmsg(ctx), "tg_backward: hook has changed the size of value");
    CHECK(strstr(tt_get(fx("hook_size"), "error"), "has changed the size of value") != NULL);
    tg_clear_error(ctx);

    x = lit("[1., 2.]", TG_FLOAT32, true);
    uint64_t handle = tg_register_hook(x, times10, NULL);
    CHECK_INT(tg_remove_hook(ctx, handle), TG_OK);
    CHECK_INT(tg_backward(tg_sum(tg_mul_scalar(x, 2)), NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(x), fx("hook_removed"), "grad", 0);
    CHECK_INT(tg_remove_hook(ctx, handle), TG_ERR_INVALID_ARG);
    tg_clear_error(ctx);

    /* a hook on a non-leaf stays with the grad_fn it was registered on */
    int calls = 0;
    x = lit("[1., 2.]", TG_FLOAT32, true);
    y = tg_mul_scalar(x, 2);
    tg_register_hook(y, count_calls, &calls);
    tg_add_scalar_(y, 1); /* y now comes from AddBackward0; the hook stays on MulBackward0 */
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_OK);
    CHECK_INT(calls, 1);

    r = fx("post_acc_sgd");
    tg_tensor *p = lit("[1., 2., 3.]", TG_FLOAT32, true);
    CHECK(tg_register_post_accumulate_grad_hook(p, sgd, NULL) > 0);
    CHECK_INT(tg_backward(tg_div_scalar(tg_sum(tg_mul(p, p)), 2), NULL), TG_OK);
    EXPECT_VALS(p, r, "p", 1e-7);
    EXPECT_VALS(tg_tensor_grad(p), r, "grad", 0);
    CHECK(tg_register_post_accumulate_grad_hook(tg_mul_scalar(p, 2), sgd, NULL) == 0);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_register_post_accumulate_grad_hook", fx("post_acc_nonleaf"));

    r = fx("node_hooks");
    x = lit("[1., 2.]", TG_FLOAT32, true);
    y = tg_mul(x, lit("[3., 3.]", TG_FLOAT32, false));
    CHECK(tg_node_register_prehook(tg_tensor_grad_fn(y), pre_hook, NULL) > 0);
    CHECK(tg_node_register_hook(tg_tensor_grad_fn(y), post_hook, NULL) > 0);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_OK);
    EXPECT_VALS(seen_pre, r, "seen", 0);
    EXPECT_VALS(tg_tensor_grad(x), r, "grad", 0);

    /* next_functions: (AccumulateGrad of x, 0), (None, 0) */
    int nr = -1;
    CHECK_INT(tg_node_num_inputs(tg_tensor_grad_fn(y)), 2);
    CHECK_STR(tg_node_name(tg_node_next_function(tg_tensor_grad_fn(y), 0, &nr)), "AccumulateGrad");
    CHECK_INT(nr, 0);
    CHECK(tg_node_next_function(tg_tensor_grad_fn(y), 1, NULL) == NULL);
    CHECK_INT(tg_node_num_outputs(tg_tensor_grad_fn(y)), 1);

    /* reading .grad of a non-leaf warns */
    tt_n_warnings = 0;
    CHECK(tg_tensor_grad(tg_mul_scalar(x, 2)) == NULL);
    CHECK_INT(tt_n_warnings, 1);
    EXPECT_STR(tt_last_warning, fx("nonleaf_grad_warning"), "warning");
}


static void test_inference_mode(void) {
    const tt_record *r = fx("inference");
    tg_tensor *x = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    tg_requires_grad_(x, true);
    CHECK_INT(tg_inference_mode(ctx, true), TG_OK);
    tg_tensor *i = tg_mul_scalar(tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32), 3);
    tg_tensor *y = tg_mul_scalar(x, 2);
    bool inside = tg_is_inference_mode_enabled(ctx);
    tg_inference_mode(ctx, false);
    tg_tensor *normal = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    tg_inference_mode_pop(ctx);
    CHECK_INT(tg_inference_mode_pop(ctx), TG_OK);
    CHECK(tg_is_grad_enabled(ctx));
    EXPECT_STR(tg_tensor_is_inference(i) ? "1" : "0", r, "i_inf");
    EXPECT_STR(tg_tensor_requires_grad(y) ? "1" : "0", r, "y_rg");
    EXPECT_STR(tg_tensor_is_inference(y) ? "1" : "0", r, "y_inf");
    EXPECT_STR(inside ? "1" : "0", r, "inside");
    EXPECT_STR(tg_is_inference_mode_enabled(ctx) ? "1" : "0", r, "outside");
    EXPECT_STR(tg_tensor_is_inference(normal) ? "1" : "0", r, "normal_inf");
    EXPECT_STR(tg_tensor_is_inference(x) ? "1" : "0", r, "x_inf");
    CHECK_INT(tg_tensor_version(i), -1);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_tensor_version", fx("inference_version"));
    CHECK_INT(tg_add_scalar_(i, 1), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_add_scalar_", fx("inference_inplace"));
    CHECK_INT(tg_requires_grad_(i, true), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_requires_grad_", fx("inference_requires_grad"));
    CHECK_INT(tg_backward(tg_sum(tg_add(x, i)), NULL), TG_OK); /* i is not saved: fine */
    EXPECT_VALS(tg_tensor_grad(x), fx("inference_unsaved_input"), "grad", 0);
    CHECK(tg_mul(x, i) == NULL); /* mul must save i for x's gradient */
    EXPECT_ERR(TG_ERR_AUTOGRAD, "MulBackward0", fx("inference_saved"));
    CHECK_INT(tg_inference_mode_pop(ctx), TG_ERR_SCOPE);
    tg_clear_error(ctx);
}

/* f(a, b) = sum(exp(a * b) / (1 + b^2)) + mean(a @ b^T) / norm(a): many ops, twice */
static tg_tensor *gg_fn(tg_tensor *const *in, int n, void *u) {
    (void)n;
    (void)u;
    tg_tensor *a = in[0], *b = in[1];
    tg_tensor *t1 = tg_div(tg_exp(tg_mul(a, b)), tg_add_scalar(tg_pow_scalar(b, 2), 1));
    tg_tensor *t2 = tg_div(tg_mean_dim(tg_mm(a, tg_t(b)), (int64_t[]){1}, 1, false), tg_norm(a, 2));
    return tg_add(tg_sum_dim(t1, (int64_t[]){1}, 1, false), t2);
}

/* a cube whose backward treats x as a constant: first derivatives right, second ones wrong */
static tg_status bad_cube_fwd(tg_function_ctx *f, tg_tensor *const *in, int n, tg_tensor **out,
                              void *u) {
    (void)n;
    (void)u;
    out[0] = tg_pow_scalar(in[0], 3);
    return tg_function_save_for_backward(f, in, 1);
}
static tg_status bad_cube_bwd(tg_function_ctx *f, tg_tensor *const *go, int no, tg_tensor **gi,
                              int ni, void *u) {
    (void)no;
    (void)ni;
    (void)u;
    tg_tensor *x = tg_detach(tg_function_saved_tensor(f, 0));
    gi[0] = tg_mul(go[0], tg_mul_scalar(tg_pow_scalar(x, 2), 3));
    return TG_OK;
}
static const tg_function BAD_CUBE = {"BadCube", 1, bad_cube_fwd, bad_cube_bwd, false};
static tg_tensor *bad_cube(tg_tensor *const *in, int n, void *u) {
    (void)n;
    (void)u;
    tg_tensor *out = NULL;
    tg_function_apply(&BAD_CUBE, in, 1, NULL, &out);
    return out;
}

static void test_gradgradcheck(void) {
    tg_manual_seed(ctx, 3);
    tg_tensor *ab[2] = {tg_randn(ctx, TG_SHAPE(3, 2), TG_FLOAT64), tg_randn(ctx, TG_SHAPE(3, 2), TG_FLOAT64)};
    tg_requires_grad_(ab[0], true);
    tg_requires_grad_(ab[1], true);
    CHECK_INT(tg_gradcheck(gg_fn, ab, 2, NULL, NULL), TG_OK);
    CHECK_INT(tg_gradgradcheck(gg_fn, ab, 2, NULL, NULL, NULL), TG_OK);
    CHECK_OK(ctx);
    tg_tensor *x = lit("[0.5, -1.5, 2.0]", TG_FLOAT64, true);
    CHECK_INT(tg_gradcheck(bad_cube, &x, 1, NULL, NULL), TG_OK); /* first order is right */
    CHECK_INT(tg_gradgradcheck(bad_cube, &x, 1, NULL, NULL, NULL), TG_ERR_AUTOGRAD);
    CHECK(strncmp(tg_errmsg(ctx),
                  "tg_gradgradcheck: (gradient of input 0) Jacobian mismatch for output 0 with "
                  "respect to input 0,\nnumerical:",
                  95) == 0);
    tg_clear_error(ctx);
}

static void test_copy_slices(void) {
    const tt_record *r = fx("copy_slices");
    tg_tensor *x = lit("[[1., 2., 3.], [4., 5., 6.]]", TG_FLOAT32, true);
    tg_tensor *w = lit("[[1., 2.], [3., 4.], [5., 6.]]", TG_FLOAT32, true);
    tg_tensor *y = tg_clone(x);
    tg_tensor *v = tg_t(y);
    CHECK_INT(tg_mul_(v, w), TG_OK);
    EXPECT_STR(fn_name(y), r, "y_fn");
    EXPECT_STR(fn_name(v), r, "v_fn");
    CHECK_INT(tg_backward(tg_sum(tg_mul(y, y)), NULL), TG_OK);
    EXPECT_VALS(y, r, "y", 0);
    EXPECT_VALS(tg_tensor_grad(x), r, "x_grad", 0);
    EXPECT_VALS(tg_tensor_grad(w), r, "w_grad", 0);
    char buf[16];
    snprintf(buf, sizeof buf, "%lld", (long long)tg_tensor_version(y));
    EXPECT_STR(buf, r, "version");

    r = fx("copy_slices_plain_base");
    tg_tensor *b = tg_zeros(ctx, TG_SHAPE(2, 3), TG_FLOAT32);
    tg_tensor *q = lit("[[1., 2.], [3., 4.], [5., 6.]]", TG_FLOAT32, true);
    CHECK_INT(tg_add_(tg_t(b), tg_mul_scalar(q, 2)), TG_OK);
    EXPECT_STR(fn_name(b), r, "b_fn");
    EXPECT_STR(tg_tensor_is_leaf(b) ? "1" : "0", r, "b_leaf");
    EXPECT_STR(tg_tensor_requires_grad(b) ? "1" : "0", r, "b_rg");
    CHECK_INT(tg_backward(tg_sum(tg_mul(b, b)), NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(q), fx("copy_slices_plain_base_grad"), "q_grad", 0);
}

static tg_tensor *segment(tg_tensor *const *in, int n, void *u) {
    (void)n;
    (void)u;
    tg_tensor *h = tg_mul(in[0], in[1]);
    for (int i = 0; i < 3; i++) h = tg_mul(tg_sqrt(tg_add_scalar(tg_mul(h, h), 1)), in[1]);
    return h;
}

/* a long chain of the same segment: memory with and without checkpointing */
static tg_tensor *noisy_segment(tg_tensor *const *in, int n, void *u) {
    (void)n;
    (void)u;
    tg_tensor *noise = tg_randn(tg_tensor_ctx(in[0]), tg_tensor_shape(in[0]),
                                tg_tensor_ndim(in[0]), TG_FLOAT64);
    tg_tensor *h = tg_add(in[0], tg_mul_scalar(noise, 0.01));
    for (int i = 0; i < 8; i++) h = tg_exp(tg_mul_scalar(tg_sqrt(tg_add_scalar(tg_mul(h, h), 1)), 0.5));
    return h;
}

static void test_checkpoint(void) {
    const tt_record *r = fx("checkpoint");
    tg_tensor *xw[2] = {lit("[0.5, -1.0, 2.0]", TG_FLOAT32, true), lit("[1.5, 0.5, -0.25]", TG_FLOAT32, true)};
    tg_tensor *y;
    CHECK_INT(tg_checkpoint(segment, xw, 2, NULL, &y), TG_OK);
    EXPECT_STR(fn_name(y), r, "fn");
    EXPECT_VALS(y, r, "y", 1e-6);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(xw[0]), r, "x_grad", 1e-6);
    EXPECT_VALS(tg_tensor_grad(xw[1]), r, "w_grad", 1e-6);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_ERR_AUTOGRAD); /* inputs were freed */
    tg_clear_error(ctx);

    /* same gradients as without checkpointing, random ops replayed identically, and the
     * intermediate activations are not kept: peak memory drops */
    int64_t peak[2];
    double g[2][64];
    for (int mode = 0; mode < 2; mode++) {
        tg_scope_begin(ctx);
        tg_manual_seed(ctx, 7);
        tg_tensor *x0 = tg_ones(ctx, TG_SHAPE(64), TG_FLOAT64);
        tg_requires_grad_(x0, true);
        tg_ctx_reset_peak(ctx);
        tg_tensor *h = x0;
        for (int s = 0; s < 6; s++) {
            if (mode) tg_checkpoint(noisy_segment, &h, 1, NULL, &h);
            else h = noisy_segment(&h, 1, NULL);
        }
        CHECK_INT(tg_backward(tg_sum(h), NULL), TG_OK);
        peak[mode] = tg_ctx_memstats(ctx).peak_storage_bytes;
        for (int i = 0; i < 64; i++) g[mode][i] = tg_tensor_get(tg_tensor_grad(x0), i);
        tg_scope_end(ctx);
    }
    for (int i = 0; i < 64; i++) CHECK_NEAR(g[1][i], g[0][i], 1e-12);
    CHECK(peak[1] * 3 < peak[0]);
}

static void t_all(void) {
    FX = tt_fixture_load("autograd2.txt");
    ctx = tg_ctx_new();
    tg_set_warning_handler(ctx, tt_on_warning, NULL);
    void (*fs[])(void) = {test_higher_order, test_backward_create_graph, test_autograd_grad,
                          test_hooks, test_inference_mode, test_gradgradcheck,
                          test_copy_slices, test_checkpoint};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
        tg_scope_begin(ctx);
        fs[i]();
        tg_scope_end(ctx);
        CHECK_NOTHING_ALIVE(ctx);
    }
    tg_ctx_free(ctx);
    tt_fixture_free(FX);
}

TT_MAIN(T(t_all))
