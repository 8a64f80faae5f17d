/*
 * dtype.c — dtype names and PyTorch's type-promotion rules (at::result_type): dimensioned
 * tensors, 0-d tensors and Python scalars each form a priority class; a lower class can only
 * raise the result's category (bool < integer < floating), never its width within one.
 */
#include "internal.h"

#include <math.h>

const char *tg_dtype_name(tg_dtype d) {
    switch (d) {
    case TG_FLOAT32: return "torch.float32";
    case TG_FLOAT64: return "torch.float64";
    case TG_INT64: return "torch.int64";
    case TG_BOOL: return "torch.bool";
    }
    return "torch.unknown";
}

const char *tgi_dtype_cname(tg_dtype d) {
    switch (d) {
    case TG_FLOAT32: return "Float";
    case TG_FLOAT64: return "Double";
    case TG_INT64: return "Long";
    case TG_BOOL: return "Bool";
    }
    return "Unknown";
}

const char *tgi_dtype_legacy(tg_dtype d) {
    switch (d) {
    case TG_FLOAT32: return "torch.FloatTensor";
    case TG_FLOAT64: return "torch.DoubleTensor";
    case TG_INT64: return "torch.LongTensor";
    case TG_BOOL: return "torch.BoolTensor";
    }
    return "torch.Tensor";
}

const char *tgi_dtype_short(tg_dtype d) {
    switch (d) {
    case TG_FLOAT32: return "float";
    case TG_FLOAT64: return "double";
    case TG_INT64: return "long int";
    case TG_BOOL: return "bool";
    }
    return "unknown";
}

void tgi_store(void *base, tg_dtype d, int64_t i, double v) {
    switch (d) {
    case TG_FLOAT32: ((float *)base)[i] = (float)v; break;
    case TG_FLOAT64: ((double *)base)[i] = v; break;
    case TG_INT64:
        /* out-of-range and NaN conversions are undefined in C: saturate (PyTorch's are
         * platform-dependent) */
        if (isnan(v)) ((int64_t *)base)[i] = 0;
        else if (v >= 9.2233720368547758e18) ((int64_t *)base)[i] = INT64_MAX;
        else if (v <= -9.2233720368547758e18) ((int64_t *)base)[i] = INT64_MIN;
        else ((int64_t *)base)[i] = (int64_t)v;
        break;
    case TG_BOOL: ((bool *)base)[i] = v != 0; break;
    }
}

static int category(tg_dtype d) { return d == TG_BOOL ? 0 : d == TG_INT64 ? 1 : 2; }

/* promote_types for our four dtypes: the larger category, and float64 over float32 */
static tg_dtype promote(tg_dtype a, tg_dtype b) {
    if (a == b) return a;
    int ca = category(a), cb = category(b);
    if (ca != cb) return ca > cb ? a : b;
    return TG_FLOAT64; /* both floating and different */
}

/* at::native::combine_categories(higher, lower) */
static tg_dtype combine(int has_hi, tg_dtype hi, int has_lo, tg_dtype lo, int *has_out) {
    *has_out = has_hi || has_lo;
    if (!has_hi) return lo;
    if (!has_lo) return hi;
    if (category(hi) == 2) return hi;
    if (hi == TG_BOOL || category(lo) == 2) return promote(hi, lo);
    return hi;
}

tg_dtype tgi_result_type(const tg_tensor *a, const tg_tensor *b) {
    int hd = 0, hz = 0, h;
    tg_dtype dim = TG_BOOL, zero = TG_BOOL;
    const tg_tensor *ts[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        if (ts[i]->ndim > 0) {
            dim = hd ? promote(dim, ts[i]->dtype) : ts[i]->dtype;
            hd = 1;
        } else {
            zero = hz ? promote(zero, ts[i]->dtype) : ts[i]->dtype;
            hz = 1;
        }
    }
    return combine(hd, dim, hz, zero, &h);
}

tg_dtype tgi_result_type_scalar(const tg_tensor *a, double s) {
    if (a->ndim > 0 && tgi_is_floating(a->dtype)) return a->dtype; /* the common case */
    /* A Python number: float -> default dtype float32, int -> int64. We receive a double, so
     * integral values count as Python ints. */
    tg_dtype wrapped = (s == floor(s) && isfinite(s)) ? TG_INT64 : TG_FLOAT32;
    int h;
    int hd = a->ndim > 0, hz = a->ndim == 0;
    tg_dtype zero_or_wrapped;
    int hzw;
    zero_or_wrapped = combine(hz, a->dtype, 1, wrapped, &hzw);
    return combine(hd, a->dtype, hzw, zero_or_wrapped, &h);
}

bool tgi_can_cast(tg_dtype from, tg_dtype to) {
    /* c10::canCast: no floating -> integral, no non-bool -> bool */
    if (category(from) == 2 && category(to) < 2) return false;
    if (from != TG_BOOL && to == TG_BOOL) return false;
    return true;
}
