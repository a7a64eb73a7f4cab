#include "data/label_mapping.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/hash.h"

namespace keel {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool SameLabel(std::string_view a, std::string_view b, bool case_insensitive) {
  if (a.size() != b.size()) return false;
  if (!case_insensitive) return a == b;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

int32_t LabelMapping::ClassOf(std::string_view raw) const {
  raw = Trim(raw);
  std::string_view name = raw;
  for (const auto& [from, to] : merge) {
    if (SameLabel(Trim(from), raw, case_insensitive)) {
      name = to;
      break;
    }
  }
  for (size_t i = 0; i < classes.size(); ++i) {
    if (SameLabel(classes[i], name, case_insensitive)) return static_cast<int32_t>(i);
  }
  return -1;
}

std::string LabelMapping::Version() const {
  std::string text = case_insensitive ? "ci" : "cs";
  for (const auto& c : classes) text += fmt::format("|c:{}:{}", c.size(), c);
  for (const auto& [from, to] : merge) text += fmt::format("|m:{}:{}>{}", from.size(), from, to);
  return ToHex(Sha256(text)).substr(0, 16);
}

}  // namespace keel

namespace keel {
namespace {

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    out.emplace_back(Trim(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

}  // namespace

Status ValidateLabelMapping(const LabelMapping& m) {
  if (m.classes.empty()) return Status::InvalidArgument("the label mapping has no classes");
  for (size_t i = 0; i < m.classes.size(); ++i) {
    if (Trim(m.classes[i]).empty()) {
      return Status::InvalidArgument("label mapping class {} has an empty name", i + 1);
    }
    for (size_t k = 0; k < i; ++k) {
      if (SameLabel(Trim(m.classes[k]), Trim(m.classes[i]), m.case_insensitive)) {
        return Status::InvalidArgument("label mapping lists class \"{}\" twice", m.classes[i]);
      }
    }
  }
  for (size_t i = 0; i < m.merge.size(); ++i) {
    const auto& [from, to] = m.merge[i];
    if (Trim(from).empty()) {
      return Status::InvalidArgument("label merge {} has an empty raw label", i + 1);
    }
    bool found = false;
    for (const auto& c : m.classes) found = found || SameLabel(Trim(c), Trim(to), m.case_insensitive);
    if (!found) {
      return Status::InvalidArgument("label merge \"{}\" -> \"{}\": \"{}\" is not a class", from,
                                     to, to);
    }
    for (size_t k = 0; k < i; ++k) {
      if (SameLabel(Trim(m.merge[k].first), Trim(from), m.case_insensitive) &&
          !SameLabel(Trim(m.merge[k].second), Trim(to), m.case_insensitive)) {
        return Status::InvalidArgument("raw label \"{}\" is merged into both \"{}\" and \"{}\"",
                                       from, m.merge[k].second, to);
      }
    }
  }
  return Status::OK();
}

Result<LabelMapping> ParseLabelMapping(std::string_view classes, std::string_view merges) {
  LabelMapping m;
  if (!Trim(classes).empty()) m.classes = SplitList(classes);
  if (!Trim(merges).empty()) {
    for (const auto& item : SplitList(merges)) {
      const size_t eq = item.find('=');
      if (eq == std::string::npos) {
        return Status::InvalidArgument("label merge \"{}\" is not of the form raw=class", item);
      }
      m.merge.emplace_back(std::string(Trim(std::string_view(item).substr(0, eq))),
                           std::string(Trim(std::string_view(item).substr(eq + 1))));
    }
  }
  KEEL_RETURN_IF_ERROR(ValidateLabelMapping(m));
  return m;
}

Result<LabelMapping> InferLabelMapping(const Column& target,
                                       const std::optional<std::string>& positive) {
  LabelMapping m;
  std::vector<uint64_t> counts;
  if (target.kind() == ColumnKind::kCategorical) {
    counts.assign(target.dictionary().size(), 0);
    for (int32_t c : target.codes()) {
      if (c != kMissingCode) ++counts[static_cast<size_t>(c)];
    }
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] > 0) m.classes.push_back(target.dictionary()[i]);
    }
    std::vector<uint64_t> kept;
    for (uint64_t c : counts) {
      if (c > 0) kept.push_back(c);
    }
    counts = std::move(kept);
  } else {
    for (size_t r = 0; r < target.size(); ++r) {
      if (target.IsMissing(r)) continue;
      const std::string text = target.CellText(r);
      size_t i = 0;
      while (i < m.classes.size() && m.classes[i] != text) ++i;
      if (i == m.classes.size()) {
        m.classes.push_back(text);
        counts.push_back(0);
      }
      ++counts[i];
    }
  }
  if (m.classes.empty()) {
    return Status::InvalidArgument("target column \"{}\" has no values", target.name());
  }
  if (positive.has_value()) {
    size_t i = 0;
    while (i < m.classes.size() && !SameLabel(m.classes[i], Trim(*positive), true)) ++i;
    if (i == m.classes.size()) {
      return Status::InvalidArgument("positive class \"{}\" is not a value of column \"{}\"",
                                     *positive, target.name());
    }
    if (m.classes.size() == 2 && i == 0) std::swap(m.classes[0], m.classes[1]);
  } else if (m.classes.size() == 2 && counts[1] > counts[0]) {
    std::swap(m.classes[0], m.classes[1]);
  }
  return m;
}

std::vector<int32_t> MapLabels(const LabelMapping& mapping, const Column& target,
                               LabelReport* report) {
  const size_t n = target.size();
  std::vector<int32_t> out(n, -1);
  LabelReport local;
  LabelReport& rep = report != nullptr ? *report : local;
  rep = LabelReport{};
  rep.version = mapping.Version();
  rep.class_rows.assign(mapping.classes.size(), 0);
  std::vector<std::pair<std::string, uint64_t>> unseen;
  auto note_unseen = [&](const std::string& raw) {
    for (auto& u : unseen) {
      if (u.first == raw) {
        ++u.second;
        return;
      }
    }
    unseen.emplace_back(raw, 1);
  };
  if (target.kind() == ColumnKind::kCategorical) {
    const auto& dict = target.dictionary();
    std::vector<int32_t> cls(dict.size());
    for (size_t i = 0; i < dict.size(); ++i) cls[i] = mapping.ClassOf(dict[i]);
    std::vector<uint64_t> unseen_codes(dict.size(), 0);
    const auto codes = target.codes();
    for (size_t r = 0; r < n; ++r) {
      const int32_t c = codes[r];
      if (c == kMissingCode) {
        ++rep.missing_rows;
        continue;
      }
      out[r] = cls[static_cast<size_t>(c)];
      if (out[r] < 0) ++unseen_codes[static_cast<size_t>(c)];
    }
    for (size_t i = 0; i < dict.size(); ++i) {
      if (unseen_codes[i] > 0) unseen.emplace_back(dict[i], unseen_codes[i]);
    }
  } else {
    for (size_t r = 0; r < n; ++r) {
      if (target.IsMissing(r)) {
        ++rep.missing_rows;
        continue;
      }
      const std::string text = target.CellText(r);
      out[r] = mapping.ClassOf(text);
      if (out[r] < 0) note_unseen(text);
    }
  }
  for (size_t r = 0; r < n; ++r) {
    if (out[r] >= 0) ++rep.class_rows[static_cast<size_t>(out[r])];
  }
  for (size_t i = 0; i < mapping.classes.size(); ++i) {
    if (rep.class_rows[i] == 0) rep.empty_classes.push_back(mapping.classes[i]);
  }
  std::stable_sort(unseen.begin(), unseen.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& u : unseen) rep.unseen_rows += u.second;
  rep.unseen = std::move(unseen);
  return out;
}

}  // namespace keel
