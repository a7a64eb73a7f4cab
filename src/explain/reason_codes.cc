#include "explain/reason_codes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace keel {
namespace {

bool IsGenericPositive(const std::string& name) {
  std::string low;
  for (char c : name) low.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return low == "yes" || low == "true" || low == "1" || low == "y" || low == "t" ||
         low == "positive" || low == "pos";
}

// "+0.41", "-0.0032", "+12.3": three significant digits, always signed.
std::string Signed(double v) {
  std::string s = fmt::format("{:.3g}", std::abs(v));
  return (v < 0 ? "-" : "+") + s;
}

std::string Item(const Reason& r) {
  return fmt::format("{} = {} ({})", r.name, r.value, Signed(r.contribution));
}

// "A", "A and B", "A, B and C".
std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

std::string Clause(const std::vector<Reason>& reasons, const std::string& verb,
                   const std::string& object) {
  const Reason& first = reasons.front();
  std::string s = fmt::format("{} = {} {} {} the most ({})", first.name, first.value, verb, object,
                              Signed(first.contribution));
  if (reasons.size() > 1) {
    std::vector<std::string> rest;
    for (size_t i = 1; i < reasons.size(); ++i) rest.push_back(Item(reasons[i]));
    s += ", followed by " + JoinList(rest);
  }
  return s;
}

}  // namespace

std::string ScoreName(const Model& model, int output) {
  const auto& classes = model.labels.classes;
  if (model.task == Task::kRegression) {
    return model.target.empty() ? "prediction" : model.target + " prediction";
  }
  if (model.task == Task::kBinary) {
    if (classes.size() == 2) {
      if (IsGenericPositive(classes[1]) && !model.target.empty()) return model.target + " score";
      return classes[1] + " score";
    }
    return model.target.empty() ? "score" : model.target + " score";
  }
  if (output >= 0 && static_cast<size_t>(output) < classes.size()) {
    return classes[static_cast<size_t>(output)] + " score";
  }
  return fmt::format("class {} score", output);
}

ReasonCodes ComputeReasonCodes(const Model& model, std::span<const double> attributions,
                               const std::vector<uint8_t>& used,
                               const std::function<std::string(int)>& value_text,
                               const ReasonOptions& options) {
  const int nf = static_cast<int>(model.features.size());
  const size_t group = static_cast<size_t>(nf) + 1;
  ReasonCodes rc;
  int output = options.output;
  if (output < 0 || output >= model.num_outputs) {
    output = 0;
    if (model.num_outputs > 1) {
      // The class the row scores highest: margin = bias + attributions of that output.
      double best = -INFINITY;
      for (int k = 0; k < model.num_outputs; ++k) {
        double m = 0;
        for (size_t f = 0; f < group; ++f) m += attributions[static_cast<size_t>(k) * group + f];
        if (m > best) {
          best = m;
          output = k;
        }
      }
    }
  }
  rc.output = output;
  rc.score_name = ScoreName(model, output);
  const double* a = attributions.data() + static_cast<size_t>(output) * group;
  rc.bias = a[nf];
  rc.margin = rc.bias;
  std::vector<int> up;
  std::vector<int> down;
  for (int f = 0; f < nf; ++f) {
    rc.margin += a[f];
    if (static_cast<size_t>(f) < used.size() && used[static_cast<size_t>(f)] == 0) continue;
    if (a[f] > 0) up.push_back(f);
    if (a[f] < 0) down.push_back(f);
  }
  const size_t k = static_cast<size_t>(std::max(options.top_k, 1));
  auto take = [&](std::vector<int>& idx, bool larger_first, std::vector<Reason>* out) {
    auto before = [&](int x, int y) {
      if (a[x] != a[y]) return larger_first ? a[x] > a[y] : a[x] < a[y];
      return x < y;
    };
    const size_t n = std::min(k, idx.size());
    std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(n), idx.end(), before);
    for (size_t i = 0; i < n; ++i) {
      const int f = idx[i];
      out->push_back({f, model.features[static_cast<size_t>(f)].name, value_text(f), a[f]});
    }
  };
  take(up, true, &rc.up);
  take(down, false, &rc.down);
  rc.sentence = ReasonSentence(rc);
  return rc;
}

std::string ReasonSentence(const ReasonCodes& rc) {
  const std::string object = "the " + rc.score_name;
  if (rc.up.empty() && rc.down.empty()) {
    return fmt::format("No feature moved {} away from its average ({}).", object,
                       fmt::format("{:.3g}", rc.bias));
  }
  std::string s;
  if (!rc.up.empty()) s = Clause(rc.up, "raised", object);
  if (!rc.down.empty()) {
    if (!s.empty()) s += "; ";
    s += Clause(rc.down, "lowered", s.empty() ? object : std::string("it"));
  }
  return s + ".";
}

}  // namespace keel
