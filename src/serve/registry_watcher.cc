#include "serve/registry_watcher.h"

#include <algorithm>
#include <charconv>

#include "core/log.h"

namespace keel::serve {

RegistryWatcher::RegistryWatcher(RegistryWatcherOptions options, ModelStore* store,
                                 std::unique_ptr<registry::Registry> reg)
    : options_(std::move(options)), store_(store), registry_(std::move(reg)) {
  // Called on a request thread: only noted here, archived by the next poll.
  options_.challenger_options.on_removed =
      [this](const std::string& name, const std::string& version, const std::string& reason) {
        std::lock_guard<std::mutex> lock(removed_mu_);
        removed_.push_back({name, version, reason});
      };
}

void RegistryWatcher::SetChallengerLog(PredictionLog* log) {
  std::lock_guard<std::mutex> lock(poll_mu_);
  options_.challenger_options.log = log;
  if (options_.challengers == nullptr) return;
  for (Challenger* c : options_.challengers->All()) c->set_log(log);
}

void RegistryWatcher::ArchiveRemovedCanaries() {
  std::vector<RemovedCanary> removed;
  {
    std::lock_guard<std::mutex> lock(removed_mu_);
    removed.swap(removed_);
  }
  for (const RemovedCanary& r : removed) {
    int64_t version = 0;
    std::from_chars(r.version.data(), r.version.data() + r.version.size(), version);
    auto reg = registry::Registry::Open(options_.location, registry::RegistryAccess::kWrite);
    Status st = reg.ok() ? (*reg)
                               ->Archive(r.name, version,
                                         {"keel serve", "canary guard rails: " + r.reason, ""})
                               .status()
                         : reg.status();
    if (st.ok()) {
      log::Info("registry: archived canary challenger {}@{} ({})", r.name, version, r.reason);
    } else {
      log::Error("registry: could not archive canary challenger {}@{}: {}", r.name, version,
                 st.message());
    }
  }
}

Result<std::unique_ptr<RegistryWatcher>> RegistryWatcher::Open(
    const RegistryWatcherOptions& options, ModelStore* store) {
  // A server only reads the registry: it never creates one (a typo is "no registry at ...").
  KEEL_ASSIGN_OR_RETURN(
      auto reg, registry::Registry::Open(options.location, registry::RegistryAccess::kRead));
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
  for (const auto& p : prod) {
    if (store->Find(p.name) != nullptr) {
      return Status::AlreadyExists(
          "two models are named '{}': one given with --model, one in the registry {}: give the "
          "file another name with --model NAME=PATH",
          p.name, w->registry_->database().display_name());
    }
    KEEL_RETURN_IF_ERROR(w->Install(p.name, p.version).status());
  }
  KEEL_RETURN_IF_ERROR(w->SyncStaging(/*strict=*/true));
  return w;
}

Status RegistryWatcher::InstallChallenger(const std::string& name, int64_t version) {
  KEEL_ASSIGN_OR_RETURN(std::string bytes, registry_->Artifact(name, version));
  ServedModelOptions mo = options_.model_options;
  mo.drift.window_rows = 0;  // live drift windows follow the champion
  KEEL_ASSIGN_OR_RETURN(
      std::shared_ptr<const ServedModel> model,
      ServedModel::FromArtifact(name, bytes, fmt::format("registry {}@{}", name, version),
                                std::to_string(version), "", mo));
  const ModelSlot* champion = store_->Find(name);
  if (champion == nullptr) return Status::NotFound("model '{}' is not served", name);
  const auto changes = CompareRequestContract(*champion->Get(), *model);
  if (!changes.empty() && !options_.allow_contract_change) {
    return Status::FailedPrecondition(
        "staging version {} changes the request contract of the production version ({})", version,
        DescribeContractChanges(changes));
  }
  Challenger* existing = options_.challengers->Find(name);
  if (existing == nullptr) {
    KEEL_RETURN_IF_ERROR(options_.challengers->Add(
        std::make_unique<Challenger>(name, std::move(model), "", options_.challenger_options)));
  } else {
    existing->slot().Replace(std::move(model), /*allow_contract_change=*/true);
    existing->Reinstate();
  }
  log::Info("registry: model '{}' challenger is staging version {} (traffic {})", name, version,
            options_.challenger_options.split.ToString());
  staging_[name] = version;
  return Status::OK();
}

Status RegistryWatcher::SyncStaging(bool strict) {
  if (options_.challengers == nullptr) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(std::vector<registry::ModelVersion> versions, registry_->List(""));
  std::map<std::string, int64_t> latest;  // name -> its latest staging version
  for (const registry::ModelVersion& v : versions) {
    if (v.stage != registry::Stage::kStaging || served_.count(v.name) == 0) continue;
    latest[v.name] = std::max(latest[v.name], v.version);
  }
  for (const auto& [name, version] : latest) {
    auto it = staging_.find(name);
    if (it != staging_.end() && it->second == version) continue;
    auto failed = staging_failed_.find(name);
    if (!strict && failed != staging_failed_.end() && failed->second == version) continue;
    Status st = InstallChallenger(name, version);
    if (!st.ok()) {
      if (strict) return st;
      staging_failed_[name] = version;
      log::Error("registry: model '{}' staging version {} cannot be its challenger: {}", name,
                 version, st.message());
    }
  }
  for (auto it = staging_.begin(); it != staging_.end();) {
    if (latest.count(it->first) != 0) {
      ++it;
      continue;
    }
    if (Challenger* c = options_.challengers->Find(it->first); c != nullptr) {
      c->Retire(fmt::format("version {} is no longer in staging", it->second));
      log::Info("registry: model '{}' has no staging version any more: no challenger", it->first);
    }
    it = staging_.erase(it);
  }
  return Status::OK();
}

RegistryWatcher::~RegistryWatcher() {
  Stop();
}

Result<RegistryWatcher::InstallResult> RegistryWatcher::Install(const std::string& name,
                                                                int64_t version) {
  ModelSlot* slot = store_->Find(name);
  auto built = [&]() -> Result<std::shared_ptr<const ServedModel>> {
    KEEL_ASSIGN_OR_RETURN(std::string bytes, registry_->Artifact(name, version));
    return ServedModel::FromArtifact(name, bytes, fmt::format("registry {}@{}", name, version),
                                     std::to_string(version), "", options_.model_options);
  }();
  if (!built.ok()) {
    if (slot != nullptr) slot->CountFailedReload();
    return built.status();
  }
  InstallResult r;
  if (slot == nullptr) {
    KEEL_RETURN_IF_ERROR(store_->Add(name, "", std::move(built).value(), options_.model_options));
    r.installed = true;
  } else {
    ModelSlot::ReloadResult reload =
        slot->Replace(std::move(built).value(), options_.allow_contract_change);
    r.installed = reload.reloaded;
    r.contract_changes = std::move(reload.contract_changes);
  }
  if (r.installed) served_[name] = version;
  return r;
}

Result<int> RegistryWatcher::PollOnce() {
  std::lock_guard<std::mutex> lock(poll_mu_);
  stats_.polls.fetch_add(1, std::memory_order_relaxed);
  ArchiveRemovedCanaries();
  auto last = registry_->LastEventId();
  if (!last.ok()) {
    // The connection may be gone (database restarted): reconnect for the next poll.
    stats_.poll_errors.fetch_add(1, std::memory_order_relaxed);
    auto reopened = registry::Registry::Open(options_.location, registry::RegistryAccess::kRead);
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
    // A version refused for its contract is tried again only once the registry changed
    // after the refusal (a retry in between would refuse it again).
    auto refused = refused_.find(p.name);
    if (refused != refused_.end() && refused->second.version == p.version &&
        refused->second.event == *last) {
      continue;
    }
    const std::string previous = it != served_.end() ? std::to_string(it->second) : "none";
    auto installed = Install(p.name, p.version);
    if (!installed.ok()) {
      all_ok = false;
      stats_.load_errors.fetch_add(1, std::memory_order_relaxed);
      log::Error("registry: model '{}' version {} cannot be served, {} keeps serving: {}", p.name,
                 p.version, previous, installed.status().message());
      continue;
    }
    if (!installed->installed) {
      refused_[p.name] = {p.version, *last};
      stats_.contract_refusals.fetch_add(1, std::memory_order_relaxed);
      log::Error(
          "registry: model '{}' version {} is production but is not served: it changes the "
          "request contract ({}); version {} keeps serving. Promote a compatible version, roll "
          "back, or restart keel serve with --allow-contract-change. Tried again when the "
          "registry changes.",
          p.name, p.version, DescribeContractChanges(installed->contract_changes), previous);
      continue;
    }
    refused_.erase(p.name);
    ++switched;
    stats_.switches.fetch_add(1, std::memory_order_relaxed);
    log::Info("registry: model '{}' now serves version {} (was {})", p.name, p.version, previous);
  }
  if (Status st = SyncStaging(/*strict=*/false); !st.ok()) {
    all_ok = false;
    log::Warn("registry: reading staging versions failed: {}", st.message());
  }
  // Remember the event only when everything applied or was refused for its contract, so a
  // version that failed to load is retried at the next poll.
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

std::map<std::string, int64_t> RegistryWatcher::challengers() const {
  std::lock_guard<std::mutex> lock(poll_mu_);
  return staging_;
}

std::map<std::string, int64_t> RegistryWatcher::served() const {
  std::lock_guard<std::mutex> lock(poll_mu_);
  return served_;
}

}  // namespace keel::serve
