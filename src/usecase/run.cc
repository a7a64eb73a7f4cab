#include "usecase/run.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/file_io.h"
#include "core/log.h"
#include "core/nearest_name.h"
#include "core/parallel.h"
#include "core/stopwatch.h"
#include "drift/table_drift.h"
#include "model/model_io.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"
#include "train/tune.h"
#include "usecase/audit.h"
#include "usecase/compare.h"
#include "usecase/drift.h"
#include "usecase/explain.h"
#include "usecase/ingest.h"
#include "usecase/run_report.h"
#include "usecase/tradeoff_report.h"
#include "usecase/train.h"

namespace keel::usecase {
namespace {

namespace fs = std::filesystem;

std::string ColumnList(const Schema& schema) {
  std::vector<std::string> names;
  for (const auto& c : schema.columns) names.push_back(c.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

// Reads the data and gives every column the role keel.yaml asks for.
Status ReadData(const Project& p, const Context& ctx, IngestResult* out) {
  DataInput input;  // read as `keel ingest` reads
  input.path = p.data_path;
  input.schema_path = p.schema_path;
  if (p.missing_tokens) input.options.missing_tokens = *p.missing_tokens;
  input.options.drop_duplicates = p.drop_duplicates;
  input.options.decimal = p.decimal;
  KEEL_ASSIGN_OR_RETURN(*out, ReadInput(input, ctx));
  Schema& schema = out->schema;
  for (const auto& [column, role] : p.roles) {
    ColumnSchema* c = schema.Find(column);
    if (c == nullptr) {
      return Status::NotFound("{}: `columns` names \"{}\", which {} does not have (columns: {}){}",
                              p.source, column, p.data_path, ColumnList(schema),
                              DidYouMean(column, schema.columns, &ColumnSchema::name));
    }
    c->role = role;
  }
  ColumnSchema* target = schema.Find(p.target);
  if (target == nullptr) {
    return Status::NotFound("{}: the target \"{}\" is not a column of {} (columns: {}){}", p.source,
                            p.target, p.data_path, ColumnList(schema),
                            DidYouMean(p.target, schema.columns, &ColumnSchema::name));
  }
  for (auto& c : schema.columns) {
    if (c.role == Role::kTarget && c.name != p.target) c.role = Role::kFeature;
  }
  target->role = Role::kTarget;
  for (const std::string& s : p.fairness.audit.sensitive) {
    ColumnSchema* c = schema.Find(s);
    if (c == nullptr) {
      return Status::NotFound(
          "{}: fairness.sensitive names \"{}\", which {} does not have "
          "(columns: {}){}",
          p.source, s, p.data_path, ColumnList(schema),
          DidYouMean(s, schema.columns, &ColumnSchema::name));
    }
    // Audited columns are not features unless keel.yaml says so explicitly.
    if (!p.roles.count(s)) c->role = Role::kSensitive;
  }
  for (const std::string& e : p.exclude) {
    if (schema.Find(e) == nullptr) {
      return Status::NotFound("{}: `exclude` names \"{}\", which {} does not have (columns: {}){}",
                              p.source, e, p.data_path, ColumnList(schema),
                              DidYouMean(e, schema.columns, &ColumnSchema::name));
    }
  }
  return Status::OK();
}

Result<TrainResult> TrainOne(const Project& p, const IngestResult& data, const ModelChoice& choice,
                             const Context& ctx) {
  TrainOptions to;
  to.target = p.target;
  to.positive = p.positive;
  to.exclude = p.exclude;
  to.params = choice.params;
  // Recorded in the lineage as before; training itself takes its threads from ctx.
  if (ctx.num_threads > 0) to.params.threads = ctx.num_threads;
  to.data_path = p.data_path;
  to.data_info = {{"rows_read", data.report.rows_read},
                  {"rows_used", data.report.rows_used},
                  {"rows_rejected", data.report.rows_rejected},
                  {"duplicates", data.report.duplicates}};
  log::Info("training the {} ({})", choice.label, choice.params.algo);
  if (to.params.stream == "on") {
    log::Warn(
        "stream: on is for `keel train`; keel run trains on the table it has read "
        "(docs/large_data.md)");
  }
  auto trained = Train(data.table, data.schema, to, ctx);
  if (!trained.ok()) return trained.status().WithContext("training the " + choice.label);
  // As `keel train` finishes its model: IR metrics and the training profile (usecase/train.h).
  KEEL_RETURN_IF_ERROR(FinishTrainedModel(data.table, to.params, ctx, &*trained)
                           .WithContext("finishing the " + choice.label));
  return trained;
}

// Both models learn from the same rows and are compared on the same test rows; how each
// holds rows out for validation (a split, or k-fold cross-validation) is its own choice.
Status CheckSameSplit(const SplitRows& a, const SplitRows& b) {
  auto learned = [](const SplitRows& s) {
    std::vector<uint32_t> rows = s.train;
    rows.insert(rows.end(), s.valid.begin(), s.valid.end());
    std::sort(rows.begin(), rows.end());
    return rows;
  };
  if (a.test != b.test || learned(a) != learned(b)) {
    return Status::Internal("the baseline and the candidate were trained on different splits");
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<PipelineRun>> RunPipeline(const Project& project, const Context& ctx) {
  Stopwatch clock;
  auto run = std::make_unique<PipelineRun>();
  run->project = project;
  const Project& p = run->project;

  std::error_code ec;
  fs::create_directories(p.output_dir, ec);
  if (ec)
    return Status::IoError("cannot create the output folder {}: {}", p.output_dir, ec.message());

  // 1. Data.
  KEEL_RETURN_IF_ERROR(ReadData(p, ctx, &run->data));
  // Before training: a typo in an objective fails in a second, not after the models.
  KEEL_RETURN_IF_ERROR(CheckProjectObjectives(p, run->data.schema));
  const IngestReport& ir = run->data.report;
  run->rejects_path = (fs::path(p.output_dir) / "rejects.csv").string();
  KEEL_RETURN_IF_ERROR(WriteRejectsCsv(ir, run->rejects_path));
  if (ir.rows_rejected > 0) {
    run->warnings.push_back(fmt::format("{} of {} records were rejected (see {})", ir.rows_rejected,
                                        ir.rows_read, run->rejects_path));
  }
  log::Info("read {}: {} rows used, {} rejected, {} duplicates", p.data_path, ir.rows_used,
            ir.rows_rejected, ir.duplicates);

  // 2. Both models, on the same split.
  KEEL_ASSIGN_OR_RETURN(TrainResult base, TrainOne(p, run->data, p.baseline, ctx));
  KEEL_ASSIGN_OR_RETURN(TrainResult cand, TrainOne(p, run->data, p.candidate, ctx));
  KEEL_RETURN_IF_ERROR(CheckSameSplit(base.split, cand.split));
  run->split = std::move(base.split);
  if (run->split.test.empty()) {
    return Status::InvalidArgument(
        "{}: the split leaves no test rows; set split.test_size above 0 "
        "so the models can be compared",
        p.source);
  }
  // The split is shared, so split-level warnings (leakage, ...) come from both: keep one.
  for (auto* w : {&base.report.warnings, &cand.report.warnings}) {
    for (auto& s : *w) {
      if (std::find(run->warnings.begin(), run->warnings.end(), s) == run->warnings.end()) {
        run->warnings.push_back(s);
      }
    }
  }
  run->baseline = {std::move(base.model), std::move(base.report),
                   (fs::path(p.output_dir) / "baseline.keel").string()};
  run->candidate = {std::move(cand.model), std::move(cand.report),
                    (fs::path(p.output_dir) / "candidate.keel").string()};
  for (TrainedModel* m : {&run->baseline, &run->candidate}) {
    KEEL_RETURN_IF_ERROR(SaveModel(m->model, m->path));
  }

  // 3. The gate, on the test rows.
  const Table test = run->data.table.Take(run->split.test);
  KEEL_ASSIGN_OR_RETURN(auto base_predictor, Predictor::Create(run->baseline.model));
  KEEL_ASSIGN_OR_RETURN(auto cand_predictor, Predictor::Create(run->candidate.model));
  CompareOptions co;
  co.metric = p.compare.metric;
  co.min_gain = p.compare.min_gain;
  co.alpha = p.compare.alpha;
  co.latency_budget_us = p.compare.latency_budget_us;
  co.evaluation.bootstrap.resamples = static_cast<int>(p.compare.resamples);
  co.evaluation.bootstrap.seed = p.compare.seed;
  auto file_size = [](const std::string& path) {
    std::error_code e;
    const auto n = fs::file_size(path, e);
    return e ? uint64_t{0} : static_cast<uint64_t>(n);
  };
  const CompareInput base_in{&run->baseline.model, base_predictor.get(),
                             file_size(run->baseline.path),
                             "baseline (" + p.baseline.params.algo + ")"};
  const CompareInput cand_in{&run->candidate.model, cand_predictor.get(),
                             file_size(run->candidate.path),
                             "candidate (" + p.candidate.params.algo + ")"};
  log::Info("comparing the models on {} test rows", test.num_rows());
  // The gate `keel compare` applies (usecase/compare.h).
  auto comparison = CompareOnRows(base_in, cand_in, test, co, ctx);
  if (!comparison.ok()) return comparison.status().WithContext("comparing the models");
  run->comparison = std::move(*comparison);
  run->shipped_candidate = run->comparison.verdict.ship_candidate;

  // 4. The shipped model: a copy carrying the decision (and, as every trained model, its
  // training profile, which drift monitoring and serving compare live data with).
  Model shipped = run->shipped_candidate ? run->candidate.model : run->baseline.model;
  // The copy differs only in its sections: the predictors compiled for the gate serve both.
  const Predictor& shipped_predictor = run->shipped_candidate ? *cand_predictor : *base_predictor;
  const Predictor& other_predictor = run->shipped_candidate ? *base_predictor : *cand_predictor;
  shipped.sections["decision"] = {{"shipped", run->shipped_candidate ? "candidate" : "baseline"},
                                  {"reason", run->comparison.verdict.reason},
                                  {"project", p.source}};
  run->model_path = (fs::path(p.output_dir) / "model.keel").string();
  KEEL_RETURN_IF_ERROR(SaveModel(shipped, run->model_path));

  // 5. Explanations of the shipped model.
  if (p.explain.enabled) {
    // The attributions `keel explain` gives, on a sample of the test rows (usecase/explain.h).
    auto e = ExplainSample(shipped, test, p.explain.rows, p.explain.top, ctx);
    if (e.ok()) {
      run->explanation = std::move(*e);
    } else {
      run->warnings.push_back("explanations skipped: " + e.status().message());
    }
  }

  // 6. Fairness of both models; the gate judges the shipped one.
  std::vector<std::string> sensitive = p.fairness.audit.sensitive;
  if (sensitive.empty()) {
    for (const auto& c : run->data.schema.columns) {
      if (c.role == Role::kSensitive) sensitive.push_back(c.name);
    }
  }
  if (!p.fairness.enabled) {
    run->fairness_skipped.push_back("fairness is off in keel.yaml");
  } else if (shipped.task != Task::kBinary) {
    run->fairness_skipped.push_back("the fairness audit applies to binary classifiers");
  } else if (sensitive.empty()) {
    run->fairness_skipped.push_back(
        "no sensitive column: give columns the role sensitive or list them in fairness.sensitive");
  } else {
    log::Info("auditing fairness on {}", fmt::join(sensitive, ", "));
    // The audit `keel audit` gives the shipped model on these rows (usecase/audit.h).
    AuditSettings settings = p.fairness.audit;
    settings.sensitive = sensitive;
    auto audit = AuditTable(shipped, shipped_predictor, test, settings, "the test rows", ctx);
    if (!audit.ok()) return audit.status().WithContext("the fairness audit");
    KEEL_ASSIGN_OR_RETURN(fairness::FairnessLimits limits,
                          fairness::FairnessLimitsFromJson(p.fairness.limits));
    FairnessOutcome f{std::move(*audit), {}, std::nullopt};
    f.gate = fairness::CheckFairnessGate(f.audit, limits);
    const Model& other = run->shipped_candidate ? run->baseline.model : run->candidate.model;
    // The other model's disparities, for the report to set beside the shipped one's.
    settings.slices = false;
    settings.proxies = false;
    auto other_audit = AuditTable(other, other_predictor, test, settings, "the test rows", ctx);
    if (other_audit.ok()) f.other_audit = std::move(*other_audit);
    run->fairness = std::move(f);
  }

  // 7. Drift: new data against the training rows when keel.yaml names some, else the test
  // rows against the training rows (a check that the split is representative).
  {
    const Table train = run->data.table.Take(run->split.train);
    drift::TableDriftOptions dopt;
    dopt.target = p.target;
    // The comparison `keel drift --reference DATA` makes (usecase/drift.h).
    if (!p.drift.data.empty()) {
      auto current = ReadForDrift(p.drift.data, &run->data.schema, p.decimal, ctx);
      if (!current.ok()) return current.status().WithContext("drift.data");
      auto report = DriftOfRows(train, current->table, run->data.schema, dopt, ctx);
      if (!report.ok()) return report.status().WithContext("the drift check");
      run->drift = DriftOutcome{"training rows", p.drift.data, std::move(*report)};
    } else {
      auto report = DriftOfRows(train, test, run->data.schema, dopt, ctx);
      if (!report.ok()) return report.status().WithContext("the drift check");
      run->drift = DriftOutcome{"training rows", "test rows", std::move(*report)};
    }
  }

  // 8. The trade-off between the stakeholders' objectives, by the shipped model on the test
  // rows (the requests it never saw in training when the split is by request).
  if (p.objectives) {
    log::Info("replaying {} test rows' requests under the objectives' weight grid",
              test.num_rows());
    auto t = ReplayTradeoff(*p.objectives, {shipped, shipped_predictor, test}, {}, ctx);
    if (!t.ok()) return t.status().WithContext("the trade-off analysis (objectives)");
    if (t->result.requests < 20) {
      run->warnings.push_back(fmt::format(
          "the trade-off replays only {} requests of the test rows; totals are noisy (split "
          "by request with split.method: group:{} and a larger test_size)",
          t->result.requests, p.objectives->group_by));
    }
    run->tradeoff = std::move(*t);
  }

  // 9. Report and summary.
  run->seconds = clock.Seconds();
  run->report_path = (fs::path(p.output_dir) / "report.html").string();
  KEEL_RETURN_IF_ERROR(BuildReport(*run).WriteTo(run->report_path));
  run->summary_path = (fs::path(p.output_dir) / "summary.json").string();
  KEEL_RETURN_IF_ERROR(WriteFileAtomic(run->summary_path, SummaryJson(*run).dump(2) + "\n"));
  return run;
}

namespace {

nlohmann::json MetricsJson(const Evaluation& e) {
  nlohmann::json j = nlohmann::json::object();
  for (const MetricEstimate& m : e.metrics) {
    j[std::string(MetricName(m.metric))] = {{"value", JsonNumber(m.value)},
                                            {"lower", JsonNumber(m.interval.lower)},
                                            {"upper", JsonNumber(m.interval.upper)}};
  }
  return j;
}

}  // namespace

nlohmann::json SummaryJson(const PipelineRun& run) {
  const IngestReport& ir = run.data.report;
  const Comparison& c = run.comparison;
  nlohmann::json j;
  j["ok"] = true;
  j["project"] = run.project.name;
  j["data"] = {{"path", run.project.data_path}, {"rows_read", ir.rows_read},
               {"rows_used", ir.rows_used},     {"rows_rejected", ir.rows_rejected},
               {"duplicates", ir.duplicates},   {"columns", ir.columns.size()}};
  j["split"] = {{"train", run.split.train.size()},
                {"valid", run.split.valid.size()},
                {"test", run.split.test.size()},
                {"method", run.candidate.report.split_method}};
  j["task"] = std::string(TaskName(run.candidate.model.task));
  j["models"] = {{"baseline",
                  {{"algo", run.project.baseline.params.algo},
                   {"validation", run.baseline.report.validation},
                   {"path", run.baseline.path},
                   {"metrics", MetricsJson(c.baseline)},
                   {"cost", ModelCostToJson(c.baseline_cost)}}},
                 {"candidate",
                  {{"algo", run.project.candidate.params.algo},
                   {"validation", run.candidate.report.validation},
                   {"path", run.candidate.path},
                   {"metrics", MetricsJson(c.candidate)},
                   {"cost", ModelCostToJson(c.candidate_cost)}}}};
  for (const auto& [name, m] :
       {std::pair{"baseline", &run.baseline}, {"candidate", &run.candidate}}) {
    if (!m->report.cross_validation.is_null()) {
      j["models"][name]["cross_validation"] = m->report.cross_validation;
    }
  }
  if (!run.candidate.report.tuning.is_null()) {
    j["models"]["candidate"]["tuning"] = run.candidate.report.tuning;
  }
  const GainTest& t = c.test;
  j["comparison"] = {{"metric", std::string(MetricName(t.metric))},
                     {"method", t.method},
                     {"baseline", JsonNumber(t.baseline)},
                     {"candidate", JsonNumber(t.candidate)},
                     {"gain", JsonNumber(t.gain)},
                     {"lower", JsonNumber(t.lower)},
                     {"upper", JsonNumber(t.upper)},
                     {"p_value", JsonNumber(t.p_value)},
                     {"min_gain", c.options.min_gain},
                     {"alpha", c.options.alpha},
                     {"latency_budget_us", c.options.latency_budget_us}};
  j["verdict"] = {{"ship", run.shipped_candidate ? "candidate" : "baseline"},
                  {"gain_reaches_min", c.verdict.gain_reaches_min},
                  {"significant", c.verdict.significant},
                  {"within_budget", c.verdict.within_budget},
                  {"reason", c.verdict.reason}};
  if (run.fairness) {
    j["fairness"] = fairness::AuditToJson(run.fairness->audit);
    j["fairness"]["gate"] = fairness::GateResultToJson(run.fairness->gate);
  } else {
    j["fairness"] = {{"skipped", run.fairness_skipped}};
  }
  if (run.explanation) {
    nlohmann::json top = nlohmann::json::array();
    for (const auto& f : run.explanation->features) {
      top.push_back({{"feature", f.name}, {"mean_abs_shap", JsonNumber(f.mean_abs_shap)}});
    }
    j["explanations"] = {{"rows", run.explanation->rows.size()}, {"top_features", top}};
  }
  if (run.drift) {
    nlohmann::json drifted = nlohmann::json::array();
    for (const auto& f : run.drift->report.features) {
      if (f.drifted) drifted.push_back(f.feature);
    }
    j["drift"] = {{"reference", run.drift->reference},
                  {"current", run.drift->current},
                  {"dataset_drift", run.drift->report.verdict.dataset_drift},
                  {"drifted_features", drifted}};
  }
  if (run.tradeoff) {
    const rank::TradeoffResult& sweep = run.tradeoff->result;
    nlohmann::json tj = rank::TradeoffToJson(sweep);
    tj["steps"] = run.tradeoff->steps;
    tj["group_by"] = run.project.objectives->group_by;
    tj["rows"] = "test";
    const TextTable table = TradeoffTable(sweep, /*efficient_only=*/true);
    tj["table"] = {{"header", table.header}, {"rows", table.rows}};
    j["tradeoff"] = std::move(tj);
  }
  j["warnings"] = run.warnings;
  j["outputs"] = {{"model", run.model_path},       {"report", run.report_path},
                  {"summary", run.summary_path},   {"rejects", run.rejects_path},
                  {"baseline", run.baseline.path}, {"candidate", run.candidate.path}};
  j["seconds"] = run.seconds;
  return j;
}

std::string SummaryText(const PipelineRun& run) {
  const Comparison& c = run.comparison;
  const IngestReport& ir = run.data.report;
  std::string out;
  out += fmt::format("{}: {} rows used of {} read ({} rejected, {} duplicates)\n", run.project.name,
                     ir.rows_used, ir.rows_read, ir.rows_rejected, ir.duplicates);
  out +=
      fmt::format("split: {} train, {} validation, {} test ({})\n", run.split.train.size(),
                  run.split.valid.size(), run.split.test.size(), run.candidate.report.split_method);
  out += fmt::format("validation: baseline {}; candidate {}\n", run.baseline.report.validation,
                     run.candidate.report.validation);
  const GainTest& t = c.test;
  out += fmt::format(
      "{}: baseline ({}) {:.4f}, candidate ({}) {:.4f}; gain {:+.4f} [{:+.4f}, "
      "{:+.4f}], p = {:.3g}\n",
      MetricName(t.metric), run.project.baseline.params.algo, t.baseline,
      run.project.candidate.params.algo, t.candidate, t.gain, t.lower, t.upper, t.p_value);
  if (!run.candidate.report.tuning.is_null()) {
    out += fmt::format("candidate tuning {}\n", TuneSummaryText(run.candidate.report.tuning));
  }
  out += fmt::format("verdict: {}\n", c.verdict.reason);
  if (run.fairness) {
    const auto& gate = run.fairness->gate;
    if (gate.passed) {
      out += "fairness gate: passed\n";
    } else {
      out += fmt::format(
          "fairness gate: FAILED ({} limit(s) exceeded; review the report's fairness "
          "section before promoting this model)\n",
          gate.violations.size());
      for (const auto& v : gate.violations) out += "  " + v.message + "\n";
    }
  } else if (!run.fairness_skipped.empty()) {
    out += "fairness: not audited (" + run.fairness_skipped.front() + ")\n";
  }
  if (run.drift) {
    out += fmt::format(
        "drift ({} vs {}): {}\n", run.drift->current, run.drift->reference,
        run.drift->report.verdict.dataset_drift ? "DRIFT detected" : "no dataset drift");
  }
  if (run.tradeoff) {
    const rank::TradeoffResult& sweep = run.tradeoff->result;
    out += fmt::format("trade-off ({} test requests, {} settings, totals per 1,000 requests):\n",
                       sweep.requests, sweep.settings.size());
    // Every objective's expected total under a setting, rounded for reading.
    auto totals = [&](const rank::TradeoffSetting& s) {
      std::string text;
      for (size_t j = 0; j < sweep.objectives.size(); ++j) {
        text += fmt::format("{}{} {:.4g}", j ? ", " : "", sweep.objectives[j], s.expected[j]);
      }
      return text;
    };
    for (size_t j = 0; j < sweep.objectives.size(); ++j) {
      const auto& s = sweep.settings[sweep.best[j]];
      out +=
          fmt::format("  best for {}: setting {} ({}): {}\n", sweep.objectives[j],
                      sweep.best[j] + 1, DescribeWeights(sweep.objectives, s.weights), totals(s));
    }
    const auto& d = sweep.settings[sweep.default_index];
    out += fmt::format("  default: setting {} ({}): {}{}\n", sweep.default_index + 1,
                       DescribeWeights(sweep.objectives, d.weights), totals(d),
                       d.efficient ? ", Pareto-efficient" : ", NOT Pareto-efficient");
  }
  for (const auto& w : run.warnings) out += "warning: " + w + "\n";
  out += fmt::format("model:  {}\nreport: {}\n", run.model_path, run.report_path);
  out += fmt::format("serve it: keel serve --model {} --port 8080\n", run.model_path);
  return out;
}

}  // namespace keel::usecase
