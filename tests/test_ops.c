/*
 * test_ops.c — every op of the current op set against PyTorch. Each record of
 * tests/fixtures/ops.txt (made by tools/fixtures_ops.py) is replayed in its own scope: inputs
 * are built (transposed, requiring grad) as the record says, the op runs through the table
 * below, and dtype, shape, values, requires_grad, the grad_fn name, and after tg_backward(out, v)
 * every input's .grad are compared; error records check the code and "tg_<op>: <message>".
 */
#include "test.h"

#include <stdint.h>

/* ------------------------------------------------------------------ record parsing */

static bool parse_dtype(const char *s, tg_dtype *out) {
    static const struct {
        const char *name;
        tg_dtype dtype;
    } names[] = {{"float32", TG_FLOAT32}, {"float64", TG_FLOAT64}, {"int64", TG_INT64},
                 {"bool", TG_BOOL}};
    for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].dtype;
            return true;
        }
    return false;
}

/* "2 -3 4" into out[]; returns the count, or -1 if there are more than cap numbers. */
static int parse_ints(const char *s, int64_t *out, int cap) {
    int n = 0;
    while (s && *s) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s) break;
        if (n == cap) return -1;
        out[n++] = (int64_t)v;
        s = end;
    }
    return n;
}

/* int64 values parsed exactly (strtoll); malloc'd, never zero-sized */
static int64_t *parse_int64s(const char *s, int64_t *count) {
    int64_t cap = 16, n = 0;
    int64_t *out = malloc((size_t)cap * sizeof *out);
    while (out && s && *s) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s) break;
        if (n == cap) {
            int64_t *grown = realloc(out, (size_t)(cap *= 2) * sizeof *out);
            if (!grown) {
                free(out);
                return NULL;
            }
            out = grown;
        }
        out[n++] = (int64_t)v;
        s = end;
    }
    *count = n;
    return out;
}

/* Element data in dtype's C type (malloc'd, never zero-sized); *count receives the count. */
static void *values_data(const char *values, tg_dtype dtype, int64_t *count) {
    if (dtype == TG_INT64) return parse_int64s(values, count);
    int64_t n;
    double *d = tt_parse_doubles(values ? values : "", &n);
    if (!d) return NULL;
    *count = n;
    size_t es = dtype == TG_FLOAT64 ? 8 : dtype == TG_FLOAT32 ? 4 : 1;
    unsigned char *out = malloc((size_t)(n ? n : 1) * es);
    if (!out) {
        free(d);
        return NULL;
    }
    for (int64_t i = 0; i < n; i++) {
        switch (dtype) {
        case TG_FLOAT32: ((float *)out)[i] = (float)d[i]; break;
        case TG_FLOAT64: ((double *)out)[i] = d[i]; break;
        default: ((bool *)out)[i] = d[i] != 0; break;
        }
    }
    free(d);
    return out;
}

static const char *key(char *buf, size_t cap, int i, const char *what) {
    snprintf(buf, cap, "in%d_%s", i, what);
    return buf;
}

/* ------------------------------------------------------------------ comparison */

static const char *dtype_str(tg_dtype d) {
    switch (d) {
    case TG_FLOAT32: return "float32";
    case TG_FLOAT64: return "float64";
    case TG_INT64: return "int64";
    case TG_BOOL: return "bool";
    }
    return "?";
}

/* Checks t's dtype, shape and values against the expected ones. Floats: |got - want| <=
 * tol + tol * |want| with tol 1e-5 for float32 and 1e-12 for float64 (1e-5 as well when the
 * value went through float32 on the way: f32_path, see run_record), nan == nan and infinities
 * exact; int64 and bool exact. what names the tensor in failure messages. */
static void check_tensor(const char *what, const tg_tensor *t, tg_dtype dtype,
                         const int64_t *shape, int ndim, const char *values, bool f32_path) {
    if (!t) {
        tt_failf(__FILE__, __LINE__, "%s is NULL", what);
        return;
    }
    if (tg_tensor_dtype(t) != dtype) {
        tt_failf(__FILE__, __LINE__, "%s dtype: got %s, expected %s", what,
                 dtype_str(tg_tensor_dtype(t)), dtype_str(dtype));
        return;
    }
    bool same = tg_tensor_ndim(t) == ndim;
    for (int d = 0; same && d < ndim; d++) same = tg_tensor_shape(t)[d] == shape[d];
    if (!same) {
        char got[128] = "", want[128] = "";
        for (int d = 0; d < tg_tensor_ndim(t); d++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", d ? ", " : "",
                     (long long)tg_tensor_shape(t)[d]);
        for (int d = 0; d < ndim; d++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld", d ? ", " : "",
                     (long long)shape[d]);
        tt_failf(__FILE__, __LINE__, "%s shape: got [%s], expected [%s]", what, got, want);
        return;
    }
    tt_pass++;
    int64_t n = tg_tensor_numel(t);
    if (dtype == TG_INT64) {
        int64_t cnt = 0;
        int64_t *want = parse_int64s(values, &cnt);
        int64_t *got = malloc((size_t)(n ? n : 1) * sizeof *got);
        if (!want || !got || cnt != n || tg_tensor_copy_out(t, got, (size_t)n * sizeof *got)) {
            tt_failf(__FILE__, __LINE__, "%s: %lld expected values for %lld elements", what,
                     (long long)cnt, (long long)n);
        } else {
            int64_t bad = -1;
            for (int64_t i = 0; i < n && bad < 0; i++)
                if (got[i] != want[i]) bad = i;
            if (bad >= 0)
                tt_failf(__FILE__, __LINE__, "%s element %lld: got %lld expected %lld", what,
                         (long long)bad, (long long)got[bad], (long long)want[bad]);
            else
                tt_pass++;
        }
        free(want);
        free(got);
        return;
    }
    int64_t cnt = 0;
    double *want = tt_parse_doubles(values ? values : "", &cnt);
    if (!want || cnt != n) {
        tt_failf(__FILE__, __LINE__, "%s: %lld expected values for %lld elements", what,
                 (long long)cnt, (long long)n);
        free(want);
        return;
    }
    double tol = dtype == TG_FLOAT32 || (dtype == TG_FLOAT64 && f32_path) ? 1e-5
                 : dtype == TG_FLOAT64                                      ? 1e-12
                                                                            : 0.0;
    int64_t worst = -1;
    double maxdiff = 0;
    for (int64_t i = 0; i < n; i++) {
        double a = tg_tensor_get(t, i), b = want[i];
        if (dtype == TG_BOOL) b = b != 0;
        if (a == b || (isnan(a) && isnan(b))) continue;
        double diff = fabs(a - b);
        if (isnan(diff) || isinf(a) || isinf(b) || diff > tol + tol * fabs(b)) {
            if (worst < 0 || !(diff <= maxdiff)) {
                worst = i;
                maxdiff = diff;
            }
        }
    }
    if (worst >= 0)
        tt_failf(__FILE__, __LINE__, "%s element %lld of %lld: got %.17g expected %.17g (max diff "
                 "%.3g)", what, (long long)worst, (long long)n, tg_tensor_get(t, worst),
                 want[worst], maxdiff);
    else
        tt_pass++;
    free(want);
}

/* ------------------------------------------------------------------ the op table */

typedef struct op_args {
    double scalar, p;
    int64_t dims[TG_MAX_DIMS], size[TG_MAX_DIMS];
    int ndims, nsize;
    bool keepdim;
    int dim0, dim1, dim;
} op_args;

typedef tg_tensor *(*op_fn)(tg_tensor *const *x, const op_args *a);

#define BIN(name)                                                                              \
    static tg_tensor *f_##name(tg_tensor *const *x, const op_args *a) {                        \
        (void)a;                                                                               \
        return tg_##name(x[0], x[1]);                                                          \
    }
#define SCA(name)                                                                              \
    static tg_tensor *f_##name(tg_tensor *const *x, const op_args *a) {                        \
        return tg_##name(x[0], a->scalar);                                                     \
    }
#define UN(name)                                                                               \
    static tg_tensor *f_##name(tg_tensor *const *x, const op_args *a) {                        \
        (void)a;                                                                               \
        return tg_##name(x[0]);                                                                \
    }
/* in-place ops act on a clone of input 0 (PyTorch: out = x.clone(); out.op_(...)) */
#define IPB(name)                                                                              \
    static tg_tensor *f_##name##_(tg_tensor *const *x, const op_args *a) {                     \
        (void)a;                                                                               \
        tg_tensor *c = tg_clone(x[0]);                                                         \
        return c && tg_##name##_(c, x[1]) == TG_OK ? c : NULL;                                 \
    }
#define IPS(name)                                                                              \
    static tg_tensor *f_##name##_(tg_tensor *const *x, const op_args *a) {                     \
        tg_tensor *c = tg_clone(x[0]);                                                         \
        return c && tg_##name##_(c, a->scalar) == TG_OK ? c : NULL;                            \
    }

BIN(add) BIN(sub) BIN(mul) BIN(div) BIN(pow)
SCA(add_scalar) SCA(sub_scalar) SCA(rsub_scalar) SCA(mul_scalar) SCA(div_scalar)
SCA(rdiv_scalar) SCA(pow_scalar) SCA(rpow_scalar)
UN(neg) UN(exp) UN(log) UN(sqrt) UN(abs)
BIN(eq) BIN(ne) BIN(lt) BIN(le) BIN(gt) BIN(ge)
SCA(eq_scalar) SCA(ne_scalar) SCA(lt_scalar) SCA(le_scalar) SCA(gt_scalar) SCA(ge_scalar)
UN(sum) UN(mean)
BIN(mm) BIN(matmul)
UN(t) UN(clone) UN(contiguous)
IPB(add) IPB(sub) IPB(mul) IPB(div)
IPS(add_scalar) IPS(sub_scalar) IPS(mul_scalar) IPS(div_scalar) IPS(fill)

static tg_tensor *f_sum_dim(tg_tensor *const *x, const op_args *a) {
    return tg_sum_dim(x[0], a->dims, a->ndims, a->keepdim);
}
static tg_tensor *f_mean_dim(tg_tensor *const *x, const op_args *a) {
    return tg_mean_dim(x[0], a->dims, a->ndims, a->keepdim);
}
static tg_tensor *f_norm(tg_tensor *const *x, const op_args *a) { return tg_norm(x[0], a->p); }
static tg_tensor *f_norm_dim(tg_tensor *const *x, const op_args *a) {
    return tg_norm_dim(x[0], a->p, a->dims, a->ndims, a->keepdim);
}
static tg_tensor *f_view(tg_tensor *const *x, const op_args *a) {
    return tg_view(x[0], a->size, a->nsize);
}
static tg_tensor *f_reshape(tg_tensor *const *x, const op_args *a) {
    return tg_reshape(x[0], a->size, a->nsize);
}
static tg_tensor *f_expand(tg_tensor *const *x, const op_args *a) {
    return tg_expand(x[0], a->size, a->nsize);
}
static tg_tensor *f_transpose(tg_tensor *const *x, const op_args *a) {
    return tg_transpose(x[0], a->dim0, a->dim1);
}
static tg_tensor *f_unsqueeze(tg_tensor *const *x, const op_args *a) {
    return tg_unsqueeze(x[0], a->dim);
}
static tg_tensor *f_zero_(tg_tensor *const *x, const op_args *a) {
    (void)a;
    tg_tensor *c = tg_clone(x[0]);
    return c && tg_zero_(c) == TG_OK ? c : NULL;
}
static tg_tensor *f_copy_(tg_tensor *const *x, const op_args *a) {
    (void)a;
    tg_tensor *c = tg_clone(x[0]);
    return c && tg_copy_(c, x[1]) == TG_OK ? c : NULL;
}

typedef struct op_entry {
    const char *name; /* the record's op; the C function is "tg_" name */
    int nin;
    op_fn fn;
    int used; /* records naming it (test_coverage) */
} op_entry;

#define E(name, nin) {#name, nin, f_##name, 0}
static op_entry ops[] = {
    E(add, 2), E(sub, 2), E(mul, 2), E(div, 2), E(pow, 2),
    E(add_scalar, 1), E(sub_scalar, 1), E(rsub_scalar, 1), E(mul_scalar, 1), E(div_scalar, 1),
    E(rdiv_scalar, 1), E(pow_scalar, 1), E(rpow_scalar, 1),
    E(neg, 1), E(exp, 1), E(log, 1), E(sqrt, 1), E(abs, 1),
    E(eq, 2), E(ne, 2), E(lt, 2), E(le, 2), E(gt, 2), E(ge, 2),
    E(eq_scalar, 1), E(ne_scalar, 1), E(lt_scalar, 1), E(le_scalar, 1), E(gt_scalar, 1),
    E(ge_scalar, 1),
    E(sum, 1), E(sum_dim, 1), E(mean, 1), E(mean_dim, 1), E(norm, 1), E(norm_dim, 1),
    E(mm, 2), E(matmul, 2),
    E(view, 1), E(reshape, 1), E(transpose, 1), E(t, 1), E(expand, 1), E(unsqueeze, 1),
    E(clone, 1), E(contiguous, 1),
    E(add_, 2), E(sub_, 2), E(mul_, 2), E(div_, 2), E(add_scalar_, 1), E(sub_scalar_, 1),
    E(mul_scalar_, 1), E(div_scalar_, 1), E(fill_, 1), E(zero_, 1), E(copy_, 2),
};
#undef E
#define N_OPS ((int)(sizeof ops / sizeof ops[0]))

static op_entry *find_op(const char *name) {
    for (int i = 0; name && i < N_OPS; i++)
        if (strcmp(ops[i].name, name) == 0) return &ops[i];
    return NULL;
}

static const struct {
    const char *name;
    tg_status code;
} codes[] = {{"NULL_ARG", TG_ERR_NULL_ARG}, {"INVALID_ARG", TG_ERR_INVALID_ARG},
             {"OOM", TG_ERR_OOM},           {"SHAPE", TG_ERR_SHAPE},
             {"DTYPE", TG_ERR_DTYPE},       {"INDEX", TG_ERR_INDEX},
             {"PARSE", TG_ERR_PARSE},       {"AUTOGRAD", TG_ERR_AUTOGRAD}};

static bool parse_code(const char *s, tg_status *out) {
    for (size_t i = 0; s && i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(s, codes[i].name) == 0) {
            *out = codes[i].code;
            return true;
        }
    return false;
}

/* ------------------------------------------------------------------ one record */

static bool parse_args(const tt_record *r, op_args *a) {
    memset(a, 0, sizeof *a);
    const char *s;
    if ((s = tt_get(r, "scalar"))) a->scalar = strtod(s, NULL);
    if ((s = tt_get(r, "p"))) a->p = strtod(s, NULL);
    if ((s = tt_get(r, "dims")) && (a->ndims = parse_ints(s, a->dims, TG_MAX_DIMS)) < 0)
        return false;
    if ((s = tt_get(r, "size")) && (a->nsize = parse_ints(s, a->size, TG_MAX_DIMS)) < 0)
        return false;
    if ((s = tt_get(r, "keepdim"))) a->keepdim = strcmp(s, "1") == 0;
    if ((s = tt_get(r, "dim0"))) a->dim0 = atoi(s);
    if ((s = tt_get(r, "dim1"))) a->dim1 = atoi(s);
    if ((s = tt_get(r, "dim"))) a->dim = atoi(s);
    return true;
}

typedef struct input {
    tg_tensor *leaf, *use; /* the tensor built from the values, and what the op receives */
    tg_dtype dtype;
    int64_t shape[TG_MAX_DIMS];
    int ndim;
} input;

/* Builds input i of r; false (with a recorded failure) when the record is malformed. */
static bool build_input(tg_ctx *ctx, const tt_record *r, int i, input *in) {
    char k[32];
    int64_t count = 0, numel = 1;
    if (!parse_dtype(tt_get(r, key(k, sizeof k, i, "dtype")), &in->dtype) ||
        (in->ndim = parse_ints(tt_get(r, key(k, sizeof k, i, "shape")), in->shape,
                               TG_MAX_DIMS)) < 0) {
        tt_failf(__FILE__, __LINE__, "input %d: bad dtype or shape", i);
        return false;
    }
    for (int d = 0; d < in->ndim; d++) numel *= in->shape[d];
    void *data = values_data(tt_get(r, key(k, sizeof k, i, "values")), in->dtype, &count);
    if (!data || count != numel) {
        tt_failf(__FILE__, __LINE__, "input %d: %lld values for %lld elements", i,
                 (long long)count, (long long)numel);
        free(data);
        return false;
    }
    in->leaf = tg_tensor_new(ctx, data, in->shape, in->ndim, in->dtype);
    free(data);
    if (!in->leaf) {
        tt_failf(__FILE__, __LINE__, "input %d: tg_tensor_new failed: %s", i, tg_errmsg(ctx));
        return false;
    }
    if (tt_get(r, key(k, sizeof k, i, "requires_grad")) &&
        tg_requires_grad_(in->leaf, true) != TG_OK) {
        tt_failf(__FILE__, __LINE__, "input %d: tg_requires_grad_ failed: %s", i, tg_errmsg(ctx));
        return false;
    }
    in->use = in->leaf;
    if (tt_get(r, key(k, sizeof k, i, "transpose")) && !(in->use = tg_transpose(in->leaf, 0, 1))) {
        tt_failf(__FILE__, __LINE__, "input %d: tg_transpose failed: %s", i, tg_errmsg(ctx));
        return false;
    }
    return true;
}

static void run_record(tg_ctx *ctx, const tt_record *r) {
    const char *opname = tt_get(r, "op");
    op_entry *op = find_op(opname);
    if (!op) {
        tt_failf(__FILE__, __LINE__, "unknown op '%s'", opname ? opname : "(none)");
        return;
    }
    op_args args;
    const char *ninputs = tt_get(r, "inputs");
    int nin = ninputs ? atoi(ninputs) : -1;
    if (!parse_args(r, &args) || nin != op->nin) {
        tt_failf(__FILE__, __LINE__, "malformed record (args or %d inputs for %s)", nin, opname);
        return;
    }
    input in[2];
    tg_tensor *x[2] = {NULL, NULL};
    for (int i = 0; i < nin; i++) {
        if (!build_input(ctx, r, i, &in[i])) return;
        x[i] = in[i].use;
    }
    tg_tensor *out = op->fn(x, &args);

    const char *err = tt_get(r, "error");
    if (err) {
        tg_status code;
        if (!parse_code(tt_get(r, "code"), &code)) {
            tt_failf(__FILE__, __LINE__, "bad code '%s'", tt_get(r, "code"));
            return;
        }
        CHECK(out == NULL);
        char msg[1024];
        snprintf(msg, sizeof msg, "tg_%s: %s", opname, err);
        CHECK_ERR(ctx, code, msg);
        return;
    }
    if (!out) {
        tt_failf(__FILE__, __LINE__, "tg_%s failed: %s", opname, tg_errmsg(ctx));
        tg_clear_error(ctx);
        return;
    }
    CHECK_OK(ctx);

    /* forward */
    tg_dtype odt;
    int64_t oshape[TG_MAX_DIMS];
    int ond = parse_ints(tt_get(r, "out_shape"), oshape, TG_MAX_DIMS);
    if (!parse_dtype(tt_get(r, "out_dtype"), &odt) || ond < 0) {
        tt_failf(__FILE__, __LINE__, "bad out_dtype / out_shape");
        return;
    }
    /* A float64 value computed from float32 operands (or a float64 gradient that flowed
     * through a float32 output) carries float32 rounding: PyTorch and we may round in
     * different places (e.g. its float32 sum of a broadcast gradient against our double
     * accumulation), so it is held to the float32 tolerance. */
    bool f32_path = odt == TG_FLOAT32;
    for (int i = 0; i < nin; i++) f32_path = f32_path || in[i].dtype == TG_FLOAT32;
    check_tensor("output", out, odt, oshape, ond, tt_get(r, "out_values"), f32_path);
    const char *rg = tt_get(r, "out_requires_grad");
    CHECK_INT(tg_tensor_requires_grad(out), rg && strcmp(rg, "1") == 0);
    const tg_node *fn = tg_tensor_grad_fn(out);
    CHECK_STR(fn ? tg_node_name(fn) : "none", tt_get(r, "grad_fn"));

    /* backward */
    const char *vs = tt_get(r, "v");
    if (!vs) return;
    int64_t count = 0;
    void *vdata = values_data(vs, odt, &count);
    tg_tensor *v = vdata && count == tg_tensor_numel(out)
                       ? tg_tensor_new(ctx, vdata, oshape, ond, odt)
                       : NULL;
    free(vdata);
    if (!v) {
        tt_failf(__FILE__, __LINE__, "cannot build v (%lld values)", (long long)count);
        return;
    }
    tg_status st = tg_backward(out, v);
    if (st != TG_OK) {
        tt_failf(__FILE__, __LINE__, "tg_backward failed: %s", tg_errmsg(ctx));
        tg_clear_error(ctx);
        return;
    }
    for (int i = 0; i < nin; i++) {
        char k[32], what[32];
        const char *want = tt_get(r, key(k, sizeof k, i, "grad"));
        if (!want) continue;
        const tg_tensor *g = tg_tensor_grad(in[i].leaf);
        snprintf(what, sizeof what, "input %d .grad", i);
        if (strcmp(want, "none") == 0) {
            if (g) tt_failf(__FILE__, __LINE__, "%s: expected none (PyTorch leaves it unset)",
                            what);
            else tt_pass++;
            continue;
        }
        check_tensor(what, g, in[i].dtype, in[i].shape, in[i].ndim, want, f32_path);
    }
    for (int i = 0; i < nin; i++) tg_zero_grad(in[i].leaf);
}

static void test_fixtures(void) {
    tt_fixture *fx = tt_fixture_load("ops.txt");
    if (!fx) return;
    CHECK(fx->n >= 1000);
    tg_ctx *ctx = tg_ctx_new();
    const char *test_name = tt_current;
    int failed_before = tt_fail, failed_records = 0;
    for (int i = 0; i < fx->n; i++) {
        const tt_record *r = &fx->recs[i];
        tt_current = tt_get(r, "case") ? tt_get(r, "case") : "(unnamed record)";
        int fail0 = tt_fail;
        tg_memstats before = tg_ctx_memstats(ctx);
        if (tg_scope_begin(ctx) != TG_OK) {
            tt_failf(__FILE__, __LINE__, "tg_scope_begin failed");
            break;
        }
        run_record(ctx, r);
        CHECK_INT(tg_scope_end(ctx), TG_OK);
        /* everything the case made is gone: inputs, outputs, graph nodes, grads */
        tg_memstats after = tg_ctx_memstats(ctx);
        CHECK_INT(after.tensors, before.tensors);
        CHECK_INT(after.storages, before.storages);
        CHECK_INT(after.nodes, before.nodes);
        if (tg_errcode(ctx) != TG_OK) {
            tt_failf(__FILE__, __LINE__, "error left on the ctx: %s", tg_errmsg(ctx));
            tg_clear_error(ctx);
        }
        if (tt_fail > fail0) failed_records++;
    }
    tt_current = test_name;
    if (tt_fail > failed_before)
        printf("%d of %d ops.txt records failed\n", failed_records, fx->n);
    tg_memstats end = tg_ctx_memstats(ctx);
    CHECK_INT(end.tensors, 0);
    CHECK_INT(end.storages, 0);
    CHECK_INT(end.nodes, 0);
    tg_ctx_free(ctx);
    tt_fixture_free(fx);
}

/* Every op of the table has records in ops.txt, and every record names an op of the table. */
static void test_coverage(void) {
    tt_fixture *fx = tt_fixture_load("ops.txt");
    if (!fx) return;
    for (int i = 0; i < N_OPS; i++) ops[i].used = 0;
    for (int i = 0; i < fx->n; i++) {
        op_entry *op = find_op(tt_get(&fx->recs[i], "op"));
        if (op) op->used++;
        else
            tt_failf(__FILE__, __LINE__, "record %s: op not in the table",
                     tt_get(&fx->recs[i], "case"));
    }
    for (int i = 0; i < N_OPS; i++) {
        if (ops[i].used == 0)
            tt_failf(__FILE__, __LINE__, "op %s has no record in ops.txt", ops[i].name);
        else
            tt_pass++;
    }
    tt_fixture_free(fx);
}

TT_MAIN(T(test_fixtures), T(test_coverage))
