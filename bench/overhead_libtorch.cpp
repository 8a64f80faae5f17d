/*
 * overhead_libtorch.cpp — the libtorch (C++) twin of bench/overhead.c: y = y * 1.0001 + 0.5
 * repeated 1000 times (2000 recorded ops) from a 2x2 float32 x that requires grad, then sum +
 * backward, on one intra-op thread. Prints x.grad and y of the validation run and the timings
 * in the same key=value line format; tools/run_bench.sh checks them against tensorgrad's.
 * Built only by `make bench` (needs Debian's libtorch-dev).
 */
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

static const int kSteps = 1000;
static const int kOps = 2 * kSteps;

static torch::Tensor forward(const torch::Tensor &x) {
    torch::Tensor y = x;
    for (int i = 0; i < kSteps; i++) y = y * 1.0001 + 0.5;
    return y;
}

// One forward (+ sum + backward); the graph is freed when y goes out of scope.
static void one_rep(torch::Tensor &x, bool with_backward) {
    torch::Tensor y = forward(x);
    if (with_backward) {
        x.mutable_grad().reset(); // x.grad = None
        y.sum().backward();
    }
}

// Times `runs` runs of `reps` repetitions; returns {median, min} microseconds per op.
static std::pair<double, double> time_it(torch::Tensor &x, bool with_backward, int runs,
                                         int reps) {
    using clock = std::chrono::steady_clock;
    for (int r = 0; r < reps; r++) one_rep(x, with_backward); // warm-up
    std::vector<double> per_op;
    for (int k = 0; k < runs; k++) {
        auto t0 = clock::now();
        for (int r = 0; r < reps; r++) one_rep(x, with_backward);
        std::chrono::duration<double, std::micro> dt = clock::now() - t0;
        per_op.push_back(dt.count() / (static_cast<double>(reps) * kOps));
    }
    std::sort(per_op.begin(), per_op.end());
    size_t n = per_op.size();
    double med = n % 2 ? per_op[n / 2] : 0.5 * (per_op[n / 2 - 1] + per_op[n / 2]);
    return {med, per_op[0]};
}

int main(int argc, char **argv) {
    int runs = argc > 1 ? std::atoi(argv[1]) : 7;
    int reps = argc > 2 ? std::atoi(argv[2]) : 50;
    if (runs < 1 || reps < 1) {
        std::fprintf(stderr, "usage: %s [runs>=1 [reps>=1]]\n", argv[0]);
        return 2;
    }
    torch::set_num_threads(1);

    try {
        // validation run: x = [[1,2],[3,4]]
        torch::Tensor x =
            torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}}, torch::dtype(torch::kFloat32))
                .requires_grad_(true);
        torch::Tensor y = forward(x);
        y.sum().backward();
        torch::Tensor g = x.grad().contiguous();
        torch::Tensor yc = y.detach().contiguous();
        const float *gp = g.data_ptr<float>(), *yp = yc.data_ptr<float>();
        double gv[4], yv[4];
        for (int i = 0; i < 4; i++) { gv[i] = gp[i]; yv[i] = yp[i]; }

        auto fwd = time_it(x, false, runs, reps);
        auto fb = time_it(x, true, runs, reps);

        std::printf("libtorch forward_us_per_op=%.4f forward_min_us_per_op=%.4f "
                    "fwdbwd_us_per_op=%.4f fwdbwd_min_us_per_op=%.4f runs=%d reps=%d "
                    "threads=%d grad=%.9g,%.9g,%.9g,%.9g y=%.9g,%.9g,%.9g,%.9g\n",
                    fwd.first, fwd.second, fb.first, fb.second, runs, reps,
                    static_cast<int>(torch::get_num_threads()), gv[0], gv[1], gv[2], gv[3],
                    yv[0], yv[1], yv[2], yv[3]);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "overhead_libtorch: %s\n", e.what());
        return 1;
    }
    return 0;
}
