/*
 * testutil.c — the harness behind test.h: failure reporting, value comparison, fixture loading,
 * and the record helpers every fixture test shares (parsing, building inputs, comparing tensors
 * and errors with records, leak checks, replaying records scope by scope).
 */
#include "test.h"

#include <stdarg.h>

int tt_pass, tt_fail;
const char *tt_current = "";

void tt_failf(const char *file, int line, const char *fmt, ...) {
    tt_fail++;
    printf("FAIL %s:%d [%s]: ", file, line, tt_current);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

int tt_check_values(const char *file, int line, const tg_tensor *t, const double *vals, int64_t n,
                    double atol, double rtol) {
    if (!t) {
        tt_failf(file, line, "tensor is NULL");
        return 0;
    }
    if (tg_tensor_numel(t) != n) {
        tt_failf(file, line, "numel %lld != expected %lld", (long long)tg_tensor_numel(t),
                 (long long)n);
        return 0;
    }
    double maxdiff = 0;
    int64_t worst = -1;
    for (int64_t i = 0; i < n; i++) {
        double a = tg_tensor_get(t, i), b = vals[i];
        if (a == b || (isnan(a) && isnan(b))) continue;
        double d = fabs(a - b);
        if (!(d <= atol + rtol * fabs(b)) && (worst < 0 || !(d <= maxdiff))) {
            maxdiff = d;
            worst = i;
        }
    }
    if (worst >= 0) {
        tt_failf(file, line, "element %lld: got %.9g expected %.9g (max diff %.3g)",
                 (long long)worst, tg_tensor_get(t, worst), vals[worst], maxdiff);
        return 0;
    }
    tt_pass++;
    return 1;
}

int tt_run(const tt_case *cases, int n, int argc, char **argv) {
    for (int i = 0; i < n; i++) {
        if (argc > 1 && !strstr(cases[i].name, argv[1])) continue;
        tt_current = cases[i].name;
        cases[i].fn();
    }
    printf("%d passed, %d failed\n", tt_pass, tt_fail);
    return tt_fail ? 1 : 0;
}

char *tt_read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[len] = '\0';
    fclose(f);
    return buf;
}

tt_fixture *tt_fixture_load(const char *name) {
    const char *dir = getenv("TG_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/fixtures", name);
    char *text = tt_read_file(path);
    if (!text) {
        tt_failf(__FILE__, __LINE__, "cannot read fixture %s", path);
        return NULL;
    }
    tt_fixture *fx = calloc(1, sizeof *fx);
    tt_record cur = {0, NULL, NULL};
    char *line = text;
    for (;;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        if (line[0] == '\0' || !nl) {
            if (line[0] != '\0') goto add_line;
            if (cur.n) {
                fx->recs = realloc(fx->recs, (size_t)(fx->n + 1) * sizeof *fx->recs);
                fx->recs[fx->n++] = cur;
                cur.n = 0;
                cur.keys = cur.vals = NULL;
            }
            if (!nl) break;
            line = nl + 1;
            continue;
        }
    add_line:
        if (line[0] != '#') {
            char *colon = strstr(line, ": ");
            char *key = line, *val = "";
            if (colon) {
                *colon = '\0';
                val = colon + 2;
            } else if (line[strlen(line) - 1] == ':') {
                line[strlen(line) - 1] = '\0';
            }
            /* values may continue on following lines that start with '|' (multi-line repr) */
            size_t vlen = strlen(val);
            char *v = malloc(vlen + 1);
            memcpy(v, val, vlen + 1);
            while (nl && nl[1] == '|') {
                char *l2 = nl + 2;
                char *nl2 = strchr(l2, '\n');
                if (nl2) *nl2 = '\0';
                size_t l2len = strlen(l2);
                v = realloc(v, vlen + l2len + 2);
                v[vlen] = '\n';
                memcpy(v + vlen + 1, l2, l2len + 1);
                vlen += l2len + 1;
                nl = nl2;
            }
            cur.keys = realloc(cur.keys, (size_t)(cur.n + 1) * sizeof(char *));
            cur.vals = realloc(cur.vals, (size_t)(cur.n + 1) * sizeof(char *));
            cur.keys[cur.n] = strdup(key);
            cur.vals[cur.n] = v;
            cur.n++;
        }
        if (!nl) {
            if (cur.n) {
                fx->recs = realloc(fx->recs, (size_t)(fx->n + 1) * sizeof *fx->recs);
                fx->recs[fx->n++] = cur;
            }
            break;
        }
        line = nl + 1;
    }
    free(text);
    return fx;
}

void tt_fixture_free(tt_fixture *f) {
    if (!f) return;
    for (int i = 0; i < f->n; i++) {
        for (int k = 0; k < f->recs[i].n; k++) {
            free(f->recs[i].keys[k]);
            free(f->recs[i].vals[k]);
        }
        free(f->recs[i].keys);
        free(f->recs[i].vals);
    }
    free(f->recs);
    free(f);
}

const char *tt_get(const tt_record *r, const char *key) {
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->keys[i], key) == 0) return r->vals[i];
    return NULL;
}

/* past the separators of a number list: blanks, commas, brackets, newlines */
static const char *skip_separators(const char *s) {
    while (*s == ' ' || *s == ',' || *s == '[' || *s == ']' || *s == '\n') s++;
    return s;
}

double *tt_parse_doubles(const char *s, int64_t *n) {
    int64_t cap = 16, k = 0;
    double *out = malloc((size_t)cap * sizeof *out);
    while (*(s = skip_separators(s))) {
        char *end;
        double v = strtod(s, &end);
        if (end == s) break;
        if (k == cap) out = realloc(out, (size_t)(cap *= 2) * sizeof *out);
        out[k++] = v;
        s = end;
    }
    *n = k;
    return out;
}

/* ------------------------------------------------------------------ reading records */

const tt_record *tt_find_record_at(const char *file, int line, const tt_fixture *fx,
                                   const char *key, const char *value) {
    for (int i = 0; fx && i < fx->n; i++) {
        const char *v = tt_get(&fx->recs[i], key);
        if (v && strcmp(v, value) == 0) return &fx->recs[i];
    }
    tt_failf(file, line, "fixture record %s: %s missing", key, value);
    return NULL;
}

const char *tt_key(char *buf, size_t cap, const char *prefix, int i, const char *what) {
    snprintf(buf, cap, "%s%d_%s", prefix, i, what);
    return buf;
}

static const struct {
    const char *name;
    tg_dtype dtype;
} dtype_names[] = {{"float32", TG_FLOAT32}, {"float64", TG_FLOAT64}, {"int64", TG_INT64},
                   {"bool", TG_BOOL}};

bool tt_parse_dtype(const char *s, tg_dtype *out) {
    for (size_t i = 0; s && i < sizeof dtype_names / sizeof dtype_names[0]; i++)
        if (strcmp(s, dtype_names[i].name) == 0) {
            *out = dtype_names[i].dtype;
            return true;
        }
    return false;
}

const char *tt_dtype_str(tg_dtype d) {
    for (size_t i = 0; i < sizeof dtype_names / sizeof dtype_names[0]; i++)
        if (dtype_names[i].dtype == d) return dtype_names[i].name;
    return "?";
}

bool tt_parse_code(const char *s, tg_status *out) {
    static const struct {
        const char *name;
        tg_status code;
    } codes[] = {{"NULL_ARG", TG_ERR_NULL_ARG}, {"INVALID_ARG", TG_ERR_INVALID_ARG},
                 {"OOM", TG_ERR_OOM},           {"SHAPE", TG_ERR_SHAPE},
                 {"DTYPE", TG_ERR_DTYPE},       {"INDEX", TG_ERR_INDEX},
                 {"PARSE", TG_ERR_PARSE},       {"AUTOGRAD", TG_ERR_AUTOGRAD}};
    for (size_t i = 0; s && i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(s, codes[i].name) == 0) {
            *out = codes[i].code;
            return true;
        }
    return false;
}

int tt_parse_ints(const char *s, int64_t *out, int cap) {
    int n = 0;
    while (s && *(s = skip_separators(s))) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s) break;
        if (n == cap) return -1;
        out[n++] = (int64_t)v;
        s = end;
    }
    return n;
}

int64_t *tt_parse_int64s(const char *s, int64_t *count) {
    int64_t cap = 16, n = 0;
    int64_t *out = malloc((size_t)cap * sizeof *out);
    while (out && s && *(s = skip_separators(s))) {
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

void *tt_values_data(const char *s, tg_dtype dtype, int64_t *count) {
    if (dtype == TG_INT64) return tt_parse_int64s(s, count);
    int64_t n;
    double *d = tt_parse_doubles(s ? s : "", &n);
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

tg_tensor *tt_tensor_from(tg_ctx *ctx, const char *s, tg_dtype dtype, const int64_t *shape,
                          int ndim) {
    int64_t count = 0, numel = 1;
    for (int d = 0; d < ndim; d++) numel *= shape[d];
    void *data = tt_values_data(s, dtype, &count);
    tg_tensor *t = data && count == numel ? tg_tensor_new(ctx, data, shape, ndim, dtype) : NULL;
    free(data);
    return t;
}

bool tt_record_dtype_shape_at(const char *file, int line, const tt_record *r, const char *prefix,
                              tg_dtype *dtype, int64_t *shape, int *ndim) {
    char kd[64], ks[64];
    snprintf(kd, sizeof kd, "%s_dtype", prefix);
    snprintf(ks, sizeof ks, "%s_shape", prefix);
    *ndim = tt_parse_ints(tt_get(r, ks), shape, TG_MAX_DIMS);
    if (!tt_parse_dtype(tt_get(r, kd), dtype) || !tt_get(r, ks) || *ndim < 0) {
        tt_failf(file, line, "bad %s / %s", kd, ks);
        return false;
    }
    return true;
}

bool tt_record_input_at(const char *file, int line, tg_ctx *ctx, const tt_record *r, int i,
                        tt_input *in) {
    char k[32];
    memset(in, 0, sizeof *in);
    if (tt_get(r, tt_key(k, sizeof k, "in", i, "none"))) return true;
    if (!tt_parse_dtype(tt_get(r, tt_key(k, sizeof k, "in", i, "dtype")), &in->dtype) ||
        (in->ndim = tt_parse_ints(tt_get(r, tt_key(k, sizeof k, "in", i, "shape")), in->shape,
                                  TG_MAX_DIMS)) < 0) {
        tt_failf(file, line, "input %d: bad dtype or shape", i);
        return false;
    }
    in->leaf = tt_tensor_from(ctx, tt_get(r, tt_key(k, sizeof k, "in", i, "values")), in->dtype,
                              in->shape, in->ndim);
    if (!in->leaf) {
        tt_failf(file, line, "input %d: cannot build it from its values (%s)", i,
                 tg_errmsg(ctx));
        return false;
    }
    if (tt_get(r, tt_key(k, sizeof k, "in", i, "requires_grad")) &&
        tg_requires_grad_(in->leaf, true) != TG_OK) {
        tt_failf(file, line, "input %d: tg_requires_grad_ failed: %s", i, tg_errmsg(ctx));
        return false;
    }
    in->use = in->leaf;
    const char *tr = tt_get(r, tt_key(k, sizeof k, "in", i, "transpose"));
    if (tr) {
        int64_t dims[2] = {0, 1};
        if (tt_parse_ints(tr, dims, 2) != 2) dims[0] = 0, dims[1] = 1; /* "1": dims 0 and 1 */
        if (!(in->use = tg_transpose(in->leaf, (int)dims[0], (int)dims[1]))) {
            tt_failf(file, line, "input %d: tg_transpose failed: %s", i, tg_errmsg(ctx));
            return false;
        }
    }
    return true;
}

int tt_record_inputs_at(const char *file, int line, tg_ctx *ctx, const tt_record *r,
                        tt_input *in, tg_tensor **x, int cap) {
    const char *s = tt_get(r, "inputs");
    int n = s ? atoi(s) : -1;
    for (int i = 0; i < cap; i++) x[i] = NULL;
    if (n < 0 || n > cap) {
        tt_failf(file, line, "malformed record: inputs %s (at most %d)", s ? s : "missing", cap);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (!tt_record_input_at(file, line, ctx, r, i, &in[i])) return -1;
        x[i] = in[i].use;
    }
    return n;
}

/* ------------------------------------------------------------------ comparing with records */

double tt_tol(tg_dtype dtype) {
    return dtype == TG_FLOAT32 ? 1e-5 : dtype == TG_FLOAT64 ? 1e-10 : 0.0;
}

static void shape_str(char *buf, size_t cap, const int64_t *shape, int ndim) {
    int k = snprintf(buf, cap, "[");
    for (int d = 0; d < ndim && k > 0 && (size_t)k < cap; d++)
        k += snprintf(buf + k, cap - (size_t)k, "%s%lld", d ? ", " : "", (long long)shape[d]);
    if (k > 0 && (size_t)k < cap) snprintf(buf + k, cap - (size_t)k, "]");
}

/* int64 elements of t against the text `values`, exactly */
static bool check_int64s(const char *file, int line, const char *what, const tg_tensor *t,
                         const char *values) {
    int64_t n = tg_tensor_numel(t), cnt = 0;
    int64_t *want = tt_parse_int64s(values, &cnt);
    int64_t *got = malloc((size_t)(n ? n : 1) * sizeof *got);
    bool ok = false;
    if (!want || !got || cnt != n || tg_tensor_copy_out(t, got, (size_t)n * sizeof *got)) {
        tt_failf(file, line, "%s: %lld expected values for %lld elements", what, (long long)cnt,
                 (long long)n);
    } else {
        int64_t bad = -1;
        for (int64_t i = 0; i < n && bad < 0; i++)
            if (got[i] != want[i]) bad = i;
        if (bad >= 0)
            tt_failf(file, line, "%s element %lld: got %lld expected %lld", what, (long long)bad,
                     (long long)got[bad], (long long)want[bad]);
        else ok = true, tt_pass++;
    }
    free(want);
    free(got);
    return ok;
}

bool tt_check_tensor_at(const char *file, int line, const char *what, const tg_tensor *t,
                        tg_dtype dtype, const int64_t *shape, int ndim, const char *values,
                        double tol) {
    if (!t) {
        tt_failf(file, line, "%s is NULL", what);
        return false;
    }
    if (tg_tensor_dtype(t) != dtype) {
        tt_failf(file, line, "%s dtype: got %s, expected %s", what,
                 tt_dtype_str(tg_tensor_dtype(t)), tt_dtype_str(dtype));
        return false;
    }
    bool same = tg_tensor_ndim(t) == ndim;
    for (int d = 0; same && d < ndim; d++) same = tg_tensor_shape(t)[d] == shape[d];
    if (!same) {
        char got[160], want[160];
        shape_str(got, sizeof got, tg_tensor_shape(t), tg_tensor_ndim(t));
        shape_str(want, sizeof want, shape, ndim);
        tt_failf(file, line, "%s shape: got %s, expected %s", what, got, want);
        return false;
    }
    tt_pass++;
    if (dtype == TG_INT64) return check_int64s(file, line, what, t, values);
    int64_t n = tg_tensor_numel(t), cnt = 0;
    double *want = tt_parse_doubles(values ? values : "", &cnt);
    if (!want || cnt != n) {
        tt_failf(file, line, "%s: %lld expected values for %lld elements", what, (long long)cnt,
                 (long long)n);
        free(want);
        return false;
    }
    if (dtype == TG_BOOL) tol = 0;
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
        tt_failf(file, line, "%s element %lld of %lld: got %.17g expected %.17g (max diff %.3g)",
                 what, (long long)worst, (long long)n, tg_tensor_get(t, worst), want[worst],
                 maxdiff);
    else tt_pass++;
    free(want);
    return worst < 0;
}

void tt_check_input_grad_at(const char *file, int line, const tt_record *r, int i,
                            const tt_input *in, double tol) {
    char k[32], what[48];
    const char *want = tt_get(r, tt_key(k, sizeof k, "in", i, "grad"));
    if (!want) return;
    const tg_tensor *g = tg_tensor_grad(in->leaf);
    snprintf(what, sizeof what, "input %d .grad", i);
    if (strcmp(want, "none") == 0) {
        if (g) tt_failf(file, line, "%s: expected none (PyTorch leaves it unset)", what);
        else tt_pass++;
        return;
    }
    tt_check_tensor_at(file, line, what, g, in->dtype, in->shape, in->ndim, want, tol);
}

bool tt_check_record_values_at(const char *file, int line, const tg_tensor *t,
                               const tt_record *r, const char *key, double atol, double rtol) {
    const char *s = r ? tt_get(r, key) : NULL;
    if (!s) {
        tt_failf(file, line, "fixture key %s missing", key);
        return false;
    }
    if (strcmp(s, "None") == 0) {
        if (t == NULL) tt_pass++;
        else tt_failf(file, line, "%s: expected None", key);
        return t == NULL;
    }
    int64_t n;
    double *v = tt_parse_doubles(s, &n);
    bool ok = tt_check_values(file, line, t, v, n, atol, rtol);
    if (!ok) printf("  ... key %s\n", key);
    free(v);
    return ok;
}

void tt_check_record_str_at(const char *file, int line, const char *got, const tt_record *r,
                            const char *key) {
    const char *s = r ? tt_get(r, key) : NULL;
    if (s && got && strcmp(s, got) == 0) tt_pass++;
    else tt_failf(file, line, "%s:\n  got:      [%s]\n  expected: [%s]", key,
                  got ? got : "(null)", s ? s : "(missing)");
}

void tt_check_record_autograd_at(const char *file, int line, const tg_tensor *out,
                                 const tt_record *r) {
    const char *rg = tt_get(r, "out_requires_grad");
    long long got = out && tg_tensor_requires_grad(out), want = rg && strcmp(rg, "1") == 0;
    if (got == want) tt_pass++;
    else tt_failf(file, line, "requires_grad: got %lld, expected %lld", got, want);
    tt_check_record_str_at(file, line, tt_grad_fn_name(out), r, "grad_fn");
}

bool tt_record_backward_at(const char *file, int line, tg_ctx *ctx, const tt_record *r,
                           tg_tensor *out) {
    tg_tensor *v = tt_tensor_from(ctx, tt_get(r, "v"), tg_tensor_dtype(out),
                                  tg_tensor_shape(out), tg_tensor_ndim(out));
    if (!v) {
        tt_failf(file, line, "cannot build v: %s", tg_errmsg(ctx));
        tg_clear_error(ctx);
        return false;
    }
    if (tg_backward(out, v) != TG_OK) {
        tt_failf(file, line, "tg_backward failed: %s", tg_errmsg(ctx));
        tg_clear_error(ctx);
        return false;
    }
    return true;
}

const char *tt_grad_fn_name(const tg_tensor *t) {
    const tg_node *n = t ? tg_tensor_grad_fn(t) : NULL;
    return n ? tg_node_name(n) : "none";
}

tg_tensor *tt_literal(tg_ctx *ctx, const char *s, tg_dtype dtype, bool requires_grad) {
    tg_tensor *t = tg_tensor_parse(ctx, s, dtype);
    if (t && requires_grad) tg_requires_grad_(t, true);
    return t;
}

/* ------------------------------------------------------------------ errors */

void tt_check_error_at(const char *file, int line, tg_ctx *ctx, tg_status code,
                       const char *prefix, const char *msg) {
    size_t cap = strlen(prefix) + (msg ? strlen(msg) : 1) + 3;
    char *want = malloc(cap);
    snprintf(want, cap, "%s: %s", prefix, msg ? msg : "?");
    if (tg_errcode(ctx) == code) tt_pass++;
    else tt_failf(file, line, "error code %d, expected %d (%s)", (int)tg_errcode(ctx), (int)code,
                  tg_errmsg(ctx));
    if (strcmp(tg_errmsg(ctx), want) == 0) tt_pass++;
    else tt_failf(file, line, "message:\n  got:      [%s]\n  expected: [%s]", tg_errmsg(ctx),
                  want);
    free(want);
    tg_clear_error(ctx);
}

void tt_check_op_error_at(const char *file, int line, tg_ctx *ctx, const tt_record *r) {
    tg_status code;
    if (!tt_parse_code(tt_get(r, "code"), &code)) {
        tt_failf(file, line, "bad code '%s'", tt_get(r, "code") ? tt_get(r, "code") : "(none)");
        tg_clear_error(ctx);
        return;
    }
    char prefix[128];
    snprintf(prefix, sizeof prefix, "tg_%s", tt_get(r, "op") ? tt_get(r, "op") : "?");
    tt_check_error_at(file, line, ctx, code, prefix, tt_get(r, "error"));
}

bool tt_check_op_outcome_at(const char *file, int line, tg_ctx *ctx, const tt_record *r,
                            bool failed) {
    const char *op = tt_get(r, "op") ? tt_get(r, "op") : "?";
    if (tt_get(r, "error")) {
        if (failed) tt_pass++;
        else tt_failf(file, line, "tg_%s gave a result, expected an error", op);
        tt_check_op_error_at(file, line, ctx, r);
        return false;
    }
    if (failed) {
        tt_failf(file, line, "tg_%s failed: %s", op, tg_errmsg(ctx));
        tg_clear_error(ctx);
        return false;
    }
    if (tg_errcode(ctx) == TG_OK) tt_pass++;
    else {
        tt_failf(file, line, "unexpected error %d: %s", (int)tg_errcode(ctx), tg_errmsg(ctx));
        tg_clear_error(ctx);
    }
    return true;
}

void *tt_lookup(void *table, size_t count, size_t size, const char *name) {
    for (size_t i = 0; name && i < count; i++) {
        void *entry = (char *)table + i * size;
        if (strcmp(*(const char **)entry, name) == 0) return entry;
    }
    return NULL;
}

void *tt_record_op_at(const char *file, int line, void *table, size_t count, size_t size,
                      const tt_record *r) {
    const char *op = tt_get(r, "op");
    void *entry = tt_lookup(table, count, size, op);
    if (!entry) tt_failf(file, line, "unknown op '%s'", op ? op : "(none)");
    return entry;
}

int tt_n_warnings;
char tt_last_warning[2048];

void tt_on_warning(const char *msg, void *user) {
    (void)user;
    snprintf(tt_last_warning, sizeof tt_last_warning, "%s", msg);
    tt_n_warnings++;
}

/* ------------------------------------------------------------------ leaks and replay */

void tt_check_no_leak_at(const char *file, int line, const tg_ctx *ctx, tg_memstats before,
                         const char *what) {
    tg_memstats now = tg_ctx_memstats(ctx);
    const struct {
        const char *name;
        int64_t got, want;
    } counts[] = {{"tensors", now.tensors, before.tensors},
                  {"storages", now.storages, before.storages},
                  {"nodes", now.nodes, before.nodes}};
    for (int i = 0; i < 3; i++) {
        if (counts[i].got == counts[i].want) tt_pass++;
        else tt_failf(file, line, "%s: %lld %s alive, expected %lld", what,
                      (long long)counts[i].got, counts[i].name, (long long)counts[i].want);
    }
}

int tt_replay_records(tg_ctx *ctx, const tt_fixture *fx, const char *key, const char *label,
                      tt_replay_fn fn) {
    const char *test_name = tt_current;
    int failed_before = tt_fail, failed_records = 0, n = 0;
    for (int i = 0; fx && i < fx->n; i++) {
        const tt_record *r = &fx->recs[i];
        if (!tt_get(r, key)) continue;
        n++;
        tt_current = tt_get(r, "case") ? tt_get(r, "case")
                     : tt_get(r, "name") ? tt_get(r, "name")
                                         : tt_get(r, key);
        int fail0 = tt_fail;
        tg_memstats before = tg_ctx_memstats(ctx);
        if (tg_scope_begin(ctx) != TG_OK) {
            tt_failf(__FILE__, __LINE__, "tg_scope_begin failed");
            break;
        }
        fn(ctx, r);
        CHECK_INT(tg_scope_end(ctx), TG_OK);
        /* everything the record made is gone: inputs, outputs, graph nodes, grads */
        CHECK_NO_LEAK(ctx, before, tt_current);
        if (tg_errcode(ctx) != TG_OK) {
            tt_failf(__FILE__, __LINE__, "error left on the ctx: %s", tg_errmsg(ctx));
            tg_clear_error(ctx);
        }
        if (tt_fail > fail0) failed_records++;
    }
    tt_current = test_name;
    if (tt_fail > failed_before) printf("%d of %d %s records failed\n", failed_records, n, label);
    return n;
}

void tt_replay_fixture(const char *name, int min_records, const char *key, tt_replay_fn fn) {
    tt_fixture *fx = tt_fixture_load(name);
    if (!fx) return;
    if (fx->n >= min_records) tt_pass++;
    else tt_failf(__FILE__, __LINE__, "%s: %d records, expected at least %d", name, fx->n,
                  min_records);
    tg_ctx *ctx = tg_ctx_new();
    tt_replay_records(ctx, fx, key, name, fn);
    CHECK_NOTHING_ALIVE(ctx);
    tg_ctx_free(ctx);
    tt_fixture_free(fx);
}
