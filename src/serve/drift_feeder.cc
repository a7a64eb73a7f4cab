#include "serve/drift_feeder.h"

#include "serve/live_drift.h"

namespace keel::serve {

DriftFeeder::DriftFeeder(const ModelStore* store, std::chrono::milliseconds interval)
    : store_(store), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

DriftFeeder::~DriftFeeder() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void DriftFeeder::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, interval_);
    lock.unlock();
    for (ModelSlot* slot : store_->All()) {
      const auto model = slot->Get();
      if (LiveDrift* d = model->live_drift()) d->Drain();
    }
    lock.lock();
  }
}

}  // namespace keel::serve
