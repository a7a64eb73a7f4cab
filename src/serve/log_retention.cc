#include "serve/log_retention.h"

#include "core/log.h"
#include "registry/prediction_log_store.h"
#include "registry/registry.h"

namespace keel::serve {

LogRetention::LogRetention(LogRetentionOptions options) : options_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

LogRetention::~LogRetention() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LogRetention::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    registry::DatabaseOptions o;
    o.durable = false;  // a lost prune is redone at the next run
    auto db = registry::OpenDatabase(options_.location, o);
    if (db.ok()) {
      auto removed =
          registry::PrunePredictions(**db, registry::NowMicros() - options_.retention_us);
      if (removed.ok()) {
        rows_pruned_.fetch_add(*removed, std::memory_order_relaxed);
        if (*removed > 0) log::Info("prediction log: pruned {} rows past retention", *removed);
      } else {
        log::Warn("prediction log retention: {}", removed.status().message());
      }
    } else {
      log::Warn("prediction log retention: {}", db.status().message());
    }
    lock.lock();
    cv_.wait_for(lock, options_.interval, [&] { return stopping_; });
  }
}

}  // namespace keel::serve
