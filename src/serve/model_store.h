// ModelStore: the models a server answers for, by name, with atomic hot swap.
//
// Each name has a ModelSlot holding std::shared_ptr<const ServedModel>. A request takes a
// reference (an atomic load) and uses that model to the end, so a reload that swaps the slot
// never disturbs requests in flight; the old model is freed when its last request finishes.
// A reload builds and checks the new model completely before the swap; a file that fails to
// load or check is refused and the old model keeps serving. So is a model that changes the
// request contract (request_contract.h: features, their kinds and categories, task, classes,
// target), unless the reload allows contract changes.
//
// Thread-safety: all methods are safe to call concurrently. Slots are created at startup
// (and, for the registry, later with Add); they are never removed while the server runs.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"
#include "serve/request_contract.h"
#include "serve/served_model.h"

namespace keel::serve {

// Counters of one model name that survive reloads.
struct SlotMetrics {
  std::atomic<uint64_t> instances{0};  // instances predicted or explained
  std::atomic<uint64_t> reloads_ok{0};
  std::atomic<uint64_t> reloads_failed{0};
  std::atomic<uint64_t> reloads_contract_refused{0};  // refused: the request contract changed
  // Instance anomalies by kind (InstanceAnomalyKind order, see record_request.h).
  std::array<std::atomic<uint64_t>, 6> anomalies{};
  // Fields ignored in lenient mode: unknown names, wrong types.
  std::atomic<uint64_t> ignored_unknown{0};
  std::atomic<uint64_t> ignored_wrong_type{0};
};

class ModelSlot {
 public:
  // `options` are those the model was loaded with; reloads use them again.
  ModelSlot(std::string name, std::string path, std::shared_ptr<const ServedModel> model,
            ServedModelOptions options = {});

  const std::string& name() const { return name_; }
  // The artifact path a reload reads ("" for a model followed in a registry).
  const std::string& path() const { return path_; }

  // The model serving now (never null).
  std::shared_ptr<const ServedModel> Get() const {
    return current_.load(std::memory_order_acquire);
  }

  struct ReloadResult {
    std::string previous_version;  // the version serving before the call
    std::string version;           // the candidate's version
    // What the candidate changes in the request contract (empty = nothing).
    std::vector<ContractChange> contract_changes;
    // Whether the candidate now serves: false when it was refused because it changes the
    // request contract and contract changes were not allowed (the old model keeps serving).
    bool reloaded = false;
  };
  // Loads the artifact at path(), checks it, and swaps it in (see Replace). Reloads of one
  // slot are serialised. Errors: FailedPrecondition for a slot without a file (a registry
  // model), else the load's error (the old model keeps serving).
  Result<ReloadResult> Reload(bool allow_contract_change = false);
  // Swaps in an already built model (registry promotions) when it keeps the request
  // contract of the serving one, or when `allow_contract_change`; otherwise leaves the old
  // model serving and answers reloaded = false. Counted in metrics() either way.
  ReloadResult Replace(std::shared_ptr<const ServedModel> candidate, bool allow_contract_change);
  // Counts a candidate that failed to load or build (the old model keeps serving).
  void CountFailedReload();

  SlotMetrics& metrics() const { return metrics_; }

 private:
  ReloadResult ReplaceLocked(std::shared_ptr<const ServedModel> candidate,
                             bool allow_contract_change);

  std::string name_;
  std::string path_;
  ServedModelOptions options_;
  std::atomic<std::shared_ptr<const ServedModel>> current_;
  std::mutex reload_mu_;
  mutable SlotMetrics metrics_;
};

class ModelStore {
 public:
  // Adds a slot. Errors: AlreadyExists for a taken name, InvalidArgument for a name that is
  // not [A-Za-z0-9_.-]+ (names appear in URL paths and metric labels).
  Status Add(std::string name, std::string path, std::shared_ptr<const ServedModel> model,
             ServedModelOptions options = {});

  // The slot called `name`, or null. The pointer stays valid for the store's lifetime.
  ModelSlot* Find(std::string_view name) const;
  // Every slot, in the order added.
  std::vector<ModelSlot*> All() const;

  // Whether `name` may name a model.
  static bool ValidName(std::string_view name);

 private:
  using SlotList = std::vector<std::shared_ptr<ModelSlot>>;
  std::mutex add_mu_;
  // Copy-on-write list: readers take a snapshot without locking out each other.
  std::atomic<std::shared_ptr<const SlotList>> slots_{std::make_shared<const SlotList>()};
};

}  // namespace keel::serve
