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
         std::map<std::string, std::string> params) {
        return Train(TrainArgs{std::move(path), std::move(target), std::move(schema),
                               std::move(positive), std::move(weight), std::move(out),
                               std::move(exclude), std::move(params)});
      },
      py::arg("path"), py::arg("target"), py::arg("schema") = "", py::arg("positive") = "",
      py::arg("weight") = "", py::arg("exclude") = std::vector<std::string>{}, py::arg("out") = "",
      py::arg("params") = std::map<std::string, std::string>{});
}

}  // namespace keel::python
