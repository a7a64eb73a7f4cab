// What the float64 compiled form (imported LightGBM models, predict/compiled_forest64.h) costs
// against the float32 form (Keel-trained and XGBoost models, predict/compiled_forest.h), on the
// same 500-tree model and the same rows (Google Benchmark):
//
//   keel_precision_bench [gbench flags]
//
// The model is a random forest of the IR (model/random_model.h: 500 trees of depth up to 6
// over 20 numeric features, every missing rule) compiled once per precision; the rows are
// 10,000 random inputs (thresholds hit exactly, NaN, zeros). Counter ns_per_tree_row = time /
// (rows x 500 trees), wall clock. BM_Row: PredictRawRow one row at a time; BM_Batch: PredictBatch
// on one thread. Arg 0 = float32 form on float rows, 1 = float64 form on double rows.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/random_model.h"
#include "predict/predictor.h"

namespace {

constexpr int kTrees = 500;
constexpr size_t kRows = 10000;

struct State {
  std::unique_ptr<keel::Predictor> f32, f64;
  std::vector<float> rows32;
  std::vector<double> rows64;
  size_t cols = 0;
};

const State& Shared() {
  static const State* s = [] {
    auto* st = new State();
    keel::RandomModelMaker maker(42);
    keel::RandomModelOptions o;
    o.num_features = 20;
    o.num_categorical = 0;
    o.categorical_splits = false;
    o.num_trees = kTrees;
    o.max_depth = 6;
    keel::Model m = maker.Make(o);
    st->cols = m.features.size();
    st->rows32 = maker.Rows(m, kRows);
    st->rows64.assign(st->rows32.begin(), st->rows32.end());
    st->f32 = std::move(*keel::Predictor::Create(m));
    m.input_precision = keel::InputPrecision::kFloat64;
    st->f64 = std::move(*keel::Predictor::Create(m));
    return st;
  }();
  return *s;
}

// Wall-clock nanoseconds per tree per row over the timed loop.
void SetCounters(benchmark::State& state, int64_t elapsed_ns, size_t rows_per_iteration) {
  const double tree_rows =
      static_cast<double>(state.iterations()) * static_cast<double>(rows_per_iteration) * kTrees;
  state.counters["ns_per_tree_row"] = static_cast<double>(elapsed_ns) / tree_rows;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void BM_Row(benchmark::State& state) {
  const State& s = Shared();
  const bool f64 = state.range(0) == 1;
  double margin = 0, sink = 0;
  size_t r = 0;
  const int64_t t0 = NowNs();
  for (auto _ : state) {
    if (f64) {
      s.f64->PredictRawRow(s.rows64.data() + r * s.cols, &margin);
    } else {
      s.f32->PredictRawRow(s.rows32.data() + r * s.cols, &margin);
    }
    sink += margin;
    if (++r == kRows) r = 0;
  }
  const int64_t t1 = NowNs();
  benchmark::DoNotOptimize(sink);
  SetCounters(state, t1 - t0, 1);
}
BENCHMARK(BM_Row)->Arg(0)->Arg(1)->ArgName("float64");

void BM_Batch(benchmark::State& state) {
  const State& s = Shared();
  const bool f64 = state.range(0) == 1;
  std::vector<double> out(kRows);
  const int64_t t0 = NowNs();
  for (auto _ : state) {
    const keel::Status st = f64 ? s.f64->PredictBatch(s.rows64, kRows, out, true, 1)
                                : s.f32->PredictBatch(s.rows32, kRows, out, true, 1);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  SetCounters(state, NowNs() - t0, kRows);
}
BENCHMARK(BM_Batch)->Arg(0)->Arg(1)->ArgName("float64")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
