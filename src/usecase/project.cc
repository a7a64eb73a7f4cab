#include "usecase/project.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

#include "core/file_io.h"
#include "core/nearest_name.h"
#include "core/number_format.h"
#include "data/csv_dialect.h"
#include "data/schema_yaml.h"
#include "data/yaml_reader.h"
#include "fairness/fairness_gate.h"

namespace keel::usecase {
namespace {

namespace fs = std::filesystem;

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(base_dir) / path).lexically_normal().string();
}

class ProjectReader : public YamlReader {
 public:
  ProjectReader(std::string_view source, std::string base_dir)
      : YamlReader(source), base_dir_(std::move(base_dir)) {}

  // A file path relative to the project file's folder. Empty text (`path: ""`, or a bare tag
  // like `path: !x`) names no file: an error, not a silently absent setting.
  Result<std::string> Path(const YAML::Node& node, std::string_view what) const {
    KEEL_ASSIGN_OR_RETURN(std::string path, Text(node, what));
    if (path.empty()) return Error(node, fmt::format("{} must name a file, not be empty", what));
    return Resolve(base_dir_, path);
  }

  Status Data(const YAML::Node& node, Project* p) const {
    KEEL_RETURN_IF_ERROR(
        CheckKeys(node, {"path", "schema", "missing", "drop_duplicates", "decimal"}, "data"));
    if (!node["path"]) return Error(node, "data: `path` (the data file) is required");
    KEEL_ASSIGN_OR_RETURN(p->data_path, Path(node["path"], "data.path"));
    if (const auto v = node["schema"]) {
      KEEL_ASSIGN_OR_RETURN(p->schema_path, Path(v, "data.schema"));
    }
    if (const auto v = node["missing"]) {
      KEEL_ASSIGN_OR_RETURN(p->missing_tokens, TextList(v, "data.missing"));
    }
    if (const auto v = node["drop_duplicates"]) {
      KEEL_ASSIGN_OR_RETURN(p->drop_duplicates, Bool(v, "data.drop_duplicates"));
    }
    if (const auto v = node["decimal"]) {
      KEEL_ASSIGN_OR_RETURN(std::string mark, Text(v, "data.decimal"));
      if (!ParseDecimalMark(mark, &p->decimal)) {
        return Error(v, fmt::format("data.decimal must be \",\" or \".\" (or comma, dot, auto), "
                                    "not \"{}\"",
                                    mark));
      }
    }
    return Status::OK();
  }

  Status Target(const YAML::Node& node, Project* p) const {
    if (node.IsScalar()) {
      p->target = node.Scalar();
      return Status::OK();
    }
    KEEL_RETURN_IF_ERROR(CheckKeys(node, {"column", "positive"}, "target"));
    if (!node["column"]) return Error(node, "target: `column` is required");
    KEEL_ASSIGN_OR_RETURN(p->target, Text(node["column"], "target.column"));
    if (const auto v = node["positive"]) {
      KEEL_ASSIGN_OR_RETURN(p->positive, Text(v, "target.positive"));
    }
    return Status::OK();
  }

  Status Columns(const YAML::Node& node, Project* p) const {
    if (!node.IsMap()) return Error(node, "columns must be a map of column: role");
    for (auto it = node.begin(); it != node.end(); ++it) {
      KEEL_ASSIGN_OR_RETURN(std::string column, Text(it->first, "a column name"));
      KEEL_ASSIGN_OR_RETURN(std::string role_text, Text(it->second, "a column role"));
      Role role;
      if (!ParseRole(role_text, &role)) {
        return Error(it->second, fmt::format("column \"{}\": unknown role \"{}\" (feature, target, "
                                             "sensitive, pii, id, time, weight, ignore)",
                                             column, role_text));
      }
      if (role == Role::kTarget) {
        return Error(it->second, "set the target with the top-level `target:` key");
      }
      p->roles[column] = role;
    }
    return Status::OK();
  }

  // A parameter's text from keel.yaml. A repeatable parameter (monotone, interactions) also
  // takes a map {NAME: VALUE} (as "NAME=VALUE" items joined by ',') or a list whose items are
  // texts or lists of names (joined by ','), the items joined by the parameter's separator.
  Result<std::string> ParamValue(const YAML::Node& node, const ParamSpec& spec) const {
    const std::string key(spec.name);
    if (spec.repeat_join == 0 || node.IsScalar()) return Text(node, key);
    std::string out;
    auto add = [&](const std::string& item, char sep) {
      if (!out.empty()) out += sep;
      out += item;
    };
    if (node.IsMap()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        KEEL_ASSIGN_OR_RETURN(std::string name, Text(it->first, key));
        KEEL_ASSIGN_OR_RETURN(std::string value, Text(it->second, key));
        add(name + "=" + value, ',');
      }
      return out;
    }
    if (!node.IsSequence()) return Text(node, key);
    for (const YAML::Node& item : node) {
      if (item.IsSequence()) {
        KEEL_ASSIGN_OR_RETURN(std::vector<std::string> names, TextList(item, key));
        add(fmt::format("{}", fmt::join(names, ",")), spec.repeat_join);
      } else {
        KEEL_ASSIGN_OR_RETURN(std::string text, Text(item, key));
        add(text, spec.repeat_join);
      }
    }
    return out;
  }

  // A model section: every key is a `keel train` parameter except the split ones, which
  // come from `split:` so both models see the same rows.
  Status Model(const YAML::Node& node, std::string_view where, TrainParams* params) const {
    if (!node.IsMap())
      return Error(node, fmt::format("{} must be a map of training parameters", where));
    for (auto it = node.begin(); it != node.end(); ++it) {
      KEEL_ASSIGN_OR_RETURN(std::string key, Text(it->first, "a parameter name"));
      const ParamSpec* spec = FindParam(key);
      if (spec == nullptr || spec->name != key) {
        std::vector<std::string> names;
        for (const ParamSpec& s : ParamTable()) {
          if (s.group != "split") names.emplace_back(s.name);
        }
        return Error(it->first, fmt::format("unknown key \"{}\" in {} (allowed: {}){}", key, where,
                                            fmt::join(names, ", "), DidYouMean(key, names)));
      }
      if (spec->group == "split") {
        return Error(it->first, fmt::format("{}: `{}` belongs in the `split:` section, shared by "
                                            "both models",
                                            where, key));
      }
      KEEL_ASSIGN_OR_RETURN(std::string value, ParamValue(it->second, *spec));
      Status s = SetParam(*spec, value, params);
      if (!s.ok()) return Error(it->second, fmt::format("{}: {}", where, s.message()));
    }
    return Status::OK();
  }

  Status Split(const YAML::Node& node, Project* p) const {
    KEEL_RETURN_IF_ERROR(CheckKeys(node, {"method", "test_size", "valid_size", "seed"}, "split"));
    static constexpr std::pair<std::string_view, std::string_view> kKeys[] = {
        {"method", "split"},
        {"test_size", "test_size"},
        {"valid_size", "valid_size"},
        {"seed", "seed"}};
    for (const auto& [key, param] : kKeys) {
      const auto v = node[std::string(key)];
      if (!v) continue;
      KEEL_ASSIGN_OR_RETURN(std::string value, Text(v, fmt::format("split.{}", key)));
      for (TrainParams* params : {&p->baseline.params, &p->candidate.params}) {
        Status s = SetParam(param, value, params);
        if (!s.ok()) return Error(v, fmt::format("split.{}: {}", key, s.message()));
      }
    }
    return Status::OK();
  }

  Status Compare(const YAML::Node& node, CompareSettings* c) const {
    KEEL_RETURN_IF_ERROR(
        CheckKeys(node, {"metric", "min_gain", "alpha", "latency_budget_us", "resamples", "seed"},
                  "compare"));
    if (const auto v = node["metric"]) {
      KEEL_ASSIGN_OR_RETURN(std::string name, Text(v, "compare.metric"));
      Metric m;
      if (!ParseMetric(name, &m))
        return Error(v, fmt::format("compare.metric: unknown metric \"{}\"", name));
      c->metric = m;
    }
    if (const auto v = node["min_gain"]) {
      KEEL_ASSIGN_OR_RETURN(c->min_gain, NumberIn(v, "compare.min_gain", 0, 1e300));
    }
    if (const auto v = node["alpha"]) {
      KEEL_ASSIGN_OR_RETURN(c->alpha, NumberIn(v, "compare.alpha", 1e-12, 0.5));
    }
    if (const auto v = node["latency_budget_us"]) {
      KEEL_ASSIGN_OR_RETURN(c->latency_budget_us,
                            NumberIn(v, "compare.latency_budget_us", 1e-3, 1e12));
    }
    if (const auto v = node["resamples"]) {
      KEEL_ASSIGN_OR_RETURN(uint64_t n, Count(v, "compare.resamples"));
      if (n < 100 || n > 100000)
        return Error(v, "compare.resamples must be between 100 and 100000");
      c->resamples = n;
    }
    if (const auto v = node["seed"]) {
      KEEL_ASSIGN_OR_RETURN(c->seed, Count(v, "compare.seed"));
    }
    return Status::OK();
  }

  Status Fairness(const YAML::Node& node, FairnessSettings* f) const {
    if (node.IsScalar()) {  // `fairness: off`
      KEEL_ASSIGN_OR_RETURN(f->enabled, Bool(node, "fairness"));
      return Status::OK();
    }
    KEEL_RETURN_IF_ERROR(CheckKeys(
        node, {"enabled", "sensitive", "min_group_size", "threshold", "limits"}, "fairness"));
    if (const auto v = node["enabled"]) {
      KEEL_ASSIGN_OR_RETURN(f->enabled, Bool(v, "fairness.enabled"));
    }
    if (const auto v = node["sensitive"]) {
      KEEL_ASSIGN_OR_RETURN(f->audit.sensitive,
                            TextList(v, "fairness.sensitive", /*allow_scalar=*/true));
    }
    if (const auto v = node["min_group_size"]) {
      KEEL_ASSIGN_OR_RETURN(f->audit.options.min_group_size, Count(v, "fairness.min_group_size"));
    }
    if (const auto v = node["threshold"]) {
      KEEL_ASSIGN_OR_RETURN(f->audit.threshold, NumberIn(v, "fairness.threshold", 0, 1));
    }
    if (const auto v = node["limits"]) {
      if (!v.IsMap()) return Error(v, "fairness.limits must be a map of disparity: limit");
      for (auto it = v.begin(); it != v.end(); ++it) {
        KEEL_ASSIGN_OR_RETURN(std::string key, Text(it->first, "a fairness limit name"));
        if (key == "use_confidence_bound" || key == "check_intersections") {
          KEEL_ASSIGN_OR_RETURN(bool b, Bool(it->second, key));
          f->limits[key] = b;
        } else {
          KEEL_ASSIGN_OR_RETURN(double x, Number(it->second, key));
          f->limits[key] = x;
        }
      }
      // The gate's own reader names bad keys and ranges; report them at this line.
      auto limits = fairness::FairnessLimitsFromJson(f->limits);
      if (!limits.ok()) return Error(v, "fairness.limits: " + limits.status().message());
    }
    return Status::OK();
  }

  Status Explain(const YAML::Node& node, ExplainSettings* e) const {
    if (node.IsScalar()) {
      KEEL_ASSIGN_OR_RETURN(e->enabled, Bool(node, "explain"));
      return Status::OK();
    }
    KEEL_RETURN_IF_ERROR(CheckKeys(node, {"enabled", "rows", "top"}, "explain"));
    if (const auto v = node["enabled"]) {
      KEEL_ASSIGN_OR_RETURN(e->enabled, Bool(v, "explain.enabled"));
    }
    if (const auto v = node["rows"]) {
      KEEL_ASSIGN_OR_RETURN(e->rows, Count(v, "explain.rows"));
      if (e->rows == 0) return Error(v, "explain.rows must be at least 1 (use `explain: off`)");
    }
    if (const auto v = node["top"]) {
      KEEL_ASSIGN_OR_RETURN(uint64_t top, Count(v, "explain.top"));
      if (top < 1 || top > 200) return Error(v, "explain.top must be between 1 and 200");
      e->top = static_cast<int>(top);
    }
    return Status::OK();
  }

  Status Drift(const YAML::Node& node, DriftSettings* d) const {
    KEEL_RETURN_IF_ERROR(CheckKeys(node, {"data"}, "drift"));
    if (const auto v = node["data"]) {
      KEEL_ASSIGN_OR_RETURN(d->data, Path(v, "drift.data"));
    }
    return Status::OK();
  }

  Result<Project> Document(const YAML::Node& root) const {
    if (!root.IsMap())
      return Error(root, "keel.yaml must be a map with at least `data` and `target`");
    KEEL_RETURN_IF_ERROR(
        CheckKeys(root,
                  {"name", "data", "target", "columns", "exclude", "split", "baseline", "candidate",
                   "compare", "fairness", "explain", "drift", "output", "objectives"},
                  "keel.yaml"));
    Project p;
    p.base_dir = base_dir_;
    p.baseline.label = "baseline";
    p.candidate.label = "candidate";
    p.baseline.params = DefaultParams();
    p.baseline.params.algo = "linear";
    p.candidate.params = DefaultParams();
    p.candidate.params.algo = "gbdt";
    // The candidate is tuned by default, so the gate compares the best of each family.
    p.candidate.params.tune = "auto";
    if (const auto v = root["name"]) {
      KEEL_ASSIGN_OR_RETURN(p.name, Text(v, "name"));
    }
    if (!root["data"]) return Error(root, "keel.yaml: the `data` section is required");
    KEEL_RETURN_IF_ERROR(Data(root["data"], &p));
    if (!root["target"])
      return Error(root, "keel.yaml: `target` (the column to predict) is required");
    KEEL_RETURN_IF_ERROR(Target(root["target"], &p));
    if (const auto v = root["columns"]) KEEL_RETURN_IF_ERROR(Columns(v, &p));
    if (const auto v = root["exclude"]) {
      KEEL_ASSIGN_OR_RETURN(p.exclude, TextList(v, "exclude", /*allow_scalar=*/true));
    }
    // Split first: it sets the shared parameters of both models.
    if (const auto v = root["split"]) KEEL_RETURN_IF_ERROR(Split(v, &p));
    if (const auto v = root["baseline"])
      KEEL_RETURN_IF_ERROR(Model(v, "baseline", &p.baseline.params));
    if (const auto v = root["candidate"])
      KEEL_RETURN_IF_ERROR(Model(v, "candidate", &p.candidate.params));
    // A linear candidate has nothing to tune unless keel.yaml asks (which is then an error).
    if (p.candidate.params.algo != "gbdt" && !(root["candidate"] && root["candidate"]["tune"])) {
      p.candidate.params.tune = "off";
    }
    for (const ModelChoice* m : {&p.baseline, &p.candidate}) {
      Status s = ValidateParams(m->params);
      if (!s.ok())
        return Error(root[m->label] ? root[m->label] : root, m->label + ": " + s.message());
    }
    if (const auto v = root["compare"]) KEEL_RETURN_IF_ERROR(Compare(v, &p.compare));
    if (const auto v = root["fairness"]) KEEL_RETURN_IF_ERROR(Fairness(v, &p.fairness));
    if (const auto v = root["explain"]) KEEL_RETURN_IF_ERROR(Explain(v, &p.explain));
    if (const auto v = root["drift"]) KEEL_RETURN_IF_ERROR(Drift(v, &p.drift));
    if (const auto v = root["objectives"]) {
      KEEL_ASSIGN_OR_RETURN(rank::Objectives o, rank::ParseObjectives(v, source()));
      if (o.group_by.empty()) {
        return Error(v,
                     "objectives: `group_by` (the column naming each request) is required in "
                     "keel.yaml: `keel run` replays the test rows' requests to weigh the "
                     "objectives against each other");
      }
      p.objectives = std::move(o);
    }
    p.output_dir = Resolve(base_dir_, "keel-out");
    if (const auto v = root["output"]) {
      KEEL_RETURN_IF_ERROR(CheckKeys(v, {"dir"}, "output"));
      if (const auto d = v["dir"]) {
        KEEL_ASSIGN_OR_RETURN(std::string dir, Text(d, "output.dir"));
        p.output_dir = Resolve(base_dir_, dir);
      }
    }
    if (p.name.empty()) p.name = fs::path(p.data_path).stem().string();
    return p;
  }

 private:
  std::string base_dir_;
};

}  // namespace

Result<Project> ParseProject(std::string_view text, std::string_view source_name,
                             const std::string& base_dir) {
  KEEL_ASSIGN_OR_RETURN(YAML::Node root, LoadYamlDocument(text, source_name));
  KEEL_ASSIGN_OR_RETURN(Project p, ProjectReader(source_name, base_dir).Document(root));
  p.source = std::string(source_name);
  return p;
}

Result<Project> LoadProject(const std::string& path) {
  KEEL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::string base = fs::path(path).parent_path().string();
  if (base.empty()) base = ".";
  KEEL_ASSIGN_OR_RETURN(Project p, ParseProject(text, path, base));
  if (p.objectives && !p.schema_path.empty()) {
    KEEL_ASSIGN_OR_RETURN(Schema schema, LoadSchemaYaml(p.schema_path));
    KEEL_RETURN_IF_ERROR(CheckProjectObjectives(p, schema));
  }
  return p;
}

namespace {

std::string Where(const rank::Objectives& o, int line) {
  return line > 0 ? fmt::format("{}:{}", o.source, line) : o.source;
}

bool IsModelOutputName(std::string_view name) {
  return name == "p" || name == "prediction" || name.starts_with("prob_");
}

bool IsNumberKind(ColumnKind k) {
  return k == ColumnKind::kNumeric || k == ColumnKind::kBoolean || k == ColumnKind::kTimestamp;
}

std::string SchemaColumns(const Schema& schema) {
  std::vector<std::string> names;
  for (const auto& c : schema.columns) names.push_back(c.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

Status CheckExpression(const Project& p, const Schema& schema, const rank::Expression& e, int line,
                       const std::string& owner, bool may_read_target) {
  const rank::Objectives& o = *p.objectives;
  for (size_t i = 0; i < e.names().size(); ++i) {
    const std::string& name = e.names()[i];
    const ColumnSchema* c = schema.Find(name);
    if (c == nullptr) {
      if (IsModelOutputName(name) && !e.reads_text(i)) continue;
      if (IsModelOutputName(name)) {
        return Status::InvalidArgument(
            "{}: {}: '{}' is a model output (a number), but \"{}\" compares it with text",
            Where(o, line), owner, name, e.text());
      }
      return Status::NotFound(
          "{}: {}: unknown name '{}' at column {} in \"{}\" (model outputs: p, prob_<class>, "
          "prediction; columns of {}: {}){}",
          Where(o, line), owner, name, e.name_column(i), e.text(), p.data_path,
          SchemaColumns(schema), DidYouMean(name, schema.columns, &ColumnSchema::name));
    }
    if (!may_read_target && name == p.target) {
      return Status::InvalidArgument(
          "{}: {}: reads the target '{}', which a live request does not have; use it in "
          "`outcome:` (the logged value) instead",
          Where(o, line), owner, name);
    }
    if (e.reads_number(i) && !IsNumberKind(c->kind)) {
      return Status::InvalidArgument(
          "{}: {}: column '{}' is {}; arithmetic reads numeric, boolean or timestamp "
          "columns (compare a categorical one with a text: {} == \"value\")",
          Where(o, line), owner, name, ColumnKindName(c->kind), name);
    }
    if (e.reads_text(i) && IsNumberKind(c->kind)) {
      return Status::InvalidArgument(
          "{}: {}: column '{}' is {}, but \"{}\" compares it with text; compare numbers "
          "with numbers",
          Where(o, line), owner, name, ColumnKindName(c->kind), e.text());
    }
  }
  return Status::OK();
}

}  // namespace

Status CheckProjectObjectives(const Project& p, const Schema& schema) {
  if (!p.objectives) return Status::OK();
  const rank::Objectives& o = *p.objectives;
  for (const auto& obj : o.objectives) {
    const std::string owner = fmt::format("objective \"{}\"", obj.name);
    KEEL_RETURN_IF_ERROR(CheckExpression(p, schema, obj.value, obj.line, owner, false));
    if (obj.outcome) {
      KEEL_RETURN_IF_ERROR(
          CheckExpression(p, schema, *obj.outcome, obj.line, owner + " outcome", true));
    }
  }
  for (const auto& c : o.constraints) {
    if (c.kind == rank::ConstraintSpec::Kind::kCondition) {
      KEEL_RETURN_IF_ERROR(CheckExpression(p, schema, c.condition, c.line,
                                           fmt::format("constraint \"{}\"", c.condition.text()),
                                           false));
    } else if (schema.Find(c.field) == nullptr) {
      return Status::NotFound("{}: constraint max_per: unknown column '{}' (columns of {}: {}){}",
                              Where(o, c.line), c.field, p.data_path, SchemaColumns(schema),
                              DidYouMean(c.field, schema.columns, &ColumnSchema::name));
    }
  }
  if (!o.group_by.empty() && schema.Find(o.group_by) == nullptr) {
    return Status::NotFound("{}: objectives.group_by: unknown column '{}' (columns of {}: {}){}",
                            o.source, o.group_by, p.data_path, SchemaColumns(schema),
                            DidYouMean(o.group_by, schema.columns, &ColumnSchema::name));
  }
  return Status::OK();
}

nlohmann::json ProjectToJson(const Project& p) {
  nlohmann::json roles = nlohmann::json::object();
  for (const auto& [column, role] : p.roles) roles[column] = std::string(RoleName(role));
  nlohmann::json j = {
      {"name", p.name},
      {"source", p.source},
      {"data", p.data_path},
      {"schema", p.schema_path},
      {"target", p.target},
      {"positive", p.positive},
      {"roles", roles},
      {"exclude", p.exclude},
      {"baseline", ParamsToJson(p.baseline.params)},
      {"candidate", ParamsToJson(p.candidate.params)},
      {"compare",
       {{"metric", p.compare.metric ? std::string(MetricName(*p.compare.metric)) : "auto"},
        {"min_gain", p.compare.min_gain},
        {"alpha", p.compare.alpha},
        {"latency_budget_us", p.compare.latency_budget_us},
        {"resamples", p.compare.resamples},
        {"seed", p.compare.seed}}},
      {"output_dir", p.output_dir},
  };
  if (p.objectives) {
    nlohmann::json objectives = nlohmann::json::object();
    for (const auto& o : p.objectives->objectives) {
      objectives[o.name] = {{"expr", o.value.text()},
                            {"weight", o.weight},
                            {"normalize", std::string(rank::NormalizationName(o.normalize))}};
      if (o.outcome) objectives[o.name]["outcome"] = o.outcome->text();
    }
    nlohmann::json constraints = nlohmann::json::array();
    for (const auto& c : p.objectives->constraints) constraints.push_back(c.Describe());
    j["objectives"] = {{"objectives", objectives},
                       {"constraints", constraints},
                       {"group_by", p.objectives->group_by},
                       {"top", p.objectives->top},
                       {"steps", p.objectives->tradeoff_steps}};
  }
  return j;
}

}  // namespace keel::usecase
