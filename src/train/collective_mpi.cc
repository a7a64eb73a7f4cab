#include "train/collective_mpi.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>

namespace keel {
namespace {

constexpr int kChainTag = 22;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Status Check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return Status::OK();
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  return Status::Internal("MPI {} failed: {}", what, std::string(text, static_cast<size_t>(len)));
}

// Every rank's `mine` in rank order, on every rank (MPI_Allgatherv; counts must fit an int).
template <typename T>
Result<std::vector<T>> GatherAll(std::span<const T> mine, MPI_Datatype type, int size) {
  if (mine.size() > static_cast<size_t>(INT_MAX)) {
    return Status::ResourceExhausted("{} values are more than one MPI gather sends", mine.size());
  }
  const int n = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<size_t>(size));
  KEEL_RETURN_IF_ERROR(
      Check(MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD),
            "Allgather of counts"));
  std::vector<int> displs(static_cast<size_t>(size));
  long long total = 0;
  for (size_t r = 0; r < counts.size(); ++r) {
    if (total > INT_MAX) break;
    displs[r] = static_cast<int>(total);
    total += counts[r];
  }
  if (total > INT_MAX) {
    return Status::ResourceExhausted("{} values are more than one MPI gather sends", total);
  }
  std::vector<T> all(static_cast<size_t>(total));
  KEEL_RETURN_IF_ERROR(Check(MPI_Allgatherv(mine.data(), n, type, all.data(), counts.data(),
                                            displs.data(), type, MPI_COMM_WORLD),
                             "Allgatherv"));
  return all;
}

}  // namespace

class MpiCollective::Waiting {
 public:
  Waiting(MpiCollective* c, const char* what) : c_(c) {
    c_->waiting_in_.store(what);
    c_->waiting_since_ms_.store(NowMs());
  }
  ~Waiting() { c_->waiting_since_ms_.store(0); }

 private:
  MpiCollective* c_;
};

void MpiCollective::Watch(double timeout_seconds) {
  const auto limit_ms = static_cast<int64_t>(timeout_seconds * 1000);
  watchdog_ = std::thread([this, limit_ms, timeout_seconds] {
    while (!stop_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const int64_t since = waiting_since_ms_.load();
      if (since == 0 || NowMs() - since < limit_ms) continue;
      // Not MPI_Abort: this thread may not call MPI while the main thread is inside MPI.
      // Exiting non-zero without MPI_Finalize makes mpirun end every other rank.
      std::fprintf(stderr,
                   "keel: error: rank %d of %d: no answer from the other ranks for %g s (in "
                   "%s); ending the job (--distributed-timeout)\n",
                   rank_, size_, timeout_seconds, waiting_in_.load());
      std::fflush(stderr);
      std::_Exit(1);
    }
  });
}

Result<std::unique_ptr<MpiCollective>> MpiCollective::Start(double timeout_seconds,
                                                            SumOrder order) {
  int provided = 0;
  KEEL_RETURN_IF_ERROR(
      Check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "Init"));
  // Errors come back as codes (and become Status values) instead of ending the process.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::unique_ptr<MpiCollective> c(new MpiCollective(rank, size, order));
  if (timeout_seconds > 0) c->Watch(timeout_seconds);
  return c;
}

MpiCollective::~MpiCollective() {
  stop_.store(true);
  if (watchdog_.joinable()) watchdog_.join();
  MPI_Finalize();
}

Status MpiCollective::SumOverRanks(std::span<double> buf, const AddTerms& add_mine) {
  if (order_ == SumOrder::kRankTotals) {
    KEEL_RETURN_IF_ERROR(add_mine(false));
    return SumRankTotals(buf);
  }
  KEEL_RETURN_IF_ERROR(ChainReceive(buf));
  KEEL_RETURN_IF_ERROR(add_mine(true));
  return ChainFinish(buf);
}

Status MpiCollective::SumRankTotals(std::span<double> buf) {
  Waiting w(this, "summing the ranks' totals");
  const int n = static_cast<int>(buf.size());
  if (rank_ == 0) gathered_.resize(buf.size() * static_cast<size_t>(size_));
  KEEL_RETURN_IF_ERROR(Check(
      MPI_Gather(buf.data(), n, MPI_DOUBLE, gathered_.data(), n, MPI_DOUBLE, 0, MPI_COMM_WORLD),
      "Gather of the ranks' sums"));
  if (rank_ == 0) {
    // Rank order, so the total does not depend on which rank answered first.
    for (int r = 1; r < size_; ++r) {
      const double* src = gathered_.data() + static_cast<size_t>(r) * buf.size();
      for (size_t i = 0; i < buf.size(); ++i) buf[i] += src[i];
    }
  }
  return Check(MPI_Bcast(buf.data(), n, MPI_DOUBLE, 0, MPI_COMM_WORLD), "Bcast of the sum");
}

Status MpiCollective::ChainReceive(std::span<double> buf) {
  if (rank_ == 0) {
    std::fill(buf.begin(), buf.end(), 0.0);
    return Status::OK();
  }
  Waiting w(this, "receiving the running sum");
  return Check(MPI_Recv(buf.data(), static_cast<int>(buf.size()), MPI_DOUBLE, rank_ - 1, kChainTag,
                        MPI_COMM_WORLD, MPI_STATUS_IGNORE),
               "Recv of the running sum");
}

Status MpiCollective::ChainFinish(std::span<double> buf) {
  Waiting w(this, "passing on the running sum");
  if (rank_ + 1 < size_) {
    KEEL_RETURN_IF_ERROR(Check(MPI_Send(buf.data(), static_cast<int>(buf.size()), MPI_DOUBLE,
                                        rank_ + 1, kChainTag, MPI_COMM_WORLD),
                               "Send of the running sum"));
  }
  return Check(
      MPI_Bcast(buf.data(), static_cast<int>(buf.size()), MPI_DOUBLE, size_ - 1, MPI_COMM_WORLD),
      "Bcast of the sum");
}

Result<std::vector<float>> MpiCollective::AllGather(std::span<const float> mine) {
  Waiting w(this, "gathering values");
  return GatherAll(mine, MPI_FLOAT, size_);
}

Result<std::vector<double>> MpiCollective::AllGather(std::span<const double> mine) {
  Waiting w(this, "gathering values");
  return GatherAll(mine, MPI_DOUBLE, size_);
}

Status MpiCollective::Broadcast(std::string* text, int root) {
  Waiting w(this, "a broadcast");
  unsigned long long len = text->size();
  KEEL_RETURN_IF_ERROR(
      Check(MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, root, MPI_COMM_WORLD), "Bcast of a size"));
  text->resize(len);
  if (len > static_cast<unsigned long long>(INT_MAX)) {
    return Status::ResourceExhausted("{} bytes are more than one MPI broadcast sends", len);
  }
  return Check(MPI_Bcast(text->data(), static_cast<int>(len), MPI_CHAR, root, MPI_COMM_WORLD),
               "Bcast");
}

void MpiCollective::Abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort does not return; this only satisfies [[noreturn]]
}

}  // namespace keel
