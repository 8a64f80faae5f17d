/*
 * anomaly.c — anomaly detection (torch.autograd.detect_anomaly): nodes remember where their
 * forward op was called (file and line, recorded by the TG_ANOMALY_LOCATIONS macros of the
 * public header), backward reports that place when a node fails, and with check_nan a node
 * whose gradients contain NaN fails with PyTorch's message.
 */
#include "../ops/ops.h"

#include <math.h>

static _Thread_local const char *loc_file;
static _Thread_local int loc_line;

void tg_set_location(const char *file, int line) {
    loc_file = file;
    loc_line = line;
}

void tgi_location(const char **file, int *line) {
    *file = loc_file;
    *line = loc_line;
}

void tg_set_detect_anomaly(tg_ctx *ctx, bool enabled, bool check_nan) {
    if (!ctx) return;
    if (enabled && !ctx->anomaly)
        tgi_warn(ctx, "Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.");
    ctx->anomaly = enabled;
    ctx->anomaly_check_nan = enabled && check_nan;
}

bool tg_is_anomaly_enabled(const tg_ctx *ctx) { return ctx && ctx->anomaly; }

void tgi_anomaly_report(tg_node *n) {
    if (n->loc_file)
        tgi_warn(n->ctx,
                 "Error detected in %s. Traceback of forward call that caused the error:\n"
                 "  File \"%s\", line %d",
                 tg_node_name(n), n->loc_file, n->loc_line);
    else
        tgi_warn(n->ctx,
                 "Error detected in %s. Traceback of forward call that caused the error:\n"
                 "  (unknown: define TG_ANOMALY_LOCATIONS before including tensorgrad.h to "
                 "record file and line)",
                 tg_node_name(n));
}

/* With check_nan: the first gradient holding a NaN fails the backward, as PyTorch's engine
 * does after each node ("its 1th output": PyTorch's ordinal, verbatim). */
tg_status tgi_anomaly_check_nan(tg_node *n, tg_tensor **gi) {
    for (int i = 0; i < n->n_next; i++) {
        tg_tensor *g = gi[i];
        if (!g || !tgi_is_floating(g->dtype)) continue;
        for (int64_t k = 0; k < g->numel; k++)
            if (isnan(tg_tensor_get(g, k)))
                return tgi_error(n->ctx, TG_ERR_AUTOGRAD,
                                 "tg_backward: Function '%s' returned nan values in its %dth "
                                 "output.",
                                 tg_node_name(n), i);
    }
    return TG_OK;
}
