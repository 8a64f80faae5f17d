/*
 * test_shape.c — the shape and view ops (src/ops/shape.c) against PyTorch. Every record of
 * tests/fixtures/shape.txt (tools/fixtures_shape.py) is replayed in its own scope: outputs'
 * dtype/shape/values, grad_fn, requires_grad, storage sharing, each input's .grad after the
 * backward of the recorded upstream gradients, and error codes/messages; then float64 gradcheck
 * cases for every op, the several-results protocol, NULL inputs, and a coverage check.
 */
#include "test.h"

#include <stdint.h>

#define MAX_IN 8
#define MAX_OUT 16
#define MAX_LIST 16

/* ------------------------------------------------------------------ the op table */

typedef struct op_args {
    int dim, start_dim, end_dim;
    int64_t start, end, step, length, index, split_size, chunks;
    int64_t dims[MAX_LIST], sizes[MAX_LIST];
    int ndims, nsizes;
} op_args;

/* Runs an op on x[0..nin-1]: its results go to out[] (cap of them); returns their count, or -1
 * when the op failed. */
typedef int (*op_fn)(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap);

static int one(tg_tensor *r, tg_tensor **out) {
    out[0] = r;
    return r ? 1 : -1;
}

static int many(tg_status st, int n) { return st == TG_OK ? n : -1; }

static int f_permute(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap) {
    (void)nin, (void)cap;
    return one(tg_permute(x[0], a->dims, a->ndims), out);
}
static int f_squeeze(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap) {
    (void)nin, (void)cap, (void)a;
    return one(tg_squeeze(x[0]), out);
}
static int f_squeeze_dim(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out,
                         int cap) {
    (void)nin, (void)cap;
    return one(tg_squeeze_dim(x[0], a->dim), out);
}
static int f_expand_as(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out,
                       int cap) {
    (void)nin, (void)cap, (void)a;
    return one(tg_expand_as(x[0], x[1]), out);
}
static int f_flatten(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap) {
    (void)nin, (void)cap;
    return one(tg_flatten(x[0], a->start_dim, a->end_dim), out);
}
static int f_unflatten(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out,
                       int cap) {
    (void)nin, (void)cap;
    return one(tg_unflatten(x[0], a->dim, a->sizes, a->nsizes), out);
}
static int f_narrow(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap) {
    (void)nin, (void)cap;
    return one(tg_narrow(x[0], a->dim, a->start, a->length), out);
}
static int f_slice(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap) {
    (void)nin, (void)cap;
    return one(tg_slice(x[0], a->dim, a->start, a->end, a->step), out);
}
static int f_select(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap) {
    (void)nin, (void)cap;
    return one(tg_select(x[0], a->dim, a->index), out);
}
static int f_split(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap) {
    (void)nin;
    int n = -1;
    tg_status st = tg_split(x[0], a->split_size, a->dim, out, cap, &n);
    return many(st, n);
}
static int f_split_with_sizes(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out,
                              int cap) {
    (void)nin;
    int n = -1;
    tg_status st = tg_split_with_sizes(x[0], a->sizes, a->nsizes, a->dim, out, cap, &n);
    return many(st, n);
}
static int f_chunk(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap) {
    (void)nin;
    int n = -1;
    tg_status st = tg_chunk(x[0], a->chunks, a->dim, out, cap, &n);
    return many(st, n);
}
static int f_cat(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap) {
    (void)cap;
    return one(tg_cat(x, nin, a->dim), out);
}
static int f_stack(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap) {
    (void)cap;
    return one(tg_stack(x, nin, a->dim), out);
}
static int f_repeat(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap) {
    (void)nin, (void)cap;
    return one(tg_repeat(x[0], a->sizes, a->nsizes), out);
}
static int f_flip(tg_tensor *const *x, int nin, const op_args *a, tg_tensor **out, int cap) {
    (void)nin, (void)cap;
    return one(tg_flip(x[0], a->dims, a->ndims), out);
}

typedef struct op_entry {
    const char *name; /* the record's op; the C function is "tg_" name */
    op_fn fn;
} op_entry;

#define E(name) {#name, f_##name}
static op_entry ops[] = {
    E(permute), E(squeeze), E(squeeze_dim), E(expand_as), E(flatten), E(unflatten),
    E(narrow),  E(slice),   E(select),      E(split),     E(split_with_sizes),
    E(chunk),   E(cat),     E(stack),       E(repeat),    E(flip),
};
#undef E
#define N_OPS ((int)(sizeof ops / sizeof ops[0]))

static op_entry *find_op(const char *name) { return TT_LOOKUP(ops, name); }

/* ------------------------------------------------------------------ one record */

static bool parse_args(const tt_record *r, op_args *a) {
    memset(a, 0, sizeof *a);
    a->step = 1;
    const char *s;
    int64_t v[1];
#define INT_ARG(name, field)                                                                   \
    if ((s = tt_get(r, name))) {                                                               \
        if (tt_parse_ints(s, v, 1) != 1) return false;                                         \
        a->field = v[0];                                                                       \
    }
    INT_ARG("dim", dim)
    INT_ARG("start_dim", start_dim)
    INT_ARG("end_dim", end_dim)
    INT_ARG("start", start)
    INT_ARG("end", end)
    INT_ARG("step", step)
    INT_ARG("length", length)
    INT_ARG("index", index)
    INT_ARG("split_size", split_size)
    INT_ARG("chunks", chunks)
#undef INT_ARG
    if ((s = tt_get(r, "dims")) && (a->ndims = tt_parse_ints(s, a->dims, MAX_LIST)) < 0)
        return false;
    if ((s = tt_get(r, "sizes")) && (a->nsizes = tt_parse_ints(s, a->sizes, MAX_LIST)) < 0)
        return false;
    return true;
}

static bool flag(const tt_record *r, const char *k) {
    const char *s = tt_get(r, k);
    return s && strcmp(s, "1") == 0;
}

/* Backward of the recorded upstream gradients: one output gets tg_backward(out, v); several
 * get the backward of sum_k sum(out_k * v_k), whose gradient reaching out_k is exactly v_k
 * (outputs marked "none" get none, as in torch.autograd.backward). Returns false when the
 * record has no upstream gradient. */
static bool run_backward(tg_ctx *ctx, const tt_record *r, tg_tensor **out, int nout,
                         tg_dtype *odt, int64_t (*oshape)[TG_MAX_DIMS], const int *ond) {
    tg_tensor *loss = NULL, *single = NULL;
    int given = 0;
    for (int k = 0; k < nout; k++) {
        char kb[32];
        snprintf(kb, sizeof kb, "v%d", k);
        const char *vs = tt_get(r, kb);
        if (!vs || strcmp(vs, "none") == 0) continue;
        tg_tensor *v = tt_tensor_from(ctx, vs, odt[k], oshape[k], ond[k]);
        if (!v) {
            tt_failf(__FILE__, __LINE__, "cannot build v%d", k);
            return true;
        }
        given++;
        if (nout == 1) {
            single = v;
            break;
        }
        tg_tensor *term = tg_sum(tg_mul(out[k], v));
        loss = loss ? tg_add(loss, term) : term;
    }
    if (!given) return false;
    tg_status st = nout == 1 ? tg_backward(out[0], single) : tg_backward(loss, NULL);
    if (st != TG_OK) {
        tt_failf(__FILE__, __LINE__, "tg_backward failed: %s", tg_errmsg(ctx));
        tg_clear_error(ctx);
    }
    return true;
}

static void run_record(tg_ctx *ctx, const tt_record *r) {
    op_entry *op = TT_RECORD_OP(ops, r);
    if (!op) return;
    const char *opname = op->name;
    op_args args;
    tt_input in[MAX_IN];
    tg_tensor *x[MAX_IN];
    int nin = TT_RECORD_INPUTS(ctx, r, in, x);
    if (nin < 0) return;
    if (!parse_args(r, &args) || nin < 1) {
        tt_failf(__FILE__, __LINE__, "malformed record (args or %d inputs for %s)", nin, opname);
        return;
    }
    tg_tensor *out[MAX_OUT] = {NULL};
    int nout = op->fn(x, nin, &args, out, MAX_OUT);

    if (!CHECK_OP_OUTCOME(ctx, r, nout < 0)) return;

    /* forward */
    const char *nouts = tt_get(r, "outputs");
    CHECK_INT(nout, nouts ? atoi(nouts) : -1);
    if (!nouts || nout != atoi(nouts)) return;
    tg_dtype odt[MAX_OUT];
    int64_t oshape[MAX_OUT][TG_MAX_DIMS];
    int ond[MAX_OUT];
    bool rg = flag(r, "out_requires_grad");
    for (int k = 0; k < nout; k++) {
        char kb[32], what[32];
        snprintf(what, sizeof what, "out%d", k);
        if (!TT_RECORD_DTYPE_SHAPE(r, what, &odt[k], oshape[k], &ond[k])) return;
        snprintf(what, sizeof what, "output %d", k);
        CHECK_TENSOR(what, out[k], odt[k], oshape[k], ond[k],
                     tt_get(r, tt_key(kb, sizeof kb, "out", k, "values")), tt_tol(odt[k]));
        CHECK_RECORD_AUTOGRAD(out[k], r);
        if (k > 0) CHECK(tg_tensor_grad_fn(out[k]) == tg_tensor_grad_fn(out[0])); /* one node */
    }

    /* backward */
    if (rg && run_backward(ctx, r, out, nout, odt, oshape, ond)) {
        for (int i = 0; i < nin; i++) CHECK_INPUT_GRAD(r, i, &in[i], tt_tol(in[i].dtype));
    }

    /* views share the input's storage, so its version counter: modify the input in place */
    bool shares = flag(r, "shares_storage");
    if (nout > 0) {
        int64_t v0 = tg_tensor_version(out[0]);
        tg_no_grad(ctx);
        CHECK_INT(tg_zero_(in[0].leaf), TG_OK);
        tg_grad_mode_pop(ctx);
        bool moved = tg_tensor_version(out[0]) != v0;
        if (moved == shares) tt_pass++;
        else tt_failf(__FILE__, __LINE__, "output %s the input's storage, PyTorch's %s",
                      moved ? "shares" : "does not share", shares ? "does" : "does not");
    }
}

static void test_fixtures(void) { tt_replay_fixture("shape.txt", 300, "case", run_record); }

/* ------------------------------------------------------------------ gradcheck */

/* One float64 gradcheck case: inputs of the given shapes (random normal, requiring grad unless
 * listed in no_grad), input 0 transposed (dims 0, 1) inside the function when transpose is set,
 * the op run through the table; for several results `pick` chooses one (>= 0) or -1 joins them
 * all (output k flattened and scaled by k + 1, then concatenated). */
typedef struct gc_case {
    const char *op, *what;
    int nin;
    int ndim[MAX_IN];
    int64_t shape[MAX_IN][4];
    bool transpose;
    unsigned no_grad; /* bit i: input i does not require grad */
    int pick;
    op_args a;
} gc_case;

static tg_tensor *gc_fn(tg_tensor *const *inputs, int n, void *user) {
    const gc_case *c = user;
    op_entry *op = find_op(c->op);
    tg_tensor *x[MAX_IN] = {NULL};
    for (int i = 0; i < n && i < MAX_IN; i++) x[i] = inputs[i];
    if (c->transpose) x[0] = tg_transpose(x[0], 0, 1);
    tg_tensor *out[MAX_OUT];
    int k = op ? op->fn(x, n, &c->a, out, MAX_OUT) : -1;
    if (k <= 0) return NULL;
    if (k == 1 || c->pick >= 0) return c->pick >= 0 && c->pick < k ? out[c->pick] : out[0];
    tg_tensor *parts[MAX_OUT];
    for (int i = 0; i < k; i++) parts[i] = tg_mul_scalar(tg_flatten(out[i], 0, -1), i + 1);
    return tg_cat(parts, k, 0);
}

static const gc_case gc_cases[] = {
    {"permute", "3d", 1, {3}, {{2, 3, 4}}, false, 0, -1, {.dims = {2, 0, 1}, .ndims = 3}},
    {"permute", "noncontig neg", 1, {3}, {{3, 2, 2}}, true, 0, -1, {.dims = {-1, 0, 1}, .ndims = 3}},
    {"permute", "0d", 1, {0}, {{0}}, false, 0, -1, {.ndims = 0}},
    {"squeeze", "1x3x1x2", 1, {4}, {{1, 3, 1, 2}}, false, 0, -1, {0}},
    {"squeeze", "noncontig", 1, {3}, {{2, 1, 3}}, true, 0, -1, {0}},
    {"squeeze_dim", "d2", 1, {4}, {{1, 3, 1, 2}}, false, 0, -1, {.dim = 2}},
    {"squeeze_dim", "no-op", 1, {2}, {{3, 2}}, false, 0, -1, {.dim = -1}},
    {"expand_as", "bcast", 2, {2, 3}, {{3, 1}, {2, 3, 4}}, false, 2u, -1, {0}},
    {"expand_as", "noncontig", 2, {2, 2}, {{3, 1}, {2, 3}}, true, 2u, -1, {0}},
    {"flatten", "view", 1, {3}, {{2, 3, 2}}, false, 0, -1, {.start_dim = 1, .end_dim = 2}},
    {"flatten", "copy", 1, {3}, {{3, 2, 2}}, true, 0, -1, {.start_dim = 0, .end_dim = -1}},
    {"flatten", "0d", 1, {0}, {{0}}, false, 0, -1, {.start_dim = 0, .end_dim = -1}},
    {"unflatten", "infer", 1, {2}, {{2, 6}}, false, 0, -1, {.dim = 1, .sizes = {3, -1}, .nsizes = 2}},
    {"unflatten", "noncontig", 1, {2}, {{4, 6}}, true, 0, -1, {.dim = 0, .sizes = {2, 3}, .nsizes = 2}},
    {"narrow", "d1", 1, {2}, {{3, 5}}, false, 0, -1, {.dim = 1, .start = -3, .length = 2}},
    {"narrow", "noncontig", 1, {2}, {{4, 3}}, true, 0, -1, {.dim = 0, .start = 1, .length = 2}},
    {"slice", "step2", 1, {2}, {{5, 3}}, false, 0, -1, {.dim = 0, .start = 0, .end = INT64_MAX, .step = 2}},
    {"slice", "noncontig neg", 1, {3}, {{3, 4, 2}}, true, 0, -1, {.dim = -2, .start = -2, .end = 10, .step = 1}},
    {"slice", "empty", 1, {2}, {{3, 2}}, false, 0, -1, {.dim = 0, .start = 2, .end = 1, .step = 1}},
    {"select", "d1", 1, {2}, {{3, 4}}, false, 0, -1, {.dim = 1, .index = -2}},
    {"select", "noncontig 3d", 1, {3}, {{3, 2, 2}}, true, 0, -1, {.dim = 0, .index = 1}},
    {"split", "all", 1, {2}, {{5, 2}}, false, 0, -1, {.split_size = 2, .dim = 0}},
    {"split", "middle only", 1, {2}, {{5, 2}}, false, 0, 1, {.split_size = 2, .dim = 0}},
    {"split", "noncontig", 1, {2}, {{3, 4}}, true, 0, -1, {.split_size = 3, .dim = 0}},
    {"split_with_sizes", "all", 1, {2}, {{2, 6}}, false, 0, -1, {.sizes = {1, 0, 5}, .nsizes = 3, .dim = 1}},
    {"split_with_sizes", "last only", 1, {2}, {{6, 2}}, false, 0, 2, {.sizes = {1, 2, 3}, .nsizes = 3, .dim = 0}},
    {"chunk", "all", 1, {2}, {{5, 3}}, false, 0, -1, {.chunks = 3, .dim = 0}},
    {"chunk", "first only", 1, {2}, {{2, 4}}, true, 0, 0, {.chunks = 2, .dim = -1}},
    {"cat", "three", 3, {2, 2, 2}, {{2, 3}, {1, 3}, {3, 3}}, false, 0, -1, {.dim = 0}},
    {"cat", "noncontig d1 one grad", 2, {2, 2}, {{3, 2}, {2, 2}}, true, 2u, -1, {.dim = 1}},
    {"cat", "legacy empty", 2, {2, 1}, {{2, 3}, {0}}, false, 0, -1, {.dim = -1}},
    {"stack", "d1", 2, {2, 2}, {{2, 3}, {2, 3}}, false, 0, -1, {.dim = 1}},
    {"stack", "noncontig last", 2, {2, 2}, {{3, 2}, {2, 3}}, true, 0, -1, {.dim = -1}},
    {"stack", "0d", 3, {0, 0, 0}, {{0}, {0}, {0}}, false, 0, -1, {.dim = 0}},
    {"repeat", "lead", 1, {2}, {{2, 3}}, false, 0, -1, {.sizes = {2, 1, 2}, .nsizes = 3}},
    {"repeat", "noncontig", 1, {2}, {{3, 2}}, true, 0, -1, {.sizes = {3, 2}, .nsizes = 2}},
    {"repeat", "0d", 1, {0}, {{0}}, false, 0, -1, {.sizes = {2, 2}, .nsizes = 2}},
    {"flip", "both", 1, {2}, {{2, 3}}, false, 0, -1, {.dims = {0, -1}, .ndims = 2}},
    {"flip", "noncontig", 1, {3}, {{3, 2, 2}}, true, 0, -1, {.dims = {1}, .ndims = 1}},
};
#define N_GC ((int)(sizeof gc_cases / sizeof gc_cases[0]))

static void test_gradcheck(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 7);
    for (int c = 0; c < N_GC; c++) {
        const gc_case *gc = &gc_cases[c];
        if (!find_op(gc->op)) continue; /* test_coverage reports it */
        tg_scope_begin(ctx);
        tg_tensor *in[MAX_IN];
        for (int i = 0; i < gc->nin; i++) {
            in[i] = tg_randn(ctx, gc->shape[i], gc->ndim[i], TG_FLOAT64);
            if (in[i] && !(gc->no_grad >> i & 1u)) tg_requires_grad_(in[i], true);
        }
        tg_status st = tg_gradcheck(gc_fn, in, gc->nin, (void *)(uintptr_t)gc, NULL);
        if (st == TG_OK) {
            tt_pass++;
        } else {
            tt_failf(__FILE__, __LINE__, "gradcheck %s (%s): %s", gc->op, gc->what,
                     tg_errmsg(ctx));
            tg_clear_error(ctx);
        }
        tg_scope_end(ctx);
        CHECK_NOTHING_ALIVE(ctx);
    }
    tg_ctx_free(ctx);
}

/* ------------------------------------------------------------------ by hand */

static tg_tensor *arange(tg_ctx *ctx, int64_t n, const int64_t *shape, int ndim) {
    return tg_reshape(tg_arange(ctx, 0, (double)n, 1, TG_FLOAT32), shape, ndim);
}

/* The several-results protocol: counting, too small an array, NULL out. */
static void test_out_array(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *x = arange(ctx, 10, TG_SHAPE(5, 2));
    tg_tensor *parts[4] = {NULL, NULL, NULL, NULL};
    int n = -1;
    CHECK_INT(tg_split(x, 2, 0, NULL, 0, &n), TG_OK); /* count only */
    CHECK_INT(n, 3);
    CHECK_OK(ctx);
    n = -1;
    CHECK_INT(tg_split(x, 2, 0, parts, 2, &n), TG_ERR_INVALID_ARG);
    CHECK_ERR(ctx, TG_ERR_INVALID_ARG, "tg_split: out has room for 2 tensors, but the result has 3");
    CHECK_INT(n, 3);
    CHECK(parts[0] == NULL && parts[1] == NULL);
    CHECK_INT(tg_chunk(x, 4, 0, NULL, 3, &n), TG_ERR_NULL_ARG);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_chunk: argument 'out' is NULL");
    CHECK_INT(tg_chunk(x, 4, 0, parts, 4, NULL), TG_OK); /* n_out may be NULL */
    CHECK_INT(tg_tensor_size(parts[2], 0), 1);
    CHECK(parts[3] == NULL); /* ceil(5 / 4) = 2 per chunk: three chunks */
    int64_t sizes[2] = {1, 4};
    CHECK_INT(tg_split_with_sizes(x, sizes, 2, 0, parts, 1, &n), TG_ERR_INVALID_ARG);
    CHECK_ERR(ctx, TG_ERR_INVALID_ARG,
              "tg_split_with_sizes: out has room for 1 tensors, but the result has 2");
    CHECK_INT(n, 2);
    /* an empty list of sizes on an empty dim: no results, no node */
    tg_tensor *e = tg_zeros(ctx, TG_SHAPE(0, 2), TG_FLOAT32);
    CHECK_INT(tg_split_with_sizes(e, NULL, 0, 0, NULL, 0, &n), TG_OK);
    CHECK_INT(n, 0);
    CHECK_INT(tg_split_with_sizes(e, NULL, 0, 0, parts, 4, &n), TG_OK);
    CHECK_INT(n, 0);
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

/* NULL inputs return NULL (or TG_ERR_NULL_ARG) and keep the error that produced them; empty
 * lists to cat/stack have no context to report on. */
static void test_null_inputs(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *x = arange(ctx, 6, TG_SHAPE(2, 3));
    tg_tensor *bad = tg_select(x, 0, 5); /* the first error */
    CHECK(bad == NULL);
    const char *first = "tg_select: select(): index 5 out of range for tensor of size [2, 3] at "
                        "dimension 0";
    CHECK_STR(tg_errmsg(ctx), first);
    CHECK(tg_permute(bad, NULL, 0) == NULL);
    CHECK(tg_flip(tg_squeeze(tg_narrow(bad, 0, 0, 1)), NULL, 0) == NULL);
    CHECK(tg_repeat(tg_flatten(tg_squeeze_dim(bad, 0), 0, -1), NULL, 0) == NULL);
    CHECK(tg_unflatten(tg_slice(bad, 0, 0, 1, 1), 0, NULL, 0) == NULL);
    CHECK(tg_expand_as(bad, x) == NULL && tg_expand_as(x, bad) == NULL);
    tg_tensor *list[2] = {x, bad};
    CHECK(tg_cat(list, 2, 0) == NULL && tg_stack(list, 2, 0) == NULL);
    int n = 7;
    CHECK_INT(tg_split(bad, 1, 0, NULL, 0, &n), TG_ERR_NULL_ARG);
    CHECK_INT(tg_chunk(bad, 1, 0, NULL, 0, &n), TG_ERR_NULL_ARG);
    CHECK_INT(tg_split_with_sizes(bad, NULL, 0, 0, NULL, 0, &n), TG_ERR_NULL_ARG);
    CHECK_INT(n, 7);
    CHECK_ERR(ctx, TG_ERR_INDEX, first); /* still the first error */
    /* without an earlier error a NULL entry is reported */
    CHECK(tg_cat(list, 2, 0) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_cat: argument 'tensors[1]' is NULL");
    CHECK(tg_expand_as(x, NULL) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_expand_as: argument 'other' is NULL");
    CHECK(tg_permute(x, NULL, 2) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_permute: argument 'dims' is NULL");
    /* empty lists: nothing to report on, nothing recorded */
    CHECK(tg_cat(NULL, 0, 0) == NULL && tg_cat(list, 0, 0) == NULL);
    CHECK(tg_stack(NULL, 0, 0) == NULL && tg_stack(list, 0, -1) == NULL);
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

/* Views alias: writing through one is seen by the other, and both share one version counter. */
static void test_views_alias(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *x = arange(ctx, 12, TG_SHAPE(3, 4));
    tg_tensor *s = tg_slice(x, 1, 1, TG_SLICE_END, 2); /* columns 1 and 3 */
    tg_tensor *r = tg_select(s, 0, 2);                  /* x[2, 1], x[2, 3] */
    tg_tensor *parts[3];
    CHECK_INT(tg_chunk(x, 3, 0, parts, 3, NULL), TG_OK);
    CHECK_INT(tg_fill_(r, -1), TG_OK);
    CHECK_NEAR(tg_tensor_get(x, 9), -1, 0);
    CHECK_NEAR(tg_tensor_get(x, 11), -1, 0);
    CHECK_NEAR(tg_tensor_get(parts[2], 1), -1, 0);
    CHECK_NEAR(tg_tensor_get(parts[2], 2), 10, 0);
    CHECK_INT(tg_tensor_version(x), 1);
    CHECK_INT(tg_tensor_version(parts[0]), 1);
    CHECK(!tg_tensor_is_contiguous(s));
    CHECK_INT(tg_tensor_strides(s)[1], 2);
    /* copies do not alias */
    tg_tensor *c = tg_flip(x, (const int64_t[]){0}, 1);
    CHECK_INT(tg_tensor_version(c), 0);
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

/* One node with several outputs: outputs that take part in the loss or not, and repeated
 * backward without retain_graph (the node keeps its sizes, and saves no tensor). */
static void test_split_graph(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *x = arange(ctx, 6, TG_SHAPE(6));
    tg_requires_grad_(x, true);
    tg_tensor *p[3];
    int64_t sizes[3] = {1, 2, 3};
    CHECK_INT(tg_split_with_sizes(x, sizes, 3, 0, p, 3, NULL), TG_OK);
    CHECK(tg_tensor_grad_fn(p[0]) == tg_tensor_grad_fn(p[2]));
    tg_tensor *v = tg_tensor_parse(ctx, "[10, 20]", TG_FLOAT32);
    CHECK_INT(tg_backward(p[1], v), TG_OK);
    CHECK_INT(tg_backward(p[1], v), TG_OK); /* nothing saved: allowed again, accumulates */
    double want[6] = {0, 20, 40, 0, 0, 0};
    CHECK_VALUES(tg_tensor_grad(x), want, 6, 0, 0);
    /* a piece of a piece: SplitBackward0 under SliceBackward0 */
    tg_zero_grad(x);
    tg_tensor *q = tg_narrow(p[2], 0, 1, 2);
    CHECK_STR(tg_node_name(tg_tensor_grad_fn(q)), "SliceBackward0");
    CHECK_INT(tg_backward(tg_sum(q), NULL), TG_OK);
    double want2[6] = {0, 0, 0, 0, 1, 1};
    CHECK_VALUES(tg_tensor_grad(x), want2, 6, 0, 0);
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

/* In place on the views: PyTorch forbids it on the outputs of a multi-view op while recording;
 * a single view (slice) goes through the base's CopySlices (src/autograd/copyslices.c). */
static void test_inplace_on_views(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *leaf = arange(ctx, 4, TG_SHAPE(4));
    tg_requires_grad_(leaf, true);
    tg_tensor *x = tg_mul_scalar(leaf, 1); /* a non-leaf: in-place ops are allowed on it */
    tg_tensor *p[2];
    CHECK_INT(tg_chunk(x, 2, 0, p, 2, NULL), TG_OK);
    CHECK_INT(tg_add_scalar_(p[1], 1), TG_ERR_AUTOGRAD);
    CHECK_ERR(ctx, TG_ERR_AUTOGRAD,
              "tg_add_scalar_: Output 1 of SplitBackward0 is a view and is being modified "
              "inplace. This view is the output of a function that returns multiple views. Such "
              "functions do not allow the output views to be modified inplace. You should "
              "replace the inplace operation by an out-of-place one.");
    tg_no_grad(ctx); /* not recording: allowed, and seen through x */
    CHECK_INT(tg_add_scalar_(p[1], 1), TG_OK);
    tg_grad_mode_pop(ctx);
    CHECK_NEAR(tg_tensor_get(x, 3), 4, 0);
    /* x[1:3] *= 2 while recording: d/dleaf sum(x) = [1, 2, 2, 1] */
    tg_tensor *s = tg_slice(x, 0, 1, 3, 1);
    if (tg_mul_scalar_(s, 2) == TG_OK) {
        CHECK_STR(tg_node_name(tg_tensor_grad_fn(s)), "AsStridedBackward0");
        CHECK_STR(tg_node_name(tg_tensor_grad_fn(x)), "CopySlices");
        CHECK_INT(tg_backward(tg_sum(x), NULL), TG_OK);
        double want[4] = {1, 2, 2, 1};
        CHECK_VALUES(tg_tensor_grad(leaf), want, 4, 0, 0);
    } else {
        tt_failf(__FILE__, __LINE__, "in place on a slice: %s", tg_errmsg(ctx));
        tg_clear_error(ctx);
    }
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

/* Gradients of gradients: with create_graph the backward formulas are recorded
 * (SliceBackwardBackward0, SelectBackwardBackward0, CatBackward0 ...), so the gradient of
 * f(x) = sum_k sum(op(x)_k ^ 3), i.e. op's backward applied to 3 op(x)^2, is itself a function
 * of x with a graph: gradcheck compares its Jacobian (through op's backward formula) with
 * finite differences. */
typedef struct gg_case {
    const char *op;
    op_args a;
    int64_t shape[3];
    int ndim;
} gg_case;

static tg_tensor *grad_of_outputs(tg_tensor *x, tg_tensor **out, int k) {
    tg_tensor *f = NULL;
    for (int i = 0; i < k; i++) {
        tg_tensor *t = tg_sum(tg_pow_scalar(out[i], 3));
        f = f ? tg_add(f, t) : t;
    }
    tg_tensor *g = NULL;
    tg_grad_opts o = {.create_graph = true};
    if (tg_autograd_grad(&f, 1, &x, 1, NULL, &o, &g) != TG_OK) return NULL;
    return g;
}

static tg_tensor *grad_of(tg_tensor *const *inputs, int n, void *user) {
    (void)n;
    const gg_case *c = user;
    tg_tensor *x = inputs[0];
    tg_ctx *ctx = tg_tensor_ctx(x);
    tg_tensor *out[MAX_OUT];
    tg_enable_grad(ctx); /* gradcheck evaluates under no_grad; the gradient needs a graph */
    int k = find_op(c->op)->fn(&x, 1, &c->a, out, MAX_OUT);
    tg_tensor *g = NULL;
    if (k > 0) g = grad_of_outputs(x, out, k);
    tg_grad_mode_pop(ctx);
    return g;
}

static void test_double_backward(void) {
    static const gg_case cases[] = {
        {"slice", {.dim = 1, .start = 1, .end = INT64_MAX, .step = 2}, {3, 5}, 2},
        {"narrow", {.dim = 0, .start = 1, .length = 2}, {3, 2}, 2},
        {"select", {.dim = 0, .index = -1}, {3, 2}, 2},
        {"split", {.split_size = 2, .dim = 1}, {2, 5}, 2},
        {"chunk", {.chunks = 2, .dim = 0}, {3, 2}, 2},
        {"cat", {.dim = 0}, {2, 3}, 2},
        {"stack", {.dim = 1}, {2, 3}, 2},
        {"repeat", {.sizes = {2, 1, 3}, .nsizes = 3}, {2, 2}, 2},
        {"flip", {.dims = {1}, .ndims = 1}, {2, 3}, 2},
        {"permute", {.dims = {1, 0}, .ndims = 2}, {2, 3}, 2},
    };
    tg_ctx *ctx = tg_ctx_new();
    tg_manual_seed(ctx, 3);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tg_scope_begin(ctx);
        tg_tensor *x = tg_randn(ctx, cases[c].shape, cases[c].ndim, TG_FLOAT64);
        tg_requires_grad_(x, true);
        if (tg_gradcheck(grad_of, &x, 1, (void *)(uintptr_t)&cases[c], NULL) == TG_OK) tt_pass++;
        else {
            tt_failf(__FILE__, __LINE__, "gradgradcheck %s: %s", cases[c].op, tg_errmsg(ctx));
            tg_clear_error(ctx);
        }
        tg_scope_end(ctx);
    }
    /* the recorded backward formulas' names */
    tg_scope_begin(ctx);
    tg_tensor *x = tg_randn(ctx, TG_SHAPE(3, 4), TG_FLOAT64);
    tg_requires_grad_(x, true);
    tg_tensor *w = tg_randn(ctx, TG_SHAPE(2), TG_FLOAT64);
    tg_requires_grad_(w, true);
    const struct {
        tg_tensor *y;
        const char *name;
    } named[] = {
        {tg_slice(x, 1, 1, 3, 1), "SliceBackwardBackward0"},
        {tg_select(x, 1, 2), "SelectBackwardBackward0"},
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        /* y's upstream gradient w requires grad, so slice_backward(w) is recorded */
        tg_tensor *vv = i == 0 ? tg_expand(tg_unsqueeze(w, 0), TG_SHAPE(3, 2))
                               : tg_cat((tg_tensor *[]){w, tg_narrow(w, 0, 0, 1)}, 2, 0);
        tg_tensor *g = NULL;
        tg_grad_opts o = {.create_graph = true};
        CHECK_INT(tg_autograd_grad(&named[i].y, 1, &x, 1, &vv, &o, &g), TG_OK);
        CHECK_STR(g ? tg_node_name(tg_tensor_grad_fn(g)) : "NULL", named[i].name);
    }
    tg_scope_end(ctx);
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

/* Every op has fixture records with values (not only errors) and gradcheck cases, and every
 * record and case names an op of the table. */
static void test_coverage(void) {
    int records[N_OPS] = {0}, gradchecks[N_OPS] = {0};
    tt_fixture *fx = tt_fixture_load("shape.txt");
    for (int i = 0; fx && i < fx->n; i++) {
        op_entry *op = find_op(tt_get(&fx->recs[i], "op"));
        if (!op)
            tt_failf(__FILE__, __LINE__, "record %s: op not in the table",
                     tt_get(&fx->recs[i], "case"));
        else if (!tt_get(&fx->recs[i], "error"))
            records[op - ops]++;
    }
    tt_fixture_free(fx);
    for (int c = 0; c < N_GC; c++) {
        op_entry *op = find_op(gc_cases[c].op);
        if (op) gradchecks[op - ops]++;
        else tt_failf(__FILE__, __LINE__, "gradcheck case for unknown op %s", gc_cases[c].op);
    }
    for (int i = 0; i < N_OPS; i++) {
        if (records[i] == 0)
            tt_failf(__FILE__, __LINE__, "op %s has no record with values in shape.txt",
                     ops[i].name);
        else tt_pass++;
        if (gradchecks[i] == 0)
            tt_failf(__FILE__, __LINE__, "op %s has no gradcheck case", ops[i].name);
        else tt_pass++;
    }
}

TT_MAIN(T(test_fixtures), T(test_gradcheck), T(test_out_array), T(test_null_inputs),
        T(test_views_alias), T(test_split_graph), T(test_inplace_on_views),
        T(test_double_backward), T(test_coverage))
