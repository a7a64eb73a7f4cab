#include "model/lightgbm_import.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>

#include "core/file_io.h"
#include "core/number_format.h"
#include "model/constraint_check.h"
#include "model/model_json.h"

namespace keel {
namespace {

// decision_type bits (LightGBM include/LightGBM/tree.h).
constexpr int kCategoricalMask = 1;
constexpr int kDefaultLeftMask = 2;
constexpr int kMissingZero = 1;
constexpr int kMissingNaN = 2;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool ParseDouble(std::string_view s, double* out) {
  if (s == "inf" || s == "+inf" || s == "Infinity") {
    *out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "-inf" || s == "-Infinity") {
    *out = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "nan" || s == "NaN" || s == "-nan") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

// One "key=value" line with where it was.
struct Entry {
  std::string_view value;
  size_t line = 0;
};

// A block of key=value lines (the header, or one tree).
class Block {
 public:
  Block(std::string_view source, std::string name) : source_(source), name_(std::move(name)) {}

  std::string Where() const { return fmt::format("{}: {}", source_, name_); }

  // Optional per-node arrays (counts, gains): absent or empty means unknown.
  Result<std::vector<double>> Optional(const std::string& key, size_t want) const {
    if (!Has(key)) return std::vector<double>{};
    KEEL_ASSIGN_OR_RETURN(std::vector<double> v, Doubles(key, std::nullopt));
    if (!v.empty() && v.size() != want) {
      return Fail(key, fmt::format("{} values, expected {}", v.size(), want));
    }
    return v;
  }

  void Set(std::string_view key, std::string_view value, size_t line) {
    entries_[std::string(key)] = {value, line};
  }
  bool Has(const std::string& key) const { return entries_.count(key) != 0; }

  Status Fail(const std::string& key, std::string_view what) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) return Status::Corrupt("{}: {}: {}", source_, name_, what);
    return Status::Corrupt("{}:{}: {} ({}): {}", source_, it->second.line, key, name_, what);
  }

  Result<std::string_view> Text(const std::string& key) const {
    auto it = entries_.find(key);
    if (it == entries_.end())
      return Status::Corrupt("{}: {} has no '{}' line", source_, name_, key);
    return it->second.value;
  }

  Result<std::vector<double>> Doubles(const std::string& key, std::optional<size_t> want) const {
    KEEL_ASSIGN_OR_RETURN(std::string_view text, Text(key));
    std::vector<double> out;
    size_t pos = 0;
    while (pos < text.size()) {
      while (pos < text.size() && text[pos] == ' ') ++pos;
      if (pos >= text.size()) break;
      size_t end = text.find(' ', pos);
      if (end == std::string_view::npos) end = text.size();
      double v = 0;
      if (!ParseDouble(text.substr(pos, end - pos), &v)) {
        return Fail(key, fmt::format("'{}' is not a number",
                                     text.substr(pos, std::min<size_t>(end - pos, 40))));
      }
      out.push_back(v);
      pos = end;
    }
    if (want && out.size() != *want) {
      return Fail(key, fmt::format("{} values, expected {}", out.size(), *want));
    }
    return out;
  }

  Result<std::vector<int64_t>> Ints(const std::string& key, std::optional<size_t> want, int64_t lo,
                                    int64_t hi) const {
    KEEL_ASSIGN_OR_RETURN(std::vector<double> d, Doubles(key, want));
    std::vector<int64_t> out(d.size());
    for (size_t i = 0; i < d.size(); ++i) {
      if (!(d[i] >= static_cast<double>(lo) && d[i] <= static_cast<double>(hi)) ||
          d[i] != std::floor(d[i])) {
        return Fail(key,
                    fmt::format("entry {} ({}) is not an integer in [{}, {}]", i, d[i], lo, hi));
      }
      out[i] = static_cast<int64_t>(d[i]);
    }
    return out;
  }

  Result<int64_t> Int(const std::string& key, int64_t lo, int64_t hi) const {
    KEEL_ASSIGN_OR_RETURN(auto v, Ints(key, 1, lo, hi));
    return v[0];
  }

 private:
  std::string_view source_;
  std::string name_;
  std::map<std::string, Entry> entries_;
};

Result<Tree> ImportTree(const Block& b, int64_t num_features,
                        std::vector<ImportedFeature>* features) {
  KEEL_ASSIGN_OR_RETURN(int64_t leaves, b.Int("num_leaves", 1, INT32_MAX));
  if (b.Has("is_linear")) {
    KEEL_ASSIGN_OR_RETURN(int64_t linear, b.Int("is_linear", 0, 1));
    if (linear != 0)
      return Status::Unsupported("{}: linear trees (is_linear=1) are not supported", b.Where());
  }
  KEEL_ASSIGN_OR_RETURN(std::vector<double> leaf_value, b.Doubles("leaf_value", std::nullopt));
  if (leaf_value.size() != static_cast<size_t>(leaves)) {
    return b.Fail("leaf_value", fmt::format("{} values for {} leaves", leaf_value.size(), leaves));
  }
  KEEL_ASSIGN_OR_RETURN(std::vector<double> leaf_cover,
                        b.Optional("leaf_count", leaf_value.size()));
  if (leaves == 1) {
    Tree tree;
    TreeNode leaf;
    leaf.value = leaf_value[0];
    leaf.cover = leaf_cover.empty() ? 1 : leaf_cover[0];
    if (!std::isfinite(leaf.value)) return b.Fail("leaf_value", "a leaf value is not finite");
    tree.nodes.push_back(leaf);
    return tree;
  }
  const size_t inner = leaf_value.size() - 1;
  KEEL_ASSIGN_OR_RETURN(auto split_feature, b.Ints("split_feature", inner, 0, num_features - 1));
  KEEL_ASSIGN_OR_RETURN(auto threshold, b.Doubles("threshold", inner));
  KEEL_ASSIGN_OR_RETURN(auto decision, b.Ints("decision_type", inner, 0, 127));
  KEEL_ASSIGN_OR_RETURN(auto left, b.Ints("left_child", inner, -leaves, leaves - 2));
  KEEL_ASSIGN_OR_RETURN(auto right, b.Ints("right_child", inner, -leaves, leaves - 2));
  KEEL_ASSIGN_OR_RETURN(std::vector<double> gain, b.Optional("split_gain", inner));
  KEEL_ASSIGN_OR_RETURN(std::vector<double> inner_cover, b.Optional("internal_count", inner));
  int64_t num_cat = 0;
  std::vector<int64_t> cat_boundaries, cat_threshold;
  if (b.Has("num_cat")) {
    KEEL_ASSIGN_OR_RETURN(num_cat, b.Int("num_cat", 0, INT32_MAX));
  }
  if (num_cat > 0) {
    KEEL_ASSIGN_OR_RETURN(cat_boundaries,
                          b.Ints("cat_boundaries", static_cast<size_t>(num_cat) + 1, 0, INT32_MAX));
    KEEL_ASSIGN_OR_RETURN(cat_threshold, b.Ints("cat_threshold", std::nullopt, 0, UINT32_MAX));
    for (size_t i = 0; i + 1 < cat_boundaries.size(); ++i) {
      if (cat_boundaries[i] > cat_boundaries[i + 1])
        return b.Fail("cat_boundaries", "not increasing");
    }
    if (cat_boundaries.front() != 0 ||
        static_cast<size_t>(cat_boundaries.back()) != cat_threshold.size()) {
      return b.Fail("cat_boundaries", "does not cover cat_threshold");
    }
  }

  // LightGBM ids: internal node i >= 0, leaf j as ~j. Here leaves become i = inner + j.
  auto node_of = [&](int64_t id, PeerNode* out) -> Status {
    TreeNode& node = out->node;
    if (id >= static_cast<int64_t>(inner)) {
      const auto j = static_cast<size_t>(id) - inner;
      out->leaf = true;
      node.value = leaf_value[j];
      node.cover = leaf_cover.empty() ? 1 : leaf_cover[j];
      if (!std::isfinite(node.value))
        return b.Fail("leaf_value", fmt::format("leaf {} is not finite", j));
      return Status::OK();
    }
    const auto i = static_cast<size_t>(id);
    auto child = [&](int64_t c) { return c >= 0 ? c : static_cast<int64_t>(inner) + ~c; };
    out->leaf = false;
    out->left = child(left[i]);
    out->right = child(right[i]);
    node.feature = static_cast<int32_t>(split_feature[i]);
    node.gain = gain.empty() ? 0 : gain[i];
    node.cover = inner_cover.empty() ? 1 : inner_cover[i];
    const auto type = static_cast<int>(decision[i]);
    if ((type & kCategoricalMask) != 0) {
      const double t = threshold[i];
      if (!(t >= 0 && t < static_cast<double>(num_cat)) || t != std::floor(t)) {
        return b.Fail("threshold",
                      fmt::format("node {}: categorical split {} of {}", i, t, num_cat));
      }
      const auto c = static_cast<size_t>(t);
      node.is_categorical = true;
      node.categories_left = true;  // categories in the bitset go left
      node.default_left = false;    // missing values always go right
      for (auto w = cat_boundaries[c]; w < cat_boundaries[c + 1]; ++w) {
        const auto bits = static_cast<uint32_t>(cat_threshold[static_cast<size_t>(w)]);
        for (int k = 0; k < 32; ++k) {
          if ((bits >> k) & 1u) {
            node.categories.push_back(static_cast<int32_t>((w - cat_boundaries[c]) * 32 + k));
          }
        }
      }
      (*features)[static_cast<size_t>(node.feature)].categorical = true;
    } else {
      if (std::isnan(threshold[i])) return b.Fail("threshold", fmt::format("node {} is NaN", i));
      node.threshold = threshold[i];
      node.less_equal = true;
      node.default_left = (type & kDefaultLeftMask) != 0;
      const int missing = (type >> 2) & 3;
      node.missing_rule = missing == kMissingNaN    ? MissingRule::kNaN
                          : missing == kMissingZero ? MissingRule::kZeroOrNaN
                                                    : MissingRule::kNaNAsZero;
    }
    return Status::OK();
  };
  auto tree = AssembleTree(0, leaf_value.size() + inner, node_of);
  if (!tree.ok()) return tree.status().WithContext(b.Where());
  return tree;
}

struct ParsedObjective {
  Objective objective = Objective::kSquaredError;
  double sigmoid = 1;
};

Result<ParsedObjective> ParseObjectiveLine(std::string_view text, std::string_view source) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) parts.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  if (parts.empty()) return Status::Corrupt("{}: empty objective", source);
  ParsedObjective o;
  const std::string_view name = parts[0];
  if (name == "binary") {
    o.objective = Objective::kBinaryLogistic;
    for (auto p : parts) {
      if (p.substr(0, 8) == "sigmoid:" && !ParseDouble(p.substr(8), &o.sigmoid)) {
        return Status::Corrupt("{}: objective '{}': bad sigmoid", source, text);
      }
    }
    if (!(o.sigmoid > 0) || !std::isfinite(o.sigmoid)) {
      return Status::Corrupt("{}: objective '{}': sigmoid must be positive", source, text);
    }
  } else if (name == "cross_entropy" || name == "xentropy") {
    o.objective = Objective::kBinaryLogistic;
  } else if (name == "multiclass" || name == "softmax") {
    o.objective = Objective::kMultiSoftmax;
  } else if (name == "regression" || name == "regression_l2" || name == "l2" || name == "mse" ||
             name == "fair" || name == "quantile" || name == "mape") {
    o.objective = Objective::kSquaredError;
  } else if (name == "regression_l1" || name == "l1" || name == "mae") {
    o.objective = Objective::kAbsoluteError;
  } else if (name == "huber") {
    o.objective = Objective::kHuber;
  } else if (name == "poisson") {  // the log-link regressions: prediction = exp(raw score)
    o.objective = Objective::kPoisson;
  } else if (name == "gamma") {
    o.objective = Objective::kGamma;
  } else if (name == "tweedie") {
    o.objective = Objective::kTweedie;
  } else {
    return Status::Unsupported(
        "{}: LightGBM objective '{}' is not supported (binary, multiclass, cross_entropy, the "
        "identity-link regressions, poisson, gamma and tweedie are)",
        source, name);
  }
  return o;
}

// The categorical features named by the `[categorical_feature: ...]` parameter: indices
// ("0,3") or, after "name:", feature names. nullopt when it names none or cannot be read.
std::optional<std::vector<size_t>> CategoricalParam(std::string_view text,
                                                    const std::vector<ImportedFeature>& features) {
  const bool by_name = text.substr(0, 5) == "name:";
  if (by_name) text.remove_prefix(5);
  std::vector<size_t> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (item.empty()) continue;
    size_t index = features.size();
    if (by_name) {
      for (size_t i = 0; i < features.size(); ++i) {
        if (features[i].name == item) index = i;
      }
    } else {
      auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), index);
      if (ec != std::errc() || p != item.data() + item.size()) return std::nullopt;
    }
    if (index >= features.size()) return std::nullopt;
    out.push_back(index);
  }
  if (out.empty()) return std::nullopt;
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// The text Keel reads for a pandas category value: strings as they are, numbers in shortest
// round-trip form (as Keel writes a number cell), booleans as true/false.
Result<std::string> CategoryText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number()) return FormatDouble(v.get<double>());
  return Status::Corrupt("category {} is not a string, number or boolean", v.dump());
}

// pandas_categorical (LightGBM's Python package): the category lists, in code order, of the
// DataFrame's category columns, which are the model's categorical features in feature order
// (the `categorical_feature` parameter's, else those the file marks categorical). Sets
// features[i].categories. Errors: Corrupt for a malformed line or a list count that matches
// no way of pairing lists with features.
Status ApplyPandasCategorical(std::string_view text, size_t line,
                              std::optional<std::string_view> param, std::string_view source,
                              std::vector<ImportedFeature>* features) {
  if (text.empty() || text == "null") return Status::OK();
  const std::string where = fmt::format("{}:{}: pandas_categorical", source, line);
  auto parsed = ParseJsonText(text, where, 8);
  if (!parsed.ok() || !parsed->is_array()) {
    return Status::Corrupt("{}: not a JSON list of category lists", where);
  }
  std::vector<std::vector<std::string>> lists;
  for (const auto& list : *parsed) {
    if (!list.is_array()) return Status::Corrupt("{}: {} is not a list", where, list.dump());
    std::vector<std::string>& names = lists.emplace_back();
    for (const auto& v : list) {
      auto name = CategoryText(v);
      if (!name.ok()) return name.status().WithContext(where);
      names.push_back(std::move(*name));
    }
  }
  if (lists.empty()) return Status::OK();
  std::optional<std::vector<size_t>> categorical;
  if (param) categorical = CategoricalParam(*param, *features);
  if (!categorical) {
    categorical.emplace();
    for (size_t i = 0; i < features->size(); ++i) {
      if ((*features)[i].categorical) categorical->push_back(i);
    }
  }
  if (categorical->size() != lists.size()) {
    return Status::Corrupt(
        "{}: {} category lists for {} categorical features, so Keel cannot tell which list "
        "belongs to which feature. Delete the pandas_categorical line and give each "
        "categorical feature's categories in the model's code order in --schema, with "
        "`category_order: listed`",
        where, lists.size(), categorical->size());
  }
  for (size_t k = 0; k < lists.size(); ++k) {
    ImportedFeature& f = (*features)[(*categorical)[k]];
    f.categorical = true;
    f.categories = std::move(lists[k]);
  }
  return Status::OK();
}

}  // namespace

Result<Model> ImportLightGBMText(std::string_view text, std::string_view source,
                                 const ImportOptions& options) {
  // Split into the header block, tree blocks, and the trailing pandas_categorical line.
  Block header(source, "header");
  std::vector<Block> trees;
  bool average_output = false;
  bool ended = false;
  std::string_view pandas_categorical;
  std::optional<std::string_view> categorical_param;  // "[categorical_feature: ...]"
  std::optional<std::string_view> monotone_param;     // "[monotone_constraints: ...]"
  size_t monotone_line = 0;
  std::optional<std::string_view> interaction_param;  // "[interaction_constraints: ...]"
  size_t interaction_line = 0;
  size_t pandas_line = 0;
  size_t line_no = 0;
  size_t pos = 0;
  Block* current = &header;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line == "end of trees") {
      ended = true;
      current = nullptr;
      continue;
    }
    if (line.substr(0, 19) == "pandas_categorical:") {
      pandas_categorical = line.substr(19);
      pandas_line = line_no;
      continue;
    }
    if (line.substr(0, 21) == "[categorical_feature:" && line.back() == ']') {
      categorical_param = Trim(line.substr(21, line.size() - 22));
      continue;
    }
    if (line.substr(0, 22) == "[monotone_constraints:" && line.back() == ']') {
      monotone_param = Trim(line.substr(22, line.size() - 23));
      monotone_line = line_no;
      continue;
    }
    if (line.substr(0, 25) == "[interaction_constraints:" && line.back() == ']') {
      interaction_param = Trim(line.substr(25, line.size() - 26));
      interaction_line = line_no;
      continue;
    }
    if (current == nullptr) continue;  // feature importances, parameters
    if (line == "average_output") {
      average_output = true;
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;  // "tree", version banners
    const std::string_view key = line.substr(0, eq);
    const std::string_view value = line.substr(eq + 1);
    if (key == "Tree") {
      trees.emplace_back(source, "Tree=" + std::string(value.substr(0, 20)));
      current = &trees.back();
      continue;
    }
    current->Set(key, value, line_no);
  }
  if (!header.Has("max_feature_idx")) {
    return Status::ParseError("{}: not a LightGBM text model (no max_feature_idx line)", source);
  }
  if (!ended)
    return Status::Corrupt("{}: truncated LightGBM model (no 'end of trees' line)", source);

  KEEL_ASSIGN_OR_RETURN(int64_t max_feature, header.Int("max_feature_idx", 0, (1 << 24) - 1));
  const int64_t num_features = max_feature + 1;
  int64_t num_class = 1;
  if (header.Has("num_class")) {
    KEEL_ASSIGN_OR_RETURN(num_class, header.Int("num_class", 1, 1 << 16));
  }
  int64_t per_iteration = num_class;
  if (header.Has("num_tree_per_iteration")) {
    KEEL_ASSIGN_OR_RETURN(per_iteration, header.Int("num_tree_per_iteration", 1, 1 << 16));
  }
  KEEL_ASSIGN_OR_RETURN(std::string_view objective_text, header.Text("objective"));
  KEEL_ASSIGN_OR_RETURN(ParsedObjective obj, ParseObjectiveLine(objective_text, source));

  Model model;
  model.objective = obj.objective;
  model.task = TaskOf(obj.objective);
  model.num_outputs = model.task == Task::kMulticlass ? static_cast<int32_t>(num_class) : 1;
  if (model.task == Task::kMulticlass && num_class < 2) {
    return header.Fail("num_class", "a multiclass model needs at least 2 classes");
  }
  if (per_iteration != model.num_outputs) {
    return header.Fail(
        "num_tree_per_iteration",
        fmt::format("{} trees per iteration for {} outputs", per_iteration, model.num_outputs));
  }
  model.base_margin.assign(static_cast<size_t>(model.num_outputs), 0.0);
  // LightGBM reads inputs as doubles and has its own rules for tiny values and category codes.
  model.input_precision = InputPrecision::kFloat64;
  if (model.task == Task::kBinary) model.labels.classes = {"0", "1"};
  if (model.task == Task::kMulticlass) {
    for (int32_t k = 0; k < model.num_outputs; ++k)
      model.labels.classes.push_back(std::to_string(k));
  }

  std::vector<ImportedFeature> features(static_cast<size_t>(num_features));
  if (header.Has("feature_names")) {
    KEEL_ASSIGN_OR_RETURN(std::string_view names, header.Text("feature_names"));
    size_t p = 0, i = 0;
    while (p < names.size()) {
      size_t e = names.find(' ', p);
      if (e == std::string_view::npos) e = names.size();
      if (e > p) {
        if (i >= features.size()) return header.Fail("feature_names", "more names than features");
        features[i++].name = std::string(names.substr(p, e - p));
      }
      p = e + 1;
    }
    if (i != features.size()) {
      return header.Fail("feature_names",
                         fmt::format("{} names for {} features", i, features.size()));
    }
  }
  if (header.Has("feature_infos")) {
    KEEL_ASSIGN_OR_RETURN(std::string_view infos, header.Text("feature_infos"));
    size_t p = 0, i = 0;
    while (p < infos.size() && i < features.size()) {
      size_t e = infos.find(' ', p);
      if (e == std::string_view::npos) e = infos.size();
      const std::string_view info = infos.substr(p, e - p);
      if (!info.empty()) {
        // Numeric features read "[min:max]", unused ones "none"; categorical ones list codes.
        features[i++].categorical = info.front() != '[' && info != "none";
      }
      p = e + 1;
    }
  }

  const double scale = obj.sigmoid;
  const size_t iterations = trees.size() / static_cast<size_t>(model.num_outputs);
  for (size_t t = 0; t < trees.size(); ++t) {
    auto tree = ImportTree(trees[t], num_features, &features);
    if (!tree.ok()) return tree.status();
    tree->class_index = static_cast<int32_t>(t % static_cast<size_t>(model.num_outputs));
    for (TreeNode& node : tree->nodes) {
      if (!node.is_leaf()) continue;
      // The sigmoid parameter scales the score inside the link: fold it into the leaves.
      node.value *= scale;
      if (average_output && iterations > 0) node.value /= static_cast<double>(iterations);
    }
    model.forest.trees.push_back(std::move(*tree));
  }

  KEEL_RETURN_IF_ERROR(ApplyPandasCategorical(pandas_categorical, pandas_line, categorical_param,
                                              source, &features));
  KEEL_RETURN_IF_ERROR(BuildImportedFeatures(features, options, source, &model));
  // BuildImportedFeatures wrote import.categorical: add to the section, do not replace it.
  nlohmann::json& section = model.sections["import"];
  section["from"] = "lightgbm";
  section["objective"] = std::string(objective_text);
  section["num_trees"] = trees.size();
  KEEL_RETURN_IF_ERROR(CheckImportedModel(model, source));
  // The training parameters state the monotone constraints (the parameters block's
  // "[monotone_constraints: 1,0,-1]", or a "monotone_constraints=" header line) and the
  // interaction constraints ("[interaction_constraints: [0,1],[2,3]]"); the check then says
  // whether the trees obey them.
  ModelConstraints c;
  c.source = "lightgbm";
  if (header.Has("monotone_constraints") || monotone_param) {
    std::string_view text_value;
    if (header.Has("monotone_constraints")) {
      KEEL_ASSIGN_OR_RETURN(text_value, header.Text("monotone_constraints"));
    } else {
      text_value = *monotone_param;
    }
    auto dirs = ParseDirectionList(text_value, model.features.size());
    if (!dirs.ok()) {
      if (header.Has("monotone_constraints")) {
        return header.Fail("monotone_constraints", dirs.status().message());
      }
      return Status::Corrupt("{}:{}: [monotone_constraints]: {}", source, monotone_line,
                             dirs.status().message());
    }
    c.monotone = std::move(*dirs);
  }
  if (interaction_param) {
    auto groups = ParseInteractionGroups(*interaction_param, model);
    if (!groups.ok()) {
      return Status::Corrupt("{}:{}: [interaction_constraints]: {}", source, interaction_line,
                             groups.status().message());
    }
    c.interactions = std::move(*groups);
  }
  RecordImportedConstraints(c, &model);
  return model;
}

Result<Model> ImportLightGBMFile(const std::string& path, const ImportOptions& options) {
  KEEL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ImportLightGBMText(text, path, options);
}

}  // namespace keel
