"""fixtures_print.py — writes tests/fixtures/print.txt: tensors with the exact repr PyTorch prints.

Records: name, dtype, shape, values (exact: repr(float), decimal ints, 1/0 bools), repr, and
optionally transpose, view_shape/view_strides/view_offset (as_strided), requires_grad and opts
("precision threshold edgeitems linewidth sci_mode"; -1 = inf / None). Fixed seeds.
"""
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import DTYPE_NAMES as NAMES, fmt_ints, fmt_values, generated_by  # noqa: E402
from fixture_common import write_fixture  # noqa: E402


def _set_opts(opts):
    if opts is None:
        torch.set_printoptions(profile="default")
        return
    precision, threshold, edgeitems, linewidth, sci_mode = opts
    torch.set_printoptions(
        precision=precision,
        threshold=math.inf if threshold < 0 else threshold,
        edgeitems=edgeitems,
        linewidth=linewidth,
        sci_mode=None if sci_mode < 0 else bool(sci_mode),
    )


class Writer:
    def __init__(self):
        self.records = []
        self.names = set()

    def add(self, name, t, transpose=False, strided=None, requires_grad=False, opts=None):
        """t is the contiguous tensor the C side builds; the printed tensor is derived from it."""
        assert name not in self.names, name
        self.names.add(name)
        t = t.detach().clone().contiguous()
        shown = t
        if requires_grad:
            t.requires_grad_(True)
            shown = t
        if transpose:
            shown = t.transpose(0, 1)
        if strided is not None:
            size, stride, offset = strided
            shown = torch.as_strided(t, size, stride, offset)
        _set_opts(opts)
        try:
            text = repr(shown)
        finally:
            _set_opts(None)
        rec = [
            ("name", name),
            ("dtype", NAMES[t.dtype]),
            ("shape", fmt_ints(t.shape)),
            ("values", fmt_values(t)),
        ]
        if transpose:
            rec.append(("transpose", "1"))
        if strided is not None:
            rec.append(("view_shape", fmt_ints(size)))
            rec.append(("view_strides", fmt_ints(stride)))
            rec.append(("view_offset", str(offset)))
        if requires_grad:
            rec.append(("requires_grad", "1"))
        if opts is not None:
            rec.append(("opts", " ".join(str(o) for o in opts)))
        rec.append(("repr", text))
        self.records.append(rec)



def T(data, dtype=torch.float32):
    return torch.tensor(data, dtype=dtype)


def golden(w):
    """Every example of spec Part 2.4 that our dtypes support."""
    x = T([[1.0, 3.0], [2.0, 2.0]])
    w.add("golden_leaf_requires_grad", x, requires_grad=True)
    w.add("golden_add_result", x + 2)
    w.add("golden_mul_result", (x + 2) * (x + 2) * 3)
    w.add("golden_mean_result", ((x + 2) * (x + 2) * 3).mean())
    w.add("golden_grad", T([[4.5, 7.5], [6.0, 6.0]]))
    w.add("golden_sci_ratio", T([12.8, 128.0, 0.0128]))
    w.add("golden_ints_in_float", T([1.0, 2.0, 3.0]))
    w.add("golden_fixed", T([1.5, 2.0, 3.0]))
    w.add("golden_round", T([1.12345]))
    w.add("golden_scalar_int_float", T(3.0))
    w.add("golden_scalar_float", T(3.5))
    w.add("golden_scalar_int64", T(3, torch.int64))
    w.add("golden_scalar_bool", T(True, torch.bool))
    w.add("golden_1e-4_float32", T([0.0001]))
    w.add("golden_9e-5", T([0.00009]))
    w.add("golden_1e8", T([1e8]))
    w.add("golden_1e9", T([1e9]))
    w.add("golden_ratio_1000", T([1.0, 1000.0]))
    w.add("golden_ratio_1001", T([1.0, 1001.0]))
    w.add("golden_1e-3", T([1e-3, 1.0]))
    w.add("golden_1e-5", T([1e-5, 1.0]))
    w.add("golden_nonfinite", T([0.0, float("nan"), float("inf"), -float("inf")]))
    w.add("golden_nan_padding", T([1.5, float("nan")]))
    w.add("golden_neg_zero", T([-0.0, 1.0]))
    w.add("golden_mixed_sign", T([100.0, -0.5]))
    w.add("golden_mixed_sign2", T([-1.5, 2.25]))
    w.add("golden_int64", T([1, 2, 3], torch.int64))
    w.add("golden_int64_width", T([-1, 100, 5], torch.int64))
    w.add("golden_bool", T([True, False], torch.bool))
    w.add("golden_float64", T([1.0, 2.0], torch.float64))
    w.add("golden_empty", torch.zeros(0))
    w.add("golden_empty_0x3", torch.zeros(0, 3))
    w.add("golden_empty_int64", torch.zeros(0, dtype=torch.int64))
    w.add("golden_arange10", torch.arange(10))
    w.add("golden_arange2000", torch.arange(2000))
    w.add("golden_arange2000_float", torch.arange(2000.0))
    w.add("golden_ones_2x3x4", torch.ones(2, 3, 4))
    w.add("golden_wrap_2x15", torch.arange(30.0).reshape(2, 15))
    w.add("golden_arange1001_7x143", torch.arange(1001).reshape(7, 143))
    w.add("golden_thirds_requires_grad", torch.arange(6.0) / 3, requires_grad=True)
    w.add("golden_float64_requires_grad", torch.ones(2, 2, dtype=torch.float64) * 2,
          requires_grad=True)
    w.add("golden_scalar_1e-5", T(1e-5))
    w.add("golden_scalar_123456", T(123456.0))
    w.add("golden_123456789", T([123456789.0]))
    w.add("golden_param_like", torch.ones(2), requires_grad=True)
    w.add("golden_opts_sci_false", T([1e-5, 1.0]), opts=(4, 1000, 3, 80, 0))
    w.add("golden_opts_sci_true", T([1.0, 2.0]), opts=(4, 1000, 3, 80, 1))
    w.add("golden_opts_precision2", T([1.12345, 100.0]), opts=(2, 1000, 3, 80, -1))
    w.add("golden_wide_fixed", T([-123.456, 1e5]))
    w.add("golden_1000_1", T([1000.0, 1.0]))
    w.add("golden_1000.5_1", T([1000.5, 1.0]))
    w.add("golden_999.5_1", T([999.5, 1.0]))
    w.add("golden_arange1200_40x30", torch.arange(1200.0).reshape(40, 30))


def thresholds(w):
    """Values at the edges of the mode decisions and of rounding."""
    cases = {
        "amin_1e-4_f64": ([1e-4, 1.0], torch.float64),
        "amin_1.0001e-4": ([1.0001e-4, 0.5], torch.float32),
        "amin_9.9999e-5_f64": ([9.9999e-5, 0.5], torch.float64),
        "amin_0.00011": ([0.00011, 0.1], torch.float32),
        "amax_1e8_f32": ([1e8, 3.0], torch.float32),
        "amax_1e8_f64": ([1e8, 3.0], torch.float64),
        "amax_1e8_plus8_f32": ([1e8 + 8, 3.0], torch.float32),
        "amax_1e8_plus1_f64": ([1e8 + 1, 3.0], torch.float64),
        "amax_99999999_f64": ([99999999.0], torch.float64),
        "amax_1e8_frac_f64": ([99999999.5, 1e5], torch.float64),
        "ratio_1000_frac": ([0.001, 1.0], torch.float32),
        "ratio_1000_frac_f64": ([0.001, 1.0], torch.float64),
        "ratio_1000_int_neg": ([-1.0, 1000.0, -1000.0], torch.float32),
        "ratio_1000.5": ([0.5, 500.25], torch.float32),
        "ratio_just_over": ([0.5, 500.5], torch.float64),
        "round_999.99995": ([999.99995, 1.5], torch.float32),
        "round_999.99995_f64": ([999.99995, 1.5], torch.float64),
        "round_999.99996_f64": ([999.99996, 1.5], torch.float64),
        "round_0.00005": ([0.00005, 0.1], torch.float32),
        "round_0.00015_f64": ([0.00015, 0.1], torch.float64),
        "round_0.000149_f64": ([0.000149999, 0.1], torch.float64),
        "round_9.99995": ([9.99995, -9.99995], torch.float32),
        "round_9.99995_f64": ([9.99995, -9.99995], torch.float64),
        "round_0.99995": ([0.99995, 0.5], torch.float64),
        "round_half_even": ([0.00125, 0.00375, 0.5], torch.float64),
        "round_neg_tiny": ([-0.00004999, 1.0], torch.float64),
        "round_sci_9.99995e5": ([9.99995e5, 1e-3], torch.float64),
        "round_sci_9.99995e-10": ([9.99995e-10, 1.0], torch.float64),
        "sci_e100": ([1e100, 1.0], torch.float64),
        "sci_e-100": ([1e-100, 1.0], torch.float64),
        "sci_e300_mix": ([1e300, -1e-300, 0.0], torch.float64),
        "denorm_f64": ([5e-324, 1.0], torch.float64),
        "denorm_f32": ([1e-45, 1.0], torch.float32),
        "f32_max": ([3.4028234663852886e38, -1.0], torch.float32),
        "f64_max": ([1.7976931348623157e308, 1.0], torch.float64),
        "f64_max_alone": ([1.7976931348623157e308], torch.float64),
        "int_big_f32": ([16777216.0, 16777217.0, 1.0], torch.float32),
        "int_1e8_ratio": ([1e5, 100.0], torch.float32),
        "int_ratio_1001": ([1e5, 99.0], torch.float32),
        "int_neg_zero_mix": ([-0.0, 0.0, -3.0, 12.0], torch.float32),
        "only_zeros": ([0.0, 0.0], torch.float32),
        "only_neg_zeros_f64": ([-0.0, -0.0], torch.float64),
        "only_nonfinite": ([float("nan"), float("inf"), -float("inf")], torch.float32),
        "nan_int_mode": ([float("nan"), 1.0, 2.0], torch.float32),
        "inf_int_mode": ([float("inf"), -float("inf"), 10.0], torch.float32),
        "inf_sci": ([float("inf"), 1e-7, 1.0], torch.float32),
        "nan_sci_wide": ([float("nan"), -1e-7, 1.0], torch.float64),
        "inf_fixed": ([-float("inf"), 0.25], torch.float64),
        "neg_zero_fixed": ([-0.0, 0.5, -0.5], torch.float32),
        "neg_zero_sci": ([-0.0, 1e-6, 1.0], torch.float32),
        "half_ints": ([0.5, 1.5, 2.5, 3.5], torch.float32),
        "point_one": ([0.1, 0.2, 0.3], torch.float32),
        "point_one_f64": ([0.1, 0.2, 0.3], torch.float64),
        "neg_big_int": ([-12345678.0, 1e5], torch.float32),
        "neg_fixed_width": ([-99999.5, 1000.0], torch.float64),
    }
    for name, (vals, dt) in cases.items():
        w.add("thr_" + name, T(vals, dt))
    for name, (vals, dt) in list(cases.items())[:30]:
        if len(vals) >= 1 and not any(isinstance(v, float) and math.isnan(v) for v in vals):
            w.add("thr0d_" + name, T(vals[0], dt))


def random_magnitudes(w, rng):
    specs = [
        ("unit", 0, 0), ("tiny", -8, -5), ("small", -4, -1), ("mid", -2, 3), ("big", 3, 7),
        ("huge", 7, 12), ("wide", -8, 12), ("near1e8", 7.5, 8.5), ("near1e-4", -4.5, -3.5),
    ]
    k = 0
    for label, lo, hi in specs:
        for dt in (torch.float32, torch.float64):
            for trial in range(4):
                n = int(rng.integers(1, 13))
                mags = 10.0 ** rng.uniform(lo, hi, size=n)
                signs = rng.choice([-1.0, 1.0], size=n) if trial % 2 else np.ones(n)
                vals = mags * signs
                if label == "unit":
                    vals = rng.standard_normal(n)
                if trial == 3:
                    vals = np.round(vals)  # integers in float
                w.add("rand_%s_%s_%d" % (label, NAMES[dt], trial), torch.tensor(vals, dtype=dt))
                k += 1
    # mixed with zeros and non-finite values
    for trial in range(8):
        n = int(rng.integers(3, 15))
        vals = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 5)
        vals[rng.integers(0, n)] = 0.0
        if trial % 2:
            vals[rng.integers(0, n)] = float("nan")
        if trial % 3 == 0:
            vals[rng.integers(0, n)] = float("inf") if trial % 4 else -float("inf")
        if trial >= 4:
            vals = np.round(vals)
        dt = torch.float32 if trial % 2 == 0 else torch.float64
        w.add("rand_special_%d" % trial, torch.tensor(vals, dtype=dt))


def shapes(w, rng):
    # 0-d
    for i, v in enumerate([0.0, -0.0, 1.0, -2.5, 1e-7, 12345.678, 1e10, float("nan"),
                           float("inf"), -float("inf"), 0.1]):
        w.add("scalar_f32_%d" % i, T(v))
        w.add("scalar_f64_%d" % i, T(v, torch.float64))
    for i, v in enumerate([0, -1, 7, 2**40, -(2**63), 2**63 - 1]):
        w.add("scalar_int64_%d" % i, T(v, torch.int64))
    w.add("scalar_bool_false", T(False, torch.bool))
    w.add("scalar_requires_grad", T(2.5), requires_grad=True)
    w.add("scalar_requires_grad_f64", T(-1e-9, torch.float64), requires_grad=True)
    # 1-D, lengths 0..30
    for n in range(0, 31):
        w.add("vec_randn_%d" % n, torch.tensor(rng.standard_normal(n), dtype=torch.float32))
        w.add("vec_arange_%d" % n, torch.arange(float(n)) * 7 - 50)
        w.add("vec_int_%d" % n, torch.tensor(rng.integers(-10**(n % 7), 10**(n % 7) + 1, n),
                                             dtype=torch.int64))
    # wide rows that wrap at different widths
    for n, scale in [(9, 1e3), (13, 1.0), (17, 100.0), (25, 1e-6), (40, 1.0), (60, 10.0),
                     (79, 1.0), (80, 1.0), (81, 1.0), (200, 1e6)]:
        w.add("wide_%d_%g" % (n, scale), torch.tensor(rng.standard_normal(n) * scale,
                                                       dtype=torch.float32))
        w.add("wide_int_%d_%g" % (n, scale), torch.tensor(
            np.round(rng.standard_normal(n) * scale * 10), dtype=torch.float64))
    for n in (12, 26, 27, 40):
        w.add("wide_bool_%d" % n, torch.tensor(rng.integers(0, 2, n).astype(bool)))
    # 2-D .. 4-D
    for shp in [(1, 1), (1, 5), (5, 1), (2, 3), (3, 2), (4, 7), (7, 13), (3, 30), (30, 3),
                (2, 3, 4), (1, 1, 1), (3, 1, 5), (2, 2, 2, 2), (2, 3, 2, 4), (1, 2, 1, 3),
                (2, 1, 2, 1, 2), (1, 1, 1, 1, 1, 1, 1, 2), (2, 2, 2, 2, 2, 2, 2, 2)]:
        tag = "x".join(str(s) for s in shp)
        n = int(np.prod(shp))
        w.add("nd_randn_%s" % tag, torch.tensor(rng.standard_normal(n), dtype=torch.float32)
              .reshape(shp))
        w.add("nd_f64_%s" % tag, torch.tensor(rng.standard_normal(n) * 1e4,
                                              dtype=torch.float64).reshape(shp))
        w.add("nd_int_%s" % tag, torch.tensor(rng.integers(-1000, 1000, n)).reshape(shp))
        w.add("nd_bool_%s" % tag, torch.tensor(rng.integers(0, 2, n).astype(bool)).reshape(shp))
    # 1000 vs 1001 elements
    w.add("n1000_vec", torch.arange(1000.0) / 8)
    w.add("n1001_vec", torch.arange(1001.0) / 8)
    w.add("n1000_10x100", torch.arange(1000).reshape(10, 100))
    w.add("n1001_7x143_f", (torch.arange(1001.0) - 500).reshape(7, 143) / 4)
    w.add("n1000_10x10x10", (torch.arange(1000.0) * 3).reshape(10, 10, 10))
    w.add("n1024_4x4x4x4x4", torch.arange(1024).reshape(4, 4, 4, 4, 4))
    # large, summarised
    w.add("big_3x500", (torch.arange(1500.0) - 700).reshape(3, 500) / 16)
    w.add("big_500x3", torch.arange(1500).reshape(500, 3) * 1000003)
    w.add("big_10x10x20", torch.arange(2000.0).reshape(10, 10, 20) / 4)
    w.add("big_2x2x2x200", torch.arange(1600.0).reshape(2, 2, 2, 200))
    w.add("big_7x7x7x7", (torch.arange(2401) - 1200).reshape(7, 7, 7, 7))
    w.add("big_bool_2000", torch.arange(2000) % 3 == 0)
    w.add("big_randn_1200", torch.tensor(rng.standard_normal(1200), dtype=torch.float32))
    w.add("big_randn_f64_30x40", torch.tensor(rng.standard_normal(1200) * 1e-5,
                                               dtype=torch.float64).reshape(30, 40))
    # the edges decide: middle values would change the mode if they were looked at
    mid = torch.ones(2000)
    mid[1000] = 1e-9
    mid[500] = 0.5
    w.add("big_middle_ignored", mid)
    edge = torch.ones(2000)
    edge[-1] = 1e9
    w.add("big_edge_decides", edge)
    m2 = torch.full((50, 50), 2.0)
    m2[25, 25] = 123.456
    m2[0, 25] = -1e-8
    w.add("big_middle_ignored_2d", m2)
    w.add("big_8d", torch.arange(1050.0).reshape(7, 1, 1, 1, 1, 1, 1, 150) / 2)
    w.add("big_int64_wide", torch.arange(-1500, 1500) * 3074457345618258)


def int_bool(w, rng):
    w.add("int64_extremes", T([-(2**63), 2**63 - 1, 0, -1, 1], torch.int64))
    w.add("int64_big_random", torch.tensor(rng.integers(-(2**62), 2**62, 12), dtype=torch.int64))
    w.add("int64_2pow53plus1", T([2**53 + 1, -(2**53) - 3], torch.int64))
    w.add("int64_zeros", torch.zeros(2, 3, dtype=torch.int64))
    w.add("int64_2d_neg", torch.tensor(rng.integers(-50, 5, (4, 6))))
    w.add("bool_all_true", torch.ones(5, dtype=torch.bool))
    w.add("bool_all_false_2d", torch.zeros(2, 3, dtype=torch.bool))
    w.add("bool_3d", torch.tensor(rng.integers(0, 2, (2, 3, 4)).astype(bool)))


def empties(w):
    w.add("empty_0_f64", torch.zeros(0, dtype=torch.float64))
    w.add("empty_0_bool", torch.zeros(0, dtype=torch.bool))
    w.add("empty_0x3_int64", torch.zeros(0, 3, dtype=torch.int64))
    w.add("empty_2x0", torch.zeros(2, 0))
    w.add("empty_2x0_bool", torch.zeros(2, 0, dtype=torch.bool))
    w.add("empty_2x0x3_f64", torch.zeros(2, 0, 3, dtype=torch.float64))
    w.add("empty_1x1x0", torch.zeros(1, 1, 0))
    w.add("empty_requires_grad", torch.zeros(0), requires_grad=True)
    w.add("empty_0x3_requires_grad_f64", torch.zeros(0, 3, dtype=torch.float64),
          requires_grad=True)


def suffixes(w):
    # the suffix wraps when len(last line) + 2 + len(suffix) + 2 > 80
    for n in range(1, 13):
        w.add("suffix_thirds_%d" % n, torch.arange(float(n)) / 3, requires_grad=True)
        w.add("suffix_thirds_f64_%d" % n, torch.arange(float(n), dtype=torch.float64) / 3,
              requires_grad=True)
        w.add("suffix_f64_%d" % n, torch.arange(float(n), dtype=torch.float64) * 1.25)
    for n in (9, 10, 11, 12, 13, 14, 20):
        w.add("suffix_2d_%d" % n, (torch.arange(2.0 * n) / 7).reshape(2, n), requires_grad=True)
        w.add("suffix_2d_f64_%d" % n, (torch.arange(2.0 * n, dtype=torch.float64) / 7)
              .reshape(2, n), requires_grad=True)
    w.add("suffix_big_f64", torch.arange(3000.0, dtype=torch.float64), requires_grad=True)


def views(w, rng):
    for shp in [(2, 3), (3, 2), (1, 4), (4, 1), (5, 7), (2, 3, 4), (3, 1, 2, 2), (40, 30),
                (3, 500)]:
        n = int(np.prod(shp))
        tag = "x".join(str(s) for s in shp)
        w.add("transpose_f32_%s" % tag, torch.arange(float(n)).reshape(shp) / 4 - 3,
              transpose=True)
    w.add("transpose_f64_rand", torch.tensor(rng.standard_normal((4, 6)), dtype=torch.float64),
          transpose=True)
    w.add("transpose_int64", torch.tensor(rng.integers(-100, 100, (3, 5))), transpose=True)
    w.add("transpose_bool", torch.tensor(rng.integers(0, 2, (3, 4)).astype(bool)),
          transpose=True)
    w.add("transpose_edges", torch.cat([torch.ones(10, 200), torch.full((10, 200), 1e-7)])
          .reshape(20, 200), transpose=True)
    base = torch.arange(60.0) / 5 - 2
    w.add("strided_offset_vec", base, strided=((5,), (2,), 7))
    w.add("strided_offset_2d", base, strided=((3, 4), (10, 2), 3))
    w.add("strided_broadcast", base, strided=((3, 4), (0, 1), 11))
    w.add("strided_scalar_offset", base, strided=((), (), 17))
    w.add("strided_empty", base, strided=((0, 4), (4, 1), 5))
    w.add("strided_3d", base, strided=((2, 3, 2), (1, 15, 5), 4))
    big = torch.arange(2500.0) - 1000
    w.add("strided_big_2d", big, strided=((45, 50), (50, 1), 100))
    w.add("strided_big_transposed", big, strided=((50, 45), (1, 50), 17))
    w.add("strided_big_stride0", big, strided=((1200,), (0,), 1234))
    w.add("strided_int64", torch.arange(100) * -7, strided=((4, 5), (1, 13), 9))


def options(w, rng):
    v = torch.tensor(rng.standard_normal(20) * 100, dtype=torch.float32)
    w.add("opts_precision0", v, opts=(0, 1000, 3, 80, -1))
    w.add("opts_precision2", v, opts=(2, 1000, 3, 80, -1))
    w.add("opts_precision8_f64", v.double(), opts=(8, 1000, 3, 80, -1))
    w.add("opts_precision0_sci", v * 1e-6, opts=(0, 1000, 3, 80, -1))
    w.add("opts_linewidth40", v, opts=(4, 1000, 3, 40, -1))
    w.add("opts_linewidth1", v[:5], opts=(4, 1000, 3, 1, -1))
    w.add("opts_linewidth200", v, opts=(4, 1000, 3, 200, -1))
    w.add("opts_threshold5", torch.arange(10), opts=(4, 5, 3, 80, -1))
    w.add("opts_threshold5_edge1", torch.arange(24.0).reshape(2, 3, 4), opts=(4, 5, 1, 80, -1))
    w.add("opts_edge2_short", torch.arange(300.0).reshape(3, 100) / 7, opts=(2, 10, 2, 80, -1))
    w.add("opts_full", torch.arange(1500.0), opts=(4, -1, 3, 80, -1))
    w.add("opts_sci_false_int", T([1.0, 1e9]), opts=(4, 1000, 3, 80, 0))
    w.add("opts_sci_true_int", T([1.0, 3.0, 0.0]), opts=(4, 1000, 3, 80, 1))
    w.add("opts_sci_true_zeros", T([0.0, float("nan")]), opts=(4, 1000, 3, 80, 1))
    w.add("opts_sci_false_tiny", T([1e-7, -2.0]), opts=(4, 1000, 3, 80, 0))
    w.add("opts_short_suffix", torch.arange(8.0, dtype=torch.float64) / 3, requires_grad=True,
          opts=(2, 1000, 2, 40, -1))


def generate(outdir):
    torch.manual_seed(0)
    rng = np.random.default_rng(20240613)
    torch.set_printoptions(profile="default")
    w = Writer()
    golden(w)
    thresholds(w)
    random_magnitudes(w, rng)
    shapes(w, rng)
    int_bool(w, rng)
    empties(w)
    suffixes(w)
    views(w, rng)
    options(w, rng)
    write_fixture(outdir, "print.txt", [generated_by("print.txt")], w.records)
    return len(w.records)


if __name__ == "__main__":
    n = generate(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures")
    print("print.txt: %d records" % n)
