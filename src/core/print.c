/*
 * print.c — repr(tensor) byte for byte as PyTorch's torch/_tensor_str.py prints it: the
 * formatter (integer / fixed / scientific mode and column width, chosen from the edge items
 * only when summarising), the nested-bracket layout with 80-column wrapping and `...`, and the
 * dtype= / size= / grad_fn= / requires_grad= suffixes with PyTorch's wrapping quirk.
 * Output goes through a bounded writer, so tg_tensor_repr behaves like snprintf.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Options (torch.set_printoptions)                                                            */
/* ------------------------------------------------------------------------------------------ */

typedef struct popts {
    int precision;     /* digits after the point (fixed) or after the first digit (sci) */
    int64_t threshold; /* numel above this summarises */
    int64_t edgeitems; /* items kept at each end of a summarised dim */
    int linewidth;     /* wrapping column */
    int sci_mode;      /* -1: chosen by the formatter (None); 0: never; 1: always */
} popts;

#define PRINT_MAX_PRECISION 60
/* Longest formatted element: "-" + 309 integer digits + "." + 60 digits, with room to spare. */
#define PRINT_ELEM_CAP 512

/* ------------------------------------------------------------------------------------------ */
/* A bounded writer: copies what fits into buf (leaving room for the NUL), counts everything,  */
/* and remembers where the last line starts (for the suffix wrapping rule).                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct sink {
    char *buf;
    size_t cap;
    size_t len;     /* full length written so far, whether or not it fitted */
    size_t last_nl; /* position of the last '\n' + 1; 0 when there is none yet */
    bool has_nl;
} sink;

static void put(sink *s, const char *p, size_t n) {
    if (s->cap > 0 && s->len < s->cap - 1) {
        size_t room = s->cap - 1 - s->len;
        memcpy(s->buf + s->len, p, n < room ? n : room);
    }
    for (size_t i = n; i > 0; i--) {
        if (p[i - 1] == '\n') {
            s->last_nl = s->len + i;
            s->has_nl = true;
            break;
        }
    }
    s->len += n;
}

static void puts_(sink *s, const char *p) { put(s, p, strlen(p)); }

static void put_spaces(sink *s, int64_t n) {
    static const char spaces[] = "                                                                ";
    while (n > 0) {
        size_t k = n < (int64_t)(sizeof spaces - 1) ? (size_t)n : sizeof spaces - 1;
        put(s, spaces, k);
        n -= (int64_t)k;
    }
}

static void put_ll(sink *s, long long v) {
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%lld", v);
    if (n > 0) put(s, tmp, (size_t)n);
}

static size_t sink_finish(sink *s) {
    if (s->cap > 0) s->buf[s->len < s->cap - 1 ? s->len : s->cap - 1] = '\0';
    return s->len;
}

/* ------------------------------------------------------------------------------------------ */
/* Element access                                                                              */
/* ------------------------------------------------------------------------------------------ */

typedef struct printer {
    const tg_tensor *t;
    const void *data; /* storage base; elements are addressed by storage offset */
    popts o;
    bool summarize;
    /* the formatter (_Formatter) */
    bool floating;
    bool int_mode;
    bool sci;
    int width;
    /* float statistics gathered by the first pass */
    int64_t n_vals; /* nonzero finite values seen */
    double amin, amax;
} printer;

/* Does dim of size n show only its edge items? */
static bool dim_summarized(const printer *p, int64_t n) {
    return p->summarize && n > 2 * p->o.edgeitems;
}

/* Value of a floating element widened to double (float32 -> double is exact). */
static double load_float(const printer *p, int64_t off) {
    return p->t->dtype == TG_FLOAT32 ? (double)((const float *)p->data)[off]
                                     : ((const double *)p->data)[off];
}

/* printf follows LC_NUMERIC; Python does not. A host that set a locale with a decimal comma
 * still gets PyTorch's text (the formats used never group thousands). */
static void fix_decimal_point(char *s) {
    for (; *s; s++)
        if (*s == ',') *s = '.';
}

/* Formats one element without padding into out; returns its length. */
static int format_raw(const printer *p, int64_t off, char *out, size_t cap) {
    switch (p->t->dtype) {
    case TG_INT64:
        return snprintf(out, cap, "%lld", (long long)((const int64_t *)p->data)[off]);
    case TG_BOOL:
        return snprintf(out, cap, "%s", ((const bool *)p->data)[off] ? "True" : "False");
    default: break;
    }
    double v = load_float(p, off);
    if (isnan(v)) return snprintf(out, cap, "nan"); /* Python never prints "-nan" */
    int n;
    if (p->sci) n = snprintf(out, cap, "%.*e", p->o.precision, v);
    else if (p->int_mode) {
        n = snprintf(out, cap, "%.0f", v);
        if (!isinf(v) && n > 0 && (size_t)n + 1 < cap) {
            out[n++] = '.';
            out[n] = '\0';
        }
    } else n = snprintf(out, cap, "%.*f", p->o.precision, v);
    fix_decimal_point(out);
    return n;
}

/* Writes one element, left-padded with spaces to the formatter's width (never truncated). */
static void put_elem(sink *s, const printer *p, int64_t off) {
    char tmp[PRINT_ELEM_CAP];
    int n = format_raw(p, off, tmp, sizeof tmp);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof tmp) n = (int)sizeof tmp - 1;
    if (n < p->width) put_spaces(s, p->width - n);
    put(s, tmp, (size_t)n);
}

/* ------------------------------------------------------------------------------------------ */
/* The formatter: visits exactly the elements that will be printed (get_summarized_data)       */
/* ------------------------------------------------------------------------------------------ */

typedef void (*visit_fn)(printer *p, int64_t off);

static void walk(printer *p, int d, int64_t off, visit_fn fn) {
    const tg_tensor *t = p->t;
    if (d == t->ndim) {
        fn(p, off);
        return;
    }
    int64_t n = t->shape[d], st = t->strides[d];
    bool summ = dim_summarized(p, n);
    for (int64_t i = 0; i < n; i++) {
        if (summ && i == p->o.edgeitems) i = n - p->o.edgeitems;
        walk(p, d + 1, off + i * st, fn);
    }
}

static void visit_int_width(printer *p, int64_t off) {
    char tmp[32];
    int n = format_raw(p, off, tmp, sizeof tmp);
    if (n > p->width) p->width = n;
}

/* First pass over a floating tensor: int_mode (tested in the tensor's own dtype) and the
 * smallest / largest magnitude among the nonzero finite values. */
static void visit_float_stats(printer *p, int64_t off) {
    bool integral;
    double a;
    if (p->t->dtype == TG_FLOAT32) {
        float f = ((const float *)p->data)[off];
        if (!isfinite(f) || f == 0.0f) return;
        integral = f == ceilf(f);
        a = (double)fabsf(f);
    } else {
        double v = ((const double *)p->data)[off];
        if (!isfinite(v) || v == 0.0) return;
        integral = v == ceil(v);
        a = fabs(v);
    }
    if (!integral) p->int_mode = false;
    if (p->n_vals == 0 || a < p->amin) p->amin = a;
    if (p->n_vals == 0 || a > p->amax) p->amax = a;
    p->n_vals++;
}

/* Second pass: the widest nonzero finite value in the chosen mode. */
static void visit_float_width(printer *p, int64_t off) {
    double v = load_float(p, off);
    if (!isfinite(v) || v == 0.0) return;
    char tmp[PRINT_ELEM_CAP];
    int n;
    if (p->sci) n = snprintf(tmp, sizeof tmp, "%.*e", p->o.precision, v);
    else if (p->int_mode) n = snprintf(tmp, sizeof tmp, "%.0f", v) + 1;
    else n = snprintf(tmp, sizeof tmp, "%.*f", p->o.precision, v);
    if (n > p->width) p->width = n;
}

static void build_formatter(printer *p) {
    p->floating = tgi_is_floating(p->t->dtype);
    p->int_mode = true;
    p->sci = false;
    p->width = 1;
    if (!p->floating) {
        walk(p, 0, p->t->offset, visit_int_width);
        return;
    }
    p->n_vals = 0;
    walk(p, 0, p->t->offset, visit_float_stats);
    if (p->n_vals == 0) return; /* no nonzero finite value: int mode, width 1, sci_mode ignored */
    double ratio = p->amax / p->amin;
    if (p->int_mode) p->sci = ratio > 1000.0 || p->amax > 1.0e8;
    else p->sci = ratio > 1000.0 || p->amax > 1.0e8 || p->amin < 1.0e-4;
    walk(p, 0, p->t->offset, visit_float_width);
    /* A forced sci_mode overrides the mode after the width was chosen (PyTorch's quirk). */
    if (p->o.sci_mode >= 0) p->sci = p->o.sci_mode != 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Layout                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* _vector_str: a 1-D slice starting at storage offset off. */
static void put_vector(sink *s, const printer *p, int d, int64_t off, int64_t indent) {
    int64_t n = p->t->shape[d], st = p->t->strides[d];
    int64_t elem_len = (int64_t)p->width + 2;
    int64_t room = (int64_t)p->o.linewidth - indent;
    int64_t per_line = room > 0 ? room / elem_len : 0;
    if (per_line < 1) per_line = 1;
    bool summ = dim_summarized(p, n);
    int64_t k = 0; /* items written so far, the " ..." token included */
    put(s, "[", 1);
    for (int64_t i = 0; i < n; i++) {
        bool ellipsis = summ && i == p->o.edgeitems;
        if (k > 0) {
            if (k % per_line == 0) {
                put(s, ",\n", 2);
                put_spaces(s, indent + 1);
            } else {
                put(s, ", ", 2);
            }
        }
        k++;
        if (ellipsis) {
            put(s, " ...", 4);
            i = n - p->o.edgeitems - 1;
            continue;
        }
        put_elem(s, p, off + i * st);
    }
    put(s, "]", 1);
}

/* _tensor_str_with_formatter for dims d..ndim-1 of the tensor, starting at storage offset off. */
static void put_tensor(sink *s, const printer *p, int d, int64_t off, int64_t indent) {
    int rank = p->t->ndim - d;
    if (rank == 0) {
        put_elem(s, p, off);
        return;
    }
    if (rank == 1) {
        put_vector(s, p, d, off, indent);
        return;
    }
    int64_t n = p->t->shape[d], st = p->t->strides[d];
    bool summ = dim_summarized(p, n);
    put(s, "[", 1);
    for (int64_t i = 0; i < n; i++) {
        if (i > 0) {
            put(s, ",", 1);
            for (int k = 0; k < rank - 1; k++) put(s, "\n", 1);
            put_spaces(s, indent + 1);
        }
        if (summ && i == p->o.edgeitems) {
            put(s, "...", 3);
            i = n - p->o.edgeitems - 1;
            continue;
        }
        put_tensor(s, p, d + 1, off + i * st, indent + 1);
    }
    put(s, "]", 1);
}

/* _add_suffixes: appends ", suffix" or wraps it onto a new line indented by `indent`. The
 * length of the last line is computed as PyTorch does, 2 more than it is (len - rfind + 1). */
typedef struct suffixer {
    int64_t last_line_len;
    int64_t indent;
    int linewidth;
} suffixer;

static void suffixer_init(suffixer *x, const sink *s, int64_t indent, int linewidth) {
    int64_t rfind = s->has_nl ? (int64_t)s->last_nl - 1 : -1;
    x->last_line_len = (int64_t)s->len - rfind + 1;
    x->indent = indent;
    x->linewidth = linewidth;
}

/* The suffix is the concatenation a + b + c (any may be NULL). */
static void put_suffix(sink *s, suffixer *x, const char *a, const char *b, const char *c) {
    int64_t n = (int64_t)((a ? strlen(a) : 0) + (b ? strlen(b) : 0) + (c ? strlen(c) : 0));
    if (x->last_line_len + n + 2 > x->linewidth) {
        put(s, ",\n", 2);
        put_spaces(s, x->indent);
        x->last_line_len = x->indent + n;
    } else {
        put(s, ", ", 2);
        x->last_line_len += n + 2;
    }
    if (a) puts_(s, a);
    if (b) puts_(s, b);
    if (c) puts_(s, c);
}

static size_t repr_with(const tg_tensor *t, char *buf, size_t cap, const popts *o) {
    sink s = {buf, cap, 0, 0, false};
    if (t && t->fw_pending) tgi_fw_resolve((tg_tensor *)(uintptr_t)t); /* the tangent, if due */
    if (!t) {
        puts_(&s, "NULL");
        return sink_finish(&s);
    }
    static const char prefix[] = "tensor(";
    const int64_t indent = (int64_t)sizeof prefix - 1;
    puts_(&s, prefix);

    char size_str[TG_MAX_DIMS * 24 + 8] = "";
    bool show_size = false, show_dtype;
    if (t->numel == 0) {
        put(&s, "[]", 2);
        if (t->ndim != 1) { /* str(tuple(shape)) */
            show_size = true;
            size_t k = 0;
            size_str[k++] = '(';
            for (int i = 0; i < t->ndim; i++) {
                int w = snprintf(size_str + k, sizeof size_str - k, "%s%lld", i ? ", " : "",
                                 (long long)t->shape[i]);
                if (w > 0) k += (size_t)w;
            }
            snprintf(size_str + k, sizeof size_str - k, ")");
        }
        show_dtype = t->dtype != TG_FLOAT32;
    } else {
        printer p;
        memset(&p, 0, sizeof p);
        p.t = t;
        p.data = tgi_data(t);
        p.o = *o;
        p.summarize = t->numel > o->threshold;
        build_formatter(&p);
        put_tensor(&s, &p, 0, t->offset, indent);
        show_dtype = t->dtype == TG_FLOAT64; /* float32, int64 and bool are the defaults */
    }

    suffixer x;
    suffixer_init(&x, &s, indent, o->linewidth);
    if (show_size) put_suffix(&s, &x, "size=", size_str, NULL);
    if (show_dtype) put_suffix(&s, &x, "dtype=", tg_dtype_name(t->dtype), NULL);
    tg_node *fn = tg_tensor_grad_fn(t);
    if (fn) {
        const char *name = tg_node_name(fn);
        put_suffix(&s, &x, "grad_fn=<", name ? name : "", ">");
    } else if (tg_tensor_requires_grad(t)) {
        put_suffix(&s, &x, "requires_grad=True", NULL, NULL);
    }
    if (tgi_is_dual(t)) { /* forward AD: ", tangent=<repr of the tangent>" */
        size_t n = repr_with(t->fw_tangent, NULL, 0, o);
        char *tan = malloc(n + 1);
        if (tan) {
            repr_with(t->fw_tangent, tan, n + 1, o);
            put_suffix(&s, &x, "tangent=", tan, NULL);
            free(tan);
        }
    }
    put(&s, ")", 1);
    return sink_finish(&s);
}

/* ------------------------------------------------------------------------------------------ */
/* Public entry points                                                                         */
/* ------------------------------------------------------------------------------------------ */

size_t tgi_tensor_repr_opts(const tg_tensor *t, char *buf, size_t cap, int precision,
                            int64_t threshold, int edgeitems, int linewidth, int sci_mode) {
    popts o;
    o.precision = precision < 0 ? 0 : precision > PRINT_MAX_PRECISION ? PRINT_MAX_PRECISION
                                                                        : precision;
    o.threshold = threshold < 0 ? INT64_MAX : threshold;
    o.edgeitems = edgeitems < 1 ? 1 : edgeitems;
    o.linewidth = linewidth;
    o.sci_mode = sci_mode < 0 ? -1 : sci_mode != 0;
    return repr_with(t, buf, cap, &o);
}

size_t tg_tensor_repr(const tg_tensor *t, char *buf, size_t cap) {
    return tgi_tensor_repr_opts(t, buf, cap, 4, 1000, 3, 80, -1);
}

char *tg_tensor_str(const tg_tensor *t) {
    char small[1024];
    size_t n = tg_tensor_repr(t, small, sizeof small);
    char *out = malloc(n + 1);
    if (!out) {
        if (t) tgi_error(t->ctx, TG_ERR_OOM, "tg_tensor_str: out of memory (%zu bytes)", n + 1);
        return NULL;
    }
    if (n < sizeof small) memcpy(out, small, n + 1);
    else tg_tensor_repr(t, out, n + 1);
    return out;
}

void tg_fprint(FILE *f, const tg_tensor *t) {
    if (!f) return;
    char *str = tg_tensor_str(t);
    if (!str) return;
    fputs(str, f);
    fputc('\n', f);
    free(str);
}

void tg_print(const tg_tensor *t) { tg_fprint(stdout, t); }

size_t tg_tensor_size_repr(const tg_tensor *t, char *buf, size_t cap) {
    sink s = {buf, cap, 0, 0, false};
    if (!t) {
        puts_(&s, "NULL");
        return sink_finish(&s);
    }
    puts_(&s, "torch.Size([");
    for (int i = 0; i < t->ndim; i++) {
        if (i) put(&s, ", ", 2);
        put_ll(&s, (long long)t->shape[i]);
    }
    puts_(&s, "])");
    return sink_finish(&s);
}
