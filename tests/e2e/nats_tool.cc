// keel_nats_tool: the NATS side of bench/nats_stream_bench.sh (creating streams, publishing a
// JSON Lines file as one message per line, waiting for a stream to fill), on the tests' client.
//   keel_nats_tool add-stream URL NAME SUBJECT[,SUBJECT...]
//   keel_nats_tool publish URL SUBJECT FILE
//   keel_nats_tool wait-count URL STREAM N TIMEOUT_SECONDS   (prints the seconds it waited)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "nats_test_server.h"

namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);) out.push_back(item);
  return out;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "keel_nats_tool: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() < 2) return Fail("usage: add-stream|publish|wait-count URL ...");
  keel::e2e::NatsTestClient client(a[1]);
  if (!client.error().empty()) return Fail(client.error());
  if (a[0] == "add-stream" && a.size() == 4) {
    return client.AddStream(a[2], Split(a[3], ',')) ? 0 : Fail(client.error());
  }
  if (a[0] == "publish" && a.size() == 4) {
    std::ifstream in(a[3]);
    if (!in) return Fail("cannot read " + a[3]);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) lines.push_back(line);
    }
    return client.Publish(a[2], lines) ? 0 : Fail(client.error());
  }
  if (a[0] == "wait-count" && a.size() == 5) {
    const uint64_t n = std::strtoull(a[3].c_str(), nullptr, 10);
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::seconds(std::atoi(a[4].c_str()));
    while (client.Count(a[2]) < n) {
      if (std::chrono::steady_clock::now() > deadline) return Fail("timed out");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::printf("%.3f\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return 0;
  }
  return Fail("unknown command or wrong arguments: " + a[0]);
}
