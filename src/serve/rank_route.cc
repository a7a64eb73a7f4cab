#include "serve/rank_route.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "data/yaml_reader.h"
#include "rank/group_ranker.h"
#include "rank/ranking_plan.h"
#include "rank/request_groups.h"
#include "serve/json_text.h"

namespace keel::serve {
namespace {

// Most distinct objectives texts kept parsed; past it the cache starts over.
constexpr size_t kMaxCachedObjectives = 64;
constexpr size_t kMaxFields = 1024;

// One field's values across the candidates, built as numbers or as category texts.
struct FieldBuilder {
  std::vector<double> numbers;
  std::vector<int32_t> codes;
  std::vector<std::string> dictionary;
  std::map<std::string, int32_t, std::less<>> index;
  bool text = false;    // some value was a string
  bool number = false;  // some value was a number or boolean
};

Status AddValue(const std::string& name, const nlohmann::json& v, size_t row, size_t rows,
                FieldBuilder* f) {
  if (f->numbers.empty()) {
    f->numbers.assign(rows, std::nan(""));
    f->codes.assign(rows, kMissingCode);
  }
  if (v.is_null()) return Status::OK();
  if (v.is_number()) {
    f->number = true;
    f->numbers[row] = v.get<double>();
  } else if (v.is_boolean()) {
    f->number = true;
    f->numbers[row] = v.get<bool>() ? 1 : 0;
  } else if (v.is_string()) {
    f->text = true;
    const std::string& s = v.get_ref<const std::string&>();
    auto it = f->index.find(s);
    if (it == f->index.end()) {
      it = f->index.emplace(s, static_cast<int32_t>(f->dictionary.size())).first;
      f->dictionary.push_back(s);
    }
    f->codes[row] = it->second;
  } else {
    return Status::InvalidArgument(
        "candidate {}: field '{}' must be a number, boolean, string or "
        "null",
        row, name);
  }
  if (f->text && f->number) {
    return Status::InvalidArgument("field '{}' mixes numbers and strings across candidates", name);
  }
  return Status::OK();
}

}  // namespace

Result<std::shared_ptr<const rank::Objectives>> RankRoute::ObjectivesFor(const std::string& text) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(text);
    if (it != cache_.end()) return it->second;
  }
  KEEL_ASSIGN_OR_RETURN(YAML::Node node, LoadYamlDocument(text, "request objectives"));
  KEEL_ASSIGN_OR_RETURN(rank::Objectives parsed, rank::ParseObjectives(node, "request objectives"));
  auto shared = std::make_shared<const rank::Objectives>(std::move(parsed));
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= kMaxCachedObjectives) cache_.clear();
  cache_.emplace(text, shared);
  return shared;
}

Status RankRoute::Handle(const ServedModel& model, std::string_view body, std::string* out) {
  const nlohmann::json req = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (req.is_discarded()) return Status::InvalidArgument("the body is not valid JSON");
  if (!req.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  for (auto it = req.begin(); it != req.end(); ++it) {
    if (it.key() != "objectives" && it.key() != "candidates" && it.key() != "request" &&
        it.key() != "top") {
      return Status::InvalidArgument(
          "unknown field '{}' (allowed: objectives, candidates, "
          "request, top)",
          TruncateUtf8(it.key(), 64));
    }
  }
  const auto obj = req.find("objectives");
  std::shared_ptr<const rank::Objectives> objectives;
  bool from_server = false;
  if (obj == req.end()) {
    if (server_objectives_ != nullptr) {
      KEEL_ASSIGN_OR_RETURN(objectives, server_objectives_->For(model));
      from_server = objectives != nullptr;
    }
    if (objectives == nullptr) {
      return Status::InvalidArgument(
          "'objectives' is required: the server has no objectives for model '{}' (start it "
          "with --objectives {}=O.yaml)",
          model.name(), model.name());
    }
  } else {
    std::string objectives_text;
    if (obj->is_string()) {
      objectives_text = obj->get<std::string>();
    } else if (obj->is_object()) {
      objectives_text = obj->dump(2);  // JSON is YAML; indented so errors have useful lines
    } else {
      return Status::InvalidArgument("'objectives' must be an object or YAML text");
    }
    KEEL_ASSIGN_OR_RETURN(objectives, ObjectivesFor(objectives_text));
  }

  const auto cands = req.find("candidates");
  if (cands == req.end() || !cands->is_array()) {
    return Status::InvalidArgument("'candidates' must be a list of objects");
  }
  const size_t rows = cands->size();
  if (rows > max_candidates_) {
    return Status::ResourceExhausted("{} candidates, more than the limit of {}", rows,
                                     max_candidates_);
  }
  size_t top = objectives->top;
  if (const auto t = req.find("top"); t != req.end()) {
    if (!t->is_number_unsigned() || t->get<uint64_t>() < 1) {
      return Status::InvalidArgument("'top' must be a whole number >= 1");
    }
    top = static_cast<size_t>(std::min<uint64_t>(t->get<uint64_t>(), 1000000));
  }
  const nlohmann::json empty = nlohmann::json::object();
  const auto shared_it = req.find("request");
  const nlohmann::json& shared = shared_it == req.end() ? empty : *shared_it;
  if (!shared.is_object()) return Status::InvalidArgument("'request' must be an object");

  // Columns in first-seen order: candidate fields, then request fields.
  std::vector<std::string> names;
  std::unordered_map<std::string, FieldBuilder> builders;
  auto builder = [&](const std::string& name) -> Result<FieldBuilder*> {
    auto it = builders.find(name);
    if (it == builders.end()) {
      if (builders.size() == kMaxFields) {
        return Status::InvalidArgument("more than {} distinct fields", kMaxFields);
      }
      names.push_back(name);
      it = builders.emplace(name, FieldBuilder{}).first;
    }
    return &it->second;
  };
  for (size_t r = 0; r < rows; ++r) {
    const nlohmann::json& c = (*cands)[r];
    if (!c.is_object()) return Status::InvalidArgument("candidate {} is not an object", r);
    for (auto it = c.begin(); it != c.end(); ++it) {
      KEEL_ASSIGN_OR_RETURN(FieldBuilder * f, builder(it.key()));
      KEEL_RETURN_IF_ERROR(AddValue(it.key(), it.value(), r, rows, f));
    }
    for (auto it = shared.begin(); it != shared.end(); ++it) {
      if (c.contains(it.key())) continue;
      KEEL_ASSIGN_OR_RETURN(FieldBuilder * f, builder(it.key()));
      KEEL_RETURN_IF_ERROR(AddValue(it.key(), it.value(), r, rows, f));
    }
  }
  Table table;
  for (const std::string& name : names) {
    FieldBuilder& f = builders[name];
    Status st = f.text ? table.AddColumn(
                             Column::Categorical(name, std::move(f.codes), std::move(f.dictionary)))
                       : table.AddColumn(Column::Numeric(name, std::move(f.numbers)));
    KEEL_RETURN_IF_ERROR(st);
  }

  const Model& m = model.model();
  const std::vector<rank::FieldInfo> fields = rank::FieldsOf(table);
  // A name the candidates lack is a bad request (400), not a missing route or model (404).
  auto bad_request = [](const Status& st) {
    return st.code() == StatusCode::kNotFound ? Status::InvalidArgument("{}", st.message()) : st;
  };
  auto plan = rank::RankingPlan::Create(*objectives, m, fields);
  if (!plan.ok()) return bad_request(plan.status());
  rank::ScoredCandidates scored;
  if (rows > 0) {
    // One thread: the server runs requests side by side.
    const Context one_thread{.num_threads = 1};
    auto s = (*plan)->Score(m, model.predictor(), table, one_thread,
                            /*allow_absent_features=*/true);
    if (!s.ok()) return bad_request(s.status());
    scored = std::move(*s);
  }
  rank::GroupRanker ranker;
  std::vector<rank::RankedItem> items;
  if (rows > 0) {
    const rank::RequestGroups all = rank::SingleRequest(rows);
    ranker.Load(scored, all.rows[0]);
    ranker.Select(objectives->Weights(), top, &items);
  }

  out->clear();
  out->append("{\"model\":");
  AppendJsonString(out, model.name());
  out->append(",\"version\":");
  AppendJsonString(out, model.version());
  out->append(",\"candidates\":");
  AppendJsonInt(out, static_cast<int64_t>(rows));
  out->append(",\"objectives_source\":");
  out->append(from_server ? "\"server\"" : "\"request\"");
  out->append(",\"eligible\":");
  AppendJsonInt(out, static_cast<int64_t>(rows > 0 ? ranker.num_eligible() : 0));
  out->append(",\"top\":[");
  const auto& objs = objectives->objectives;
  for (size_t k = 0; k < items.size(); ++k) {
    if (k > 0) out->push_back(',');
    out->append("{\"index\":");
    AppendJsonInt(out, items[k].row);
    out->append(",\"rank\":");
    AppendJsonInt(out, static_cast<int64_t>(k + 1));
    out->append(",\"score\":");
    AppendJsonNumber(out, items[k].score);
    out->append(",\"objectives\":{");
    for (size_t j = 0; j < objs.size(); ++j) {
      if (j > 0) out->push_back(',');
      AppendJsonString(out, objs[j].name);
      out->push_back(':');
      AppendJsonNumber(out, scored.values[j * scored.rows + items[k].row]);
    }
    out->append("}}");
  }
  out->append("]}");
  return Status::OK();
}

}  // namespace keel::serve
