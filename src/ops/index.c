/*
 * index.c — indexing ops: index_select, index_add, gather, scatter (tensor, value and add; in
 * and out of place), masked_fill, the public where (a wrapper of the elementwise kernel),
 * advanced indexing by one tensor (a[idx]) and one_hot, with their backward formulas
 * (derivatives.yaml's). Kernels are plain strided loops that move elements by byte copies;
 * every index is validated before anything is written.
 */
#include "pointwise.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

/* A tensor's geometry with a 0-d tensor seen as 1-d of size 1 (PyTorch's
 * ensure_nonempty_dim / ensure_nonempty_size). */
typedef struct {
    int nd;
    int64_t shape[TG_MAX_DIMS], strides[TG_MAX_DIMS];
} geom;

static geom geom_of(const tg_tensor *t) {
    geom g;
    g.nd = t->ndim ? t->ndim : 1;
    g.shape[0] = 1;
    g.strides[0] = 1;
    for (int d = 0; d < t->ndim; d++) {
        g.shape[d] = t->shape[d];
        g.strides[d] = t->strides[d];
    }
    return g;
}

/* An odometer over a shape in row-major order, carrying one element offset per operand. */
#define WALK_OPS 3
typedef struct {
    int nd, nop;
    int64_t shape[TG_MAX_DIMS], idx[TG_MAX_DIMS];
    int64_t st[WALK_OPS][TG_MAX_DIMS];
    int64_t off[WALK_OPS];
} walker;

static void walk_init(walker *w, const int64_t *shape, int nd) {
    memset(w, 0, sizeof *w);
    w->nd = nd;
    for (int d = 0; d < nd; d++) w->shape[d] = shape[d];
}

/* Adds an operand that starts at element `base` and steps by strides[d] along walked dim d. */
static void walk_add(walker *w, int64_t base, const int64_t *strides) {
    int k = w->nop++;
    w->off[k] = base;
    for (int d = 0; d < w->nd; d++) w->st[k][d] = strides[d];
}

static void walk_next(walker *w) {
    for (int d = w->nd - 1; d >= 0; d--) {
        w->idx[d]++;
        for (int k = 0; k < w->nop; k++) w->off[k] += w->st[k][d];
        if (w->idx[d] < w->shape[d]) return;
        for (int k = 0; k < w->nop; k++) w->off[k] -= w->st[k][d] * w->shape[d];
        w->idx[d] = 0;
    }
}

static char *elem_ptr(const tg_tensor *t, int64_t off) {
    return (char *)t->storage->data + (size_t)off * tgi_dtype_size(t->dtype);
}

/* *dst += *src in dtype dt (int64 wraps around, bool is logical or, as PyTorch's add). */
static void add_elem(tg_dtype dt, char *dst, const char *src) {
    switch (dt) {
    case TG_FLOAT32: *(float *)(void *)dst += *(const float *)(const void *)src; break;
    case TG_FLOAT64: *(double *)(void *)dst += *(const double *)(const void *)src; break;
    case TG_INT64:
        *(int64_t *)(void *)dst =
            tgi_wadd(*(int64_t *)(void *)dst, *(const int64_t *)(const void *)src);
        break;
    case TG_BOOL: *(bool *)(void *)dst = *(bool *)(void *)dst || *(const bool *)(const void *)src; break;
    }
}

/* Checks that ctx-sharing, non-NULL inputs were given; names[i] labels in[i] in messages. */
static bool args_ok(const char *fn, const tg_tensor *const *in, const char *const *names, int n) {
    tg_ctx *ctx = NULL;
    for (int i = 0; i < n && !ctx; i++)
        if (in[i]) ctx = in[i]->ctx;
    for (int i = 0; i < n; i++)
        if (!in[i]) {
            tgi_null_arg(ctx, fn, names[i]);
            return false;
        }
    for (int i = 1; i < n; i++)
        if (in[i]->ctx != ctx) {
            tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: tensors belong to different contexts", fn);
            return false;
        }
    return true;
}

/* A Python number stored into a tensor of dtype dt must fit it (c10::checked_convert). */
static tg_status check_value(tg_ctx *ctx, const char *fn, tg_dtype dt, double v) {
    if (dt == TG_FLOAT32 && isfinite(v) && (v > FLT_MAX || v < -FLT_MAX))
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: value cannot be converted to type float without overflow", fn);
    if (dt == TG_INT64 && !(v >= -9223372036854775808.0 && v < 9223372036854775808.0))
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: value cannot be converted to type int64_t without overflow", fn);
    return TG_OK;
}

/* A contiguous int64 view of an index tensor's values (a new reference; NULL on OOM). */
static tg_tensor *index_values(const tg_tensor *index, const int64_t **v) {
    tg_tensor *c = tgi_cast(index, index->dtype, true);
    if (c) *v = (const int64_t *)c->storage->data + c->offset;
    return c;
}

static tg_status out_of_bounds(tg_ctx *ctx, const char *fn, int64_t k, int64_t dim,
                               int64_t size) {
    return tgi_error(ctx, TG_ERR_INDEX, "%s: index %lld is out of bounds for dimension %lld with size %lld",
                     fn, (long long)k, (long long)dim, (long long)size);
}

/* Records op for out (a new or in-place result) when grad mode and the inputs ask for it. */
static tg_node *maybe_record(tg_tensor *out, int op, const tg_tensor *const *in, int n,
                             int64_t dim, tg_status *st) {
    *st = TG_OK;
    if (!tgi_is_floating(out->dtype) || !tgi_should_record(out->ctx, in, n)) return NULL;
    tg_node *node = tgi_record(out, op, in, n);
    if (!node) {
        *st = out->ctx->err;
        return NULL;
    }
    node->args.d0 = dim;
    return node;
}

/* A contiguous copy of a (same dtype), never a itself: the buffer out-of-place ops write into. */
static tg_tensor *fresh_copy(const tg_tensor *a) {
    tg_tensor *c = tgi_empty(a->ctx, a->shape, a->ndim, a->dtype);
    if (c) tgi_copy_into(c, a);
    return c;
}

/* Copies t when it shares self's storage, so an in-place op reads the original values. A new
 * reference either way. */
static tg_tensor *unalias(const tg_tensor *t, const tg_tensor *self) {
    if (t->storage != self->storage) {
        ((tg_tensor *)(uintptr_t)t)->refcount++;
        return (tg_tensor *)(uintptr_t)t;
    }
    return fresh_copy(t);
}

/* ---------------------------------------------------------------- row kernels */

/* out (contiguous) = a walked over `shape` (nd dims) with a's strides `st`, where dim rd is the
 * row dim: its stride is ignored and row j reads at a's offset + delta[j]. */
static void take_rows(const tg_tensor *a, int nd, const int64_t *shape, const int64_t *st, int rd,
                      const int64_t *delta, tg_tensor *out) {
    if (out->numel == 0) return;
    size_t es = tgi_dtype_size(a->dtype);
    int64_t s[TG_MAX_DIMS];
    for (int d = 0; d < nd; d++) s[d] = d == rd ? 0 : st[d];
    walker w;
    walk_init(&w, shape, nd);
    walk_add(&w, a->offset, s);
    char *dst = elem_ptr(out, out->offset);
    for (int64_t i = 0; i < out->numel; i++) {
        memcpy(dst + (size_t)i * es, elem_ptr(a, w.off[0] + delta[w.idx[rd]]), es);
        walk_next(&w);
    }
}

/* target[.., rows, ..] += src: walks src's geometry; src's position j along dim rd adds into
 * target at delta[j] plus target's strides `tst` along the other dims. */
static void add_rows(tg_tensor *target, const int64_t *tst, const tg_tensor *src, int rd,
                     const int64_t *delta) {
    if (src->numel == 0) return;
    geom sg = geom_of(src);
    int64_t s[TG_MAX_DIMS];
    for (int d = 0; d < sg.nd; d++) s[d] = d == rd ? 0 : tst[d];
    walker w;
    walk_init(&w, sg.shape, sg.nd);
    walk_add(&w, src->offset, sg.strides);
    walk_add(&w, target->offset, s);
    for (int64_t i = 0; i < src->numel; i++) {
        add_elem(target->dtype, elem_ptr(target, w.off[1] + delta[w.idx[rd]]),
                 elem_ptr(src, w.off[0]));
        walk_next(&w);
    }
}

/* ---------------------------------------------------------------- index_select */

/* PyTorch's bounds messages for index_select, which depend on its CPU path. */
static tg_status select_bounds(const char *fn, const tg_tensor *a, int64_t dim, const int64_t *iv,
                               int64_t n) {
    tg_ctx *ctx = a->ctx;
    int64_t size = a->ndim ? a->shape[dim] : 1;
    if (n == 0) return TG_OK;
    bool fast = a->ndim > 1 && (a->numel == 0 || dim == 1);
    if (a->ndim > 1 && a->numel == 0 && size == 0)
        return tgi_error(ctx, TG_ERR_INDEX,
                         "%s: index_select(): self indexing axis dim should be positive", fn);
    for (int64_t j = 0; j < n; j++) {
        if (iv[j] >= 0 && iv[j] < size) continue;
        if (fast)
            return tgi_error(ctx, TG_ERR_INDEX,
                             "%s: INDICES element is out of DATA bounds, id=%lld axis_dim=%lld", fn,
                             (long long)iv[j], (long long)size);
        return tgi_error(ctx, TG_ERR_INDEX, "%s: index out of range in self", fn);
    }
    return TG_OK;
}

tg_tensor *tg_index_select(const tg_tensor *a, int dim, const tg_tensor *index) {
    static const char fn[] = "tg_index_select";
    const tg_tensor *in[2] = {a, index};
    static const char *const names[2] = {"self", "index"};
    if (!args_ok(fn, in, names, 2)) return NULL;
    tg_ctx *ctx = a->ctx;
    int64_t d;
    if (tgi_wrap_dim(ctx, fn, dim, a->ndim, &d) != TG_OK) return NULL;
    if (index->ndim > 1)
        return tgi_error(ctx, TG_ERR_INDEX, "%s: index_select(): Index is supposed to be a vector",
                         fn),
               NULL;
    if (a->ndim == 0 && index->numel != 1)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: index_select(): Index to scalar can have only 1 value, got %lld "
                         "value(s)",
                         fn, (long long)index->numel),
               NULL;
    if (index->dtype != TG_INT64)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: index_select(): Expected dtype int32 or int64 for index", fn),
               NULL;
    const int64_t *iv = NULL;
    tg_tensor *ic = index_values(index, &iv);
    if (!ic) return NULL;
    int64_t n = index->numel;
    tg_tensor *out = NULL;
    int64_t *delta = NULL;
    if (select_bounds(fn, a, d, iv, n) != TG_OK) goto fail;
    geom g = geom_of(a);
    int64_t oshape[TG_MAX_DIMS];
    memcpy(oshape, a->shape, sizeof(int64_t) * (size_t)a->ndim);
    if (a->ndim) oshape[d] = n;
    out = tgi_empty(ctx, oshape, a->ndim, a->dtype);
    delta = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    if (!out || !delta) {
        if (out) tgi_error(ctx, TG_ERR_OOM, "%s: out of memory", fn);
        goto fail;
    }
    for (int64_t j = 0; j < n; j++) delta[j] = iv[j] * g.strides[d];
    g.shape[d] = n;
    take_rows(a, g.nd, g.shape, g.strides, (int)d, delta, out);
    free(delta);
    tgi_tensor_decref(ic);
    tg_status st;
    tg_node *node = maybe_record(out, TGI_OP_INDEX_SELECT, &a, 1, d, &st);
    if (node) st = tgi_save(node, index, false);
    return tgi_finish(out, st);
fail:
    free(delta);
    tgi_tensor_decref(out);
    tgi_tensor_decref(ic);
    return NULL;
}

/* index_select: grad index_add'ed into zeros of self's shape */
tg_status tgi_bw_index_select(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *index = tgi_unpack(n, 0);
    if (!index) return n->ctx->err;
    const tgi_meta *m = &n->in_meta[0];
    tg_tensor *z = tg_zeros(g->ctx, m->shape, m->ndim, g->dtype);
    gi[0] = tg_index_add(z, (int)n->args.d0, index, g);
    return gi[0] ? TG_OK : g->ctx->err;
}

/* ---------------------------------------------------------------- index_add */

tg_tensor *tg_index_add(const tg_tensor *a, int dim, const tg_tensor *index,
                        const tg_tensor *source) {
    static const char fn[] = "tg_index_add";
    const tg_tensor *in[3] = {a, index, source};
    static const char *const names[3] = {"self", "index", "source"};
    if (!args_ok(fn, in, names, 3)) return NULL;
    tg_ctx *ctx = a->ctx;
    int64_t d;
    if (tgi_wrap_dim(ctx, fn, dim, a->ndim, &d) != TG_OK) return NULL;
    char s1[256], s2[256];
    if (index->ndim > 1) {
        tgi_fmt_shape(s1, sizeof s1, index->shape, index->ndim);
        return tgi_error(ctx, TG_ERR_INDEX,
                         "%s: index_add_(): Index is supposed to be a vector, but got dim: %d "
                         "with type: %s and size: %s",
                         fn, index->ndim, tgi_dtype_cname(index->dtype), s1),
               NULL;
    }
    if (index->dtype != TG_INT64)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: index_add_(): Expected dtype int32/int64 for index but got: %s", fn,
                         tgi_dtype_cname(index->dtype)),
               NULL;
    if (a->dtype != source->dtype)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: index_add_(): self (%s) and source (%s) must have the same scalar "
                         "type",
                         fn, tgi_dtype_cname(a->dtype), tgi_dtype_cname(source->dtype)),
               NULL;
    if (d != 0 && d >= source->ndim)
        return tgi_error(ctx, TG_ERR_INDEX,
                         "%s: index_add_(): Indexing dim %lld is out of bounds of the source "
                         "tensor with dim %d",
                         fn, (long long)d, source->ndim),
               NULL;
    int64_t src_rows = source->ndim ? source->shape[d] : 1;
    if (index->numel != src_rows)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: index_add_(): Number of indices (%lld) should be equal to "
                         "source.size(dim): (%lld), for dim: %lld",
                         fn, (long long)index->numel, (long long)src_rows, (long long)d),
               NULL;
    /* the slices (shapes without dim) must agree */
    int64_t sa[TG_MAX_DIMS], ss[TG_MAX_DIMS];
    int na = 0, ns = 0;
    for (int i = 0; i < a->ndim; i++)
        if (i != d) sa[na++] = a->shape[i];
    for (int i = 0; i < source->ndim; i++)
        if (i != d) ss[ns++] = source->shape[i];
    if (!tgi_same_shape(sa, na, ss, ns)) {
        tgi_fmt_shape(s1, sizeof s1, sa, na);
        tgi_fmt_shape(s2, sizeof s2, ss, ns);
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: index_add_(): Source/destination tensor must have same slice "
                         "shapes. Destination slice shape: %s at dimension %lld and source slice "
                         "shape: %s at dimension 0.",
                         fn, s1, (long long)d, s2),
               NULL;
    }
    const int64_t *iv = NULL;
    tg_tensor *ic = index_values(index, &iv);
    if (!ic) return NULL;
    int64_t size = a->ndim ? a->shape[d] : 1, n = index->numel;
    for (int64_t j = 0; j < n; j++)
        if (iv[j] < 0 || iv[j] >= size) {
            tgi_error(ctx, TG_ERR_INDEX, "%s: index out of range in self", fn);
            tgi_tensor_decref(ic);
            return NULL;
        }
    tg_tensor *out = fresh_copy(a);
    int64_t *delta = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    if (!out || !delta) {
        if (out) tgi_error(ctx, TG_ERR_OOM, "%s: out of memory", fn);
        free(delta);
        tgi_tensor_decref(out);
        tgi_tensor_decref(ic);
        return NULL;
    }
    geom og = geom_of(out);
    for (int64_t j = 0; j < n; j++) delta[j] = iv[j] * og.strides[d];
    add_rows(out, og.strides, source, (int)d, delta);
    free(delta);
    tgi_tensor_decref(ic);
    tg_status st;
    const tg_tensor *rin[2] = {a, source};
    tg_node *node = maybe_record(out, TGI_OP_INDEX_ADD, rin, 2, d, &st);
    if (node) st = tgi_save(node, index, false);
    if (node && st == TG_OK) st = tgi_save(node, source, false);
    return tgi_finish(out, st);
}

/* index_add: self: grad; source: grad.index_select(dim, index) expanded to source's shape.
 * A 0-d self takes every source element into its one element: source's gradient is grad
 * expanded (PyTorch 2.x's formula would call index_select on the 0-d grad with several
 * indices, which it rejects; 1.13 gives this result). */
tg_status tgi_bw_index_add(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *index = tgi_unpack(n, 0), *source = tgi_unpack(n, 1);
    if (!index || !source) return n->ctx->err;
    gi[0] = tgi_needs(n, 0) ? g : NULL;
    if (tgi_needs(n, 1)) {
        tg_tensor *r = g->ndim == 0 ? g : tg_index_select(g, (int)n->args.d0, index);
        if (r && !tgi_same_shape(r->shape, r->ndim, source->shape, source->ndim))
            r = source->ndim ? tg_expand(r, source->shape, source->ndim) : tg_reshape(r, NULL, 0);
        if (!(gi[1] = r)) return g->ctx->err;
    }
    return TG_OK;
}

/* ---------------------------------------------------------------- gather / scatter */

typedef enum { SG_GATHER, SG_SCATTER, SG_SCATTER_VALUE, SG_SCATTER_ADD } sg_kind;

/* Every index entry must address dim of a tensor of `size` there (no negative indices). */
static tg_status check_sg_bounds(tg_ctx *ctx, const char *fn, const int64_t *iv, int64_t n,
                                 int64_t dim, int64_t size) {
    for (int64_t j = 0; j < n; j++)
        if (iv[j] < 0 || iv[j] >= size) return out_of_bounds(ctx, fn, iv[j], dim, size);
    return TG_OK;
}

/* Walks index's positions p in row-major order; with k = index[p] and q = p with q[dim] = k:
 *   gather:  other[p] = self[q]          (other is the contiguous output)
 *   scatter: self[q] = other[p], = value, or += other[p]. */
static void scatter_gather(sg_kind kind, tg_tensor *self, int64_t dim, const tg_tensor *index,
                           const int64_t *iv, tg_tensor *other, const char *value) {
    if (index->numel == 0) return;
    geom ig = geom_of(index), sg = geom_of(self);
    int64_t istr[TG_MAX_DIMS], sstr[TG_MAX_DIMS];
    tgi_contiguous_strides(ig.shape, ig.nd, istr);
    for (int d = 0; d < sg.nd; d++) sstr[d] = d == dim ? 0 : sg.strides[d];
    walker w;
    walk_init(&w, ig.shape, ig.nd);
    walk_add(&w, 0, istr);
    walk_add(&w, self->offset, sstr);
    if (other) {
        geom og = geom_of(other);
        walk_add(&w, other->offset, kind == SG_GATHER ? istr : og.strides);
    }
    size_t es = tgi_dtype_size(self->dtype);
    for (int64_t i = 0; i < index->numel; i++) {
        char *s = elem_ptr(self, w.off[1] + iv[w.off[0]] * sg.strides[dim]);
        switch (kind) {
        case SG_GATHER: memcpy(elem_ptr(other, w.off[2]), s, es); break;
        case SG_SCATTER: memcpy(s, elem_ptr(other, w.off[2]), es); break;
        case SG_SCATTER_VALUE: memcpy(s, value, es); break;
        case SG_SCATTER_ADD: add_elem(self->dtype, s, elem_ptr(other, w.off[2])); break;
        }
        walk_next(&w);
    }
}

tg_tensor *tg_gather(const tg_tensor *a, int dim, const tg_tensor *index) {
    static const char fn[] = "tg_gather";
    const tg_tensor *in[2] = {a, index};
    static const char *const names[2] = {"self", "index"};
    if (!args_ok(fn, in, names, 2)) return NULL;
    tg_ctx *ctx = a->ctx;
    int64_t d;
    if (tgi_wrap_dim(ctx, fn, dim, a->ndim, &d) != TG_OK) return NULL;
    bool empty = index->numel == 0;
    if (!empty && index->dtype != TG_INT64)
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: gather(): Expected dtype int64 for index", fn),
               NULL;
    geom ag = geom_of(a), ig = geom_of(index);
    if (!empty) {
        if (ag.nd != ig.nd)
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: Index tensor must have the same number of dimensions as input "
                             "tensor",
                             fn),
                   NULL;
        for (int i = 0; i < ag.nd; i++)
            if (i != d && ig.shape[i] > ag.shape[i]) {
                char s1[256], s2[256];
                tgi_fmt_shape(s1, sizeof s1, index->shape, index->ndim);
                tgi_fmt_shape(s2, sizeof s2, a->shape, a->ndim);
                return tgi_error(ctx, TG_ERR_SHAPE,
                                 "%s: Size does not match at dimension %d expected index %s to "
                                 "be smaller than self %s apart from dimension %lld",
                                 fn, i, s1, s2, (long long)d),
                       NULL;
            }
    }
    const int64_t *iv = NULL;
    tg_tensor *ic = NULL;
    if (!empty) {
        if (!(ic = index_values(index, &iv))) return NULL;
        if (check_sg_bounds(ctx, fn, iv, index->numel, d, ag.shape[d]) != TG_OK) {
            tgi_tensor_decref(ic);
            return NULL;
        }
    }
    tg_tensor *out = tgi_empty(ctx, index->shape, index->ndim, a->dtype);
    if (out && !empty) scatter_gather(SG_GATHER, (tg_tensor *)(uintptr_t)a, d, index, iv, out, NULL);
    tgi_tensor_decref(ic);
    if (!out) return NULL;
    tg_status st;
    tg_node *node = maybe_record(out, TGI_OP_GATHER, &a, 1, d, &st);
    if (node) st = tgi_save(node, a, false);
    if (node && st == TG_OK) st = tgi_save(node, index, false);
    return tgi_finish(out, st);
}

/* gather: grad scatter_add'ed into zeros of self's shape (saved: self, index) */
tg_status tgi_bw_gather(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *self = tgi_unpack(n, 0), *index = tgi_unpack(n, 1);
    if (!self || !index) return n->ctx->err;
    tg_tensor *z = tg_zeros(g->ctx, self->shape, self->ndim, g->dtype);
    gi[0] = tg_scatter_add(z, (int)n->args.d0, index, g);
    return gi[0] ? TG_OK : g->ctx->err;
}

/* The checks scatter, scatter(value) and scatter_add share (src NULL for the value form);
 * PyTorch's scatter_gather_dtype_check and scatter_shape_check, in their order. */
static tg_status scatter_checks(const char *fn, const tg_tensor *self, int64_t *dim, int rawdim,
                                const tg_tensor *index, const tg_tensor *src) {
    tg_ctx *ctx = self->ctx;
    if (tgi_wrap_dim(ctx, fn, rawdim, self->ndim, dim) != TG_OK) return ctx->err;
    bool empty = index->numel == 0;
    if (!empty && index->dtype != TG_INT64)
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: scatter(): Expected dtype int64 for index", fn);
    if (src && src->dtype != self->dtype)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: scatter(): Expected self.dtype to be equal to src.dtype", fn);
    if (empty) return TG_OK;
    geom sg = geom_of(self), ig = geom_of(index);
    if (sg.nd != ig.nd)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Index tensor must have the same number of dimensions as self "
                         "tensor",
                         fn);
    bool wrong = false;
    for (int d = 0; d < sg.nd && !wrong; d++)
        if (d != *dim && ig.shape[d] > sg.shape[d]) wrong = true;
    if (!wrong && src) {
        geom rg = geom_of(src);
        for (int d = 0; d < sg.nd && !wrong; d++) {
            if (src->ndim > 0 && d >= src->ndim) /* PyTorch reads src.size(d): it throws */
                return tgi_error(ctx, TG_ERR_INDEX,
                                 "%s: Dimension out of range (expected to be in range of [%d, "
                                 "%d], but got %d)",
                                 fn, -src->ndim, src->ndim - 1, d);
            if (ig.shape[d] > (src->ndim ? rg.shape[d] : 1)) wrong = true;
        }
    }
    if (src && geom_of(src).nd != ig.nd)
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Index tensor must have the same number of dimensions as src tensor",
                         fn);
    if (wrong) {
        char s1[256], s2[256], s3[256];
        tgi_fmt_shape(s1, sizeof s1, index->shape, index->ndim);
        tgi_fmt_shape(s2, sizeof s2, self->shape, self->ndim);
        if (src) {
            tgi_fmt_shape(s3, sizeof s3, src->shape, src->ndim);
            return tgi_error(ctx, TG_ERR_SHAPE,
                             "%s: Expected index %s to be smaller than self %s apart from "
                             "dimension %lld and to be smaller size than src %s",
                             fn, s1, s2, (long long)*dim, s3);
        }
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: Expected index %s to be smaller than self %s apart from dimension "
                         "%lld",
                         fn, s1, s2, (long long)*dim);
    }
    return TG_OK;
}

/* The scatter family into `target` (a fresh copy of self, or self itself in place), after the
 * checks: value conversion, bounds, then the writes. */
static tg_status scatter_into(const char *fn, sg_kind kind, tg_tensor *target, int64_t dim,
                              const tg_tensor *index, const tg_tensor *src, double value) {
    tg_ctx *ctx = target->ctx;
    union {
        float f;
        double d;
        int64_t l;
        bool b;
    } v;
    memset(&v, 0, sizeof v);
    if (kind == SG_SCATTER_VALUE) {
        if (check_value(ctx, fn, target->dtype, value) != TG_OK) return ctx->err;
        tgi_store(&v, target->dtype, 0, value);
    }
    if (index->numel == 0) return TG_OK;
    const int64_t *iv = NULL;
    tg_tensor *ic = index_values(index, &iv);
    if (!ic) return ctx->err;
    tg_status st = check_sg_bounds(ctx, fn, iv, index->numel, dim, geom_of(target).shape[dim]);
    tg_tensor *s = NULL;
    if (st == TG_OK && src && !(s = unalias(src, target))) st = ctx->err;
    if (st == TG_OK) scatter_gather(kind, target, dim, index, iv, s, (const char *)&v);
    tgi_tensor_decref(s);
    tgi_tensor_decref(ic);
    return st;
}

static const int SCATTER_OPS[4] = {-1, TGI_OP_SCATTER, TGI_OP_SCATTER_VALUE, TGI_OP_SCATTER_ADD};

static tg_tensor *scatter_op(const char *fn, sg_kind kind, const tg_tensor *a, int dim,
                             const tg_tensor *index, const tg_tensor *src, double value) {
    const tg_tensor *in[3] = {a, index, src};
    static const char *const names[3] = {"self", "index", "src"};
    if (!args_ok(fn, in, names, kind == SG_SCATTER_VALUE ? 2 : 3)) return NULL;
    int64_t d;
    if (scatter_checks(fn, a, &d, dim, index, src) != TG_OK) return NULL;
    tg_tensor *out = fresh_copy(a);
    if (!out) return NULL;
    if (scatter_into(fn, kind, out, d, index, src, value) != TG_OK)
        return tgi_finish(out, a->ctx->err);
    tg_status st;
    const tg_tensor *rin[2] = {a, src};
    tg_node *node = maybe_record(out, SCATTER_OPS[kind], rin, src ? 2 : 1, d, &st);
    if (node) st = tgi_save(node, index, false);
    return tgi_finish(out, st);
}

static tg_status scatter_inplace(const char *fn, sg_kind kind, tg_tensor *self, int dim,
                                 const tg_tensor *index, const tg_tensor *src, double value) {
    const tg_tensor *in[3] = {self, index, src};
    static const char *const names[3] = {"self", "index", "src"};
    if (!args_ok(fn, in, names, kind == SG_SCATTER_VALUE ? 2 : 3))
        return self ? self->ctx->err : index ? tg_errcode(index->ctx) : TG_ERR_NULL_ARG;
    tg_ctx *ctx = self->ctx;
    int64_t d;
    if (scatter_checks(fn, self, &d, dim, index, src) != TG_OK) return ctx->err;
    const tg_tensor *rin[2] = {self, src};
    bool record = tgi_is_floating(self->dtype) && tgi_should_record(ctx, rin, src ? 2 : 1);
    if (tgi_check_inplace(fn, self, record) != TG_OK) return ctx->err;
    if (scatter_into(fn, kind, self, d, index, src, value) != TG_OK) return ctx->err;
    self->storage->version++;
    tg_status st;
    tg_node *node = maybe_record(self, SCATTER_OPS[kind], rin, src ? 2 : 1, d, &st);
    if (node) st = tgi_save(node, index, false);
    return st;
}

tg_tensor *tg_scatter(const tg_tensor *a, int dim, const tg_tensor *index, const tg_tensor *src) {
    return scatter_op("tg_scatter", SG_SCATTER, a, dim, index, src, 0);
}
tg_tensor *tg_scatter_value(const tg_tensor *a, int dim, const tg_tensor *index, double value) {
    return scatter_op("tg_scatter_value", SG_SCATTER_VALUE, a, dim, index, NULL, value);
}
tg_tensor *tg_scatter_add(const tg_tensor *a, int dim, const tg_tensor *index,
                          const tg_tensor *src) {
    return scatter_op("tg_scatter_add", SG_SCATTER_ADD, a, dim, index, src, 0);
}
tg_status tg_scatter_(tg_tensor *self, int dim, const tg_tensor *index, const tg_tensor *src) {
    return scatter_inplace("tg_scatter_", SG_SCATTER, self, dim, index, src, 0);
}
tg_status tg_scatter_value_(tg_tensor *self, int dim, const tg_tensor *index, double value) {
    return scatter_inplace("tg_scatter_value_", SG_SCATTER_VALUE, self, dim, index, NULL, value);
}
tg_status tg_scatter_add_(tg_tensor *self, int dim, const tg_tensor *index, const tg_tensor *src) {
    return scatter_inplace("tg_scatter_add_", SG_SCATTER_ADD, self, dim, index, src, 0);
}

/* scatter: self: grad.scatter(dim, index, 0); src: grad.gather(dim, index) */
tg_status tgi_bw_scatter(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *index = tgi_unpack(n, 0);
    if (!index) return n->ctx->err;
    int dim = (int)n->args.d0;
    if (tgi_needs(n, 0) && !(gi[0] = tg_scatter_value(g, dim, index, 0.0))) return g->ctx->err;
    if (n->n_next > 1 && tgi_needs(n, 1) && !(gi[1] = tg_gather(g, dim, index)))
        return g->ctx->err;
    return TG_OK;
}

/* scatter with a value: self: grad.scatter(dim, index, 0) */
tg_status tgi_bw_scatter_value(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    return tgi_bw_scatter(n, g, gi);
}

/* scatter_add: self: grad; src: grad.gather(dim, index) */
tg_status tgi_bw_scatter_add(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *index = tgi_unpack(n, 0);
    if (!index) return n->ctx->err;
    gi[0] = tgi_needs(n, 0) ? g : NULL;
    if (tgi_needs(n, 1) && !(gi[1] = tg_gather(g, (int)n->args.d0, index))) return g->ctx->err;
    return TG_OK;
}

/* ---------------------------------------------------------------- masked_fill */

static tg_status mask_checks(const char *fn, const tg_tensor *a, const tg_tensor *mask,
                             double value) {
    tg_ctx *ctx = a->ctx;
    if (mask->dtype != TG_BOOL)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: masked_fill_ only supports boolean masks, but got mask with dtype %s",
                         fn, tgi_dtype_short(mask->dtype));
    return check_value(ctx, fn, a->dtype, value);
}

/* target[p] = value wherever mask (broadcast to target's shape) is true. */
static void fill_masked(tg_tensor *target, const tg_tensor *mask, double value) {
    if (target->numel == 0) return;
    union {
        float f;
        double d;
        int64_t l;
        bool b;
    } v;
    tgi_store(&v, target->dtype, 0, value);
    int64_t mst[TG_MAX_DIMS];
    for (int d = 0; d < target->ndim; d++) {
        int md = d - (target->ndim - mask->ndim);
        mst[d] = md >= 0 && mask->shape[md] != 1 ? mask->strides[md] : 0;
    }
    walker w;
    walk_init(&w, target->shape, target->ndim);
    walk_add(&w, target->offset, target->strides);
    walk_add(&w, mask->offset, mst);
    size_t es = tgi_dtype_size(target->dtype);
    const bool *m = (const bool *)mask->storage->data;
    for (int64_t i = 0; i < target->numel; i++) {
        if (m[w.off[1]]) memcpy(elem_ptr(target, w.off[0]), &v, es);
        walk_next(&w);
    }
}

tg_tensor *tg_masked_fill(const tg_tensor *a, const tg_tensor *mask, double value) {
    static const char fn[] = "tg_masked_fill";
    const tg_tensor *in[2] = {a, mask};
    static const char *const names[2] = {"self", "mask"};
    if (!args_ok(fn, in, names, 2)) return NULL;
    tg_ctx *ctx = a->ctx;
    if (mask_checks(fn, a, mask, value) != TG_OK) return NULL;
    int64_t shape[TG_MAX_DIMS];
    int nd;
    if (tgi_broadcast_shapes(ctx, fn, mask->shape, mask->ndim, a->shape, a->ndim, shape, &nd) !=
        TG_OK) /* PyTorch: expand_outplace(mask, self) */
        return NULL;
    tg_tensor *out = tgi_empty(ctx, shape, nd, a->dtype);
    if (!out) return NULL;
    tgi_copy_into(out, a);
    fill_masked(out, mask, value);
    tg_status st;
    tg_node *node = maybe_record(out, TGI_OP_MASKED_FILL, &a, 1, 0, &st);
    if (node) st = tgi_save(node, mask, false);
    return tgi_finish(out, st);
}

tg_status tg_masked_fill_(tg_tensor *self, const tg_tensor *mask, double value) {
    static const char fn[] = "tg_masked_fill_";
    const tg_tensor *in[2] = {self, mask};
    static const char *const names[2] = {"self", "mask"};
    if (!args_ok(fn, in, names, 2))
        return self ? self->ctx->err : mask ? tg_errcode(mask->ctx) : TG_ERR_NULL_ARG;
    tg_ctx *ctx = self->ctx;
    if (mask_checks(fn, self, mask, value) != TG_OK) return ctx->err;
    int64_t shape[TG_MAX_DIMS];
    int nd;
    if (tgi_broadcast_shapes(ctx, fn, self->shape, self->ndim, mask->shape, mask->ndim, shape,
                             &nd) != TG_OK)
        return ctx->err;
    if (!tgi_same_shape(shape, nd, self->shape, self->ndim)) {
        char s1[256], s2[256];
        tgi_fmt_shape(s1, sizeof s1, self->shape, self->ndim);
        tgi_fmt_shape(s2, sizeof s2, shape, nd);
        return tgi_error(ctx, TG_ERR_SHAPE,
                         "%s: output with shape %s doesn't match the broadcast shape %s", fn, s1,
                         s2);
    }
    bool record = tgi_is_floating(self->dtype) &&
                  tgi_should_record(ctx, (const tg_tensor *const *)&self, 1);
    if (tgi_check_inplace(fn, self, record) != TG_OK) return ctx->err;
    tg_tensor *m = unalias(mask, self);
    if (!m) return ctx->err;
    fill_masked(self, m, value);
    tgi_tensor_decref(m);
    self->storage->version++;
    tg_status st;
    const tg_tensor *rin = self;
    tg_node *node = maybe_record(self, TGI_OP_MASKED_FILL, &rin, 1, 0, &st);
    if (node) st = tgi_save(node, mask, false);
    return st;
}

/* masked_fill: self: grad.masked_fill(mask, 0) (the engine sums it to self's shape) */
tg_status tgi_bw_masked_fill(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *mask = tgi_unpack(n, 0);
    if (!mask) return n->ctx->err;
    return (gi[0] = tg_masked_fill(g, mask, 0.0)) ? TG_OK : g->ctx->err;
}

/* ---------------------------------------------------------------- where */

/* where(bool, bool, bool) is bool in PyTorch; the shared kernel computes it in int64. */
static tg_tensor *where_result(tg_tensor *r, bool both_bool) {
    if (!r || !both_bool) return r;
    tg_tensor *c = tgi_cast(r, TG_BOOL, true);
    return c ? tgi_own(c) : NULL;
}

tg_tensor *tg_where(const tg_tensor *cond, const tg_tensor *a, const tg_tensor *b) {
    const tg_tensor *in[3] = {cond, a, b};
    static const char *const names[3] = {"condition", "self", "other"};
    if (!args_ok("tg_where", in, names, 3)) return NULL;
    return where_result(tgi_where(cond, a, b), a->dtype == TG_BOOL && b->dtype == TG_BOOL);
}

/* where with one number operand: validated here (with fn's name), then the shared kernel with
 * the number as a 0-d tensor of the promoted dtype. */
static tg_tensor *where_scalar(const char *fn, const tg_tensor *cond, const tg_tensor *t,
                               double s, bool scalar_first) {
    const tg_tensor *in[2] = {cond, t};
    const char *names[2] = {"condition", scalar_first ? "other" : "self"};
    if (!args_ok(fn, in, names, 2)) return NULL;
    tg_ctx *ctx = t->ctx;
    if (cond->dtype != TG_BOOL)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: where expected condition to be a boolean tensor, but got a tensor "
                         "with dtype %s",
                         fn, tgi_dtype_cname(cond->dtype)),
               NULL;
    int64_t shape[TG_MAX_DIMS];
    int nd;
    if (tgi_broadcast_shapes(ctx, fn, cond->shape, cond->ndim, t->shape, t->ndim, shape, &nd) !=
        TG_OK)
        return NULL;
    tg_tensor *st = tg_scalar(ctx, s, tgi_result_type_scalar(t, s));
    if (!st) return NULL;
    return scalar_first ? tgi_where(cond, st, t) : tgi_where(cond, t, st);
}

tg_tensor *tg_where_scalar(const tg_tensor *cond, const tg_tensor *a, double b) {
    return where_scalar("tg_where_scalar", cond, a, b, false);
}

tg_tensor *tg_where_rscalar(const tg_tensor *cond, double a, const tg_tensor *b) {
    return where_scalar("tg_where_rscalar", cond, b, a, true);
}

/* ---------------------------------------------------------------- a[idx] */

/* The rows one index tensor selects, as positions within the merged indexed dims (row-major):
 * an int64 idx's entries wrapped by `size`, or a bool mask's true positions. A new contiguous
 * int64 tensor (refcount 1, not in a scope); bounds were checked by the caller. */
static tg_tensor *index_rows(const tg_tensor *idx, int64_t size) {
    tg_ctx *ctx = idx->ctx;
    tg_tensor *c = tgi_cast(idx, idx->dtype, true);
    if (!c) return NULL;
    int64_t n = idx->numel;
    if (idx->dtype == TG_BOOL) {
        const bool *m = (const bool *)c->storage->data + c->offset;
        n = 0;
        for (int64_t i = 0; i < idx->numel; i++) n += m[i];
    }
    tg_tensor *r = tgi_empty(ctx, &n, 1, TG_INT64);
    if (r) {
        int64_t *o = (int64_t *)r->storage->data;
        if (idx->dtype == TG_BOOL) {
            const bool *m = (const bool *)c->storage->data + c->offset;
            for (int64_t i = 0, k = 0; i < idx->numel; i++)
                if (m[i]) o[k++] = i;
        } else {
            const int64_t *v = (const int64_t *)c->storage->data + c->offset;
            for (int64_t i = 0; i < n; i++) o[i] = v[i] < 0 ? v[i] + size : v[i];
        }
    }
    tgi_tensor_decref(c);
    return r;
}

/* Validates a[idx] at dim and describes it: *dim wrapped, *k the number of dims idx indexes
 * (1 for int64, its ndim for a bool mask), *rows the merged size of those dims. */
static tg_status index_checks(const char *fn, const tg_tensor *a, int rawdim,
                              const tg_tensor *idx, int64_t *dim, int *k, int64_t *rows) {
    tg_ctx *ctx = a->ctx;
    if (idx->dtype != TG_INT64 && idx->dtype != TG_BOOL)
        return tgi_error(ctx, TG_ERR_DTYPE,
                         "%s: tensors used as indices must be long, byte or bool tensors", fn);
    bool mask = idx->dtype == TG_BOOL;
    *k = mask ? idx->ndim : 1;
    int64_t d = rawdim;
    if (d < 0 && a->ndim > 0 && d >= -a->ndim) d += a->ndim;
    if (d < 0 || d + *k > a->ndim)
        return tgi_error(ctx, TG_ERR_INDEX, "%s: too many indices for tensor of dimension %d",
                         fn, a->ndim);
    *dim = d;
    int nd = a->ndim - *k + (mask ? 1 : idx->ndim);
    if (nd > TG_MAX_DIMS)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: the result would have %d dimensions (at most %d)", fn, nd,
                         TG_MAX_DIMS);
    if (mask) {
        *rows = 1;
        for (int t = 0; t < *k; t++) {
            if (idx->shape[t] != a->shape[d + t]) {
                char s1[256], s2[256];
                tgi_fmt_shape(s1, sizeof s1, idx->shape, idx->ndim);
                tgi_fmt_shape(s2, sizeof s2, a->shape, a->ndim);
                return tgi_error(ctx, TG_ERR_INDEX,
                                 "%s: The shape of the mask %s at index %d does not match the "
                                 "shape of the indexed tensor %s at index %lld",
                                 fn, s1, t, s2, (long long)(d + t));
            }
            *rows *= idx->shape[t];
        }
        return TG_OK;
    }
    int64_t size = a->shape[d];
    *rows = size;
    if (idx->numel == 0) return TG_OK;
    if (size == 0)
        return tgi_error(ctx, TG_ERR_INDEX,
                         "%s: index is out of bounds for dimension with size 0", fn);
    const int64_t *iv = NULL;
    tg_tensor *ic = index_values(idx, &iv);
    if (!ic) return ctx->err;
    tg_status st = TG_OK;
    for (int64_t j = 0; j < idx->numel && st == TG_OK; j++)
        if (iv[j] < -size || iv[j] >= size)
            st = tgi_error(ctx, TG_ERR_INDEX,
                           "%s: index %lld is out of bounds for dimension 0 with size %lld", fn,
                           (long long)iv[j], (long long)size);
    tgi_tensor_decref(ic);
    return st;
}

tg_tensor *tg_index(const tg_tensor *a, int dim, const tg_tensor *idx) {
    static const char fn[] = "tg_index";
    const tg_tensor *in[2] = {a, idx};
    static const char *const names[2] = {"self", "indices"};
    if (!args_ok(fn, in, names, 2)) return NULL;
    tg_ctx *ctx = a->ctx;
    int64_t d = 0, rows = 0;
    int k = 0;
    if (index_checks(fn, a, dim, idx, &d, &k, &rows) != TG_OK) return NULL;
    tg_tensor *r = index_rows(idx, rows);
    if (!r) return NULL;
    int64_t n = r->numel;
    const int64_t *rv = (const int64_t *)r->storage->data;
    /* the walk: a's dims before d, the selected rows, a's dims after the indexed ones */
    int64_t wshape[TG_MAX_DIMS], wstr[TG_MAX_DIMS], oshape[TG_MAX_DIMS];
    int wn = 0, on = 0;
    for (int i = 0; i < d; i++) {
        wshape[wn] = oshape[on++] = a->shape[i];
        wstr[wn++] = a->strides[i];
    }
    wshape[wn] = n;
    wstr[wn++] = 0;
    if (idx->dtype == TG_BOOL) oshape[on++] = n;
    else
        for (int i = 0; i < idx->ndim; i++) oshape[on++] = idx->shape[i];
    for (int i = (int)d + k; i < a->ndim; i++) {
        wshape[wn] = oshape[on++] = a->shape[i];
        wstr[wn++] = a->strides[i];
    }
    tg_tensor *out = tgi_empty(ctx, oshape, on, a->dtype);
    int64_t *delta = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    if (!out || !delta) {
        if (out) tgi_error(ctx, TG_ERR_OOM, "%s: out of memory", fn);
        free(delta);
        tgi_tensor_decref(out);
        tgi_tensor_decref(r);
        return NULL;
    }
    for (int64_t j = 0; j < n; j++) { /* row position -> offset within the indexed dims */
        int64_t p = rv[j], off = 0;
        for (int t = d + k - 1; t >= (int)d; t--) {
            off += (p % a->shape[t]) * a->strides[t];
            p /= a->shape[t];
        }
        delta[j] = off;
    }
    take_rows(a, wn, wshape, wstr, (int)d, delta, out);
    free(delta);
    tgi_tensor_decref(r);
    tg_status st;
    tg_node *node = maybe_record(out, TGI_OP_INDEX_TENSOR, &a, 1, d, &st);
    if (node) st = tgi_save(node, idx, false);
    return tgi_finish(out, st);
}

/* index: index_put(zeros, indices, grad, accumulate=True), written as index_add over the
 * indexed dims merged into one: zeros[pre, rows, post].index_add(dim, rows, grad[pre, n, post]) */
tg_status tgi_bw_index(tg_node *n, tg_tensor *g, tg_tensor **gi) {
    tg_tensor *idx = tgi_unpack(n, 0);
    if (!idx) return n->ctx->err;
    const tgi_meta *m = &n->in_meta[0];
    int d = (int)n->args.d0, k = idx->dtype == TG_BOOL ? idx->ndim : 1;
    int64_t rows = 1;
    for (int t = d; t < d + k; t++) rows *= m->shape[t];
    tg_tensor *r = index_rows(idx, rows);
    if (!r) return n->ctx->err;
    r = tgi_own(r);
    if (!r) return n->ctx->err;
    int64_t zshape[TG_MAX_DIMS], gshape[TG_MAX_DIMS];
    int zn = 0;
    for (int i = 0; i < d; i++) zshape[zn++] = m->shape[i];
    zshape[zn++] = rows;
    for (int i = d + k; i < m->ndim; i++) zshape[zn++] = m->shape[i];
    memcpy(gshape, zshape, sizeof gshape);
    gshape[d] = r->numel;
    tg_tensor *z = tg_zeros(g->ctx, zshape, zn, g->dtype);
    tg_tensor *acc = tg_index_add(z, d, r, tg_reshape(g, gshape, zn));
    gi[0] = tg_reshape(acc, m->shape, m->ndim);
    return gi[0] ? TG_OK : g->ctx->err;
}

/* ---------------------------------------------------------------- one_hot */

tg_tensor *tg_one_hot(const tg_tensor *t, int64_t num_classes) {
    static const char fn[] = "tg_one_hot";
    if (!t) return tgi_null_arg(NULL, fn, "self"), NULL;
    tg_ctx *ctx = t->ctx;
    if (t->dtype != TG_INT64)
        return tgi_error(ctx, TG_ERR_DTYPE, "%s: one_hot is only applicable to index tensor.", fn),
               NULL;
    if (t->ndim >= TG_MAX_DIMS)
        return tgi_error(ctx, TG_ERR_INVALID_ARG,
                         "%s: the result would have %d dimensions (at most %d)", fn, t->ndim + 1,
                         TG_MAX_DIMS),
               NULL;
    int64_t shape[TG_MAX_DIMS];
    memcpy(shape, t->shape, sizeof(int64_t) * (size_t)t->ndim);
    const int64_t *v = NULL;
    tg_tensor *c = index_values(t, &v);
    if (!c) return NULL;
    tg_tensor *out = NULL;
    if (t->numel == 0) {
        if (num_classes <= 0) {
            tgi_error(ctx, TG_ERR_INVALID_ARG,
                      "%s: Can not infer total number of classes from empty tensor.", fn);
            goto done;
        }
    } else {
        int64_t lo = v[0], hi = v[0];
        for (int64_t i = 1; i < t->numel; i++) {
            if (v[i] < lo) lo = v[i];
            if (v[i] > hi) hi = v[i];
        }
        if (lo < 0) {
            tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: Class values must be non-negative.", fn);
            goto done;
        }
        if (num_classes == -1) num_classes = hi + 1;
        else if (num_classes <= hi) {
            tgi_error(ctx, TG_ERR_INVALID_ARG, "%s: Class values must be smaller than num_classes.",
                      fn);
            goto done;
        }
    }
    shape[t->ndim] = num_classes;
    int64_t numel;
    if (tgi_check_shape(ctx, fn, shape, t->ndim + 1, &numel) != TG_OK) goto done;
    out = tgi_empty(ctx, shape, t->ndim + 1, TG_INT64);
    if (!out) goto done;
    int64_t *o = (int64_t *)out->storage->data;
    memset(o, 0, sizeof(int64_t) * (size_t)numel);
    for (int64_t i = 0; i < t->numel; i++) o[i * num_classes + v[i]] = 1;
done:
    tgi_tensor_decref(c);
    return out ? tgi_own(out) : NULL;
}
