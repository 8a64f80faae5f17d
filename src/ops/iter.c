/*
 * iter.c — the one strided/broadcast elementwise loop every pointwise kernel runs through:
 * dims of size 1 are dropped, dims that are contiguous for every operand are merged, and the
 * kernel is called once per innermost row (once in total for contiguous tensors).
 * Also dtype casts and broadcasting copies built on it.
 */
#include "ops.h"

#include <string.h>

#define TGI_MAX_OPS (TGI_MAX_INPUTS + 1)

void tgi_run_kernel(tgi_kernel k, tg_tensor *out, const tg_tensor *const *ins, int nin,
                    const tgi_args *a) {
    if (out->numel == 0) return;
    int nop = nin + 1;
    /* fast path: every operand contiguous with out's shape, or a single-element operand */
    bool flat = out->contiguous;
    for (int i = 0; i < nin && flat; i++)
        flat = (ins[i]->contiguous && ins[i]->numel == out->numel) || ins[i]->numel == 1;
    if (flat) {
        char *p[TGI_MAX_INPUTS + 1];
        int64_t st[TGI_MAX_INPUTS + 1];
        p[0] = (char *)out->storage->data + out->offset * (int64_t)tgi_dtype_size(out->dtype);
        st[0] = (int64_t)tgi_dtype_size(out->dtype);
        for (int i = 0; i < nin; i++) {
            int64_t es = (int64_t)tgi_dtype_size(ins[i]->dtype);
            p[i + 1] = (char *)ins[i]->storage->data + ins[i]->offset * es;
            st[i + 1] = ins[i]->numel == 1 && out->numel != 1 ? 0 : es;
        }
        k(p, st, out->numel, a);
        return;
    }
    const tg_tensor *ops[TGI_MAX_OPS];
    ops[0] = out;
    for (int i = 0; i < nin; i++) ops[i + 1] = ins[i];

    /* Per-operand byte strides over out's dims (broadcast dims get stride 0). */
    int64_t sh[TG_MAX_DIMS];
    int64_t st[TGI_MAX_OPS][TG_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < out->ndim; d++) {
        if (out->shape[d] == 1) continue;
        sh[nd] = out->shape[d];
        for (int o = 0; o < nop; o++) {
            const tg_tensor *t = ops[o];
            int td = d - (out->ndim - t->ndim);
            int64_t s = (td >= 0 && t->shape[td] != 1) ? t->strides[td] : 0;
            st[o][nd] = s * (int64_t)tgi_dtype_size(t->dtype);
        }
        nd++;
    }
    /* Merge dim j into the dim before it when that is contiguous over j for every operand. */
    int m = 0;
    for (int j = 0; j < nd; j++) {
        if (m > 0) {
            bool ok = true;
            for (int o = 0; o < nop && ok; o++) ok = st[o][m - 1] == st[o][j] * sh[j];
            if (ok) {
                sh[m - 1] *= sh[j];
                for (int o = 0; o < nop; o++) st[o][m - 1] = st[o][j];
                continue;
            }
        }
        sh[m] = sh[j];
        for (int o = 0; o < nop; o++) st[o][m] = st[o][j];
        m++;
    }
    char *base[TGI_MAX_OPS];
    for (int o = 0; o < nop; o++)
        base[o] = (char *)ops[o]->storage->data +
                  ops[o]->offset * (int64_t)tgi_dtype_size(ops[o]->dtype);
    int64_t inner_st[TGI_MAX_OPS];
    if (m == 0) {
        for (int o = 0; o < nop; o++) inner_st[o] = 0;
        k(base, inner_st, 1, a);
        return;
    }
    for (int o = 0; o < nop; o++) inner_st[o] = st[o][m - 1];
    int64_t inner = sh[m - 1];
    if (m == 1) {
        k(base, inner_st, inner, a);
        return;
    }
    /* Outer dims: an odometer over dims 0 .. m-2. */
    int64_t idx[TG_MAX_DIMS] = {0};
    char *p[TGI_MAX_OPS];
    for (;;) {
        for (int o = 0; o < nop; o++) {
            int64_t off = 0;
            for (int d = 0; d < m - 1; d++) off += idx[d] * st[o][d];
            p[o] = base[o] + off;
        }
        k(p, inner_st, inner, a);
        int d = m - 2;
        while (d >= 0 && ++idx[d] == sh[d]) idx[d--] = 0;
        if (d < 0) break;
    }
}

/* ---------------------------------------------------------------- casts and copies */

#define CAST_KERNEL(NAME, TI, TO, CONV)                                                       \
    static void NAME(char **p, const int64_t *s, int64_t n, const tgi_args *a) {              \
        (void)a;                                                                               \
        for (int64_t i = 0; i < n; i++) {                                                      \
            TI x = *(const TI *)(p[1] + i * s[1]);                                             \
            *(TO *)(p[0] + i * s[0]) = CONV;                                                   \
        }                                                                                      \
    }

static int64_t to_i64(double v) {
    if (v != v) return 0;
    if (v >= 9.2233720368547758e18) return INT64_MAX;
    if (v <= -9.2233720368547758e18) return INT64_MIN;
    return (int64_t)v;
}

CAST_KERNEL(k_f_f, float, float, x)
CAST_KERNEL(k_f_d, float, double, (double)x)
CAST_KERNEL(k_f_l, float, int64_t, to_i64(x))
CAST_KERNEL(k_f_b, float, bool, x != 0)
CAST_KERNEL(k_d_f, double, float, (float)x)
CAST_KERNEL(k_d_d, double, double, x)
CAST_KERNEL(k_d_l, double, int64_t, to_i64(x))
CAST_KERNEL(k_d_b, double, bool, x != 0)
CAST_KERNEL(k_l_f, int64_t, float, (float)x)
CAST_KERNEL(k_l_d, int64_t, double, (double)x)
CAST_KERNEL(k_l_l, int64_t, int64_t, x)
CAST_KERNEL(k_l_b, int64_t, bool, x != 0)
CAST_KERNEL(k_b_f, bool, float, x ? 1.0f : 0.0f)
CAST_KERNEL(k_b_d, bool, double, x ? 1.0 : 0.0)
CAST_KERNEL(k_b_l, bool, int64_t, x ? 1 : 0)
CAST_KERNEL(k_b_b, bool, bool, x)

/* [from][to] */
static const tgi_kernel cast_kernels[4][4] = {
    {k_f_f, k_f_d, k_f_l, k_f_b},
    {k_d_f, k_d_d, k_d_l, k_d_b},
    {k_l_f, k_l_d, k_l_l, k_l_b},
    {k_b_f, k_b_d, k_b_l, k_b_b},
};

void tgi_copy_into(tg_tensor *dst, const tg_tensor *src) {
    if (dst->contiguous && src->contiguous && dst->dtype == src->dtype &&
        tgi_same_shape(dst->shape, dst->ndim, src->shape, src->ndim)) {
        size_t es = tgi_dtype_size(dst->dtype);
        memmove((char *)dst->storage->data + (size_t)dst->offset * es,
                (const char *)src->storage->data + (size_t)src->offset * es,
                (size_t)dst->numel * es);
        return;
    }
    tgi_run_kernel(cast_kernels[src->dtype][dst->dtype], dst, &src, 1, NULL);
}

tg_tensor *tgi_cast(const tg_tensor *t, tg_dtype dtype, bool contiguous) {
    if (t->dtype == dtype && (!contiguous || t->contiguous)) {
        ((tg_tensor *)(uintptr_t)t)->refcount++;
        return (tg_tensor *)(uintptr_t)t;
    }
    tg_tensor *r = tgi_empty(t->ctx, t->shape, t->ndim, dtype);
    if (!r) return NULL;
    tgi_copy_into(r, t);
    return r;
}

bool tgi_is_expandable_to(const int64_t *shape, int nd, const int64_t *to, int nto) {
    if (nd > nto) return false;
    for (int i = 0; i < nd; i++) {
        int64_t s = shape[nd - 1 - i], t = to[nto - 1 - i];
        if (s != t && s != 1) return false;
    }
    return true;
}
