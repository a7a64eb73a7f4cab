#include "model/constraint_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "core/number_format.h"

namespace keel {
namespace {

constexpr size_t kMaxViolations = 5;
constexpr double kInf = std::numeric_limits<double>::infinity();

// The values of one feature that can reach a node, over-approximated (a larger region only
// makes the monotone check compare more pairs, so a model it passes is monotone).
struct Region {
  // Numeric: the non-missing values form an interval.
  double lo = -kInf;
  double hi = kInf;
  bool lo_closed = false;
  bool hi_closed = false;
  // Categorical: codes in `include` (all codes when unset) and not in `exclude`.
  std::optional<std::vector<int32_t>> include;
  std::vector<int32_t> exclude;
  bool missing = true;     // missing values can reach
  bool plus_zero = false;  // 0 also reaches, sent the missing way by a kZeroOrNaN split
  bool no_zero = false;    // 0 cannot reach (a kZeroOrNaN split sent it the other way)

  bool values_empty() const { return lo > hi || (lo == hi && !(lo_closed && hi_closed)); }
};

void NarrowBelow(Region* r, double t, bool closed) {  // keep values < t (<= t when closed)
  if (t < r->hi || (t == r->hi && r->hi_closed && !closed)) {
    r->hi = t;
    r->hi_closed = closed;
  }
}

void NarrowAbove(Region* r, double t, bool closed) {  // keep values > t (>= t when closed)
  if (t > r->lo || (t == r->lo && r->lo_closed && !closed)) {
    r->lo = t;
    r->lo_closed = closed;
  }
}

// The region of the side `left` of `node` within `r`.
void Narrow(const TreeNode& node, bool left, Region* r) {
  // Missing values go the default way, except where the rule reads them as 0 (below).
  const bool nan_as_zero = !node.is_categorical && node.missing_rule == MissingRule::kNaNAsZero;
  if (!nan_as_zero && left != node.default_left) r->missing = false;
  if (node.is_categorical) {
    const bool listed_here = left == node.categories_left;
    if (listed_here) {
      std::vector<int32_t> keep;
      if (!r->include) {
        keep = node.categories;
      } else {
        std::set_intersection(r->include->begin(), r->include->end(), node.categories.begin(),
                              node.categories.end(), std::back_inserter(keep));
      }
      r->include = std::move(keep);
    } else {
      std::vector<int32_t> all;
      std::set_union(r->exclude.begin(), r->exclude.end(), node.categories.begin(),
                     node.categories.end(), std::back_inserter(all));
      r->exclude = std::move(all);
    }
    return;
  }
  const bool zero_left = node.less_equal ? 0.0 <= node.threshold : 0.0 < node.threshold;
  if (node.missing_rule == MissingRule::kZeroOrNaN) {
    // 0 goes the missing way whatever the threshold says.
    r->plus_zero = left == node.default_left && !r->no_zero;
    r->no_zero = !r->plus_zero;
  } else {
    if (nan_as_zero && zero_left != left) r->missing = false;
    if (zero_left != left) {
      r->plus_zero = false;
      r->no_zero = true;
    }
  }
  if (left) {
    NarrowBelow(r, node.threshold, node.less_equal);
  } else {
    NarrowAbove(r, node.threshold, !node.less_equal);
  }
}

bool HoldsZero(const Region& r) {
  if (r.no_zero) return false;
  return r.plus_zero ||
         ((r.lo < 0 || (r.lo == 0 && r.lo_closed)) && (r.hi > 0 || (r.hi == 0 && r.hi_closed)));
}

// Whether one value (or a missing value) can be in both regions.
bool Intersect(const Region& a, const Region& b) {
  if (a.missing && b.missing) return true;
  if (a.include || b.include || !a.exclude.empty() || !b.exclude.empty()) {
    std::vector<int32_t> ex;
    std::set_union(a.exclude.begin(), a.exclude.end(), b.exclude.begin(), b.exclude.end(),
                   std::back_inserter(ex));
    if (!a.include && !b.include) return true;  // infinitely many codes remain
    std::vector<int32_t> in;
    if (a.include && b.include) {
      std::set_intersection(a.include->begin(), a.include->end(), b.include->begin(),
                            b.include->end(), std::back_inserter(in));
    } else {
      in = a.include ? *a.include : *b.include;
    }
    for (int32_t c : in) {
      if (!std::binary_search(ex.begin(), ex.end(), c)) return true;
    }
    return false;
  }
  // The intervals' intersection: the larger lower end, the smaller upper end.
  const bool lo_from_a = a.lo > b.lo || (a.lo == b.lo && !a.lo_closed);
  const bool hi_from_a = a.hi < b.hi || (a.hi == b.hi && !a.hi_closed);
  const double lo = lo_from_a ? a.lo : b.lo;
  const double hi = hi_from_a ? a.hi : b.hi;
  const bool closed =
      (lo_from_a ? a.lo_closed : b.lo_closed) && (hi_from_a ? a.hi_closed : b.hi_closed);
  if (lo < hi || (lo == hi && closed)) return true;
  return (a.plus_zero && HoldsZero(b)) || (b.plus_zero && HoldsZero(a));
}

struct Leaf {
  int32_t node = -1;
  std::vector<Region> regions;  // per feature used in the tree
};

// The leaves under `node` in depth-first order, each with its regions; first[n] and mid[n] are
// where node n's leaves and its right subtree's leaves start in `out`.
void CollectLeaves(const Tree& tree, int32_t node, std::vector<Region>* regions,
                   const std::vector<int32_t>& slot, std::vector<Leaf>* out,
                   std::vector<size_t>* first, std::vector<size_t>* mid) {
  const TreeNode& n = tree.nodes[static_cast<size_t>(node)];
  (*first)[static_cast<size_t>(node)] = out->size();
  if (n.is_leaf()) {
    out->push_back({node, *regions});
    return;
  }
  const auto s = static_cast<size_t>(slot[static_cast<size_t>(n.feature)]);
  const Region saved = (*regions)[s];
  Narrow(n, true, &(*regions)[s]);
  CollectLeaves(tree, n.left, regions, slot, out, first, mid);
  (*regions)[s] = saved;
  (*mid)[static_cast<size_t>(node)] = out->size();
  Narrow(n, false, &(*regions)[s]);
  CollectLeaves(tree, n.right, regions, slot, out, first, mid);
  (*regions)[s] = saved;
}

// Two leaves can hold rows that differ only in one feature only if their paths part at a split
// on that feature (at a split on any other feature they take opposite sides of it, which no
// one value can), so each constrained split compares its left subtree's leaves with its right
// subtree's: wherever some value of the feature in leaf A is below some value in leaf B and
// their regions meet on every other feature, A's value must not exceed B's (+1).
void CheckMonotoneTree(const Model& model, size_t t, const std::vector<int8_t>& monotone,
                       ConstraintCheck* check) {
  const Tree& tree = model.forest.trees[t];
  std::vector<int32_t> slot(model.features.size(), -1);
  std::vector<int32_t> used;
  bool constrained_used = false;
  for (const TreeNode& n : tree.nodes) {
    if (!n.is_leaf() && slot[static_cast<size_t>(n.feature)] < 0) {
      slot[static_cast<size_t>(n.feature)] = static_cast<int32_t>(used.size());
      used.push_back(n.feature);
      constrained_used |= monotone[static_cast<size_t>(n.feature)] != 0;
    }
  }
  if (!constrained_used) return;
  std::vector<Region> regions(used.size());
  std::vector<Leaf> leaves;
  std::vector<size_t> first(tree.nodes.size()), mid(tree.nodes.size());
  CollectLeaves(tree, 0, &regions, slot, &leaves, &first, &mid);
  std::vector<size_t> end(tree.nodes.size());
  for (size_t i = 0; i < tree.nodes.size(); ++i) {
    // A subtree's leaves end where its last right descendant's do.
    int32_t last = static_cast<int32_t>(i);
    while (!tree.nodes[static_cast<size_t>(last)].is_leaf()) {
      last = tree.nodes[static_cast<size_t>(last)].right;
    }
    end[i] = first[static_cast<size_t>(last)] + 1;
  }
  auto fail = [&](std::string text) {
    check->monotone_holds = false;
    if (check->violations.size() < kMaxViolations) check->violations.push_back(std::move(text));
  };
  for (size_t i = 0; i < tree.nodes.size(); ++i) {
    const TreeNode& n = tree.nodes[i];
    if (n.is_leaf()) continue;
    const int dir = monotone[static_cast<size_t>(n.feature)];
    if (dir == 0) continue;
    const std::string& name = model.features[static_cast<size_t>(n.feature)].name;
    if (n.is_categorical) {
      fail(fmt::format("tree {}: {} is constrained but split as a categorical feature", t, name));
      return;
    }
    if (n.missing_rule == MissingRule::kZeroOrNaN) {
      fail(fmt::format("tree {}: a split on {} sends 0 the missing way, off its scale", t, name));
      return;
    }
    const auto s = static_cast<size_t>(slot[static_cast<size_t>(n.feature)]);
    for (size_t l = first[i]; l < mid[i]; ++l) {
      for (size_t r = mid[i]; r < end[i]; ++r) {
        for (int side = 0; side < 2; ++side) {
          const Leaf& a = leaves[side == 0 ? l : r];  // the one with some lower value
          const Leaf& b = leaves[side == 0 ? r : l];
          const Region& ra = a.regions[s];
          const Region& rb = b.regions[s];
          // Only rows with the feature missing reach an empty interval; then is some value
          // of A below some value of B?
          if (ra.values_empty() || rb.values_empty() || !(ra.lo < rb.hi)) continue;
          const double va = tree.nodes[static_cast<size_t>(a.node)].value;
          const double vb = tree.nodes[static_cast<size_t>(b.node)].value;
          if (dir > 0 ? va <= vb : va >= vb) continue;  // in order: nothing to prove
          bool others = true;
          for (size_t o = 0; o < used.size() && others; ++o) {
            if (o != s) others = Intersect(a.regions[o], b.regions[o]);
          }
          if (!others) continue;
          fail(
              fmt::format("tree {}: leaf {} (lower {}) = {} and leaf {} (higher {}) = {} break "
                          "{} {}",
                          t, a.node, name, FormatDouble(va), b.node, name, FormatDouble(vb), name,
                          dir > 0 ? "+1" : "-1"));
          return;
        }
      }
    }
  }
}

void CheckInteractionsTree(const Model& model, size_t t,
                           const std::vector<std::vector<int32_t>>& groups,
                           ConstraintCheck* check) {
  const Tree& tree = model.forest.trees[t];
  const size_t nf = model.features.size();
  std::vector<uint8_t> member(groups.size() * nf, 0);
  for (size_t g = 0; g < groups.size(); ++g) {
    for (int32_t f : groups[g]) member[g * nf + static_cast<size_t>(f)] = 1;
  }
  // Depth-first with the groups still holding every feature of the path.
  struct Item {
    int32_t node;
    std::vector<uint8_t> open;
  };
  std::vector<Item> stack = {{0, std::vector<uint8_t>(groups.size(), 1)}};
  while (!stack.empty()) {
    Item it = std::move(stack.back());
    stack.pop_back();
    const TreeNode& n = tree.nodes[static_cast<size_t>(it.node)];
    if (n.is_leaf()) continue;
    bool any = false;
    for (size_t g = 0; g < groups.size(); ++g) {
      it.open[g] &= member[g * nf + static_cast<size_t>(n.feature)];
      any |= it.open[g] != 0;
    }
    if (!any) {
      check->interactions_hold = false;
      if (check->violations.size() < kMaxViolations) {
        check->violations.push_back(
            fmt::format("tree {}: node {} splits {}, which shares no group with the splits "
                        "above it",
                        t, it.node, model.features[static_cast<size_t>(n.feature)].name));
      }
      return;
    }
    stack.push_back({n.left, it.open});
    stack.push_back({n.right, std::move(it.open)});
  }
}

}  // namespace

bool ModelConstraints::empty() const {
  return std::none_of(monotone.begin(), monotone.end(), [](int8_t d) { return d != 0; }) &&
         interactions.empty();
}

std::vector<std::vector<int32_t>> WithUngroupedFeatures(
    const std::vector<std::vector<int32_t>>& groups, size_t num_features) {
  if (groups.empty()) return {};
  std::vector<uint8_t> listed(num_features, 0);
  for (const auto& g : groups) {
    for (int32_t f : g) listed[static_cast<size_t>(f)] = 1;
  }
  std::vector<std::vector<int32_t>> out = groups;
  std::vector<int32_t> rest;
  for (size_t f = 0; f < num_features; ++f) {
    if (!listed[f]) rest.push_back(static_cast<int32_t>(f));
  }
  if (!rest.empty()) out.push_back(std::move(rest));
  return out;
}

ConstraintCheck CheckConstraints(const Model& model, const ModelConstraints& c) {
  ConstraintCheck check;
  if (model.kind != Model::Kind::kForest) return check;
  const bool mono =
      std::any_of(c.monotone.begin(), c.monotone.end(), [](int8_t d) { return d != 0; }) &&
      c.monotone.size() == model.features.size();
  const auto groups = WithUngroupedFeatures(c.interactions, model.features.size());
  for (size_t t = 0; t < model.forest.trees.size(); ++t) {
    if (model.forest.trees[t].nodes.empty()) continue;
    if (mono) CheckMonotoneTree(model, t, c.monotone, &check);
    if (!groups.empty()) CheckInteractionsTree(model, t, groups, &check);
  }
  return check;
}

Result<std::vector<int8_t>> ParseDirectionList(std::string_view text, size_t num_features) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '(' || s.front() == '[')) {
      s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == ')' || s.back() == ']')) {
      s.remove_suffix(1);
    }
    return s;
  };
  text = trim(text);
  std::vector<int8_t> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = trim(text.substr(start, end - start));
    if (item == "1" || item == "+1") {
      out.push_back(1);
    } else if (item == "-1") {
      out.push_back(-1);
    } else if (item == "0") {
      out.push_back(0);
    } else {
      return Status::InvalidArgument("monotone constraint '{}' (item {}) is not 1, 0 or -1", item,
                                     out.size() + 1);
    }
    start = end + 1;
  }
  if (out.size() > num_features) {
    return Status::InvalidArgument("{} monotone constraints for {} features", out.size(),
                                   num_features);
  }
  out.resize(num_features, 0);
  if (std::all_of(out.begin(), out.end(), [](int8_t d) { return d == 0; })) out.clear();
  return out;
}

Result<std::vector<std::vector<int32_t>>> ParseInteractionGroups(std::string_view text,
                                                                 const Model& model) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  std::vector<std::vector<int32_t>> out;
  if (text.empty()) return out;
  // XGBoost writes a list of lists; LightGBM drops the enclosing list ("[0,1],[2,3]", or
  // "[0,1]" for one group), so text that is not a list of lists is read as its items.
  auto is_groups = [](const nlohmann::json& j) {
    return j.is_array() &&
           std::all_of(j.begin(), j.end(), [](const auto& g) { return g.is_array(); });
  };
  nlohmann::json groups = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!is_groups(groups)) {
    groups = nlohmann::json::parse(fmt::format("[{}]", text), nullptr, false);
  }
  if (!groups.is_array()) {
    return Status::InvalidArgument("interaction constraints '{}' are not a list of groups", text);
  }
  for (const auto& g : groups) {
    if (!g.is_array()) {
      return Status::InvalidArgument("interaction constraint group '{}' is not a list", g.dump());
    }
    std::vector<int32_t> group;
    for (const auto& item : g) {
      int64_t f = -1;
      if (item.is_number_integer()) {
        f = item.get<int64_t>();
      } else if (item.is_string()) {
        f = model.FeatureIndex(item.get<std::string>());
      }
      if (f < 0 || f >= static_cast<int64_t>(model.features.size())) {
        return Status::InvalidArgument(
            "interaction constraint item {} is not a feature index in [0, {}) or a feature's "
            "name",
            item.dump(), model.features.size());
      }
      group.push_back(static_cast<int32_t>(f));
    }
    std::sort(group.begin(), group.end());
    group.erase(std::unique(group.begin(), group.end()), group.end());
    if (!group.empty()) out.push_back(std::move(group));
  }
  return out;
}

void RecordImportedConstraints(const ModelConstraints& c, Model* model) {
  if (c.empty()) return;
  model->sections["constraints"] = ConstraintsSection(*model, c, CheckConstraints(*model, c));
}

nlohmann::json ConstraintsSection(const Model& model, const ModelConstraints& c,
                                  const ConstraintCheck& check) {
  nlohmann::json j = nlohmann::json::object();
  j["source"] = c.source;
  bool any_mono = false;
  nlohmann::json mono = nlohmann::json::object();
  for (size_t f = 0; f < c.monotone.size() && f < model.features.size(); ++f) {
    if (c.monotone[f] == 0) continue;
    mono[model.features[f].name] = static_cast<int>(c.monotone[f]);
    any_mono = true;
  }
  if (any_mono) {
    j["monotone"] = std::move(mono);
    j["monotone_verified"] = check.monotone_holds;
  }
  if (!c.interactions.empty()) {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : c.interactions) {
      nlohmann::json names = nlohmann::json::array();
      for (int32_t f : g) names.push_back(model.features[static_cast<size_t>(f)].name);
      groups.push_back(std::move(names));
    }
    j["interactions"] = std::move(groups);
    j["interactions_verified"] = check.interactions_hold;
  }
  j["verified"] = check.holds();
  j["violations"] = check.violations;
  return j;
}

}  // namespace keel
