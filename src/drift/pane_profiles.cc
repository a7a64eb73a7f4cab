#include "drift/pane_profiles.h"

#include <algorithm>
#include <climits>

namespace keel::drift {
namespace {

constexpr int64_t kNothingFinal = INT64_MIN / 2;  // a window end before every pane

Status GetInt(const nlohmann::json& j, const char* key, int64_t* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) {
    return Status::Corrupt("pane message: '{}' is missing or not an integer", key);
  }
  *out = it->get<int64_t>();
  return Status::OK();
}

}  // namespace

PaneCollector::PaneCollector(std::shared_ptr<const ProfileLayout> layout, int64_t slide_micros)
    : layout_(std::move(layout)), slide_(slide_micros) {}

Profile& PaneCollector::BeginRow(int64_t time, uint64_t sequence) {
  int64_t pane = latest_ == INT64_MIN ? 0 : latest_;
  if (time != kMissingTime) {
    pane = TimePane(time, slide_);
    latest_ = std::max(latest_, pane);
  }
  const uint64_t key = sequence != 0 && separate_.count(sequence) != 0 ? sequence : 0;
  auto it = panes_.find({pane, key});
  if (it == panes_.end()) {
    it = panes_.emplace(std::make_pair(pane, key), PaneDelta{pane, Profile(layout_), {}}).first;
  }
  current_ = &it->second;
  current_sequence_ = sequence;
  return current_->profile;
}

void PaneCollector::EndRow() {
  current_->profile.AddRows(1);
  if (current_sequence_ != 0) current_->sequences.Insert(current_sequence_);
}

std::vector<PaneDelta> PaneCollector::Take() {
  std::vector<PaneDelta> out;
  out.reserve(panes_.size());
  for (auto& [key, delta] : panes_) out.push_back(std::move(delta));
  panes_.clear();
  separate_.clear();
  current_ = nullptr;
  return out;
}

nlohmann::json PaneMessageToJson(const PaneMessage& m) {
  nlohmann::json j = {{"format", "keel.pane"},
                      {"instance", m.instance},
                      {"pane", m.pane},
                      {"slide_micros", m.slide_micros},
                      {"size_micros", m.size_micros},
                      {"latest", m.latest},
                      {"done", m.done}};
  if (m.profile) j["profile"] = m.profile->ToJson();
  if (!m.sequences.empty()) j["sequences"] = m.sequences.ToJson();
  if (!m.handled.empty()) j["handled"] = m.handled.ToJson();
  return j;
}

Result<PaneMessage> PaneMessageFromJson(const nlohmann::json& j) {
  if (!j.is_object() || j.value("format", "") != "keel.pane") {
    return Status::Corrupt("pane message: not a keel.pane object");
  }
  PaneMessage m;
  auto inst = j.find("instance");
  if (inst == j.end() || !inst->is_string() || inst->get<std::string>().empty()) {
    return Status::Corrupt("pane message: 'instance' is missing");
  }
  m.instance = inst->get<std::string>();
  KEEL_RETURN_IF_ERROR(GetInt(j, "pane", &m.pane));
  KEEL_RETURN_IF_ERROR(GetInt(j, "slide_micros", &m.slide_micros));
  KEEL_RETURN_IF_ERROR(GetInt(j, "size_micros", &m.size_micros));
  KEEL_RETURN_IF_ERROR(GetInt(j, "latest", &m.latest));
  m.done = j.value("done", false);
  auto p = j.find("profile");
  if (p != j.end()) {
    KEEL_ASSIGN_OR_RETURN(Profile profile, Profile::FromJson(*p));
    m.profile = std::make_shared<Profile>(std::move(profile));
  }
  for (auto [key, set] : {std::pair{"sequences", &m.sequences}, std::pair{"handled", &m.handled}}) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    auto parsed = SequenceSet::FromJson(*it);
    if (!parsed.ok())
      return Status::Corrupt("pane message: '{}': {}", key, parsed.status().message());
    *set = std::move(*parsed);
  }
  return m;
}

PaneMerger::PaneMerger(std::shared_ptr<const Profile> reference, WindowOptions options,
                       int64_t grace_panes, Sink sink)
    : reference_(std::move(reference)),
      options_(std::move(options)),
      grace_(std::max<int64_t>(0, grace_panes)),
      sink_(std::move(sink)) {
  if (options_.slide_micros == 0) options_.slide_micros = options_.size_micros;
  panes_per_window_ = std::max<int64_t>(1, options_.size_micros / options_.slide_micros);
}

Status PaneMerger::Add(const PaneMessage& m) {
  ++messages_;
  if (m.slide_micros != options_.slide_micros || m.size_micros != options_.size_micros) {
    return Status::InvalidArgument(
        "instance '{}' publishes windows of {} s sliding by {} s, but the monitor uses {} s "
        "sliding by {} s",
        m.instance, m.size_micros / 1000000, m.slide_micros / 1000000,
        options_.size_micros / 1000000, options_.slide_micros / 1000000);
  }
  int64_t& latest = latest_[m.instance];
  if (m.done) {
    latest = INT64_MAX;
  } else if (latest != INT64_MAX) {
    latest = std::max({latest, m.latest, m.pane});
  }
  if (!m.handled.empty()) {
    tracking_ = true;
    accounted_.InsertAll(m.handled);
  }
  if (m.profile && m.profile->rows() > 0) {
    const uint64_t rows = m.profile->rows();
    bool duplicate = false;
    if (!m.sequences.empty()) {
      tracking_ = true;
      // Whole or nothing: only a redelivered event, alone in its message, can have been
      // counted before (see the header).
      if (counted_.ContainsAll(m.sequences)) {
        duplicate = true;
        duplicate_rows_ += rows;
      } else if (counted_.Intersects(m.sequences)) {
        overlapping_rows_ += rows;
      }
      counted_.InsertAll(m.sequences);
      accounted_.InsertAll(m.sequences);
    }
    if (duplicate) {
      // counted once already
    } else if (next_end_ != INT64_MIN && m.pane <= next_end_ - panes_per_window_) {
      late_rows_ += rows;  // its windows are evaluated already
      if (late_sink_) late_sink_(m, rows);
    } else {
      auto it = panes_.find(m.pane);
      if (it == panes_.end()) {
        panes_.emplace(m.pane, *m.profile);
      } else {
        KEEL_RETURN_IF_ERROR(it->second.Merge(*m.profile));
      }
      first_pane_ = std::min(first_pane_, m.pane);
      max_pane_ = std::max(max_pane_, m.pane);
      if (!m.sequences.empty()) {
        auto [pm, inserted] = pane_min_.emplace(m.pane, m.sequences.min());
        if (!inserted) pm->second = std::min(pm->second, m.sequences.min());
      }
    }
  }
  return Advance();
}

Status PaneMerger::Tick(double now_seconds) {
  if (!tracking_ || settle_ <= 0 || accounted_.empty()) return Status::OK();
  if (seen_.empty() || seen_.back().second != accounted_.max()) {
    seen_.emplace_back(now_seconds, accounted_.max());
  }
  // The highest sequence accounted `settle_` seconds ago: what is missing below it is given up.
  uint64_t frontier = 0;
  while (!seen_.empty() && seen_.front().first <= now_seconds - settle_) {
    frontier = seen_.front().second;
    seen_.pop_front();
  }
  if (frontier != 0) {
    seen_.emplace_front(now_seconds - settle_, frontier);
    skipped_ += accounted_.InsertRange(1, frontier);
  }
  return Advance();
}

Status PaneMerger::Advance() {
  if (max_pane_ == INT64_MIN) return Status::OK();
  // Final: every instance past the pane, or one instance grace_ panes past it. The highest
  // pane with rows waits for Finish (an instance may still be adding to it).
  int64_t low = INT64_MAX, high = INT64_MIN;
  for (const auto& [name, l] : latest_) {
    low = std::min(low, l);
    if (l != INT64_MAX) high = std::max(high, l);
  }
  int64_t limit = low == INT64_MAX ? max_pane_ : low - 1;
  if (high != INT64_MIN) limit = std::max(limit, high - 1 - grace_);
  limit = std::min(limit, max_pane_ - 1);
  if (tracking_ && settle_ > 0) {
    if (next_end_ != INT64_MIN)
      pane_min_.erase(pane_min_.begin(), pane_min_.lower_bound(next_end_));
    limit = SettledLimit(limit);
  }
  return EmitUntil(limit, false);
}

int64_t PaneMerger::SettledLimit(int64_t limit) const {
  // Window p may close when every sequence below the lowest row sequence of the panes after
  // p is accounted for. That lowest sequence only falls as p does: walk down from `limit`.
  const uint64_t missing = accounted_.FirstMissing(1);
  uint64_t later_min = UINT64_MAX;
  auto it = pane_min_.upper_bound(limit);
  for (auto later = it; later != pane_min_.end(); ++later) {
    later_min = std::min(later_min, later->second);
  }
  int64_t p = limit;
  while (later_min >= missing) {
    if (it == pane_min_.begin()) return kNothingFinal;
    --it;  // the highest pane <= p with rows: p moves below it
    later_min = std::min(later_min, it->second);
    p = it->first - 1;
  }
  return p;
}

Status PaneMerger::EmitUntil(int64_t last_end, bool finish) {
  if (max_pane_ == INT64_MIN) return Status::OK();
  if (next_end_ == INT64_MIN) {
    if (finish && first_pane_ + panes_per_window_ - 1 > max_pane_) {
      // Fewer panes than a window: the partial window, as WindowMonitor::Finish does.
      next_end_ = max_pane_ + 1;
      return EvaluateEndingAt(max_pane_, true);
    }
    if (first_pane_ + panes_per_window_ - 1 > last_end) return Status::OK();
    next_end_ = first_pane_ + panes_per_window_ - 1;
  }
  while (next_end_ <= last_end) {
    // Skip a gap: windows without any pane hold no rows.
    auto it = panes_.lower_bound(next_end_ - panes_per_window_ + 1);
    if (it == panes_.end()) {
      next_end_ = last_end + 1;
      break;
    }
    if (it->first > next_end_) {
      next_end_ = std::min(it->first, last_end + 1);
      continue;
    }
    KEEL_RETURN_IF_ERROR(EvaluateEndingAt(next_end_, finish && next_end_ == max_pane_));
    ++next_end_;
    // Panes no later window needs.
    while (!panes_.empty() && panes_.begin()->first <= next_end_ - panes_per_window_) {
      panes_.erase(panes_.begin());
    }
  }
  return Status::OK();
}

Status PaneMerger::EvaluateEndingAt(int64_t end, bool partial) {
  Profile merged(reference_->shared_layout());
  for (auto it = panes_.lower_bound(end - panes_per_window_ + 1);
       it != panes_.end() && it->first <= end; ++it) {
    KEEL_RETURN_IF_ERROR(merged.Merge(it->second));
  }
  if (merged.rows() < options_.min_rows || merged.rows() == 0) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(WindowResult w, EvaluateWindow(*reference_, merged, options_));
  w.index = windows_++;
  w.partial = partial;
  w.start_time = (end - panes_per_window_ + 1) * options_.slide_micros;
  w.end_time = (end + 1) * options_.slide_micros;
  sink_(w);
  return Status::OK();
}

Status PaneMerger::Finish() {
  return EmitUntil(max_pane_, true);
}

}  // namespace keel::drift
