/*
 * parse.c — tg_tensor_parse: reads a PyTorch-style literal ("[[1, 3], [2, 2]]", "3.5", "[]") as
 * torch.tensor(<literal>, dtype=...) reads the same Python literal. Pass 1 checks the Python
 * syntax (numbers, True/False, inf/nan, lists, tuples, unary signs) into a flat preorder tree;
 * pass 2 walks that tree as torch's recursive_store does, so ragged input, type and overflow
 * errors come out in torch's order and with torch's words.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FN "tg_tensor_parse"

enum { N_LIST, N_TUPLE, N_GROUP, N_INT, N_FLOAT };

/* One value of the literal. Children of a list or tuple follow it; `next` skips the subtree.
 * N_GROUP is a parenthesised expression "(x)": transparent, its value is the node after it. */
typedef struct {
    int64_t pos, end; /* the value's span in the literal, signs and parentheses included */
    int64_t next;     /* index of the first node after this subtree */
    int64_t count;    /* lists and tuples: number of elements */
    uint64_t mag;     /* ints: the magnitude, when it fits (!big) */
    double d;         /* floats: the value; ints: the magnitude rounded to double (!huge) */
    unsigned char kind;
    bool neg;  /* ints: an odd number of unary minus signs was applied */
    bool big;  /* ints: magnitude above UINT64_MAX */
    bool huge; /* ints: too large to convert to float */
} pnode;

typedef struct {
    tg_ctx *ctx;
    const char *s;
    int64_t len;
    int64_t i; /* cursor */
    pnode *nodes;
    int64_t n, cap;
    /* the first evaluation error (a unary sign applied to a list or tuple), which Python raises
     * only once the whole literal has compiled, so it is reported after the syntax check */
    bool eval_err;
    char eval_op;
    const char *eval_type;
    int64_t eval_pos;
} parser;

static bool is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_word(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }

static void skip_ws(parser *p) {
    while (p->i < p->len && is_ws(p->s[p->i])) p->i++;
}

/* Writes s[0..n) quoted as '...', escaping quotes, backslashes and non-printable bytes, cut
 * after 40 characters with "...". */
static void quote(char *buf, size_t cap, const char *s, int64_t n) {
    size_t k = 0;
    int64_t shown = n > 40 ? 40 : n;
    buf[k++] = '\'';
    for (int64_t j = 0; j < shown && k + 8 < cap; j++) {
        unsigned char c = (unsigned char)s[j];
        if (c == '\'' || c == '\\') {
            buf[k++] = '\\';
            buf[k++] = (char)c;
        } else if (c == '\n') {
            buf[k++] = '\\';
            buf[k++] = 'n';
        } else if (c == '\t') {
            buf[k++] = '\\';
            buf[k++] = 't';
        } else if (c < 0x20 || c >= 0x7f) {
            k += (size_t)snprintf(buf + k, cap - k, "\\x%02x", c);
        } else {
            buf[k++] = (char)c;
        }
    }
    if (shown < n && k + 5 < cap) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k++] = '\'';
    buf[k] = '\0';
}

/* What sits at position `at`: a quoted character or "end of input". */
static void found_at(const parser *p, int64_t at, char *buf, size_t cap) {
    if (at >= p->len) snprintf(buf, cap, "end of input");
    else quote(buf, cap, p->s + at, 1);
}

/* The cursor holds something other than `expected`. open_ch is the innermost open bracket
 * ('[' or '('), 0 at the top level. */
static int64_t expect_fail(parser *p, const char *expected, int64_t open_pos, char open_ch) {
    char found[64];
    found_at(p, p->i, found, sizeof found);
    if (p->i >= p->len && open_ch)
        tgi_error(p->ctx, TG_ERR_PARSE,
                  FN ": unterminated %s: expected %s at position %lld, found end of input ('%c' "
                     "at position %lld is never closed)",
                  open_ch == '[' ? "list" : "tuple", expected, (long long)p->i, open_ch,
                  (long long)open_pos);
    else
        tgi_error(p->ctx, TG_ERR_PARSE,
                  FN ": unexpected %s: expected %s at position %lld, found %s",
                  p->i >= p->len ? "end of input" : "character", expected, (long long)p->i,
                  found);
    return -1;
}

static int64_t new_node(parser *p, unsigned char kind, int64_t pos) {
    if (p->n == p->cap) {
        int64_t cap = p->cap ? p->cap * 2 : 64;
        if ((uint64_t)cap > SIZE_MAX / sizeof(pnode)) cap = -1;
        pnode *nodes = cap > 0 ? realloc(p->nodes, (size_t)cap * sizeof(pnode)) : NULL;
        if (!nodes) {
            tgi_error(p->ctx, TG_ERR_OOM, FN ": out of memory");
            return -1;
        }
        p->nodes = nodes;
        p->cap = cap;
    }
    pnode *nd = &p->nodes[p->n];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->pos = pos;
    nd->end = pos;
    nd->next = p->n + 1;
    return p->n++;
}

/* ---------------------------------------------------------------------------------------------
 * Numbers, with Python's grammar: decimal ints without leading zeros, 0x/0o/0b ints, floats
 * (1., .5, 1e-3), single underscores between digits.
 * ------------------------------------------------------------------------------------------- */

#define INT_LIMBS 36 /* 1152 bits: anything wider is too large for a double anyway */

static int digit_value(char c) {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
}

/* digitpart ::= digit (["_"] digit)*, starting at *j; `lead_us` allows a leading "_" (after a
 * base prefix). Returns the number of digits, 0 when malformed or absent. */
static int64_t digitpart(const char *s, int64_t *j, int64_t end, int base, bool lead_us) {
    int64_t k = *j, n = 0;
    for (;;) {
        int64_t at = k;
        if (k < end && s[k] == '_' && (n > 0 || lead_us)) k++;
        if (k < end && digit_value(s[k]) < base) {
            k++;
            n++;
            lead_us = false;
            continue;
        }
        if (k != at) return 0; /* an underscore not followed by a digit */
        break;
    }
    *j = k;
    return n;
}

/* Accumulates the digits of s[a..b) (underscores skipped) in `base` into nd's mag/d/big/huge,
 * as PyLong_AsDouble would round it (to nearest, ties to even). */
static void int_value(pnode *nd, const char *s, int64_t a, int64_t b, int base) {
    uint32_t limb[INT_LIMBS] = {0};
    bool overflow = false;
    for (int64_t j = a; j < b && !overflow; j++) {
        if (s[j] == '_') continue;
        uint64_t carry = (uint64_t)digit_value(s[j]);
        for (int k = 0; k < INT_LIMBS; k++) {
            uint64_t v = (uint64_t)limb[k] * (uint64_t)base + carry;
            limb[k] = (uint32_t)v;
            carry = v >> 32;
        }
        overflow = carry != 0;
    }
    int top = INT_LIMBS - 1;
    while (top >= 0 && limb[top] == 0) top--;
    nd->big = overflow || top >= 2;
    nd->mag = nd->big ? 0 : ((uint64_t)(top >= 1 ? limb[1] : 0) << 32) | (top >= 0 ? limb[0] : 0);
    nd->huge = overflow;
    if (overflow) return;
    int64_t bits = 0; /* bit length */
    if (top >= 0) {
        uint32_t t = limb[top];
        bits = (int64_t)top * 32;
        while (t) {
            bits++;
            t >>= 1;
        }
    }
    if (bits <= 53) {
        nd->d = (double)nd->mag; /* exact */
        return;
    }
#define BIT(k) ((limb[(k) / 32] >> ((k) % 32)) & 1u)
    uint64_t m = 0;
    for (int64_t k = bits - 1; k >= bits - 53; k--) m = (m << 1) | BIT(k);
    bool round = BIT(bits - 54), sticky = false;
    for (int64_t k = bits - 55; k >= 0 && !sticky; k--) sticky = BIT(k);
#undef BIT
    if (round && (sticky || (m & 1))) m++;
    if (m == (uint64_t)1 << 53) {
        m >>= 1;
        bits++;
    }
    if (bits > 1024) nd->huge = true;
    else nd->d = ldexp((double)m, (int)(bits - 53));
}

/* A decimal float from its digits (underscores skipped) d1 = s[a1..b1), d2 = s[a2..b2) and
 * exponent `e`, through strtod on a plain "DIGITSe<exp>" string (no decimal point, so the C
 * locale does not matter). Digits past 800 collapse into one sticky digit, which keeps the
 * rounding correct (every double and every halfway point has fewer significant digits). */
static double float_value(const char *s, int64_t a1, int64_t b1, int64_t a2, int64_t b2,
                          int64_t e) {
    char buf[840];
    int k = 0;
    bool lead = true, sticky = false;
    int64_t scale = 0, zeros = 0; /* pending zeros are written only if a nonzero digit follows */
    for (int part = 0; part < 2; part++) {
        int64_t a = part ? a2 : a1, b = part ? b2 : b1;
        for (int64_t j = a; j < b; j++) {
            char c = s[j];
            if (c == '_') continue;
            if (part) scale--;
            if (lead && c == '0') continue;
            lead = false;
            if (c == '0') {
                zeros++;
                continue;
            }
            for (; zeros > 0; zeros--) {
                if (k < 800) buf[k++] = '0';
                else scale++;
            }
            if (k < 800) buf[k++] = c;
            else {
                scale++;
                sticky = true;
            }
        }
    }
    if (k == 0) return 0.0;
    scale += zeros; /* trailing zeros */
    if (sticky) {
        buf[k++] = '1';
        scale--;
    }
    /* e and scale are clamped, so the sum cannot overflow; beyond +-100000 the result is
     * inf or 0 either way */
    int64_t ex = e + scale;
    if (ex > 100000) ex = 100000;
    if (ex < -100000) ex = -100000;
    snprintf(buf + k, sizeof buf - (size_t)k, "e%lld", (long long)ex);
    return strtod(buf, NULL);
}

/* A number token s[a..b); fills node `idx`. */
static bool number(parser *p, int64_t idx, int64_t a, int64_t b) {
    const char *s = p->s;
    pnode *nd = &p->nodes[idx];
    int64_t j = a;
    if (b - a >= 2 && s[a] == '0' && strchr("xXoObB", s[a + 1])) {
        char x = s[a + 1];
        int base = (x == 'x' || x == 'X') ? 16 : (x == 'o' || x == 'O') ? 8 : 2;
        j = a + 2;
        if (digitpart(s, &j, b, base, true) == 0 || j != b) goto bad;
        nd->kind = N_INT;
        int_value(nd, s, a + 2, b, base);
        return true;
    }
    int64_t a1 = j, n1 = digitpart(s, &j, b, 10, false), b1 = j;
    int64_t a2 = j, b2 = j, n2 = 0;
    bool dot = false, has_exp = false;
    if (j < b && s[j] == '.') {
        dot = true;
        j++;
        a2 = j;
        n2 = digitpart(s, &j, b, 10, false);
        b2 = j;
        if (n2 == 0 && j < b && s[j] == '_') goto bad;
    }
    if (n1 == 0 && n2 == 0) goto bad;
    int64_t e = 0;
    if (j < b && (s[j] == 'e' || s[j] == 'E')) {
        has_exp = true;
        j++;
        bool eneg = false;
        if (j < b && (s[j] == '+' || s[j] == '-')) eneg = s[j++] == '-';
        int64_t ea = j;
        if (digitpart(s, &j, b, 10, false) == 0) goto bad;
        for (int64_t k = ea; k < j; k++)
            if (s[k] != '_' && e < 1000000000) e = e * 10 + (s[k] - '0');
        if (eneg) e = -e;
    }
    if (j != b) goto bad;
    if (!dot && !has_exp) {
        /* a decimal int: "0"+ (["_"] "0")* or no leading zero */
        if (s[a] == '0')
            for (int64_t k = a; k < b; k++)
                if (s[k] != '0' && s[k] != '_') goto bad;
        nd->kind = N_INT;
        int_value(nd, s, a, b, 10);
        return true;
    }
    nd->kind = N_FLOAT;
    nd->d = float_value(s, a1, b1, a2, b2, e);
    return true;
bad:;
    char tok[200];
    quote(tok, sizeof tok, s + a, b - a);
    tgi_error(p->ctx, TG_ERR_PARSE, FN ": invalid number at position %lld: found %s", (long long)a,
              tok);
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * Pass 1: syntax. Recursion depth is bounded by the bracket nesting, at most TG_MAX_DIMS.
 * ------------------------------------------------------------------------------------------- */

static int64_t parse_value(parser *p, int depth, int64_t open_pos, char open_ch,
                           const char *expected);

/* A list "[...]" or a parenthesised "(...)" at the cursor: a tuple, or a group when it holds
 * one value and no comma. Returns the index of the node it evaluates to. */
static int64_t parse_seq(parser *p, int depth) {
    int64_t at = p->i;
    char open = p->s[at], close = open == '[' ? ']' : ')';
    if (depth > TG_MAX_DIMS) {
        tgi_error(p->ctx, TG_ERR_PARSE,
                  FN ": too many dimensions: expected at most %d nested brackets at position "
                     "%lld, found '%c'",
                  TG_MAX_DIMS, (long long)at, open);
        return -1;
    }
    int64_t slot = new_node(p, open == '[' ? N_LIST : N_TUPLE, at);
    if (slot < 0) return -1;
    p->i++;
    int64_t count = 0, first = -1;
    bool comma = false;
    const char *value_or_close = open == '[' ? "a value or ']'" : "a value or ')'";
    for (;;) {
        skip_ws(p);
        if (p->i < p->len && p->s[p->i] == close) break;
        int64_t e = parse_value(p, depth, at, open, value_or_close);
        if (e < 0) return -1;
        if (count++ == 0) first = e;
        skip_ws(p);
        comma = p->i < p->len && p->s[p->i] == ',';
        if (comma) {
            p->i++;
            continue;
        }
        if (p->i < p->len && p->s[p->i] == close) break;
        return expect_fail(p, open == '[' ? "',' or ']'" : "',' or ')'", at, open);
    }
    p->i++;
    pnode *nd = &p->nodes[slot];
    nd->count = count;
    nd->end = p->i;
    nd->next = p->n;
    if (open == '(' && count == 1 && !comma) {
        nd->kind = N_GROUP;
        return first;
    }
    return slot;
}

/* A name: True, False, inf or nan. */
static int64_t parse_name(parser *p) {
    int64_t a = p->i, b = a;
    while (b < p->len && is_word(p->s[b])) b++;
    int64_t n = b - a;
    const char *w = p->s + a;
    bool is_true = n == 4 && memcmp(w, "True", 4) == 0;
    bool is_false = n == 5 && memcmp(w, "False", 5) == 0;
    bool is_inf = n == 3 && memcmp(w, "inf", 3) == 0;
    bool is_nan = n == 3 && memcmp(w, "nan", 3) == 0;
    if (!is_true && !is_false && !is_inf && !is_nan) {
        char tok[200];
        quote(tok, sizeof tok, w, n);
        tgi_error(p->ctx, TG_ERR_PARSE,
                  FN ": unknown name at position %lld: found %s (expected True, False, inf or nan)",
                  (long long)a, tok);
        return -1;
    }
    unsigned char kind = is_inf || is_nan ? N_FLOAT : N_INT;
    int64_t idx = new_node(p, kind, a);
    if (idx < 0) return -1;
    p->nodes[idx].d = is_inf ? INFINITY : is_nan ? NAN : is_true ? 1.0 : 0.0;
    p->nodes[idx].mag = is_true; /* True and False are the ints 1 and 0 */
    p->i = b;
    return idx;
}

/* value ::= ("+" | "-")* atom. Returns the index of the node the value evaluates to. */
static int64_t parse_value(parser *p, int depth, int64_t open_pos, char open_ch,
                           const char *expected) {
    skip_ws(p);
    int64_t start = p->i, op_pos = -1;
    bool neg = false;
    char op = 0;
    while (p->i < p->len && (p->s[p->i] == '-' || p->s[p->i] == '+')) {
        op = p->s[p->i];
        op_pos = p->i;
        if (op == '-') neg = !neg;
        p->i++;
        skip_ws(p);
        expected = "a value";
    }
    if (p->i >= p->len) return expect_fail(p, expected, open_pos, open_ch);
    char c = p->s[p->i];
    int64_t e;
    if (c == '[' || c == '(') {
        e = parse_seq(p, depth + 1);
    } else if (is_digit(c) || c == '.') {
        int64_t a = p->i, b = a;
        bool prefixed = c == '0' && b + 1 < p->len && strchr("xXoObB", p->s[b + 1]);
        while (b < p->len) {
            char x = p->s[b];
            if (is_word(x) || x == '.') b++;
            else if ((x == '+' || x == '-') && !prefixed &&
                     (p->s[b - 1] == 'e' || p->s[b - 1] == 'E'))
                b++;
            else break;
        }
        e = new_node(p, N_INT, a);
        if (e >= 0 && !number(p, e, a, b)) e = -1;
        if (e >= 0) p->i = b;
    } else if (is_alpha(c) || c == '_') {
        e = parse_name(p);
    } else {
        return expect_fail(p, expected, open_pos, open_ch);
    }
    if (e < 0) return -1;
    pnode *nd = &p->nodes[e];
    if (op && (nd->kind == N_LIST || nd->kind == N_TUPLE)) {
        if (!p->eval_err) {
            p->eval_err = true;
            p->eval_op = op;
            p->eval_type = nd->kind == N_LIST ? "list" : "tuple";
            p->eval_pos = op_pos;
        }
    } else if (neg) {
        if (nd->kind == N_FLOAT) nd->d = -nd->d;
        else nd->neg = !nd->neg;
    }
    nd->pos = start;
    nd->end = p->i;
    return e;
}

/* ---------------------------------------------------------------------------------------------
 * Pass 2: torch's recursive_store. Run once to validate (data NULL), then to fill.
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    tg_ctx *ctx;
    const parser *p;
    tg_dtype dtype;
    int ndim;
    int64_t sizes[TG_MAX_DIMS];
    void *data;
    int64_t k; /* next element */
} walker;

static int64_t resolve(const pnode *nodes, int64_t i) {
    while (nodes[i].kind == N_GROUP) i++;
    return i;
}

static bool value_error(walker *w, const pnode *nd, const char *what) {
    char tok[200];
    quote(tok, sizeof tok, w->p->s + nd->pos, nd->end - nd->pos);
    tgi_error(w->ctx, TG_ERR_PARSE, FN ": %s at position %lld: found %s", what,
              (long long)nd->pos, tok);
    return false;
}

/* torch's store_scalar: THPUtils_unpackDouble, unpackIntegral<int64_t> and
 * THPUtils_unpackNumberAsBool. */
static bool store_scalar(walker *w, const pnode *nd) {
    bool isint = nd->kind == N_INT;
    bool zero = isint && !nd->big && nd->mag == 0;
    int64_t k = w->k++;
    switch (w->dtype) {
    case TG_FLOAT32:
    case TG_FLOAT64: {
        if (isint && nd->huge) return value_error(w, nd, "int too large to convert to float");
        double v = isint ? (zero ? 0.0 : nd->neg ? -nd->d : nd->d) : nd->d;
        if (w->data && w->dtype == TG_FLOAT32) ((float *)w->data)[k] = (float)v;
        else if (w->data) ((double *)w->data)[k] = v;
        return true;
    }
    case TG_INT64: {
        int64_t v;
        if (isint) {
            uint64_t limit = nd->neg ? (uint64_t)1 << 63 : (uint64_t)INT64_MAX;
            if (nd->big || nd->mag > limit)
                return value_error(w, nd, "Overflow when unpacking long");
            v = nd->neg ? (nd->mag == (uint64_t)1 << 63 ? INT64_MIN : -(int64_t)nd->mag)
                        : (int64_t)nd->mag;
        } else {
            /* torch's checked_convert lets 2^63 through to an undefined cast; refuse it */
            if (!(nd->d >= -9223372036854775808.0 && nd->d < 9223372036854775808.0))
                return value_error(w, nd,
                                   "value cannot be converted to type int64 without overflow");
            v = (int64_t)nd->d; /* truncates toward zero */
        }
        if (w->data) ((int64_t *)w->data)[k] = v;
        return true;
    }
    case TG_BOOL:
        if (w->data) ((bool *)w->data)[k] = isint ? !zero : nd->d != 0;
        return true;
    }
    return true;
}

static bool store(walker *w, int64_t idx, int dim) {
    const pnode *nodes = w->p->nodes;
    idx = resolve(nodes, idx);
    const pnode *nd = &nodes[idx];
    bool seq = nd->kind == N_LIST || nd->kind == N_TUPLE;
    const char *type = nd->kind == N_LIST ? "list" : "tuple";
    if (dim == w->ndim) {
        if (!seq) return store_scalar(w, nd);
        if (tgi_is_floating(w->dtype))
            tgi_error(w->ctx, TG_ERR_PARSE, FN ": must be real number, not %s", type);
        else
            tgi_error(w->ctx, TG_ERR_PARSE, FN ": '%s' object cannot be interpreted as an integer",
                      type);
        return false;
    }
    if (!seq) {
        tgi_error(w->ctx, TG_ERR_PARSE, FN ": not a sequence");
        return false;
    }
    if (nd->count != w->sizes[dim]) {
        tgi_error(w->ctx, TG_ERR_PARSE,
                  FN ": expected sequence of length %lld at dim %d (got %lld)",
                  (long long)w->sizes[dim], dim, (long long)nd->count);
        return false;
    }
    int64_t child = idx + 1;
    for (int64_t j = 0; j < nd->count; j++) {
        if (!store(w, child, dim + 1)) return false;
        child = nodes[child].next;
    }
    return true;
}

static bool valid_dtype(tg_dtype d) { return d >= TG_FLOAT32 && d <= TG_BOOL; }

tg_tensor *tg_tensor_parse(tg_ctx *ctx, const char *literal, tg_dtype dtype) {
    if (!ctx) return NULL;
    if (!literal) {
        tgi_null_arg(ctx, FN, "literal");
        return NULL;
    }
    if (!valid_dtype(dtype)) {
        tgi_error(ctx, TG_ERR_DTYPE, FN ": unknown dtype %d", (int)dtype);
        return NULL;
    }
    parser p;
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.s = literal;
    p.len = (int64_t)strlen(literal);
    tg_tensor *t = NULL;

    skip_ws(&p);
    if (p.i >= p.len) {
        tgi_error(ctx, TG_ERR_PARSE,
                  FN ": empty input: expected a value at position %lld, found end of input",
                  (long long)p.i);
        goto done;
    }
    if (parse_value(&p, 0, 0, 0, "a value") < 0) goto done;
    skip_ws(&p);
    if (p.i < p.len) {
        char found[64];
        found_at(&p, p.i, found, sizeof found);
        tgi_error(ctx, TG_ERR_PARSE,
                  FN ": trailing garbage: expected end of input at position %lld, found %s",
                  (long long)p.i, found);
        goto done;
    }
    if (p.eval_err) {
        tgi_error(ctx, TG_ERR_PARSE, FN ": bad operand type for unary %c: '%s' at position %lld",
                  p.eval_op, p.eval_type, (long long)p.eval_pos);
        goto done;
    }

    /* torch's compute_sizes: follow the first element down while it is a sequence */
    walker w;
    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    w.p = &p;
    w.dtype = dtype;
    for (int64_t idx = resolve(p.nodes, 0);;) {
        const pnode *nd = &p.nodes[idx];
        if (nd->kind != N_LIST && nd->kind != N_TUPLE) break;
        w.sizes[w.ndim++] = nd->count; /* <= TG_MAX_DIMS: nesting was bounded in pass 1 */
        if (nd->count == 0) break;
        idx = resolve(p.nodes, idx + 1);
    }
    bool empty = w.ndim > 0 && w.sizes[w.ndim - 1] == 0; /* the chain stops at a 0 */
    /* like torch, an empty result skips recursive_store and so checks nothing further; a
     * valid walk has one scalar per element, so the element count cannot overflow */
    if (!empty && !store(&w, 0, 0)) goto done;
    int64_t numel;
    if (tgi_check_shape(ctx, FN, w.sizes, w.ndim, &numel) != TG_OK) goto done;
    t = tgi_empty(ctx, w.sizes, w.ndim, dtype);
    if (!t) goto done;
    if (numel > 0) {
        w.data = tgi_data(t);
        w.k = 0;
        store(&w, 0, 0);
    }
done:
    free(p.nodes);
    return t ? tgi_own(t) : NULL;
}
