#include "model/xgboost_import.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "core/file_io.h"
#include "model/constraint_check.h"
#include "model/model_json.h"

namespace keel {
namespace {

// train_param.<key> (monotone_constraints, interaction_constraints) of any updater in gbtree's
// "updater" (an object of updaters, or a list of them with a "name"), "" when there is none.
std::string TrainParamText(const nlohmann::json& gbtree, const char* key) {
  if (!gbtree.is_object() || !gbtree.contains("updater")) return "";
  const nlohmann::json& updaters = gbtree["updater"];
  if (!updaters.is_object() && !updaters.is_array()) return "";
  for (const auto& up : updaters) {
    if (!up.is_object() || !up.contains("train_param")) continue;
    const nlohmann::json& tp = up["train_param"];
    if (tp.is_object() && tp.contains(key) && tp[key].is_string()) {
      return tp[key].get<std::string>();
    }
  }
  return "";
}

using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// XGBoost writes non-finite floats as bare NaN / Infinity / -Infinity; JSON has no such
// literals. Outside strings they are rewritten as strings, which NumberAt accepts.
std::string QuoteNonFinite(std::string_view text) {
  static constexpr std::string_view kWords[] = {"-Infinity", "Infinity", "NaN",
                                                "-inf",      "inf",      "nan"};
  std::string out;
  out.reserve(text.size() + 64);
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        out.push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out.push_back(c);
      continue;
    }
    bool replaced = false;
    if (c == '-' || c == 'I' || c == 'N' || c == 'i' || c == 'n') {
      for (std::string_view w : kWords) {
        if (text.substr(i, w.size()) == w) {
          out.push_back('"');
          out.append(w);
          out.push_back('"');
          i += w.size() - 1;
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out.push_back(c);
  }
  return out;
}

bool ParseDoubleText(std::string_view s, double* out) {
  if (s == "NaN" || s == "nan") {
    *out = kNaN;
    return true;
  }
  if (s == "Infinity" || s == "inf") {
    *out = kInf;
    return true;
  }
  if (s == "-Infinity" || s == "-inf") {
    *out = -kInf;
    return true;
  }
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// A number that may be written as a JSON number, a non-finite word, or (as XGBoost does in
// learner_model_param) a string holding a number.
bool NumberAt(const json& v, double* out) {
  if (v.is_number()) {
    *out = v.get<double>();
    return true;
  }
  if (v.is_string()) return ParseDoubleText(v.get_ref<const std::string&>(), out);
  if (v.is_boolean()) {
    *out = v.get<bool>() ? 1 : 0;
    return true;
  }
  return false;
}

class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  std::string_view source() const { return source_; }

  Status Fail(std::string_view where, std::string_view what) const {
    return Status::Corrupt("{}: {}: {}", source_, where, what);
  }

  Result<const json*> Member(const json& obj, const char* key, std::string_view where) const {
    if (!obj.is_object() || !obj.contains(key)) {
      return Fail(where, std::string("missing \"") + key + "\"");
    }
    return &obj[key];
  }

  Result<double> Number(const json& obj, const char* key, std::string_view where) const {
    KEEL_ASSIGN_OR_RETURN(const json* v, Member(obj, key, where));
    double d = 0;
    if (!NumberAt(*v, &d)) return Fail(where, std::string("\"") + key + "\" is not a number");
    return d;
  }

  // An array of numbers; when `want` is set it must have exactly that many entries.
  Result<std::vector<double>> Numbers(const json& obj, const char* key, std::string_view where,
                                      std::optional<size_t> want = std::nullopt) const {
    KEEL_ASSIGN_OR_RETURN(const json* v, Member(obj, key, where));
    if (!v->is_array()) return Fail(where, std::string("\"") + key + "\" is not an array");
    if (want && v->size() != *want) {
      return Fail(where, fmt::format("\"{}\" has {} entries, expected {}", key, v->size(), *want));
    }
    std::vector<double> out(v->size());
    for (size_t i = 0; i < v->size(); ++i) {
      if (!NumberAt((*v)[i], &out[i])) {
        return Fail(where, fmt::format("\"{}\"[{}] is not a number", key, i));
      }
    }
    return out;
  }

  // Integers in [lo, hi].
  Result<std::vector<int64_t>> Integers(const json& obj, const char* key, std::string_view where,
                                        int64_t lo, int64_t hi,
                                        std::optional<size_t> want = std::nullopt) const {
    KEEL_ASSIGN_OR_RETURN(std::vector<double> d, Numbers(obj, key, where, want));
    std::vector<int64_t> out(d.size());
    for (size_t i = 0; i < d.size(); ++i) {
      if (!(d[i] >= static_cast<double>(lo) && d[i] <= static_cast<double>(hi)) ||
          d[i] != std::floor(d[i])) {
        return Fail(where, fmt::format("\"{}\"[{}] = {} is not an integer in [{}, {}]", key, i,
                                       d[i], lo, hi));
      }
      out[i] = static_cast<int64_t>(d[i]);
    }
    return out;
  }

 private:
  std::string_view source_;
};

struct TreeArrays {
  std::vector<int64_t> left, right, feature, default_left, split_type;
  std::vector<double> condition, hessian, gain;
  // Per node: [begin, end) into categories for categorical nodes.
  std::vector<std::pair<size_t, size_t>> cat_range;
  std::vector<int64_t> categories;
};

Result<Tree> ImportTree(const Reader& rd, const json& jt, size_t t, int64_t num_features) {
  const std::string where = fmt::format("tree {}", t);
  TreeArrays a;
  KEEL_ASSIGN_OR_RETURN(a.left, rd.Integers(jt, "left_children", where, -1, INT32_MAX));
  const size_t n = a.left.size();
  if (n == 0) return rd.Fail(where, "has no nodes");
  KEEL_ASSIGN_OR_RETURN(a.right, rd.Integers(jt, "right_children", where, -1, INT32_MAX, n));
  KEEL_ASSIGN_OR_RETURN(a.feature, rd.Integers(jt, "split_indices", where, 0, INT32_MAX, n));
  KEEL_ASSIGN_OR_RETURN(a.default_left, rd.Integers(jt, "default_left", where, 0, 1, n));
  KEEL_ASSIGN_OR_RETURN(a.condition, rd.Numbers(jt, "split_conditions", where, n));
  if (jt.contains("sum_hessian")) {
    KEEL_ASSIGN_OR_RETURN(a.hessian, rd.Numbers(jt, "sum_hessian", where, n));
  }
  if (jt.contains("loss_changes")) {
    KEEL_ASSIGN_OR_RETURN(a.gain, rd.Numbers(jt, "loss_changes", where, n));
  }
  if (jt.contains("split_type")) {
    KEEL_ASSIGN_OR_RETURN(a.split_type, rd.Integers(jt, "split_type", where, 0, 1, n));
  } else {
    a.split_type.assign(n, 0);
  }
  a.cat_range.assign(n, {0, 0});
  if (jt.contains("categories_nodes")) {
    KEEL_ASSIGN_OR_RETURN(auto nodes, rd.Integers(jt, "categories_nodes", where, 0, INT32_MAX));
    KEEL_ASSIGN_OR_RETURN(
        auto segs, rd.Integers(jt, "categories_segments", where, 0, INT64_MAX, nodes.size()));
    KEEL_ASSIGN_OR_RETURN(auto sizes,
                          rd.Integers(jt, "categories_sizes", where, 0, INT64_MAX, nodes.size()));
    KEEL_ASSIGN_OR_RETURN(a.categories, rd.Integers(jt, "categories", where, 0, INT32_MAX));
    for (size_t k = 0; k < nodes.size(); ++k) {
      const auto node = static_cast<size_t>(nodes[k]);
      const auto begin = static_cast<uint64_t>(segs[k]);
      const auto size = static_cast<uint64_t>(sizes[k]);
      if (node >= n || begin > a.categories.size() || size > a.categories.size() - begin) {
        return rd.Fail(where, fmt::format("categorical split {} is out of range", k));
      }
      a.cat_range[node] = {begin, begin + size};
    }
  }

  auto node_of = [&](int64_t id, PeerNode* out) -> Status {
    if (id < 0 || static_cast<size_t>(id) >= n) {
      return rd.Fail(where, fmt::format("child index {} is out of range", id));
    }
    const auto i = static_cast<size_t>(id);
    TreeNode& node = out->node;
    node.cover = a.hessian.empty() ? 0 : a.hessian[i];
    if (a.left[i] < 0) {
      if (a.right[i] >= 0) return rd.Fail(where, fmt::format("node {} has one child", i));
      out->leaf = true;
      // XGBoost keeps a leaf's value in split_conditions, as a float32.
      node.value = static_cast<double>(static_cast<float>(a.condition[i]));
      if (!std::isfinite(node.value)) {
        return rd.Fail(where, fmt::format("leaf {} is not finite", i));
      }
      return Status::OK();
    }
    out->leaf = false;
    out->left = a.left[i];
    out->right = a.right[i];
    if (a.feature[i] >= num_features) {
      return rd.Fail(
          where, fmt::format("node {} splits on feature {} of {}", i, a.feature[i], num_features));
    }
    node.feature = static_cast<int32_t>(a.feature[i]);
    node.default_left = a.default_left[i] != 0;
    node.gain = a.gain.empty() ? 0 : a.gain[i];
    node.missing_rule = MissingRule::kNaN;
    if (a.split_type[i] == 1) {
      // XGBoost sends the listed categories right and every other value left.
      node.is_categorical = true;
      node.categories_left = false;
      for (size_t k = a.cat_range[i].first; k < a.cat_range[i].second; ++k) {
        node.categories.push_back(static_cast<int32_t>(a.categories[k]));
      }
      std::sort(node.categories.begin(), node.categories.end());
      node.categories.erase(std::unique(node.categories.begin(), node.categories.end()),
                            node.categories.end());
    } else {
      // fvalue < split_cond, both float32.
      const float cond = static_cast<float>(a.condition[i]);
      if (std::isnan(cond)) return rd.Fail(where, fmt::format("node {} has a NaN threshold", i));
      node.threshold = cond;
      node.less_equal = false;
    }
    return Status::OK();
  };
  auto tree = AssembleTree(0, n, node_of);
  if (!tree.ok()) return tree.status().WithContext(fmt::format("{}: {}", rd.source(), where));
  return tree;
}

// reg:tweedie's tweedie_variance_power, which XGBoost writes as a string; nullopt when absent
// or unreadable.
std::optional<double> TweedieVariancePower(const json& objective) {
  const auto param = objective.find("tweedie_regression_param");
  if (param == objective.end() || !param->is_object()) return std::nullopt;
  const auto power = param->find("tweedie_variance_power");
  if (power == param->end()) return std::nullopt;
  double v = 0;
  if (power->is_number()) return power->get<double>();
  if (power->is_string() && ParseDoubleText(power->get<std::string>(), &v)) return v;
  return std::nullopt;
}

// reg:quantileerror's quantile_alpha, which XGBoost 2 writes as a string holding one number
// or a list ("[0.9]"; several alphas make a multi-output model, which Keel does not import).
// Empty when absent or unreadable.
std::vector<double> QuantileAlphas(const json& objective) {
  const auto param = objective.find("quantile_loss_param");
  if (param == objective.end() || !param->is_object()) return {};
  const auto alpha = param->find("quantile_alpha");
  if (alpha == param->end()) return {};
  if (alpha->is_number()) return {alpha->get<double>()};
  if (!alpha->is_string()) return {};
  std::string text = alpha->get<std::string>();
  if (!text.empty() && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  std::vector<double> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    double v = 0;
    if (!ParseDoubleText(text.substr(start, comma - start), &v)) return {};
    out.push_back(v);
    start = comma + 1;
  }
  return out;
}

Result<Model> Import(const json& root, std::string_view source, const ImportOptions& options) {
  Reader rd(source);
  KEEL_ASSIGN_OR_RETURN(const json* learner, rd.Member(root, "learner", "model"));
  KEEL_ASSIGN_OR_RETURN(const json* param, rd.Member(*learner, "learner_model_param", "learner"));
  KEEL_ASSIGN_OR_RETURN(double base_score, rd.Number(*param, "base_score", "learner_model_param"));
  KEEL_ASSIGN_OR_RETURN(double num_feature_d,
                        rd.Number(*param, "num_feature", "learner_model_param"));
  double num_class_d = 0, num_target_d = 1;
  if (param->contains("num_class")) {
    KEEL_ASSIGN_OR_RETURN(num_class_d, rd.Number(*param, "num_class", "learner_model_param"));
  }
  if (param->contains("num_target")) {
    KEEL_ASSIGN_OR_RETURN(num_target_d, rd.Number(*param, "num_target", "learner_model_param"));
  }
  if (!(num_feature_d >= 1 && num_feature_d <= (1 << 24))) {
    return rd.Fail("learner_model_param", fmt::format("num_feature = {}", num_feature_d));
  }
  if (!(num_class_d >= 0 && num_class_d <= (1 << 16))) {
    return rd.Fail("learner_model_param", fmt::format("num_class = {}", num_class_d));
  }
  if (num_target_d != 1) {
    return Status::Unsupported("{}: models with {} targets are not supported", source,
                               num_target_d);
  }
  const auto num_features = static_cast<int64_t>(num_feature_d);
  const auto num_class = static_cast<int32_t>(num_class_d);

  KEEL_ASSIGN_OR_RETURN(const json* objective, rd.Member(*learner, "objective", "learner"));
  std::string objective_name;
  if (objective->is_object() && objective->contains("name") && (*objective)["name"].is_string()) {
    objective_name = (*objective)["name"].get<std::string>();
  } else {
    return rd.Fail("learner.objective", "missing its name");
  }

  Model model;
  if (objective_name == "binary:logistic" || objective_name == "binary:logitraw") {
    model.objective = Objective::kBinaryLogistic;
  } else if (objective_name == "multi:softprob" || objective_name == "multi:softmax") {
    model.objective = Objective::kMultiSoftmax;
  } else if (objective_name == "reg:squarederror" || objective_name == "reg:linear") {
    model.objective = Objective::kSquaredError;
  } else if (objective_name == "reg:absoluteerror") {
    model.objective = Objective::kAbsoluteError;
  } else if (objective_name == "reg:pseudohubererror") {
    model.objective = Objective::kHuber;
  } else if (objective_name == "reg:logistic") {
    model.objective = Objective::kRegLogistic;
  } else if (objective_name == "count:poisson") {
    model.objective = Objective::kPoisson;
  } else if (objective_name == "reg:gamma") {
    model.objective = Objective::kGamma;
  } else if (objective_name == "reg:tweedie") {
    model.objective = Objective::kTweedie;
    if (const auto power = TweedieVariancePower(*objective)) {
      model.tweedie_variance_power = *power;
    }
  } else if (objective_name == "reg:quantileerror") {
    model.objective = Objective::kQuantile;
    const std::vector<double> alphas = QuantileAlphas(*objective);
    if (alphas.size() != 1) {
      return rd.Fail("learner.objective.quantile_loss_param",
                     alphas.empty() ? std::string("quantile_alpha is missing or unreadable")
                                    : fmt::format("{} quantile levels: Keel imports a model of "
                                                  "one quantile (one alpha)",
                                                  alphas.size()));
    }
    model.quantile_alpha = alphas[0];
  } else {
    return Status::Unsupported(
        "{}: XGBoost objective '{}' is not supported (binary:logistic, binary:logitraw, "
        "multi:softprob, multi:softmax, reg:squarederror, reg:absoluteerror, "
        "reg:pseudohubererror, reg:quantileerror, reg:logistic, count:poisson, reg:gamma, "
        "reg:tweedie are)",
        source, objective_name);
  }
  model.task = TaskOf(model.objective);
  model.num_outputs = model.task == Task::kMulticlass ? num_class : 1;
  if (model.task == Task::kMulticlass && num_class < 2) {
    return rd.Fail("learner_model_param",
                   fmt::format("multiclass objective with num_class = {}", num_class));
  }
  // base_score is in prediction units (a float32); the margin is its image under the inverse
  // link, as XGBoost's ProbToMargin: logit for binary:logistic and reg:logistic, log for the
  // log-link regressions, the value itself otherwise (binary:logitraw included).
  const double base = static_cast<float>(base_score);
  double base_margin = base;
  if (objective_name == "binary:logistic" || objective_name == "reg:logistic") {
    if (!(base > 0 && base < 1)) {
      return rd.Fail(
          "learner_model_param",
          fmt::format("base_score {} is not in (0, 1), as {} needs", base, objective_name));
    }
    base_margin = -std::log(1.0 / base - 1.0);
  } else if (model.objective == Objective::kPoisson || model.objective == Objective::kGamma ||
             model.objective == Objective::kTweedie) {
    if (!(base > 0)) {
      return rd.Fail(
          "learner_model_param",
          fmt::format("base_score {} is not positive, as {} needs", base, objective_name));
    }
    base_margin = std::log(base);
  }
  if (!std::isfinite(base_margin)) {
    return rd.Fail("learner_model_param", "base_score is not finite");
  }
  model.base_margin.assign(static_cast<size_t>(model.num_outputs), base_margin);
  if (model.task == Task::kBinary) model.labels.classes = {"0", "1"};
  if (model.task == Task::kMulticlass) {
    for (int32_t k = 0; k < num_class; ++k) model.labels.classes.push_back(std::to_string(k));
  }

  // Features: names and types are optional in the file.
  std::vector<ImportedFeature> features(static_cast<size_t>(num_features));
  if (learner->contains("feature_names") && (*learner)["feature_names"].is_array() &&
      !(*learner)["feature_names"].empty()) {
    const json& names = (*learner)["feature_names"];
    if (names.size() != features.size()) {
      return rd.Fail("learner.feature_names",
                     fmt::format("{} names for {} features", names.size(), features.size()));
    }
    for (size_t i = 0; i < names.size(); ++i) {
      if (!names[i].is_string() || names[i].get_ref<const std::string&>().empty()) {
        return rd.Fail("learner.feature_names", fmt::format("entry {} is not a name", i));
      }
      features[i].name = names[i].get<std::string>();
    }
  }
  if (learner->contains("feature_types") && (*learner)["feature_types"].is_array() &&
      !(*learner)["feature_types"].empty()) {
    const json& types = (*learner)["feature_types"];
    if (types.size() != features.size()) {
      return rd.Fail("learner.feature_types",
                     fmt::format("{} types for {} features", types.size(), features.size()));
    }
    for (size_t i = 0; i < types.size(); ++i) {
      features[i].categorical = types[i].is_string() && types[i].get<std::string>() == "c";
    }
  }

  // Trees.
  KEEL_ASSIGN_OR_RETURN(const json* booster, rd.Member(*learner, "gradient_booster", "learner"));
  std::string booster_name;
  if (booster->contains("name") && (*booster)["name"].is_string()) {
    booster_name = (*booster)["name"].get<std::string>();
  }
  const json* gbtree = booster;
  std::vector<double> weight_drop;
  if (booster_name == "dart") {
    KEEL_ASSIGN_OR_RETURN(gbtree, rd.Member(*booster, "gbtree", "gradient_booster"));
    KEEL_ASSIGN_OR_RETURN(weight_drop, rd.Numbers(*booster, "weight_drop", "gradient_booster"));
  } else if (booster_name != "gbtree") {
    return Status::Unsupported("{}: XGBoost booster '{}' is not supported (gbtree and dart are)",
                               source, booster_name);
  }
  KEEL_ASSIGN_OR_RETURN(const json* gbmodel, rd.Member(*gbtree, "model", "gradient_booster"));
  KEEL_ASSIGN_OR_RETURN(const json* trees, rd.Member(*gbmodel, "trees", "gradient_booster.model"));
  if (!trees->is_array()) return rd.Fail("gradient_booster.model.trees", "is not an array");
  KEEL_ASSIGN_OR_RETURN(std::vector<int64_t> tree_info,
                        rd.Integers(*gbmodel, "tree_info", "gradient_booster.model", 0,
                                    std::max(0, model.num_outputs - 1), trees->size()));
  if (!weight_drop.empty() && weight_drop.size() != trees->size()) {
    return rd.Fail("gradient_booster.weight_drop",
                   fmt::format("{} weights for {} trees", weight_drop.size(), trees->size()));
  }
  for (size_t t = 0; t < trees->size(); ++t) {
    KEEL_ASSIGN_OR_RETURN(Tree tree, ImportTree(rd, (*trees)[t], t, num_features));
    tree.class_index = static_cast<int32_t>(tree_info[t]);
    for (TreeNode& node : tree.nodes) {
      if (!weight_drop.empty() && node.is_leaf()) node.value *= weight_drop[t];
      if (node.is_categorical) {
        features[static_cast<size_t>(node.feature)].categorical = true;
      }
    }
    model.forest.trees.push_back(std::move(tree));
  }
  KEEL_RETURN_IF_ERROR(BuildImportedFeatures(features, options, source, &model));
  // BuildImportedFeatures wrote import.categorical: add to the section, do not replace it.
  nlohmann::json& section = model.sections["import"];
  section["from"] = "xgboost";
  section["objective"] = objective_name;
  section["booster"] = booster_name;
  section["base_score"] = base_score;
  // Only training reads the variance power; it is kept as provenance.
  if (const auto power = TweedieVariancePower(*objective)) {
    section["tweedie_variance_power"] = *power;
  }
  section["num_trees"] = trees->size();
  if (root.contains("version") && root["version"].is_array()) {
    section["xgboost_version"] = root["version"];
  }
  KEEL_RETURN_IF_ERROR(CheckImportedModel(model, source));
  // A model saved with its configuration (Booster.save_config merged in) states its monotone
  // and interaction constraints; the check then says whether the trees obey them.
  ModelConstraints c;
  c.source = "xgboost";
  if (const std::string text = TrainParamText(*gbtree, "monotone_constraints"); !text.empty()) {
    auto dirs = ParseDirectionList(text, model.features.size());
    if (!dirs.ok()) {
      return rd.Fail("gradient_booster.updater.train_param.monotone_constraints",
                     dirs.status().message());
    }
    c.monotone = std::move(*dirs);
  }
  if (const std::string text = TrainParamText(*gbtree, "interaction_constraints"); !text.empty()) {
    auto groups = ParseInteractionGroups(text, model);
    if (!groups.ok()) {
      return rd.Fail("gradient_booster.updater.train_param.interaction_constraints",
                     groups.status().message());
    }
    c.interactions = std::move(*groups);
  }
  RecordImportedConstraints(c, &model);
  return model;
}

}  // namespace

Result<Model> ImportXGBoostJson(std::string_view text, std::string_view source_name,
                                const ImportOptions& options) {
  const std::string cleaned = QuoteNonFinite(text);
  auto root = ParseJsonText(cleaned, source_name, 256);
  if (!root.ok()) return Status::ParseError(root.status().message());
  if (!root->is_object()) {
    return Status::ParseError("{}: not an XGBoost JSON model (expected an object)", source_name);
  }
  // nlohmann throws on type confusion deep inside accessors; none may escape the module.
  try {
    return Import(*root, source_name, options);
  } catch (const json::exception& e) {
    return Status::Corrupt("{}: malformed XGBoost model: {}", source_name, e.what());
  }
}

Result<Model> ImportXGBoostFile(const std::string& path, const ImportOptions& options) {
  KEEL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ImportXGBoostJson(text, path, options);
}

}  // namespace keel
