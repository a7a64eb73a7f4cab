// Keel prediction benchmark (Google Benchmark), on the model and rows that
// bench/predict_bench.sh prepares; XGBoost's side is bench/predict_xgboost.cc.
//
//   keel_predict_bench --model M.keel|xgb_model.json --rows rows.f32 [--check xgb_pred.f32]
//                      [--simd off] [gbench flags]
//
// BM_SingleRowLatency: Predictor::PredictRow (P(positive)) on one row at a time, 10,000
// calls cycling over the first 10,000 rows after 200 warm-up calls, each call timed alone;
// counters p50_ns and p99_ns (run with --benchmark_repetitions=3 and read the medians).
// BM_Batch/threads:T: Predictor::PredictBatch on all rows (100,000), rows_per_second.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "model/model_io.h"
#include "model/xgboost_import.h"
#include "predict/compiled_forest.h"
#include "predict/predictor.h"
#include "predict_bench_data.h"

namespace {

struct State {
  std::unique_ptr<keel::Predictor> predictor;
  keel::bench::F32Matrix rows;
};
State* g = nullptr;

void BM_SingleRowLatency(benchmark::State& state) {
  const keel::Predictor& p = *g->predictor;
  const int64_t cols = g->rows.cols;
  const int64_t cycle = std::min<int64_t>(g->rows.rows, 10000);
  double out = 0, sink = 0;
  auto one = [&](int64_t r) {
    p.PredictRow(g->rows.data.data() + r * cols, &out);
    sink += out;
  };
  for (int i = 0; i < 200; ++i) one(i % cycle);
  std::vector<int64_t> t;
  t.reserve(static_cast<size_t>(state.max_iterations));
  int64_t r = 0;
  for (auto _ : state) {
    const int64_t t0 = keel::bench::NowNs();
    one(r);
    const int64_t t1 = keel::bench::NowNs();
    state.SetIterationTime(static_cast<double>(t1 - t0) * 1e-9);
    t.push_back(t1 - t0);
    if (++r == cycle) r = 0;
  }
  benchmark::DoNotOptimize(sink);
  std::sort(t.begin(), t.end());
  state.counters["p50_ns"] = keel::bench::Quantile(t, 0.5);
  state.counters["p99_ns"] = keel::bench::Quantile(t, 0.99);
}
BENCHMARK(BM_SingleRowLatency)->Iterations(10000)->UseManualTime()->Unit(benchmark::kNanosecond);

void BM_Batch(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const auto rows = static_cast<size_t>(g->rows.rows);
  std::vector<double> out(rows);
  for (auto _ : state) {
    keel::Status st = g->predictor->PredictBatch(g->rows.data, rows, out, false, threads);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["rows_per_second"] =
      benchmark::Counter(static_cast<double>(rows) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Batch)->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->Unit(
    benchmark::kMillisecond);

// Removes "--name value" from argv (Google Benchmark refuses flags it does not know).
std::string TakeFlag(int* argc, char** argv, const char* name) {
  for (int i = 1; i + 1 < *argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) {
      std::string v = argv[i + 1];
      for (int j = i; j + 2 <= *argc; ++j) argv[j] = argv[j + 2];
      *argc -= 2;
      return v;
    }
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string model_path = TakeFlag(&argc, argv, "--model");
  const std::string rows_path = TakeFlag(&argc, argv, "--rows");
  const std::string check_path = TakeFlag(&argc, argv, "--check");
  const std::string simd = TakeFlag(&argc, argv, "--simd");  // "off": the portable block loop
  if (model_path.empty() || rows_path.empty()) {
    std::fprintf(stderr,
                 "usage: %s --model M.keel --rows rows.f32 [--check pred.f32] [benchmark flags]\n",
                 argv[0]);
    return 2;
  }
  // An XGBoost JSON model is imported and passed through the .keel format in memory, as
  // `keel import` followed by loading the file would.
  const bool xgboost_json = model_path.ends_with(".json");
  keel::Result<keel::Model> model =
      xgboost_json ? keel::ImportXGBoostFile(model_path) : keel::LoadModel(model_path);
  if (xgboost_json && model.ok()) {
    model = keel::DeserializeModel(keel::SerializeModel(*model), "imported.keel");
  }
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  State state;
  auto p = keel::Predictor::Create(*model);
  if (!p.ok()) {
    std::fprintf(stderr, "%s\n", p.status().ToString().c_str());
    return 1;
  }
  state.predictor = std::move(*p);
  state.rows = keel::bench::ReadF32(rows_path);
  if (static_cast<size_t>(state.rows.cols) != state.predictor->num_features()) {
    std::fprintf(stderr, "rows have %lld columns, the model %zu features\n",
                 static_cast<long long>(state.rows.cols), state.predictor->num_features());
    return 1;
  }
  g = &state;
  if (!check_path.empty()) {
    // The benchmark is only meaningful if Keel predicts what XGBoost predicts.
    const auto want = keel::bench::ReadF32(check_path);
    double worst = 0;
    std::vector<double> out(static_cast<size_t>(state.rows.rows));
    keel::Status st = state.predictor->PredictBatch(state.rows.data, out.size(), out, false, 2);
    for (size_t r = 0; st.ok() && r < out.size() && r < want.data.size(); ++r) {
      worst = std::max(worst, std::abs(out[r] - static_cast<double>(want.data[r])));
    }
    std::fprintf(stderr, "check: max |keel - xgboost| = %.3g over %zu rows\n", worst, out.size());
    if (!st.ok() || worst > 1e-6) return 1;
  }
  if (simd == "off") keel::CompiledForest::SetSimdEnabled(false);
  benchmark::AddCustomContext("keel_block_kernel",
                              keel::CompiledForest::SimdEnabled() ? "avx512" : "portable");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
