// Keel TreeSHAP benchmark (Google Benchmark), on the model and rows bench/shap_bench.sh
// prepares; XGBoost's side (its C API, pred_contribs) is bench/shap_xgboost.cc.
//
//   keel_shap_bench --model model.json --rows X_test.f32 [--check contribs.f32] [gbench flags]
//
// The XGBoost JSON model is imported in memory (what `keel import` does) and explained with
// the default explainer (subset tables where they fit, else leaf polynomials); --algorithm
// polynomial forces leaf polynomials everywhere.
// BM_ExplainBatch/threads:T  Explainer::ExplainMatrix on all rows (10,000), rows_per_second.
// BM_ExplainRowLatency       Explainer::ExplainRows on one row at a time, 2,000 calls cycling
//                            over the rows after 200 warm-up calls, each timed alone; counters
//                            p50_ns and p99_ns.
// --check: Keel's attributions must equal XGBoost's (max |difference| <= 1e-5), else exit 1.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "core/stopwatch.h"
#include "explain/explainer.h"
#include "model/xgboost_import.h"
#include "predict_bench_data.h"

namespace {

struct State {
  std::unique_ptr<keel::Explainer> explainer;
  keel::FeatureMatrix rows;
};
State* g = nullptr;

void BM_ExplainBatch(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  std::vector<double> out(g->rows.rows * g->explainer->row_width());
  for (auto _ : state) {
    keel::Status st = g->explainer->ExplainMatrix(g->rows, threads, out);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["rows_per_second"] = benchmark::Counter(
      static_cast<double>(g->rows.rows) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ExplainBatch)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_ExplainRowLatency(benchmark::State& state) {
  const keel::Explainer& e = *g->explainer;
  keel::ExplainScratch scratch = e.NewScratch();
  std::vector<double> out(e.row_width());
  const size_t cycle = std::min<size_t>(g->rows.rows, 10000);
  double sink = 0;
  auto one = [&](size_t r) {
    e.ExplainRows(g->rows.row(r), 1, g->rows.cols, out.data(), &scratch);
    sink += out[0];
  };
  for (size_t i = 0; i < 200; ++i) one(i % cycle);
  std::vector<int64_t> t;
  t.reserve(static_cast<size_t>(state.max_iterations));
  size_t r = 0;
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
BENCHMARK(BM_ExplainRowLatency)->Iterations(2000)->UseManualTime()->Unit(benchmark::kMicrosecond);

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
  const std::string algorithm = TakeFlag(&argc, argv, "--algorithm");
  if (model_path.empty() || rows_path.empty()) {
    std::fprintf(stderr,
                 "usage: %s --model model.json --rows rows.f32 [--check contribs.f32] "
                 "[--algorithm auto|polynomial] [benchmark flags]\n",
                 argv[0]);
    return 2;
  }
  auto model = keel::ImportXGBoostFile(model_path);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  keel::ExplainerOptions options;
  if (algorithm == "polynomial") options.tree_algorithm = keel::TreeShapAlgorithm::kLeafPolynomial;
  keel::Stopwatch build;
  auto explainer = keel::CreateExplainer(*model, options);
  if (!explainer.ok()) {
    std::fprintf(stderr, "%s\n", explainer.status().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "explainer built in %.3f s\n", build.Seconds());
  State state;
  state.explainer = std::move(*explainer);
  const keel::bench::F32Matrix m = keel::bench::ReadF32(rows_path);
  if (m.cols != state.explainer->num_features()) {
    std::fprintf(stderr, "rows have %lld columns, the model %d features\n",
                 static_cast<long long>(m.cols), state.explainer->num_features());
    return 1;
  }
  state.rows.rows = static_cast<size_t>(m.rows);
  state.rows.cols = static_cast<size_t>(m.cols);
  state.rows.values = m.data;
  g = &state;
  if (!check_path.empty()) {
    // The timings only mean something if Keel computes what XGBoost computes.
    const auto want = keel::bench::ReadF32(check_path);
    const size_t w = state.explainer->row_width();
    std::vector<double> got(state.rows.rows * w);
    keel::Status st = state.explainer->ExplainMatrix(state.rows, 2, got);
    double worst = 0;
    const size_t n = std::min(state.rows.rows, static_cast<size_t>(want.rows));
    if (static_cast<size_t>(want.cols) != w) st = keel::Status::InvalidArgument("width mismatch");
    for (size_t i = 0; st.ok() && i < n * w; ++i) {
      worst = std::max(worst, std::abs(got[i] - static_cast<double>(want.data[i])));
    }
    std::fprintf(stderr, "check: max |keel - xgboost| = %.3g over %zu rows x %zu values\n", worst,
                 n, w);
    if (!st.ok() || !(worst <= 1e-5)) return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
