#include "click_events.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace keel::e2e {

// Rows from `drift_row` on come from a shifted world: more mobile traffic, another country
// mix with a new country (BR), younger women, higher bids.
std::vector<Event> MakeEvents(size_t rows, size_t drift_row, uint64_t seed) {
  Gen g(seed);
  const char* devices[] = {"mobile", "desktop", "tablet"};
  const char* countries[] = {"US", "GB", "DE", "IN", "BR"};
  std::vector<Event> out;
  for (size_t i = 0; i < rows; ++i) {
    const bool d = i >= drift_row;
    Event e;
    char buf[64];
    std::snprintf(buf, sizeof buf, "e%06zu", i + 1);
    e.id = buf;
    const long sec = static_cast<long>(i) * 90;  // one event every 90 s from 2024-01-01
    // (Past January for more than 29,760 rows.)
    const std::chrono::year_month_day day{
        std::chrono::sys_days{std::chrono::year{2024} / std::chrono::January / 1} +
        std::chrono::days{sec / 86400}};
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ",
                  static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                  static_cast<unsigned>(day.day()), sec / 3600 % 24, sec / 60 % 60, sec % 60);
    e.time = buf;
    e.hour = static_cast<int>(sec / 3600 % 24);
    e.device = devices[d ? g.Pick({0.75, 0.17, 0.08}) : g.Pick({0.5, 0.4, 0.1})];
    e.country = countries[d ? g.Pick({0.2, 0.1, 0.1, 0.4, 0.2}) : g.Pick({0.4, 0.2, 0.2, 0.2})];
    e.gender = g.Uniform() < 0.5 ? "f" : "m";
    const double age = d && e.gender == "f" ? 24 + 5 * g.Normal() : 38 + 10 * g.Normal();
    e.age = static_cast<int>(std::clamp(std::round(age), 18.0, 80.0));
    e.bid = std::round(std::exp(std::log(0.8) + 0.5 * g.Normal()) * (d ? 1.4 : 1.0) * 100) / 100;
    const double z = -0.6 + 1.4 * (e.device == std::string("mobile")) +
                     0.5 * (e.country == std::string("IN")) - 0.07 * (e.age - 35) +
                     0.6 * std::log(e.bid);
    e.clicked = g.Uniform() < 1 / (1 + std::exp(-z)) ? 1 : 0;
    out.push_back(e);
  }
  return out;
}

std::string Csv(const std::vector<Event>& ev, size_t begin, size_t end) {
  std::string s = "event_id,event_time,device,country,gender,hour,age,bid,clicked\n";
  char buf[256];
  for (size_t i = begin; i < end; ++i) {
    const Event& e = ev[i];
    std::snprintf(buf, sizeof buf, "%s,%s,%s,%s,%s,%d,%d,%.2f,%d\n", e.id.c_str(), e.time.c_str(),
                  e.device.c_str(), e.country.c_str(), e.gender.c_str(), e.hour, e.age, e.bid,
                  e.clicked);
    s += buf;
  }
  return s;
}

std::string Jsonl(const std::vector<Event>& ev, size_t begin, size_t end) {
  std::string s;
  char buf[320];
  for (size_t i = begin; i < end; ++i) {
    const Event& e = ev[i];
    std::snprintf(buf, sizeof buf,
                  "{\"event_id\":\"%s\",\"event_time\":\"%s\",\"device\":\"%s\",\"country\":\"%s\","
                  "\"gender\":\"%s\",\"hour\":%d,\"age\":%d,\"bid\":%.2f}\n",
                  e.id.c_str(), e.time.c_str(), e.device.c_str(), e.country.c_str(),
                  e.gender.c_str(), e.hour, e.age, e.bid);
    s += buf;
  }
  return s;
}

const char* kSchema = R"(version: 1
columns:
  - name: event_id
    kind: string
    role: id
  - name: event_time
    kind: timestamp
    role: time
  - name: device
    kind: categorical
  - name: country
    kind: categorical
  - name: gender
    kind: categorical
    role: sensitive
  - name: hour
    kind: numeric
  - name: age
    kind: numeric
  - name: bid
    kind: numeric
  - name: clicked
    kind: categorical
    role: target
)";

}  // namespace keel::e2e
