// A model as the Python package holds it: the IR (for its schema, categories and saving), the
// predictor compiled from it once, and the explainer built on first use. Immutable after
// construction but for that lazily built explainer, so any number of Python threads may predict
// and explain from one instance at once (the binding releases the GIL while they compute).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "explain/explainer.h"
#include "keel/status.h"
#include "model/model.h"
#include "predict/predictor.h"

namespace keel::python {

class ModelHandle {
 public:
  // Reads and verifies a .keel file and compiles it. Errors: LoadModel's, Predictor::Create's
  // (naming the path).
  static Result<std::shared_ptr<ModelHandle>> Load(const std::string& path);
  // Compiles a model in memory (a model just trained). Errors: Predictor::Create's.
  static Result<std::shared_ptr<ModelHandle>> FromModel(Model model);

  const Model& model() const { return model_; }
  const Predictor& predictor() const { return *predictor_; }
  // The explainer `keel explain` uses for this model (usecase::BuildExplainer with the explain
  // request's defaults), built on the first call. Errors: BuildExplainer's.
  Result<const Explainer*> explainer() const;

 private:
  ModelHandle() = default;

  Model model_;
  std::unique_ptr<Predictor> predictor_;
  mutable std::mutex explainer_mutex_;
  mutable std::unique_ptr<Explainer> explainer_;
};

}  // namespace keel::python
