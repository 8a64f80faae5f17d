/*
 * pointwise.h — the shared machinery of elementwise ops, for every file that defines some:
 * kernel-generating macros (contiguous, tensor-scalar and strided loops), the op descriptor,
 * and the one driver that promotes dtypes, broadcasts, runs the kernel and records the node.
 */
#ifndef TG_POINTWISE_H
#define TG_POINTWISE_H

#include "ops.h"

/* Three loops per kernel: all contiguous, second operand broadcast from one element (the
 * tensor-scalar case), and fully strided. x and y name the inputs, s the recorded scalar. */
#define BIN_KERNEL(NAME, T, TO, EXPR)                                                         \
    static void NAME(char **p, const int64_t *st, int64_t n, const tgi_args *a) {             \
        (void)a;                                                                               \
        TO *o = (TO *)(void *)p[0];                                                            \
        const T *xp = (const T *)(const void *)p[1], *yp = (const T *)(const void *)p[2];      \
        if (st[0] == (int64_t)sizeof(TO) && st[1] == (int64_t)sizeof(T) &&                     \
            st[2] == (int64_t)sizeof(T)) {                                                     \
            for (int64_t i = 0; i < n; i++) {                                                  \
                T x = xp[i], y = yp[i];                                                        \
                o[i] = (TO)(EXPR);                                                             \
            }                                                                                  \
        } else if (st[0] == (int64_t)sizeof(TO) && st[1] == (int64_t)sizeof(T) && st[2] == 0) { \
            const T y = yp[0];                                                                 \
            for (int64_t i = 0; i < n; i++) {                                                  \
                T x = xp[i];                                                                   \
                o[i] = (TO)(EXPR);                                                             \
            }                                                                                  \
        } else {                                                                               \
            for (int64_t i = 0; i < n; i++) {                                                  \
                T x = *(const T *)(const void *)(p[1] + i * st[1]);                            \
                T y = *(const T *)(const void *)(p[2] + i * st[2]);                            \
                *(TO *)(void *)(p[0] + i * st[0]) = (TO)(EXPR);                                \
            }                                                                                  \
        }                                                                                      \
    }

#define UN_KERNEL(NAME, T, TO, EXPR)                                                          \
    static void NAME(char **p, const int64_t *st, int64_t n, const tgi_args *a) {             \
        (void)a;                                                                               \
        TO *o = (TO *)(void *)p[0];                                                            \
        const T *xp = (const T *)(const void *)p[1];                                           \
        if (st[0] == (int64_t)sizeof(TO) && st[1] == (int64_t)sizeof(T)) {                     \
            for (int64_t i = 0; i < n; i++) {                                                  \
                T x = xp[i];                                                                   \
                o[i] = (TO)(EXPR);                                                             \
            }                                                                                  \
        } else {                                                                               \
            for (int64_t i = 0; i < n; i++) {                                                  \
                T x = *(const T *)(const void *)(p[1] + i * st[1]);                            \
                *(TO *)(void *)(p[0] + i * st[0]) = (TO)(EXPR);                                \
            }                                                                                  \
        }                                                                                      \
    }

/* float, double and int64 instances of one binary expression */
#define BIN3(NAME, EXPR_F, EXPR_I)                                                             \
    BIN_KERNEL(NAME##_f, float, float, EXPR_F)                                                 \
    BIN_KERNEL(NAME##_d, double, double, EXPR_F)                                               \
    BIN_KERNEL(NAME##_l, int64_t, int64_t, EXPR_I)
#define BIN2(NAME, EXPR_F)                                                                     \
    BIN_KERNEL(NAME##_f, float, float, EXPR_F)                                                 \
    BIN_KERNEL(NAME##_d, double, double, EXPR_F)
#define CMP3(NAME, EXPR)                                                                       \
    BIN_KERNEL(NAME##_f, float, bool, EXPR)                                                    \
    BIN_KERNEL(NAME##_d, double, bool, EXPR)                                                   \
    BIN_KERNEL(NAME##_l, int64_t, bool, EXPR)

/* wrap-around integer arithmetic, as PyTorch's int64 (no UB on overflow) */
static inline int64_t wadd(int64_t x, int64_t y) { return (int64_t)((uint64_t)x + (uint64_t)y); }
static inline int64_t wsub(int64_t x, int64_t y) { return (int64_t)((uint64_t)x - (uint64_t)y); }
static inline int64_t wmul(int64_t x, int64_t y) { return (int64_t)((uint64_t)x * (uint64_t)y); }
static inline int64_t wneg(int64_t x) { return (int64_t)(0 - (uint64_t)x); }
/* wrap-around integer arithmetic, as PyTorch's int64 (no UB on overflow) */
static inline int64_t tgi_wadd(int64_t x, int64_t y) { return (int64_t)((uint64_t)x + (uint64_t)y); }
static inline int64_t tgi_wsub(int64_t x, int64_t y) { return (int64_t)((uint64_t)x - (uint64_t)y); }
static inline int64_t tgi_wmul(int64_t x, int64_t y) { return (int64_t)((uint64_t)x * (uint64_t)y); }
static inline int64_t tgi_wneg(int64_t x) { return (int64_t)(0 - (uint64_t)x); }

#define K3(n) {n##_f, n##_d, n##_l}
#define K2(n) {n##_f, n##_d, NULL}

enum {
    EW_TO_FLOAT = 1,  /* integer and bool inputs compute in float32 (exp, div, ...) */
    EW_BOOL_OUT = 2,  /* comparisons */
    EW_NO_BOOL = 4,   /* bool inputs are an error (message in desc.bool_msg) */
    EW_COND_FIRST = 8, /* operand 0 is a bool condition kept as is (where) */
    EW_SAVE_NONE = 0,
};

typedef struct tgi_ew_desc {
    const char *fn; /* public name for messages, "tg_add" */
    const char *kname; /* PyTorch's kernel name for "not implemented for" messages */
    int op;         /* node to record; -1: never differentiable */
    tgi_kernel k[3]; /* float32, float64, int64 */
    unsigned flags;
    const char *bool_msg;
} tgi_ew_desc;

typedef struct tgi_scalar_buf {
    tg_tensor t;
    tgi_storage s;
    union {
        float f;
        double d;
        int64_t l;
        bool b;
    } v;
} tgi_scalar_buf;

/* A 0-d tensor on the stack holding a Python scalar converted to dtype (read-only operand). */
/* A 0-d tensor on the stack holding a Python scalar converted to dtype (read-only operand). */
TGI_HIDDEN const tg_tensor *tgi_stack_scalar(tgi_scalar_buf *ss, tg_ctx *ctx, double v,
                                             tg_dtype dt);
/* Runs d's kernel over in[] (promoted to `compute`) into a new tensor of shape, or into self. */
TGI_HIDDEN tg_tensor *tgi_ew_run(const tgi_ew_desc *d, const tg_tensor *const *in, int nin,
                                 tg_dtype compute, tg_dtype out_dtype, const int64_t *shape,
                                 int ndim, tg_tensor *self);
/* Out of place a (op) b, or a (op) s when scalar: the raw result (refcount 1, not yet in a
 * scope) with its node recorded into *node (NULL when not recorded; args.s = s). */
TGI_HIDDEN tg_tensor *tgi_ew_binary(const tgi_ew_desc *d, const tg_tensor *a, const tg_tensor *b,
                                    double s, bool scalar, tg_node **node);
TGI_HIDDEN tg_tensor *tgi_ew_unary(const tgi_ew_desc *d, const tg_tensor *a, tg_node **node);
/* Hands out to the current scope when st is TG_OK, else frees it and returns NULL. */
TGI_HIDDEN tg_tensor *tgi_ew_finish(tg_tensor *out, tg_status st);
/* self = self (op) other (or s when other is NULL and scalar), recorded as d->op. */
TGI_HIDDEN tg_status tgi_ew_inplace(const tgi_ew_desc *d, tg_tensor *self, const tg_tensor *other,
                                    double s, bool scalar);
/* PyTorch's check_inplace: leaf / view-of-leaf errors when the op will be recorded. */
TGI_HIDDEN tg_status tgi_check_inplace(const char *fn, tg_tensor *self, bool recording);

#endif
