// Collective operations between the processes (ranks) of one distributed training job.
//
// Training calls only this interface, so the training code does not depend on MPI: a
// single-process run passes no Collective at all (nullptr), and an MPI build supplies one
// (train/collective_mpi.h, a library of its own that only the `keel` binary links). Every
// operation is called by every rank in the same order (they are collectives); results are the
// same on every rank and do not depend on timing: sums are taken in rank order.
#pragma once

#include <cstdint>
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

  // A running sum along the ranks, for sums that must equal one process adding every row in
  // order (rank 0's rows first): ChainReceive puts the sum of the ranks before this one into
  // `buf` (zeros on rank 0); the caller adds its own terms to `buf` in place; ChainFinish
  // passes `buf` on to the next rank and leaves the last rank's `buf` (the total) in every
  // rank's `buf`. The ranks take turns, so this serialises the adding.
  virtual Status ChainReceive(std::span<double> buf) = 0;
  virtual Status ChainFinish(std::span<double> buf) = 0;

  // Every rank's `mine` concatenated in rank order, on every rank.
  virtual Result<std::vector<float>> AllGather(std::span<const float> mine) = 0;
  virtual Result<std::vector<double>> AllGather(std::span<const double> mine) = 0;

  // Rank `root`'s `text` on every rank.
  virtual Status Broadcast(std::string* text, int root) = 0;
};

// The trivial Collective of a job of one process: the chain leaves `buf` as the caller made
// it (zeros to start), a gather returns `mine`, a broadcast changes nothing. Training with it
// gives the model of training with no Collective.
class SingleProcess final : public Collective {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  Status ChainReceive(std::span<double> buf) override;
  Status ChainFinish(std::span<double>) override { return Status::OK(); }
  Result<std::vector<float>> AllGather(std::span<const float> mine) override {
    return std::vector<float>(mine.begin(), mine.end());
  }
  Result<std::vector<double>> AllGather(std::span<const double> mine) override {
    return std::vector<double>(mine.begin(), mine.end());
  }
  Status Broadcast(std::string*, int) override { return Status::OK(); }
};

}  // namespace keel
