#include "python/src/gate_binding.h"

#include <fmt/format.h>
#include <pybind11/stl.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "data/frame_typing.h"
#include "drift/multiple_testing.h"
#include "eval/metrics.h"
#include "fairness/group_thresholds.h"
#include "fairness/slice_finder.h"
#include "python/src/call_context.h"
#include "python/src/frame_columns.h"
#include "python/src/status_error.h"
#include "usecase/audit.h"
#include "usecase/compare.h"
#include "usecase/drift.h"
#include "usecase/evaluate.h"
#include "usecase/option_ranges.h"
#include "usecase/project.h"
#include "usecase/run.h"

namespace keel::python {

namespace py = pybind11;

namespace {

// An option's setter: reads the Python value into the request, or throws StatusError
// (InvalidArgument naming the option).
using Setter = std::function<void(const std::string& name, py::handle value)>;
using Setters = std::map<std::string, Setter>;

[[noreturn]] void BadOption(const std::string& name, py::handle value,
                            const std::string& expected) {
  ThrowIfError(Status::InvalidArgument(fmt::format("option '{}': expected {}, got {}", name,
                                                   expected, py::repr(value).cast<std::string>())));
  std::abort();  // unreachable: ThrowIfError threw
}

template <typename T>
T As(const std::string& name, py::handle value, const char* expected) {
  // A bool is an int to Python; a flag's True is never a count.
  if constexpr (!std::is_same_v<T, bool>) {
    if (py::isinstance<py::bool_>(value)) BadOption(name, value, expected);
  }
  if constexpr (std::is_same_v<T, std::string>) {
    if (!py::isinstance<py::str>(value)) BadOption(name, value, expected);
  }
  if constexpr (std::is_same_v<T, bool>) {
    if (!py::isinstance<py::bool_>(value)) BadOption(name, value, expected);
  }
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // Any integer: Python's, numpy's (the index protocol), never a float.
    if (!PyIndex_Check(value.ptr())) BadOption(name, value, expected);
  }
  try {
    return value.cast<T>();
  } catch (const py::cast_error&) {
    BadOption(name, value, expected);
  }
}

// A number in `range`, the range the command checks its flag of the same name against.
template <typename T>
Setter Number(T* out, const usecase::OptionRange& range) {
  return [out, range](const std::string& name, py::handle value) {
    const char* expected = std::is_integral_v<T> ? "an integer" : "a number";
    const T v = As<T>(name, value, expected);
    if (!range.Contains(static_cast<double>(v))) {  // NaN too
      BadOption(name, value,
                std::isinf(range.lo) && std::isinf(range.hi)
                    ? fmt::format("{}, not NaN", expected)
                    : fmt::format("{} in {}", expected, range.Text()));
    }
    *out = v;
  };
}

// A number without a range (any, but not NaN).
template <typename T>
Setter Number(T* out) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  return Number(out, usecase::OptionRange{-kInf, kInf});
}

Setter Text(std::string* out) {
  return [out](const std::string& name, py::handle value) {
    *out = As<std::string>(name, value, "a string");
  };
}

Setter Flag(bool* out, bool when_true) {
  return [out, when_true](const std::string& name, py::handle value) {
    if (As<bool>(name, value, "True or False")) *out = when_true;
  };
}

// A string or a list of strings (a repeatable flag).
Setter Texts(std::vector<std::string>* out) {
  return [out](const std::string& name, py::handle value) {
    if (py::isinstance<py::str>(value)) {
      out->push_back(value.cast<std::string>());
      return;
    }
    if (!py::isinstance<py::list>(value) && !py::isinstance<py::tuple>(value)) {
      BadOption(name, value, "a string or a list of strings");
    }
    for (py::handle item : value) out->push_back(As<std::string>(name, item, "strings"));
  };
}

// A word the library's parser reads (metric names, tests, ...).
template <typename T>
Setter Choice(bool (*parse)(std::string_view, T*), T* out, const char* expected) {
  return [parse, out, expected](const std::string& name, py::handle value) {
    const std::string text = As<std::string>(name, value, expected);
    if (!parse(text, out)) BadOption(name, value, expected);
  };
}

// Applies `options` (keyword -> value) through `setters`; an unknown keyword is an error
// listing the known ones.
void Apply(const Setters& setters, const py::dict& options) {
  for (const auto& [key, value] : options) {
    const std::string name = py::str(key);
    const auto it = setters.find(name);
    if (it == setters.end()) {
      std::string known;
      for (const auto& [k, s] : setters) known += (known.empty() ? "" : ", ") + k;
      ThrowIfError(
          Status::InvalidArgument(fmt::format("unknown option '{}' (options: {})", name, known)));
    }
    it->second(name, value);
  }
}

// The path a NotFound or IoError is about: the first input that does not exist, else the last
// (the data file, whose columns the use case looks up). Only the file-or-column choice of the
// exception class reads it; the message is the use case's. Inputs in memory are not in
// `paths`: when all are, a NotFound is about a column (".", which exists).
std::string Subject(const std::vector<std::string>& paths) {
  std::error_code ec;
  for (const std::string& p : paths) {
    if (!std::filesystem::exists(p, ec)) return p;
  }
  return paths.empty() ? "." : paths.back();
}

// A DataFrame's columns (keel/_frames.py's (names, specs)) as the use cases' reader: the table is
// built now (with the GIL) and typed, when the use case reads it, as the reader types that data
// written as CSV with the options the command reads its file with (data/frame_typing.h).
// None: no reader (the data is a file).
usecase::DataReader FrameReader(const py::object& frame, const std::string& name) {
  if (frame.is_none()) return nullptr;
  const auto columns = frame.cast<std::pair<std::vector<std::string>, py::list>>();
  auto table = std::make_shared<Table>(Unwrap(TableFromColumns(columns.first, columns.second)));
  return [table, name](const ReadOptions& options) {
    return TypeFrameTable(table->Clone(), name, options);
  };
}

// The paths among `inputs` (those read from files).
std::vector<std::string> Files(std::initializer_list<std::pair<std::string, bool>> inputs) {
  std::vector<std::string> out;
  for (const auto& [path, is_file] : inputs) {
    if (is_file) out.push_back(path);
  }
  return out;
}

// Runs `call` (the use case) without the GIL; (the --json object as text, the CLI's text).
template <typename Call>
py::tuple RunUseCase(Call call, const std::vector<std::string>& paths) {
  auto result = [&] {
    py::gil_scoped_release release;
    return call();
  }();
  const auto r = Unwrap(std::move(result), ErrorSubject::kFileOrColumn, Subject(paths));
  return py::make_tuple(r.ToJson().dump(), r.ToText());
}

py::tuple Compare(const std::string& baseline, const std::string& candidate,
                  const std::string& data, const py::dict& options, const py::object& frame) {
  usecase::CompareRequest r;
  r.input.model_path = baseline;
  r.candidate_path = candidate;
  r.input.data_path = data;
  r.input.read_data = FrameReader(frame, data);
  CompareOptions& o = r.options;
  int threads = 0;
  Setter metric = [&o](const std::string& name, py::handle value) {
    Metric m;
    if (!ParseMetric(As<std::string>(name, value, "a string"), &m)) {
      BadOption(name, value,
                "a metric: auc, pr_auc, logloss, brier, accuracy, precision, recall, "
                "f1, ece, macro_f1, rmse, mae or r2");
    }
    o.metric = m;
  };
  Apply({{"metric", metric},
         {"min_gain", Number(&o.min_gain)},
         {"alpha", Number(&o.alpha, usecase::ranges::kOpenUnit)},
         {"latency_budget_us", Number(&o.latency_budget_us)},
         {"latency_rows", Number(&o.cost.latency_rows, usecase::ranges::kLatencyRows)},
         {"threshold", Number(&o.evaluation.metric.threshold)},
         {"resamples", Number(&o.evaluation.bootstrap.resamples, usecase::ranges::kResamples)},
         {"seed", Number(&o.evaluation.bootstrap.seed)},
         {"threads", Number(&threads, usecase::ranges::kThreads)}},
        options);
  return RunUseCase([&] { return usecase::Compare(r, CallContext(threads)); },
                    Files({{baseline, true}, {candidate, true}, {data, frame.is_none()}}));
}

py::tuple Audit(const std::string& model, const std::string& data, const py::dict& options,
                const py::object& frame) {
  usecase::AuditRequest r;
  r.input.model_path = model;
  r.input.data_path = data;
  r.input.read_data = FrameReader(frame, data);
  usecase::AuditSettings& a = r.audit;
  fairness::AuditOptions& o = a.options;
  int threads = 0;
  std::string fit;
  Setter seed = [&o](const std::string& name, py::handle value) {
    o.bootstrap.seed = As<uint64_t>(name, value, "an integer");
    o.proxies.seed = o.bootstrap.seed;
  };
  Setter fit_thresholds = [&r](const std::string& name, py::handle value) {
    fairness::ThresholdConstraint c{};
    if (!fairness::ParseThresholdConstraint(As<std::string>(name, value, "a string"), &c)) {
      BadOption(name, value, "demographic_parity or equalized_odds");
    }
    r.fit_thresholds = c;
  };
  Apply({{"sensitive", Texts(&a.sensitive)},
         {"threshold", Number(&a.threshold, usecase::ranges::kUnit)},
         {"ignore_group_thresholds", Flag(&a.ignore_group_thresholds, true)},
         {"min_group_size", Number(&o.min_group_size)},
         {"bins", Texts(&a.bins)},
         {"quantile_bins", Number(&a.quantile_bins, usecase::ranges::kQuantileBins)},
         {"reference", Texts(&a.references)},
         {"bootstrap", Number(&o.bootstrap.resamples, usecase::ranges::kAuditBootstrap)},
         {"confidence", Number(&o.bootstrap.confidence, usecase::ranges::kAuditConfidence)},
         {"seed", seed},
         {"no_intersections", Flag(&o.intersections, false)},
         {"no_slices", Flag(&a.slices, false)},
         {"slice_min_rows", Number(&o.slices.min_rows, usecase::ranges::kSliceMinRows)},
         {"slice_loss", Choice(&fairness::ParseSliceLoss, &o.slices.loss, "logloss or error_rate")},
         {"slice_top", Number(&o.slices.top_k)},
         {"slice_bins", Number(&o.slices.binning.numeric_bins, usecase::ranges::kSliceBins)},
         {"fdr", Number(&o.slices.alpha, usecase::ranges::kFdr)},
         {"no_proxies", Flag(&a.proxies, false)},
         {"proxy_auc", Number(&o.proxies.auc_threshold, usecase::ranges::kProxyAuc)},
         {"proxy_nmi", Number(&o.proxies.nmi_threshold, usecase::ranges::kUnit)},
         {"out", Text(&r.out_path)},
         {"fit_thresholds", fit_thresholds},
         {"fit_attribute", Text(&r.fit_attribute)},
         {"bound", Number(&r.bound, usecase::ranges::kFitBound)},
         {"threads", Number(&threads, usecase::ranges::kThreads)}},
        options);
  return RunUseCase([&] { return usecase::Audit(r, CallContext(threads)); },
                    Files({{model, true}, {data, frame.is_none()}}));
}

// (json, text, drifted: the data set, the predictions or the labels).
py::tuple Drift(const std::string& reference, const std::string& data, const py::dict& options,
                const py::object& reference_frame, const py::object& frame) {
  usecase::DriftRequest r;
  r.reference_path = reference;
  r.data_path = data;
  r.read_reference = FrameReader(reference_frame, reference);
  r.read_data = FrameReader(frame, data);
  drift::DriftOptions& o = r.options.drift;
  int threads = 0;
  const auto numeric_test = [](std::string_view t, drift::DriftTest* test) {
    return drift::ParseDriftTest(t, test) && *test != drift::DriftTest::kChiSquare;
  };
  const auto categorical_test = [](std::string_view t, drift::DriftTest* test) {
    return drift::ParseDriftTest(t, test) && *test != drift::DriftTest::kKs &&
           *test != drift::DriftTest::kWasserstein;
  };
  Apply(
      {{"target", Text(&r.options.target)},
       {"numeric_test", Choice<drift::DriftTest>(numeric_test, &o.numeric_test,
                                                 "auto, ks, psi, jensen_shannon or wasserstein")},
       {"categorical_test", Choice<drift::DriftTest>(categorical_test, &o.categorical_test,
                                                     "auto, chi2, psi or jensen_shannon")},
       {"alpha", Number(&o.alpha, usecase::ranges::kOpenUnit)},
       {"correction",
        Choice(&drift::ParseCorrection, &o.correction, "benjamini-hochberg, bonferroni or none")},
       {"psi_threshold", Number(&o.psi_threshold)},
       {"js_threshold", Number(&o.js_threshold, usecase::ranges::kPositiveFraction)},
       {"wasserstein_threshold", Number(&o.wasserstein_threshold)},
       {"small_sample", Number(&o.small_sample)},
       {"drift_share", Number(&o.drift_share, usecase::ranges::kPositiveFraction)},
       {"missing_threshold", Number(&o.missing_rate_threshold, usecase::ranges::kPositiveFraction)},
       {"max_categories", Number(&o.max_categories)},
       {"bins", Number(&r.options.numeric_bins)},
       {"histograms", Flag(&r.histograms, true)},
       {"threads", Number(&threads, usecase::ranges::kThreads)}},
      options);
  auto result = [&] {
    py::gil_scoped_release release;
    return usecase::Drift(r, CallContext(threads));
  }();
  const auto d =
      Unwrap(std::move(result), ErrorSubject::kFileOrColumn,
             Subject(Files({{reference, reference_frame.is_none()}, {data, frame.is_none()}})));
  return py::make_tuple(d.ToJson().dump(), d.ToText(), d.drifted());
}

py::tuple Evaluate(const std::string& model, const std::string& data, const py::dict& options,
                   const py::object& frame) {
  usecase::EvaluateRequest r;
  r.input.model_path = model;
  r.input.data_path = data;
  r.input.read_data = FrameReader(frame, data);
  EvaluationOptions& o = r.options;
  int threads = 0;
  Apply({{"threshold", Number(&o.metric.threshold)},
         {"resamples", Number(&o.bootstrap.resamples, usecase::ranges::kResamples)},
         {"seed", Number(&o.bootstrap.seed)},
         {"confidence", Number(&o.bootstrap.confidence, usecase::ranges::kOpenUnit)},
         {"bins", Number(&o.metric.calibration_bins, usecase::ranges::kCalibrationBins)},
         {"curve_points", Number(&o.max_curve_points, usecase::ranges::kCurvePoints)},
         {"allow_missing_columns", Flag(&r.input.allow_missing_columns, true)},
         {"threads", Number(&threads, usecase::ranges::kThreads)}},
        options);
  return RunUseCase([&] { return usecase::Evaluate(r, CallContext(threads)); },
                    Files({{model, true}, {data, frame.is_none()}}));
}

// `keel run`: (summary.json's object as text, the CLI's summary lines).
py::tuple Run(const std::string& project_path, const std::string& out, int threads) {
  std::vector<std::string> files{project_path};  // what a missing file may be
  auto run = [&]() -> Result<std::unique_ptr<usecase::PipelineRun>> {
    py::gil_scoped_release release;
    KEEL_ASSIGN_OR_RETURN(usecase::Project project, usecase::LoadProject(project_path));
    files.push_back(project.data_path);
    if (!project.schema_path.empty()) files.push_back(project.schema_path);
    if (!out.empty()) project.output_dir = out;
    auto result = usecase::RunPipeline(project, CallContext(threads));
    if (result.ok()) return result;
    // Name keel.yaml once, as `keel run` does: the project checks start with it already.
    const Status& s = result.status();
    return s.message().rfind(project.source + ":", 0) == 0 ? s : s.WithContext(project.source);
  }();
  const auto r = Unwrap(std::move(run), ErrorSubject::kFileOrColumn, Subject(files));
  return py::make_tuple(usecase::SummaryJson(*r).dump(), usecase::SummaryText(*r));
}

}  // namespace

void RegisterGate(py::module_& m) {
  // `frame` (and drift's `reference_frame`): a DataFrame's (names, specs) read instead of the
  // file, which `data` (`reference`) then names; None: `data` is a path.
  m.def("compare", &Compare, py::arg("baseline"), py::arg("candidate"), py::arg("data"),
        py::arg("options"), py::arg("frame") = py::none());
  m.def("audit", &Audit, py::arg("model"), py::arg("data"), py::arg("options"),
        py::arg("frame") = py::none());
  m.def("drift", &Drift, py::arg("reference"), py::arg("data"), py::arg("options"),
        py::arg("reference_frame") = py::none(), py::arg("frame") = py::none());
  m.def("evaluate", &Evaluate, py::arg("model"), py::arg("data"), py::arg("options"),
        py::arg("frame") = py::none());
  m.def("run", &Run, py::arg("project"), py::arg("out") = "", py::arg("threads") = 0);
}

}  // namespace keel::python
