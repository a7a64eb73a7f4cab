#include "serve/registry_watcher.h"

#include "core/log.h"
#include "model/model_io.h"

namespace keel::serve {

RegistryWatcher::RegistryWatcher(RegistryWatcherOptions options, ModelStore* store,
                                 std::unique_ptr<registry::Registry> reg)
    : options_(std::move(options)), store_(store), registry_(std::move(reg)) {}

Result<std::unique_ptr<RegistryWatcher>> RegistryWatcher::Open(
    const RegistryWatcherOptions& options, ModelStore* store) {
  KEEL_ASSIGN_OR_RETURN(auto reg, registry::Registry::Open(options.location));
  std::unique_ptr<RegistryWatcher> w(new RegistryWatcher(options, store, std::move(reg)));
  std::lock_guard<std::mutex> lock(w->poll_mu_);
  KEEL_ASSIGN_OR_RETURN(w->last_event_, w->registry_->LastEventId());
  KEEL_ASSIGN_OR_RETURN(auto prod, w->registry_->ProductionVersions());
  if (prod.empty()) {
    return Status::FailedPrecondition(
        "the registry {} has no production version to serve: `keel registry promote "
        "NAME@VERSION --to production` first",
        w->registry_->database().display_name());
  }
  for (const auto& p : prod) KEEL_RETURN_IF_ERROR(w->Install(p.name, p.version));
  return w;
}

RegistryWatcher::~RegistryWatcher() {
  Stop();
}

Status RegistryWatcher::Install(const std::string& name, int64_t version) {
  KEEL_ASSIGN_OR_RETURN(std::string bytes, registry_->Artifact(name, version));
  const std::string source = fmt::format("registry {}@{}", name, version);
  KEEL_ASSIGN_OR_RETURN(Model model, DeserializeModel(bytes, source));
  KEEL_ASSIGN_OR_RETURN(auto served,
                        ServedModel::FromModel(name, std::move(model), std::to_string(version), "",
                                               options_.model_options));
  if (ModelSlot* slot = store_->Find(name); slot != nullptr) {
    slot->Swap(std::move(served));
  } else {
    KEEL_RETURN_IF_ERROR(store_->Add(name, "", std::move(served), options_.model_options));
  }
  served_[name] = version;
  return Status::OK();
}

Result<int> RegistryWatcher::PollOnce() {
  std::lock_guard<std::mutex> lock(poll_mu_);
  stats_.polls.fetch_add(1, std::memory_order_relaxed);
  auto last = registry_->LastEventId();
  if (!last.ok()) {
    // The connection may be gone (database restarted): reconnect for the next poll.
    stats_.poll_errors.fetch_add(1, std::memory_order_relaxed);
    auto reopened = registry::Registry::Open(options_.location);
    if (reopened.ok()) registry_ = std::move(reopened).value();
    return last.status();
  }
  if (*last == last_event_) return 0;
  auto prod = registry_->ProductionVersions();
  if (!prod.ok()) {
    stats_.poll_errors.fetch_add(1, std::memory_order_relaxed);
    return prod.status();
  }
  int switched = 0;
  bool all_ok = true;
  for (const auto& p : *prod) {
    auto it = served_.find(p.name);
    if (it != served_.end() && it->second == p.version) continue;
    const std::string previous = it != served_.end() ? std::to_string(it->second) : "none";
    Status st = Install(p.name, p.version);
    if (!st.ok()) {
      all_ok = false;
      stats_.load_errors.fetch_add(1, std::memory_order_relaxed);
      log::Error("registry: model '{}' version {} cannot be served, {} keeps serving: {}", p.name,
                 p.version, previous, st.message());
      continue;
    }
    ++switched;
    stats_.switches.fetch_add(1, std::memory_order_relaxed);
    log::Info("registry: model '{}' now serves version {} (was {})", p.name, p.version, previous);
  }
  // Remember the event only when everything applied, so a failed load is retried.
  if (all_ok) last_event_ = *last;
  return switched;
}

void RegistryWatcher::StartPolling() {
  if (poller_.joinable()) return;
  poller_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(stop_mu_);
    while (!stopping_) {
      stop_cv_.wait_for(lock, options_.poll, [&] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      auto r = PollOnce();
      if (!r.ok()) log::Warn("registry: poll failed: {}", r.status().message());
      lock.lock();
    }
  });
}

void RegistryWatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

std::map<std::string, int64_t> RegistryWatcher::served() const {
  std::lock_guard<std::mutex> lock(poll_mu_);
  return served_;
}

}  // namespace keel::serve
