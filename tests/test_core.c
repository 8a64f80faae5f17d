/*
 * test_core.c — creation ops, accessors and their errors against PyTorch (fixtures/core.txt),
 * plus the limits PyTorch does not have (TG_MAX_DIMS, element-count overflow, buffer sizes).
 */
#include "test.h"

static tt_fixture *FX;
static tg_ctx *ctx;

#define fx(name) TT_FIND(FX, "name", name)

/* values, dtype, shape and repr of t equal the record's */
#define EXPECT_T(t, name) expect_t(__LINE__, t, name)
static void expect_t(int line, const tg_tensor *t, const char *name) {
    const tt_record *r = fx(name);
    if (!r || !t) {
        tt_failf(__FILE__, line, "%s: tensor or record missing (%s)", name, tg_errmsg(ctx));
        return;
    }
    tt_check_record_values_at(__FILE__, line, t, r, "values", 0, 0);
    char want[64];
    snprintf(want, sizeof want, "torch.%s", tt_get(r, "dtype"));
    CHECK_STR(tg_dtype_name(tg_tensor_dtype(t)), want);
    int64_t sh[TG_MAX_DIMS];
    int nd = tt_parse_ints(tt_get(r, "shape"), sh, TG_MAX_DIMS);
    CHECK_INT(tg_tensor_ndim(t), nd);
    for (int i = 0; i < nd && i < tg_tensor_ndim(t); i++) CHECK_INT(tg_tensor_shape(t)[i], sh[i]);
    CHECK_REPR(t, tt_get(r, "repr"));
}

#define EXPECT_ERR(code, fn, name) CHECK_RECORD_ERROR(ctx, code, fn, fx(name))

static void test_creation(void) {
    EXPECT_T(tg_arange(ctx, 0, 10, 3, TG_INT64), "arange_int");
    EXPECT_T(tg_arange(ctx, 0, 1, 0.3, TG_FLOAT32), "arange_float");
    EXPECT_T(tg_arange(ctx, 5, -1, -2.5, TG_FLOAT32), "arange_neg");
    EXPECT_T(tg_arange(ctx, 0, 5, 1, TG_FLOAT64), "arange_f64");
    EXPECT_T(tg_full(ctx, TG_SHAPE(2, 3), 2.5, TG_FLOAT32), "full");
    EXPECT_T(tg_full(ctx, TG_SHAPE(2), 7, TG_INT64), "full_int");
    EXPECT_T(tg_zeros(ctx, TG_SHAPE(3), TG_BOOL), "zeros_bool");
    EXPECT_T(tg_ones(ctx, TG_SHAPE(2, 2), TG_FLOAT64), "ones_f64");
    EXPECT_T(tg_scalar(ctx, 3.5, TG_FLOAT32), "scalar");
    EXPECT_T(tg_zeros(ctx, TG_SHAPE(0, 3), TG_FLOAT32), "empty_shape");
    EXPECT_T(tg_zeros_like(tg_ones(ctx, TG_SHAPE(2, 3), TG_FLOAT64)), "zeros_like");
    EXPECT_T(tg_ones_like(tg_zeros(ctx, TG_SHAPE(4), TG_INT64)), "ones_like");
    /* tg_tensor_new copies the caller's buffer */
    double src[3] = {1, 2, 3};
    tg_tensor *t = tg_tensor_new(ctx, src, TG_SHAPE(3), TG_FLOAT64);
    src[0] = 100;
    CHECK_NEAR(tg_tensor_get(t, 0), 1, 0);
    bool bits[2] = {true, false};
    CHECK_REPR(tg_tensor_new(ctx, bits, TG_SHAPE(2), TG_BOOL), "tensor([ True, False])");
}

static void test_creation_errors(void) {
    CHECK(tg_zeros(ctx, TG_SHAPE(2, -1), TG_FLOAT32) == NULL);
    EXPECT_ERR(TG_ERR_SHAPE, "tg_full", "negative_dim");
    CHECK(tg_arange(ctx, 0, 10, 0, TG_FLOAT32) == NULL);
    EXPECT_ERR(TG_ERR_INVALID_ARG, "tg_arange", "arange_step0");
    CHECK(tg_arange(ctx, 10, 0, 1, TG_FLOAT32) == NULL);
    EXPECT_ERR(TG_ERR_INVALID_ARG, "tg_arange", "arange_sign");
    CHECK(tg_arange(ctx, 0, 3, 1, TG_BOOL) == NULL);
    EXPECT_ERR(TG_ERR_DTYPE, "tg_arange", "arange_bool");
    CHECK(tg_rand(ctx, TG_SHAPE(2), TG_INT64) == NULL);
    EXPECT_ERR(TG_ERR_DTYPE, "tg_rand", "rand_long");
    CHECK(tg_randn(ctx, TG_SHAPE(2), TG_INT64) == NULL);
    EXPECT_ERR(TG_ERR_DTYPE, "tg_randn", "randn_long");

    /* limits of our own */
    int64_t big[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    CHECK(tg_zeros(ctx, big, 9, TG_FLOAT32) == NULL);
    CHECK_ERR(ctx, TG_ERR_INVALID_ARG, "tg_full: tensors have at most 8 dimensions, got 9");
    CHECK(tg_zeros(ctx, TG_SHAPE(INT64_C(1) << 40, INT64_C(1) << 40), TG_FLOAT32) == NULL);
    CHECK_ERR(ctx, TG_ERR_SHAPE,
              "tg_full: the number of elements overflows int64 (dimension 1 of size 1099511627776)");
    CHECK(tg_zeros(ctx, TG_SHAPE(INT64_C(1) << 62), TG_FLOAT32) == NULL);
    CHECK_ERR(ctx, TG_ERR_SHAPE, "tg_full: 4611686018427387904 elements do not fit in memory");
    CHECK(tg_zeros(ctx, NULL, 2, TG_FLOAT32) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_full: argument 'shape' is NULL");
    CHECK(tg_tensor_new(ctx, NULL, TG_SHAPE(2), TG_FLOAT32) == NULL);
    CHECK_ERR(ctx, TG_ERR_NULL_ARG, "tg_tensor_new: argument 'data' is NULL");
    CHECK(tg_zeros(ctx, TG_SHAPE(2), (tg_dtype)9) == NULL);
    CHECK_ERR(ctx, TG_ERR_DTYPE, "tg_full: unknown dtype 9");
    CHECK(tg_ones(NULL, TG_SHAPE(2), TG_FLOAT32) == NULL);
}

static void test_accessors(void) {
    tg_tensor *t = tg_arange(ctx, 0, 6, 1, TG_FLOAT32);
    tg_tensor *m = tg_view(t, TG_SHAPE(2, 3));
    CHECK_INT(tg_tensor_size(m, -1), 3);
    CHECK_INT(tg_tensor_size(m, 0), 2);
    CHECK_INT(tg_tensor_size(m, 2), -1);
    EXPECT_ERR(TG_ERR_INDEX, "tg_tensor_size", "size_dim");
    CHECK_INT(tg_tensor_numel(m), 6);
    CHECK(tg_tensor_is_contiguous(m));
    tg_tensor *mt = tg_t(m);
    CHECK(!tg_tensor_is_contiguous(mt));
    CHECK_INT(tg_tensor_strides(mt)[0], 1);
    CHECK_INT(tg_tensor_strides(mt)[1], 3);
    float out[6];
    CHECK_INT(tg_tensor_copy_out(mt, out, sizeof out), TG_OK);
    const float want[6] = {0, 3, 1, 4, 2, 5};
    for (int i = 0; i < 6; i++) CHECK_NEAR(out[i], want[i], 0);
    CHECK_INT(tg_tensor_copy_out(mt, out, 8), TG_ERR_INVALID_ARG);
    CHECK_ERR(ctx, TG_ERR_INVALID_ARG,
              "tg_tensor_copy_out: buffer of 8 bytes is too small for 6 elements (24 bytes)");
    CHECK(isnan(tg_tensor_get(mt, 6)));
    double v;
    CHECK_INT(tg_item(tg_sum(mt), &v), TG_OK);
    CHECK_NEAR(v, 15, 0);
    char buf[64];
    CHECK_INT(tg_tensor_size_repr(mt, buf, sizeof buf), strlen("torch.Size([3, 2])"));
    CHECK_STR(buf, "torch.Size([3, 2])");
    CHECK(tg_tensor_ctx(t) == ctx);
    CHECK_STR(tg_dtype_name(TG_INT64), "torch.int64");
    CHECK_STR(tg_dtype_name(TG_BOOL), "torch.bool");
}

static void test_view_errors(void) {
    tg_tensor *a = tg_ones(ctx, TG_SHAPE(2, 3), TG_FLOAT32);
    CHECK(tg_expand(a, TG_SHAPE(3, 3)) == NULL);
    EXPECT_ERR(TG_ERR_SHAPE, "tg_expand", "expand_mismatch");
    CHECK(tg_expand(a, TG_SHAPE(3)) == NULL);
    EXPECT_ERR(TG_ERR_SHAPE, "tg_expand", "expand_fewer");
    CHECK(tg_expand(a, TG_SHAPE(-1, 2, 3)) == NULL);
    EXPECT_ERR(TG_ERR_SHAPE, "tg_expand", "expand_leading_neg");
    CHECK(tg_unsqueeze(a, 3) == NULL);
    EXPECT_ERR(TG_ERR_INDEX, "tg_unsqueeze", "unsqueeze_dim");
    /* expand with -1 keeps a size; a view shares storage */
    tg_tensor *e = tg_expand(tg_ones(ctx, TG_SHAPE(3, 1), TG_FLOAT32), TG_SHAPE(2, -1, 4));
    CHECK_INT(tg_tensor_numel(e), 24);
    CHECK_INT(tg_tensor_strides(e)[0], 0);
    tg_tensor *u = tg_unsqueeze(a, -1);
    CHECK_INT(tg_tensor_ndim(u), 3);
    tg_fill_(u, 4);
    CHECK_NEAR(tg_tensor_get(a, 5), 4, 0);
    CHECK_INT(tg_tensor_version(a), 1);
}

static void t_all(void) {
    FX = tt_fixture_load("core.txt");
    ctx = tg_ctx_new();
    tg_scope_begin(ctx);
    test_creation();
    test_creation_errors();
    test_accessors();
    test_view_errors();
    tg_scope_end(ctx);
    CHECK_NOTHING_ALIVE(ctx);
    tg_ctx_free(ctx);
    tt_fixture_free(FX);
}

TT_MAIN(T(t_all))
