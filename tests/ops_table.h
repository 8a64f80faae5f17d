/*
 * ops_table.h — the ops of the current op set as uniform wrappers f_<name>(x, a), with op_args
 * holding every non-tensor argument: shared by test_ops.c (which replays ops.txt through them)
 * and test_gradcheck.c (which runs tg_gradcheck through them). Static inline, so a file may
 * use some of them only.
 */
#ifndef TG_TESTS_OPS_TABLE_H
#define TG_TESTS_OPS_TABLE_H

#include "test.h"

typedef struct op_args {
    double scalar, p;
    int64_t dims[TG_MAX_DIMS], size[TG_MAX_DIMS];
    int ndims, nsize;
    bool keepdim;
    int dim0, dim1, dim;
} op_args;

typedef tg_tensor *(*op_fn)(tg_tensor *const *x, const op_args *a);

TT_OP_BINARY(add) TT_OP_BINARY(sub) TT_OP_BINARY(mul) TT_OP_BINARY(div) TT_OP_BINARY(pow)
TT_OP_SCALAR(add_scalar) TT_OP_SCALAR(sub_scalar) TT_OP_SCALAR(rsub_scalar)
TT_OP_SCALAR(mul_scalar) TT_OP_SCALAR(div_scalar) TT_OP_SCALAR(rdiv_scalar)
TT_OP_SCALAR(pow_scalar) TT_OP_SCALAR(rpow_scalar)
TT_OP_UNARY(neg) TT_OP_UNARY(exp) TT_OP_UNARY(log) TT_OP_UNARY(sqrt) TT_OP_UNARY(abs)
TT_OP_BINARY(eq) TT_OP_BINARY(ne) TT_OP_BINARY(lt) TT_OP_BINARY(le) TT_OP_BINARY(gt)
TT_OP_BINARY(ge)
TT_OP_SCALAR(eq_scalar) TT_OP_SCALAR(ne_scalar) TT_OP_SCALAR(lt_scalar) TT_OP_SCALAR(le_scalar)
TT_OP_SCALAR(gt_scalar) TT_OP_SCALAR(ge_scalar)
TT_OP_UNARY(sum) TT_OP_UNARY(mean)
TT_OP_BINARY(mm) TT_OP_BINARY(matmul)
TT_OP_UNARY(t) TT_OP_UNARY(clone) TT_OP_UNARY(contiguous)
TT_OP_IN_PLACE_BINARY(add) TT_OP_IN_PLACE_BINARY(sub) TT_OP_IN_PLACE_BINARY(mul)
TT_OP_IN_PLACE_BINARY(div)
TT_OP_IN_PLACE_SCALAR(add_scalar) TT_OP_IN_PLACE_SCALAR(sub_scalar)
TT_OP_IN_PLACE_SCALAR(mul_scalar) TT_OP_IN_PLACE_SCALAR(div_scalar) TT_OP_IN_PLACE_SCALAR(fill)

static inline tg_tensor *f_sum_dim(tg_tensor *const *x, const op_args *a) {
    return tg_sum_dim(x[0], a->dims, a->ndims, a->keepdim);
}
static inline tg_tensor *f_mean_dim(tg_tensor *const *x, const op_args *a) {
    return tg_mean_dim(x[0], a->dims, a->ndims, a->keepdim);
}
static inline tg_tensor *f_norm(tg_tensor *const *x, const op_args *a) {
    return tg_norm(x[0], a->p);
}
static inline tg_tensor *f_norm_dim(tg_tensor *const *x, const op_args *a) {
    return tg_norm_dim(x[0], a->p, a->dims, a->ndims, a->keepdim);
}
static inline tg_tensor *f_view(tg_tensor *const *x, const op_args *a) {
    return tg_view(x[0], a->size, a->nsize);
}
static inline tg_tensor *f_reshape(tg_tensor *const *x, const op_args *a) {
    return tg_reshape(x[0], a->size, a->nsize);
}
static inline tg_tensor *f_expand(tg_tensor *const *x, const op_args *a) {
    return tg_expand(x[0], a->size, a->nsize);
}
static inline tg_tensor *f_transpose(tg_tensor *const *x, const op_args *a) {
    return tg_transpose(x[0], a->dim0, a->dim1);
}
static inline tg_tensor *f_unsqueeze(tg_tensor *const *x, const op_args *a) {
    return tg_unsqueeze(x[0], a->dim);
}
static inline tg_tensor *f_zero_(tg_tensor *const *x, const op_args *a) {
    (void)a;
    tg_tensor *c = tg_clone(x[0]);
    return c && tg_zero_(c) == TG_OK ? c : NULL;
}
static inline tg_tensor *f_copy_(tg_tensor *const *x, const op_args *a) {
    (void)a;
    tg_tensor *c = tg_clone(x[0]);
    return c && tg_copy_(c, x[1]) == TG_OK ? c : NULL;
}

#endif
