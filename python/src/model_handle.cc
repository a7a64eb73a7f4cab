#include "python/src/model_handle.h"

#include "model/model_io.h"
#include "usecase/explain.h"

namespace keel::python {

Result<std::shared_ptr<ModelHandle>> ModelHandle::FromModel(Model model) {
  std::shared_ptr<ModelHandle> h(new ModelHandle());
  h->model_ = std::move(model);
  KEEL_ASSIGN_OR_RETURN(h->predictor_, Predictor::Create(h->model_));
  return h;
}

Result<std::shared_ptr<ModelHandle>> ModelHandle::Load(const std::string& path) {
  KEEL_ASSIGN_OR_RETURN(Model model, LoadModel(path));
  auto h = FromModel(std::move(model));
  if (!h.ok()) return h.status().WithContext(path);
  return h;
}

Result<const Explainer*> ModelHandle::explainer() const {
  std::lock_guard<std::mutex> lock(explainer_mutex_);
  if (explainer_ == nullptr) {
    KEEL_ASSIGN_OR_RETURN(explainer_,
                          usecase::BuildExplainer(model_, usecase::ExplainRequest{}, nullptr));
  }
  return explainer_.get();
}

}  // namespace keel::python
