// Collective operations between the processes (ranks) of one distributed training job.
//
// Training calls only this interface, so the training code does not depend on MPI: a
// single-process run passes no Collective at all (nullptr), and an MPI build supplies one
// (train/collective_mpi.h, a library of its own that only the `keel` binary links). Every
// operation is called by every rank in the same order (they are collectives); results are the
// same on every rank and do not depend on timing: sums are taken in rank order.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "keel/status.h"

namespace keel {

class Collective {
 public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Adds `add_mine`'s terms over every rank into `buf`, the same total on every rank.
  // add_mine(accumulate) puts this rank's terms into `buf`: added to what `buf` holds when
  // `accumulate`, else overwriting it. How the ranks' terms are combined is the
  // implementation's (see MpiCollective's SumOrder); one process just calls add_mine(false).
  using AddTerms = std::function<Status(bool accumulate)>;
  virtual Status SumOverRanks(std::span<double> buf, const AddTerms& add_mine) = 0;

  // Every rank's `mine` concatenated in rank order, on every rank.
  virtual Result<std::vector<float>> AllGather(std::span<const float> mine) = 0;
  virtual Result<std::vector<double>> AllGather(std::span<const double> mine) = 0;

  // Rank `root`'s `text` on every rank.
  virtual Status Broadcast(std::string* text, int root) = 0;
};

// The trivial Collective of a job of one process: a sum is the process's own terms, a gather
// returns `mine`, a broadcast changes nothing. Training with it gives the model of training with no
// Collective.
class SingleProcess final : public Collective {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  Status SumOverRanks(std::span<double>, const AddTerms& add_mine) override {
    return add_mine(false);
  }
  Result<std::vector<float>> AllGather(std::span<const float> mine) override {
    return std::vector<float>(mine.begin(), mine.end());
  }
  Result<std::vector<double>> AllGather(std::span<const double> mine) override {
    return std::vector<double>(mine.begin(), mine.end());
  }
  Status Broadcast(std::string*, int) override { return Status::OK(); }
};

}  // namespace keel
