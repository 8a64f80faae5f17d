/*
 * error.c — the ctx's error slot: one code and one message, set by failing calls.
 * A call that fails because an input was NULL keeps the error that produced the NULL.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

tg_status tgi_error(tg_ctx *ctx, tg_status code, const char *fmt, ...) {
    if (!ctx) return code;
    ctx->err = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

tg_status tgi_null_arg(tg_ctx *ctx, const char *fn, const char *arg) {
    if (!ctx) return TG_ERR_NULL_ARG;
    if (ctx->err != TG_OK) return ctx->err;
    return tgi_error(ctx, TG_ERR_NULL_ARG, "%s: argument '%s' is NULL", fn, arg);
}

tg_status tg_errcode(const tg_ctx *ctx) { return ctx ? ctx->err : TG_ERR_NULL_ARG; }

const char *tg_errmsg(const tg_ctx *ctx) { return ctx ? ctx->errmsg : "ctx is NULL"; }

void tg_clear_error(tg_ctx *ctx) {
    if (!ctx) return;
    ctx->err = TG_OK;
    ctx->errmsg[0] = '\0';
}

void tgi_warn(tg_ctx *ctx, const char *fmt, ...) {
    if (!ctx) return;
    char msg[TGI_ERRMSG_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ctx->warn_fn) ctx->warn_fn(msg, ctx->warn_user);
    else fprintf(stderr, "UserWarning: %s\n", msg);
}

void tg_set_warning_handler(tg_ctx *ctx, tg_warning_fn fn, void *user) {
    if (!ctx) return;
    ctx->warn_fn = fn;
    ctx->warn_user = user;
}
