/*
 * elementwise.c — pointwise ops (arithmetic, pow, exp/log/sqrt/abs, comparisons, where) for
 * tensor-tensor and tensor-scalar forms, in and out of place. One driver, ew_apply, does for
 * every op: dtype promotion, broadcasting, the kernel, and recording; the kernels are one
 * macro-generated loop per scalar expression. Backward formulas live in elementwise_grad.c.
 */
#include "pointwise.h"

#include <math.h>
#include <string.h>

/* ---------------------------------------------------------------- kernels */

static int64_t ipow(int64_t b, int64_t e) {
    /* c10's powi: a negative exponent gives 1 for base 1, +-1 for base -1 and 0 otherwise
     * (pow_scalar rejects negative integral exponents up front; tensor exponents do not) */
    if (e < 0) return b == 1 ? 1 : b == -1 ? ((-e) % 2 ? -1 : 1) : 0;
    uint64_t r = 1, base = (uint64_t)b;
    while (e > 0) {
        if (e & 1) r *= base;
        base *= base;
        e >>= 1;
    }
    return (int64_t)r;
}

BIN3(k_add, x + y, tgi_wadd(x, y))
BIN3(k_sub, x - y, tgi_wsub(x, y))
BIN3(k_rsub, y - x, tgi_wsub(y, x))
BIN3(k_mul, x * y, tgi_wmul(x, y))
BIN2(k_div, x / y)
BIN_KERNEL(k_pow_f, float, float, powf(x, y))
BIN_KERNEL(k_pow_d, double, double, pow(x, y))
BIN_KERNEL(k_pow_l, int64_t, int64_t, ipow(x, y))
BIN_KERNEL(k_rpow_f, float, float, powf(y, x))
BIN_KERNEL(k_rpow_d, double, double, pow(y, x))
BIN_KERNEL(k_rpow_l, int64_t, int64_t, ipow(y, x))
CMP3(k_eq, x == y)
CMP3(k_ne, x != y)
CMP3(k_lt, x < y)
CMP3(k_le, x <= y)
CMP3(k_gt, x > y)
CMP3(k_ge, x >= y)

UN_KERNEL(k_neg_f, float, float, -x)
UN_KERNEL(k_neg_d, double, double, -x)
UN_KERNEL(k_neg_l, int64_t, int64_t, tgi_wneg(x))
UN_KERNEL(k_exp_f, float, float, expf(x))
UN_KERNEL(k_exp_d, double, double, exp(x))
UN_KERNEL(k_log_f, float, float, logf(x))
UN_KERNEL(k_log_d, double, double, log(x))
UN_KERNEL(k_sqrt_f, float, float, sqrtf(x))
UN_KERNEL(k_sqrt_d, double, double, sqrt(x))
UN_KERNEL(k_abs_f, float, float, fabsf(x))
UN_KERNEL(k_abs_d, double, double, fabs(x))
UN_KERNEL(k_abs_l, int64_t, int64_t, x < 0 ? tgi_wneg(x) : x)
UN_KERNEL(k_sign_f, float, float, (float)((x > 0) - (x < 0)))
UN_KERNEL(k_sign_d, double, double, (double)((x > 0) - (x < 0)))
UN_KERNEL(k_sign_l, int64_t, int64_t, (int64_t)((x > 0) - (x < 0)))
UN_KERNEL(k_recip_f, float, float, 1.0f / x)
UN_KERNEL(k_recip_d, double, double, 1.0 / x)

/* where(cond, x, y): operand 1 is the bool condition */
#define WHERE_KERNEL(NAME, T)                                                                 \
    static void NAME(char **p, const int64_t *st, int64_t n, const tgi_args *a) {             \
        (void)a;                                                                               \
        for (int64_t i = 0; i < n; i++) {                                                      \
            bool c = *(const bool *)(p[1] + i * st[1]);                                        \
            const T *src = (const T *)(const void *)(c ? p[2] + i * st[2] : p[3] + i * st[3]); \
            *(T *)(void *)(p[0] + i * st[0]) = *src;                                           \
        }                                                                                      \
    }
WHERE_KERNEL(k_where_f, float)
WHERE_KERNEL(k_where_d, double)
WHERE_KERNEL(k_where_l, int64_t)

/* ---------------------------------------------------------------- the driver */

const tg_tensor *tgi_stack_scalar(tgi_scalar_buf *ss, tg_ctx *ctx, double v, tg_dtype dt) {
    /* only the fields the kernels and the iterator read */
    ss->s.data = &ss->v;
    ss->s.refcount = 1;
    ss->t.storage = &ss->s;
    ss->t.ctx = ctx;
    ss->t.ndim = 0;
    ss->t.numel = 1;
    ss->t.offset = 0;
    ss->t.dtype = dt;
    ss->t.contiguous = true;
    ss->t.requires_grad = false;
    ss->t.grad_fn = NULL;
    ss->t.is_view = false;
    tgi_store(&ss->v, dt, 0, v);
    return &ss->t;
}

static int kidx(tg_dtype d) { return d == TG_FLOAT32 ? 0 : d == TG_FLOAT64 ? 1 : 2; }

/* Computes desc's op over in[0..nin-1] (already promoted to `compute` where needed) into a new
 * tensor of shape `shape`; when self is given the result is written into it instead. */
tg_tensor *tgi_ew_run(const tgi_ew_desc *d, const tg_tensor *const *in, int nin, tg_dtype compute,
                         tg_dtype out_dtype, const int64_t *shape, int ndim, tg_tensor *self) {
    tg_ctx *ctx = in[0]->ctx;
    tgi_kernel k = d->k[kidx(compute)];
    if (!k) {
        tgi_error(ctx, TG_ERR_DTYPE, "%s: \"%s\" not implemented for '%s'", d->fn, d->kname,
                  tgi_dtype_cname(compute));
        return NULL;
    }
    /* Bring every operand to the compute dtype. */
    const tg_tensor *ops[TGI_MAX_INPUTS];
    tg_tensor *tmp[TGI_MAX_INPUTS] = {NULL, NULL, NULL};
    tg_tensor *result = NULL;
    for (int i = 0; i < nin; i++) {
        ops[i] = in[i];
        bool is_cond = (d->flags & EW_COND_FIRST) && i == 0;
        if (!is_cond && in[i]->dtype != compute) {
            tmp[i] = tgi_cast(in[i], compute, false);
            if (!tmp[i]) goto done;
            ops[i] = tmp[i];
        }
    }
    /* The kernel's output dtype is compute (or bool for comparisons). */
    tg_dtype kout = (d->flags & EW_BOOL_OUT) ? TG_BOOL : compute;
    bool direct = self && self->dtype == kout;
    if (direct) /* an input aliasing self with other strides must not be overwritten midway */
        for (int i = 0; i < nin; i++)
            if (ops[i] != self && ops[i]->storage == self->storage &&
                !(ops[i]->offset == self->offset && ops[i]->ndim == self->ndim &&
                  !memcmp(ops[i]->strides, self->strides, sizeof(int64_t) * (size_t)self->ndim)))
                direct = false;
    tg_tensor *out = direct ? self : tgi_empty(ctx, shape, ndim, kout);
    if (!out) goto done;
    tgi_run_kernel(k, out, ops, nin, NULL);
    if (self && !direct) {
        tgi_copy_into(self, out);
        tgi_tensor_decref(out);
        out = self;
    } else if (!self && kout != out_dtype) {
        tg_tensor *c = tgi_cast(out, out_dtype, true);
        tgi_tensor_decref(out);
        out = c;
    }
    result = out;
done:
    for (int i = 0; i < nin; i++) tgi_tensor_decref(tmp[i]);
    return result;
}

/* dtype rule shared by the out-of-place and in-place paths */
static tg_status ew_dtypes(const tgi_ew_desc *d, const tg_tensor *a, tg_dtype result, tg_dtype *compute,
                           tg_dtype *out) {
    if ((d->flags & EW_NO_BOOL) && result == TG_BOOL)
        return tgi_error(a->ctx, TG_ERR_DTYPE, "%s: %s", d->fn, d->bool_msg);
    if ((d->flags & EW_TO_FLOAT) && !tgi_is_floating(result)) result = TG_FLOAT32;
    *compute = result == TG_BOOL ? TG_INT64 : result; /* bool arithmetic computes in int64 */
    *out = (d->flags & EW_BOOL_OUT) ? TG_BOOL : result;
    return TG_OK;
}

/* Out of place, tensor (op) tensor, or tensor (op) scalar when b is NULL. Returns the raw
 * result (refcount 1, not yet in a scope) with its node recorded; *node receives it. */
tg_tensor *tgi_ew_binary(const tgi_ew_desc *d, const tg_tensor *a, const tg_tensor *b, double s,
                            bool scalar, tg_node **node) {
    *node = NULL;
    if (!a || (!scalar && !b)) {
        tg_ctx *ctx = a ? a->ctx : b ? b->ctx : NULL;
        tgi_null_arg(ctx, d->fn, !a ? "self" : "other");
        return NULL;
    }
    tg_ctx *ctx = a->ctx;
    if (!scalar && b->ctx != ctx) {
        tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: tensors belong to different contexts", d->fn);
        return NULL;
    }
    tg_dtype result = scalar ? tgi_result_type_scalar(a, s) : tgi_result_type(a, b);
    tg_dtype compute, out_dtype;
    if (ew_dtypes(d, a, result, &compute, &out_dtype) != TG_OK) return NULL;
    int64_t shape[TG_MAX_DIMS];
    int nd = a->ndim;
    tgi_scalar_buf ss;
    const tg_tensor *bb = b;
    if (scalar) {
        bb = tgi_stack_scalar(&ss, ctx, s, compute);
        memcpy(shape, a->shape, sizeof(int64_t) * (size_t)a->ndim);
    } else if (tgi_broadcast_shapes(ctx, d->fn, a->shape, a->ndim, b->shape, b->ndim, shape,
                                    &nd) != TG_OK) {
        return NULL;
    }
    const tg_tensor *in[2] = {a, bb};
    tg_tensor *out = tgi_ew_run(d, in, 2, compute, out_dtype, shape, nd, NULL);
    if (!out) return NULL;
    if (d->op >= 0 && tgi_is_floating(out->dtype)) {
        const tg_tensor *rin[2] = {a, scalar ? NULL : b};
        if (tgi_should_record(ctx, rin, 2)) {
            *node = tgi_record(out, d->op, rin, scalar ? 1 : 2);
            if (!*node) {
                tgi_tensor_decref(out);
                return NULL;
            }
            (*node)->args.s = s;
        }
    }
    return out;
}

tg_tensor *tgi_ew_unary(const tgi_ew_desc *d, const tg_tensor *a, tg_node **node) {
    *node = NULL;
    if (!a) {
        tgi_null_arg(NULL, d->fn, "self");
        return NULL;
    }
    tg_dtype compute, out_dtype;
    if (ew_dtypes(d, a, a->dtype, &compute, &out_dtype) != TG_OK) return NULL;
    tg_tensor *out = tgi_ew_run(d, &a, 1, compute, out_dtype, a->shape, a->ndim, NULL);
    if (!out) return NULL;
    if (d->op >= 0 && tgi_is_floating(out->dtype) && tgi_should_record(a->ctx, &a, 1)) {
        *node = tgi_record(out, d->op, &a, 1);
        if (!*node) {
            tgi_tensor_decref(out);
            return NULL;
        }
    }
    return out;
}

/* Registers out in the current scope after a failed save or on success. */
tg_tensor *tgi_ew_finish(tg_tensor *out, tg_status st) { return tgi_finish(out, st); }

/* ---------------------------------------------------------------- op descriptors */

static const char SUB_BOOL[] =
    "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
    "`logical_xor()` operator instead.";
static const char SUB_BOOL_SCALAR[] =
    "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
    "invert a mask, use the `~` or `logical_not()` operator instead.";
static const char NEG_BOOL[] =
    "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert "
    "a mask, use the `~` or `logical_not()` operator instead.";


static const tgi_ew_desc D_ADD = {"tg_add", "add_cpu", TGI_OP_ADD, K3(k_add), 0, NULL};
static const tgi_ew_desc D_ADD_S = {"tg_add_scalar", "add_cpu", TGI_OP_ADD_SCALAR, K3(k_add), 0, NULL};
static const tgi_ew_desc D_SUB = {"tg_sub", "sub_cpu", TGI_OP_SUB, K3(k_sub), EW_NO_BOOL, SUB_BOOL};
static const tgi_ew_desc D_SUB_S = {"tg_sub_scalar", "sub_cpu", TGI_OP_SUB_SCALAR, K3(k_sub),
                                EW_NO_BOOL, SUB_BOOL_SCALAR};
static const tgi_ew_desc D_RSUB = {"tg_rsub_scalar", "sub_cpu", TGI_OP_RSUB, K3(k_rsub), EW_NO_BOOL,
                               SUB_BOOL_SCALAR};
static const tgi_ew_desc D_MUL = {"tg_mul", "mul_cpu", TGI_OP_MUL, K3(k_mul), 0, NULL};
static const tgi_ew_desc D_MUL_S = {"tg_mul_scalar", "mul_cpu", TGI_OP_MUL_SCALAR, K3(k_mul), 0, NULL};
static const tgi_ew_desc D_DIV = {"tg_div", "div_cpu", TGI_OP_DIV, K2(k_div), EW_TO_FLOAT, NULL};
static const tgi_ew_desc D_DIV_S = {"tg_div_scalar", "div_cpu", TGI_OP_DIV_SCALAR, K2(k_div),
                                EW_TO_FLOAT, NULL};
static const tgi_ew_desc D_POW = {"tg_pow", "pow", TGI_OP_POW, K3(k_pow), EW_NO_BOOL,
                                  "\"pow\" not implemented for 'Bool'"};
static const tgi_ew_desc D_POW_S = {"tg_pow_scalar", "pow", TGI_OP_POW_SCALAR, K3(k_pow), 0, NULL};
static const tgi_ew_desc D_RPOW = {"tg_rpow_scalar", "pow", TGI_OP_RPOW, K3(k_rpow), 0, NULL};
static const tgi_ew_desc D_NEG = {"tg_neg", "neg_cpu", TGI_OP_NEG, K3(k_neg), EW_NO_BOOL, NEG_BOOL};
static const tgi_ew_desc D_EXP = {"tg_exp", "exp_vml_cpu", TGI_OP_EXP, K2(k_exp), EW_TO_FLOAT, NULL};
static const tgi_ew_desc D_LOG = {"tg_log", "log_vml_cpu", TGI_OP_LOG, K2(k_log), EW_TO_FLOAT, NULL};
static const tgi_ew_desc D_SQRT = {"tg_sqrt", "sqrt_vml_cpu", TGI_OP_SQRT, K2(k_sqrt), EW_TO_FLOAT,
                               NULL};
static const tgi_ew_desc D_ABS = {"tg_abs", "abs_cpu", TGI_OP_ABS, K3(k_abs), EW_NO_BOOL,
                                  "\"abs_cpu\" not implemented for 'Bool'"};
static const tgi_ew_desc D_SIGN = {"tg_sign", "sign_cpu", TGI_OP_SIGN, K3(k_sign), 0, NULL};
static const tgi_ew_desc D_RECIP = {"tg_reciprocal", "reciprocal_cpu", TGI_OP_RECIPROCAL,
                                K2(k_recip), EW_TO_FLOAT, NULL};

/* PyTorch's sub_check: a bool operand is refused whatever the other one is (a Python scalar
 * counts as a non-bool tensor). The driver reports NULL inputs. */
static tg_status sub_check(const char *fn, const tg_tensor *a, const tg_tensor *b) {
    bool ab = a && a->dtype == TG_BOOL, bb = b && b->dtype == TG_BOOL;
    if (ab && bb) return tgi_error(a->ctx, TG_ERR_DTYPE, "%s: %s", fn, SUB_BOOL);
    if (ab || bb)
        return tgi_error(ab ? a->ctx : b->ctx, TG_ERR_DTYPE, "%s: %s", fn, SUB_BOOL_SCALAR);
    return TG_OK;
}

/* ---------------------------------------------------------------- public binary ops */

tg_tensor *tg_add(const tg_tensor *a, const tg_tensor *b) {
    tg_node *n;
    return tgi_ew_finish(tgi_ew_binary(&D_ADD, a, b, 1.0, false, &n), TG_OK);
}

tg_tensor *tg_sub(const tg_tensor *a, const tg_tensor *b) {
    tg_node *n;
    if (sub_check("tg_sub", a, b) != TG_OK) return NULL;
    return tgi_ew_finish(tgi_ew_binary(&D_SUB, a, b, -1.0, false, &n), TG_OK);
}

tg_tensor *tg_mul(const tg_tensor *a, const tg_tensor *b) {
    tg_node *n;
    tg_tensor *out = tgi_ew_binary(&D_MUL, a, b, 0, false, &n);
    tg_status st = TG_OK;
    if (n) { /* d/da = g * b needs b; d/db = g * a needs a */
        if (tgi_needs(n, 0)) st = tgi_save(n, b, false);
        if (st == TG_OK && tgi_needs(n, 1)) st = tgi_save(n, a, false);
    }
    return tgi_ew_finish(out, st);
}

tg_tensor *tg_div(const tg_tensor *a, const tg_tensor *b) {
    tg_node *n;
    tg_tensor *out = tgi_ew_binary(&D_DIV, a, b, 0, false, &n);
    tg_status st = TG_OK;
    if (n) { /* saved[0] = b always; saved[1] = a when b needs a gradient */
        st = tgi_save(n, b, false);
        if (st == TG_OK && tgi_needs(n, 1)) st = tgi_save(n, a, false);
    }
    return tgi_ew_finish(out, st);
}

tg_tensor *tg_pow(const tg_tensor *a, const tg_tensor *b) {
    tg_node *n;
    tg_tensor *out = tgi_ew_binary(&D_POW, a, b, 0, false, &n);
    tg_status st = TG_OK;
    if (n) { /* self, exponent, result */
        st = tgi_save(n, a, false);
        if (st == TG_OK) st = tgi_save(n, b, false);
        if (st == TG_OK) st = tgi_save(n, out, true);
    }
    return tgi_ew_finish(out, st);
}

tg_tensor *tg_add_scalar(const tg_tensor *a, double s) {
    tg_node *n;
    return tgi_ew_finish(tgi_ew_binary(&D_ADD_S, a, NULL, s, true, &n), TG_OK);
}

tg_tensor *tg_sub_scalar(const tg_tensor *a, double s) {
    tg_node *n;
    if (sub_check("tg_sub_scalar", a, NULL) != TG_OK) return NULL;
    return tgi_ew_finish(tgi_ew_binary(&D_SUB_S, a, NULL, s, true, &n), TG_OK);
}

tg_tensor *tg_rsub_scalar(const tg_tensor *a, double s) {
    tg_node *n;
    if (sub_check("tg_rsub_scalar", a, NULL) != TG_OK) return NULL;
    return tgi_ew_finish(tgi_ew_binary(&D_RSUB, a, NULL, s, true, &n), TG_OK);
}

tg_tensor *tg_mul_scalar(const tg_tensor *a, double s) {
    tg_node *n;
    tg_tensor *out = tgi_ew_binary(&D_MUL_S, a, NULL, s, true, &n);
    if (n) n->has_saved = true; /* PyTorch saves the wrapped scalar: a 2nd backward fails */
    return tgi_ew_finish(out, TG_OK);
}

tg_tensor *tg_div_scalar(const tg_tensor *a, double s) {
    tg_node *n;
    tg_tensor *out = tgi_ew_binary(&D_DIV_S, a, NULL, s, true, &n);
    if (n) n->has_saved = true;
    return tgi_ew_finish(out, TG_OK);
}

tg_tensor *tg_rdiv_scalar(const tg_tensor *a, double s) {
    /* PyTorch computes s / a as reciprocal(a) * s: MulBackward0 over ReciprocalBackward0 */
    if (!a) return tgi_null_arg(NULL, "tg_rdiv_scalar", "self"), NULL;
    tg_tensor *r = tgi_reciprocal(a);
    return r ? tg_mul_scalar(r, s) : NULL;
}

tg_tensor *tg_pow_scalar(const tg_tensor *a, double e) {
    if (a && !tgi_is_floating(a->dtype) && e < 0 && e == floor(e)) {
        tgi_error(a->ctx, TG_ERR_INVALID_ARG,
                  "tg_pow_scalar: Integers to negative integer powers are not allowed.");
        return NULL;
    }
    tg_node *n;
    tg_tensor *out = tgi_ew_binary(&D_POW_S, a, NULL, e, true, &n);
    tg_status st = TG_OK;
    if (n) st = tgi_save(n, a, false);
    return tgi_ew_finish(out, st);
}

tg_tensor *tg_rpow_scalar(const tg_tensor *a, double base) {
    tg_node *n;
    tg_tensor *out = tgi_ew_binary(&D_RPOW, a, NULL, base, true, &n);
    tg_status st = TG_OK;
    if (n) st = tgi_save(n, out, true);
    if (n && st == TG_OK && base == 0.0) st = tgi_save(n, a, false);
    return tgi_ew_finish(out, st);
}

/* ---------------------------------------------------------------- unary ops */

static tg_tensor *unary_saving(const tgi_ew_desc *d, const tg_tensor *a, int save) {
    tg_node *n;
    tg_tensor *out = tgi_ew_unary(d, a, &n);
    tg_status st = TG_OK;
    if (n && save == 1) st = tgi_save(n, a, false);
    if (n && save == 2) st = tgi_save(n, out, true);
    return tgi_ew_finish(out, st);
}

tg_tensor *tg_neg(const tg_tensor *a) { return unary_saving(&D_NEG, a, 0); }
tg_tensor *tg_exp(const tg_tensor *a) { return unary_saving(&D_EXP, a, 2); }
tg_tensor *tg_log(const tg_tensor *a) { return unary_saving(&D_LOG, a, 1); }
tg_tensor *tg_sqrt(const tg_tensor *a) { return unary_saving(&D_SQRT, a, 2); }
tg_tensor *tg_abs(const tg_tensor *a) { return unary_saving(&D_ABS, a, 1); }
tg_tensor *tgi_sign(const tg_tensor *a) { return unary_saving(&D_SIGN, a, 0); }
tg_tensor *tgi_reciprocal(const tg_tensor *a) { return unary_saving(&D_RECIP, a, 2); }

/* ---------------------------------------------------------------- comparisons */

#define CMP_OP(NAME, KN)                                                                       \
    static const tgi_ew_desc D_##NAME = {"tg_" #NAME, #NAME "_cpu", -1, K3(KN),                    \
                                     EW_BOOL_OUT, NULL};                                       \
    static const tgi_ew_desc D_##NAME##_S = {"tg_" #NAME "_scalar", #NAME "_cpu", -1, K3(KN),      \
                                         EW_BOOL_OUT, NULL};                                   \
    tg_tensor *tg_##NAME(const tg_tensor *a, const tg_tensor *b) {                             \
        tg_node *n;                                                                            \
        return tgi_ew_finish(tgi_ew_binary(&D_##NAME, a, b, 0, false, &n), TG_OK);                        \
    }                                                                                          \
    tg_tensor *tg_##NAME##_scalar(const tg_tensor *a, double s) {                              \
        tg_node *n;                                                                            \
        return tgi_ew_finish(tgi_ew_binary(&D_##NAME##_S, a, NULL, s, true, &n), TG_OK);                  \
    }
CMP_OP(eq, k_eq)
CMP_OP(ne, k_ne)
CMP_OP(lt, k_lt)
CMP_OP(le, k_le)
CMP_OP(gt, k_gt)
CMP_OP(ge, k_ge)

/* ---------------------------------------------------------------- where */

static const tgi_ew_desc D_WHERE = {"tg_where", "where_cpu", TGI_OP_WHERE,
                                {k_where_f, k_where_d, k_where_l}, EW_COND_FIRST, NULL};

tg_tensor *tgi_where(const tg_tensor *cond, const tg_tensor *a, const tg_tensor *b) {
    if (!cond || !a || !b) {
        const tg_tensor *any = cond ? cond : a ? a : b;
        tgi_null_arg(any ? any->ctx : NULL, "tg_where", !cond ? "condition" : !a ? "self" : "other");
        return NULL;
    }
    tg_ctx *ctx = a->ctx;
    if (cond->dtype != TG_BOOL) {
        tgi_error(ctx, TG_ERR_DTYPE, "tg_where: where expected condition to be a boolean tensor, "
                                     "but got a tensor with dtype %s", tgi_dtype_cname(cond->dtype));
        return NULL;
    }
    int64_t s1[TG_MAX_DIMS], s2[TG_MAX_DIMS];
    int n1, n2;
    if (tgi_broadcast_shapes(ctx, "tg_where", cond->shape, cond->ndim, a->shape, a->ndim, s1,
                             &n1) != TG_OK ||
        tgi_broadcast_shapes(ctx, "tg_where", s1, n1, b->shape, b->ndim, s2, &n2) != TG_OK)
        return NULL;
    tg_dtype dt = tgi_result_type(a, b);
    tg_dtype compute = dt == TG_BOOL ? TG_INT64 : dt; /* bool selects through int64, then back */
    const tg_tensor *in[3] = {cond, a, b};
    tg_tensor *out = tgi_ew_run(&D_WHERE, in, 3, compute, dt, s2, n2, NULL);
    if (!out) return NULL;
    tg_status st = TG_OK;
    const tg_tensor *rin[3] = {NULL, a, b};
    if (tgi_is_floating(dt) && tgi_should_record(ctx, rin, 3)) {
        tg_node *n = tgi_record(out, TGI_OP_WHERE, rin, 3);
        st = n ? tgi_save(n, cond, false) : ctx->err;
    }
    return tgi_ew_finish(out, st);
}

/* a with the elements where mask is true replaced by zero (mask broadcasts to a). */
tg_tensor *tgi_masked_zero(const tg_tensor *a, const tg_tensor *mask) {
    if (!a || !mask) return NULL;
    tg_tensor *z = tg_scalar(a->ctx, 0.0, a->dtype);
    return z ? tgi_where(mask, z, a) : NULL;
}

/* ---------------------------------------------------------------- in place */

/* The checks PyTorch's check_inplace does when the op will be recorded. */
tg_status tgi_check_inplace(const char *fn, tg_tensor *self, bool recording) {
    if (self->is_inference && !self->ctx->inference)
        return tgi_error(self->ctx, TG_ERR_AUTOGRAD,
                         "%s: Inplace update to inference tensor outside InferenceMode is not "
                         "allowed.You can make a clone to get a normal tensor before doing inplace "
                         "update.See https://github.com/pytorch/rfcs/pull/17 for more details.",
                         fn);
    if (!recording) return TG_OK;
    if (!self->grad_fn && self->requires_grad && !self->is_view)
        return tgi_error(self->ctx, TG_ERR_AUTOGRAD,
                         "%s: a leaf Variable that requires grad is being used in an in-place "
                         "operation.",
                         fn);
    if (self->is_view && self->base) {
        const tg_tensor *b = self->base;
        if (!b->grad_fn && b->requires_grad)
            return tgi_error(self->ctx, TG_ERR_AUTOGRAD,
                             "%s: a view of a leaf Variable that requires grad is being used in "
                             "an in-place operation.",
                             fn);
        if (self->grad_fn && (self->grad_fn->n_outputs > 1 || self->grad_fn->op == TGI_OP_SPLIT ||
                              self->grad_fn->op == TGI_OP_SPLIT_WITH_SIZES))
            return tgi_error(self->ctx, TG_ERR_AUTOGRAD,
                             "%s: Output %u of %s is a view and is being modified inplace. This "
                             "view is the output of a function that returns multiple views. Such "
                             "functions do not allow the output views to be modified inplace. You "
                             "should replace the inplace operation by an out-of-place one.",
                             fn, self->output_nr, tg_node_name(self->grad_fn));
        if (!b->contiguous)
            return tgi_error(self->ctx, TG_ERR_AUTOGRAD,
                             "%s: in-place modification of a view of a non-contiguous tensor "
                             "while recording is not supported (make the base contiguous first)",
                             fn);
    }
    return TG_OK;
}

/* Records an in-place op on self: the new node's edge 0 is self's previous history, then self
 * is rebased onto it. other may be NULL (scalar forms). Returns the node or NULL. */
static tg_node *record_inplace(tg_tensor *self, int op, const tg_tensor *other) {
    const tg_tensor *in[2] = {self, other};
    return tgi_record(self, op, in, other ? 2 : 1);
}

/* self = self (op) other, or self (op) s when other is NULL. */
tg_status tgi_ew_inplace(const tgi_ew_desc *d, tg_tensor *self, const tg_tensor *other, double s,
                            bool scalar) {
    if (!self) return tgi_null_arg(other ? other->ctx : NULL, d->fn, "self");
    tg_ctx *ctx = self->ctx;
    if (!scalar && !other) return tgi_null_arg(ctx, d->fn, "other");
    tg_dtype result = scalar ? tgi_result_type_scalar(self, s) : tgi_result_type(self, other);
    tg_dtype compute, out_dtype;
    if (ew_dtypes(d, self, result, &compute, &out_dtype) != TG_OK) return ctx->err;
    if (!tgi_can_cast(out_dtype, self->dtype))
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: result type %s can't be cast to the desired output type %s", d->fn,
                         tgi_dtype_cname(out_dtype), tgi_dtype_cname(self->dtype));
    if (!scalar) {
        int64_t shape[TG_MAX_DIMS];
        int nd;
        if (tgi_broadcast_shapes(ctx, d->fn, self->shape, self->ndim, other->shape, other->ndim,
                                 shape, &nd) != TG_OK)
            return ctx->err;
        if (!tgi_same_shape(shape, nd, self->shape, self->ndim)) {
            char a[200], b[200];
            tgi_fmt_shape(a, sizeof a, self->shape, self->ndim);
            tgi_fmt_shape(b, sizeof b, shape, nd);
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: output with shape %s doesn't match the broadcast shape %s",
                             d->fn, a, b);
        }
    }
    const tg_tensor *rin[2] = {self, scalar ? NULL : other};
    bool record = d->op >= 0 && tgi_is_floating(self->dtype) && tgi_should_record(ctx, rin, 2);
    if (tgi_check_inplace(d->fn, self, record) != TG_OK) return ctx->err;

    /* Values the backward needs from self before it is overwritten: PyTorch's original_self =
     * self.clone(), a recorded clone (CloneBackward0 when self requires grad), so a double
     * backward through other's gradient reaches self's previous history. */
    tg_tensor *orig_self = NULL;
    if (record && d->op == TGI_OP_MUL && !scalar && tgi_requires_grad(other)) {
        orig_self = tg_clone(self);
        if (!orig_self) return ctx->err;
        orig_self->refcount++; /* ours until saved; the scope keeps its own */
    }

    tgi_scalar_buf ss;
    const tg_tensor *bb = scalar ? tgi_stack_scalar(&ss, ctx, s, compute) : other;
    const tg_tensor *in[2] = {self, bb};
    if (!tgi_ew_run(d, in, 2, compute, out_dtype, self->shape, self->ndim, self)) {
        tgi_tensor_decref(orig_self);
        return ctx->err;
    }
    self->storage->version++;
    tg_status st = TG_OK;
    if (record) {
        tg_node *n = record_inplace(self, d->op, scalar ? NULL : other);
        if (!n) st = ctx->err;
        else {
            n->args.s = s;
            if (d->op == TGI_OP_MUL_SCALAR || d->op == TGI_OP_DIV_SCALAR) n->has_saved = true;
            if (d->op == TGI_OP_MUL) {
                if (tgi_needs(n, 0)) st = tgi_save(n, other, false);
                if (st == TG_OK && tgi_needs(n, 1)) st = tgi_save(n, orig_self, false);
            } else if (d->op == TGI_OP_DIV) {
                st = tgi_save(n, other, false);
                /* d/dother = -g * result / other: save the new self (our output) */
                if (st == TG_OK && tgi_needs(n, 1)) st = tgi_save(n, self, true);
            }
        }
    }
    tgi_tensor_decref(orig_self);
    return st;
}

static const tgi_ew_desc D_DIV_INPLACE = {"tg_div_", "div_cpu", TGI_OP_DIV, K2(k_div), EW_TO_FLOAT,
                                      NULL};

tg_status tg_add_(tg_tensor *self, const tg_tensor *other) {
    static const tgi_ew_desc d = {"tg_add_", "add_cpu", TGI_OP_ADD, K3(k_add), 0, NULL};
    return tgi_ew_inplace(&d, self, other, 1.0, false);
}
tg_status tg_sub_(tg_tensor *self, const tg_tensor *other) {
    static const tgi_ew_desc d = {"tg_sub_", "sub_cpu", TGI_OP_SUB, K3(k_sub), EW_NO_BOOL, SUB_BOOL};
    tg_status st = sub_check("tg_sub_", self, other);
    return st != TG_OK ? st : tgi_ew_inplace(&d, self, other, -1.0, false);
}
tg_status tg_mul_(tg_tensor *self, const tg_tensor *other) {
    static const tgi_ew_desc d = {"tg_mul_", "mul_cpu", TGI_OP_MUL, K3(k_mul), 0, NULL};
    return tgi_ew_inplace(&d, self, other, 0, false);
}
tg_status tg_div_(tg_tensor *self, const tg_tensor *other) {
    return tgi_ew_inplace(&D_DIV_INPLACE, self, other, 0, false);
}
tg_status tg_add_scalar_(tg_tensor *self, double s) {
    static const tgi_ew_desc d = {"tg_add_scalar_", "add_cpu", TGI_OP_ADD_SCALAR, K3(k_add), 0, NULL};
    return tgi_ew_inplace(&d, self, NULL, s, true);
}
tg_status tg_sub_scalar_(tg_tensor *self, double s) {
    static const tgi_ew_desc d = {"tg_sub_scalar_", "sub_cpu", TGI_OP_SUB_SCALAR, K3(k_sub),
                              EW_NO_BOOL, SUB_BOOL_SCALAR};
    tg_status st = sub_check("tg_sub_scalar_", self, NULL);
    return st != TG_OK ? st : tgi_ew_inplace(&d, self, NULL, s, true);
}
tg_status tg_mul_scalar_(tg_tensor *self, double s) {
    static const tgi_ew_desc d = {"tg_mul_scalar_", "mul_cpu", TGI_OP_MUL_SCALAR, K3(k_mul), 0, NULL};
    return tgi_ew_inplace(&d, self, NULL, s, true);
}
tg_status tg_div_scalar_(tg_tensor *self, double s) {
    static const tgi_ew_desc d = {"tg_div_scalar_", "div_cpu", TGI_OP_DIV_SCALAR, K2(k_div),
                              EW_TO_FLOAT, NULL};
    return tgi_ew_inplace(&d, self, NULL, s, true);
}

/* fill_, zero_ and copy_ overwrite self entirely: the node's only edge (self's old history)
 * receives a zero gradient; copy_ also passes the gradient on to src. */
static tg_status overwrite(const char *fn, tg_tensor *self, const tg_tensor *src, double value,
                           int op) {
    if (!self) return tgi_null_arg(src ? src->ctx : NULL, fn, "self");
    tg_ctx *ctx = self->ctx;
    const tg_tensor *rin[2] = {self, src};
    bool record = tgi_is_floating(self->dtype) && tgi_should_record(ctx, rin, src ? 2 : 1);
    if (src) { /* TensorIterator's checks: self and src broadcast, to self's shape */
        int64_t bshape[TG_MAX_DIMS];
        int bnd;
        if (tgi_broadcast_shapes(ctx, fn, self->shape, self->ndim, src->shape, src->ndim, bshape,
                                 &bnd) != TG_OK)
            return ctx->err;
        if (!tgi_same_shape(bshape, bnd, self->shape, self->ndim)) {
            char a[200], b[200];
            tgi_fmt_shape(a, sizeof a, self->shape, self->ndim);
            tgi_fmt_shape(b, sizeof b, bshape, bnd);
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: output with shape %s doesn't match the broadcast shape %s", fn,
                             a, b);
        }
    }
    if (tgi_check_inplace(fn, self, record) != TG_OK) return ctx->err;
    if (src) {
        if (src->storage == self->storage) {
            tg_tensor *tmp = tgi_cast(src, src->dtype, true);
            if (tmp == src) {
                tgi_tensor_decref(tmp);
                tmp = tgi_empty(ctx, src->shape, src->ndim, src->dtype);
                if (tmp) tgi_copy_into(tmp, src);
            }
            if (!tmp) return ctx->err;
            tgi_copy_into(self, tmp);
            tgi_tensor_decref(tmp);
        } else {
            tgi_copy_into(self, src);
        }
    } else {
        tgi_scalar_buf ss;
        const tg_tensor *v = tgi_stack_scalar(&ss, ctx, value, self->dtype);
        tgi_copy_into(self, v);
    }
    self->storage->version++;
    if (record) {
        bool src_rg = src && tgi_requires_grad(src);
        if (!record_inplace(self, op, src_rg ? src : NULL)) return ctx->err;
    }
    return TG_OK;
}

tg_status tg_zero_(tg_tensor *self) { return overwrite("tg_zero_", self, NULL, 0.0, TGI_OP_ZERO); }
tg_status tg_fill_(tg_tensor *self, double value) {
    return overwrite("tg_fill_", self, NULL, value, TGI_OP_FILL);
}
tg_status tg_copy_(tg_tensor *self, const tg_tensor *src) {
    if (self && !src) return tgi_null_arg(self->ctx, "tg_copy_", "src");
    return overwrite("tg_copy_", self, src, 0.0, TGI_OP_COPY);
}
