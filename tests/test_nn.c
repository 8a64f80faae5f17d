/*
 * test_nn.c — the neural-network functions and losses against PyTorch. Every record of
 * tests/fixtures/nn.txt (tools/fixtures_nn.py) is replayed in its own scope: inputs are built
 * (transposed, requiring grad, NULL) as the record says, the op runs through the table below,
 * and dtype, shape, values, grad_fn, every input's .grad after tg_backward(out, v), running
 * statistics after batch_norm, and error codes and messages are compared; nothing may be left
 * alive afterwards. Then tg_gradcheck in float64 over every op and its variants, the named
 * scenarios, and a coverage check that each op has fixture, error and gradcheck cases.
 */
#include "test.h"

#include <stdint.h>

/* ------------------------------------------------------------------ the op table */

#define MAX_IN 5

typedef struct op_args {
    int dim;
    tg_reduction reduction;
    int64_t ignore_index, padding_idx;
    double label_smoothing, beta, eps, momentum;
    bool training;
    int64_t size[TG_MAX_DIMS];
    int nsize;
    unsigned transpose; /* gradcheck: bit i transposes input i (dims 0, 1) inside the call */
} op_args;

typedef tg_tensor *(*op_fn)(tg_tensor *const *x, const op_args *a);

static tg_tensor *f_softmax(tg_tensor *const *x, const op_args *a) {
    return tg_softmax(x[0], a->dim);
}
static tg_tensor *f_log_softmax(tg_tensor *const *x, const op_args *a) {
    return tg_log_softmax(x[0], a->dim);
}
static tg_tensor *f_nll_loss(tg_tensor *const *x, const op_args *a) {
    return tg_nll_loss(x[0], x[1], x[2], a->reduction, a->ignore_index);
}
static tg_tensor *f_cross_entropy(tg_tensor *const *x, const op_args *a) {
    return tg_cross_entropy(x[0], x[1], x[2], a->reduction, a->ignore_index, a->label_smoothing);
}
static tg_tensor *f_mse_loss(tg_tensor *const *x, const op_args *a) {
    return tg_mse_loss(x[0], x[1], a->reduction);
}
static tg_tensor *f_l1_loss(tg_tensor *const *x, const op_args *a) {
    return tg_l1_loss(x[0], x[1], a->reduction);
}
static tg_tensor *f_smooth_l1_loss(tg_tensor *const *x, const op_args *a) {
    return tg_smooth_l1_loss(x[0], x[1], a->reduction, a->beta);
}
static tg_tensor *f_binary_cross_entropy(tg_tensor *const *x, const op_args *a) {
    return tg_binary_cross_entropy(x[0], x[1], x[2], a->reduction);
}
static tg_tensor *f_binary_cross_entropy_with_logits(tg_tensor *const *x, const op_args *a) {
    return tg_binary_cross_entropy_with_logits(x[0], x[1], x[2], x[3], a->reduction);
}
static tg_tensor *f_layer_norm(tg_tensor *const *x, const op_args *a) {
    return tg_layer_norm(x[0], a->size, a->nsize, x[1], x[2], a->eps);
}
static tg_tensor *f_batch_norm(tg_tensor *const *x, const op_args *a) {
    return tg_batch_norm(x[0], x[1], x[2], x[3], x[4], a->training, a->momentum, a->eps);
}
static tg_tensor *f_embedding(tg_tensor *const *x, const op_args *a) {
    return tg_embedding(x[0], x[1], a->padding_idx);
}

typedef struct op_entry {
    const char *name; /* the record's op; the C function is "tg_" name */
    int nin;
    op_fn fn;
    int records, errors, gradchecks; /* coverage counters */
} op_entry;

#define E(name, nin) {#name, nin, f_##name, 0, 0, 0}
static op_entry ops[] = {
    E(softmax, 1),       E(log_softmax, 1),          E(nll_loss, 3),
    E(cross_entropy, 3), E(mse_loss, 2),             E(l1_loss, 2),
    E(smooth_l1_loss, 2), E(binary_cross_entropy, 3), E(binary_cross_entropy_with_logits, 4),
    E(layer_norm, 3),    E(batch_norm, 5),           E(embedding, 2),
};
#undef E
#define N_OPS ((int)(sizeof ops / sizeof ops[0]))

static op_entry *find_op(const char *name) { return TT_LOOKUP(ops, name); }

/* ------------------------------------------------------------------ one record */

static bool parse_args(const tt_record *r, op_args *a) {
    memset(a, 0, sizeof *a);
    a->ignore_index = TG_IGNORE_INDEX_DEFAULT;
    a->padding_idx = TG_NO_PADDING_IDX;
    a->reduction = TG_REDUCTION_MEAN;
    const char *s;
    if ((s = tt_get(r, "dim"))) a->dim = atoi(s);
    if ((s = tt_get(r, "reduction"))) a->reduction = (tg_reduction)atoi(s);
    if ((s = tt_get(r, "ignore_index"))) a->ignore_index = strtoll(s, NULL, 10);
    if ((s = tt_get(r, "padding_idx")) && strcmp(s, "none") != 0)
        a->padding_idx = strtoll(s, NULL, 10);
    if ((s = tt_get(r, "label_smoothing"))) a->label_smoothing = strtod(s, NULL);
    if ((s = tt_get(r, "beta"))) a->beta = strtod(s, NULL);
    if ((s = tt_get(r, "eps"))) a->eps = strtod(s, NULL);
    if ((s = tt_get(r, "momentum"))) a->momentum = strtod(s, NULL);
    if ((s = tt_get(r, "training"))) a->training = strcmp(s, "1") == 0;
    if ((s = tt_get(r, "size")) && (a->nsize = tt_parse_ints(s, a->size, TG_MAX_DIMS)) < 0)
        return false;
    return true;
}

/* The tolerance of a dtype's values in a record with a float32 input (loose): a float64
 * result computed from float32 intermediates (PyTorch's promotion) is only as precise as
 * float32. */
static double tol_of(tg_dtype d, bool loose) { return loose ? 1e-5 : tt_tol(d); }

static void run_record(tg_ctx *ctx, const tt_record *r) {
    op_entry *op = TT_RECORD_OP(ops, r);
    if (!op) return;
    const char *opname = op->name;
    op_args args;
    tt_input in[MAX_IN];
    tg_tensor *x[MAX_IN];
    int nin = TT_RECORD_INPUTS(ctx, r, in, x);
    if (nin < 0) return;
    if (!parse_args(r, &args) || nin != op->nin) {
        tt_failf(__FILE__, __LINE__, "malformed record (args or %d inputs for %s)", nin, opname);
        return;
    }
    bool loose = false;
    for (int i = 0; i < nin; i++)
        if (x[i] && tg_tensor_dtype(x[i]) == TG_FLOAT32) loose = true;
    tg_tensor *out = op->fn(x, &args);

    if (tt_get(r, "error")) op->errors++;
    else op->records++;
    if (!CHECK_OP_OUTCOME(ctx, r, out == NULL)) return;
    tg_dtype odt;
    int64_t oshape[TG_MAX_DIMS];
    int ond;
    if (!TT_RECORD_DTYPE_SHAPE(r, "out", &odt, oshape, &ond)) return;
    CHECK_TENSOR("output", out, odt, oshape, ond, tt_get(r, "out_values"), tol_of(odt, loose));
    CHECK_RECORD_AUTOGRAD(out, r);
    /* inputs the op updates in place (batch_norm's running statistics) */
    for (int i = 0; i < nin; i++) {
        char k[32], what[48];
        const char *after = tt_get(r, tt_key(k, sizeof k, "in", i, "after"));
        if (!after) continue;
        snprintf(what, sizeof what, "input %d after the call", i);
        CHECK_TENSOR(what, in[i].use, in[i].dtype, tg_tensor_shape(in[i].use),
                     tg_tensor_ndim(in[i].use), after, tol_of(in[i].dtype, loose));
        CHECK_INT(tg_tensor_version(in[i].use), 0); /* written without a version bump */
    }

    if (!tt_get(r, "v") || !TT_RECORD_BACKWARD(ctx, r, out)) return;
    for (int i = 0; i < nin; i++) CHECK_INPUT_GRAD(r, i, &in[i], tol_of(in[i].dtype, loose));
}

static tt_fixture *FX;

static void test_fixtures(void) { tt_replay_fixture("nn.txt", 500, "case", run_record); }

/* ------------------------------------------------------------------ gradcheck */

typedef struct gc_case {
    const char *op;
    const char *tag;
    int nin;
    int64_t shapes[MAX_IN][TG_MAX_DIMS];
    int ndims[MAX_IN]; /* -1: the input is NULL */
    unsigned grad;     /* bit i: input i requires grad */
    unsigned kind[MAX_IN]; /* how input i's values are made, see gc_value */
    op_args a;
} gc_case;

enum { V_NORMAL, V_PROB01, V_POS, V_CLASS, V_CLASS_NOT0, V_PROBROWS };

static uint64_t rng_state = 88172645463325252ull;
static double rnd(void) { /* xorshift64*, uniform on [0, 1) */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

/* classes for nll_loss / cross_entropy / embedding come from `classes` */
static tg_tensor *gc_input(tg_ctx *ctx, const gc_case *c, int i, int64_t classes) {
    if (c->ndims[i] < 0) return NULL;
    int64_t n = 1;
    for (int d = 0; d < c->ndims[i]; d++) n *= c->shapes[i][d];
    if (c->kind[i] == V_CLASS || c->kind[i] == V_CLASS_NOT0) {
        int64_t *v = malloc((size_t)(n ? n : 1) * sizeof *v), lo = c->kind[i] == V_CLASS_NOT0;
        for (int64_t k = 0; k < n; k++) v[k] = lo + (int64_t)(rnd() * (double)(classes - lo));
        tg_tensor *t = tg_tensor_new(ctx, v, c->shapes[i], c->ndims[i], TG_INT64);
        free(v);
        return t;
    }
    double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    for (int64_t k = 0; k < n; k++) {
        double u = rnd();
        switch (c->kind[i]) {
        case V_PROB01: v[k] = 0.1 + 0.8 * u; break;
        case V_POS: v[k] = 0.5 + 1.5 * u; break;
        case V_PROBROWS: v[k] = 0.05 + u; break; /* positive; normalisation not needed */
        default: v[k] = 4 * u - 2; break;
        }
    }
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
    tg_tensor *x[MAX_IN] = {NULL, NULL, NULL, NULL, NULL};
    for (int i = 0; i < n; i++) {
        x[i] = in[i];
        if (in[i] && (u->a->transpose >> i & 1)) x[i] = tg_transpose(in[i], 0, 1);
    }
    /* batch_norm's running statistics change on every call: give it fresh copies */
    if (strcmp(u->op->name, "batch_norm") == 0)
        for (int i = 1; i < 3; i++)
            if (x[i]) x[i] = tg_clone(x[i]);
    return u->op->fn(x, u->a);
}

#define SH(...) {__VA_ARGS__}
static op_args A_dim(int d) {
    op_args a;
    memset(&a, 0, sizeof a);
    a.dim = d;
    return a;
}
static op_args A_red(tg_reduction r) {
    op_args a;
    memset(&a, 0, sizeof a);
    a.reduction = r;
    a.ignore_index = TG_IGNORE_INDEX_DEFAULT;
    a.padding_idx = TG_NO_PADDING_IDX;
    a.beta = 1.0;
    return a;
}

static void gc_run(const gc_case *c, int64_t classes) {
    op_entry *op = find_op(c->op);
    if (!op) {
        tt_failf(__FILE__, __LINE__, "gradcheck case for unknown op %s", c->op);
        return;
    }
    op->gradchecks++;
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *in[MAX_IN] = {NULL, NULL, NULL, NULL, NULL};
    for (int i = 0; i < c->nin; i++) in[i] = gc_input(ctx, c, i, classes);
    gc_user u = {op, &c->a};
    tg_status st = tg_gradcheck(gc_fn, in, c->nin, &u, NULL);
    if (st != TG_OK)
        tt_failf(__FILE__, __LINE__, "gradcheck %s/%s: %s", c->op, c->tag, tg_errmsg(ctx));
    else
        tt_pass++;
    tg_ctx_free(ctx);
}

static void test_gradcheck(void) {
    /* softmax / log_softmax: dims, 0-d, 1-D, 3-D, non-contiguous */
    const char *sm[2] = {"softmax", "log_softmax"};
    for (int k = 0; k < 2; k++) {
        gc_case cs[] = {
            {sm[k], "3x4_d1", 1, {SH(3, 4)}, {2}, 1, {0}, A_dim(1)},
            {sm[k], "3x4_d0", 1, {SH(3, 4)}, {2}, 1, {0}, A_dim(0)},
            {sm[k], "3d_dm2", 1, {SH(2, 3, 2)}, {3}, 1, {0}, A_dim(-2)},
            {sm[k], "1d", 1, {SH(5)}, {1}, 1, {0}, A_dim(0)},
            {sm[k], "0d", 1, {SH(0)}, {0}, 1, {0}, A_dim(-1)},
        };
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) gc_run(&cs[i], 0);
        gc_case t = {sm[k], "transposed", 1, {SH(4, 3)}, {2}, 1, {0}, A_dim(1)};
        t.a.transpose = 1;
        gc_run(&t, 0);
    }
    /* nll_loss and cross_entropy: every reduction, weight, ignore_index, shapes */
    const char *cls[2] = {"nll_loss", "cross_entropy"};
    for (int k = 0; k < 2; k++)
        for (int r = 0; r < 3; r++) {
            op_args a = A_red((tg_reduction)r);
            gc_case cs[] = {
                {cls[k], "2d", 3, {SH(4, 3), SH(4)}, {2, 1, -1}, 1, {0, V_CLASS}, a},
                {cls[k], "2d_weight", 3, {SH(4, 3), SH(4), SH(3)}, {2, 1, 1}, 1,
                 {0, V_CLASS, V_POS}, a},
                {cls[k], "1d", 3, {SH(5), SH(0)}, {1, 0, -1}, 1, {0, V_CLASS}, a},
                {cls[k], "3d", 3, {SH(2, 3, 2), SH(2, 2)}, {3, 2, -1}, 1, {0, V_CLASS}, a},
                {cls[k], "4d_weight", 3, {SH(2, 3, 1, 2), SH(2, 1, 2), SH(3)}, {4, 3, 1}, 1,
                 {0, V_CLASS, V_POS}, a},
                {cls[k], "5d", 3, {SH(1, 2, 2, 1, 2), SH(1, 2, 1, 2)}, {5, 4, -1}, 1,
                 {0, V_CLASS}, a},
            };
            for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
                gc_run(&cs[i], cs[i].shapes[0][cs[i].ndims[0] == 1 ? 0 : 1]);
            gc_case ig = {cls[k], "ignore", 3, {SH(6, 3), SH(6)}, {2, 1, -1}, 1, {0, V_CLASS}, a};
            ig.a.ignore_index = 1;
            gc_run(&ig, 3);
            gc_case tr = {cls[k], "transposed", 3, {SH(3, 4), SH(4)}, {2, 1, -1}, 1,
                          {0, V_CLASS}, a};
            tr.a.transpose = 1;
            gc_run(&tr, 3);
            if (k == 1) {
                gc_case ce[] = {
                    {"cross_entropy", "smooth", 3, {SH(4, 3), SH(4)}, {2, 1, -1}, 1,
                     {0, V_CLASS}, a},
                    {"cross_entropy", "smooth_weight_3d", 3, {SH(2, 3, 2), SH(2, 2), SH(3)},
                     {3, 2, 1}, 1, {0, V_CLASS, V_POS}, a},
                    {"cross_entropy", "prob", 3, {SH(3, 4), SH(3, 4)}, {2, 2, -1}, 3,
                     {0, V_PROBROWS}, a},
                    {"cross_entropy", "prob_weight_smooth", 3, {SH(2, 3, 2), SH(2, 3, 2), SH(3)},
                     {3, 3, 1}, 3, {0, V_PROBROWS, V_POS}, a},
                    {"cross_entropy", "prob_1d", 3, {SH(4), SH(4)}, {1, 1, -1}, 3,
                     {0, V_PROBROWS}, a},
                };
                ce[0].a.label_smoothing = 0.2;
                ce[1].a.label_smoothing = 0.3;
                ce[1].a.ignore_index = 0;
                ce[3].a.label_smoothing = 0.25;
                for (size_t i = 0; i < sizeof ce / sizeof ce[0]; i++) gc_run(&ce[i], 3);
            }
        }
    /* pointwise losses: reductions, both inputs, broadcasting, non-contiguous */
    const char *pw[3] = {"mse_loss", "l1_loss", "smooth_l1_loss"};
    for (int k = 0; k < 3; k++)
        for (int r = 0; r < 3; r++) {
            op_args a = A_red((tg_reduction)r);
            gc_case cs[] = {
                {pw[k], "same", 2, {SH(3, 4), SH(3, 4)}, {2, 2}, 3, {0, 0}, a},
                {pw[k], "bcast", 2, {SH(3, 1), SH(1, 4)}, {2, 2}, 3, {0, 0}, a},
                {pw[k], "bcast_3d", 2, {SH(4), SH(2, 3, 4)}, {1, 3}, 3, {0, 0}, a},
                {pw[k], "0d", 2, {SH(0), SH(0)}, {0, 0}, 3, {0, 0}, a},
                {pw[k], "transposed", 2, {SH(4, 3), SH(3, 4)}, {2, 2}, 1, {0, 0}, a},
            };
            cs[4].a.transpose = 1;
            for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) gc_run(&cs[i], 0);
            if (k == 2) {
                gc_case b = {pw[k], "beta_half", 2, {SH(3, 4), SH(3, 4)}, {2, 2}, 3, {0, 0}, a};
                b.a.beta = 0.5;
                gc_run(&b, 0);
                b.a.beta = 3.0;
                gc_run(&b, 0);
            }
        }
    /* binary cross entropy (with logits): weight, pos_weight, target gradients */
    for (int r = 0; r < 3; r++) {
        op_args a = A_red((tg_reduction)r);
        gc_case cs[] = {
            {"binary_cross_entropy", "plain", 3, {SH(3, 4), SH(3, 4)}, {2, 2, -1}, 3,
             {V_PROB01, V_PROB01}, a},
            {"binary_cross_entropy", "weight_bcast", 3, {SH(3, 4), SH(3, 4), SH(4)}, {2, 2, 1}, 3,
             {V_PROB01, V_PROB01, V_POS}, a},
            {"binary_cross_entropy", "transposed", 3, {SH(4, 3), SH(3, 4)}, {2, 2, -1}, 3,
             {V_PROB01, V_PROB01}, a},
            {"binary_cross_entropy_with_logits", "plain", 4, {SH(3, 4), SH(3, 4)},
             {2, 2, -1, -1}, 3, {0, V_PROB01}, a},
            {"binary_cross_entropy_with_logits", "weight_pos", 4,
             {SH(2, 3, 4), SH(2, 3, 4), SH(3, 1), SH(4)}, {3, 3, 2, 1}, 3,
             {0, V_PROB01, V_POS, V_POS}, a},
            {"binary_cross_entropy_with_logits", "0d_pos", 4, {SH(0), SH(0), SH(0), SH(0)},
             {0, 0, -1, 0}, 3, {0, V_PROB01, 0, V_POS}, a},
        };
        cs[2].a.transpose = 1;
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) gc_run(&cs[i], 0);
    }
    /* layer_norm and batch_norm */
    {
        op_args ln1 = A_red(TG_REDUCTION_MEAN), ln2 = ln1, ln3 = ln1;
        ln1.size[0] = 4, ln1.nsize = 1, ln1.eps = 1e-5;
        ln2.size[0] = 3, ln2.size[1] = 4, ln2.nsize = 2, ln2.eps = 1e-3;
        ln3.size[0] = 3, ln3.nsize = 1, ln3.eps = 1e-5, ln3.transpose = 1;
        gc_case cs[] = {
            {"layer_norm", "last", 3, {SH(2, 3, 4), SH(4), SH(4)}, {3, 1, 1}, 7, {0}, ln1},
            {"layer_norm", "last2", 3, {SH(2, 3, 4), SH(3, 4), SH(3, 4)}, {3, 2, 2}, 7, {0}, ln2},
            {"layer_norm", "no_affine", 3, {SH(2, 3, 4)}, {3, -1, -1}, 1, {0}, ln1},
            {"layer_norm", "transposed", 3, {SH(3, 2), SH(3), SH(0)}, {2, 1, -1}, 3, {0}, ln3},
        };
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) gc_run(&cs[i], 0);
        op_args tr = A_red(TG_REDUCTION_MEAN), ev = tr, tr4 = tr;
        tr.training = true, tr.momentum = 0.1, tr.eps = 1e-5;
        tr4 = tr, tr4.transpose = 1;
        ev.training = false, ev.eps = 1e-5;
        gc_case bs[] = {
            {"batch_norm", "train_2d", 5, {SH(4, 3), SH(3), SH(3), SH(3), SH(3)}, {2, 1, 1, 1, 1},
             25, {0, 0, V_POS, 0, 0}, tr},
            {"batch_norm", "train_4d", 5, {SH(2, 3, 2, 2), SH(0), SH(0), SH(3), SH(3)},
             {4, -1, -1, 1, 1}, 25, {0}, tr},
            {"batch_norm", "train_transposed", 5, {SH(3, 4), SH(3), SH(3)}, {2, 1, 1, -1, -1}, 1,
             {0, 0, V_POS}, tr4},
            {"batch_norm", "eval_3d", 5, {SH(2, 3, 2), SH(3), SH(3), SH(3), SH(3)},
             {3, 1, 1, 1, 1}, 25, {0, 0, V_POS, 0, 0}, ev},
        };
        for (size_t i = 0; i < sizeof bs / sizeof bs[0]; i++) gc_run(&bs[i], 0);
    }
    /* embedding */
    {
        op_args e = A_red(TG_REDUCTION_MEAN), p = e, t = e;
        p.padding_idx = 0; /* the padding row still appears in the output: keep it out */
        t.transpose = 1;
        gc_case cs[] = {
            {"embedding", "2d_idx", 2, {SH(4, 3), SH(2, 3)}, {2, 2}, 1, {0, V_CLASS}, e},
            {"embedding", "padding", 2, {SH(4, 3), SH(6)}, {2, 1}, 1, {0, V_CLASS_NOT0}, p},
            {"embedding", "transposed", 2, {SH(3, 4), SH(5)}, {2, 1}, 1, {0, V_CLASS}, t},
        };
        for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) gc_run(&cs[i], 4);
    }
}

/* ------------------------------------------------------------------ scenarios */

#define scenario(name) TT_FIND(FX, "scenario", name)
#define expect_backward_error(ctx, r) CHECK_RECORD_ERROR(ctx, TG_ERR_AUTOGRAD, "tg_backward", r)

static void test_scenarios(void) {
    tg_ctx *ctx = tg_ctx_new();
    /* batch_norm: training updates without a version bump; eval saved the running mean */
    const tt_record *r = scenario("bn_eval_running_mean_modified");
    tg_tensor *x = tg_tensor_parse(ctx, "[[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *rm = tg_zeros(ctx, TG_SHAPE(3), TG_FLOAT32), *rv = tg_ones(ctx, TG_SHAPE(3), TG_FLOAT32);
    CHECK(tg_batch_norm(x, rm, rv, NULL, NULL, true, 0.1, 1e-5) != NULL);
    CHECK_INT(tg_tensor_version(rm), r ? atoi(tt_get(r, "version_after_train")) : -1);
    tg_tensor *y = tg_batch_norm(x, rm, rv, NULL, NULL, false, 0.1, 1e-5);
    tg_no_grad(ctx);
    tg_add_scalar_(rm, 1);
    tg_grad_mode_pop(ctx);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_ERR_AUTOGRAD);
    expect_backward_error(ctx, r);

    r = scenario("softmax_result_modified");
    x = tg_tensor_parse(ctx, "[[1.0, 2.0], [3.0, 0.0]]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    y = tg_softmax(x, 1);
    CHECK_INT(tg_mul_scalar_(y, 2), TG_OK);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_ERR_AUTOGRAD);
    expect_backward_error(ctx, r);

    r = scenario("layer_norm_input_modified");
    x = tg_tensor_parse(ctx, "[[1.0, 2.0, 4.0]]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *h = tg_mul_scalar(x, 1);
    y = tg_layer_norm(h, TG_SHAPE(3), NULL, NULL, 1e-5);
    CHECK_INT(tg_add_scalar_(h, 1), TG_OK);
    CHECK_INT(tg_backward(tg_sum(y), NULL), TG_ERR_AUTOGRAD);
    expect_backward_error(ctx, r);

    r = scenario("cross_entropy_backward_twice");
    x = tg_tensor_parse(ctx, "[[1.0, 2.0], [3.0, 0.0]]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *t = tg_tensor_parse(ctx, "[0, 1]", TG_INT64);
    y = tg_cross_entropy(x, t, NULL, TG_REDUCTION_MEAN, TG_IGNORE_INDEX_DEFAULT, 0.0);
    CHECK_INT(tg_backward(y, NULL), TG_OK);
    CHECK_RECORD_VALUES(tg_tensor_grad(x), r, "grad", 1e-6, 1e-6);
    CHECK_INT(tg_backward(y, NULL), TG_ERR_AUTOGRAD);
    expect_backward_error(ctx, r);
    tg_ctx_free(ctx);
}

/* NULL inputs keep the first error; no_grad records nothing; results own no graph. */
static void test_null_and_modes(void) {
    tg_ctx *ctx = tg_ctx_new();
    CHECK(tg_softmax(NULL, 0) == NULL);
    CHECK(tg_cross_entropy(NULL, NULL, NULL, TG_REDUCTION_MEAN, -100, 0) == NULL);
    CHECK(tg_batch_norm(NULL, NULL, NULL, NULL, NULL, true, 0.1, 1e-5) == NULL);
    tg_tensor *x = tg_tensor_parse(ctx, "[[1.0, 2.0], [3.0, 0.0]]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    /* a failed op keeps its error through a chain */
    tg_tensor *bad = tg_softmax(x, 5);
    CHECK(tg_mse_loss(bad, x, TG_REDUCTION_SUM) == NULL);
    CHECK_INT(tg_errcode(ctx), TG_ERR_INDEX);
    tg_clear_error(ctx);
    CHECK(tg_mse_loss(x, NULL, TG_REDUCTION_SUM) == NULL);
    CHECK_INT(tg_errcode(ctx), TG_ERR_NULL_ARG);
    tg_clear_error(ctx);
    tg_no_grad(ctx);
    tg_memstats m0 = tg_ctx_memstats(ctx);
    tg_tensor *y = tg_layer_norm(x, TG_SHAPE(2), NULL, NULL, 1e-5);
    CHECK(y && !tg_tensor_requires_grad(y) && tg_tensor_grad_fn(y) == NULL);
    CHECK_INT(tg_ctx_memstats(ctx).nodes, m0.nodes);
    tg_grad_mode_pop(ctx);
    CHECK_OK(ctx);
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

static void setup(void) { FX = tt_fixture_load("nn.txt"); }
static void teardown(void) {
    tt_fixture_free(FX);
    FX = NULL;
}

TT_MAIN(T(setup), T(test_fixtures), T(test_gradcheck), T(test_scenarios), T(test_null_and_modes),
        T(test_coverage), T(teardown))
