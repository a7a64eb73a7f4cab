// XGBoost's side of the TreeSHAP benchmark, through its C API (Debian's libxgboost-dev),
// timed like bench/shap_bench.cc times Keel.
//
//   shap_xgboost MODEL.json rows.f32 [repeats=3] [latency_calls=2000]
//
// Batch: XGDMatrixCreateFromMat on all rows once (not timed: Keel's rows are in memory too),
// then XGBoosterPredictFromDMatrix with "type": 2 (exact TreeSHAP, what pred_contribs=True
// runs) with nthread 1 and 2, repeated for at least 1 s per repetition; rows/s.
// Single row: per call, a 1-row DMatrix from the row (XGBoost has no in-place contributions
// path) and one PredictFromDMatrix type 2, nthread=1; 200 warm-up calls, then latency_calls
// calls cycling over the rows, each timed alone. Prints one JSON object per measurement;
// medians over `repeats` repetitions.
#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
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

const char* kContribs =
    "{\"type\": 2, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
    "\"strict_shape\": false}";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL.json rows.f32 [repeats=3] [latency_calls=2000]\n",
                 argv[0]);
    return 2;
  }
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  const int calls = argc > 4 ? std::atoi(argv[4]) : 2000;
  const auto rows = keel::bench::ReadF32(argv[2]);
  BoosterHandle booster;
  Check(XGBoosterCreate(nullptr, 0, &booster));
  Check(XGBoosterLoadModel(booster, argv[1]));
  int major, minor, patch;
  XGBoostVersion(&major, &minor, &patch);
  std::printf("{\"xgboost\": \"%d.%d.%d\", \"rows\": %lld, \"cols\": %lld}\n", major, minor, patch,
              static_cast<long long>(rows.rows), static_cast<long long>(rows.cols));
  const bst_ulong* shape;
  bst_ulong dim;
  const float* result;
  double sink = 0;

  // Batch.
  DMatrixHandle all;
  Check(XGDMatrixCreateFromMat(rows.data.data(), static_cast<bst_ulong>(rows.rows),
                               static_cast<bst_ulong>(rows.cols), NAN, &all));
  for (int threads : {1, 2}) {
    Check(XGBoosterSetParam(booster, "nthread", std::to_string(threads).c_str()));
    Check(XGBoosterPredictFromDMatrix(booster, all, kContribs, &shape, &dim, &result));
    std::vector<double> rates;
    for (int rep = 0; rep < repeats; ++rep) {
      int64_t done = 0;
      const int64_t t0 = keel::bench::NowNs();
      int64_t t1 = t0;
      while (t1 - t0 < 1000000000LL) {
        Check(XGBoosterPredictFromDMatrix(booster, all, kContribs, &shape, &dim, &result));
        sink += result[0];
        done += rows.rows;
        t1 = keel::bench::NowNs();
      }
      rates.push_back(static_cast<double>(done) / (static_cast<double>(t1 - t0) * 1e-9));
    }
    std::printf("{\"bench\": \"batch\", \"threads\": %d, \"rows_per_second\": %.1f}\n", threads,
                Median(rates));
  }
  Check(XGDMatrixFree(all));

  // Single row, one thread.
  Check(XGBoosterSetParam(booster, "nthread", "1"));
  auto explain_row = [&](int64_t r) {
    DMatrixHandle one;
    Check(XGDMatrixCreateFromMat(rows.data.data() + r * rows.cols, 1,
                                 static_cast<bst_ulong>(rows.cols), NAN, &one));
    Check(XGBoosterPredictFromDMatrix(booster, one, kContribs, &shape, &dim, &result));
    sink += result[0];
    Check(XGDMatrixFree(one));
  };
  std::vector<double> med, p99;
  for (int rep = 0; rep < repeats; ++rep) {
    const auto l =
        keel::bench::MeasureLatency(explain_row, std::min<int64_t>(rows.rows, 10000), calls);
    med.push_back(l.median_ns);
    p99.push_back(l.p99_ns);
  }
  std::printf("{\"bench\": \"single_row\", \"median_ns\": %.1f, \"p99_ns\": %.1f}\n", Median(med),
              Median(p99));
  std::fprintf(stderr, "(checksum %g)\n", sink);
  XGBoosterFree(booster);
  return 0;
}
