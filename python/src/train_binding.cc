#include "python/src/train_binding.h"

#include <pybind11/stl.h>

#include "python/src/call_context.h"
#include "python/src/model_handle.h"
#include "train/params.h"

namespace keel::python {

namespace py = pybind11;

usecase::TrainRequest TrainRequestOf(const TrainArgs& a) {
  usecase::TrainRequest request;
  request.input.path = a.path;
  request.input.schema_path = a.schema_path;
  request.target = a.target;
  request.positive = a.positive;
  request.weight_column = a.weight;
  request.exclude = a.exclude;
  request.out_path = a.out;
  request.sensitive = a.sensitive;
  request.include_sensitive = a.include_sensitive;
  request.reweigh = a.reweigh;
  request.fair_attribute = a.fair_attribute;
  request.fair = a.fair;
  if (!a.fair_constraint.empty() &&
      !ParseFairConstraint(a.fair_constraint, &request.fair.constraint)) {
    ThrowIfError(Status::InvalidArgument(
        "fair_constraint: expected demographic_parity or equalized_odds, got \"{}\"",
        a.fair_constraint));
  }
  for (const auto& [name, text] : a.params) {
    const Status st = SetParam(name, text, &request.params);
    // An unknown keyword is a bad argument (ValueError), not a missing file or column.
    if (st.code() == StatusCode::kNotFound) ThrowIfError(Status::InvalidArgument(st.message()));
    ThrowIfError(st);
  }
  return request;
}

py::tuple TrainedModelTuple(Result<usecase::TrainModelResult> result, ErrorSubject subject,
                            const std::string& path) {
  usecase::TrainModelResult r = Unwrap(std::move(result), subject, path);
  const std::string report = r.ToJson().dump();
  auto handle = Unwrap(ModelHandle::FromModel(std::move(r.model)));
  return py::make_tuple(handle, report);
}

void SetFairness(const py::dict& fairness, TrainArgs* a) {
  for (const auto& item : fairness) {
    // Named handles, not a structured binding: the lambdas below capture them (clang refuses
    // to capture a binding).
    const py::handle key = item.first;
    const py::handle value = item.second;
    const std::string name = py::str(key);
    if (value.is_none()) continue;
    const auto bad = [&](const char* expected) {
      ThrowIfError(Status::InvalidArgument("{}: expected {}, got {}", name, expected,
                                           py::repr(value).cast<std::string>()));
    };
    const auto text = [&](std::string* out) {
      if (!py::isinstance<py::str>(value)) bad("a column name");
      *out = value.cast<std::string>();
    };
    if (name == "sensitive") {
      if (py::isinstance<py::str>(value)) {
        a->sensitive = {value.cast<std::string>()};
        continue;
      }
      if (!py::isinstance<py::list>(value) && !py::isinstance<py::tuple>(value)) {
        bad("a column name or a list of them");
      }
      for (py::handle c : value) {
        if (!py::isinstance<py::str>(c)) bad("a column name or a list of them");
        a->sensitive.push_back(c.cast<std::string>());
      }
    } else if (name == "include_sensitive") {
      if (!py::isinstance<py::bool_>(value)) bad("True or False");
      a->include_sensitive = value.cast<bool>();
    } else if (name == "reweigh") {
      text(&a->reweigh);
    } else if (name == "fair_attribute") {
      text(&a->fair_attribute);
    } else if (name == "fair_constraint") {
      text(&a->fair_constraint);
    } else if (name == "fair_bound") {
      if (py::isinstance<py::bool_>(value) || !PyNumber_Check(value.ptr())) bad("a number");
      a->fair.bound = value.cast<double>();
    } else if (name == "fair_iterations") {
      if (py::isinstance<py::bool_>(value) || !PyIndex_Check(value.ptr())) bad("an integer");
      a->fair.iterations = value.cast<int>();
    } else {
      ThrowIfError(Status::InvalidArgument("unknown fairness option '{}'", name));
    }
  }
}

namespace {

py::tuple Train(const TrainArgs& a) {
  const usecase::TrainRequest request = TrainRequestOf(a);
  Result<usecase::TrainModelResult> result = [&] {
    py::gil_scoped_release release;
    // The CLI's Context: the threads parameter is the Context's thread count.
    return usecase::TrainModel(request, CallContext(request.params.threads));
  }();
  return TrainedModelTuple(std::move(result), ErrorSubject::kFileOrColumn, a.path);
}

}  // namespace

void RegisterTrain(py::module_& m) {
  m.def(
      "train",
      [](std::string path, std::string target, std::string schema, std::string positive,
         std::string weight, std::vector<std::string> exclude, std::string out,
         std::map<std::string, std::string> params, const py::dict& fairness) {
        TrainArgs a{std::move(path),   std::move(target), std::move(schema),  std::move(positive),
                    std::move(weight), std::move(out),    std::move(exclude), std::move(params)};
        SetFairness(fairness, &a);
        return Train(a);
      },
      py::arg("path"), py::arg("target"), py::arg("schema") = "", py::arg("positive") = "",
      py::arg("weight") = "", py::arg("exclude") = std::vector<std::string>{}, py::arg("out") = "",
      py::arg("params") = std::map<std::string, std::string>{}, py::arg("fairness") = py::dict());
}

}  // namespace keel::python
