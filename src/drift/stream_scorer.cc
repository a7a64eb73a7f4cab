#include "drift/stream_scorer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/context.h"
#include "core/file_io.h"
#include "core/json_number.h"
#include "core/number_format.h"
#include "core/parallel.h"
#include "core/stopwatch.h"
#include "drift/event_decoder.h"
#include "drift/model_profile.h"
#include "predict/table_prediction.h"

namespace keel::drift {
namespace {

std::string Quoted(const std::string& s) {
  return nlohmann::json(s).dump();
}

bool Blank(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != ' ' && p[i] != '\t') return false;
  }
  return true;
}

}  // namespace

std::string_view ScoredBatch::output(size_t i) const {
  return {begin_[i], static_cast<size_t>(end_[i] - begin_[i])};
}

class BatchScorer::Impl {
 public:
  Impl(const Model& model, const Predictor& predictor, std::shared_ptr<const Profile> reference,
       const StreamOptions& options, int threads,
       const std::function<void(const WindowResult&)>& on_window)
      : model_(model),
        predictor_(predictor),
        reference_(std::move(reference)),
        options_(options),
        threads_(threads),
        on_window_(on_window) {}

  Status Init();
  Status ProcessBatch(const std::vector<StreamLine>& lines, const char* buffer_end,
                      const Sink& sink);
  Status Finish(StreamSummary* summary);
  const StreamSummary& summary() const { return summary_; }
  void set_panes(PaneCollector* panes) { panes_ = panes; }

 private:
  struct Part {
    std::unique_ptr<EventDecoder> decoder;
    std::vector<UntrackedText> untracked;
    std::vector<std::pair<uint32_t, std::string>> errors;  // (row, message)
    std::string out;
  };
  void RunPart(Part& part, const std::vector<StreamLine>& lines, const char* buffer_end,
               size_t begin, size_t end);
  void FormatRow(size_t i, std::string* out) const;
  void AddToWindows(const std::vector<StreamLine>& lines, const std::vector<size_t>& part_begin);
  void AddRow(size_t i, const std::vector<UntrackedText>& untracked, size_t first, size_t end,
              Profile& pane) const;

  const Model& model_;
  const Predictor& predictor_;
  std::shared_ptr<const Profile> reference_;
  StreamOptions options_;
  int threads_;                                         // >= 1
  std::function<void(const WindowResult&)> on_window_;  // may be empty without windows

  std::unique_ptr<WindowMonitor> monitor_;
  PaneCollector* panes_ = nullptr;  // also profiles the rows per time pane (NATS consumers)
  std::vector<Part> parts_;
  size_t nf_ = 0, ng_ = 0, k_ = 1;
  std::vector<int32_t> feature_column_;  // model feature -> profile column
  std::vector<int32_t> column_feature_;  // profile column -> model feature (-1 otherwise)
  std::vector<uint8_t> feature_categorical_;
  int32_t prediction_column_ = -1;
  bool prediction_categorical_ = false;
  int32_t label_column_ = -1;
  bool label_numeric_ = false;

  // Output text pieces, quoted once.
  std::string id_key_, time_key_;
  std::vector<std::string> output_keys_;

  // Batch arrays, sized for batch_rows rows.
  std::vector<float> x_;
  std::vector<double> x64_;  // a float64 model's exact inputs (empty for float32 models)
  std::vector<double> profile_;
  std::vector<int32_t> groups_;
  std::vector<double> label_;
  std::vector<int64_t> time_;
  std::vector<std::string_view> id_, time_raw_;
  std::vector<uint8_t> ok_;
  std::vector<uint64_t> line_number_;
  std::vector<double> pred_;
  std::vector<size_t> out_begin_, out_end_;  // line i's output within its part's `out`
  ScoredBatch scored_;

  StreamSummary summary_;
};

Status BatchScorer::Impl::Init() {
  nf_ = model_.features.size();
  k_ = static_cast<size_t>(std::max(1, predictor_.num_outputs()));
  std::shared_ptr<const ProfileLayout> layout;
  if (reference_ != nullptr) {
    KEEL_RETURN_IF_ERROR(options_.window.Validate());
    layout = reference_->shared_layout();
    ng_ = layout->groups.size();
    column_feature_.assign(layout->columns.size(), -1);
    for (size_t f = 0; f < nf_; ++f) {
      const int32_t c = layout->Find(model_.features[f].name, ProfileRole::kFeature);
      if (c < 0) {
        return Status::Corrupt("the training profile has no column for feature '{}'",
                               model_.features[f].name);
      }
      feature_column_.push_back(c);
      column_feature_[static_cast<size_t>(c)] = static_cast<int32_t>(f);
      feature_categorical_.push_back(layout->columns[static_cast<size_t>(c)].kind ==
                                     ValueKind::kCategorical);
    }
    prediction_column_ = layout->Find(PredictionColumnName(model_), ProfileRole::kPrediction);
    if (prediction_column_ >= 0) {
      prediction_categorical_ =
          layout->columns[static_cast<size_t>(prediction_column_)].kind == ValueKind::kCategorical;
    }
    monitor_ =
        std::make_unique<WindowMonitor>(reference_, options_.window, [this](const WindowResult& w) {
          ++summary_.windows;
          if (w.drifted) ++summary_.drift_events;
          if (w.fairness_alert) ++summary_.fairness_alerts;
          if (w.drifted || w.fairness_alert || options_.all_windows) {
            on_window_(w);
          }
        });
  }
  parts_.resize(static_cast<size_t>(threads_));
  for (Part& p : parts_) {
    KEEL_ASSIGN_OR_RETURN(p.decoder, EventDecoder::Create(model_, layout));
  }
  label_column_ = parts_[0].decoder->label_column();
  if (label_column_ >= 0) {
    label_numeric_ =
        layout->columns[static_cast<size_t>(label_column_)].kind == ValueKind::kNumeric;
  }
  if (parts_[0].decoder->has_id()) id_key_ = Quoted(parts_[0].decoder->id_key());
  const std::string time_name = model_.schema.FirstWithRole(Role::kTime);
  if (!time_name.empty() && time_name != parts_[0].decoder->id_key()) time_key_ = Quoted(time_name);
  for (const std::string& c : PredictionColumns(model_, false)) output_keys_.push_back(Quoted(c));

  const size_t n = std::max<size_t>(options_.batch_rows, 1);
  x_.resize(n * nf_);
  if (predictor_.input_precision() == InputPrecision::kFloat64) x64_.resize(n * nf_);
  if (monitor_) {
    profile_.resize(n * nf_);
    groups_.resize(n * std::max<size_t>(ng_, 1));
  }
  label_.resize(n);
  time_.resize(n);
  id_.resize(n);
  time_raw_.resize(n);
  ok_.resize(n);
  line_number_.resize(n);
  pred_.resize(n * k_);
  out_begin_.resize(n);
  out_end_.resize(n);
  return Status::OK();
}

void BatchScorer::Impl::FormatRow(size_t i, std::string* out) const {
  out->push_back('{');
  if (!id_key_.empty() && !id_[i].empty()) {
    out->append(id_key_);
    out->push_back(':');
    out->append(id_[i]);
    out->push_back(',');
  }
  if (!time_key_.empty() && !time_raw_[i].empty()) {
    out->append(time_key_);
    out->push_back(':');
    out->append(time_raw_[i]);
    out->push_back(',');
  }
  const double* p = pred_.data() + i * k_;
  if (model_.task == Task::kBinary) {
    // prob_<classes[0]>, prob_<classes[1]>: the positive class last, as `keel predict`.
    out->append(output_keys_[0]);
    out->push_back(':');
    AppendJsonNumber(out, 1.0 - p[0]);
    out->push_back(',');
    out->append(output_keys_[1]);
    out->push_back(':');
    AppendJsonNumber(out, p[0]);
  } else {
    for (size_t k = 0; k < k_ && k < output_keys_.size(); ++k) {
      if (k > 0) out->push_back(',');
      out->append(output_keys_[k]);
      out->push_back(':');
      AppendJsonNumber(out, p[k]);
    }
  }
  out->append("}\n");
}

void BatchScorer::Impl::RunPart(Part& part, const std::vector<StreamLine>& lines,
                                const char* buffer_end, size_t begin, size_t end) {
  part.out.clear();
  part.untracked.clear();
  part.errors.clear();
  for (size_t i = begin; i < end; ++i) {
    DecodedRow row;
    row.features = x_.data() + i * nf_;
    row.features64 = x64_.empty() ? nullptr : x64_.data() + i * nf_;
    row.profile = monitor_ ? profile_.data() + i * nf_ : nullptr;
    row.groups = monitor_ ? groups_.data() + i * ng_ : nullptr;
    const StreamLine& line = lines[i];
    Status st =
        part.decoder->Decode(line.data, line.length, static_cast<size_t>(buffer_end - line.data),
                             static_cast<uint32_t>(i), &row, &part.untracked);
    ok_[i] = st.ok();
    line_number_[i] = line.number;
    label_[i] = row.label;
    time_[i] = row.time;
    id_[i] = row.id;
    time_raw_[i] = row.time_raw;
    if (!st.ok()) part.errors.emplace_back(static_cast<uint32_t>(i), st.message());
  }
  // Rows that failed to decode have all-missing features: predicting them too keeps the
  // block contiguous; their output is the error line instead.
  const size_t rows = end - begin;
  const std::span<double> pred(pred_.data() + begin * k_, rows * k_);
  // A float64 model predicts from the exact doubles of the line, not their floats.
  Status st =
      x64_.empty()
          ? predictor_.PredictBatch(std::span<const float>(x_.data() + begin * nf_, rows * nf_),
                                    rows, pred, false, 1)
          : predictor_.PredictBatch(std::span<const double>(x64_.data() + begin * nf_, rows * nf_),
                                    rows, pred, false, 1);
  if (!st.ok()) {
    for (size_t i = begin; i < end; ++i) ok_[i] = 0;
    part.errors.clear();
    for (size_t i = begin; i < end; ++i) {
      part.errors.emplace_back(static_cast<uint32_t>(i), st.message());
    }
  }
  size_t e = 0;
  for (size_t i = begin; i < end; ++i) {
    out_begin_[i] = part.out.size();
    if (ok_[i]) {
      FormatRow(i, &part.out);
    } else {
      while (e < part.errors.size() && part.errors[e].first < i) ++e;
      if (e == part.errors.size() || part.errors[e].first != i) {
        part.errors.emplace(part.errors.begin() + static_cast<std::ptrdiff_t>(e),
                            static_cast<uint32_t>(i), "unreadable line");
      }
      part.out.append("{\"line\":");
      part.out.append(std::to_string(line_number_[i]));
      part.out.append(",\"error\":");
      part.out.append(Quoted(part.errors[e].second));
      part.out.append("}\n");
    }
    out_end_[i] = part.out.size() - 1;  // before the newline
  }
}

// Row i's values (its untracked texts are untracked[first, end)) into `pane`.
void BatchScorer::Impl::AddRow(size_t i, const std::vector<UntrackedText>& untracked, size_t first,
                               size_t end, Profile& pane) const {
  const double* pv = profile_.data() + i * nf_;
  for (size_t f = 0; f < nf_; ++f) {
    const auto c = static_cast<size_t>(feature_column_[f]);
    const double v = pv[f];
    if (!feature_categorical_[f]) {
      pane.AddNumber(c, v);
    } else if (std::isnan(v)) {
      pane.AddCategory(c, kMissingCode);
    } else if (v >= 0) {
      pane.AddCategory(c, static_cast<int32_t>(v));
    }  // kUntracked: the text is added below
  }
  bool label_text_done = false;
  for (size_t cursor = first; cursor < end; ++cursor) {
    const UntrackedText& u = untracked[cursor];
    if (u.column == label_column_) {
      if (label_[i] == kUntracked && !label_text_done) {
        pane.AddCategoryText(static_cast<size_t>(u.column), u.text);
        label_text_done = true;
      }
      continue;
    }
    const int32_t f = column_feature_[static_cast<size_t>(u.column)];
    // A repeated key may have overwritten the untracked value: only the final one counts.
    bool last_for_column = true;
    for (size_t k = cursor + 1; k < end; ++k) {
      last_for_column &= untracked[k].column != u.column;
    }
    if (f >= 0 && pv[f] == kUntracked && last_for_column) {
      pane.AddCategoryText(static_cast<size_t>(u.column), u.text);
    }
  }
  const double* p = pred_.data() + i * k_;
  double score = p[0];
  if (model_.task == Task::kBinary) pane.AddProbability(p[0]);  // P(positive), for CBPE
  if (prediction_column_ >= 0) {
    const auto c = static_cast<size_t>(prediction_column_);
    if (prediction_categorical_) {
      size_t best = 0;
      for (size_t k = 1; k < k_; ++k) {
        if (p[k] > p[best]) best = k;
      }
      pane.AddCategory(c, std::isnan(p[best]) ? kMissingCode : static_cast<int32_t>(best));
      score = std::numeric_limits<double>::quiet_NaN();
    } else {
      pane.AddNumber(c, p[0]);
    }
  }
  if (label_column_ >= 0 && !std::isnan(label_[i]) && label_[i] != kUntracked) {
    const auto c = static_cast<size_t>(label_column_);
    if (label_numeric_) {
      pane.AddNumber(c, label_[i]);
    } else {
      pane.AddCategory(c, static_cast<int32_t>(label_[i]));
    }
  }
  for (size_t g = 0; g < ng_; ++g) pane.AddGroupRow(g, groups_[i * ng_ + g], score);
}

void BatchScorer::Impl::AddToWindows(const std::vector<StreamLine>& lines,
                                     const std::vector<size_t>& part_begin) {
  const size_t rows = lines.size();
  size_t part = 0;
  size_t cursor = 0;  // into parts_[part].untracked
  for (size_t i = 0; i < rows; ++i) {
    while (part + 1 < part_begin.size() && i >= part_begin[part + 1]) {
      ++part;
      cursor = 0;
    }
    const auto& untracked = parts_[part].untracked;
    if (!ok_[i]) {
      while (cursor < untracked.size() && untracked[cursor].row == i) ++cursor;
      continue;
    }
    const size_t first = cursor;
    while (cursor < untracked.size() && untracked[cursor].row == i) ++cursor;
    AddRow(i, untracked, first, cursor, monitor_->BeginRow(time_[i]));
    monitor_->EndRow();
    if (panes_ != nullptr) {
      AddRow(i, untracked, first, cursor, panes_->BeginRow(time_[i], lines[i].number));
      panes_->EndRow();
    }
  }
}

Status BatchScorer::Impl::ProcessBatch(const std::vector<StreamLine>& lines, const char* buffer_end,
                                       const Sink& sink) {
  const size_t rows = lines.size();
  if (rows == 0) return Status::OK();
  // Small batches (a slow producer) are not worth waking threads for.
  const size_t parts = std::min<size_t>(parts_.size(), std::max<size_t>(1, rows / 256));
  std::vector<size_t> part_begin(parts);
  for (size_t p = 0; p < parts; ++p) part_begin[p] = rows * p / parts;
  KEEL_RETURN_IF_ERROR(ParallelForRanges(
      static_cast<int>(parts), rows, parts,
      [&](size_t p, size_t b, size_t e) { RunPart(parts_[p], lines, buffer_end, b, e); }));
  // The outputs as views into the parts' texts (no longer growing) for the sink.
  ScoredBatch& b = scored_;
  b.ok_.assign(ok_.begin(), ok_.begin() + static_cast<std::ptrdiff_t>(rows));
  b.errors_.assign(rows, std::string_view());
  b.begin_.resize(rows);
  b.end_.resize(rows);
  b.blocks_.clear();
  for (size_t p = 0; p < parts; ++p) {
    const std::string& o = parts_[p].out;
    b.blocks_.emplace_back(o);
    const size_t end = p + 1 < parts ? part_begin[p + 1] : rows;
    for (size_t i = part_begin[p]; i < end; ++i) {
      b.begin_[i] = o.data() + out_begin_[i];
      b.end_[i] = o.data() + out_end_[i];
    }
    for (const auto& [row, msg] : parts_[p].errors) b.errors_[row] = msg;
  }
  KEEL_RETURN_IF_ERROR(sink(b));
  for (size_t p = 0; p < parts; ++p) {
    for (const auto& [row, msg] : parts_[p].errors) {
      if (summary_.first_error.empty()) {
        summary_.first_error = fmt::format("line {}: {}", line_number_[row], msg);
      }
    }
  }
  for (size_t i = 0; i < rows; ++i) {
    if (ok_[i]) {
      ++summary_.rows_predicted;
    } else {
      ++summary_.parse_errors;
    }
  }
  summary_.lines += rows;
  if (monitor_) AddToWindows(lines, part_begin);
  return Status::OK();
}

Status BatchScorer::Impl::Finish(StreamSummary* summary) {
  if (monitor_) {
    KEEL_RETURN_IF_ERROR(monitor_->Finish());
    summary_.late_rows = monitor_->late_rows();
    summary_.untimed_rows = monitor_->untimed_rows();
  }
  for (const Part& p : parts_) summary_.invalid_values += p.decoder->invalid_values();
  *summary = summary_;
  return Status::OK();
}

BatchScorer::BatchScorer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BatchScorer::~BatchScorer() = default;

Result<std::unique_ptr<BatchScorer>> BatchScorer::Create(
    const Model& model, const Predictor& predictor, std::shared_ptr<const Profile> reference,
    const StreamOptions& options, int threads,
    const std::function<void(const WindowResult&)>& on_window) {
  auto impl = std::make_unique<Impl>(model, predictor, std::move(reference), options,
                                     std::max(threads, 1), on_window);
  KEEL_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<BatchScorer>(new BatchScorer(std::move(impl)));
}

void BatchScorer::CollectPanes(PaneCollector* panes) {
  impl_->set_panes(panes);
}

Status BatchScorer::Score(const std::vector<StreamLine>& lines, const char* buffer_end,
                          const Sink& sink) {
  return impl_->ProcessBatch(lines, buffer_end, sink);
}

Status BatchScorer::Finish(StreamSummary* summary) {
  return impl_->Finish(summary);
}

const StreamSummary& BatchScorer::summary() const {
  return impl_->summary();
}

nlohmann::json StreamSummaryToJson(const StreamSummary& s) {
  nlohmann::json j = {
      {"lines", s.lines},
      {"rows_predicted", s.rows_predicted},
      {"parse_errors", s.parse_errors},
      {"invalid_values", s.invalid_values},
      {"windows", s.windows},
      {"drift_events", s.drift_events},
      {"fairness_alerts", s.fairness_alerts},
      {"late_rows", s.late_rows},
      {"untimed_rows", s.untimed_rows},
      {"seconds", s.seconds},
      {"rows_per_second", s.seconds > 0 ? static_cast<double>(s.lines) / s.seconds : 0.0}};
  if (!s.first_error.empty()) j["first_error"] = s.first_error;
  return j;
}

Result<StreamSummary> RunStream(const Model& model, const Predictor& predictor,
                                std::shared_ptr<const Profile> reference,
                                const StreamOptions& options, const Context& ctx, int in_fd,
                                std::FILE* out,
                                const std::function<void(const WindowResult&)>& on_window) {
  Stopwatch clock;
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<BatchScorer> scorer,
                        BatchScorer::Create(model, predictor, std::move(reference), options,
                                            ctx.threads(), on_window));
  // Every output line in input order, flushed per batch so a slow producer sees its answers.
  const BatchScorer::Sink write = [out](const ScoredBatch& b) -> Status {
    for (std::string_view block : b.blocks()) {
      if (std::fwrite(block.data(), 1, block.size(), out) != block.size()) {
        return Status::IoError("writing predictions failed: {}", ErrnoText(errno));
      }
    }
    if (std::fflush(out) != 0) {
      return Status::IoError("writing predictions failed: {}", ErrnoText(errno));
    }
    return Status::OK();
  };
  constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;
  size_t cap = size_t{8} << 20;
  std::vector<char> buf(cap + kPadding, ' ');
  size_t filled = 0;
  uint64_t line_no = 0;
  const size_t batch = std::max<size_t>(options.batch_rows, 1);
  std::vector<StreamLine> lines;
  lines.reserve(batch);
  bool eof = false;
  while (!eof) {
    KEEL_RETURN_IF_ERROR(ctx.CheckCancelled("keel stream"));
    const ssize_t n = ::read(in_fd, buf.data() + filled, cap - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError("reading the input failed: {}", ErrnoText(errno));
    }
    if (n == 0) eof = true;
    filled += static_cast<size_t>(n);
    size_t pos = 0;
    const char* const end_of_buffer = buf.data() + buf.size();
    auto take = [&](size_t start, size_t stop) -> Status {
      ++line_no;
      size_t len = stop - start;
      if (len > 0 && buf[start + len - 1] == '\r') --len;
      if (len == 0 || Blank(buf.data() + start, len)) return Status::OK();
      lines.push_back({buf.data() + start, len, line_no});
      if (lines.size() == batch) {
        KEEL_RETURN_IF_ERROR(scorer->Score(lines, end_of_buffer, write));
        lines.clear();
      }
      return Status::OK();
    };
    while (pos < filled) {
      const void* nl = std::memchr(buf.data() + pos, '\n', filled - pos);
      if (nl == nullptr) break;
      const size_t stop = static_cast<size_t>(static_cast<const char*>(nl) - buf.data());
      KEEL_RETURN_IF_ERROR(take(pos, stop));
      pos = stop + 1;
    }
    if (eof && pos < filled) {
      KEEL_RETURN_IF_ERROR(take(pos, filled));  // a last line without a newline
      pos = filled;
    }
    KEEL_RETURN_IF_ERROR(scorer->Score(lines, end_of_buffer, write));
    lines.clear();
    std::memmove(buf.data(), buf.data() + pos, filled - pos);
    filled -= pos;
    if (filled == cap && !eof) {
      if (cap >= options.max_line_bytes) {
        return Status::ResourceExhausted("line {} is longer than {} bytes", line_no + 1,
                                         options.max_line_bytes);
      }
      cap = std::min(cap * 2, options.max_line_bytes);
      buf.resize(cap + kPadding, ' ');
    }
  }
  StreamSummary summary;
  KEEL_RETURN_IF_ERROR(scorer->Finish(&summary));
  summary.seconds = clock.Seconds();
  return summary;
}

}  // namespace keel::drift
