// RegistryWatcher: `keel serve --registry URL`. Serves the production version of every model
// in a registry (registry/registry.h) and follows promotions and rollbacks without a restart.
//
// At Start it loads each name's production version into the ModelStore (one slot per name).
// A background thread then polls the registry every `poll` interval: when the latest
// stage-change event id moved, it reads the production versions and, for each name whose
// version changed, fetches the artifact (SHA-256 checked), builds the ServedModel completely
// and swaps it into the slot, so requests in flight finish on the old model and no request
// sees a half-loaded one. A name promoted for the first time gets a new slot. A version that
// fails to load is logged and counted and the old one keeps serving; the next poll retries.
// A version that changes the request contract of the one serving (request_contract.h) is
// refused the same way unless `allow_contract_change`, logged as an error naming the
// differences, counted, and tried again only after the registry changes again.
// When the registry is unreachable the current models keep serving and the watcher
// reconnects for the next poll.
//
// Challengers (challenger.h): when `challengers` is set, the latest staging version of each
// served name is its challenger, loaded at Open and followed by every poll the same way (a new
// staging version replaces the challenger and puts it back in traffic; a name left without a
// staging version retires its challenger; one that changes the champion's request contract is
// refused unless `allow_contract_change`).
//
// A canary challenger the guard rails take out is archived in the registry by the next poll
// (actor "keel serve", the guard's reason), so the event is in the registry's history.
//
// Served versions are labelled with the registry version number ("3"), which is what
// responses and the prediction log report as the model version. Several servers polling one
// PostgreSQL registry switch within about one poll interval of each other.
//
// Thread-safety: Start/Stop from one thread; PollOnce is serialised with the poller.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "keel/status.h"
#include "registry/registry.h"
#include "serve/challenger.h"
#include "serve/model_store.h"

namespace keel::serve {

struct RegistryWatcherOptions {
  std::string location;  // SQLite path or postgresql:// URL
  std::chrono::milliseconds poll{1000};
  ServedModelOptions model_options;
  // Serve a promoted version even when it changes the request contract (keel serve
  // --allow-contract-change).
  bool allow_contract_change = false;
  // Follow staging versions as challengers into this container (borrowed); null = off.
  Challengers* challengers = nullptr;
  ChallengerOptions challenger_options;  // their traffic split, limits and log
};

struct RegistryWatcherStats {
  std::atomic<uint64_t> polls{0};
  std::atomic<uint64_t> switches{0};           // slots swapped to another version
  std::atomic<uint64_t> load_errors{0};        // versions that failed to fetch or build
  std::atomic<uint64_t> poll_errors{0};        // registry unreachable or failing
  std::atomic<uint64_t> contract_refusals{0};  // versions refused: request contract changed
};

class RegistryWatcher {
 public:
  // Opens the registry and loads every production version into `store` (borrowed; must
  // outlive the watcher). Does not start polling (call StartPolling). Errors: those of
  // Registry::Open; FailedPrecondition when no model has a production version;
  // AlreadyExists when `store` already serves a model of a production version's name; the
  // load error of a production version that cannot be served.
  static Result<std::unique_ptr<RegistryWatcher>> Open(const RegistryWatcherOptions& options,
                                                       ModelStore* store);
  ~RegistryWatcher();
  RegistryWatcher(const RegistryWatcher&) = delete;
  RegistryWatcher& operator=(const RegistryWatcher&) = delete;

  void StartPolling();
  // Stops the poller (idempotent; the destructor calls it).
  void Stop();

  // One poll: returns how many slots switched. Errors: the registry's (nothing switched).
  Result<int> PollOnce();

  const RegistryWatcherStats& stats() const { return stats_; }
  // name -> registry version currently served.
  std::map<std::string, int64_t> served() const;
  // name -> registry version serving as challenger (staging).
  std::map<std::string, int64_t> challengers() const;
  // Where challengers' shadow rows go (set once the log is open, before serving).
  void SetChallengerLog(PredictionLog* log);

 private:
  RegistryWatcher(RegistryWatcherOptions options, ModelStore* store,
                  std::unique_ptr<registry::Registry> reg);
  struct InstallResult {
    bool installed = false;  // false: refused, it changes the request contract
    std::vector<ContractChange> contract_changes;
  };
  // Loads `name`@`version` into the store. Errors: fetch, decode or build errors.
  Result<InstallResult> Install(const std::string& name, int64_t version);
  // Makes the latest staging version of each served name its challenger (options_.challengers);
  // retires challengers whose name has none. Errors: the registry's, and (at Open only, when
  // `strict`) a staging version that cannot be served.
  Status SyncStaging(bool strict);
  // Loads `name`@`version` as the challenger of `name`. Errors: fetch, decode or build errors;
  // FailedPrecondition when it changes the champion's request contract (not allowed).
  Status InstallChallenger(const std::string& name, int64_t version);
  // Archives the canary challengers the guard rails took out (the poller's thread).
  void ArchiveRemovedCanaries();

  RegistryWatcherOptions options_;
  ModelStore* store_;
  std::unique_ptr<registry::Registry> registry_;
  mutable std::mutex poll_mu_;  // serialises PollOnce and guards registry_, last_event_, served_
  int64_t last_event_ = -1;
  std::map<std::string, int64_t> served_;
  std::map<std::string, int64_t> staging_;         // name -> challenger version serving
  std::map<std::string, int64_t> staging_failed_;  // name -> staging version that failed
  struct Refusal {
    int64_t version = 0;
    int64_t event = 0;  // the registry's last event id when it was refused
  };
  std::map<std::string, Refusal> refused_;  // name -> the version refused for its contract
  RegistryWatcherStats stats_;
  struct RemovedCanary {
    std::string name, version, reason;
  };
  std::mutex removed_mu_;
  std::vector<RemovedCanary> removed_;  // taken out by the guard, not yet archived

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace keel::serve
