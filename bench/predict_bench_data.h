// Shared by the prediction benchmarks (Keel's and XGBoost's): the row file format and the
// single-row latency measurement, so both sides are timed the same way.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace keel::bench {

// int64 rows, int64 cols, then rows*cols little-endian float32, row-major (the format of
// /work/shared/bench and bench/predict_make_model.py).
struct F32Matrix {
  int64_t rows = 0, cols = 0;
  std::vector<float> data;
};

inline F32Matrix ReadF32(const std::string& path) {
  F32Matrix m;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    std::exit(1);
  }
  if (std::fread(&m.rows, 8, 1, f) != 1 || std::fread(&m.cols, 8, 1, f) != 1 || m.rows < 0 ||
      m.cols < 0) {
    std::fprintf(stderr, "bad header in %s\n", path.c_str());
    std::exit(1);
  }
  m.data.resize(static_cast<size_t>(m.rows * m.cols));
  if (std::fread(m.data.data(), 4, m.data.size(), f) != m.data.size()) {
    std::fprintf(stderr, "short read in %s\n", path.c_str());
    std::exit(1);
  }
  std::fclose(f);
  return m;
}

inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Quantile q of sorted samples (linear interpolation), in nanoseconds.
inline double Quantile(const std::vector<int64_t>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return static_cast<double>(sorted[lo]) +
         (static_cast<double>(sorted[hi] - sorted[lo])) * (pos - static_cast<double>(lo));
}

// The single-row protocol of both programs: `warmup` untimed calls, then `calls` calls each
// timed alone, cycling over the first `cycle` rows.
struct Latency {
  double median_ns = 0, p99_ns = 0, mean_ns = 0;
};

template <typename Fn>
Latency MeasureLatency(Fn&& predict_row, int64_t cycle, int calls = 10000, int warmup = 200) {
  for (int i = 0; i < warmup; ++i) predict_row(i % cycle);
  std::vector<int64_t> t(static_cast<size_t>(calls));
  double sum = 0;
  for (int i = 0; i < calls; ++i) {
    const int64_t t0 = NowNs();
    predict_row(i % cycle);
    const int64_t t1 = NowNs();
    t[static_cast<size_t>(i)] = t1 - t0;
    sum += static_cast<double>(t1 - t0);
  }
  std::sort(t.begin(), t.end());
  return {Quantile(t, 0.5), Quantile(t, 0.99), sum / calls};
}

}  // namespace keel::bench
