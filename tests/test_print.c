/*
 * test_print.c — repr(tensor) against PyTorch. Every record of tests/fixtures/print.txt (made by
 * tools/fixtures_print.py) is rebuilt, viewed as the record says (transposed, as_strided, with
 * requires_grad or other print options) and printed; then the snprintf-like contract of
 * tg_tensor_repr, tg_tensor_size_repr, NULL handling, grad_fn suffixes and big tensors.
 */
#include "test.h"

#include "internal.h" /* tgi_alias (as_strided views), tgi_tensor_repr_opts (print options) */

#include <time.h>

/* Builds the tensor a record describes; NULL (with a recorded failure) when it cannot. */
static tg_tensor *record_tensor(tg_ctx *ctx, const tt_record *r) {
    tg_dtype dtype;
    int64_t shape[TG_MAX_DIMS];
    const char *name = tt_get(r, "name");
    if (!tt_parse_dtype(tt_get(r, "dtype"), &dtype)) {
        tt_failf(__FILE__, __LINE__, "record %s: bad dtype", name);
        return NULL;
    }
    int ndim = tt_parse_ints(tt_get(r, "shape"), shape, TG_MAX_DIMS);
    if (ndim < 0) {
        tt_failf(__FILE__, __LINE__, "record %s: too many dims", name);
        return NULL;
    }
    tg_tensor *t = tt_tensor_from(ctx, tt_get(r, "values"), dtype, shape, ndim);
    if (!t) {
        tt_failf(__FILE__, __LINE__, "record %s: its values do not fit the shape", name);
        return NULL;
    }
    if (tt_get(r, "requires_grad") && tg_requires_grad_(t, true) != TG_OK) return NULL;
    if (tt_get(r, "transpose")) t = tg_transpose(t, 0, 1);
    if (t && tt_get(r, "view_shape")) {
        int64_t vshape[TG_MAX_DIMS], vstrides[TG_MAX_DIMS], voff[1];
        int vn = tt_parse_ints(tt_get(r, "view_shape"), vshape, TG_MAX_DIMS);
        int sn = tt_parse_ints(tt_get(r, "view_strides"), vstrides, TG_MAX_DIMS);
        if (vn < 0 || vn != sn || tt_parse_ints(tt_get(r, "view_offset"), voff, 1) != 1) {
            tt_failf(__FILE__, __LINE__, "record %s: bad view", name);
            return NULL;
        }
        t = tgi_own(tgi_alias(t, vshape, vstrides, vn, voff[0]));
    }
    return t;
}

/* repr of t under the record's print options ("precision threshold edgeitems linewidth
 * sci_mode"), or the defaults. malloc'd. */
static char *record_repr(const tg_tensor *t, const tt_record *r) {
    const char *opts = tt_get(r, "opts");
    if (!opts) return tg_tensor_str(t);
    int64_t o[5];
    if (tt_parse_ints(opts, o, 5) != 5) return NULL;
    size_t n = tgi_tensor_repr_opts(t, NULL, 0, (int)o[0], o[1], (int)o[2], (int)o[3], (int)o[4]);
    char *s = malloc(n + 1);
    if (s) tgi_tensor_repr_opts(t, s, n + 1, (int)o[0], o[1], (int)o[2], (int)o[3], (int)o[4]);
    return s;
}

/* One record, in its own scope (tt_replay_records): the tensor prints as PyTorch printed it. */
static void run_record(tg_ctx *ctx, const tt_record *r) {
    tg_tensor *t = record_tensor(ctx, r);
    if (!t) {
        tt_failf(__FILE__, __LINE__, "could not build the tensor: %s", tg_errmsg(ctx));
        tg_clear_error(ctx);
        return;
    }
    char *s = record_repr(t, r);
    CHECK_STR(s, tt_get(r, "repr"));
    free(s);
}

static void test_fixtures(void) { tt_replay_fixture("print.txt", 500, "name", run_record); }

static void test_repr_contract(void) {
    tg_ctx *ctx = tg_ctx_new();
    const float v[] = {1.5f, 2.0f, 3.0f};
    tg_tensor *t = tg_tensor_new(ctx, v, TG_SHAPE(3), TG_FLOAT32);
    const char *full = "tensor([1.5000, 2.0000, 3.0000])";
    size_t len = strlen(full);
    char buf[64];

    CHECK_INT(tg_tensor_repr(t, NULL, 0), len);
    memset(buf, 'x', sizeof buf);
    CHECK_INT(tg_tensor_repr(t, buf, 0), len);
    CHECK(buf[0] == 'x'); /* cap 0 writes nothing */
    CHECK_INT(tg_tensor_repr(t, buf, 1), len);
    CHECK_STR(buf, "");
    memset(buf, 'x', sizeof buf);
    CHECK_INT(tg_tensor_repr(t, buf, 10), len);
    CHECK_STR(buf, "tensor([1");
    CHECK(buf[10] == 'x'); /* nothing written past cap */
    CHECK_INT(tg_tensor_repr(t, buf, len), len);
    CHECK_INT(strlen(buf), len - 1);
    CHECK_INT(tg_tensor_repr(t, buf, len + 1), len);
    CHECK_STR(buf, full);
    CHECK_INT(tg_tensor_repr(t, buf, sizeof buf), len);
    CHECK_STR(buf, full);

    /* a multi-line repr, cut inside its second line */
    float m[4] = {1, 3, 2, 2};
    tg_tensor *x = tg_tensor_new(ctx, m, TG_SHAPE(2, 2), TG_FLOAT32);
    const char *mfull = "tensor([[1., 3.],\n        [2., 2.]])";
    CHECK_INT(tg_tensor_repr(x, buf, 20), strlen(mfull));
    CHECK_STR(buf, "tensor([[1., 3.],\n ");
    CHECK_REPR(x, mfull);

    /* tg_tensor_str of a repr longer than any internal buffer */
    tg_tensor *big = tg_arange(ctx, 0, 1000, 1, TG_FLOAT64);
    char *s = tg_tensor_str(big);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(strlen(s), tg_tensor_repr(big, NULL, 0));
        const char *head = "tensor([  0.,   1.,   2.,", *tail = "998., 999.], dtype=torch.float64)";
        CHECK(strncmp(s, head, strlen(head)) == 0);
        CHECK(strlen(s) > strlen(tail) && strcmp(s + strlen(s) - strlen(tail), tail) == 0);
    }
    free(s);
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

static void test_null(void) {
    char buf[16];
    memset(buf, 'x', sizeof buf);
    CHECK_INT(tg_tensor_repr(NULL, buf, sizeof buf), 4);
    CHECK_STR(buf, "NULL");
    CHECK_INT(tg_tensor_repr(NULL, buf, 3), 4);
    CHECK_STR(buf, "NU");
    CHECK_INT(tg_tensor_repr(NULL, NULL, 0), 4);
    CHECK_REPR(NULL, "NULL");
    CHECK_INT(tg_tensor_size_repr(NULL, buf, sizeof buf), 4);
    CHECK_STR(buf, "NULL");
    tg_fprint(NULL, NULL); /* no-op, no crash */
}

static void test_size_repr(void) {
    tg_ctx *ctx = tg_ctx_new();
    char buf[64];
    tg_tensor *a = tg_ones(ctx, TG_SHAPE(2, 2), TG_FLOAT32);
    CHECK_INT(tg_tensor_size_repr(a, buf, sizeof buf), strlen("torch.Size([2, 2])"));
    CHECK_STR(buf, "torch.Size([2, 2])");
    tg_tensor *s = tg_scalar(ctx, 1.0, TG_FLOAT32);
    tg_tensor_size_repr(s, buf, sizeof buf);
    CHECK_STR(buf, "torch.Size([])");
    tg_tensor *e = tg_zeros(ctx, TG_SHAPE(0, 3), TG_INT64);
    tg_tensor_size_repr(e, buf, sizeof buf);
    CHECK_STR(buf, "torch.Size([0, 3])");
    tg_tensor *v = tg_zeros(ctx, TG_SHAPE(7), TG_BOOL);
    tg_tensor_size_repr(v, buf, sizeof buf);
    CHECK_STR(buf, "torch.Size([7])");
    tg_tensor *d = tg_zeros(ctx, TG_SHAPE(1, 2, 3, 4, 5, 6, 7, 8), TG_BOOL);
    CHECK_INT(tg_tensor_size_repr(d, NULL, 0),
              strlen("torch.Size([1, 2, 3, 4, 5, 6, 7, 8])"));
    CHECK_INT(tg_tensor_size_repr(a, buf, 12), strlen("torch.Size([2, 2])"));
    CHECK_STR(buf, "torch.Size(");
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

/* tg_fprint writes the repr and a newline. */
static void test_fprint(void) {
    tg_ctx *ctx = tg_ctx_new();
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f) {
        tg_ctx_free(ctx);
        return;
    }
    tg_fprint(f, tg_scalar(ctx, 3.5, TG_FLOAT32));
    tg_fprint(f, tg_scalar(ctx, 1, TG_BOOL));
    rewind(f);
    char buf[64] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    CHECK_STR(buf, "tensor(3.5000)\ntensor(True)\n");
    fclose(f);
    tg_ctx_free(ctx);
}

/* grad_fn=<Name> from real ops (spec 2.4), with the suffix wrapping quirk. */
static void test_grad_fn_suffix(void) {
    tg_ctx *ctx = tg_ctx_new();
    const float xv[] = {1, 3, 2, 2};
    tg_tensor *x = tg_tensor_new(ctx, xv, TG_SHAPE(2, 2), TG_FLOAT32);
    CHECK_INT(tg_requires_grad_(x, true), TG_OK);
    CHECK_REPR(x, "tensor([[1., 3.],\n        [2., 2.]], requires_grad=True)");
    tg_tensor *y = tg_add_scalar(x, 2);
    CHECK_REPR(y, "tensor([[3., 5.],\n        [4., 4.]], grad_fn=<AddBackward0>)");
    tg_tensor *z = tg_mul_scalar(tg_mul(y, y), 3);
    CHECK_REPR(z, "tensor([[27., 75.],\n        [48., 48.]], grad_fn=<MulBackward0>)");
    CHECK_REPR(tg_mean(z), "tensor(49.5000, grad_fn=<MeanBackward0>)");

    tg_tensor *r = tg_div_scalar(tg_arange(ctx, 0, 6, 1, TG_FLOAT32), 3);
    CHECK_INT(tg_requires_grad_(r, true), TG_OK);
    CHECK_REPR(tg_mul_scalar(r, 1), "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667],\n"
                                    "       grad_fn=<MulBackward0>)");
    tg_tensor *o = tg_ones(ctx, TG_SHAPE(2, 2), TG_FLOAT64);
    CHECK_INT(tg_requires_grad_(o, true), TG_OK);
    CHECK_REPR(tg_mul_scalar(o, 2), "tensor([[2., 2.],\n        [2., 2.]], dtype=torch.float64, "
                                    "grad_fn=<MulBackward0>)");
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

/* Big tensors print from their edges only. A 10^12-element stride-0 view over one value would
 * take hours if every element were looked at; the bound is loose enough for valgrind. */
static void test_big_tensors(void) {
    tg_ctx *ctx = tg_ctx_new();
    tg_tensor *one = tg_scalar(ctx, 0.25, TG_FLOAT32);
    const int64_t shape[2] = {1000000, 1000000}, strides[2] = {0, 0};
    tg_tensor *big = tgi_own(tgi_alias(one, shape, strides, 2, 0));
    CHECK(big != NULL);
    clock_t c0 = clock();
    char *s = tg_tensor_str(big);
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    CHECK_STR(s, "tensor([[0.2500, 0.2500, 0.2500,  ..., 0.2500, 0.2500, 0.2500],\n"
                 "        [0.2500, 0.2500, 0.2500,  ..., 0.2500, 0.2500, 0.2500],\n"
                 "        [0.2500, 0.2500, 0.2500,  ..., 0.2500, 0.2500, 0.2500],\n"
                 "        ...,\n"
                 "        [0.2500, 0.2500, 0.2500,  ..., 0.2500, 0.2500, 0.2500],\n"
                 "        [0.2500, 0.2500, 0.2500,  ..., 0.2500, 0.2500, 0.2500],\n"
                 "        [0.2500, 0.2500, 0.2500,  ..., 0.2500, 0.2500, 0.2500]])");
    CHECK(secs < 1.0);
    free(s);
    /* the deepest tensor allowed */
    tg_tensor *deep = tg_ones(ctx, TG_SHAPE(1, 1, 1, 1, 1, 1, 1, 1), TG_INT64);
    CHECK_REPR(deep, "tensor([[[[[[[[1]]]]]]]])");
    CHECK_OK(ctx);
    tg_ctx_free(ctx);
}

TT_MAIN(T(test_fixtures), T(test_repr_contract), T(test_null), T(test_size_repr), T(test_fprint),
        T(test_grad_fn_suffix), T(test_big_tensors))
