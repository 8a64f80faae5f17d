/*
 * tensor.c — storages, tensor headers and graph-node allocation with reference counting,
 * and the public accessors. Small objects come from per-ctx free lists (see ctx.c).
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- storage */

static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

static int size_class_of(size_t nbytes) {
    size_t cap = 16;
    for (int k = 0; k < TGI_SIZE_CLASSES; k++, cap <<= 1)
        if (nbytes <= cap) return k;
    return -1;
}

/* A storage header, linked into the ctx's live list; the caller fills data/nbytes/base. */
static tgi_storage *storage_header(tg_ctx *ctx) {
    tgi_storage *s = ctx->free_storages;
    if (s) {
        ctx->free_storages = s->next;
    } else {
        s = tgi_slab_alloc(ctx, align16(sizeof *s));
        if (!s) return NULL;
    }
    s->refcount = 1;
    s->version = 0;
    s->base = NULL;
    s->next = ctx->storages.next;
    s->prev = &ctx->storages;
    ctx->storages.next->prev = s;
    ctx->storages.next = s;
    ctx->stats.storages++;
    return s;
}

static void storage_header_free(tg_ctx *ctx, tgi_storage *s) {
    s->prev->next = s->next;
    s->next->prev = s->prev;
    ctx->stats.storages--;
    s->next = ctx->free_storages;
    ctx->free_storages = s;
}

tgi_storage *tgi_storage_new(tg_ctx *ctx, size_t nbytes) {
    int k = size_class_of(nbytes);
    void *data;
    if (k >= 0) {
        data = ctx->free_blocks[k];
        if (data) ctx->free_blocks[k] = *(void **)data;
        else data = tgi_slab_alloc(ctx, (size_t)16 << k);
    } else {
        data = malloc(nbytes);
    }
    tgi_storage *s = data ? storage_header(ctx) : NULL;
    if (!s) {
        if (k >= 0 && data) {
            *(void **)data = ctx->free_blocks[k];
            ctx->free_blocks[k] = data;
        } else {
            free(data);
        }
        return NULL;
    }
    s->data = data;
    s->nbytes = nbytes;
    s->size_class = k;
    ctx->stats.storage_bytes += (int64_t)nbytes;
    if (ctx->stats.storage_bytes > ctx->stats.peak_storage_bytes)
        ctx->stats.peak_storage_bytes = ctx->stats.storage_bytes;
    return s;
}

tgi_storage *tgi_storage_alias(tg_ctx *ctx, tgi_storage *owner) {
    while (owner->base) owner = owner->base;
    tgi_storage *s = storage_header(ctx);
    if (!s) return NULL;
    s->data = owner->data;
    s->nbytes = owner->nbytes; /* counted once, in the owner's storage_bytes */
    s->size_class = -1;
    s->base = owner;
    owner->refcount++;
    return s;
}

void tgi_storage_release(tg_ctx *ctx, tgi_storage *s) {
    if (--s->refcount > 0) return;
    tgi_storage *base = s->base;
    if (!base) {
        if (s->size_class >= 0) {
            *(void **)s->data = ctx->free_blocks[s->size_class];
            ctx->free_blocks[s->size_class] = s->data;
        } else {
            free(s->data);
        }
        ctx->stats.storage_bytes -= (int64_t)s->nbytes;
    }
    storage_header_free(ctx, s);
    if (base) tgi_storage_release(ctx, base);
}

/* ---------------------------------------------------------------- tensor headers */

static tg_tensor *tensor_header(tg_ctx *ctx) {
    tg_tensor *t = ctx->free_tensors;
    if (t) ctx->free_tensors = t->next_free;
    else {
        t = tgi_slab_alloc(ctx, align16(sizeof *t));
        if (!t) return NULL;
    }
    memset(t, 0, offsetof(tg_tensor, shape));
    t->base = NULL;
    t->grad_fn = NULL;
    t->grad_acc = NULL;
    t->grad = NULL;
    t->hooks = NULL;
    t->retains_grad = false;
    t->fw_pending = false;
    t->fw_tangent = NULL;
    t->fw_node = NULL;
    t->fw_level = 0;
    t->output_nr = 0;
    t->requires_grad = false;
    t->is_view = false;
    t->is_inference = ctx->inference;
    t->refcount = 1;
    t->ctx = ctx;
    ctx->stats.tensors++;
    return t;
}

void tgi_compute_contiguous(tg_tensor *t) {
    int64_t expect = 1;
    bool c = true;
    for (int i = t->ndim - 1; i >= 0; i--) {
        if (t->shape[i] == 1) continue;
        if (t->strides[i] != expect) {
            c = false;
            break;
        }
        expect *= t->shape[i];
    }
    t->contiguous = c || t->numel == 0;
}

tg_tensor *tgi_empty(tg_ctx *ctx, const int64_t *shape, int ndim, tg_dtype dtype) {
    int64_t numel = 1;
    for (int i = 0; i < ndim; i++) numel *= shape[i]; /* callers validated with tgi_check_shape */
    tg_tensor *t = tensor_header(ctx);
    if (!t) goto oom;
    size_t nbytes = (size_t)numel * tgi_dtype_size(dtype);
    t->storage = tgi_storage_new(ctx, nbytes ? nbytes : 1);
    if (!t->storage) {
        t->next_free = ctx->free_tensors;
        ctx->free_tensors = t;
        ctx->stats.tensors--;
        goto oom;
    }
    t->ndim = ndim;
    t->dtype = dtype;
    t->numel = numel;
    t->offset = 0;
    int64_t st = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        t->shape[i] = shape[i];
        t->strides[i] = st;
        st *= shape[i];
    }
    t->contiguous = true;
    return t;
oom:
    tgi_error(ctx, TG_ERR_OOM, "out of memory allocating a tensor of %lld elements",
              (long long)numel);
    return NULL;
}

tg_tensor *tgi_alias(const tg_tensor *src, const int64_t *shape, const int64_t *strides, int ndim,
                     int64_t offset) {
    tg_tensor *t = tensor_header(src->ctx);
    if (!t) {
        tgi_error(src->ctx, TG_ERR_OOM, "out of memory allocating a tensor view");
        return NULL;
    }
    t->storage = src->storage;
    t->is_inference = src->is_inference;
    src->storage->refcount++;
    t->dtype = src->dtype;
    t->ndim = ndim;
    t->offset = offset;
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        t->shape[i] = shape[i];
        t->strides[i] = strides[i];
        n *= shape[i];
    }
    t->numel = n;
    tgi_compute_contiguous(t);
    return t;
}

void tgi_tensor_decref(tg_tensor *t) {
    /* Iterative over the base chain to keep deep view chains off the C stack. */
    while (t && --t->refcount == 0) {
        tg_ctx *ctx = t->ctx;
        tg_tensor *base = t->base;
        if (t->hooks) tgi_hooks_free(ctx, t->hooks);
        if (t->retains_grad) tgi_retain_forget(t);
        if (t->fw_tangent) tgi_tensor_decref(t->fw_tangent);
        if (t->fw_node) tgi_node_decref(t->fw_node);
        if (t->grad_fn) tgi_node_decref(t->grad_fn);
        if (t->grad) tgi_tensor_decref(t->grad);
        tgi_storage_release(ctx, t->storage);
        t->next_free = ctx->free_tensors;
        ctx->free_tensors = t;
        ctx->stats.tensors--;
        t = base;
    }
}

/* ---------------------------------------------------------------- nodes */

tg_node *tgi_node_new(tg_ctx *ctx, int op) {
    tg_node *n = ctx->free_nodes;
    if (n) ctx->free_nodes = n->next_free;
    else {
        n = tgi_slab_alloc(ctx, align16(sizeof *n));
        if (!n) {
            tgi_error(ctx, TG_ERR_OOM, "out of memory allocating a graph node");
            return NULL;
        }
    }
    n->refcount = 1;
    n->ctx = ctx;
    n->seq = ctx->next_seq++;
    n->op = op;
    n->n_next = 0;
    n->next = n->next_inline;
    n->in_meta = n->meta_inline;
    n->n_outputs = 1;
    n->grad_bufs = &n->grad_buf_inline;
    n->grad_buf_inline = NULL;
    n->out_grads = NULL;
    n->n_saved = 0;
    n->has_saved = false;
    n->saved_freed = false;
    n->variable = NULL;
    n->hooks = NULL;
    n->custom = NULL;
    n->sub = NULL;
    n->extra = NULL;
    n->fw_tan = NULL;
    n->fw_reverse = true;
    n->fw_inplace = false;
    n->loc_file = NULL;
    n->loc_line = 0;
    if (TGI_UNLIKELY(ctx->anomaly)) tgi_location(&n->loc_file, &n->loc_line);
    n->eflags = 0;
    n->visit_epoch = 0;
    n->deps = 0;
    memset(&n->args, 0, sizeof n->args);
    ctx->stats.nodes++;
    return n;
}

tg_status tgi_node_reserve(tg_node *n, int n_in, int n_out) {
    if (n_in > TGI_MAX_INPUTS && n->next == n->next_inline) {
        tgi_edge *e = calloc((size_t)n_in, sizeof *e);
        tgi_meta *m = calloc((size_t)n_in, sizeof *m);
        if (!e || !m) {
            free(e);
            free(m);
            return tgi_error(n->ctx, TG_ERR_OOM, "out of memory allocating a graph node");
        }
        n->next = e;
        n->in_meta = m;
    }
    if (n_out > 1 && n->grad_bufs == &n->grad_buf_inline) {
        tg_tensor **b = calloc((size_t)n_out, sizeof *b);
        if (!b) return tgi_error(n->ctx, TG_ERR_OOM, "out of memory allocating a graph node");
        n->grad_bufs = b;
    }
    for (int i = n->n_next; i < n_in; i++) n->next[i].fn = NULL;
    n->n_next = n_in;
    n->n_outputs = n_out;
    return TG_OK;
}

void tgi_node_release_saved(tg_node *n) {
    if (TGI_LIKELY(!n->n_saved && !n->sub)) {
        if (n->has_saved) n->saved_freed = true;
        return;
    }
    if (n->sub) tgi_node_release_saved(n->sub); /* CopySlices: the op it wraps */
    for (int i = 0; i < n->n_saved; i++) {
        tgi_tensor_decref(n->saved[i].t);
        n->saved[i].t = NULL;
    }
    n->n_saved = 0;
    if (n->has_saved) n->saved_freed = true;
}

/* Releasing a node can release a long chain of nodes behind it (a million-op graph): do it
 * with an explicit worklist threaded through next_free instead of recursion. */
void tgi_node_decref(tg_node *n) {
    if (!n || --n->refcount > 0) return;
    tg_ctx *ctx = n->ctx;
    tg_node *work = n;
    n->next_free = NULL;
    while (work) {
        tg_node *cur = work;
        work = cur->next_free;
        tgi_node_release_saved(cur);
        if (cur->hooks) tgi_hooks_free(ctx, cur->hooks);
        if (cur->custom) tgi_custom_free(cur->custom);
        cur->custom = NULL;
        free(cur->extra);
        cur->extra = NULL;
        if (cur->fw_tan) {
            for (int i = 0; i < cur->n_next; i++) tgi_tensor_decref(cur->fw_tan[i]);
            free(cur->fw_tan);
            cur->fw_tan = NULL;
        }
        if (cur->sub && --cur->sub->refcount == 0) {
            cur->sub->next_free = work;
            work = cur->sub;
        }
        cur->sub = NULL;
        if (cur->variable) {
            if (cur->variable->grad_acc == cur) cur->variable->grad_acc = NULL;
            tgi_tensor_decref(cur->variable);
        }
        for (int k = 0; k < cur->n_outputs; k++)
            if (cur->grad_bufs[k]) tgi_tensor_decref(cur->grad_bufs[k]);
        for (int i = 0; i < cur->n_next; i++) {
            tg_node *nx = cur->next[i].fn;
            if (nx && --nx->refcount == 0) {
                nx->next_free = work;
                work = nx;
            }
        }
        if (cur->next != cur->next_inline) free(cur->next);
        if (cur->in_meta != cur->meta_inline) free(cur->in_meta);
        if (cur->grad_bufs != &cur->grad_buf_inline) free(cur->grad_bufs);
        cur->next_free = ctx->free_nodes;
        ctx->free_nodes = cur;
        ctx->stats.nodes--;
    }
}

/* ---------------------------------------------------------------- accessors */

int tg_tensor_ndim(const tg_tensor *t) { return t ? t->ndim : 0; }
const int64_t *tg_tensor_shape(const tg_tensor *t) { return t ? t->shape : NULL; }
const int64_t *tg_tensor_strides(const tg_tensor *t) { return t ? t->strides : NULL; }
int64_t tg_tensor_numel(const tg_tensor *t) { return t ? t->numel : 0; }
tg_dtype tg_tensor_dtype(const tg_tensor *t) { return t ? t->dtype : TG_FLOAT32; }
bool tg_tensor_is_contiguous(const tg_tensor *t) { return t && t->contiguous; }
int64_t tg_tensor_version(const tg_tensor *t) {
    if (!t) return 0;
    if (t->is_inference) {
        tgi_error(t->ctx, TG_ERR_AUTOGRAD,
                  "tg_tensor_version: Inference tensors do not track version counter.");
        return -1;
    }
    return t->storage->version;
}

int64_t tg_tensor_size(const tg_tensor *t, int dim) {
    if (!t) return -1;
    int64_t d;
    if (tgi_wrap_dim(t->ctx, "tg_tensor_size", dim, t->ndim, &d) != TG_OK) return -1;
    return t->ndim == 0 ? 1 : t->shape[d];
}

/* Element offset (in elements from the storage start) of the flat row-major index i. */
static int64_t flat_to_offset(const tg_tensor *t, int64_t i) {
    int64_t off = t->offset;
    for (int d = t->ndim - 1; d >= 0; d--) {
        int64_t sz = t->shape[d];
        off += (i % sz) * t->strides[d];
        i /= sz;
    }
    return off;
}

double tg_tensor_get(const tg_tensor *t, int64_t i) {
    if (!t || i < 0 || i >= t->numel) return NAN;
    return tgi_load(tgi_data(t), t->dtype, flat_to_offset(t, i));
}

tg_status tg_item(const tg_tensor *t, double *out) {
    if (!t) return TG_ERR_NULL_ARG;
    if (t->numel != 1)
        return tgi_error(t->ctx, TG_ERR_INVALID_ARG,
                         "tg_item: a Tensor with %lld elements cannot be converted to Scalar",
                         (long long)t->numel);
    if (out) *out = tgi_load(tgi_data(t), t->dtype, t->offset);
    return TG_OK;
}

tg_status tg_tensor_copy_out(const tg_tensor *t, void *out, size_t cap) {
    if (!t) return TG_ERR_NULL_ARG;
    size_t es = tgi_dtype_size(t->dtype);
    size_t need = (size_t)t->numel * es;
    if (!out || cap < need)
        return tgi_error(t->ctx, TG_ERR_INVALID_ARG,
                         "tg_tensor_copy_out: buffer of %zu bytes is too small for %lld elements "
                         "(%zu bytes)",
                         cap, (long long)t->numel, need);
    if (t->contiguous) {
        memcpy(out, (char *)tgi_data(t) + (size_t)t->offset * es, need);
        return TG_OK;
    }
    for (int64_t i = 0; i < t->numel; i++)
        memcpy((char *)out + (size_t)i * es,
               (char *)tgi_data(t) + (size_t)flat_to_offset(t, i) * es, es);
    return TG_OK;
}
