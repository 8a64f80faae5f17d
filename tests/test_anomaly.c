/*
 * test_anomaly.c — anomaly detection: the NaN check and the version error in anomaly mode give
 * PyTorch's messages (tools/fixtures_autograd2.py, scenario "anomaly"), and the warning names
 * the file and line of the forward call, recorded by the TG_ANOMALY_LOCATIONS macros.
 */
#define TG_ANOMALY_LOCATIONS
#include "test.h"

static tg_ctx *ctx;
static char warnings[8][2048];
static int n_warnings;

static void on_warning(const char *msg, void *user) {
    (void)user;
    if (n_warnings < 8) snprintf(warnings[n_warnings], sizeof warnings[0], "%s", msg);
    n_warnings++;
}

static void t_anomaly(void) {
    tt_fixture *fx = tt_fixture_load("autograd2.txt");
    const tt_record *r = TT_FIND(fx, "name", "anomaly");
    if (!r) return;
    ctx = tg_ctx_new();
    tg_set_warning_handler(ctx, on_warning, NULL);
    tg_scope_begin(ctx);
    tg_set_detect_anomaly(ctx, true, true);
    CHECK(tg_is_anomaly_enabled(ctx));
    CHECK_INT(n_warnings, 1);
    CHECK_STR(warnings[0], tt_get(r, "enabled"));

    /* sqrt(x) / x at x = 0: DivBackward0's gradient for x is NaN */
    tg_tensor *x = tg_tensor_parse(ctx, "[0., 1.]", TG_FLOAT32);
    tg_requires_grad_(x, true);
    tg_tensor *q = tg_div(tg_sqrt(x), x); int div_line = __LINE__;
    CHECK_INT(tg_backward(tg_sum(q), NULL), TG_ERR_AUTOGRAD);
    char want[2048];
    snprintf(want, sizeof want, "tg_backward: %s", tt_get(r, "nan_error"));
    CHECK_STR(tg_errmsg(ctx), want);
    tg_clear_error(ctx);
    CHECK_INT(n_warnings, 2);
    snprintf(want, sizeof want, "%s\n  File \"%s\", line %d", tt_get(r, "nan_warning"), __FILE__,
             div_line);
    CHECK_STR(warnings[1], want);

    /* a saved tensor changed in place: anomaly mode's hint, and the place exp was called */
    tg_tensor *p = tg_ones(ctx, TG_SHAPE(3), TG_FLOAT32);
    tg_requires_grad_(p, true);
    tg_tensor *e = tg_exp(p); int exp_line = __LINE__;
    tg_tensor *rr = tg_mul_scalar(e, 2);
    tg_mul_scalar_(e, 2);
    CHECK_INT(tg_backward(tg_sum(rr), NULL), TG_ERR_AUTOGRAD);
    snprintf(want, sizeof want, "tg_backward: %s", tt_get(r, "version_error"));
    CHECK_STR(tg_errmsg(ctx), want);
    tg_clear_error(ctx);
    CHECK_INT(n_warnings, 3);
    snprintf(want, sizeof want, "%s\n  File \"%s\", line %d", tt_get(r, "version_warning"),
             __FILE__, exp_line);
    CHECK_STR(warnings[2], want);

    /* check_nan off: NaN gradients pass through */
    tg_set_detect_anomaly(ctx, true, false);
    tg_tensor *x2 = tg_tensor_parse(ctx, "[0., 1.]", TG_FLOAT32);
    tg_requires_grad_(x2, true);
    CHECK_INT(tg_backward(tg_sum(tg_div(tg_sqrt(x2), x2)), NULL), TG_OK);
    CHECK(isnan(tg_tensor_get(tg_tensor_grad(x2), 0)));
    tg_set_detect_anomaly(ctx, false, false);
    CHECK(!tg_is_anomaly_enabled(ctx));
    tg_scope_end(ctx);
    CHECK_INT(tg_ctx_memstats(ctx).nodes, 0);
    tg_ctx_free(ctx);
    tt_fixture_free(fx);
}

TT_MAIN(T(t_anomaly))
