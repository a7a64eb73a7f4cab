#include "serve/model_store.h"

#include "core/log.h"
#include "core/thread_priority.h"

namespace keel::serve {

ModelSlot::ModelSlot(std::string name, std::string path, std::shared_ptr<const ServedModel> model,
                     ServedModelOptions options)
    : name_(std::move(name)),
      path_(std::move(path)),
      options_(std::move(options)),
      current_(std::move(model)) {
  for (auto& a : metrics_.anomalies) a.store(0, std::memory_order_relaxed);
}

Result<ModelSlot::ReloadResult> ModelSlot::Reload(bool allow_contract_change) {
  if (path_.empty()) {
    return Status::FailedPrecondition(
        "model '{}' is followed in a registry, not read from a file: promote or roll back a "
        "version there instead",
        name_);
  }
  std::lock_guard<std::mutex> lock(reload_mu_);
  // Reading and compiling a large model takes milliseconds of CPU: at background priority
  // it runs in the gaps between requests instead of preempting them.
  Result<std::shared_ptr<const ServedModel>> loaded = Status::Internal("reload did not run");
  RunAtBackgroundPriority([&] { loaded = ServedModel::Load(name_, path_, options_); });
  if (!loaded.ok()) {
    metrics_.reloads_failed.fetch_add(1, std::memory_order_relaxed);
    log::Warn("model '{}': reload refused, version {} keeps serving: {}", name_, Get()->version(),
              loaded.status().message());
    return loaded.status();
  }
  return ReplaceLocked(std::move(loaded).value(), allow_contract_change);
}

ModelSlot::ReloadResult ModelSlot::Replace(std::shared_ptr<const ServedModel> candidate,
                                           bool allow_contract_change) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  return ReplaceLocked(std::move(candidate), allow_contract_change);
}

ModelSlot::ReloadResult ModelSlot::ReplaceLocked(std::shared_ptr<const ServedModel> candidate,
                                                 bool allow_contract_change) {
  const std::shared_ptr<const ServedModel> old = Get();
  ReloadResult r;
  r.previous_version = old->version();
  r.version = candidate->version();
  r.contract_changes = CompareRequestContract(*old, *candidate);
  if (!r.contract_changes.empty() && !allow_contract_change) {
    metrics_.reloads_contract_refused.fetch_add(1, std::memory_order_relaxed);
    log::Error(
        "model '{}': reload of version {} refused, it changes the request contract ({}); "
        "version {} keeps serving (start keel serve with --allow-contract-change to accept "
        "such reloads)",
        name_, r.version, DescribeContractChanges(r.contract_changes), r.previous_version);
    return r;
  }
  current_.store(std::move(candidate), std::memory_order_release);
  r.reloaded = true;
  metrics_.reloads_ok.fetch_add(1, std::memory_order_relaxed);
  if (r.contract_changes.empty()) {
    log::Info("model '{}': reloaded {} (was {})", name_, r.version, r.previous_version);
  } else {
    log::Warn("model '{}': reloaded {} (was {}), changing the request contract: {}", name_,
              r.version, r.previous_version, DescribeContractChanges(r.contract_changes));
  }
  return r;
}

void ModelSlot::CountFailedReload() {
  metrics_.reloads_failed.fetch_add(1, std::memory_order_relaxed);
}

bool ModelStore::ValidName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status ModelStore::Add(std::string name, std::string path, std::shared_ptr<const ServedModel> model,
                       ServedModelOptions options) {
  if (!ValidName(name)) {
    return Status::InvalidArgument(
        "model name '{}' is not valid: use letters, digits, '_', '.' and '-' (at most 128)", name);
  }
  std::lock_guard<std::mutex> lock(add_mu_);
  auto current = slots_.load(std::memory_order_acquire);
  for (const auto& s : *current) {
    if (s->name() == name) {
      return Status::AlreadyExists(
          "two models are named '{}': give one another name with "
          "--model NAME=PATH",
          name);
    }
  }
  auto next = std::make_shared<SlotList>(*current);
  next->push_back(std::make_shared<ModelSlot>(std::move(name), std::move(path), std::move(model),
                                              std::move(options)));
  slots_.store(std::move(next), std::memory_order_release);
  return Status::OK();
}

ModelSlot* ModelStore::Find(std::string_view name) const {
  auto list = slots_.load(std::memory_order_acquire);
  for (const auto& s : *list) {
    if (s->name() == name) return s.get();
  }
  return nullptr;
}

std::vector<ModelSlot*> ModelStore::All() const {
  auto list = slots_.load(std::memory_order_acquire);
  std::vector<ModelSlot*> out;
  out.reserve(list->size());
  for (const auto& s : *list) out.push_back(s.get());
  return out;
}

}  // namespace keel::serve
