// Ranking latency: one request of N candidates (default 1,000) through the whole ranking path
// (encode features, predict, evaluate every objective and constraint, normalise, weight,
// select the top K under the caps), on one thread, as the server does per request.
//
//   keel_rank_bench --model M.keel --objectives O.yaml --data CANDIDATES.csv
//                   [--candidates 1000] [--requests 2000] [--top K]
//
// Requests are distinct windows of the data (so timings are not one cached request repeated).
// Prints per-request latency (median, p90, p99, mean) of the full path and of the model alone
// (encode + predict), so the objectives' own cost is their difference; last line is JSON.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "data/ingest.h"
#include "model/model_io.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"
#include "rank/group_ranker.h"
#include "rank/objectives.h"
#include "rank/ranking_plan.h"
#include "rank/request_groups.h"

namespace {

using Clock = std::chrono::steady_clock;

double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  return v[i];
}

int Fail(const keel::Status& st) {
  std::fprintf(stderr, "rank_bench: %s\n", st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, objectives_path, data_path;
  size_t candidates = 1000, requests = 2000, top = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--model")
      model_path = value;
    else if (flag == "--objectives")
      objectives_path = value;
    else if (flag == "--data")
      data_path = value;
    else if (flag == "--candidates")
      candidates = std::stoul(value);
    else if (flag == "--requests")
      requests = std::stoul(value);
    else if (flag == "--top")
      top = std::stoul(value);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (model_path.empty() || objectives_path.empty() || data_path.empty() || candidates == 0) {
    std::fprintf(stderr,
                 "usage: keel_rank_bench --model M.keel --objectives O.yaml --data C.csv "
                 "[--candidates 1000] [--requests 2000] [--top K]\n");
    return 2;
  }
  auto objectives = keel::rank::LoadObjectivesYaml(objectives_path);
  if (!objectives.ok()) return Fail(objectives.status());
  auto model = keel::LoadModel(model_path);
  if (!model.ok()) return Fail(model.status());
  auto predictor = keel::Predictor::Create(*model);
  if (!predictor.ok()) return Fail(predictor.status());
  keel::ReadOptions ro;
  ro.schema = &model->schema;
  keel::Context ctx;
  ctx.progress = false;
  auto data = keel::ReadTable(data_path, ro, ctx);
  if (!data.ok()) return Fail(data.status());
  const keel::Table& all = data->table;
  if (all.num_rows() < candidates) {
    return Fail(keel::Status::InvalidArgument("the data has {} rows, fewer than {} candidates",
                                              all.num_rows(), candidates));
  }
  auto plan = keel::rank::RankingPlan::Create(*objectives, *model, keel::rank::FieldsOf(all));
  if (!plan.ok()) return Fail(plan.status());
  if (top == 0) top = objectives->top;

  // Up to 16 distinct request tables, cycled.
  std::vector<keel::Table> tables;
  const size_t windows = std::min<size_t>(16, all.num_rows() / candidates);
  for (size_t w = 0; w < windows; ++w) {
    std::vector<uint32_t> rows(candidates);
    for (size_t i = 0; i < candidates; ++i) rows[i] = static_cast<uint32_t>(w * candidates + i);
    tables.push_back(all.Take(rows));
  }
  const std::vector<double> weights = objectives->Weights();
  const keel::rank::RequestGroups one = keel::rank::SingleRequest(candidates);
  keel::rank::GroupRanker ranker;
  std::vector<keel::rank::RankedItem> items;
  std::vector<double> out(candidates * static_cast<size_t>((*predictor)->num_outputs()));

  std::vector<double> full_us, model_us;
  size_t checksum = 0;
  for (size_t r = 0; r < requests + requests / 10; ++r) {
    const keel::Table& t = tables[r % tables.size()];
    const auto t0 = Clock::now();
    auto scored = (*plan)->Score(*model, **predictor, t, keel::Context{.num_threads = 1});
    if (!scored.ok()) return Fail(scored.status());
    ranker.Load(*scored, one.rows[0]);
    ranker.Select(weights, top, &items);
    const auto t1 = Clock::now();
    auto x = keel::EncodeFeatures(*model, t);
    if (!x.ok()) return Fail(x.status());
    keel::Status st = (*predictor)->PredictBatch(*x, out, false, 1);
    if (!st.ok()) return Fail(st);
    const auto t2 = Clock::now();
    checksum += items.empty() ? 0 : items[0].row;
    if (r < requests / 10) continue;  // warm-up
    full_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    model_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  const double fm = Quantile(full_us, 0.5), f90 = Quantile(full_us, 0.9),
               f99 = Quantile(full_us, 0.99);
  const double mm = Quantile(model_us, 0.5), m99 = Quantile(model_us, 0.99);
  std::printf("model %s: %zu features, %zu trees; %zu objectives, %zu constraints; top %zu\n",
              model_path.c_str(), model->features.size(), model->forest.trees.size(),
              objectives->objectives.size(), objectives->constraints.size(), top);
  std::printf("%zu requests of %zu candidates, 1 thread (checksum %zu)\n", full_us.size(),
              candidates, checksum);
  std::printf("rank (model + objectives): median %.1f us  p90 %.1f us  p99 %.1f us  mean %.1f us\n",
              fm, f90, f99, mean(full_us));
  std::printf("model alone (encode + predict): median %.1f us  p99 %.1f us\n", mm, m99);
  std::printf("objectives + ranking share of the median: %.1f%%\n", 100 * (fm - mm) / fm);
  std::printf(
      "{\"candidates\": %zu, \"requests\": %zu, \"rank_median_us\": %.2f, "
      "\"rank_p90_us\": %.2f, \"rank_p99_us\": %.2f, \"model_median_us\": %.2f, "
      "\"model_p99_us\": %.2f}\n",
      candidates, full_us.size(), fm, f90, f99, mm, m99);
  return 0;
}
