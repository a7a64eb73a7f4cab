// Generated click events with a known drift point for the end-to-end tests (keel drift,
// stream, monitor; keel stream on NATS): a deterministic generator, so the tests need no data
// files, and the events as CSV (with the label) or JSON Lines (without it).
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace keel::e2e {

// A small deterministic generator (splitmix64).
class Gen {
 public:
  explicit Gen(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Normal() {
    const double u1 = Uniform(), u2 = Uniform();
    return std::sqrt(-2 * std::log(1 - u1)) * std::cos(2 * M_PI * u2);
  }
  size_t Pick(std::initializer_list<double> p) {
    double u = Uniform(), c = 0;
    size_t i = 0;
    for (double x : p) {
      c += x;
      if (u < c) return i;
      ++i;
    }
    return i - 1;
  }

 private:
  uint64_t s_;
};

struct Event {
  std::string id, time, device, country, gender;
  int hour = 0, age = 0, clicked = 0;
  double bid = 0;
};

// Rows from `drift_row` on come from a shifted world: more mobile traffic, another country
// mix with a new country (BR), younger women, higher bids.
std::vector<Event> MakeEvents(size_t rows, size_t drift_row, uint64_t seed);

// Rows [begin, end) as CSV with a header (the label `clicked` included).
std::string Csv(const std::vector<Event>& ev, size_t begin, size_t end);

// Rows [begin, end) as JSON Lines, without the label.
std::string Jsonl(const std::vector<Event>& ev, size_t begin, size_t end);

// The schema of the CSV: event_id (id), event_time (time), gender (sensitive), clicked
// (target).
extern const char* kSchema;

}  // namespace keel::e2e
