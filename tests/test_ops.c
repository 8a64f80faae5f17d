/*
 * test_ops.c — every op of the current op set against PyTorch. Each record of
 * tests/fixtures/ops.txt (made by tools/fixtures_ops.py) is replayed in its own scope: inputs
 * are built (transposed, requiring grad) as the record says, the op runs through the table
 * below, and dtype, shape, values, requires_grad, the grad_fn name, and after tg_backward(out, v)
 * every input's .grad are compared; error records check the code and "tg_<op>: <message>".
 */
#include "test.h"

#include "ops_table.h" /* op_args and the wrappers f_<op> */

#include <stdint.h>

/* ------------------------------------------------------------------ the op table */

typedef struct op_entry {
    const char *name; /* the record's op; the C function is "tg_" name */
    int nin;
    op_fn fn;
    int used; /* records naming it (test_coverage) */
} op_entry;

#define E(name, nin) {#name, nin, f_##name, 0}
static op_entry ops[] = {
    E(add, 2), E(sub, 2), E(mul, 2), E(div, 2), E(pow, 2),
    E(add_scalar, 1), E(sub_scalar, 1), E(rsub_scalar, 1), E(mul_scalar, 1), E(div_scalar, 1),
    E(rdiv_scalar, 1), E(pow_scalar, 1), E(rpow_scalar, 1),
    E(neg, 1), E(exp, 1), E(log, 1), E(sqrt, 1), E(abs, 1),
    E(eq, 2), E(ne, 2), E(lt, 2), E(le, 2), E(gt, 2), E(ge, 2),
    E(eq_scalar, 1), E(ne_scalar, 1), E(lt_scalar, 1), E(le_scalar, 1), E(gt_scalar, 1),
    E(ge_scalar, 1),
    E(sum, 1), E(sum_dim, 1), E(mean, 1), E(mean_dim, 1), E(norm, 1), E(norm_dim, 1),
    E(mm, 2), E(matmul, 2),
    E(view, 1), E(reshape, 1), E(transpose, 1), E(t, 1), E(expand, 1), E(unsqueeze, 1),
    E(clone, 1), E(contiguous, 1),
    E(add_, 2), E(sub_, 2), E(mul_, 2), E(div_, 2), E(add_scalar_, 1), E(sub_scalar_, 1),
    E(mul_scalar_, 1), E(div_scalar_, 1), E(fill_, 1), E(zero_, 1), E(copy_, 2),
};
#undef E
#define N_OPS ((int)(sizeof ops / sizeof ops[0]))

static op_entry *find_op(const char *name) { return TT_LOOKUP(ops, name); }

/* ------------------------------------------------------------------ one record */

static bool parse_args(const tt_record *r, op_args *a) {
    memset(a, 0, sizeof *a);
    const char *s;
    if ((s = tt_get(r, "scalar"))) a->scalar = strtod(s, NULL);
    if ((s = tt_get(r, "p"))) a->p = strtod(s, NULL);
    if ((s = tt_get(r, "dims")) && (a->ndims = tt_parse_ints(s, a->dims, TG_MAX_DIMS)) < 0)
        return false;
    if ((s = tt_get(r, "size")) && (a->nsize = tt_parse_ints(s, a->size, TG_MAX_DIMS)) < 0)
        return false;
    if ((s = tt_get(r, "keepdim"))) a->keepdim = strcmp(s, "1") == 0;
    if ((s = tt_get(r, "dim0"))) a->dim0 = atoi(s);
    if ((s = tt_get(r, "dim1"))) a->dim1 = atoi(s);
    if ((s = tt_get(r, "dim"))) a->dim = atoi(s);
    return true;
}

static void run_record(tg_ctx *ctx, const tt_record *r) {
    op_entry *op = TT_RECORD_OP(ops, r);
    if (!op) return;
    const char *opname = op->name;
    op_args args;
    tt_input in[2];
    tg_tensor *x[2];
    int nin = TT_RECORD_INPUTS(ctx, r, in, x);
    if (nin < 0) return;
    if (!parse_args(r, &args) || nin != op->nin) {
        tt_failf(__FILE__, __LINE__, "malformed record (args or %d inputs for %s)", nin, opname);
        return;
    }
    tg_tensor *out = op->fn(x, &args);

    if (!CHECK_OP_OUTCOME(ctx, r, out == NULL)) return;

    /* forward */
    tg_dtype odt;
    int64_t oshape[TG_MAX_DIMS];
    int ond;
    if (!TT_RECORD_DTYPE_SHAPE(r, "out", &odt, oshape, &ond)) return;
    /* A float64 value computed from float32 operands (or a float64 gradient that flowed
     * through a float32 output) carries float32 rounding: PyTorch and we may round in
     * different places (e.g. its float32 sum of a broadcast gradient against our double
     * accumulation), so it is held to the float32 tolerance; float64 otherwise to 1e-12. */
    bool f32_path = odt == TG_FLOAT32;
    for (int i = 0; i < nin; i++) f32_path = f32_path || in[i].dtype == TG_FLOAT32;
    double tol = f32_path ? 1e-5 : 1e-12;
    CHECK_TENSOR("output", out, odt, oshape, ond, tt_get(r, "out_values"), tol);
    CHECK_RECORD_AUTOGRAD(out, r);

    /* backward */
    if (!tt_get(r, "v") || !TT_RECORD_BACKWARD(ctx, r, out)) return;
    for (int i = 0; i < nin; i++) CHECK_INPUT_GRAD(r, i, &in[i], tol);
    for (int i = 0; i < nin; i++) tg_zero_grad(in[i].leaf);
}

static void test_fixtures(void) { tt_replay_fixture("ops.txt", 1000, "case", run_record); }

/* Every op of the table has records in ops.txt, and every record names an op of the table. */
static void test_coverage(void) {
    tt_fixture *fx = tt_fixture_load("ops.txt");
    if (!fx) return;
    for (int i = 0; i < N_OPS; i++) ops[i].used = 0;
    for (int i = 0; i < fx->n; i++) {
        op_entry *op = find_op(tt_get(&fx->recs[i], "op"));
        if (op) op->used++;
        else
            tt_failf(__FILE__, __LINE__, "record %s: op not in the table",
                     tt_get(&fx->recs[i], "case"));
    }
    for (int i = 0; i < N_OPS; i++) {
        if (ops[i].used == 0)
            tt_failf(__FILE__, __LINE__, "op %s has no record in ops.txt", ops[i].name);
        else
            tt_pass++;
    }
    tt_fixture_free(fx);
}

TT_MAIN(T(test_fixtures), T(test_coverage))
