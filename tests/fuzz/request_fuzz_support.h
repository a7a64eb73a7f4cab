// What the server's request fuzz targets (http_request, record_request, oip_request) share:
// the check that aborts with a detail, a JSON-object test for answers and logged rows, the
// four hand-built serving models, and the rule for a refused request.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "keel/status.h"
#include "serve/served_model.h"
#include "serve/test_model.h"

namespace keel::serve::fuzz {

inline void Require(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) {
    std::fprintf(stderr, "fuzz check failed: %s\n%.*s\n", what, static_cast<int>(detail.size()),
                 detail.data());
    std::abort();
  }
}

inline bool IsJsonObject(std::string_view text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false).is_object();
}

// A decoder's refusal must be one of its documented codes and say what is wrong.
inline void RequireDocumentedRefusal(const Status& st) {
  const StatusCode code = st.code();
  Require(code == StatusCode::kParseError || code == StatusCode::kInvalidArgument ||
              code == StatusCode::kResourceExhausted,
          "a refused request is ParseError, InvalidArgument or ResourceExhausted", st.ToString());
  Require(!st.message().empty(), "an error has a message");
}

// The serving tests' models, indexed by two option bits: 0 binary, 1 multiclass,
// 2 regression, 3 binary without a training schema (an import without --schema).
struct TestModels {
  // `check` runs on each model once it is built (e.g. its metadata answer).
  template <typename Check>
  explicit TestModels(Check check) {
    models[0] = Build("tiny", keel::serve::testing::TinyBinaryModel(), check);
    models[1] = Build("multi", keel::serve::testing::TinyMulticlassModel(), check);
    models[2] = Build("reg", keel::serve::testing::TinyRegressionModel(), check);
    Model bare = keel::serve::testing::TinyBinaryModel();
    bare.schema = Schema{};
    models[3] = Build("bare", std::move(bare), check);
  }
  TestModels() : TestModels([](const ServedModel&) {}) {}

  std::shared_ptr<const ServedModel> models[4];

 private:
  template <typename Check>
  static std::shared_ptr<const ServedModel> Build(const char* name, Model model, Check check) {
    auto served = ServedModel::FromModel(name, std::move(model), "v1");
    Require(served.ok(), "building a test model");
    check(**served);
    return *served;
  }
};

}  // namespace keel::serve::fuzz
