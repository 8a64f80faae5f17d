"""fixture_common.py — what the tools/fixtures_*.py generators share: dtype names, value formats
(repr(float), so strtod reads a value back exactly), PyTorch's error text, grad_fn names, seeded
inputs and upstream gradients, and the `key: value` record format tests/testutil.c reads.
Not named fixtures_*.py, because tools/gen_fixtures.py runs each of those as a generator. Keep
it stateless: gen_fixtures.py imports it once for every generator.
"""
import os
import zlib

import torch

F32, F64, I64, BOOL = torch.float32, torch.float64, torch.int64, torch.bool
DTYPE_NAMES = {F32: "float32", F64: "float64", I64: "int64", BOOL: "bool"}
DTYPES = {name: dtype for dtype, name in DTYPE_NAMES.items()}  # "float32" -> torch.float32
FLOATS = [(F32, "f32"), (F64, "f64")]

# Debian's torch 1.13 rewrites the C++ type in some messages ("CPUFloatType") into the legacy
# Python name ("torch.FloatTensor", processErrorMsg); PyTorch 2.x prints the C++ name.
LEGACY_TYPE_NAMES = {"torch.FloatTensor": "CPUFloatType", "torch.DoubleTensor": "CPUDoubleType",
                     "torch.LongTensor": "CPULongType", "torch.BoolTensor": "CPUBoolType"}


# ------------------------------------------------------------------ value formatting

def flat(t):
    """every element as repr(float), whatever the dtype (the scenario fixtures' format)"""
    return " ".join(repr(float(v)) for v in t.detach().reshape(-1).tolist())


def fmt_values(t):
    """every element in the dtype's exact text: repr(float), decimal ints, 1/0 for bools"""
    vals = t.detach().contiguous().reshape(-1).tolist()
    if t.dtype == BOOL:
        return " ".join("1" if v else "0" for v in vals)
    if t.dtype == I64:
        return " ".join(str(int(v)) for v in vals)
    return " ".join(repr(float(v)) for v in vals)


def fmt_ints(v):
    """sizes, dims or strides: "2 3 4" (empty for a 0-d shape)"""
    return " ".join(str(int(s)) for s in v)


def fmt_scalar(v, allow_bool=False):
    """an op's scalar argument: ints in decimal, floats as repr(float), strings as they are;
    bools as 1/0 where the C API takes them (allow_bool), an error elsewhere"""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        if not allow_bool:
            raise TypeError("bool arguments are not part of the C API")
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


# ------------------------------------------------------------------ what PyTorch said

def error_text(exc):
    """the first line of an exception's message: what the C library reports"""
    return str(exc).split("\n")[0]


def err(fn, must_raise=False):
    """runs fn(): the first line of what it raises, or "no error" (an AssertionError when
    must_raise)"""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 — we record whatever torch raises
        return error_text(e)
    if must_raise:
        raise AssertionError("PyTorch raised no error")
    return "no error"


def gfn_name(t, renames=None):
    """t's grad_fn class name ("none" for no grad_fn or no tensor); renames maps 1.13 names to
    PyTorch 2.x's"""
    if t is None or t.grad_fn is None:
        return "none"
    name = type(t.grad_fn).__name__
    return renames.get(name, name) if renames else name


# ------------------------------------------------------------------ deterministic inputs

def seeded(key, shape, dtype):
    """values in [-2, 2) of dtype from a generator seeded by crc32(key): the same for a case name
    on every run, whatever else the generator drew before"""
    g = torch.Generator().manual_seed(zlib.crc32(key.encode()))
    return (torch.rand(shape, generator=g, dtype=F64) * 4 - 2).to(dtype)


def upstream(name, out):
    """the gradient fed to out.backward in case `name`"""
    return seeded(name, out.shape, out.dtype)


class Draws:
    """a generator's worth of input values, in draw order: uniform floats made in float64 then
    cast, small ints, fair bools"""

    def __init__(self, seed):
        self.seed = seed
        self.reset()

    def reset(self):
        """starts the draws over from the seed"""
        self.gen = torch.Generator().manual_seed(self.seed)

    def uniform(self, shape, lo=-2.0, hi=2.0, dtype=F32):
        return (torch.rand(shape, generator=self.gen, dtype=F64) * (hi - lo) + lo).to(dtype)

    def ints(self, shape, lo=-5, hi=6):
        return torch.randint(lo, hi, shape, generator=self.gen, dtype=I64)

    def bools(self, shape):
        return torch.rand(shape, generator=self.gen) < 0.5


def T(data, dtype=F32):
    return torch.tensor(data, dtype=dtype)


class Inp:
    """one op input: contiguous values (the C side builds them with tg_tensor_new); tr transposes
    it before use (True: dims 0 and 1, or a (d0, d1) pair); rg makes the contiguous tensor a leaf
    that requires grad (default: floating dtypes do)."""

    def __init__(self, t, rg=None, tr=False):
        self.t = t.detach().clone().contiguous()
        self.rg = t.dtype in (F32, F64) if rg is None else rg
        self.tr = tr


def inp(t, rg=None, tr=False):
    return Inp(t, rg, tr)


# ------------------------------------------------------------------ the record format

def record_lines(pairs, bare_empty=True):
    """one record's lines: "key: value"; a multi-line value goes on "|" continuation lines; an
    empty value is written "key:" (bare_empty) or "key: " """
    out = []
    for key, val in pairs:
        first, *rest = str(val).split("\n")
        out.append("%s: %s" % (key, first) if first != "" or not bare_empty else key + ":")
        out.extend("|" + line for line in rest)
    return out


def fixture_text(header, records, bare_empty=True):
    """a fixture file: the header's comment lines, then each record (a dict or a list of pairs)
    followed by a blank line"""
    out = list(header) + [""]
    for rec in records:
        out.extend(record_lines(rec.items() if isinstance(rec, dict) else rec, bare_empty))
        out.append("")
    return "\n".join(out) + "\n"


def write_fixture(outdir, filename, header, records, bare_empty=True):
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, filename), "w") as f:
        f.write(fixture_text(header, records, bare_empty))


def scenario_record(name, **kv):
    """a scenario record: its name, then each value as text (tensors as flat(), bools as 1/0)"""
    r = {"name": name}
    for k, v in kv.items():
        if isinstance(v, torch.Tensor):
            v = flat(v)
        elif isinstance(v, bool):
            v = "1" if v else "0"
        r[k] = str(v)
    return r


def write_scenarios(outdir, filename, records):
    """a scenario fixture "<name>.txt": the line "# generated by tools/fixtures_<name>.py with
    torch <version>", then the records (an empty value is written "key: ")"""
    header = "# generated by tools/fixtures_%s.py with torch %s" % (filename[:-len(".txt")],
                                                                   torch.__version__)
    write_fixture(outdir, filename, [header], records, bare_empty=False)


class Scenarios(list):
    """the records of a scenario fixture, which a test replays by name"""

    def rec(self, name, **kv):
        self.append(scenario_record(name, **kv))

    def run(self, outdir, filename, scenarios):
        """records what scenarios() records (afresh) and writes it with write_scenarios"""
        self.clear()
        scenarios()
        write_scenarios(outdir, filename, self)


def generated_by(filename):
    """the first header line of a case fixture: "<name>.txt" comes from tools/fixtures_<name>.py"""
    return "# %s — generated by tools/fixtures_%s.py with torch %s; do not edit." % (
        filename, filename[:-len(".txt")], torch.__version__)


class CaseWriter:
    """the records of a per-op fixture: unique "op/tag" case names, the op's arguments (each
    generator words them in _arg), the inputs as in<i>_dtype / _shape / _values / _transpose /
    _requires_grad keys (in<i>_none for a None input), the result, the upstream gradient v and
    each input's .grad, or the error's code and PyTorch's text; and a count per KINDS of record,
    which run() puts in the file's header."""

    KINDS = ("ok", "error")
    SUMMARY = {"ok": "forward/backward cases", "gg": "second-derivative cases",
               "error": "error cases", "scenario": "scenarios"}

    def __init__(self):
        self.records = []
        self.names = set()
        self.count = {k: 0 for k in self.KINDS}

    def _name(self, op, tag):
        name = "%s/%s" % (op, tag)
        assert name not in self.names, name
        self.names.add(name)
        return name

    @staticmethod
    def _arg(key, value):
        """an argument's text in the record; None leaves it out"""
        return fmt_scalar(value)

    def _begin(self, op, tag, args, inputs):
        """a new record: its name, op, arguments and inputs; returns the name, the record, the
        inputs' leaves and what the op receives"""
        name = self._name(op, tag)
        rec = [("case", name), ("op", op)]
        for k, v in args.items():
            text = self._arg(k, v)
            if text is not None:
                rec.append((k, text))
        leaves, effs = self._inputs(rec, inputs)
        return name, rec, leaves, effs

    @staticmethod
    def _inputs(rec, inputs):
        """writes the inputs; returns their leaves and what the op receives (None for None)"""
        leaves, effs = [], []
        rec.append(("inputs", str(len(inputs))))
        for i, x in enumerate(inputs):
            if x is None:
                rec.append(("in%d_none" % i, "1"))
                leaves.append(None)
                effs.append(None)
                continue
            leaf = x.t.clone()
            if x.rg:
                leaf.requires_grad_(True)
            if isinstance(x.tr, tuple):
                eff = leaf.transpose(*x.tr)
            else:
                eff = leaf.transpose(0, 1) if x.tr else leaf
            leaves.append(leaf)
            effs.append(eff)
            rec.append(("in%d_dtype" % i, DTYPE_NAMES[x.t.dtype]))
            rec.append(("in%d_shape" % i, fmt_ints(x.t.shape)))
            rec.append(("in%d_values" % i, fmt_values(x.t)))
            if x.tr:
                rec.append(("in%d_transpose" % i, "%d %d" % x.tr if isinstance(x.tr, tuple)
                            else "1"))
            if x.rg:
                rec.append(("in%d_requires_grad" % i, "1"))
        return leaves, effs

    @staticmethod
    def _output(rec, out, prefix="out"):
        rec.append((prefix + "_dtype", DTYPE_NAMES[out.dtype]))
        rec.append((prefix + "_shape", fmt_ints(out.shape)))
        rec.append((prefix + "_values", fmt_values(out)))

    def _result(self, rec, out, grad_fn, *between):
        """the output, whether it requires grad, the pairs `between`, and its grad_fn name"""
        self._output(rec, out)
        rec.append(("out_requires_grad", "1" if out.requires_grad else "0"))
        rec.extend(between)
        rec.append(("grad_fn", grad_fn))

    def _backward(self, rec, name, out, inputs, leaves):
        """out.backward(v) with v = upstream(name, out); records v and the inputs' .grad"""
        v = upstream(name, out)
        out.backward(v)
        rec.append(("v", fmt_values(v)))
        self._grads(rec, inputs, leaves)

    @staticmethod
    def _grads(rec, inputs, leaves):
        """each input's .grad after backward (those requiring grad): values or "none" """
        for i, (x, leaf) in enumerate(zip(inputs, leaves)):
            if x is not None and x.rg:
                g = leaf.grad
                rec.append(("in%d_grad" % i, "none" if g is None else fmt_values(g)))
                assert g is None or (g.shape == leaf.shape and g.dtype == leaf.dtype), rec[0]

    def _ok(self, rec, kind="ok"):
        self.records.append(rec)
        self.count[kind] += 1

    def _error(self, rec, code, msg, kind="error"):
        """an error record: the tg_status class (TG_ERR_<code>) and PyTorch's text, which the C
        library prefixes with "tg_<op>: " """
        rec.append(("code", code))
        rec.append(("error", msg))
        self._ok(rec, kind)

    def _fail(self, name, rec, code, call, text=error_text):
        """runs call(), which must raise: records code and text(the exception)"""
        try:
            call()
        except Exception as e:  # noqa: BLE001 — we record whatever torch raises
            msg = text(e)
        else:
            raise AssertionError("%s: PyTorch raised no error" % name)
        self._error(rec, code, msg)

    def run(self, outdir, filename, *steps):
        """step(self) for each step, then writes the fixture file; returns the counts"""
        for step in steps:
            step(self)
        summary = ", ".join("%d %s" % (n, self.SUMMARY[k]) for k, n in self.count.items())
        write_fixture(outdir, filename, [generated_by(filename), "# %s." % summary],
                      self.records)
        return self.count
