/* parse.c — PLACEHOLDER being replaced by the literal parser. */
#include "internal.h"
tg_tensor *tg_tensor_parse(tg_ctx *ctx, const char *literal, tg_dtype dtype) { (void)literal; (void)dtype; tgi_error(ctx, TG_ERR_PARSE, "not yet"); return NULL; }
