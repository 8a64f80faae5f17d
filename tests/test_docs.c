/*
 * test_docs.c — keeps docs/ops.md and the test coverage from drifting: every op function declared
 * in the public header and every node name in src/ops/ops.def must appear in docs/ops.md, every op
 * must have its TG_ANOMALY_LOCATIONS macro, and every op must have PyTorch fixture records
 * ("op: <name>" in one of the fixture files under tests/fixtures).
 */
#include "test.h"

/* name occurs in doc as a whole identifier (not as the prefix of a longer one) */
static bool mentions(const char *doc, const char *name) {
    size_t n = strlen(name);
    for (const char *p = strstr(doc, name); p; p = strstr(p + 1, name)) {
        char before = p > doc ? p[-1] : ' ', after = p[n];
        bool id_b = before == '_' || (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') || (before >= '0' && before <= '9');
        bool id_a = after == '_' || (after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') || (after >= '0' && after <= '9');
        if (!id_b && !id_a) return true;
    }
    return false;
}

static const char *const node_names[] = {
#define OP(e, name, bw) name,
#include "../src/ops/ops.def"
#undef OP
};

static void test_ops_table(void) {
    char *doc = tt_read_file("docs/ops.md");
    char *hdr = tt_read_file("include/tensorgrad.h");
    CHECK(doc != NULL);
    CHECK(hdr != NULL);
    if (!doc || !hdr) {
        free(doc);
        free(hdr);
        return;
    }
    for (size_t i = 0; i < sizeof node_names / sizeof node_names[0]; i++) {
        if (strcmp(node_names[i], "AccumulateGrad") == 0) continue;
        if (mentions(doc, node_names[i])) tt_pass++;
        else tt_failf(__FILE__, __LINE__, "node %s is not documented in docs/ops.md", node_names[i]);
    }
    /* every op: the part of the header from the "Ops." banner up to gradcheck */
    const char *start = strstr(hdr, " * Ops.");
    const char *end = strstr(hdr, " * gradcheck:");
    CHECK(start && end && start < end);
    int n = 0;
    for (const char *p = start; p && p < end; p = strstr(p + 1, "TG_API ")) {
        const char *paren = strchr(p, '(');
        if (!paren || paren > end) continue;
        const char *fn = paren; /* the identifier just before '(' */
        while (fn > p && (fn[-1] == '_' || (fn[-1] >= 'a' && fn[-1] <= 'z') || (fn[-1] >= '0' && fn[-1] <= '9'))) fn--;
        if (strncmp(fn, "tg_", 3) != 0) continue;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(paren - fn), fn);
        if (mentions(doc, name)) tt_pass++;
        else tt_failf(__FILE__, __LINE__, "op %s is not documented in docs/ops.md", name);
        char macro[96];
        snprintf(macro, sizeof macro, "#define %s(...) (tg_set_location(", name);
        if (strstr(hdr, macro)) tt_pass++;
        else tt_failf(__FILE__, __LINE__,
                      "op %s has no TG_ANOMALY_LOCATIONS macro: run tools/gen_location_macros.py",
                      name);
        n++;
    }
    CHECK(n > 50); /* the scan found the op declarations */
    free(doc);
    free(hdr);
}

/* The fixture files the op tests replay, concatenated. */
static char *all_fixtures(void) {
    static const char *const files[] = {"ops.txt",     "shape.txt",  "pointwise.txt", "reduce_ext.txt",
                                        "index.txt",   "linalg.txt", "nn.txt",        "conv.txt",
                                        "random.txt"};
    size_t len = 0;
    char *all = calloc(1, 1);
    for (size_t i = 0; all && i < sizeof files / sizeof files[0]; i++) {
        char path[256];
        const char *dir = getenv("TG_FIXTURES");
        snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/fixtures", files[i]);
        char *s = tt_read_file(path);
        if (!s) continue;
        size_t n = strlen(s);
        char *grown = realloc(all, len + n + 2);
        if (grown) {
            all = grown;
            memcpy(all + len, s, n);
            len += n;
            all[len++] = '\n';
            all[len] = '\0';
        }
        free(s);
    }
    return all;
}

/* Every op in the header's Ops sections has fixture records: a line "op: <name without tg_>". */
static void test_fixture_coverage(void) {
    char *hdr = tt_read_file("include/tensorgrad.h");
    char *fx = all_fixtures();
    CHECK(hdr && fx);
    if (!hdr || !fx) {
        free(hdr);
        free(fx);
        return;
    }
    const char *start = strstr(hdr, " * Ops."), *end = strstr(hdr, " * gradcheck:");
    int n = 0;
    for (const char *p = start; p && p < end; p = strstr(p + 1, "TG_API ")) {
        const char *paren = strchr(p, '(');
        if (!paren || paren > end) continue;
        const char *fn = paren;
        while (fn > p && (fn[-1] == '_' || (fn[-1] >= 'a' && fn[-1] <= 'z') || (fn[-1] >= '0' && fn[-1] <= '9'))) fn--;
        if (strncmp(fn, "tg_", 3) != 0) continue;
        char want[96];
        snprintf(want, sizeof want, "\nop: %.*s\n", (int)(paren - fn - 3), fn + 3);
        if (strstr(fx, want)) tt_pass++;
        else tt_failf(__FILE__, __LINE__, "op %.*s has no PyTorch fixture records", (int)(paren - fn), fn);
        n++;
    }
    CHECK(n > 100);
    free(hdr);
    free(fx);
}

TT_MAIN(T(test_ops_table), T(test_fixture_coverage))
