/*
 * test_function.c — custom functions (tg_function) against the torch.autograd.Function
 * scenarios of tools/fixtures_function.py: saved tensors, needs_input_grad, mark_dirty,
 * mark_non_differentiable, once_differentiable, double backward, and PyTorch's errors.
 */
#include "test.h"

static tt_fixture *FX;
static tg_ctx *ctx;

#define fx(name) TT_FIND(FX, "name", name)

#define EXPECT_VALS(t, rec, key) CHECK_RECORD_VALUES(t, rec, key, 1e-6, 1e-6)
#define EXPECT_STR(got, rec, key) CHECK_RECORD_STR(got, rec, key)

#define EXPECT_ERR(code, prefix, rec) CHECK_RECORD_ERROR(ctx, code, prefix, rec)
/* the grad_fn's name; Python's type(None).__name__ where there is none */
static const char *fn_name(const tg_tensor *t) {
    return t && tg_tensor_grad_fn(t) ? tt_grad_fn_name(t) : "NoneType";
}
static tg_tensor *lit(const char *s, tg_dtype dt, bool rg) { return tt_literal(ctx, s, dt, rg); }

/* ---- the functions, as in the Python fixture script ---- */

static tg_status exp_fwd(tg_function_ctx *f, tg_tensor *const *in, int n, tg_tensor **out, void *u) {
    (void)n;
    (void)u;
    out[0] = tg_exp(in[0]);
    return tg_function_save_for_backward(f, out, 1);
}
static tg_status exp_bwd(tg_function_ctx *f, tg_tensor *const *go, int no, tg_tensor **gi, int ni,
                         void *u) {
    (void)no;
    (void)ni;
    (void)u;
    tg_tensor *result = tg_function_saved_tensor(f, 0);
    if (!result) return TG_ERR_AUTOGRAD;
    gi[0] = tg_mul(go[0], result);
    return TG_OK;
}
static const tg_function EXP = {"Exp", 1, exp_fwd, exp_bwd, false};

static tg_status cube_fwd(tg_function_ctx *f, tg_tensor *const *in, int n, tg_tensor **out, void *u) {
    (void)n;
    (void)u;
    out[0] = tg_pow_scalar(in[0], 3);
    return tg_function_save_for_backward(f, in, 1);
}
static tg_status cube_bwd(tg_function_ctx *f, tg_tensor *const *go, int no, tg_tensor **gi, int ni,
                          void *u) {
    (void)no;
    (void)ni;
    (void)u;
    tg_tensor *x = tg_function_saved_tensor(f, 0);
    gi[0] = tg_mul(tg_mul_scalar(go[0], 3), tg_pow_scalar(x, 2));
    return TG_OK;
}
static const tg_function CUBE = {"Cube", 1, cube_fwd, cube_bwd, false};

static bool needs_seen[2];
static tg_status needs_fwd(tg_function_ctx *f, tg_tensor *const *in, int n, tg_tensor **out, void *u) {
    (void)n;
    (void)u;
    needs_seen[0] = tg_function_needs_input_grad(f, 0);
    needs_seen[1] = tg_function_needs_input_grad(f, 1);
    out[0] = tg_mul(in[0], in[1]);
    return TG_OK;
}
static tg_status times2_bwd(tg_function_ctx *f, tg_tensor *const *go, int no, tg_tensor **gi, int ni,
                            void *u) {
    (void)f;
    (void)no;
    (void)u;
    gi[0] = tg_mul_scalar(go[0], 2);
    for (int i = 1; i < ni; i++) gi[i] = NULL;
    return TG_OK;
}
static const tg_function NEEDS = {"Needs", 1, needs_fwd, times2_bwd, false};

static tg_tensor *twoout_got;
static tg_status twoout_fwd(tg_function_ctx *f, tg_tensor *const *in, int n, tg_tensor **out, void *u) {
    (void)n;
    (void)u;
    out[0] = tg_mul_scalar(in[0], 2);
    out[1] = tg_clone(in[0]);
    return tg_function_mark_non_differentiable(f, out[1]);
}
static tg_status twoout_bwd(tg_function_ctx *f, tg_tensor *const *go, int no, tg_tensor **gi, int ni,
                            void *u) {
    (void)f;
    (void)ni;
    (void)u;
    CHECK_INT(no, 2);
    twoout_got = tg_keep(tg_clone(go[1])); /* materialized zeros */
    gi[0] = tg_mul_scalar(go[0], 2);
    return TG_OK;
}
static const tg_function TWOOUT = {"TwoOut", 2, twoout_fwd, twoout_bwd, false};

static tg_status mulinplace_fwd(tg_function_ctx *f, tg_tensor *const *in, int n, tg_tensor **out,
                                void *u) {
    (void)n;
    (void)u;
    tg_status st = tg_mul_scalar_(in[0], 2);
    out[0] = in[0];
    return st == TG_OK ? tg_function_mark_dirty(f, in[0]) : st;
}
static const tg_function MULINPLACE = {"MulInplace", 1, mulinplace_fwd, times2_bwd, false};

static tg_status once_fwd(tg_function_ctx *f, tg_tensor *const *in, int n, tg_tensor **out, void *u) {
    (void)n;
    (void)u;
    out[0] = tg_mul(in[0], in[0]);
    return tg_function_save_for_backward(f, in, 1);
}
static tg_status once_bwd(tg_function_ctx *f, tg_tensor *const *go, int no, tg_tensor **gi, int ni,
                          void *u) {
    (void)no;
    (void)ni;
    (void)u;
    gi[0] = tg_mul(tg_mul_scalar(go[0], 2), tg_function_saved_tensor(f, 0));
    return TG_OK;
}
static const tg_function ONCE = {"Once", 1, once_fwd, once_bwd, true};

static tg_status double_fwd(tg_function_ctx *f, tg_tensor *const *in, int n, tg_tensor **out, void *u) {
    (void)f;
    (void)n;
    (void)u;
    out[0] = tg_mul_scalar(in[0], 2);
    return TG_OK;
}
static const tg_function NOBACKWARD = {"NoBackward", 1, double_fwd, NULL, false};
static tg_status badshape_bwd(tg_function_ctx *f, tg_tensor *const *go, int no, tg_tensor **gi,
                              int ni, void *u) {
    (void)f;
    (void)no;
    (void)ni;
    (void)u;
    gi[0] = tg_ones(tg_tensor_ctx(go[0]), TG_SHAPE(3), TG_FLOAT32);
    return TG_OK;
}
static const tg_function BADSHAPE = {"BadShape", 1, double_fwd, badshape_bwd, false};

static tg_tensor *apply1(const tg_function *fn, tg_tensor *x) {
    tg_tensor *out = NULL;
    tg_function_apply(fn, &x, 1, NULL, &out);
    return out;
}

static void test_functions(void) {
    const tt_record *r = fx("exp");
    tg_tensor *x = lit("[0., 1.]", TG_FLOAT32, true);
    tg_tensor *y = apply1(&EXP, x);
    EXPECT_VALS(y, r, "y");
    char *s = tg_tensor_str(y);
    EXPECT_STR(s, r, "repr");
    free(s);
    tg_tensor *sum = tg_sum(y);
    CHECK_INT(tg_backward(sum, NULL), TG_OK);
    EXPECT_VALS(tg_tensor_grad(x), r, "grad");
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_ERR_AUTOGRAD); /* saved result was freed */
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", r);

    r = fx("cube_double");
    x = lit("[1., 2.]", TG_FLOAT64, true);
    tg_tensor *c = tg_sum(apply1(&CUBE, x)), *g, *g2;
    tg_grad_opts cg = {.create_graph = true};
    CHECK_INT(tg_autograd_grad(&c, 1, &x, 1, NULL, &cg, &g), TG_OK);
    EXPECT_VALS(g, r, "g");
    EXPECT_STR(fn_name(g), r, "fn");
    tg_tensor *gs = tg_sum(g);
    CHECK_INT(tg_autograd_grad(&gs, 1, &x, 1, NULL, NULL, &g2), TG_OK);
    EXPECT_VALS(g2, r, "g2");

    r = fx("needs_input_grad");
    tg_tensor *ab[2] = {lit("[1., 2.]", TG_FLOAT32, true), lit("[3., 4.]", TG_FLOAT32, false)};
    tg_tensor *out;
    CHECK_INT(tg_function_apply(&NEEDS, ab, 2, NULL, &out), TG_OK);
    CHECK_INT(tg_backward(tg_sum(out), NULL), TG_OK);
    EXPECT_STR(needs_seen[0] ? "1" : "0", r, "a0");
    EXPECT_STR(needs_seen[1] ? "1" : "0", r, "b1");
    EXPECT_VALS(tg_tensor_grad(ab[0]), r, "grad");

    r = fx("non_differentiable");
    x = lit("[1., -2.]", TG_FLOAT32, true);
    tg_tensor *outs[2];
    CHECK_INT(tg_function_apply(&TWOOUT, &x, 1, NULL, outs), TG_OK);
    EXPECT_STR(tg_tensor_requires_grad(outs[1]) ? "1" : "0", r, "idx_rg");
    EXPECT_STR(fn_name(outs[0]), r, "o_fn");
    CHECK_INT(tg_backward(tg_sum(outs[0]), NULL), TG_OK);
    EXPECT_VALS(twoout_got, r, "got");
    EXPECT_VALS(tg_tensor_grad(x), r, "grad");

    r = fx("mark_dirty");
    x = lit("[1., 3.]", TG_FLOAT32, true);
    tg_tensor *a = tg_mul_scalar(x, 1);
    tg_tensor *o = apply1(&MULINPLACE, a);
    CHECK_INT(tg_backward(tg_sum(o), NULL), TG_OK);
    EXPECT_VALS(o, r, "out");
    EXPECT_STR(fn_name(o), r, "fn");
    EXPECT_STR(fn_name(a), r, "a_fn");
    EXPECT_VALS(tg_tensor_grad(x), r, "grad");
    EXPECT_STR(o == a ? "1" : "0", r, "same");
    tg_tensor *leaf = lit("[1., 1.]", TG_FLOAT32, true);
    CHECK(apply1(&MULINPLACE, leaf) == NULL);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_function_apply", fx("mark_dirty_leaf"));

    r = fx("once_differentiable");
    x = lit("[1., 2.]", TG_FLOAT32, true);
    tg_tensor *os = tg_sum(apply1(&ONCE, x));
    CHECK_INT(tg_autograd_grad(&os, 1, &x, 1, NULL, &cg, &g), TG_OK);
    EXPECT_VALS(g, r, "g");
    EXPECT_STR(fn_name(g), r, "fn");
    r = fx("once_differentiable_error");
    os = tg_sum(tg_pow_scalar(apply1(&ONCE, x), 2));
    CHECK_INT(tg_autograd_grad(&os, 1, &x, 1, NULL, &cg, &g), TG_OK);
    EXPECT_VALS(g, r, "g");
    EXPECT_STR(fn_name(g), r, "fn");
    CHECK_INT(tg_backward(tg_sum(g), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", r);

    x = lit("[1., 1.]", TG_FLOAT32, true);
    CHECK_INT(tg_backward(tg_sum(apply1(&NOBACKWARD, x)), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", fx("no_backward"));
    CHECK_INT(tg_backward(tg_sum(apply1(&BADSHAPE, x)), NULL), TG_ERR_AUTOGRAD);
    EXPECT_ERR(TG_ERR_AUTOGRAD, "tg_backward", fx("bad_shape"));

    /* without grad mode the function is not recorded */
    tg_no_grad(ctx);
    y = apply1(&EXP, x);
    tg_grad_mode_pop(ctx);
    CHECK(y && tg_tensor_grad_fn(y) == NULL && !tg_tensor_requires_grad(y));
    CHECK_INT(tg_function_apply(NULL, &x, 1, NULL, &out), TG_ERR_NULL_ARG);
    tg_clear_error(ctx);
}

static void t_all(void) {
    FX = tt_fixture_load("function.txt");
    ctx = tg_ctx_new();
    tg_scope_begin(ctx);
    test_functions();
    tg_scope_end(ctx);
    CHECK_NOTHING_ALIVE(ctx);
    tg_ctx_free(ctx);
    tt_fixture_free(FX);
}

TT_MAIN(T(t_all))
