/*
 * pointwise.c — pointwise math on top of the shared driver (pointwise.h): log1p, expm1, rsqrt,
 * sin/cos/tan, tanh, sigmoid, the activations (relu, leaky_relu, elu, gelu, silu, softplus),
 * clamp and its one-sided forms, floor/ceil/round, maximum/minimum/atan2, and in-place relu_,
 * sigmoid_, tanh_, clamp_, clamp_min_, clamp_max_. Forward kernels follow PyTorch's CPU formulas
 * (float functions for float32, double ones for float64); backward formulas are in
 * pointwise_grad.c.
 */
#include "pointwise.h"

#include <math.h>
#include <string.h>

/* <math.h>'s M_ constants are not C11; these are the same double values. */
#define PW_SQRT2 1.41421356237309504880      /* sqrt(2) */
#define PW_SQRT1_2 0.70710678118654752440    /* 1 / sqrt(2) */
#define PW_2_SQRTPI 1.12837916709551257390   /* 2 / sqrt(pi) */

/* ---------------------------------------------------------------- scalar formulas */

/* sigmoid and silu as PyTorch's CPU kernels: 1 / (1 + exp(-x)), x / (1 + exp(-x)); exp
 * overflowing to inf gives the right limits 0 and -0. */
static inline float sigmoid_f(float x) { return 1.0f / (1.0f + expf(-x)); }
static inline double sigmoid_d(double x) { return 1.0 / (1.0 + exp(-x)); }

/* gelu, exact: x/2 (1 + erf(x / sqrt 2)); tanh form: x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
static inline float gelu_f(float x) {
    return x * 0.5f * (1.0f + erff(x * (float)PW_SQRT1_2));
}
static inline double gelu_d(double x) { return x * 0.5 * (1.0 + erf(x * PW_SQRT1_2)); }
static inline float gelu_tanh_f(float x) {
    const float beta = (float)(PW_SQRT2 * PW_2_SQRTPI * 0.5), kappa = 0.044715f;
    float inner = beta * (x + kappa * x * x * x);
    return 0.5f * x * (1.0f + tanhf(inner));
}
static inline double gelu_tanh_d(double x) {
    const double beta = PW_SQRT2 * PW_2_SQRTPI * 0.5, kappa = 0.044715;
    double inner = beta * (x + kappa * x * x * x);
    return 0.5 * x * (1.0 + tanh(inner));
}

/* softplus with PyTorch's threshold: x where beta x > threshold, else log1p(exp(beta x)) / beta */
static inline float softplus_f(float x, float beta, float th) {
    return x * beta > th ? x : log1pf(expf(x * beta)) / beta;
}
static inline double softplus_d(double x, double beta, double th) {
    return x * beta > th ? x : log1p(exp(x * beta)) / beta;
}

/* clamp as PyTorch: NaN inputs stay NaN, a NaN bound makes every element NaN, and with
 * min > max every element is max (std::min(std::max(x, min), max)). */
#define CLAMP_LO(x, lo) ((x) < (lo) ? (lo) : (x))
#define CLAMP_HI(x, hi) ((hi) < (x) ? (hi) : (x))
static inline float clamp_f(float x, float lo, float hi) {
    if (lo != lo || hi != hi) return NAN;
    return x != x ? x : CLAMP_HI(CLAMP_LO(x, lo), hi);
}
static inline double clamp_d(double x, double lo, double hi) {
    if (lo != lo || hi != hi) return NAN;
    return x != x ? x : CLAMP_HI(CLAMP_LO(x, lo), hi);
}
static inline int64_t clamp_l(int64_t x, int64_t lo, int64_t hi) {
    return CLAMP_HI(CLAMP_LO(x, lo), hi);
}

/* ---------------------------------------------------------------- kernels */

UN_KERNEL(k_log1p_f, float, float, log1pf(x))
UN_KERNEL(k_log1p_d, double, double, log1p(x))
UN_KERNEL(k_expm1_f, float, float, expm1f(x))
UN_KERNEL(k_expm1_d, double, double, expm1(x))
UN_KERNEL(k_rsqrt_f, float, float, 1.0f / sqrtf(x))
UN_KERNEL(k_rsqrt_d, double, double, 1.0 / sqrt(x))
UN_KERNEL(k_sin_f, float, float, sinf(x))
UN_KERNEL(k_sin_d, double, double, sin(x))
UN_KERNEL(k_cos_f, float, float, cosf(x))
UN_KERNEL(k_cos_d, double, double, cos(x))
UN_KERNEL(k_tan_f, float, float, tanf(x))
UN_KERNEL(k_tan_d, double, double, tan(x))
UN_KERNEL(k_tanh_f, float, float, tanhf(x))
UN_KERNEL(k_tanh_d, double, double, tanh(x))
UN_KERNEL(k_sigmoid_f, float, float, sigmoid_f(x))
UN_KERNEL(k_sigmoid_d, double, double, sigmoid_d(x))
/* relu keeps NaN and -0.0, as clamp_min(x, 0) does */
UN_KERNEL(k_relu_f, float, float, x < 0 ? 0.0f : x)
UN_KERNEL(k_relu_d, double, double, x < 0 ? 0.0 : x)
UN_KERNEL(k_relu_l, int64_t, int64_t, x < 0 ? 0 : x)
UN_KERNEL(k_silu_f, float, float, x / (1.0f + expf(-x)))
UN_KERNEL(k_silu_d, double, double, x / (1.0 + exp(-x)))
UN_KERNEL(k_gelu_f, float, float, gelu_f(x))
UN_KERNEL(k_gelu_d, double, double, gelu_d(x))
UN_KERNEL(k_gelu_tanh_f, float, float, gelu_tanh_f(x))
UN_KERNEL(k_gelu_tanh_d, double, double, gelu_tanh_d(x))
/* integers are their own floor, ceil and round; round is half to even (nearbyint) */
UN_KERNEL(k_floor_f, float, float, floorf(x))
UN_KERNEL(k_floor_d, double, double, floor(x))
UN_KERNEL(k_ceil_f, float, float, ceilf(x))
UN_KERNEL(k_ceil_d, double, double, ceil(x))
UN_KERNEL(k_round_f, float, float, nearbyintf(x))
UN_KERNEL(k_round_d, double, double, nearbyint(x))
UN_KERNEL(k_ident_l, int64_t, int64_t, x)
#define K_INT_IDENT(n) {n##_f, n##_d, k_ident_l}

/* x (op) y where y is the scalar parameter */
BIN_KERNEL(k_leaky_f, float, float, x > 0 ? x : x * y)
BIN_KERNEL(k_leaky_d, double, double, x > 0 ? x : x * y)
BIN_KERNEL(k_elu_f, float, float, x <= 0 ? expm1f(x) * y : x)
BIN_KERNEL(k_elu_d, double, double, x <= 0 ? expm1(x) * y : x)
/* clamp_min / clamp_max: a NaN bound fills the result with NaN, NaN inputs stay NaN */
BIN_KERNEL(k_cmin_f, float, float, y != y ? y : (x != x ? x : CLAMP_LO(x, y)))
BIN_KERNEL(k_cmin_d, double, double, y != y ? y : (x != x ? x : CLAMP_LO(x, y)))
BIN_KERNEL(k_cmin_l, int64_t, int64_t, CLAMP_LO(x, y))
BIN_KERNEL(k_cmax_f, float, float, y != y ? y : (x != x ? x : CLAMP_HI(x, y)))
BIN_KERNEL(k_cmax_d, double, double, y != y ? y : (x != x ? x : CLAMP_HI(x, y)))
BIN_KERNEL(k_cmax_l, int64_t, int64_t, CLAMP_HI(x, y))
/* maximum / minimum: NaN if either is NaN, else std::max / std::min */
BIN_KERNEL(k_max_f, float, float, (x != x || y != y) ? NAN : (x < y ? y : x))
BIN_KERNEL(k_max_d, double, double, (x != x || y != y) ? NAN : (x < y ? y : x))
BIN_KERNEL(k_max_l, int64_t, int64_t, x < y ? y : x)
BIN_KERNEL(k_min_f, float, float, (x != x || y != y) ? NAN : (y < x ? y : x))
BIN_KERNEL(k_min_d, double, double, (x != x || y != y) ? NAN : (y < x ? y : x))
BIN_KERNEL(k_min_l, int64_t, int64_t, y < x ? y : x)
BIN_KERNEL(k_atan2_f, float, float, atan2f(x, y))
BIN_KERNEL(k_atan2_d, double, double, atan2(x, y))
/* in-place sigmoid_ / tanh_ run through the binary in-place driver; y (a 0) is unused */
BIN_KERNEL(k_sigmoid_ip_f, float, float, ((void)y, sigmoid_f(x)))
BIN_KERNEL(k_sigmoid_ip_d, double, double, ((void)y, sigmoid_d(x)))
BIN_KERNEL(k_tanh_ip_f, float, float, ((void)y, tanhf(x)))
BIN_KERNEL(k_tanh_ip_d, double, double, ((void)y, tanh(x)))

/* Three operands (the input and two scalar parameters), any strides. */
#define TER_KERNEL(NAME, T, EXPR)                                                              \
    static void NAME(char **p, const int64_t *st, int64_t n, const tgi_args *a) {              \
        (void)a;                                                                               \
        for (int64_t i = 0; i < n; i++) {                                                      \
            T x = *(const T *)(const void *)(p[1] + i * st[1]);                                \
            T y = *(const T *)(const void *)(p[2] + i * st[2]);                                \
            T z = *(const T *)(const void *)(p[3] + i * st[3]);                                \
            *(T *)(void *)(p[0] + i * st[0]) = (EXPR);                                         \
        }                                                                                      \
    }
TER_KERNEL(k_clamp_f, float, clamp_f(x, y, z))
TER_KERNEL(k_clamp_d, double, clamp_d(x, y, z))
TER_KERNEL(k_clamp_l, int64_t, clamp_l(x, y, z))
TER_KERNEL(k_softplus_f, float, softplus_f(x, y, z))
TER_KERNEL(k_softplus_d, double, softplus_d(x, y, z))

/* ---------------------------------------------------------------- descriptors */

static const char RELU_BOOL[] = "Boolean inputs not supported for relu";
static const char FLOOR_BOOL[] = "\"floor_vml_cpu\" not implemented for 'Bool'";
static const char CEIL_BOOL[] = "\"ceil_vml_cpu\" not implemented for 'Bool'";
static const char ROUND_BOOL[] = "\"round_vml_cpu\" not implemented for 'Bool'";

static const tgi_ew_desc D_LOG1P = {"tg_log1p", "log1p_vml_cpu", TGI_OP_LOG1P, K2(k_log1p),
                                    EW_TO_FLOAT, NULL};
static const tgi_ew_desc D_EXPM1 = {"tg_expm1", "expm1_vml_cpu", TGI_OP_EXPM1, K2(k_expm1),
                                    EW_TO_FLOAT, NULL};
static const tgi_ew_desc D_RSQRT = {"tg_rsqrt", "rsqrt_cpu", TGI_OP_RSQRT, K2(k_rsqrt),
                                    EW_TO_FLOAT, NULL};
static const tgi_ew_desc D_SIN = {"tg_sin", "sin_vml_cpu", TGI_OP_SIN, K2(k_sin), EW_TO_FLOAT,
                                  NULL};
static const tgi_ew_desc D_COS = {"tg_cos", "cos_vml_cpu", TGI_OP_COS, K2(k_cos), EW_TO_FLOAT,
                                  NULL};
static const tgi_ew_desc D_TAN = {"tg_tan", "tan_vml_cpu", TGI_OP_TAN, K2(k_tan), EW_TO_FLOAT,
                                  NULL};
static const tgi_ew_desc D_TANH = {"tg_tanh", "tanh_vml_cpu", TGI_OP_TANH, K2(k_tanh),
                                   EW_TO_FLOAT, NULL};
static const tgi_ew_desc D_SIGMOID = {"tg_sigmoid", "sigmoid_cpu", TGI_OP_SIGMOID,
                                      K2(k_sigmoid), EW_TO_FLOAT, NULL};
static const tgi_ew_desc D_RELU = {"tg_relu", "clamp_min_scalar_cpu", TGI_OP_RELU, K3(k_relu),
                                   EW_NO_BOOL, RELU_BOOL};
static const tgi_ew_desc D_SILU = {"tg_silu", "silu_cpu", TGI_OP_SILU, K2(k_silu), 0, NULL};
static const tgi_ew_desc D_GELU = {"tg_gelu", "GeluKernelImpl", TGI_OP_GELU, K2(k_gelu), 0,
                                   NULL};
static const tgi_ew_desc D_GELU_TANH = {"tg_gelu", "GeluKernelImpl", TGI_OP_GELU,
                                        K2(k_gelu_tanh), 0, NULL};
static const tgi_ew_desc D_FLOOR = {"tg_floor", "floor_vml_cpu", TGI_OP_FLOOR,
                                    K_INT_IDENT(k_floor), EW_NO_BOOL, FLOOR_BOOL};
static const tgi_ew_desc D_CEIL = {"tg_ceil", "ceil_vml_cpu", TGI_OP_CEIL, K_INT_IDENT(k_ceil),
                                   EW_NO_BOOL, CEIL_BOOL};
static const tgi_ew_desc D_ROUND = {"tg_round", "round_vml_cpu", TGI_OP_ROUND,
                                    K_INT_IDENT(k_round), EW_NO_BOOL, ROUND_BOOL};
static const tgi_ew_desc D_LEAKY = {"tg_leaky_relu", "leaky_relu_cpu", TGI_OP_LEAKY_RELU,
                                    K2(k_leaky), 0, NULL};
static const tgi_ew_desc D_ELU = {"tg_elu", "elu_cpu", TGI_OP_ELU, K2(k_elu), 0, NULL};
static const tgi_ew_desc D_SOFTPLUS = {"tg_softplus", "softplus_cpu", TGI_OP_SOFTPLUS,
                                       K2(k_softplus), 0, NULL};
static const tgi_ew_desc D_CLAMP = {"tg_clamp", "clamp_scalar_cpu", TGI_OP_CLAMP, K3(k_clamp), 0,
                                    NULL};
/* clamp with one bound runs the one-sided kernels but records ClampBackward1 */
static const tgi_ew_desc D_CLAMP_LO = {"tg_clamp", "clamp_min_scalar_cpu", TGI_OP_CLAMP,
                                       K3(k_cmin), 0, NULL};
static const tgi_ew_desc D_CLAMP_HI = {"tg_clamp", "clamp_max_scalar_cpu", TGI_OP_CLAMP,
                                       K3(k_cmax), 0, NULL};
static const tgi_ew_desc D_CLAMP_MIN = {"tg_clamp_min", "clamp_min_scalar_cpu", TGI_OP_CLAMP_MIN,
                                        K3(k_cmin), 0, NULL};
static const tgi_ew_desc D_CLAMP_MAX = {"tg_clamp_max", "clamp_max_scalar_cpu", TGI_OP_CLAMP_MAX,
                                        K3(k_cmax), 0, NULL};
static const tgi_ew_desc D_MAXIMUM = {"tg_maximum", "maximum_cpu", TGI_OP_MAXIMUM, K3(k_max), 0,
                                      NULL};
static const tgi_ew_desc D_MINIMUM = {"tg_minimum", "minimum_cpu", TGI_OP_MINIMUM, K3(k_min), 0,
                                      NULL};
static const tgi_ew_desc D_ATAN2 = {"tg_atan2", "atan2_cpu", TGI_OP_ATAN2, K2(k_atan2),
                                    EW_TO_FLOAT, NULL};

/* ---------------------------------------------------------------- helpers */

/* The node's second scalar parameter (clamp's max, softplus's threshold) lives in the bits of
 * args.n; pointwise_grad.c reads it back the same way. */
static void set_param2(tg_node *n, double v) { memcpy(&n->args.n, &v, sizeof v); }

/* Activations with only floating kernels: PyTorch's "<kernel> not implemented for '<dtype>'". */
static bool floating_only(const tg_tensor *a, const char *fn, const char *kname) {
    if (tgi_is_floating(a->dtype)) return true;
    tgi_error(a->ctx, TG_ERR_DTYPE, "%s: \"%s\" not implemented for '%s'", fn, kname,
              tgi_dtype_cname(a->dtype));
    return false;
}

/* An out-of-place unary op saving nothing (0), its input (1) or its result (2). */
static tg_tensor *unary(const tgi_ew_desc *d, const tg_tensor *a, int save) {
    tg_node *n;
    tg_tensor *out = tgi_ew_unary(d, a, &n);
    tg_status st = TG_OK;
    if (n && save == 1) st = tgi_save(n, a, false);
    if (n && save == 2) st = tgi_save(n, out, true);
    return tgi_ew_finish(out, st);
}

/* out = op(a, p) with one scalar parameter (args.s = p), through the binary driver. */
static tg_tensor *with_param(const tgi_ew_desc *d, const tg_tensor *a, double p, tg_node **n) {
    return tgi_ew_binary(d, a, NULL, p, true, n);
}

/* out = op(a, p0, p1) computed in dt, the two parameters as 0-d operands of dt; recorded as
 * d->op with the single edge a (args are the caller's to fill). */
static tg_tensor *with_params2(const tgi_ew_desc *d, const tg_tensor *a, double p0, double p1,
                               tg_dtype dt, tg_node **node) {
    *node = NULL;
    tgi_scalar_buf b0, b1;
    const tg_tensor *in[3] = {a, tgi_stack_scalar(&b0, a->ctx, p0, dt),
                              tgi_stack_scalar(&b1, a->ctx, p1, dt)};
    tg_tensor *out = tgi_ew_run(d, in, 3, dt, dt, a->shape, a->ndim, NULL);
    if (!out) return NULL;
    if (d->op >= 0 && tgi_is_floating(dt) && tgi_should_record(a->ctx, &a, 1)) {
        *node = tgi_record(out, d->op, &a, 1);
        if (!*node) {
            tgi_tensor_decref(out);
            return NULL;
        }
    }
    return out;
}

/* A private contiguous copy of t (the original self an in-place op's backward needs). */
static tg_tensor *private_copy(const tg_tensor *t) {
    tg_tensor *c = tgi_empty(t->ctx, t->shape, t->ndim, t->dtype);
    if (c) tgi_copy_into(c, t);
    return c;
}

/* ---------------------------------------------------------------- unary math */

tg_tensor *tg_log1p(const tg_tensor *a) { return unary(&D_LOG1P, a, 1); }
tg_tensor *tg_expm1(const tg_tensor *a) { return unary(&D_EXPM1, a, 2); }
tg_tensor *tg_rsqrt(const tg_tensor *a) { return unary(&D_RSQRT, a, 2); }
tg_tensor *tg_sin(const tg_tensor *a) { return unary(&D_SIN, a, 1); }
tg_tensor *tg_cos(const tg_tensor *a) { return unary(&D_COS, a, 1); }
tg_tensor *tg_tan(const tg_tensor *a) { return unary(&D_TAN, a, 2); }
tg_tensor *tg_tanh(const tg_tensor *a) { return unary(&D_TANH, a, 2); }
tg_tensor *tg_sigmoid(const tg_tensor *a) { return unary(&D_SIGMOID, a, 2); }
tg_tensor *tg_relu(const tg_tensor *a) { return unary(&D_RELU, a, 2); }
tg_tensor *tg_floor(const tg_tensor *a) { return unary(&D_FLOOR, a, 0); }
tg_tensor *tg_ceil(const tg_tensor *a) { return unary(&D_CEIL, a, 0); }
tg_tensor *tg_round(const tg_tensor *a) { return unary(&D_ROUND, a, 0); }
tg_tensor *tg_sign(const tg_tensor *a) { return tgi_sign(a); }
tg_tensor *tg_reciprocal(const tg_tensor *a) { return tgi_reciprocal(a); }

/* square is pow(a, 2) in PyTorch 2.x (PowBackward0); bool squares to int64 as pow does. */
tg_tensor *tg_square(const tg_tensor *a) {
    if (!a) return tgi_null_arg(NULL, "tg_square", "self"), NULL;
    return tg_pow_scalar(a, 2.0);
}

/* ---------------------------------------------------------------- activations */

tg_tensor *tg_silu(const tg_tensor *a) {
    if (!a) return tgi_null_arg(NULL, "tg_silu", "self"), NULL;
    if (!floating_only(a, "tg_silu", "silu_cpu")) return NULL;
    return unary(&D_SILU, a, 1);
}

tg_tensor *tg_gelu(const tg_tensor *a, const char *approximate) {
    if (!a) return tgi_null_arg(NULL, "tg_gelu", "self"), NULL;
    bool use_tanh = approximate && strcmp(approximate, "tanh") == 0;
    if (approximate && !use_tanh && strcmp(approximate, "none") != 0) {
        tgi_error(a->ctx, TG_ERR_INVALID_ARG,
                  "tg_gelu: approximate argument must be either none or tanh.");
        return NULL;
    }
    if (!floating_only(a, "tg_gelu", "GeluKernelImpl")) return NULL;
    tg_node *n;
    tg_tensor *out = tgi_ew_unary(use_tanh ? &D_GELU_TANH : &D_GELU, a, &n);
    tg_status st = TG_OK;
    if (n) {
        n->args.d0 = use_tanh;
        st = tgi_save(n, a, false);
    }
    return tgi_ew_finish(out, st);
}

tg_tensor *tg_leaky_relu(const tg_tensor *a, double negative_slope) {
    if (!a) return tgi_null_arg(NULL, "tg_leaky_relu", "self"), NULL;
    if (!floating_only(a, "tg_leaky_relu", "leaky_relu_cpu")) return NULL;
    tg_node *n;
    tg_tensor *out = with_param(&D_LEAKY, a, negative_slope, &n);
    return tgi_ew_finish(out, n ? tgi_save(n, a, false) : TG_OK);
}

tg_tensor *tg_elu(const tg_tensor *a, double alpha) {
    if (!a) return tgi_null_arg(NULL, "tg_elu", "self"), NULL;
    if (!floating_only(a, "tg_elu", "elu_cpu")) return NULL;
    tg_node *n;
    tg_tensor *out = with_param(&D_ELU, a, alpha, &n);
    return tgi_ew_finish(out, n ? tgi_save(n, a, false) : TG_OK);
}

tg_tensor *tg_softplus(const tg_tensor *a, double beta, double threshold) {
    if (!a) return tgi_null_arg(NULL, "tg_softplus", "self"), NULL;
    if (!floating_only(a, "tg_softplus", "softplus_cpu")) return NULL;
    tg_node *n;
    tg_tensor *out = with_params2(&D_SOFTPLUS, a, beta, threshold, a->dtype, &n);
    tg_status st = TG_OK;
    if (n) {
        n->args.s = beta;
        set_param2(n, threshold);
        st = tgi_save(n, a, false);
    }
    return tgi_ew_finish(out, st);
}

/* ---------------------------------------------------------------- clamp */

static bool is_int_scalar(double v) { return isfinite(v) && v == floor(v); }

/* clamp's result dtype: a floating self keeps its dtype; otherwise PyTorch's result_type of
 * self and the bounds (Python numbers): a fractional or non-finite bound gives float32, else
 * int64 (bool self with int bounds included). */
static tg_dtype clamp_dtype(const tg_tensor *a, const double *min, const double *max) {
    if (tgi_is_floating(a->dtype)) return a->dtype;
    if ((min && !is_int_scalar(*min)) || (max && !is_int_scalar(*max))) return TG_FLOAT32;
    return TG_INT64;
}

/* Records the bounds on a clamp node: d0/d1 say whether min/max were given, s = min, the
 * second parameter = max. */
static void set_bounds(tg_node *n, const double *min, const double *max) {
    n->args.d0 = min != NULL;
    n->args.d1 = max != NULL;
    n->args.s = min ? *min : 0.0;
    set_param2(n, max ? *max : 0.0);
}

static const char CLAMP_NONE[] = "torch.clamp: At least one of 'min' or 'max' must not be None";

tg_tensor *tg_clamp(const tg_tensor *a, const double *min, const double *max) {
    if (!a) return tgi_null_arg(NULL, "tg_clamp", "self"), NULL;
    if (!min && !max) {
        tgi_error(a->ctx, TG_ERR_INVALID_ARG, "tg_clamp: %s", CLAMP_NONE);
        return NULL;
    }
    tg_node *n;
    tg_tensor *out;
    if (min && max)
        out = with_params2(&D_CLAMP, a, *min, *max, clamp_dtype(a, min, max), &n);
    else
        out = with_param(min ? &D_CLAMP_LO : &D_CLAMP_HI, a, min ? *min : *max, &n);
    tg_status st = TG_OK;
    if (n) {
        set_bounds(n, min, max);
        st = tgi_save(n, a, false);
    }
    return tgi_ew_finish(out, st);
}

tg_tensor *tg_clamp_min(const tg_tensor *a, double min) {
    tg_node *n;
    tg_tensor *out = with_param(&D_CLAMP_MIN, a, min, &n);
    return tgi_ew_finish(out, n ? tgi_save(n, a, false) : TG_OK);
}

tg_tensor *tg_clamp_max(const tg_tensor *a, double max) {
    tg_node *n;
    tg_tensor *out = with_param(&D_CLAMP_MAX, a, max, &n);
    return tgi_ew_finish(out, n ? tgi_save(n, a, false) : TG_OK);
}

/* ---------------------------------------------------------------- binary */

/* maximum / minimum / atan2 save both inputs (each gradient formula reads both). */
static tg_tensor *binary_saving_both(const tgi_ew_desc *d, const tg_tensor *a,
                                     const tg_tensor *b) {
    tg_node *n;
    tg_tensor *out = tgi_ew_binary(d, a, b, 0.0, false, &n);
    tg_status st = TG_OK;
    if (n) {
        st = tgi_save(n, a, false);
        if (st == TG_OK) st = tgi_save(n, b, false);
    }
    return tgi_ew_finish(out, st);
}

tg_tensor *tg_maximum(const tg_tensor *a, const tg_tensor *b) {
    return binary_saving_both(&D_MAXIMUM, a, b);
}
tg_tensor *tg_minimum(const tg_tensor *a, const tg_tensor *b) {
    return binary_saving_both(&D_MINIMUM, a, b);
}
tg_tensor *tg_atan2(const tg_tensor *a, const tg_tensor *b) {
    return binary_saving_both(&D_ATAN2, a, b);
}

/* ---------------------------------------------------------------- in place */

/* Whether the in-place driver will record d on self (its own rule, asked beforehand so the
 * values the backward needs can be kept). */
static bool inplace_records(const tgi_ew_desc *d, const tg_tensor *self) {
    return d->op >= 0 && tgi_is_floating(self->dtype) && tgi_should_record(self->ctx, &self, 1);
}

/* relu_, sigmoid_, tanh_: self = f(self) through the binary in-place driver with an unused 0
 * operand; the node saves the new self (its result), as PyTorch's ReluBackward0 etc. do. */
static tg_status inplace_saving_result(const tgi_ew_desc *d, tg_tensor *self) {
    if (!self) return tgi_null_arg(NULL, d->fn, "self");
    bool record = inplace_records(d, self);
    tg_status st = tgi_ew_inplace(d, self, NULL, 0.0, true);
    if (st == TG_OK && record) st = tgi_save(self->grad_fn, self, true);
    return st;
}

tg_status tg_relu_(tg_tensor *self) {
    static const tgi_ew_desc d = {"tg_relu_", "clamp_min_scalar_cpu", TGI_OP_RELU, K3(k_cmin), 0,
                                  NULL};
    /* the driver would promote bool with the 0 operand to int64; PyTorch refuses bool first */
    if (self && self->dtype == TG_BOOL)
        return tgi_error(self->ctx, TG_ERR_DTYPE, "tg_relu_: %s", RELU_BOOL);
    return inplace_saving_result(&d, self);
}

tg_status tg_sigmoid_(tg_tensor *self) {
    static const tgi_ew_desc d = {"tg_sigmoid_", "sigmoid_cpu", TGI_OP_SIGMOID,
                                  K2(k_sigmoid_ip), EW_TO_FLOAT, NULL};
    return inplace_saving_result(&d, self);
}

tg_status tg_tanh_(tg_tensor *self) {
    static const tgi_ew_desc d = {"tg_tanh_", "tanh_vml_cpu", TGI_OP_TANH, K2(k_tanh_ip),
                                  EW_TO_FLOAT, NULL};
    return inplace_saving_result(&d, self);
}

/* clamp's in-place rule: the promoted dtype must be self's ("long int" style names, as the
 * message comes from clamp's meta function). */
static tg_status clamp_inplace_dtype(const char *fn, const tg_tensor *self, tg_dtype rt) {
    if (rt == self->dtype) return TG_OK;
    return tgi_error(self->ctx, TG_ERR_DTYPE,
                     "%s: result type %s can't be cast to the desired output type %s", fn,
                     tgi_dtype_cname(rt), tgi_dtype_short(self->dtype));
}

/* clamp_min_ / clamp_max_: the driver's in-place path; the backward reads the original self,
 * so a private copy of it is saved (PyTorch's original_self). */
static tg_status clamp_one_inplace(const tgi_ew_desc *d, tg_tensor *self, double bound) {
    if (!self) return tgi_null_arg(NULL, d->fn, "self");
    if (clamp_inplace_dtype(d->fn, self, clamp_dtype(self, &bound, NULL)) != TG_OK)
        return self->ctx->err;
    bool record = inplace_records(d, self);
    tg_tensor *orig = record ? private_copy(self) : NULL;
    if (record && !orig) return self->ctx->err;
    tg_status st = tgi_ew_inplace(d, self, NULL, bound, true);
    if (st == TG_OK && record) st = tgi_save(self->grad_fn, orig, false);
    tgi_tensor_decref(orig);
    return st;
}

tg_status tg_clamp_min_(tg_tensor *self, double min) {
    static const tgi_ew_desc d = {"tg_clamp_min_", "clamp_min_scalar_cpu", TGI_OP_CLAMP_MIN,
                                  K3(k_cmin), 0, NULL};
    return clamp_one_inplace(&d, self, min);
}

tg_status tg_clamp_max_(tg_tensor *self, double max) {
    static const tgi_ew_desc d = {"tg_clamp_max_", "clamp_max_scalar_cpu", TGI_OP_CLAMP_MAX,
                                  K3(k_cmax), 0, NULL};
    return clamp_one_inplace(&d, self, max);
}

/* clamp_ with one or two bounds. The driver's in-place entry takes one scalar, so this runs
 * its kernel step (tgi_ew_run into self) itself, then records ClampBackward1 on self's history
 * with a private copy of the original self saved. */
tg_status tg_clamp_(tg_tensor *self, const double *min, const double *max) {
    static const char fn[] = "tg_clamp_";
    if (!self) return tgi_null_arg(NULL, fn, "self");
    tg_ctx *ctx = self->ctx;
    /* PyTorch checks the in-place rules before the arguments */
    bool record = tgi_is_floating(self->dtype) &&
                  tgi_should_record(ctx, (const tg_tensor *const *)&self, 1);
    if (tgi_check_inplace(fn, self, record) != TG_OK) return ctx->err;
    if (!min && !max) return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: %s", fn, CLAMP_NONE);
    tg_dtype dt = clamp_dtype(self, min, max);
    if (clamp_inplace_dtype(fn, self, dt) != TG_OK) return ctx->err;
    tg_tensor *orig = record ? private_copy(self) : NULL;
    if (record && !orig) return ctx->err;

    tgi_scalar_buf b0, b1;
    const tgi_ew_desc *d = min && max ? &D_CLAMP : min ? &D_CLAMP_LO : &D_CLAMP_HI;
    const tg_tensor *in[3] = {self, tgi_stack_scalar(&b0, ctx, min ? *min : *max, dt),
                              max && min ? tgi_stack_scalar(&b1, ctx, *max, dt) : NULL};
    if (!tgi_ew_run(d, in, min && max ? 3 : 2, dt, dt, self->shape, self->ndim, self)) {
        tgi_tensor_decref(orig);
        return ctx->err;
    }
    self->storage->version++;
    tg_status st = TG_OK;
    if (record) {
        const tg_tensor *rin[1] = {self};
        tg_node *n = tgi_record(self, TGI_OP_CLAMP, rin, 1);
        if (!n) st = ctx->err;
        else {
            set_bounds(n, min, max);
            st = tgi_save(n, orig, false);
        }
    }
    tgi_tensor_decref(orig);
    return st;
}
