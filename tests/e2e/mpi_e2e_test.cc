// `mpirun -np 3 keel train --distributed` (docs/distributed.md): the model of three ranks, each
// reading its own shard, equals the model of one process trained on all the rows; a rank that
// cannot read its shard or dies mid-training ends the job with an error instead of a hang.
// Runs as root in CI, hence mpirun's --allow-run-as-root; --oversubscribe lets 3 ranks share
// fewer cores.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "keel_process.h"

namespace keel::e2e {
namespace {

// Under the asan preset, LeakSanitizer reports Open MPI's own allocations kept past
// MPI_Finalize, most of them from components it has unloaded by then (frames of no module, which
// no suppression can name). The ranks (which inherit this environment) run with leak detection
// off; AddressSanitizer and UBSan still check them, and the single-process e2e and unit tests
// check the same training code for leaks.
const bool kLeaksUnchecked = [] {
  for (const char* var : {"ASAN_OPTIONS", "LSAN_OPTIONS"}) {
    const char* old = std::getenv(var);
    std::string opts = old != nullptr ? std::string(old) + ":" : std::string();
    opts += "detect_leaks=0";
    if (setenv(var, opts.c_str(), 1) != 0) return false;
  }
  return true;
}();

std::vector<std::string> Mpirun(int ranks) {
  return {KEEL_MPIEXEC, "--allow-run-as-root", "--oversubscribe", "-np", std::to_string(ranks)};
}

// A deterministic data set: 4 numeric features (some missing), a binary target `y` and a
// real-valued target `v`; rows [cut[i], cut[i + 1]) go to shard i, every row to all.csv.
void WriteData(const TempDir& dir, const std::vector<size_t>& cut) {
  uint64_t state = 12345;
  auto uniform = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  const std::string header = "a,b,c,d,y,v\n";
  std::string all = header;
  std::vector<std::string> shards(cut.size() - 1, header);
  for (size_t r = 0; r < cut.back(); ++r) {
    double x[4];
    std::string line;
    for (double& xi : x) {
      xi = std::round((uniform() * 4 - 2) * 1000) / 1000;
      line += uniform() < 0.05 ? "," : std::to_string(xi) + ",";
    }
    const double s = x[0] + 0.5 * x[1] - x[2] * x[3] + uniform() - 0.5;
    line += (s > 0 ? "1," : "0,") + std::to_string(s * 3 + 7) + "\n";
    all += line;
    for (size_t i = 0; i + 1 < cut.size(); ++i) {
      if (r >= cut[i] && r < cut[i + 1]) shards[i] += line;
    }
  }
  WriteText(dir.File("all.csv"), all);
  for (size_t i = 0; i < shards.size(); ++i) {
    WriteText(dir.File("shard_" + std::to_string(i) + ".csv"), shards[i]);
  }
}

// Raw margins of `model` on all.csv, as text (shortest round-trip numbers: equal text is
// equal bits).
std::string Margins(const TempDir& dir, const std::string& model) {
  const std::string out = dir.File(model + ".pred.csv");
  ProcessResult r = RunKeel({"predict", "--model", dir.File(model), "--data", dir.File("all.csv"),
                             "--raw", "--out", out});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return ReadText(out);
}

class MpiTrainE2e : public ::testing::TestWithParam<const char*> {};

// Training flags: no test or validation split (every row trains; a distributed run makes no
// automatic validation split, so the one process must not either), one thread (one process
// then adds the histogram rows in order, as the ranks do along the chain).
std::vector<std::string> TrainArgs(const std::string& target, const std::string& data,
                                   const std::string& out) {
  return {"train", "--data",       data, "--target",  target, "--test-size",
          "0",     "--valid-size", "0",  "--threads", "1",    "--trees",
          "25",    "--leaves",     "15", "--out",     out,    "--json"};
}

// `mpirun -np 3 keel train --distributed` on dir's shard_{rank}.csv, the model to `out`, with
// `extra` flags; its result (checked for success).
ProcessResult TrainOnThreeRanks(const TempDir& dir, const std::string& target,
                                const std::string& out, std::vector<std::string> extra) {
  std::vector<std::string> argv = Mpirun(3);
  argv.push_back(KEEL_BIN);
  for (std::string& a : TrainArgs(target, dir.File("shard_{rank}.csv"), dir.File(out))) {
    argv.push_back(std::move(a));
  }
  argv.push_back("--distributed");
  for (std::string& a : extra) argv.push_back(std::move(a));
  ProcessResult dist = RunProgram(argv, "", 60);
  EXPECT_EQ(dist.exit_code, 0) << dist.err;
  return dist;
}

TEST_P(MpiTrainE2e, ThreeRanksGiveTheModelOfOneProcessOnAllRows) {
  const std::string target = GetParam();
  TempDir dir;
  WriteData(dir, {0, 900, 2100, 3000});
  ProcessResult one = RunKeel(TrainArgs(target, dir.File("all.csv"), dir.File("one.keel")));
  ASSERT_EQ(one.exit_code, 0) << one.err;

  ProcessResult dist = TrainOnThreeRanks(dir, target, "dist.keel", {});
  ASSERT_EQ(dist.exit_code, 0);
  // Rank 0 alone prints the result: one JSON object.
  const auto j = nlohmann::json::parse(dist.out);
  EXPECT_EQ(j["iterations"], 25);
  EXPECT_EQ(j["splits"]["train"]["rows"], 900);  // rank 0's shard

  const auto m_one = ParseCsv(Margins(dir, "one.keel"));
  const auto m_dist = ParseCsv(Margins(dir, "dist.keel"));
  ASSERT_EQ(m_one.size(), 3001u);
  ASSERT_EQ(m_dist.size(), m_one.size());
  size_t differ = 0;
  for (size_t i = 0; i < m_one.size(); ++i) {
    if (m_one[i] == m_dist[i]) continue;
    if (differ++ == 0)
      ADD_FAILURE() << "line " << i << ": " << m_one[i].back() << " vs " << m_dist[i].back();
  }
  EXPECT_EQ(differ, 0u) << "rows whose margin differs from one process's";
}

// --distributed-sums fast: each rank sums its rows at once and rank 0 adds the totals, so the
// model equals one process's up to rounding (the same trees; margins within 1e-9).
TEST_P(MpiTrainE2e, FastSumsGiveTheOneProcessModelUpToRounding) {
  const std::string target = GetParam();
  TempDir dir;
  WriteData(dir, {0, 900, 2100, 3000});
  ProcessResult one = RunKeel(TrainArgs(target, dir.File("all.csv"), dir.File("one.keel")));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ProcessResult dist = TrainOnThreeRanks(dir, target, "fast.keel", {"--distributed-sums", "fast"});
  ASSERT_EQ(dist.exit_code, 0);
  const auto m_one = ParseCsv(Margins(dir, "one.keel"));
  const auto m_fast = ParseCsv(Margins(dir, "fast.keel"));
  ASSERT_EQ(m_one.size(), 3001u);
  ASSERT_EQ(m_fast.size(), m_one.size());
  double worst = 0;
  for (size_t i = 1; i < m_one.size(); ++i) {
    const double a = std::stod(m_one[i].back());
    const double b = std::stod(m_fast[i].back());
    worst = std::max(worst, std::abs(a - b) / std::max(1.0, std::abs(a)));
  }
  EXPECT_LE(worst, 1e-9);
}

INSTANTIATE_TEST_SUITE_P(Targets, MpiTrainE2e, ::testing::Values("y", "v"));

TEST(MpiFailureE2e, UnreadableShardEndsTheJobWithTheRanksError) {
  TempDir dir;
  WriteData(dir, {0, 900, 2100, 3000});
  std::remove(dir.File("shard_1.csv").c_str());
  std::vector<std::string> argv = Mpirun(3);
  argv.push_back(KEEL_BIN);
  for (std::string& a : TrainArgs("y", dir.File("shard_{rank}.csv"), dir.File("dist.keel"))) {
    argv.push_back(std::move(a));
  }
  argv.push_back("--distributed");
  ProcessResult r = RunProgram(argv, "", 60);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, 124) << "the job hung";
  EXPECT_NE(r.err.find("rank 1 of 3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("shard_1.csv"), std::string::npos) << r.err;
  EXPECT_EQ(ReadText(dir.File("dist.keel")), "");  // no model written
}

// A long training (it would run for minutes) in which rank 1 gets `signal` two seconds in,
// while the others wait for its histograms; `extra` flags go to keel.
ProcessResult TrainHittingRank1(const TempDir& dir, const std::string& signal,
                                const std::vector<std::string>& extra) {
  std::string cmd =
      "if [ \"$OMPI_COMM_WORLD_RANK\" = 1 ]; then (sleep 2; kill -" + signal + " $$) & fi; exec";
  std::vector<std::string> args = {
      KEEL_BIN,   "train", "--distributed", "--data", dir.File("shard_{rank}.csv"),
      "--target", "y",     "--threads",     "1",      "--trees",
      "100000",   "-q"};
  args.insert(args.end(), extra.begin(), extra.end());
  for (const std::string& a : args) cmd += " '" + a + "'";
  std::vector<std::string> argv = Mpirun(3);
  for (const char* a : {"sh", "-c"}) argv.push_back(a);
  argv.push_back(cmd);
  return RunProgram(argv, "", 60);
}

TEST(MpiFailureE2e, RankKilledMidTrainingEndsTheJob) {
  TempDir dir;
  WriteData(dir, {0, 900, 2100, 3000});
  ProcessResult r = TrainHittingRank1(dir, "KILL", {});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, 124) << "the job hung";
  EXPECT_NE(r.err.find("rank 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("signal 9"), std::string::npos) << r.err;
}

// A rank that stops answering without dying (SIGSTOP): the others give up after
// --distributed-timeout and end the job.
TEST(MpiFailureE2e, RankThatStopsAnsweringEndsTheJobAfterTheTimeout) {
  TempDir dir;
  WriteData(dir, {0, 900, 2100, 3000});
  ProcessResult r = TrainHittingRank1(dir, "STOP", {"--distributed-timeout", "3"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, 124) << "the job hung";
  EXPECT_NE(r.err.find("no answer from the other ranks for 3 s"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace keel::e2e
