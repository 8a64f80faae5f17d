/*
 * test_conv.c — convolution, pooling and attention against PyTorch. Every record of
 * tests/fixtures/conv.txt (tools/fixtures_conv.py) is replayed in its own scope: inputs are built
 * (transposed, requiring grad, NULL) as the record says, the op runs through the table below,
 * and dtype, shape, values (and max_pool2d's indices), grad_fn, every input's .grad after
 * tg_backward(out, v), and error codes and messages are compared; nothing may be left alive
 * afterwards. Then the im2col kernels against the direct-loop references, tg_gradcheck and
 * tg_gradgradcheck in float64 over every op and its variants, the named scenarios, and a
 * coverage check that each op has fixture, error and gradcheck cases.
 */
#include "test.h"

#include "../src/ops/conv.h"

#include <stdint.h>

/* ------------------------------------------------------------------ the op table */

#define MAX_IN 4

typedef struct op_args {
    int64_t stride[2], padding[2], dilation[2], kernel[2], size[2], groups, divisor;
    bool has_stride, has_padding, has_dilation, has_divisor, has_scale;
    bool ceil_mode, count_include_pad, is_causal;
    double scale, dropout_p;
    char mode[16];
    unsigned transpose; /* gradcheck: bit i transposes input i (dims 0, 1) inside the call */
} op_args;

/* Runs the op; ops with a second result (max_pool2d's indices) write it to *extra. */
typedef tg_tensor *(*op_fn)(tg_tensor *const *x, const op_args *a, tg_tensor **extra);

#define ARR(a, f) ((a)->has_##f ? (a)->f : NULL)

static tg_tensor *f_conv1d(tg_tensor *const *x, const op_args *a, tg_tensor **extra) {
    (void)extra;
    return tg_conv1d(x[0], x[1], x[2], ARR(a, stride), ARR(a, padding), ARR(a, dilation),
                     a->groups);
}
static tg_tensor *f_conv2d(tg_tensor *const *x, const op_args *a, tg_tensor **extra) {
    (void)extra;
    return tg_conv2d(x[0], x[1], x[2], ARR(a, stride), ARR(a, padding), ARR(a, dilation),
                     a->groups);
}
static tg_tensor *f_conv1d_padding(tg_tensor *const *x, const op_args *a, tg_tensor **extra) {
    (void)extra;
    return tg_conv1d_padding(x[0], x[1], x[2], ARR(a, stride), a->mode, ARR(a, dilation),
                             a->groups);
}
static tg_tensor *f_conv2d_padding(tg_tensor *const *x, const op_args *a, tg_tensor **extra) {
    (void)extra;
    return tg_conv2d_padding(x[0], x[1], x[2], ARR(a, stride), a->mode, ARR(a, dilation),
                             a->groups);
}
static tg_tensor *f_max_pool2d(tg_tensor *const *x, const op_args *a, tg_tensor **extra) {
    (void)extra;
    return tg_max_pool2d(x[0], a->kernel, ARR(a, stride), ARR(a, padding), ARR(a, dilation),
                         a->ceil_mode);
}
static tg_tensor *f_max_pool2d_with_indices(tg_tensor *const *x, const op_args *a,
                                            tg_tensor **extra) {
    tg_tensor *out = NULL;
    tg_max_pool2d_with_indices(x[0], a->kernel, ARR(a, stride), ARR(a, padding),
                               ARR(a, dilation), a->ceil_mode, &out, extra);
    return out;
}
static tg_tensor *f_avg_pool2d(tg_tensor *const *x, const op_args *a, tg_tensor **extra) {
    (void)extra;
    return tg_avg_pool2d(x[0], a->kernel, ARR(a, stride), ARR(a, padding), a->ceil_mode,
                         a->count_include_pad, a->has_divisor ? &a->divisor : NULL);
}
static tg_tensor *f_adaptive_avg_pool2d(tg_tensor *const *x, const op_args *a,
                                        tg_tensor **extra) {
    (void)extra;
    return tg_adaptive_avg_pool2d(x[0], a->size);
}
static tg_tensor *f_scaled_dot_product_attention(tg_tensor *const *x, const op_args *a,
                                                 tg_tensor **extra) {
    (void)extra;
    return tg_scaled_dot_product_attention(x[0], x[1], x[2], x[3], a->dropout_p, a->is_causal,
                                           a->has_scale ? &a->scale : NULL);
}

typedef struct op_entry {
    const char *name; /* the record's op; the C function is "tg_" name */
    int nin;
    op_fn fn;
    int records, errors, gradchecks; /* coverage counters */
} op_entry;

#define E(name, nin) {#name, nin, f_##name, 0, 0, 0}
static op_entry ops[] = {
    E(conv1d, 3),           E(conv2d, 3),
    E(conv1d_padding, 3),   E(conv2d_padding, 3),
    E(max_pool2d, 1),       E(max_pool2d_with_indices, 1),
    E(avg_pool2d, 1),       E(adaptive_avg_pool2d, 1),
    E(scaled_dot_product_attention, 4),
};
#undef E
#define N_OPS ((int)(sizeof ops / sizeof ops[0]))

static op_entry *find_op(const char *name) { return TT_LOOKUP(ops, name); }

/* ------------------------------------------------------------------ one record */

static op_args default_args(void) {
    op_args a;
    memset(&a, 0, sizeof a);
    a.groups = 1;
    a.count_include_pad = true;
    return a;
}

/* a list of 1 or 2 ints (conv1d has one) into v; false when malformed */
static bool parse_list(const tt_record *r, const char *name, int64_t *v, bool *has) {
    const char *s = tt_get(r, name);
    if (!s) return true;
    int n = tt_parse_ints(s, v, 2);
    if (n < 1) return false;
    if (has) *has = true;
    return true;
}

static bool parse_args(const tt_record *r, op_args *a) {
    *a = default_args();
    const char *s;
    if (!parse_list(r, "stride", a->stride, &a->has_stride) ||
        !parse_list(r, "padding", a->padding, &a->has_padding) ||
        !parse_list(r, "dilation", a->dilation, &a->has_dilation) ||
        !parse_list(r, "kernel", a->kernel, NULL) || !parse_list(r, "size", a->size, NULL))
        return false;
    if ((s = tt_get(r, "groups"))) a->groups = strtoll(s, NULL, 10);
    if ((s = tt_get(r, "mode"))) snprintf(a->mode, sizeof a->mode, "%s", s);
    if ((s = tt_get(r, "ceil_mode"))) a->ceil_mode = strcmp(s, "1") == 0;
    if ((s = tt_get(r, "count_include_pad"))) a->count_include_pad = strcmp(s, "1") == 0;
    if ((s = tt_get(r, "is_causal"))) a->is_causal = strcmp(s, "1") == 0;
    if ((s = tt_get(r, "divisor"))) a->divisor = strtoll(s, NULL, 10), a->has_divisor = true;
    if ((s = tt_get(r, "scale"))) a->scale = strtod(s, NULL), a->has_scale = true;
    if ((s = tt_get(r, "dropout_p"))) a->dropout_p = strtod(s, NULL);
    return true;
}

static void run_record(tg_ctx *ctx, const tt_record *r) {
    op_entry *op = TT_RECORD_OP(ops, r);
    if (!op) return;
    const char *opname = op->name;
    op_args args;
    const char *ninputs = tt_get(r, "inputs");
    int nin = ninputs ? atoi(ninputs) : -1;
    if (!parse_args(r, &args) || nin != op->nin) {
        tt_failf(__FILE__, __LINE__, "malformed record (args or %d inputs for %s)", nin, opname);
        return;
    }
    tt_input in[MAX_IN];
    tg_tensor *x[MAX_IN];
    if (TT_RECORD_INPUTS(ctx, r, in, x) < 0) return;
    /* a float64 result computed from float32 values is only compared at float32's tolerance */
    bool loose = false;
    for (int i = 0; i < nin; i++)
        if (x[i] && tg_tensor_dtype(x[i]) == TG_FLOAT32) loose = true;
    tg_tensor *extra = NULL;
    tg_tensor *out = op->fn(x, &args, &extra);

    if (tt_get(r, "error")) op->errors++;
    else op->records++;
    if (!CHECK_OP_OUTCOME(ctx, r, out == NULL)) {
        if (tt_get(r, "error")) CHECK(extra == NULL);
        return;
    }
    tg_dtype odt;
    int64_t oshape[TG_MAX_DIMS];
    int ond;
    if (!TT_RECORD_DTYPE_SHAPE(r, "out", &odt, oshape, &ond)) return;
    CHECK_TENSOR("output", out, odt, oshape, ond, tt_get(r, "out_values"),
                 loose ? 1e-5 : tt_tol(odt));
    const char *want_idx = tt_get(r, "out_indices");
    if (want_idx) CHECK_TENSOR("indices", extra, TG_INT64, oshape, ond, want_idx, 0);
    else CHECK(extra == NULL);
    CHECK_RECORD_AUTOGRAD(out, r);

    if (!tt_get(r, "v") || !TT_RECORD_BACKWARD(ctx, r, out)) return;
    for (int i = 0; i < nin; i++)
        CHECK_INPUT_GRAD(r, i, &in[i], loose ? 1e-5 : tt_tol(in[i].dtype));
}

static tt_fixture *FX;

static void test_fixtures(void) {
    if (!FX) return;
    CHECK(FX->n >= 300);
    tg_ctx *ctx = tg_ctx_new();
    tt_replay_records(ctx, FX, "case", "conv.txt", run_record);
    CHECK_NOTHING_ALIVE(ctx);
    tg_ctx_free(ctx);
}

/* ------------------------------------------------------------------ kernels: fast vs reference */

static uint64_t rng_state = 88172645463325252ull;
static double rnd(void) { /* xorshift64*, uniform on [0, 1) */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}
static int64_t rint_in(int64_t lo, int64_t hi) { return lo + (int64_t)(rnd() * (double)(hi - lo + 1)); }

static void *rand_buf(tg_dtype dt, int64_t n) {
    size_t es = dt == TG_FLOAT32 ? 4 : 8;
    unsigned char *b = malloc((size_t)(n ? n : 1) * es);
    for (int64_t i = 0; b && i < n; i++) {
        if (dt == TG_FLOAT32) ((float *)(void *)b)[i] = (float)(4 * rnd() - 2);
        else if (dt == TG_FLOAT64) ((double *)(void *)b)[i] = 4 * rnd() - 2;
        else ((int64_t *)(void *)b)[i] = rint_in(-7, 7);
    }
    return b;
}

/* max |a - b| / (1 + |b|) over n elements (int64: any difference counts as 1) */
static double buf_diff(tg_dtype dt, const void *a, const void *b, int64_t n) {
    double worst = 0;
    for (int64_t i = 0; i < n; i++) {
        double x, y;
        if (dt == TG_FLOAT32) x = ((const float *)a)[i], y = ((const float *)b)[i];
        else if (dt == TG_FLOAT64) x = ((const double *)a)[i], y = ((const double *)b)[i];
        else x = (double)(((const int64_t *)a)[i] != ((const int64_t *)b)[i]), y = 0;
        double d = fabs(x - y) / (1 + fabs(y));
        if (!(d <= worst)) worst = d;
    }
    return worst;
}

/* Random geometries (groups, strides, padding on either side, dilation, empty sizes): the
 * im2col + GEMM kernels must agree with the direct loops. */
static void test_kernels(void) {
    const tg_dtype dts[3] = {TG_FLOAT32, TG_FLOAT64, TG_INT64};
    for (int iter = 0; iter < 300; iter++) {
        tgi_conv_geom g;
        memset(&g, 0, sizeof g);
        g.groups = rint_in(1, 3);
        g.n = rint_in(0, 3);
        g.c = g.groups * rint_in(iter % 17 == 0 ? 0 : 1, 3);
        g.o = g.groups * rint_in(1, 3);
        g.oc = g.c ? g.o : 0;
        g.kh = rint_in(1, 3), g.kw = rint_in(1, 4);
        g.sh = rint_in(1, 3), g.sw = rint_in(1, 3);
        g.dh = rint_in(1, 2), g.dw = rint_in(1, 3);
        g.ph = rint_in(0, 2), g.pw = rint_in(0, 2);
        int64_t extra_h = rint_in(0, 2), extra_w = rint_in(0, 2); /* bottom / right padding */
        g.h = rint_in(1, 8), g.w = rint_in(1, 9);
        int64_t ph = g.h + g.ph + extra_h - g.dh * (g.kh - 1) - 1;
        int64_t pw = g.w + g.pw + extra_w - g.dw * (g.kw - 1) - 1;
        if (ph < 0 || pw < 0) continue;
        g.oh = ph / g.sh + 1, g.ow = pw / g.sw + 1;
        tg_dtype dt = dts[iter % 3];
        int64_t nx = g.n * g.c * g.h * g.w, nw = g.o * (g.c / g.groups) * g.kh * g.kw;
        int64_t ny = g.n * g.oc * g.oh * g.ow;
        void *x = rand_buf(dt, nx), *w = rand_buf(dt, nw), *b = rand_buf(dt, g.o);
        void *gy = rand_buf(dt, ny), *y1 = rand_buf(dt, ny), *y2 = rand_buf(dt, ny);
        void *gx1 = rand_buf(dt, nx), *gx2 = rand_buf(dt, nx);
        void *gw1 = rand_buf(dt, nw), *gw2 = rand_buf(dt, nw);
        double tol = dt == TG_FLOAT32 ? 1e-5 : dt == TG_FLOAT64 ? 1e-12 : 0;
        const void *bias = iter % 2 ? b : NULL;
        if (ny) {
            tgi_conv2d_ref(dt, &g, x, w, bias, y1);
            tgi_conv2d_fast(dt, &g, x, w, bias, y2);
        }
        double d = buf_diff(dt, y2, y1, ny);
        if (d > tol)
            tt_failf(__FILE__, __LINE__, "forward kernel %d (%s): diff %g", iter, tt_dtype_str(dt), d);
        else tt_pass++;
        if (dt != TG_INT64) {
            if (nx) {
                tgi_conv2d_input_grad_ref(dt, &g, gy, w, gx1);
                tgi_conv2d_input_grad_fast(dt, &g, gy, w, gx2);
            }
            if (nw) {
                tgi_conv2d_weight_grad_ref(dt, &g, x, gy, gw1);
                tgi_conv2d_weight_grad_fast(dt, &g, x, gy, gw2);
            }
            double dx = buf_diff(dt, gx2, gx1, nx), dw = buf_diff(dt, gw2, gw1, nw);
            if (dx > tol || dw > tol)
                tt_failf(__FILE__, __LINE__, "gradient kernels %d (%s): diff %g / %g", iter,
                         tt_dtype_str(dt), dx, dw);
            else tt_pass++;
        }
        free(x), free(w), free(b), free(gy), free(y1), free(y2);
        free(gx1), free(gx2), free(gw1), free(gw2);
    }
}

/* ------------------------------------------------------------------ gradcheck */

typedef struct gc_case {
    const char *op;
    const char *tag;
    int nin;
    int64_t shapes[MAX_IN][TG_MAX_DIMS];
    int ndims[MAX_IN]; /* -1: the input is NULL */
    unsigned grad;     /* bit i: input i requires grad */
    unsigned boolmask; /* bit i: input i is a random bool tensor (attention masks) */
    op_args a;
} gc_case;

static tg_tensor *gc_input(tg_ctx *ctx, const gc_case *c, int i) {
    if (c->ndims[i] < 0) return NULL;
    int64_t n = 1;
    for (int d = 0; d < c->ndims[i]; d++) n *= c->shapes[i][d];
    if (c->boolmask >> i & 1) {
        bool *m = malloc((size_t)(n ? n : 1));
        for (int64_t k = 0; k < n; k++) m[k] = rnd() < 0.7 || k % 5 == 0;
        tg_tensor *t = tg_tensor_new(ctx, m, c->shapes[i], c->ndims[i], TG_BOOL);
        free(m);
        return t;
    }
    double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    for (int64_t k = 0; k < n; k++) v[k] = 4 * rnd() - 2;
    tg_tensor *t = tg_tensor_new(ctx, v, c->shapes[i], c->ndims[i], TG_FLOAT64);
    free(v);
    if (t && (c->grad >> i & 1)) tg_requires_grad_(t, true);
    return t;
}

typedef struct gc_user {
    op_entry *op;
    const op_args *a;
} gc_user;

static tg_tensor *gc_fn(tg_tensor *const *in, int n, void *user) {
    const gc_user *u = user;
    tg_tensor *x[MAX_IN] = {NULL, NULL, NULL, NULL};
    for (int i = 0; i < n; i++) {
        x[i] = in[i];
        if (in[i] && (u->a->transpose >> i & 1)) x[i] = tg_transpose(in[i], 0, 1);
    }
    tg_tensor *extra = NULL;
    return u->op->fn(x, u->a, &extra);
}

#define SH(...) {__VA_ARGS__}

static void gc_run(const gc_case *c, bool second_order) {
    op_entry *op = find_op(c->op);
    if (!op) {
        tt_failf(__FILE__, __LINE__, "gradcheck case for unknown op %s", c->op);
        return;
    }
    op->gradchecks++;
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *in[MAX_IN] = {NULL, NULL, NULL, NULL};
    for (int i = 0; i < c->nin; i++) in[i] = gc_input(ctx, c, i);
    gc_user u = {op, &c->a};
    tg_gradcheck_opts with_fwd = {.check_forward_ad = true}; /* forward-mode tangents too */
    tg_status st = tg_gradcheck(gc_fn, in, c->nin, &u, &with_fwd);
    if (st != TG_OK)
        tt_failf(__FILE__, __LINE__, "gradcheck %s/%s: %s", c->op, c->tag, tg_errmsg(ctx));
    else
        tt_pass++;
    if (second_order) {
        tg_clear_error(ctx);
        tg_manual_seed(ctx, 7);
        st = tg_gradgradcheck(gc_fn, in, c->nin, &u, NULL, NULL);
        if (st != TG_OK)
            tt_failf(__FILE__, __LINE__, "gradgradcheck %s/%s: %s", c->op, c->tag,
                     tg_errmsg(ctx));
        else
            tt_pass++;
    }
    tg_ctx_free(ctx);
}

static op_args A_conv(int nsp, int64_t s, int64_t p, int64_t d, int64_t groups) {
    op_args a = default_args();
    for (int i = 0; i < nsp; i++) {
        a.stride[i] = s + i;      /* unequal per dim where there are two */
        a.padding[i] = p;
        a.dilation[i] = d + i % 2;
    }
    a.has_stride = a.has_padding = a.has_dilation = true;
    a.groups = groups;
    return a;
}

static op_args A_mode(const char *mode, int64_t d, int64_t groups) {
    op_args a = default_args();
    snprintf(a.mode, sizeof a.mode, "%s", mode);
    a.dilation[0] = d, a.dilation[1] = 1;
    a.has_dilation = true;
    a.groups = groups;
    return a;
}

static op_args A_pool(int64_t kh, int64_t kw, int64_t s, int64_t p, int64_t d, bool ceil) {
    op_args a = default_args();
    a.kernel[0] = kh, a.kernel[1] = kw;
    a.stride[0] = s, a.stride[1] = s > 1 ? s - 1 : 1;
    a.padding[0] = p, a.padding[1] = 0;
    a.dilation[0] = d, a.dilation[1] = 1;
    a.has_stride = a.has_padding = a.has_dilation = true;
    a.ceil_mode = ceil;
    return a;
}

static op_args A_size(int64_t h, int64_t w) {
    op_args a = default_args();
    a.size[0] = h, a.size[1] = w;
    return a;
}

static op_args A_attn(bool causal, double scale) {
    op_args a = default_args();
    a.is_causal = causal;
    a.has_scale = scale != 0;
    a.scale = scale;
    return a;
}

static void test_gradcheck(void) {
    /* convolutions: bias or not, stride / padding / dilation / groups, unbatched,
     * non-contiguous, "same" with an even kernel; second order for the main variants */
    {
        gc_case cs[] = {
            {"conv2d", "plain", 3, {SH(2, 2, 4, 5), SH(3, 2, 2, 3), SH(3)}, {4, 4, 1}, 7, 0,
             A_conv(2, 1, 0, 1, 1)},
            {"conv2d", "strided_padded_dilated", 3, {SH(1, 2, 6, 7), SH(2, 2, 2, 2), SH(0)},
             {4, 4, -1}, 3, 0, A_conv(2, 2, 1, 2, 1)},
            {"conv2d", "groups", 3, {SH(1, 4, 4, 4), SH(6, 2, 2, 2), SH(6)}, {4, 4, 1}, 7, 0,
             A_conv(2, 1, 1, 1, 2)},
            {"conv2d", "unbatched", 3, {SH(2, 4, 3), SH(2, 2, 2, 2), SH(2)}, {3, 4, 1}, 7, 0,
             A_conv(2, 1, 1, 1, 1)},
            {"conv2d", "transposed", 3, {SH(2, 2, 4, 4), SH(2, 3, 3, 2), SH(0)}, {4, 4, -1}, 3, 0,
             A_conv(2, 1, 0, 1, 1)},
            {"conv1d", "plain", 3, {SH(2, 3, 6), SH(2, 3, 3), SH(2)}, {3, 3, 1}, 7, 0,
             A_conv(1, 2, 1, 2, 1)},
            {"conv1d", "groups_unbatched", 3, {SH(4, 5), SH(2, 2, 2), SH(0)}, {2, 3, -1}, 3, 0,
             A_conv(1, 1, 0, 1, 2)},
            {"conv2d_padding", "same_even", 3, {SH(1, 2, 4, 5), SH(2, 2, 2, 3), SH(2)}, {4, 4, 1},
             7, 0, A_mode("same", 1, 1)},
            {"conv2d_padding", "valid_groups", 3, {SH(1, 4, 4, 4), SH(2, 2, 3, 2), SH(0)},
             {4, 4, -1}, 3, 0, A_mode("valid", 1, 2)},
            {"conv1d_padding", "same_dilated", 3, {SH(2, 2, 5), SH(3, 2, 2), SH(3)}, {3, 3, 1}, 7,
             0, A_mode("same", 3, 1)},
        };
        cs[4].a.transpose = 3; /* input [C, N, H, W] and weight [I, O, kh, kw] stored */
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) gc_run(&cs[i], i < 3 || i == 5);
    }
    /* pooling */
    {
        gc_case cs[] = {
            {"max_pool2d", "k2", 1, {SH(1, 2, 4, 4)}, {4}, 1, 0, A_pool(2, 2, 2, 0, 1, false)},
            {"max_pool2d", "padded_dilated_ceil", 1, {SH(2, 1, 7, 6)}, {4}, 1, 0,
             A_pool(3, 2, 2, 1, 2, true)},
            {"max_pool2d", "overlapping_unbatched", 1, {SH(2, 5, 5)}, {3}, 1, 0,
             A_pool(3, 3, 1, 1, 1, false)},
            {"max_pool2d_with_indices", "k3s2", 1, {SH(1, 2, 5, 6)}, {4}, 1, 0,
             A_pool(3, 3, 2, 1, 1, false)},
            {"avg_pool2d", "k2", 1, {SH(1, 2, 4, 4)}, {4}, 1, 0, A_pool(2, 2, 2, 0, 1, false)},
            {"avg_pool2d", "padded_ceil", 1, {SH(2, 1, 6, 5)}, {4}, 1, 0,
             A_pool(3, 2, 2, 1, 1, true)},
            {"avg_pool2d", "exclude_pad_unbatched", 1, {SH(2, 5, 5)}, {3}, 1, 0,
             A_pool(3, 3, 2, 1, 1, false)},
            {"avg_pool2d", "divisor_transposed", 1, {SH(2, 2, 4, 5)}, {4}, 1, 0,
             A_pool(2, 3, 1, 0, 1, false)},
            {"adaptive_avg_pool2d", "2x3", 1, {SH(2, 2, 5, 7)}, {4}, 1, 0, A_size(2, 3)},
            {"adaptive_avg_pool2d", "upsample_unbatched", 1, {SH(2, 3, 4)}, {3}, 1, 0,
             A_size(5, 6)},
            {"adaptive_avg_pool2d", "1x1_mean", 1, {SH(2, 3, 4, 4)}, {4}, 1, 0, A_size(1, 1)},
            {"adaptive_avg_pool2d", "transposed", 1, {SH(3, 2, 4, 4)}, {4}, 1, 0, A_size(3, 2)},
        };
        cs[6].a.count_include_pad = false;
        cs[7].a.has_divisor = true, cs[7].a.divisor = 3, cs[7].a.transpose = 1;
        cs[11].a.transpose = 1;
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) gc_run(&cs[i], true);
    }
    /* attention: batched, 2-D, broadcast batch dims, causal, bool / float masks, scale */
    {
        gc_case cs[] = {
            {"scaled_dot_product_attention", "3d", 4, {SH(2, 3, 4), SH(2, 5, 4), SH(2, 5, 3)},
             {3, 3, 3, -1}, 7, 0, A_attn(false, 0)},
            {"scaled_dot_product_attention", "2d_scale", 4, {SH(3, 4), SH(4, 4), SH(4, 2)},
             {2, 2, 2, -1}, 7, 0, A_attn(false, 0.4)},
            {"scaled_dot_product_attention", "4d_bcast", 4,
             {SH(2, 2, 3, 4), SH(2, 4, 4), SH(1, 4, 3)}, {4, 3, 3, -1}, 7, 0, A_attn(false, 0)},
            {"scaled_dot_product_attention", "causal_neg_scale", 4,
             {SH(1, 4, 3), SH(1, 5, 3), SH(1, 5, 2)}, {3, 3, 3, -1}, 7, 0, A_attn(true, -0.6)},
            {"scaled_dot_product_attention", "bool_mask", 4,
             {SH(2, 3, 4), SH(2, 5, 4), SH(2, 5, 3), SH(3, 5)}, {3, 3, 3, 2}, 7, 8,
             A_attn(false, 0)},
            {"scaled_dot_product_attention", "float_mask", 4,
             {SH(2, 3, 4), SH(2, 5, 4), SH(2, 5, 3), SH(2, 1, 5)}, {3, 3, 3, 3}, 15, 0,
             A_attn(false, 0)},
            {"scaled_dot_product_attention", "transposed", 4,
             {SH(3, 2, 4), SH(2, 3, 4), SH(2, 3, 2)}, {3, 3, 3, -1}, 7, 0, A_attn(false, 0)},
        };
        cs[6].a.transpose = 1;
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) gc_run(&cs[i], true);
    }
}

/* A fully masked attention row gives zeros and a zero gradient (no NaN anywhere). */
static void test_attention_masked_row(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *q = tg_tensor_parse(ctx, "[[1.0, 2.0], [0.5, -1.0]]", TG_FLOAT64);
    tg_tensor *k = tg_tensor_parse(ctx, "[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]", TG_FLOAT64);
    tg_tensor *v = tg_tensor_parse(ctx, "[[1.0], [2.0], [3.0]]", TG_FLOAT64);
    tg_tensor *m = tg_tensor_parse(ctx, "[[True, False, True], [False, False, False]]", TG_BOOL);
    tg_requires_grad_(q, true);
    tg_requires_grad_(k, true);
    tg_requires_grad_(v, true);
    tg_tensor *y = tg_scaled_dot_product_attention(q, k, v, m, 0.0, false, NULL);
    CHECK(y != NULL);
    CHECK_NEAR(tg_tensor_get(y, 1), 0.0, 0);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_OK);
    CHECK_NEAR(tg_tensor_get(tg_tensor_grad(q), 2), 0.0, 0);
    CHECK_NEAR(tg_tensor_get(tg_tensor_grad(q), 3), 0.0, 0);
    for (int i = 0; i < 6; i++) CHECK(!isnan(tg_tensor_get(tg_tensor_grad(k), i)));
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

/* ------------------------------------------------------------------ scenarios */

static const tt_record *scenario(const char *name) { return TT_FIND(FX, "scenario", name); }

static void test_scenarios(void) {
    tg_ctx *ctx = tg_ctx_new();
    const tt_record *r = scenario("conv_input_modified");
    tg_tensor *x = tg_ones(ctx, TG_SHAPE(1, 1, 3, 3), TG_FLOAT32);
    tg_tensor *w = tg_ones(ctx, TG_SHAPE(1, 1, 2, 2), TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_requires_grad_(w, true);
    tg_tensor *h = tg_mul_scalar(x, 1);
    tg_tensor *y = tg_conv2d(h, w, NULL, NULL, NULL, NULL, 1);
    CHECK_INT(tg_add_scalar_(h, 1), TG_OK);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_ERR_AUTOGRAD);
    CHECK_RECORD_ERROR(ctx, TG_ERR_AUTOGRAD, "tg_backward", r);

    r = scenario("max_pool_input_modified");
    x = tg_ones(ctx, TG_SHAPE(1, 1, 4, 4), TG_FLOAT32);
    tg_requires_grad_(x, true);
    h = tg_mul_scalar(x, 1);
    y = tg_max_pool2d(h, (const int64_t[]){2, 2}, NULL, NULL, NULL, false);
    CHECK_INT(tg_mul_scalar_(h, 2), TG_OK);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_ERR_AUTOGRAD);
    CHECK_RECORD_ERROR(ctx, TG_ERR_AUTOGRAD, "tg_backward", r);

    r = scenario("avg_pool_backward_twice");
    x = tg_arange(ctx, 0, 16, 1, TG_FLOAT32);
    x = tg_reshape(x, TG_SHAPE(1, 1, 4, 4));
    x = tg_detach(x);
    tg_requires_grad_(x, true);
    y = tg_sum(tg_avg_pool2d(x, (const int64_t[]){2, 2}, NULL, NULL, false, true, NULL));
    CHECK_INT(tg_backward(y, NULL), TG_OK);
    if (r) {
        int64_t n;
        double *g = tt_parse_doubles(tt_get(r, "grad"), &n);
        CHECK_VALUES(tg_tensor_grad(x), g, n, 1e-6, 1e-6);
        free(g);
    }
    CHECK_INT(tg_backward(y, NULL), TG_ERR_AUTOGRAD);
    CHECK_RECORD_ERROR(ctx, TG_ERR_AUTOGRAD, "tg_backward", r);

    const char *adaptive[3] = {"adaptive_backward_zero_channels", "adaptive_backward_out0",
                               "adaptive_backward_unbatched_out0"};
    for (int i = 0; i < 3; i++) {
        r = scenario(adaptive[i]);
        if (!r) continue;
        int64_t shape[4], size[2];
        int nd = tt_parse_ints(tt_get(r, "shape"), shape, 4);
        tt_parse_ints(tt_get(r, "size"), size, 2);
        x = tg_ones(ctx, shape, nd, TG_FLOAT32);
        tg_requires_grad_(x, true);
        y = tg_adaptive_avg_pool2d(x, size);
        CHECK(y != NULL);
        CHECK_INT(tg_backward(y, tg_ones_like(y)), TG_ERR_SHAPE);
        CHECK_RECORD_ERROR(ctx, TG_ERR_SHAPE, "tg_backward", r);
    }
    tg_ctx_free(ctx);
}

/* Graph structure: unbatched convs wrap the node in unsqueeze / squeeze as PyTorch; the
 * gradients of a create_graph backward are the ops' own nodes; no_grad records nothing. */
static void test_graph(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *x = tg_randn(ctx, TG_SHAPE(2, 5, 5), TG_FLOAT64);
    tg_tensor *w = tg_randn(ctx, TG_SHAPE(3, 2, 3, 3), TG_FLOAT64);
    tg_requires_grad_(x, true);
    tg_requires_grad_(w, true);
    tg_tensor *y = tg_conv2d(x, w, NULL, NULL, NULL, NULL, 1);
    CHECK_STR(tg_node_name(tg_tensor_grad_fn(y)), "SqueezeBackward1");
    tg_node *conv = tg_node_next_function(tg_tensor_grad_fn(y), 0, NULL);
    CHECK_STR(tg_node_name(conv), "ConvolutionBackward0");
    CHECK_INT(tg_node_num_inputs(conv), 3);
    CHECK_STR(tg_node_name(tg_node_next_function(conv, 0, NULL)), "UnsqueezeBackward0");
    CHECK(tg_node_next_function(conv, 2, NULL) == NULL); /* no bias */

    tg_tensor *grads[2] = {NULL, NULL};
    tg_tensor *ins[2] = {x, w};
    tg_grad_opts go = {0};
    go.create_graph = true;
    tg_tensor *s = tg_sum(tg_mul(y, y));
    CHECK_INT(tg_autograd_grad(&s, 1, ins, 2, NULL, &go, grads), TG_OK);
    CHECK(grads[0] && grads[1]);
    if (grads[0] && grads[1]) {
        /* x's gradient passes unsqueeze's backward (a view) over the input-gradient op */
        tg_node *gw = tg_tensor_grad_fn(grads[1]);
        CHECK_STR(tg_node_name(gw), "ConvolutionBackwardBackward0");
        CHECK(tg_tensor_requires_grad(grads[0]));
    }
    tg_tensor *p = tg_randn(ctx, TG_SHAPE(1, 2, 4, 4), TG_FLOAT64);
    tg_requires_grad_(p, true);
    tg_tensor *a = tg_avg_pool2d(p, (const int64_t[]){2, 2}, NULL, NULL, false, true, NULL);
    tg_tensor *ga = NULL;
    tg_tensor *sa = tg_sum(tg_mul(a, a));
    CHECK_INT(tg_autograd_grad(&sa, 1, &p, 1, NULL, &go, &ga), TG_OK);
    CHECK_STR(ga ? tg_node_name(tg_tensor_grad_fn(ga)) : "", "AvgPool2DBackwardBackward0");
    tg_tensor *ad = tg_adaptive_avg_pool2d(p, (const int64_t[]){3, 2});
    tg_tensor *gd = NULL, *sd = tg_sum(tg_mul(ad, ad));
    CHECK_INT(tg_autograd_grad(&sd, 1, &p, 1, NULL, &go, &gd), TG_OK);
    CHECK_STR(gd ? tg_node_name(tg_tensor_grad_fn(gd)) : "", "AdaptiveAvgPool2DBackwardBackward0");

    /* max_pool2d_with_indices: indices never require grad, the values' node is the op's */
    tg_tensor *mv = NULL, *mi = NULL;
    CHECK_INT(tg_max_pool2d_with_indices(p, (const int64_t[]){2, 2}, NULL, NULL, NULL, false, &mv,
                                         &mi),
              TG_OK);
    CHECK(mi && !tg_tensor_requires_grad(mi) && tg_tensor_dtype(mi) == TG_INT64);
    CHECK_STR(mv ? tg_node_name(tg_tensor_grad_fn(mv)) : "", "MaxPool2DWithIndicesBackward0");
    /* indices may be omitted; out may not */
    mv = NULL;
    CHECK_INT(tg_max_pool2d_with_indices(p, (const int64_t[]){2, 2}, NULL, NULL, NULL, false, &mv,
                                         NULL),
              TG_OK);
    CHECK(mv != NULL);
    CHECK_INT(tg_max_pool2d_with_indices(p, (const int64_t[]){2, 2}, NULL, NULL, NULL, false, NULL,
                                         NULL),
              TG_ERR_NULL_ARG);
    tg_clear_error(ctx);

    /* no_grad: nothing recorded, results do not require grad */
    tg_no_grad(ctx);
    tg_memstats m0 = tg_ctx_memstats(ctx);
    y = tg_conv2d(x, w, NULL, NULL, NULL, NULL, 1);
    tg_tensor *z = tg_scaled_dot_product_attention(p, p, p, NULL, 0.0, true, NULL);
    CHECK(y && !tg_tensor_requires_grad(y) && tg_tensor_grad_fn(y) == NULL);
    CHECK(z && !tg_tensor_requires_grad(z));
    CHECK_INT(tg_ctx_memstats(ctx).nodes, m0.nodes);
    tg_grad_mode_pop(ctx);
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

/* NULL inputs keep the first error; a NULL required argument is TG_ERR_NULL_ARG. */
static void test_null_args(void) {
    tg_ctx *ctx = tg_ctx_new();
    const int64_t k2[2] = {2, 2};
    CHECK(tg_conv2d(NULL, NULL, NULL, NULL, NULL, NULL, 1) == NULL);
    CHECK(tg_max_pool2d(NULL, k2, NULL, NULL, NULL, false) == NULL);
    CHECK(tg_avg_pool2d(NULL, k2, NULL, NULL, false, true, NULL) == NULL);
    CHECK(tg_adaptive_avg_pool2d(NULL, k2) == NULL);
    CHECK(tg_scaled_dot_product_attention(NULL, NULL, NULL, NULL, 0, false, NULL) == NULL);
    tg_tensor *x = tg_ones(ctx, TG_SHAPE(1, 1, 4, 4), TG_FLOAT32);
    tg_tensor *bad = tg_softmax(x, 7); /* fails with an index error */
    CHECK(tg_conv2d(bad, x, NULL, NULL, NULL, NULL, 1) == NULL);
    CHECK(tg_max_pool2d(bad, k2, NULL, NULL, NULL, false) == NULL);
    CHECK(tg_scaled_dot_product_attention(x, bad, x, NULL, 0, false, NULL) == NULL);
    CHECK_INT(tg_errcode(ctx), TG_ERR_INDEX);
    tg_clear_error(ctx);
    CHECK(tg_conv2d(x, NULL, NULL, NULL, NULL, NULL, 1) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_conv2d: argument 'weight' is NULL");
    CHECK(tg_conv1d_padding(x, x, NULL, NULL, NULL, NULL, 1) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_conv1d_padding: argument 'padding' is NULL");
    CHECK(tg_max_pool2d(x, NULL, NULL, NULL, NULL, false) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_max_pool2d: argument 'kernel_size' is NULL");
    CHECK(tg_avg_pool2d(x, NULL, NULL, NULL, false, true, NULL) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_avg_pool2d: argument 'kernel_size' is NULL");
    CHECK(tg_adaptive_avg_pool2d(x, NULL) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_adaptive_avg_pool2d: argument 'output_size' is NULL");
    CHECK(tg_scaled_dot_product_attention(x, x, NULL, NULL, 0, false, NULL) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_scaled_dot_product_attention: argument 'value' is NULL");
    tg_ctx_free(ctx);
}

/* Every op has forward records, error records and gradcheck cases; every record names one. */
static void test_coverage(void) {
    if (!FX) return;
    for (int i = 0; i < FX->n; i++) {
        const char *name = tt_get(&FX->recs[i], "op");
        if (!name && tt_get(&FX->recs[i], "scenario")) continue;
        if (!find_op(name))
            tt_failf(__FILE__, __LINE__, "record %s: op not in the table",
                     tt_get(&FX->recs[i], "case"));
    }
    for (int i = 0; i < N_OPS; i++) {
        if (ops[i].records == 0)
            tt_failf(__FILE__, __LINE__, "op %s has no forward/backward record", ops[i].name);
        else tt_pass++;
        if (ops[i].errors == 0)
            tt_failf(__FILE__, __LINE__, "op %s has no error record", ops[i].name);
        else tt_pass++;
        if (ops[i].gradchecks == 0)
            tt_failf(__FILE__, __LINE__, "op %s has no gradcheck case", ops[i].name);
        else tt_pass++;
    }
}

static void setup(void) { FX = tt_fixture_load("conv.txt"); }
static void teardown(void) {
    tt_fixture_free(FX);
    FX = NULL;
}

TT_MAIN(T(setup), T(test_fixtures), T(test_kernels), T(test_gradcheck),
        T(test_attention_masked_row), T(test_scenarios), T(test_graph), T(test_null_args),
        T(test_coverage), T(teardown))
