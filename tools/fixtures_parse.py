"""fixtures_parse.py — writes tests/fixtures/parse.txt: tensor literals as torch.tensor reads them.

Each literal is evaluated as Python (bare inf / nan stand for float('inf') / float('nan')) and
given to torch.tensor(..., dtype=...) for float32, float64, int64 and bool. Records:
  literal, dtype, shape (sizes, empty for 0-d), values (repr(float) / ints / 1 0)   on success;
  literal, dtype, error (torch's or Python's exception), message (tg_tensor_parse's exact text)
  on failure. Malformed literals that Python rejects carry tensorgrad's own position message.
Run with Debian's python3-torch:  /usr/bin/python3 tools/fixtures_parse.py tests/fixtures
"""
import os
import re
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import DTYPES, fmt_ints, fmt_values, record_lines  # noqa: E402

PREFIX = "tg_tensor_parse: "

DBL_MAX_INT = 2**1024 - 2**970 - 1  # rounds to DBL_MAX
DBL_HALF_UP = 2**1024 - 2**970  # the halfway point: rounds to 2^1024, so overflows

# Literals torch accepts for at least one dtype. A second item names the offending scalar's text
# for dtypes where the value does not convert (overflow); the message then carries its position.
LITERALS = [
    "[[1, 3], [2, 2]]",
    "3.5",
    "-7",
    "0",
    "[1, 2, 3]",
    "[1., .5, 1e-3, -2.5E+4, +3, 1E5, 0.25e2]",
    "[True, False]",
    "True",
    "False",
    ("[inf, -inf, nan]", "inf"),
    ("-inf", "-inf"),
    ("nan", "nan"),
    "[[1, 2,], [3, 4,],]",
    "[]",
    "[[], []]",
    "[[]]",
    "[[[]]]",
    "()",
    "(1, 2)",
    "(1,)",
    "((1, 2), (3, 4))",
    "[(1, 2), [3, 4]]",
    "(3.5)",
    "[(1), (((2)))]",
    "-(1)",
    "-(-(2.5))",
    "[- 1, + 2, --3, -+4, - - -5]",
    "  \n [ 1 ,\n\t2 ]  \n",
    "[\n  [1, 2],\n  [3, 4]\n]",
    "9007199254740993",
    "[9223372036854775807, -9223372036854775808]",
    "[16777217, 16777216, 16777215]",
    "[1.7, -1.7, 2.5, -0.5, 0.9999]",
    "[0.1, 0.2, 0.3, 1e-8]",
    "[-0.0, 0.0, -0, +0.0]",
    ("[1e308, 1e309, 1e-400, 5e-324]", "1e308"),
    ("[3.4028235e38, 3.5e38, 1e-46, 1.4e-45]", "3.4028235e38"),
    "[0x10, 0o17, 0b101, 1_000, 0_0, 00]",
    "[1_000.5, 1e1_0, 0x_ff, 0XFF, 0B11, 0O7, 00.5, 09.5]",
    "[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]",
    "[[[[[[[[1]]]]]]]]",
    "[[[[[[[[1, 2]]]]]]], [[[[[[[3, 4]]]]]]]]",
    "[[], 1]",
    "[[], [1, 2]]",
    "[[[], []], []]",
    "[1, True, 2.5]",
    "[-True, +False, -False]",
    ("[1e20, -1e20]", "1e20"),
    ("[9223372036854775808]", "9223372036854775808"),
    ("[-9223372036854775809]", "-9223372036854775809"),
    ("[--9223372036854775808]", "--9223372036854775808"),
    ("[0xffffffffffffffff, 18446744073709551616]", "0xffffffffffffffff"),
    ("[" + str(DBL_MAX_INT) + "]", str(DBL_MAX_INT)),
    ("[" + str(DBL_HALF_UP) + "]", str(DBL_HALF_UP)),
    ("[0x" + "f" * 300 + "]", "0x" + "f" * 300),
    "[0b1" + "1" * 53 + ", 0b1" + "0" * 52 + "1" + "0" * 5 + "1]",
    ("[0o1" + "7" * 20 + ", 0o1" + "7" * 21 + "]", "0o1" + "7" * 21),
    ("[100000000000000000000000000000000000001]", "100000000000000000000000000000000000001"),
    "[0.1000000000000000055511151231257827021181583404541015625]",
    "[9007199254740993.0, 9007199254740993." + "0" * 900 + "1]",
    "[1." + "0" * 850 + "1, 0." + "0" * 850 + "1e851]",
    "[1e-99999999999999999999, 0e99999999999999]",
    ("[1e99999999999999999999]", "1e99999999999999999999"),
    ("[[1, 2], [3]]", None),
    ("[[1], [2, 3]]", None),
    ("[[1], []]", None),
    ("[[[1, 2], [3, 4]], [[5, 6], [7]]]", None),
    ("[[[1, 2], [3, 4]], [[5, 6]]]", None),
    ("[[1, 2], (3,)]", None),
    ("[[1, 2], 3]", None),
    ("[1, [2]]", None),
    ("[1, (2,)]", None),
    ("((1, 2), 3)", None),
    ("[1, []]", None),
    ("[[1, 2], [3, [4]]]", None),
    ("[[9223372036854775808, 1], [1]]", "9223372036854775808"),
    ("[[1, 2], [3], 1e400]", None),
]

# Malformed literals: (literal, tensorgrad's message without the prefix, who else rejects it):
# "python" (SyntaxError, NameError or TypeError while evaluating the literal), "torch" (Python
# accepts it, torch.tensor raises for every dtype) or "limit" (a tensorgrad limit: nesting).
MALFORMED = [
    ("", "empty input: expected a value at position 0, found end of input", "python"),
    ("  \n\t", "empty input: expected a value at position 4, found end of input", "python"),
    ("[1, 2",
     "unterminated list: expected ',' or ']' at position 5, found end of input "
     "('[' at position 0 is never closed)", "python"),
    ("[[1, 2], [3,",
     "unterminated list: expected a value or ']' at position 12, found end of input "
     "('[' at position 9 is never closed)", "python"),
    ("(1, 2",
     "unterminated tuple: expected ',' or ')' at position 5, found end of input "
     "('(' at position 0 is never closed)", "python"),
    ("[-",
     "unterminated list: expected a value at position 2, found end of input "
     "('[' at position 0 is never closed)", "python"),
    ("[1, 2)", "unexpected character: expected ',' or ']' at position 5, found ')'", "python"),
    ("(1, 2]", "unexpected character: expected ',' or ')' at position 5, found ']'", "python"),
    ("[1 2]", "unexpected character: expected ',' or ']' at position 3, found '2'", "python"),
    ("[1,,2]", "unexpected character: expected a value or ']' at position 3, found ','", "python"),
    ("[,]", "unexpected character: expected a value or ']' at position 1, found ','", "python"),
    ("(,)", "unexpected character: expected a value or ')' at position 1, found ','", "python"),
    ("(1,,)", "unexpected character: expected a value or ')' at position 3, found ','", "python"),
    ("[1, @]", "unexpected character: expected a value or ']' at position 4, found '@'", "python"),
    ("[1, 'a']", "unexpected character: expected a value or ']' at position 4, found '\\''",
     "torch"),
    ("[1, \u00d7]", "unexpected character: expected a value or ']' at position 4, found '\\xc3'",
     "python"),
    ("[-]", "unexpected character: expected a value at position 2, found ']'", "python"),
    ("-", "unexpected end of input: expected a value at position 1, found end of input", "python"),
    ("- -", "unexpected end of input: expected a value at position 3, found end of input", "python"),
    ("[1, 2]]", "trailing garbage: expected end of input at position 6, found ']'", "python"),
    ("[1]\n]", "trailing garbage: expected end of input at position 4, found ']'", "python"),
    ("1 2", "trailing garbage: expected end of input at position 2, found '2'", "python"),
    ("[1] 2", "trailing garbage: expected end of input at position 4, found '2'", "python"),
    ("[1.2.3]", "invalid number at position 1: found '1.2.3'", "python"),
    ("[1e]", "invalid number at position 1: found '1e'", "python"),
    ("[1e+]", "invalid number at position 1: found '1e+'", "python"),
    ("[01]", "invalid number at position 1: found '01'", "python"),
    ("[0_1]", "invalid number at position 1: found '0_1'", "python"),
    ("[1__0]", "invalid number at position 1: found '1__0'", "python"),
    ("[1_]", "invalid number at position 1: found '1_'", "python"),
    ("[1_.5]", "invalid number at position 1: found '1_.5'", "python"),
    ("[1._5]", "invalid number at position 1: found '1._5'", "python"),
    ("[1e_5]", "invalid number at position 1: found '1e_5'", "python"),
    ("[0x]", "invalid number at position 1: found '0x'", "python"),
    ("[0xg]", "invalid number at position 1: found '0xg'", "python"),
    ("[0o8]", "invalid number at position 1: found '0o8'", "python"),
    ("[0b2]", "invalid number at position 1: found '0b2'", "python"),
    ("[0x_]", "invalid number at position 1: found '0x_'", "python"),
    ("[.]", "invalid number at position 1: found '.'", "python"),
    ("[1x]", "invalid number at position 1: found '1x'", "python"),
    ("[1e5.5]", "invalid number at position 1: found '1e5.5'", "python"),
    ("[2, 3, 1" + "0" * 60 + "z]",
     "invalid number at position 7: found '1" + "0" * 39 + "...'", "python"),
    ("[true]",
     "unknown name at position 1: found 'true' (expected True, False, inf or nan)", "python"),
    ("[None]",
     "unknown name at position 1: found 'None' (expected True, False, inf or nan)", "torch"),
    ("Infinity",
     "unknown name at position 0: found 'Infinity' (expected True, False, inf or nan)", "python"),
    ("[Truex]",
     "unknown name at position 1: found 'Truex' (expected True, False, inf or nan)", "python"),
    ("[[[[[[[[[1]]]]]]]]]",
     "too many dimensions: expected at most 8 nested brackets at position 8, found '['", "limit"),
    ("[[[[[[[[(1)]]]]]]]]",
     "too many dimensions: expected at most 8 nested brackets at position 8, found '('", "limit"),
    ("-[1]", "bad operand type for unary -: 'list' at position 0", "python"),
    ("+(1,)", "bad operand type for unary +: 'tuple' at position 0", "python"),
    ("[1, - +[2]]", "bad operand type for unary +: 'list' at position 6", "python"),
    ("[-[-[1]], -[2]]", "bad operand type for unary -: 'list' at position 3", "python"),
    ("[-[1], 2 3]", "unexpected character: expected ',' or ']' at position 9, found '3'", "python"),
]


def _pyeval(lit):
    """The literal as torch.tensor(<literal>, dtype=...) sees it: inside the call's parentheses
    (so newlines are fine), with bare inf / nan standing for float('inf') / float('nan')."""
    if not lit.strip():
        raise SyntaxError("empty argument")
    src = re.sub(r"\b(inf|nan)\b", lambda m: "float('%s')" % m.group(1), lit)
    return eval("(" + src + "\n)", {"__builtins__": {"float": float}})


VALUE_ERRORS = (
    "Overflow when unpacking long",
    "value cannot be converted to type int64 without overflow",
    "int too large to convert to float",
)


def _torch_message(lit, exc, token):
    msg = str(exc)
    if msg in VALUE_ERRORS:
        if token is None:
            raise RuntimeError("%r: value error %r needs the offending token" % (lit, msg))
        pos = lit.index(token)
        shown = token if len(token) <= 40 else token[:40] + "..."
        return PREFIX + "%s at position %d: found '%s'" % (msg, pos, shown)
    return PREFIX + msg


def _record(out, pairs):
    out.append("\n".join(record_lines(pairs)))


def generate(outdir):
    out = []
    n_ok = n_err = 0
    for entry in LITERALS:
        lit, token = (entry, None) if isinstance(entry, str) else entry
        for name, dt in DTYPES.items():
            try:
                t = torch.tensor(_pyeval(lit), dtype=dt)
            except Exception as e:  # torch's own message
                _record(out, [("literal", lit), ("dtype", name),
                              ("error", "%s: %s" % (type(e).__name__, e)),
                              ("message", _torch_message(lit, e, token))])
                n_err += 1
                continue
            if name == "int64" and any(
                    isinstance(v, float) and v == 2.0**63 for v in _flatten(_pyeval(lit))):
                continue  # torch casts 2^63 with undefined behaviour; tensorgrad refuses it
            _record(out, [("literal", lit), ("dtype", name),
                          ("shape", fmt_ints(t.shape)),
                          ("values", fmt_values(t))])
            n_ok += 1
    for lit, msg, kind in MALFORMED:
        err = None
        try:
            value = _pyeval(lit)
        except (SyntaxError, NameError, TypeError) as e:
            err = "%s: %s" % (type(e).__name__, str(e).split(" (<string>")[0])
            if isinstance(e, TypeError):
                assert msg.startswith(str(e)), (lit, str(e))
        assert (err is not None) == (kind == "python"), (lit, err)
        if kind == "torch":
            for dt in DTYPES.values():
                try:
                    torch.tensor(value, dtype=dt)
                    raise AssertionError("torch accepts %r" % lit)
                except (TypeError, ValueError, RuntimeError) as e:
                    err = err or "%s: %s" % (type(e).__name__, e)
        _record(out, [("literal", lit), ("dtype", "float32"),
                      ("error", err or "(tensorgrad limit; Python and torch accept it)"),
                      ("message", PREFIX + msg)])
        n_err += 1
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "parse.txt"), "w", encoding="utf-8") as f:
        f.write("# generated by tools/fixtures_parse.py with torch %s: %d tensors, %d errors\n\n"
                % (torch.__version__, n_ok, n_err))
        f.write("\n\n".join(out) + "\n")
    return n_ok, n_err


def _flatten(x):
    if isinstance(x, (list, tuple)):
        for y in x:
            yield from _flatten(y)
    else:
        yield x


if __name__ == "__main__":
    print("parse.txt: %d tensors, %d errors" % generate(sys.argv[1]))
