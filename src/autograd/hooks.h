/*
 * hooks.h — what the engine and node code call in src/autograd/hooks.c.
 */
#ifndef TG_HOOKS_H
#define TG_HOOKS_H

#include "internal.h"

enum { TGI_HOOK_TENSOR = 1, TGI_HOOK_RETAIN, TGI_HOOK_POST_ACC, TGI_HOOK_NODE_PRE, TGI_HOOK_NODE_POST };

/* Tensor hooks on n's outputs (or, for AccumulateGrad, on its leaf): may replace go[k]
 * (owned references). Call inside a scope. */
TGI_HIDDEN tg_status tgi_run_tensor_hooks(tg_node *n, tg_tensor **go);
/* Node pre-hooks and retain_grad stores, in registration order. */
TGI_HIDDEN tg_status tgi_run_pre_hooks(tg_node *n, tg_tensor **go);
/* Node post-hooks; gi[] entries are scope-owned and may be replaced. */
TGI_HIDDEN tg_status tgi_run_post_hooks(tg_node *n, tg_tensor **gi, tg_tensor **go);
TGI_HIDDEN void tgi_run_post_acc_hooks(tg_tensor *leaf);
/* retain_grad follows a tensor that an in-place op rebased onto a new node. */
TGI_HIDDEN void tgi_retain_move(tg_tensor *t, tg_node *old_fn);

#endif
