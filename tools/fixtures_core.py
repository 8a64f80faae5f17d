"""fixtures_core.py — creation ops, accessors and their errors, as PyTorch gives them (core.txt).

Each record has a name that tests/test_core.c replays; `values`/`shape`/`dtype` hold results and
`error` holds torch's message (the C library prefixes it with the function name).
Run: /usr/bin/python3 tools/fixtures_core.py tests/fixtures
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import DTYPE_NAMES, err as err_text, flat, fmt_ints  # noqa: E402
from fixture_common import write_scenarios  # noqa: E402


def generate(outdir):
    recs = []

    def val(name, t):
        recs.append({"name": name, "dtype": DTYPE_NAMES[t.dtype], "shape": fmt_ints(t.shape),
                     "values": flat(t), "repr": repr(t)})

    def err(name, f):
        msg = err_text(f)
        # 1.13's Python layer renames the C++ type in expand's message; 2.x prints it as is
        for legacy, cpp in (("torch.FloatTensor{", "CPUFloatType{"),
                            ("torch.DoubleTensor{", "CPUDoubleType{")):
            msg = msg.replace(legacy, cpp)
        recs.append({"name": name, "error": msg})

    val("arange_int", torch.arange(0, 10, 3))
    val("arange_float", torch.arange(0, 1, 0.3))
    val("arange_neg", torch.arange(5, -1, -2.5))
    val("arange_f64", torch.arange(5, dtype=torch.float64))
    val("full", torch.full((2, 3), 2.5))
    val("full_int", torch.full((2,), 7, dtype=torch.int64))
    val("zeros_bool", torch.zeros(3, dtype=torch.bool))
    val("ones_f64", torch.ones(2, 2, dtype=torch.float64))
    val("scalar", torch.tensor(3.5))
    val("empty_shape", torch.zeros(0, 3))
    val("zeros_like", torch.zeros_like(torch.ones(2, 3, dtype=torch.float64)))
    val("ones_like", torch.ones_like(torch.zeros(4, dtype=torch.int64)))
    err("negative_dim", lambda: torch.zeros(2, -1))
    err("arange_step0", lambda: torch.arange(0, 10, 0))
    err("arange_sign", lambda: torch.arange(10, 0, 1))
    err("arange_bool", lambda: torch.arange(0, 3, dtype=torch.bool))
    err("rand_long", lambda: torch.rand(2, dtype=torch.long))
    err("randn_long", lambda: torch.randn(2, dtype=torch.long))
    err("size_dim", lambda: torch.ones(2, 3).size(2))
    err("expand_mismatch", lambda: torch.ones(2, 3).expand(3, 3))
    err("expand_fewer", lambda: torch.ones(2, 3).expand(3))
    err("expand_leading_neg", lambda: torch.ones(2, 3).expand(-1, 2, 3))
    err("unsqueeze_dim", lambda: torch.ones(2, 3).unsqueeze(3))
    write_scenarios(outdir, "core.txt", recs)


if __name__ == "__main__":
    generate(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures")
