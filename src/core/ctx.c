/*
 * ctx.c — context lifetime, the slab allocator behind tensors, nodes and small storages,
 * scopes (who owns returned tensors) and the grad-mode stack.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define TGI_SLAB_BYTES (64 * 1024)

tg_ctx *tg_ctx_new(void) {
    tg_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return NULL;
    ctx->grad_enabled = true;
    ctx->storages.next = ctx->storages.prev = &ctx->storages;
    ctx->hooks.ctx_next = ctx->hooks.ctx_prev = &ctx->hooks;
    tgi_rng_seed(ctx, 67280421310721ULL); /* PyTorch's default_rng_seed_val */
    return ctx;
}

static bool grow(void **arr, int64_t *cap, int64_t need, size_t elem) {
    if (need <= *cap) return true;
    int64_t nc = *cap ? *cap * 2 : 64;
    while (nc < need) nc *= 2;
    void *p = realloc(*arr, (size_t)nc * elem);
    if (!p) return false;
    *arr = p;
    *cap = nc;
    return true;
}

void tg_ctx_free(tg_ctx *ctx) {
    if (!ctx) return;
    /* Drop every scope's references; objects referenced from elsewhere (user retains) are
     * reclaimed below with the slabs. */
    ctx->n_frames = 0;
    for (int64_t i = ctx->n_owned - 1; i >= 0; i--) tgi_tensor_decref(ctx->owned[i]);
    ctx->n_owned = 0;
    for (int64_t i = 0; i < ctx->n_kept; i++) tgi_tensor_decref(ctx->kept[i]);
    ctx->n_kept = 0;
    /* Large storage buffers still alive (held by leaked user references) */
    for (tgi_storage *s = ctx->storages.next; s != &ctx->storages;) {
        tgi_storage *nx = s->next;
        if (s->size_class < 0 && !s->base) free(s->data);
        s = nx;
    }
    /* hooks of objects still alive (leaked user references) */
    for (tgi_hook *h = ctx->hooks.ctx_next; h != &ctx->hooks;) {
        tgi_hook *nx = h->ctx_next;
        free(h);
        h = nx;
    }
    if (ctx->fw_sink) tgi_node_decref(ctx->fw_sink);
    for (tgi_slab *sl = ctx->slabs; sl;) {
        tgi_slab *nx = sl->next;
        free(sl);
        sl = nx;
    }
    free(ctx->owned);
    free(ctx->frames);
    free(ctx->kept);
    free(ctx->grad_stack);
    free(ctx->inf_stack);
    free(ctx);
}

void *tgi_slab_alloc(tg_ctx *ctx, size_t size) {
    /* Objects are carved from 64 KiB slabs; callers keep per-type free lists, so slabs are only
     * returned to the system by tg_ctx_free. size must be a multiple of 16. */
    static const size_t hdr = 16;
    if (size > TGI_SLAB_BYTES - hdr) return NULL;
    /* current slab: the first in the list, with a bump pointer stored after the link */
    tgi_slab *sl = ctx->slabs;
    size_t *used = sl ? (size_t *)((char *)sl + sizeof(tgi_slab)) : NULL;
    if (!sl || *used + size > TGI_SLAB_BYTES) {
        sl = malloc(TGI_SLAB_BYTES);
        if (!sl) return NULL;
        sl->next = ctx->slabs;
        ctx->slabs = sl;
        used = (size_t *)((char *)sl + sizeof(tgi_slab));
        *used = hdr;
    }
    void *p = (char *)sl + *used;
    *used += size;
    return p;
}

tg_memstats tg_ctx_memstats(const tg_ctx *ctx) {
    tg_memstats z = {0, 0, 0, 0, 0};
    return ctx ? ctx->stats : z;
}

void tg_ctx_reset_peak(tg_ctx *ctx) {
    if (ctx) ctx->stats.peak_storage_bytes = ctx->stats.storage_bytes;
}

tg_ctx *tg_tensor_ctx(const tg_tensor *t) { return t ? t->ctx : NULL; }

/* ---------------------------------------------------------------- scopes */

tg_tensor *tgi_own(tg_tensor *t) {
    if (!t) return NULL;
    tg_ctx *ctx = t->ctx;
    if (TGI_UNLIKELY(t->fw_pending) && tgi_fw_resolve(t) != TG_OK) {
        tgi_tensor_decref(t);
        return NULL;
    }
    if (ctx->scope_off) return t;
    if (TGI_UNLIKELY(ctx->n_owned == ctx->cap_owned) &&
        !grow((void **)&ctx->owned, &ctx->cap_owned, ctx->n_owned + 1, sizeof(tg_tensor *))) {
        tgi_tensor_decref(t);
        tgi_error(ctx, TG_ERR_OOM, "out of memory registering a tensor in its scope");
        return NULL;
    }
    ctx->owned[ctx->n_owned++] = t;
    return t;
}

tg_status tg_scope_begin(tg_ctx *ctx) {
    if (!ctx) return TG_ERR_NULL_ARG;
    if (2 * ctx->n_frames + 2 > ctx->cap_frames) {
        int64_t cap = ctx->cap_frames;
        if (!grow((void **)&ctx->frames, &cap, 2 * ctx->n_frames + 2, sizeof(int64_t)))
            return tgi_error(ctx, TG_ERR_OOM, "tg_scope_begin: out of memory");
        ctx->cap_frames = (int)cap;
    }
    /* a frame records where its owned entries start and how many kept references were already
     * pending for enclosing scopes */
    ctx->frames[2 * ctx->n_frames] = ctx->n_owned;
    ctx->frames[2 * ctx->n_frames + 1] = ctx->n_kept;
    ctx->n_frames++;
    return TG_OK;
}

tg_status tg_scope_end(tg_ctx *ctx) {
    if (!ctx) return TG_ERR_NULL_ARG;
    if (ctx->n_frames == 0)
        return tgi_error(ctx, TG_ERR_SCOPE, "tg_scope_end: no scope is open");
    ctx->n_frames--;
    int64_t start = ctx->frames[2 * ctx->n_frames];
    int64_t kept_from = ctx->frames[2 * ctx->n_frames + 1];
    for (int64_t i = ctx->n_owned - 1; i >= start; i--) tgi_tensor_decref(ctx->owned[i]);
    ctx->n_owned = start;
    /* references kept inside this scope move to the enclosing one */
    int64_t nk = ctx->n_kept - kept_from;
    if (nk > 0) {
        if (!grow((void **)&ctx->owned, &ctx->cap_owned, ctx->n_owned + nk, sizeof(tg_tensor *))) {
            for (int64_t i = kept_from; i < ctx->n_kept; i++) tgi_tensor_decref(ctx->kept[i]);
            ctx->n_kept = kept_from;
            return tgi_error(ctx, TG_ERR_OOM, "tg_scope_end: out of memory moving kept tensors");
        }
        memcpy(ctx->owned + ctx->n_owned, ctx->kept + kept_from, (size_t)nk * sizeof(tg_tensor *));
        ctx->n_owned += nk;
        ctx->n_kept = kept_from;
    }
    return TG_OK;
}

tg_tensor *tg_keep(tg_tensor *t) {
    if (!t) return NULL;
    tg_ctx *ctx = t->ctx;
    if (ctx->n_frames == 0) return t; /* the root scope has no parent: it already owns t */
    if (!grow((void **)&ctx->kept, &ctx->cap_kept, ctx->n_kept + 1, sizeof(tg_tensor *))) {
        tgi_error(ctx, TG_ERR_OOM, "tg_keep: out of memory");
        return NULL;
    }
    t->refcount++;
    ctx->kept[ctx->n_kept++] = t;
    return t;
}

tg_tensor *tg_retain(tg_tensor *t) {
    if (t) t->refcount++;
    return t;
}

void tg_release(tg_tensor *t) {
    if (t) tgi_tensor_decref(t);
}

/* ---------------------------------------------------------------- grad mode */

tg_status tgi_grad_push(tg_ctx *ctx, bool enabled) {
    if (ctx->grad_depth == ctx->grad_cap) {
        int64_t cap = ctx->grad_cap;
        if (!grow((void **)&ctx->grad_stack, &cap, ctx->grad_depth + 1, sizeof(bool)))
            return tgi_error(ctx, TG_ERR_OOM, "grad mode: out of memory");
        ctx->grad_cap = (int)cap;
    }
    ctx->grad_stack[ctx->grad_depth++] = ctx->grad_enabled;
    ctx->grad_enabled = enabled;
    return TG_OK;
}

void tgi_grad_pop(tg_ctx *ctx) {
    if (ctx->grad_depth > 0) ctx->grad_enabled = ctx->grad_stack[--ctx->grad_depth];
}

tg_status tg_no_grad(tg_ctx *ctx) { return ctx ? tgi_grad_push(ctx, false) : TG_ERR_NULL_ARG; }

tg_status tg_enable_grad(tg_ctx *ctx) { return ctx ? tgi_grad_push(ctx, true) : TG_ERR_NULL_ARG; }

tg_status tg_grad_mode_pop(tg_ctx *ctx) {
    if (!ctx) return TG_ERR_NULL_ARG;
    if (ctx->grad_depth == 0)
        return tgi_error(ctx, TG_ERR_SCOPE,
                         "tg_grad_mode_pop: no grad mode was pushed with tg_no_grad or "
                         "tg_enable_grad");
    tgi_grad_pop(ctx);
    return TG_OK;
}

tg_status tg_inference_mode(tg_ctx *ctx, bool enabled) {
    if (!ctx) return TG_ERR_NULL_ARG;
    if (ctx->inf_depth == ctx->inf_cap) {
        int64_t cap = ctx->inf_cap;
        if (!grow((void **)&ctx->inf_stack, &cap, ctx->inf_depth + 1, 1))
            return tgi_error(ctx, TG_ERR_OOM, "tg_inference_mode: out of memory");
        ctx->inf_cap = (int)cap;
    }
    ctx->inf_stack[ctx->inf_depth++] = (uint8_t)(ctx->inference | (ctx->grad_enabled << 1));
    ctx->inference = enabled;
    if (enabled) ctx->grad_enabled = false;
    return TG_OK;
}

tg_status tg_inference_mode_pop(tg_ctx *ctx) {
    if (!ctx) return TG_ERR_NULL_ARG;
    if (ctx->inf_depth == 0)
        return tgi_error(ctx, TG_ERR_SCOPE,
                         "tg_inference_mode_pop: no inference mode was pushed with "
                         "tg_inference_mode");
    uint8_t v = ctx->inf_stack[--ctx->inf_depth];
    ctx->inference = v & 1;
    ctx->grad_enabled = (v >> 1) & 1;
    return TG_OK;
}

bool tg_is_inference_mode_enabled(const tg_ctx *ctx) { return ctx && ctx->inference; }

bool tg_tensor_is_inference(const tg_tensor *t) { return t && t->is_inference; }

void tg_set_grad_enabled(tg_ctx *ctx, bool enabled) {
    if (ctx) ctx->grad_enabled = enabled;
}

bool tg_is_grad_enabled(const tg_ctx *ctx) { return ctx && ctx->grad_enabled; }

void tg_manual_seed(tg_ctx *ctx, uint64_t seed) {
    if (ctx) tgi_rng_seed(ctx, seed);
}
