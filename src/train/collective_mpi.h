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
  // How SumOverRanks combines the ranks' terms. Both give the same total on every rank,
  // whatever the timing.
  enum class SumOrder {
    // A running sum: rank 0 adds its terms, passes the sums to rank 1, which adds its terms to
    // them, and so on; the last rank's sums go to every rank. Exactly one process's sum over
    // the rows in order (floating-point addition is not associative), but the ranks take turns.
    kRowOrder,
    // Each rank sums its own terms at the same time; rank 0 adds the ranks' totals in rank
    // order and sends the result to every rank. Faster; equal to one process's sums up to
    // rounding.
    kRankTotals,
  };

  // Starts MPI (once per process) and, when timeout_seconds > 0, the watchdog that ends this
  // rank (exit code 1, after a message naming it) once it has waited that long in one
  // collective. Errors: Internal when MPI cannot start.
  static Result<std::unique_ptr<MpiCollective>> Start(double timeout_seconds,
                                                      SumOrder order = SumOrder::kRowOrder);
  ~MpiCollective() override;  // stops the watchdog, MPI_Finalize

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  Status SumOverRanks(std::span<double> buf, const AddTerms& add_mine) override;
  Result<std::vector<float>> AllGather(std::span<const float> mine) override;
  Result<std::vector<double>> AllGather(std::span<const double> mine) override;
  Status Broadcast(std::string* text, int root) override;

  // Ends the whole job with exit code `code` after this rank printed why (MPI_Abort).
  [[noreturn]] void Abort(int code);

 private:
  class Waiting;  // marks the time spent in one collective for the watchdog
  MpiCollective(int rank, int size, SumOrder order) : rank_(rank), size_(size), order_(order) {}
  void Watch(double timeout_seconds);
  Status ChainReceive(std::span<double> buf);
  Status ChainFinish(std::span<double> buf);
  Status SumRankTotals(std::span<double> buf);

  int rank_;
  int size_;
  SumOrder order_;
  std::vector<double> gathered_;              // kRankTotals: every rank's terms, on rank 0
  std::atomic<int64_t> waiting_since_ms_{0};  // 0 = not in a collective
  std::atomic<const char*> waiting_in_{""};
  std::atomic<bool> stop_{false};
  std::thread watchdog_;
};

}  // namespace keel
