/*
 * testutil.c — the harness behind test.h: failure reporting, value comparison, fixture loading.
 */
#include "test.h"

#include <stdarg.h>

int tt_pass, tt_fail;
const char *tt_current = "";

void tt_failf(const char *file, int line, const char *fmt, ...) {
    tt_fail++;
    printf("FAIL %s:%d [%s]: ", file, line, tt_current);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

int tt_check_values(const char *file, int line, const tg_tensor *t, const double *vals, int64_t n,
                    double atol, double rtol) {
    if (!t) {
        tt_failf(file, line, "tensor is NULL");
        return 0;
    }
    if (tg_tensor_numel(t) != n) {
        tt_failf(file, line, "numel %lld != expected %lld", (long long)tg_tensor_numel(t),
                 (long long)n);
        return 0;
    }
    double maxdiff = 0;
    int64_t worst = -1;
    for (int64_t i = 0; i < n; i++) {
        double a = tg_tensor_get(t, i), b = vals[i];
        if (a == b || (isnan(a) && isnan(b))) continue;
        double d = fabs(a - b);
        if (!(d <= atol + rtol * fabs(b)) && (worst < 0 || !(d <= maxdiff))) {
            maxdiff = d;
            worst = i;
        }
    }
    if (worst >= 0) {
        tt_failf(file, line, "element %lld: got %.9g expected %.9g (max diff %.3g)",
                 (long long)worst, tg_tensor_get(t, worst), vals[worst], maxdiff);
        return 0;
    }
    tt_pass++;
    return 1;
}

int tt_run(const tt_case *cases, int n, int argc, char **argv) {
    for (int i = 0; i < n; i++) {
        if (argc > 1 && !strstr(cases[i].name, argv[1])) continue;
        tt_current = cases[i].name;
        cases[i].fn();
    }
    printf("%d passed, %d failed\n", tt_pass, tt_fail);
    return tt_fail ? 1 : 0;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[len] = '\0';
    fclose(f);
    return buf;
}

tt_fixture *tt_fixture_load(const char *name) {
    const char *dir = getenv("TG_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/fixtures", name);
    char *text = read_file(path);
    if (!text) {
        tt_failf(__FILE__, __LINE__, "cannot read fixture %s", path);
        return NULL;
    }
    tt_fixture *fx = calloc(1, sizeof *fx);
    tt_record cur = {0, NULL, NULL};
    char *line = text;
    for (;;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        if (line[0] == '\0' || !nl) {
            if (line[0] != '\0') goto add_line;
            if (cur.n) {
                fx->recs = realloc(fx->recs, (size_t)(fx->n + 1) * sizeof *fx->recs);
                fx->recs[fx->n++] = cur;
                cur.n = 0;
                cur.keys = cur.vals = NULL;
            }
            if (!nl) break;
            line = nl + 1;
            continue;
        }
    add_line:
        if (line[0] != '#') {
            char *colon = strstr(line, ": ");
            char *key = line, *val = "";
            if (colon) {
                *colon = '\0';
                val = colon + 2;
            } else if (line[strlen(line) - 1] == ':') {
                line[strlen(line) - 1] = '\0';
            }
            /* values may continue on following lines that start with '|' (multi-line repr) */
            size_t vlen = strlen(val);
            char *v = malloc(vlen + 1);
            memcpy(v, val, vlen + 1);
            while (nl && nl[1] == '|') {
                char *l2 = nl + 2;
                char *nl2 = strchr(l2, '\n');
                if (nl2) *nl2 = '\0';
                size_t l2len = strlen(l2);
                v = realloc(v, vlen + l2len + 2);
                v[vlen] = '\n';
                memcpy(v + vlen + 1, l2, l2len + 1);
                vlen += l2len + 1;
                nl = nl2;
            }
            cur.keys = realloc(cur.keys, (size_t)(cur.n + 1) * sizeof(char *));
            cur.vals = realloc(cur.vals, (size_t)(cur.n + 1) * sizeof(char *));
            cur.keys[cur.n] = strdup(key);
            cur.vals[cur.n] = v;
            cur.n++;
        }
        if (!nl) {
            if (cur.n) {
                fx->recs = realloc(fx->recs, (size_t)(fx->n + 1) * sizeof *fx->recs);
                fx->recs[fx->n++] = cur;
            }
            break;
        }
        line = nl + 1;
    }
    free(text);
    return fx;
}

void tt_fixture_free(tt_fixture *f) {
    if (!f) return;
    for (int i = 0; i < f->n; i++) {
        for (int k = 0; k < f->recs[i].n; k++) {
            free(f->recs[i].keys[k]);
            free(f->recs[i].vals[k]);
        }
        free(f->recs[i].keys);
        free(f->recs[i].vals);
    }
    free(f->recs);
    free(f);
}

const char *tt_get(const tt_record *r, const char *key) {
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->keys[i], key) == 0) return r->vals[i];
    return NULL;
}

double *tt_parse_doubles(const char *s, int64_t *n) {
    int64_t cap = 16, k = 0;
    double *out = malloc((size_t)cap * sizeof *out);
    while (*s) {
        while (*s == ' ' || *s == ',' || *s == '[' || *s == ']' || *s == '\n') s++;
        if (!*s) break;
        char *end;
        double v = strtod(s, &end);
        if (end == s) break;
        if (k == cap) out = realloc(out, (size_t)(cap *= 2) * sizeof *out);
        out[k++] = v;
        s = end;
    }
    *n = k;
    return out;
}
