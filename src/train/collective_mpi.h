// The Collective of an MPI job (Open MPI): one rank per process of `mpirun -np N keel ...`.
//
// Only the `keel` binary links this (library keel_mpi, built when CMake finds MPI and
// KEEL_WITH_MPI is on); the training stage knows only train/collective.h. MPI errors are
// returned as Status (the communicator's error handler is MPI_ERRORS_RETURN); a job whose rank
// failed is ended with Abort, which stops every rank (mpirun kills the others) rather than
// leaving them waiting in a collective. A rank that neither answers nor dies (stopped, stuck
// in I/O) is caught by a timeout: a rank waiting longer than that in one collective prints
// why and exits, and mpirun then ends the others.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "train/collective.h"

namespace keel {

class MpiCollective final : public Collective {
 public:
  // Starts MPI (once per process) and, when timeout_seconds > 0, the watchdog that ends this
  // rank (exit code 1, after a message naming it) once it has waited that long in one
  // collective. Errors: Internal when MPI cannot start.
  static Result<std::unique_ptr<MpiCollective>> Start(double timeout_seconds);
  ~MpiCollective() override;  // stops the watchdog, MPI_Finalize

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  Status ChainReceive(std::span<double> buf) override;
  Status ChainFinish(std::span<double> buf) override;
  Result<std::vector<float>> AllGather(std::span<const float> mine) override;
  Result<std::vector<double>> AllGather(std::span<const double> mine) override;
  Status Broadcast(std::string* text, int root) override;

  // Ends the whole job with exit code `code` after this rank printed why (MPI_Abort).
  [[noreturn]] void Abort(int code);

 private:
  class Waiting;  // marks the time spent in one collective for the watchdog
  MpiCollective(int rank, int size) : rank_(rank), size_(size) {}
  void Watch(double timeout_seconds);

  int rank_;
  int size_;
  std::atomic<int64_t> waiting_since_ms_{0};  // 0 = not in a collective
  std::atomic<const char*> waiting_in_{""};
  std::atomic<bool> stop_{false};
  std::thread watchdog_;
};

}  // namespace keel
