/*
 * random.c — sampling ops on the ctx's generator (src/core/rng.c), each reproducing PyTorch's CPU
 * kernel, its draws and the order it visits elements in: randint / random_, normal_, uniform_,
 * bernoulli_ with a scalar p, bernoulli with a probability per element, and dropout (bernoulli_
 * noise divided by 1 - p, times the input: MulBackward0, so its gradient is noise * upstream).
 */
#include "pointwise.h" /* tgi_check_inplace */

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Element order                                                                               */
/* ------------------------------------------------------------------------------------------ */
/* PyTorch's CPU samplers are serial loops over a TensorIterator, which visits elements in the
 * order TensorIteratorBase::reorder_dimensions picks: an insertion pass over the dims (starting
 * from the reversed, row-major order) that moves a dim inward when an operand's stride there is
 * smaller, ties broken by size and then by the next operand. On a dense tensor that is memory
 * order (a transposed tensor is filled along its storage); on a contiguous output it is
 * row-major order. strides[k] are operand k's strides; perm[0] is the innermost dim. */
static void iter_perm(const int64_t *shape, int nd, const int64_t *const *strides, int nops,
                      int *perm) {
    for (int i = 0; i < nd; i++) perm[i] = nd - 1 - i;
    for (int i = 1; i < nd; i++) {
        int dim1 = i;
        for (int dim0 = i - 1; dim0 >= 0; dim0--) {
            int a = perm[dim0], b = perm[dim1], cmp = 0;
            for (int k = 0; k < nops && cmp == 0; k++) {
                int64_t s0 = strides[k][a], s1 = strides[k][b];
                if (s0 == 0 || s1 == 0) continue;
                if (s0 < s1) cmp = -1;
                else if (s0 > s1) cmp = 1;
                else if (shape[a] > shape[b]) cmp = 1;
            }
            if (cmp > 0) {
                perm[dim0] = b;
                perm[dim1] = a;
                dim1 = dim0;
            } else if (cmp < 0) {
                break;
            }
        }
    }
}

/* A walk over a tensor's elements in a given dim order: off is the current element's offset
 * (in elements, from the tensor's first element) in up to two strided layouts. */
typedef struct walk {
    int nd;
    int64_t size[TG_MAX_DIMS];
    int64_t st[2][TG_MAX_DIMS];
    int64_t idx[TG_MAX_DIMS];
    int64_t off[2];
} walk;

static void walk_init(walk *w, const int64_t *shape, int nd, const int *perm,
                      const int64_t *st0, const int64_t *st1) {
    w->nd = nd;
    w->off[0] = w->off[1] = 0;
    for (int i = 0; i < nd; i++) {
        w->size[i] = shape[perm[i]];
        w->st[0][i] = st0[perm[i]];
        w->st[1][i] = st1 ? st1[perm[i]] : 0;
        w->idx[i] = 0;
    }
}

static void walk_next(walk *w) {
    for (int i = 0; i < w->nd; i++) {
        w->off[0] += w->st[0][i];
        w->off[1] += w->st[1][i];
        if (++w->idx[i] < w->size[i]) return;
        w->off[0] -= w->st[0][i] * w->size[i];
        w->off[1] -= w->st[1][i] * w->size[i];
        w->idx[i] = 0;
    }
}

/* The walk a nullary in-place kernel on self takes. */
static void walk_self(walk *w, const tg_tensor *self) {
    int perm[TG_MAX_DIMS];
    const int64_t *st[1] = {self->strides};
    iter_perm(self->shape, self->ndim, st, 1, perm);
    walk_init(w, self->shape, self->ndim, perm, self->strides, NULL);
}

static void store(tg_tensor *t, int64_t off, double v) {
    char *base = (char *)tgi_data(t) + (size_t)t->offset * tgi_dtype_size(t->dtype);
    tgi_store(base, t->dtype, off, v);
}

/* ------------------------------------------------------------------------------------------ */
/* Shared checks                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* TensorIterator's assert_no_internal_overlap for a written tensor: a dim of size > 1 with
 * stride 0 (an expanded tensor). */
static tg_status check_no_overlap(const char *fn, const tg_tensor *self) {
    if (self->numel == 0) return TG_OK;
    for (int i = 0; i < self->ndim; i++)
        if (self->shape[i] > 1 && self->strides[i] == 0)
            return tgi_error(self->ctx, TG_ERR_INVALID_ARG,
                             "%s: unsupported operation: more than one element of the written-to "
                             "tensor refers to a single memory location. Please clone() the "
                             "tensor before performing the operation.",
                             fn);
    return TG_OK;
}

/* Sampling in place: whether the op is recorded (self floating and requiring grad in grad
 * mode), after PyTorch's check_inplace (leaf and view errors come before any argument check,
 * as VariableType runs them first). */
static tg_status begin_inplace(const char *fn, tg_tensor *self, bool *record) {
    const tg_tensor *in[1] = {self};
    *record = tgi_is_floating(self->dtype) && tgi_should_record(self->ctx, in, 1);
    return tgi_check_inplace(fn, self, *record);
}

/* After the values were written: bump the version and, when recording, rebase self onto a node
 * whose backward gives its old history a zero gradient (NormalBackward0 & co.). */
static tg_status end_inplace(tg_tensor *self, bool record, int op) {
    self->storage->version++;
    if (!record) return TG_OK;
    tgi_meta meta;
    meta.ndim = self->ndim;
    meta.dtype = self->dtype;
    memcpy(meta.shape, self->shape, sizeof(int64_t) * (size_t)self->ndim);
    const tg_tensor *in[1] = {self};
    tg_node *n = tgi_record(self, op, in, 1);
    if (!n) return self->ctx->err;
    n->in_meta[0] = meta;
    return TG_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* random_(from, to) and randint                                                               */
/* ------------------------------------------------------------------------------------------ */

/* static_cast<int64_t>(double) as x86-64 does it: out of range (and NaN) gives INT64_MIN. */
static int64_t to_i64(double v) {
    if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return INT64_MIN;
    return (int64_t)v;
}

/* the value of an int64 after a round trip through float / double (PyTorch's update_from /
 * update_to use it to find the nearest bounds the dtype can hold) */
static int64_t through(int64_t v, tg_dtype dt) {
    return dt == TG_FLOAT32 ? to_i64((double)(float)v) : to_i64((double)v);
}

static int bit_length_minus_1(int64_t v) {
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v; /* std::abs */
    int n = 0;
    while (u >>= 1) n++;
    return n;
}

/* random_from_to_impl's checks, then random_from_to_kernel in iterator order: each element is
 * (draw % range) + from, the draw a 64-bit one when range >= 2^32 (int64, float, double), a
 * 32-bit one otherwise. Errors are TG_ERR_INVALID_ARG with PyTorch's texts. */
static tg_status random_fill(const char *fn, tg_tensor *self, int64_t from, int64_t to) {
    tg_ctx *ctx = self->ctx;
    if (from >= to)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: random_ expects 'from' to be less than 'to', but got from=%lld >= "
                         "to=%lld",
                         fn, (long long)from, (long long)to);
    tg_dtype dt = self->dtype;
    if (tgi_is_floating(dt)) {
        int digits = dt == TG_FLOAT32 ? 24 : 53;
        /* update_from: from + 1 rounded into the dtype; if that fell below from, step up */
        int64_t fp1 = through((int64_t)((uint64_t)from + 1), dt);
        if (fp1 < from) {
            int n = bit_length_minus_1((int64_t)((uint64_t)from + 1));
            from = (int64_t)((uint64_t)fp1 + ((uint64_t)1 << (n - digits + 1)));
        }
        int64_t tm1 = through((int64_t)((uint64_t)to - 1), dt);
        if (tm1 >= to) {
            int n = bit_length_minus_1((int64_t)((uint64_t)to - 1));
            to = (int64_t)((uint64_t)tm1 - ((uint64_t)1 << (n - digits + 1)));
        }
        if (from >= to)
            return tgi_error(ctx, TG_ERR_INVALID_ARG,
                             "%s: random_ expects 'from' casted to dtype to be less than 'to' "
                             "casted to dtype, but got from=%lld >= to=%lld",
                             fn, (long long)from, (long long)to);
        /* check_from_to_in_range: any int64 fits float's range; warn beyond 2^digits */
        int64_t lim = (int64_t)1 << digits, to_inc = to - 1;
        const char *names[2] = {"from", "to - 1"};
        int64_t vals[2] = {from, to_inc};
        for (int k = 0; k < 2; k++)
            if (vals[k] < -lim || vals[k] > lim)
                tgi_warn(ctx,
                         "%s: %s is out of bounds [-(2^%d), 2^%d]. Due to precision limitations "
                         "%s can support discrete uniform distribution only within this range. "
                         "This warning will become an error in version 1.7 release, please fix "
                         "the code in advance",
                         fn, names[k], digits, digits, tgi_dtype_short(dt));
    } else if (dt == TG_BOOL) {
        if (from < 0 || from > 1)
            return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: from is out of bounds for bool", fn);
        if (to - 1 < 0 || to - 1 > 1)
            return tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: to - 1 is out of bounds for bool", fn);
    }
    if (self->numel == 0) return TG_OK;
    if (check_no_overlap(fn, self) != TG_OK) return ctx->err;
    uint64_t range = (uint64_t)to - (uint64_t)from;
    bool wide = dt != TG_BOOL && range >= ((uint64_t)1 << 32);
    walk w;
    walk_self(&w, self);
    char *base = (char *)tgi_data(self) + (size_t)self->offset * tgi_dtype_size(dt);
    for (int64_t i = 0; i < self->numel; i++, walk_next(&w)) {
        uint64_t draw = wide ? tgi_random_u64(ctx) : tgi_random_u32(ctx);
        int64_t v = (int64_t)(draw % range + (uint64_t)from);
        switch (dt) {
        case TG_INT64: ((int64_t *)(void *)base)[w.off[0]] = v; break;
        case TG_FLOAT32: ((float *)(void *)base)[w.off[0]] = (float)v; break;
        case TG_FLOAT64: ((double *)(void *)base)[w.off[0]] = (double)v; break;
        default: ((bool *)(void *)base)[w.off[0]] = v != 0; break;
        }
    }
    return TG_OK;
}

tg_status tg_random_(tg_tensor *self, int64_t from, int64_t to) {
    if (!self) return tgi_null_arg(NULL, "tg_random_", "self");
    bool record;
    if (begin_inplace("tg_random_", self, &record) != TG_OK) return self->ctx->err;
    if (random_fill("tg_random_", self, from, to) != TG_OK) return self->ctx->err;
    return end_inplace(self, record, TGI_OP_RANDOM_FROM_TO);
}

tg_tensor *tg_randint(tg_ctx *ctx, int64_t low, int64_t high, const int64_t *shape, int ndim,
                      tg_dtype dtype) {
    if (!ctx) return NULL;
    if (dtype < TG_FLOAT32 || dtype > TG_BOOL) {
        tgi_error(ctx, TG_ERR_DTYPE, "tg_randint: unknown dtype %d", (int)dtype);
        return NULL;
    }
    int64_t numel;
    if (tgi_check_shape(ctx, "tg_randint", shape, ndim, &numel) != TG_OK) return NULL;
    tg_tensor *t = tgi_empty(ctx, shape, ndim, dtype);
    if (!t) return NULL;
    if (random_fill("tg_randint", t, low, high) != TG_OK) {
        tgi_tensor_decref(t);
        return NULL;
    }
    return tgi_own(t);
}

/* ------------------------------------------------------------------------------------------ */
/* normal_ and uniform_                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* normal_kernel: a contiguous tensor of 16 or more elements takes the block Box-Muller fill
 * (AVX2 kernel in float32); anything else draws one at::normal_distribution<double> sample per
 * element, in iterator order, cast to the dtype. */
tg_status tg_normal_(tg_tensor *self, double mean, double std) {
    if (!self) return tgi_null_arg(NULL, "tg_normal_", "self");
    tg_ctx *ctx = self->ctx;
    bool record;
    if (begin_inplace("tg_normal_", self, &record) != TG_OK) return ctx->err;
    if (!(std >= 0.0))
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "tg_normal_: normal expects std >= 0.0, but found std %g", std);
    if (!tgi_is_floating(self->dtype))
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "tg_normal_: \"normal_kernel_cpu\" not implemented for '%s'",
                         tgi_dtype_cname(self->dtype));
    if (self->numel >= 16 && self->contiguous) {
        char *base = (char *)tgi_data(self) + (size_t)self->offset * tgi_dtype_size(self->dtype);
        tgi_normal_fill(ctx, base, self->numel, self->dtype, mean, std);
    } else {
        if (check_no_overlap("tg_normal_", self) != TG_OK) return ctx->err;
        walk w;
        walk_self(&w, self);
        for (int64_t i = 0; i < self->numel; i++, walk_next(&w))
            store(self, w.off[0], tgi_normal_double(ctx, mean, std));
    }
    return end_inplace(self, record, TGI_OP_NORMAL_INPLACE);
}

/* uniform_impl_'s checks, then uniform_kernel: x * (to - from) + from (one fused multiply-add)
 * with x the float / double uniform on [0, 1) of one 32- / 64-bit draw, from and to cast to the
 * dtype first. */
tg_status tg_uniform_(tg_tensor *self, double from, double to) {
    if (!self) return tgi_null_arg(NULL, "tg_uniform_", "self");
    tg_ctx *ctx = self->ctx;
    bool record;
    if (begin_inplace("tg_uniform_", self, &record) != TG_OK) return ctx->err;
    tg_dtype dt = self->dtype;
    if (!tgi_is_floating(dt))
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "tg_uniform_: \"check_uniform_bounds\" not implemented for '%s'",
                         tgi_dtype_cname(dt));
    double max = dt == TG_FLOAT32 ? 3.4028234663852886e38 : 1.7976931348623157e308;
    if (!(from >= -max && from <= max))
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_uniform_: from is out of bounds for %s",
                         tgi_dtype_short(dt));
    if (!(to >= -max && to <= max))
        return tgi_error(ctx, TG_ERR_INVALID_ARG, "tg_uniform_: to is out of bounds for %s",
                         tgi_dtype_short(dt));
    if (from > to)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "tg_uniform_: uniform_ expects to return a [from, to) range, but found "
                         "from=%g > to=%g",
                         from, to);
    if (!(to - from <= max))
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "tg_uniform_: uniform_ expects to-from <= std::numeric_limits<%s>::max(), "
                         "but found to=%g and from=%g which result in to-from to exceed the limit",
                         tgi_dtype_cname(dt), to, from);
    if (self->numel > 0) {
        if (check_no_overlap("tg_uniform_", self) != TG_OK) return ctx->err;
        walk w;
        walk_self(&w, self);
        char *base = (char *)tgi_data(self) + (size_t)self->offset * tgi_dtype_size(dt);
        if (dt == TG_FLOAT32) {
            float f = (float)from, range = (float)to - f;
            for (int64_t i = 0; i < self->numel; i++, walk_next(&w))
                ((float *)(void *)base)[w.off[0]] = fmaf(tgi_uniform_f32(ctx), range, f);
        } else {
            double range = to - from;
            for (int64_t i = 0; i < self->numel; i++, walk_next(&w))
                ((double *)(void *)base)[w.off[0]] = fma(tgi_uniform_f64(ctx), range, from);
        }
    }
    return end_inplace(self, record, TGI_OP_UNIFORM_INPLACE);
}

/* ------------------------------------------------------------------------------------------ */
/* bernoulli                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* The no-MKL bernoulli_scalar_kernel (Debian's torch has no MKL, so there is no VSL stream):
 * element by element in iterator order, 1 when a double uniform (one 64-bit draw) is below p. */
static void bernoulli_fill(tg_tensor *t, double p) {
    walk w;
    walk_self(&w, t);
    for (int64_t i = 0; i < t->numel; i++, walk_next(&w))
        store(t, w.off[0], tgi_uniform_f64(t->ctx) < p ? 1.0 : 0.0);
}

tg_status tg_bernoulli_(tg_tensor *self, double p) {
    if (!self) return tgi_null_arg(NULL, "tg_bernoulli_", "self");
    tg_ctx *ctx = self->ctx;
    bool record;
    if (begin_inplace("tg_bernoulli_", self, &record) != TG_OK) return ctx->err;
    if (!(p >= 0 && p <= 1))
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "tg_bernoulli_: bernoulli_ expects p to be in [0, 1], but got p=%g", p);
    if (check_no_overlap("tg_bernoulli_", self) != TG_OK) return ctx->err;
    bernoulli_fill(self, p);
    return end_inplace(self, record, TGI_OP_BERNOULLI_SCALAR_INPLACE);
}

/* torch.bernoulli(input): a contiguous result of input's dtype filled by the tensor-p kernel in
 * row-major order (the output's strides decide): per element, at::bernoulli_distribution of p's
 * type — a float uniform (32-bit draw) below a float32 p, a double one (64-bit draw) below a
 * float64 p. A p outside [0, 1] fails when its element is reached (the draws before it are
 * spent, as in PyTorch). BernoulliBackward0: zero gradient. */
tg_tensor *tg_bernoulli(const tg_tensor *input) {
    if (!input) return tgi_null_arg(NULL, "tg_bernoulli", "input"), NULL;
    tg_ctx *ctx = input->ctx;
    if (!tgi_is_floating(input->dtype)) {
        tgi_error(ctx, TG_ERR_DTYPE,
                  "tg_bernoulli: \"bernoulli_tensor_cpu_p_\" not implemented for '%s'",
                  tgi_dtype_cname(input->dtype));
        return NULL;
    }
    tg_tensor *out = tgi_empty(ctx, input->shape, input->ndim, input->dtype);
    if (!out) return NULL;
    int perm[TG_MAX_DIMS];
    const int64_t *st[2] = {out->strides, input->strides};
    iter_perm(out->shape, out->ndim, st, 2, perm);
    walk w;
    walk_init(&w, out->shape, out->ndim, perm, out->strides, input->strides);
    const char *pb = (const char *)tgi_data(input) +
                     (size_t)input->offset * tgi_dtype_size(input->dtype);
    for (int64_t i = 0; i < out->numel; i++, walk_next(&w)) {
        bool hit;
        if (input->dtype == TG_FLOAT32) {
            float p = ((const float *)(const void *)pb)[w.off[1]];
            if (!(p >= 0 && p <= 1)) goto bad_p;
            hit = tgi_uniform_f32(ctx) < p;
        } else {
            double p = ((const double *)(const void *)pb)[w.off[1]];
            if (!(p >= 0 && p <= 1)) goto bad_p;
            hit = tgi_uniform_f64(ctx) < p;
        }
        store(out, w.off[0], hit ? 1.0 : 0.0);
    }
    const tg_tensor *in[1] = {input};
    if (tgi_should_record(ctx, in, 1) && !tgi_record(out, TGI_OP_BERNOULLI, in, 1)) {
        tgi_tensor_decref(out);
        return NULL;
    }
    return tgi_own(out);
bad_p:
    tgi_tensor_decref(out);
    tgi_error(ctx, TG_ERR_INVALID_ARG,
              "tg_bernoulli: Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
              "this error message be improved?  If so, please report an enhancement request to "
              "PyTorch.)");
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* dropout                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* _dropout_impl's noise: a contiguous tensor of input's shape and dtype, bernoulli_(1 - p),
 * then div_(1 - p) — in the dtype: 1 / (float)(1 - p) for float32. An integer or bool input
 * fails at that division (after its draws, as in PyTorch). Returns a new reference. */
static tg_tensor *dropout_noise(const char *fn, const tg_tensor *input, double p) {
    tg_ctx *ctx = input->ctx;
    tg_tensor *noise = tgi_empty(ctx, input->shape, input->ndim, input->dtype);
    if (!noise) return NULL;
    double q = 1.0 - p;
    bernoulli_fill(noise, q);
    if (!tgi_is_floating(input->dtype)) {
        tgi_tensor_decref(noise);
        tgi_error(ctx, TG_ERR_DTYPE,
                  "%s: result type Float can't be cast to the desired output type %s", fn,
                  tgi_dtype_cname(input->dtype));
        return NULL;
    }
    if (input->dtype == TG_FLOAT32) {
        float *d = tgi_data(noise), qf = (float)q;
        for (int64_t i = 0; i < noise->numel; i++) d[i] = d[i] / qf;
    } else {
        double *d = tgi_data(noise);
        for (int64_t i = 0; i < noise->numel; i++) d[i] = d[i] / q;
    }
    return noise;
}

static tg_status check_p(const char *fn, tg_ctx *ctx, double p) {
    if (p >= 0 && p <= 1) return TG_OK;
    return tgi_error(ctx, TG_ERR_INVALID_ARG,
                     "%s: dropout probability has to be between 0 and 1, but got %g", fn, p);
}

/* F.dropout(input, p, training) as at::dropout does it on CPU (_dropout_impl): input itself when
 * p is 0, in evaluation or for an empty input; input * zeros({}) when p is 1; otherwise
 * input * noise. Both products are recorded by tg_mul (MulBackward0, which saves the noise). */
tg_tensor *tg_dropout(const tg_tensor *input, double p, bool training) {
    if (!input) return tgi_null_arg(NULL, "tg_dropout", "input"), NULL;
    tg_ctx *ctx = input->ctx;
    if (check_p("tg_dropout", ctx, p) != TG_OK) return NULL;
    if (p == 0 || !training || input->numel == 0) {
        ((tg_tensor *)(uintptr_t)input)->refcount++;
        return tgi_own((tg_tensor *)(uintptr_t)input);
    }
    if (p == 1) {
        tg_tensor *zero = tg_scalar(ctx, 0.0, input->dtype);
        return zero ? tg_mul(input, zero) : NULL;
    }
    tg_tensor *noise = dropout_noise("tg_dropout", input, p);
    if (!noise) return NULL;
    tg_tensor *out = tg_mul(input, noise);
    tgi_tensor_decref(noise);
    return out;
}

/* F.dropout(input, p, training, inplace=True): input.mul_(noise) (or mul_(zeros({})) for p 1);
 * nothing at all when p is 0, in evaluation or for an empty input. As in PyTorch the noise is
 * drawn before mul_ checks input (a leaf requiring grad, an expanded tensor). */
tg_status tg_dropout_(tg_tensor *input, double p, bool training) {
    if (!input) return tgi_null_arg(NULL, "tg_dropout_", "input");
    tg_ctx *ctx = input->ctx;
    if (check_p("tg_dropout_", ctx, p) != TG_OK) return ctx->err;
    if (p == 0 || !training || input->numel == 0) return TG_OK;
    tg_tensor *noise = NULL;
    if (p == 1) {
        noise = tgi_empty(ctx, NULL, 0, input->dtype);
        if (noise) tgi_store(tgi_data(noise), noise->dtype, 0, 0.0);
    } else {
        noise = dropout_noise("tg_dropout_", input, p);
    }
    if (!noise) return ctx->err;
    bool record;
    tg_status st = begin_inplace("tg_dropout_", input, &record);
    if (st == TG_OK) st = check_no_overlap("tg_dropout_", input);
    if (st == TG_OK) st = tg_mul_(input, noise);
    tgi_tensor_decref(noise);
    return st;
}
