// XGBoost's side of the prediction benchmark, through its C API (Debian's libxgboost-dev),
// timed like bench/predict_bench.cc times Keel.
//
//   predict_xgboost MODEL.json rows.f32 [repeats=3]
//
// Single row: XGBoosterPredictFromDense on a 1 x cols buffer (array interface built once;
// the row copied in per call, as a server would), nthread=1; 200 warm-up calls, then 10,000
// calls cycling over the first 10,000 rows, each timed alone. Batch: XGBoosterPredictFromDense
// on all rows with nthread 1 and 2, repeated for at least 1 s per repetition. Prints one
// JSON object per measurement; medians over `repeats` repetitions.
#include <xgboost/c_api.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "predict_bench_data.h"

namespace {

void Check(int rc) {
  if (rc != 0) {
    std::fprintf(stderr, "xgboost: %s\n", XGBGetLastError());
    std::exit(1);
  }
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

std::string ArrayInterface(const float* data, int64_t rows, int64_t cols) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"data\": [%llu, true], \"shape\": [%lld, %lld], \"typestr\": \"<f4\", "
                "\"version\": 3}",
                static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(data)),
                static_cast<long long>(rows), static_cast<long long>(cols));
  return buf;
}

const char* kConfig =
    "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
    "\"strict_shape\": false, \"cache_id\": 0, \"missing\": NaN}";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL.json rows.f32 [repeats=3]\n", argv[0]);
    return 2;
  }
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  const auto rows = keel::bench::ReadF32(argv[2]);
  BoosterHandle booster;
  Check(XGBoosterCreate(nullptr, 0, &booster));
  Check(XGBoosterLoadModel(booster, argv[1]));
  int major, minor, patch;
  XGBoostVersion(&major, &minor, &patch);
  std::printf("{\"xgboost\": \"%d.%d.%d\", \"rows\": %lld, \"cols\": %lld}\n", major, minor, patch,
              static_cast<long long>(rows.rows), static_cast<long long>(rows.cols));

  // Single row, one thread.
  Check(XGBoosterSetParam(booster, "nthread", "1"));
  std::vector<float> buf(static_cast<size_t>(rows.cols));
  const std::string one = ArrayInterface(buf.data(), 1, rows.cols);
  const bst_ulong* shape;
  bst_ulong dim;
  const float* result;
  double sink = 0;
  auto predict_row = [&](int64_t r) {
    std::memcpy(buf.data(), rows.data.data() + r * rows.cols, buf.size() * sizeof(float));
    Check(XGBoosterPredictFromDense(booster, one.c_str(), kConfig, nullptr, &shape, &dim, &result));
    sink += result[0];
  };
  std::vector<double> med, p99;
  for (int rep = 0; rep < repeats; ++rep) {
    const auto l = keel::bench::MeasureLatency(predict_row, std::min<int64_t>(rows.rows, 10000));
    med.push_back(l.median_ns);
    p99.push_back(l.p99_ns);
  }
  std::printf("{\"bench\": \"single_row\", \"median_ns\": %.1f, \"p99_ns\": %.1f}\n", Median(med),
              Median(p99));

  // Batch.
  const std::string all = ArrayInterface(rows.data.data(), rows.rows, rows.cols);
  for (int threads : {1, 2}) {
    Check(XGBoosterSetParam(booster, "nthread", std::to_string(threads).c_str()));
    Check(XGBoosterPredictFromDense(booster, all.c_str(), kConfig, nullptr, &shape, &dim, &result));
    std::vector<double> rates;
    for (int rep = 0; rep < repeats; ++rep) {
      int64_t done = 0;
      const int64_t t0 = keel::bench::NowNs();
      int64_t t1 = t0;
      while (t1 - t0 < 1000000000LL) {
        Check(XGBoosterPredictFromDense(booster, all.c_str(), kConfig, nullptr, &shape, &dim,
                                        &result));
        sink += result[0];
        done += rows.rows;
        t1 = keel::bench::NowNs();
      }
      rates.push_back(static_cast<double>(done) / (static_cast<double>(t1 - t0) * 1e-9));
    }
    std::printf("{\"bench\": \"batch\", \"threads\": %d, \"rows_per_second\": %.1f}\n", threads,
                Median(rates));
  }
  std::fprintf(stderr, "(checksum %g)\n", sink);
  XGBoosterFree(booster);
  return 0;
}
