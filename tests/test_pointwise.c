/*
 * test_pointwise.c — the pointwise-math family against PyTorch and finite differences. Every
 * record of tests/fixtures/pointwise.txt (tools/fixtures_pointwise.py) is replayed in its own
 * scope: values, dtype, shape, grad_fn, version of in-place results, .grad after backward(v),
 * second derivatives through create_graph, and each error's code and message; then tg_gradcheck
 * (float64) of every differentiable op and of its gradient (second order), NULL arguments,
 * saved-tensor version checks, and coverage: each op has records and gradcheck cases.
 */
#include "test.h"

#include <stdint.h>

/* the hidden op behind GeluBackward0 (src/ops/pointwise_grad.c), checked directly below */
tg_tensor *tgi_gelu_backward(const tg_tensor *g, const tg_tensor *x, bool tanh_form);

/* ------------------------------------------------------------------ the ops */

typedef struct op_args {
    double slope, alpha, beta, threshold, scalar, min, max;
    bool has_min, has_max;
    const char *approximate;
} op_args;

typedef tg_tensor *(*op_fn)(tg_tensor *const *x, const op_args *a);
typedef tg_status (*ip_fn)(tg_tensor *self, const op_args *a);

TT_OP_UNARY(log1p) TT_OP_UNARY(expm1) TT_OP_UNARY(rsqrt) TT_OP_UNARY(sin) TT_OP_UNARY(cos)
TT_OP_UNARY(tan) TT_OP_UNARY(tanh) TT_OP_UNARY(sigmoid) TT_OP_UNARY(sign) TT_OP_UNARY(reciprocal)
TT_OP_UNARY(square) TT_OP_UNARY(floor) TT_OP_UNARY(ceil) TT_OP_UNARY(round) TT_OP_UNARY(relu)
TT_OP_UNARY(silu)
TT_OP_BINARY(maximum) TT_OP_BINARY(minimum) TT_OP_BINARY(atan2)

static tg_tensor *f_leaky_relu(tg_tensor *const *x, const op_args *a) {
    return tg_leaky_relu(x[0], a->slope);
}
static tg_tensor *f_elu(tg_tensor *const *x, const op_args *a) { return tg_elu(x[0], a->alpha); }
static tg_tensor *f_gelu(tg_tensor *const *x, const op_args *a) {
    return tg_gelu(x[0], a->approximate);
}
static tg_tensor *f_softplus(tg_tensor *const *x, const op_args *a) {
    return tg_softplus(x[0], a->beta, a->threshold);
}
static tg_tensor *f_clamp(tg_tensor *const *x, const op_args *a) {
    return tg_clamp(x[0], a->has_min ? &a->min : NULL, a->has_max ? &a->max : NULL);
}
static tg_tensor *f_clamp_min(tg_tensor *const *x, const op_args *a) {
    return tg_clamp_min(x[0], a->scalar);
}
static tg_tensor *f_clamp_max(tg_tensor *const *x, const op_args *a) {
    return tg_clamp_max(x[0], a->scalar);
}

static tg_status i_relu_(tg_tensor *s, const op_args *a) { return (void)a, tg_relu_(s); }
static tg_status i_sigmoid_(tg_tensor *s, const op_args *a) { return (void)a, tg_sigmoid_(s); }
static tg_status i_tanh_(tg_tensor *s, const op_args *a) { return (void)a, tg_tanh_(s); }
static tg_status i_clamp_(tg_tensor *s, const op_args *a) {
    return tg_clamp_(s, a->has_min ? &a->min : NULL, a->has_max ? &a->max : NULL);
}
static tg_status i_clamp_min_(tg_tensor *s, const op_args *a) {
    return tg_clamp_min_(s, a->scalar);
}
static tg_status i_clamp_max_(tg_tensor *s, const op_args *a) {
    return tg_clamp_max_(s, a->scalar);
}

typedef struct op_entry {
    const char *name; /* the record's op; the C function is "tg_" name */
    int nin;
    op_fn fn;          /* out of place */
    ip_fn ip;          /* in place (name ends in '_') */
    bool differentiable;
} op_entry;

#define E(name, nin, diff) {#name, nin, f_##name, NULL, diff}
#define EI(name) {#name, 1, NULL, i_##name, true}
static op_entry ops[] = {
    E(log1p, 1, true), E(expm1, 1, true), E(rsqrt, 1, true), E(sin, 1, true),
    E(cos, 1, true), E(tan, 1, true), E(tanh, 1, true), E(sigmoid, 1, true),
    E(sign, 1, true), E(reciprocal, 1, true), E(square, 1, true), E(floor, 1, true),
    E(ceil, 1, true), E(round, 1, true), E(relu, 1, true), E(silu, 1, true),
    E(leaky_relu, 1, true), E(elu, 1, true), E(gelu, 1, true), E(softplus, 1, true),
    E(clamp, 1, true), E(clamp_min, 1, true), E(clamp_max, 1, true),
    E(maximum, 2, true), E(minimum, 2, true), E(atan2, 2, true),
    EI(relu_), EI(sigmoid_), EI(tanh_), EI(clamp_), EI(clamp_min_), EI(clamp_max_),
};
#undef E
#undef EI
#define N_OPS ((int)(sizeof ops / sizeof ops[0]))

static op_entry *find_op(const char *name) { return TT_LOOKUP(ops, name); }

/* Runs op on x (in-place ops act on a clone of x[0], or on x[0] itself when direct). */
static tg_tensor *run_op(const op_entry *op, tg_tensor *const *x, const op_args *a, bool direct) {
    if (op->fn) return op->fn(x, a);
    tg_tensor *target = direct ? x[0] : tg_clone(x[0]);
    if (!target) return NULL;
    return op->ip(target, a) == TG_OK ? target : NULL;
}

static void parse_args(const tt_record *r, op_args *a) {
    memset(a, 0, sizeof *a);
    const char *s;
    if ((s = tt_get(r, "slope"))) a->slope = strtod(s, NULL);
    if ((s = tt_get(r, "alpha"))) a->alpha = strtod(s, NULL);
    if ((s = tt_get(r, "beta"))) a->beta = strtod(s, NULL);
    if ((s = tt_get(r, "threshold"))) a->threshold = strtod(s, NULL);
    if ((s = tt_get(r, "scalar"))) a->scalar = strtod(s, NULL);
    if ((s = tt_get(r, "min"))) a->min = strtod(s, NULL), a->has_min = true;
    if ((s = tt_get(r, "max"))) a->max = strtod(s, NULL), a->has_max = true;
    a->approximate = tt_get(r, "approximate");
}

/* ------------------------------------------------------------------ one record */

/* The record's second derivative: g = autograd.grad(out, leaves, v, create_graph), then the
 * gradient of sum_i sum(g_i * w_i) with respect to the leaves (zeros where none flows). */
static void run_gg(tg_ctx *ctx, const tt_record *r, const op_entry *op, tt_input *in, int nin,
                   tg_tensor *out) {
    tg_tensor *v = tt_tensor_from(ctx, tt_get(r, "v"), tg_tensor_dtype(out),
                                  tg_tensor_shape(out), tg_tensor_ndim(out));
    tg_tensor *leaves[2] = {in[0].leaf, nin > 1 ? in[1].leaf : NULL};
    tg_tensor *grads[2] = {NULL, NULL}, *gg[2] = {NULL, NULL};
    tg_grad_opts o1 = {.create_graph = true};
    if (!v || tg_autograd_grad(&out, 1, leaves, nin, &v, &o1, grads) != TG_OK) {
        tt_failf(__FILE__, __LINE__, "%s: first autograd_grad failed: %s", op->name,
                 tg_errmsg(ctx));
        tg_clear_error(ctx);
        return;
    }
    tg_tensor *total = NULL;
    for (int i = 0; i < nin; i++) {
        char k[32];
        tg_tensor *w = tt_tensor_from(ctx, tt_get(r, tt_key(k, sizeof k, "in", i, "w")),
                                      in[i].dtype, in[i].shape, in[i].ndim);
        tg_tensor *term = tg_sum(tg_mul(grads[i], w));
        total = total ? tg_add(total, term) : term;
    }
    if (!total) {
        tt_failf(__FILE__, __LINE__, "%s: building sum(g * w) failed: %s", op->name,
                 tg_errmsg(ctx));
        tg_clear_error(ctx);
        return;
    }
    if (tg_tensor_requires_grad(total)) {
        tg_grad_opts o2 = {.materialize_grads = true};
        if (tg_autograd_grad(&total, 1, leaves, nin, NULL, &o2, gg) != TG_OK) {
            tt_failf(__FILE__, __LINE__, "%s: second autograd_grad failed: %s", op->name,
                     tg_errmsg(ctx));
            tg_clear_error(ctx);
            return;
        }
    }
    for (int i = 0; i < nin; i++) {
        char k[32], what[48];
        if (!gg[i]) gg[i] = tg_zeros_like(in[i].leaf); /* the gradient has no graph: zeros */
        snprintf(what, sizeof what, "input %d second derivative", i);
        CHECK_TENSOR(what, gg[i], in[i].dtype, in[i].shape, in[i].ndim,
                     tt_get(r, tt_key(k, sizeof k, "in", i, "gg")), tt_tol(in[i].dtype));
    }
}

static void run_record(tg_ctx *ctx, const tt_record *r) {
    op_entry *op = TT_RECORD_OP(ops, r);
    if (!op) return;
    const char *opname = op->name;
    op_args args;
    parse_args(r, &args);
    tt_input in[2];
    tg_tensor *x[2];
    int nin = TT_RECORD_INPUTS(ctx, r, in, x);
    if (nin < 0) return;
    if (nin != op->nin) {
        tt_failf(__FILE__, __LINE__, "%d inputs for %s", nin, opname);
        return;
    }
    bool direct = tt_get(r, "direct") != NULL;
    tg_tensor *out = run_op(op, x, &args, direct);

    if (!CHECK_OP_OUTCOME(ctx, r, out == NULL)) return;
    if (tt_get(r, "gg")) {
        run_gg(ctx, r, op, in, nin, out);
        return;
    }

    /* forward */
    tg_dtype odt;
    int64_t oshape[TG_MAX_DIMS];
    int ond;
    if (!TT_RECORD_DTYPE_SHAPE(r, "out", &odt, oshape, &ond)) return;
    CHECK_TENSOR("output", out, odt, oshape, ond, tt_get(r, "out_values"), tt_tol(odt));
    CHECK_RECORD_AUTOGRAD(out, r);
    const char *version = tt_get(r, "version");
    if (version) CHECK_INT(tg_tensor_version(out), atoi(version));

    /* backward */
    if (!tt_get(r, "v") || !TT_RECORD_BACKWARD(ctx, r, out)) return;
    /* a float64 input of a float32 result (a 0-d one) gets a gradient computed in float32 */
    for (int i = 0; i < nin; i++)
        CHECK_INPUT_GRAD(r, i, &in[i], fmax(tt_tol(in[i].dtype), tt_tol(odt)));
}

static void test_fixtures(void) { tt_replay_fixture("pointwise.txt", 800, "case", run_record); }

/* ------------------------------------------------------------------ gradcheck */

typedef struct gc_case {
    const char *op;
    op_args args;
    double lo, hi;             /* inputs uniform in [lo, hi) */
    int64_t shape[2][4];       /* per input; ndim in nd[] */
    int nd[2];
    bool tr[2];                /* transpose dims 0 and 1 of that input */
} gc_case;

#define A0 {.slope = 0}
#define SLOPE(s) {.slope = s}
#define ALPHA(s) {.alpha = s}
#define APPROX(s) {.approximate = s}
#define SOFTP(b, t) {.beta = b, .threshold = t}
#define CLAMP2(a, b) {.min = a, .max = b, .has_min = true, .has_max = true}
#define CLAMPLO(a) {.min = a, .has_min = true}
#define CLAMPHI(b) {.max = b, .has_max = true}
#define SCAL(s) {.scalar = s}
/* the unary shape set: 0-d, 1-D, 2-D transposed, 3-D */
#define U4(op, args, lo, hi)                                                                   \
    {op, args, lo, hi, {{0}}, {0, 0}, {false, false}},                                         \
    {op, args, lo, hi, {{5}}, {1, 0}, {false, false}},                                         \
    {op, args, lo, hi, {{3, 2}}, {2, 0}, {true, false}},                                       \
    {op, args, lo, hi, {{2, 3, 2}}, {3, 0}, {false, false}}
/* binary: same shape, broadcasting, transposed against a row, 0-d against 3-D */
#define B4(op, lo, hi)                                                                         \
    {op, A0, lo, hi, {{2, 3}, {2, 3}}, {2, 2}, {false, false}},                                \
    {op, A0, lo, hi, {{3, 1}, {4}}, {2, 1}, {false, false}},                                   \
    {op, A0, lo, hi, {{4, 3}, {1, 4}}, {2, 2}, {true, false}},                                 \
    {op, A0, lo, hi, {{0}, {2, 3, 2}}, {0, 3}, {false, false}}

static const gc_case gc_cases[] = {
    U4("log1p", A0, -0.8, 3.0), U4("expm1", A0, -2.0, 2.0), U4("rsqrt", A0, 0.3, 3.0),
    U4("sin", A0, -3.0, 3.0), U4("cos", A0, -3.0, 3.0), U4("tan", A0, -1.2, 1.2),
    U4("tanh", A0, -2.0, 2.0), U4("sigmoid", A0, -4.0, 4.0), U4("sign", A0, -2.0, 2.0),
    U4("reciprocal", A0, 0.5, 2.0), U4("square", A0, -2.0, 2.0), U4("floor", A0, -2.0, 2.0),
    U4("ceil", A0, -2.0, 2.0), U4("round", A0, -2.0, 2.0), U4("relu", A0, -2.0, 2.0),
    U4("silu", A0, -3.0, 3.0),
    U4("leaky_relu", SLOPE(0.01), -2.0, 2.0), U4("leaky_relu", SLOPE(-0.3), -2.0, 2.0),
    U4("elu", ALPHA(1.0), -2.0, 2.0), U4("elu", ALPHA(0.7), -2.0, 2.0),
    U4("gelu", APPROX("none"), -3.0, 3.0), U4("gelu", APPROX("tanh"), -3.0, 3.0),
    U4("softplus", SOFTP(1.0, 20.0), -3.0, 3.0), U4("softplus", SOFTP(2.0, 1.0), -2.0, 2.0),
    U4("clamp", CLAMP2(-0.5, 0.8), -2.0, 2.0), U4("clamp", CLAMPLO(0.1), -2.0, 2.0),
    U4("clamp", CLAMPHI(-0.2), -2.0, 2.0), U4("clamp_min", SCAL(0.3), -2.0, 2.0),
    U4("clamp_max", SCAL(0.3), -2.0, 2.0),
    B4("maximum", -2.0, 2.0), B4("minimum", -2.0, 2.0), B4("atan2", -2.0, 2.0),
    U4("relu_", A0, -2.0, 2.0), U4("sigmoid_", A0, -3.0, 3.0), U4("tanh_", A0, -2.0, 2.0),
    U4("clamp_", CLAMP2(-0.5, 0.8), -2.0, 2.0), U4("clamp_", CLAMPLO(0.1), -2.0, 2.0),
    U4("clamp_min_", SCAL(-0.4), -2.0, 2.0), U4("clamp_max_", SCAL(-0.4), -2.0, 2.0),
};
#define N_GC ((int)(sizeof gc_cases / sizeof gc_cases[0]))

typedef struct gc_user {
    const op_entry *op;
    const op_args *args;
} gc_user;

static tg_tensor *gc_first(tg_tensor *const *in, int n, void *user) {
    (void)n;
    const gc_user *u = user;
    return run_op(u->op, in, u->args, false);
}

/* v (or w): a fixed non-trivial tensor shaped like t: 1.5 + sin(0, 1, 2, ...) */
static tg_tensor *fixed_like(const tg_tensor *t) {
    tg_ctx *ctx = tg_tensor_ctx(t);
    tg_tensor *r = tg_arange(ctx, 0, (double)tg_tensor_numel(t), 1, tg_tensor_dtype(t));
    r = tg_add_scalar(tg_sin(r), 1.5);
    return tg_reshape(r, tg_tensor_shape(t), tg_tensor_ndim(t));
}

/* sum_i sum(g_i * w_i) with g = autograd.grad(op(in), in, v, create_graph): its gradient is
 * the Hessian-vector product, so gradcheck of it checks the backward's own backward. */
static tg_tensor *gc_second(tg_tensor *const *in, int n, void *user) {
    const gc_user *u = user;
    tg_ctx *ctx = tg_tensor_ctx(in[0]);
    tg_enable_grad(ctx); /* gradcheck evaluates under no_grad */
    tg_tensor *total = NULL, *grads[2] = {NULL, NULL};
    tg_tensor *out = run_op(u->op, in, u->args, false);
    tg_tensor *v = out ? fixed_like(out) : NULL;
    tg_grad_opts o = {.create_graph = true};
    if (v && tg_autograd_grad(&out, 1, in, n, &v, &o, grads) == TG_OK) {
        for (int i = 0; i < n; i++) {
            tg_tensor *term = tg_sum(tg_mul(grads[i], fixed_like(in[i])));
            total = total ? tg_add(total, term) : term;
        }
    }
    tg_grad_mode_pop(ctx);
    return total;
}

/* float64 inputs of case c (requiring grad), seeded by its index */
static bool gc_inputs(tg_ctx *ctx, const gc_case *c, int k, int nin, tg_tensor **in) {
    tg_manual_seed(ctx, 1000 + (uint64_t)k);
    for (int i = 0; i < nin; i++) {
        tg_tensor *u = tg_rand(ctx, c->shape[i], c->nd[i], TG_FLOAT64);
        tg_tensor *x = tg_add_scalar(tg_mul_scalar(u, c->hi - c->lo), c->lo);
        /* a transposed input is a non-contiguous leaf: a detached transposed view */
        if (x && c->tr[i]) x = tg_detach(tg_transpose(x, 0, 1));
        if (!x || tg_requires_grad_(x, true) != TG_OK) return false;
        in[i] = x;
    }
    return true;
}

static void test_gradcheck(void) {
    tg_ctx *ctx = tg_ctx_new();
    for (int k = 0; k < N_GC; k++) {
        const gc_case *c = &gc_cases[k];
        op_entry *op = find_op(c->op);
        if (!op) {
            tt_failf(__FILE__, __LINE__, "gradcheck case %d: unknown op %s", k, c->op);
            continue;
        }
        tg_scope_begin(ctx);
        tg_tensor *in[2] = {NULL, NULL};
        gc_user u = {op, &c->args};
        if (!gc_inputs(ctx, c, k, op->nin, in)) {
            tt_failf(__FILE__, __LINE__, "case %d (%s): inputs: %s", k, c->op, tg_errmsg(ctx));
            tg_clear_error(ctx);
        } else {
            if (tg_gradcheck(gc_first, in, op->nin, &u, NULL) == TG_OK) tt_pass++;
            else tt_failf(__FILE__, __LINE__, "gradcheck %s (case %d): %s", c->op, k,
                          tg_errmsg(ctx));
            tg_clear_error(ctx);
            if (tg_gradcheck(gc_second, in, op->nin, &u, NULL) == TG_OK) tt_pass++;
            else tt_failf(__FILE__, __LINE__, "second-order gradcheck %s (case %d): %s", c->op, k,
                          tg_errmsg(ctx));
            tg_clear_error(ctx);
        }
        tg_scope_end(ctx);
    }
    CHECK_NOTHING_ALIVE(ctx);
    tg_ctx_free(ctx);
}

/* gradcheck catches a wrong formula: the hidden gelu_backward against its own derivatives
 * (GeluBackwardBackward0), and a deliberately wrong function is refused. */
static tg_tensor *gelu_bw_exact(tg_tensor *const *in, int n, void *user) {
    (void)n, (void)user;
    return tgi_gelu_backward(in[0], in[1], false);
}
static tg_tensor *gelu_bw_tanh(tg_tensor *const *in, int n, void *user) {
    (void)n, (void)user;
    return tgi_gelu_backward(in[0], in[1], true);
}
static tg_tensor *wrong_grad(tg_tensor *const *in, int n, void *user) {
    (void)n, (void)user; /* relu(x) + detach(x) * x: the detached factor's term is missing */
    return tg_add(tg_relu(in[0]), tg_mul(tg_detach(in[0]), in[0]));
}

static void test_gelu_backward_op(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_scope_begin(ctx);
    tg_manual_seed(ctx, 7);
    tg_tensor *g = tg_randn(ctx, TG_SHAPE(2, 3), TG_FLOAT64);
    tg_tensor *x = tg_mul_scalar(tg_randn(ctx, TG_SHAPE(2, 3), TG_FLOAT64), 2.0);
    CHECK_INT(tg_requires_grad_(g, true), TG_OK);
    CHECK_INT(tg_requires_grad_(x, true), TG_OK);
    tg_tensor *in[2] = {g, x};
    CHECK_INT(tg_gradcheck(gelu_bw_exact, in, 2, NULL, NULL), TG_OK);
    CHECK_INT(tg_gradcheck(gelu_bw_tanh, in, 2, NULL, NULL), TG_OK);
    tg_tensor *r = tgi_gelu_backward(g, x, false);
    CHECK_STR(tg_node_name(tg_tensor_grad_fn(r)), "GeluBackwardBackward0");
    CHECK_INT(tg_gradcheck(wrong_grad, &x, 1, NULL, NULL), TG_ERR_AUTOGRAD);
    CHECK(strstr(tg_errmsg(ctx), "Jacobian mismatch") != NULL);
    tg_clear_error(ctx);
    tg_scope_end(ctx);
    tg_ctx_free(ctx);
}

/* ------------------------------------------------------------------ other behaviour */

/* NULL inputs give NULL (and TG_ERR_NULL_ARG naming the function), keeping an earlier error */
static void test_null_args(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *t = tg_ones(ctx, TG_SHAPE(2), TG_FLOAT32);
    op_args a = {.slope = 0.1, .alpha = 1, .beta = 1, .threshold = 20, .min = 0, .max = 1,
                 .has_min = true, .has_max = true};
    char msg[96];
    for (int i = 0; i < N_OPS; i++) {
        tt_current = ops[i].name;
        tg_tensor *x[2] = {NULL, t};
        if (ops[i].ip) {
            CHECK_INT(ops[i].ip(NULL, &a), TG_ERR_NULL_ARG);
        } else {
            CHECK(ops[i].fn(x, &a) == NULL);
        }
        if (ops[i].nin == 1) { /* no ctx to report on */
            CHECK_INT(tg_errcode(ctx), TG_OK);
            continue;
        }
        snprintf(msg, sizeof msg, "tg_%s: argument 'self' is NULL", ops[i].name);
        CHECK_ERR(ctx, TG_ERR_NULL_ARG, msg);
        tg_tensor *y[2] = {t, NULL};
        CHECK(ops[i].fn(y, &a) == NULL);
        snprintf(msg, sizeof msg, "tg_%s: argument 'other' is NULL", ops[i].name);
        CHECK_ERR(ctx, TG_ERR_NULL_ARG, msg);
    }
    tt_current = "test_null_args";
    /* an error from an earlier call survives a chain of NULLs */
    tg_tensor *bad = tg_maximum(t, tg_ones(ctx, TG_SHAPE(3), TG_FLOAT32));
    CHECK(bad == NULL);
    CHECK(tg_relu(tg_sigmoid(bad)) == NULL);
    CHECK(tg_atan2(t, tg_clamp_min(bad, 0.0)) == NULL);
    CHECK_ERR(ctx, TG_ERR_SHAPE,
              "tg_maximum: The size of tensor a (2) must match the size of tensor b (3) at "
              "non-singleton dimension 0");
    tg_ctx_free(ctx);
}

/* Saved tensors: modifying a saved input or output in place fails the backward with PyTorch's
 * message; clamp_ keeps a copy of the original self, so later changes to it are fine. */
static void test_saved_versions(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *x = tg_tensor_parse(ctx, "[-1.0, 0.5, 2.0]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *y = tg_sigmoid(tg_mul_scalar(x, 1.0));
    CHECK_INT(tg_mul_scalar_(y, 2.0), TG_OK);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_ERR_AUTOGRAD);
    CHECK(strstr(tg_errmsg(ctx), "has been modified by an inplace operation: "
                                 "[torch.FloatTensor [3]], which is output 0 of "
                                 "SigmoidBackward0, is at version 1; expected version 0") != NULL);
    tg_clear_error(ctx);

    tg_tensor *h = tg_mul_scalar(x, 1.0);
    tg_tensor *s = tg_sin(h); /* saves h */
    CHECK_INT(tg_add_scalar_(h, 1.0), TG_OK);
    CHECK_INT(tg_backward(tg_sum(s), NULL), TG_ERR_AUTOGRAD);
    tg_clear_error(ctx);

    double lo = 0.0, hi = 1.0;
    tg_tensor *c = tg_mul_scalar(x, 1.0);
    CHECK_INT(tg_clamp_(c, &lo, &hi), TG_OK);
    CHECK_INT(tg_tensor_version(c), 1);
    CHECK_INT(tg_mul_scalar_(c, 3.0), TG_OK);
    CHECK_INT(tg_backward(tg_sum(c), NULL), TG_OK);
    double want[] = {0.0, 3.0, 0.0};
    CHECK_VALUES(tg_tensor_grad(x), want, 3, 0, 0);
    tg_zero_grad(x);

    /* relu_ saves its result: changing it afterwards is caught */
    tg_tensor *r = tg_mul_scalar(x, 1.0);
    CHECK_INT(tg_relu_(r), TG_OK);
    tg_tensor *r2 = tg_mul_scalar(r, 2.0); /* the scalar mul saves nothing */
    CHECK_INT(tg_add_scalar_(r, 1.0), TG_OK);
    CHECK_INT(tg_backward(tg_sum(r2), NULL), TG_ERR_AUTOGRAD);
    CHECK(strstr(tg_errmsg(ctx), "which is output 0 of ReluBackward0, is at version 2; "
                                 "expected version 1") != NULL);
    tg_clear_error(ctx);

    /* under no_grad nothing is recorded and a leaf may be modified in place */
    tg_no_grad(ctx);
    CHECK_INT(tg_clamp_min_(x, 0.0), TG_OK);
    CHECK(tg_tensor_grad_fn(x) == NULL);
    tg_tensor *z = tg_tanh(x);
    CHECK(!tg_tensor_requires_grad(z));
    tg_grad_mode_pop(ctx);
    double want_x[] = {0.0, 0.5, 2.0};
    CHECK_VALUES(x, want_x, 3, 0, 0);
    tg_ctx_free(ctx);
}

/* In-place on an aliasing view: a transposed view of self as the target writes through the
 * view, and the relu kinks hold at exactly 0 in both dtypes. */
static void test_inplace_views(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *m = tg_tensor_parse(ctx, "[[-1, 2, 0], [3, -4, 5]]", TG_FLOAT64);
    tg_tensor *mt = tg_transpose(m, 0, 1);
    CHECK_INT(tg_relu_(mt), TG_OK);
    double want[] = {0, 2, 0, 3, 0, 5};
    CHECK_VALUES(m, want, 6, 0, 0);
    CHECK_INT(tg_tensor_version(m), 1);
    double lo = 1.0, hi = 4.0;
    CHECK_INT(tg_clamp_(mt, &lo, &hi), TG_OK);
    double want2[] = {1, 2, 1, 3, 1, 4};
    CHECK_VALUES(m, want2, 6, 0, 0);
    CHECK_INT(tg_tensor_version(mt), 2);
    tg_ctx_free(ctx);
}

/* Every op has forward/backward records (and second-derivative records and gradcheck cases
 * when it is differentiable); every record names an op of the table. */
static void test_coverage(void) {
    tt_fixture *fx = tt_fixture_load("pointwise.txt");
    if (!fx) return;
    int records[N_OPS] = {0}, gg[N_OPS] = {0}, errors[N_OPS] = {0}, checks[N_OPS] = {0};
    for (int i = 0; i < fx->n; i++) {
        const tt_record *r = &fx->recs[i];
        op_entry *op = find_op(tt_get(r, "op"));
        if (!op) {
            tt_failf(__FILE__, __LINE__, "record %s: op not in the table", tt_get(r, "case"));
            continue;
        }
        int k = (int)(op - ops);
        if (tt_get(r, "error")) errors[k]++;
        else if (tt_get(r, "gg")) gg[k]++;
        else records[k]++;
    }
    tt_fixture_free(fx);
    for (int c = 0; c < N_GC; c++) {
        op_entry *op = find_op(gc_cases[c].op);
        if (op) checks[op - ops]++;
        else tt_failf(__FILE__, __LINE__, "gradcheck case %d: unknown op %s", c, gc_cases[c].op);
    }
    int total_errors = 0;
    for (int i = 0; i < N_OPS; i++) {
        tt_current = ops[i].name;
        CHECK(records[i] >= 3);
        if (ops[i].differentiable) {
            CHECK(gg[i] > 0);
            CHECK(checks[i] >= 4);
        }
        total_errors += errors[i];
    }
    tt_current = "test_coverage";
    CHECK(total_errors >= 40);
}

TT_MAIN(T(test_fixtures), T(test_gradcheck), T(test_gelu_backward_op), T(test_null_args),
        T(test_saved_versions), T(test_inplace_views), T(test_coverage))
