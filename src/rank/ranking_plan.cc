#include "rank/ranking_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "predict/feature_matrix.h"
#include "predict/table_prediction.h"

namespace keel::rank {
namespace {

// "a, b, c" with at most `limit` names, then "... (N more)".
std::string NameList(const std::vector<std::string>& names, size_t limit = 24) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < limit; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > limit) out += fmt::format(", ... ({} more)", names.size() - limit);
  return out.empty() ? "none" : out;
}

std::string Where(const Objectives& o, int line) {
  return line > 0 ? fmt::format("{}:{}", o.source, line) : o.source;
}

bool IsNumberKind(ColumnKind k) {
  return k == ColumnKind::kNumeric || k == ColumnKind::kBoolean || k == ColumnKind::kTimestamp;
}

// Dense group ids of one column for max_per constraints; missing values share one id.
template <typename Key, typename Get>
int32_t DenseKeys(size_t rows, Get get, int32_t* out) {
  std::unordered_map<Key, int32_t> ids;
  int32_t missing_id = -1;
  int32_t next = 0;
  for (size_t r = 0; r < rows; ++r) {
    const auto [present, key] = get(r);
    if (!present) {
      if (missing_id < 0) missing_id = next++;
      out[r] = missing_id;
      continue;
    }
    auto [it, inserted] = ids.try_emplace(key, next);
    if (inserted) ++next;
    out[r] = it->second;
  }
  return next;
}

int32_t CapKeys(const Column& c, int32_t* out) {
  const size_t rows = c.size();
  switch (c.kind()) {
    case ColumnKind::kCategorical: {
      const auto codes = c.codes();
      const int32_t missing = static_cast<int32_t>(c.dictionary().size());
      for (size_t r = 0; r < rows; ++r) out[r] = codes[r] < 0 ? missing : codes[r];
      return missing + 1;
    }
    case ColumnKind::kBoolean: {
      const auto b = c.booleans();
      for (size_t r = 0; r < rows; ++r) out[r] = b[r] < 0 ? 2 : b[r];
      return 3;
    }
    case ColumnKind::kNumeric: {
      const auto v = c.numeric();
      return DenseKeys<double>(
          rows,
          [&](size_t r) {
            return std::pair{!std::isnan(v[r]), v[r] == 0 ? 0.0 : v[r]};
          },
          out);
    }
    case ColumnKind::kTimestamp: {
      const auto t = c.timestamps();
      return DenseKeys<int64_t>(
          rows,
          [&](size_t r) {
            return std::pair{t[r] != kMissingTime, t[r]};
          },
          out);
    }
    case ColumnKind::kString: {
      const auto& s = c.strings();
      return DenseKeys<std::string_view>(
          rows,
          [&](size_t r) {
            return std::pair{!c.IsMissing(r), std::string_view(s[r])};
          },
          out);
    }
  }
  return 0;
}

}  // namespace

std::vector<FieldInfo> FieldsOf(const Table& table) {
  std::vector<FieldInfo> out;
  for (const Column& c : table.columns()) out.push_back({c.name(), c.kind()});
  return out;
}

std::vector<std::string> ModelOutputNames(const Model& model) {
  std::vector<std::string> names = PredictionColumns(model, /*raw=*/false);
  if (model.task == Task::kBinary) names.insert(names.begin(), "p");
  return names;
}

Result<std::unique_ptr<RankingPlan>> RankingPlan::Create(const Objectives& objectives,
                                                         const Model& model,
                                                         std::span<const FieldInfo> fields,
                                                         const PlanOptions& options) {
  std::unique_ptr<RankingPlan> plan(new RankingPlan());
  plan->objectives_ = objectives;
  plan->options_ = options;
  plan->output_names_ = ModelOutputNames(model);
  const auto& outputs = plan->output_names_;

  std::vector<std::string> field_names;
  for (const auto& f : fields) field_names.push_back(f.name);
  auto find_field = [&](std::string_view name) -> const FieldInfo* {
    for (const auto& f : fields) {
      if (f.name == name) return &f;
    }
    return nullptr;
  };
  auto use_field = [&](const FieldInfo& f) -> uint32_t {
    auto& used = plan->used_fields_;
    auto it = std::find(used.begin(), used.end(), f.name);
    if (it == used.end()) {
      used.push_back(f.name);
      plan->used_kinds_.push_back(f.kind);
      plan->used_text_.push_back(0);
      plan->used_literals_.emplace_back();
      it = used.end() - 1;
    }
    return static_cast<uint32_t>(outputs.size() + (it - used.begin()));
  };

  // Binds one expression; errors name the file, line and owner and list what exists.
  auto bind = [&](Expression& e, int line, const std::string& owner) -> Status {
    for (size_t i = 0; i < e.names().size(); ++i) {
      const std::string& name = e.names()[i];
      const bool is_output = std::find(outputs.begin(), outputs.end(), name) != outputs.end();
      const FieldInfo* f = is_output ? nullptr : find_field(name);
      if (!is_output && f == nullptr) {
        return Status::NotFound(
            "{}: {}: unknown name '{}' at column {} in \"{}\" (model outputs: {}; candidate "
            "fields: {})",
            Where(objectives, line), owner, name, e.name_column(i), e.text(), NameList(outputs),
            NameList(field_names));
      }
      if (e.reads_text(i) && (is_output || IsNumberKind(f->kind))) {
        const Expression::TextComparison* t = nullptr;
        for (const auto& tc : e.text_comparisons()) {
          if (tc.name == i) {
            t = &tc;
            break;
          }
        }
        return Status::InvalidArgument(
            "{}: {}: '{}' is {}, but \"{}\" compares it with the text \"{}\" at column {}; "
            "compare numbers with numbers",
            Where(objectives, line), owner, name,
            is_output ? "a model output (a number)" : std::string(ColumnKindName(f->kind)),
            e.text(), t != nullptr ? t->literal : "", t != nullptr ? t->column : 0);
      }
      if (!is_output && e.reads_number(i) && !IsNumberKind(f->kind)) {
        return Status::InvalidArgument(
            "{}: {}: field '{}' is {}; expressions read numbers (numeric, boolean, timestamp "
            "fields) or compare a categorical field with a text (country == \"US\"). Group by "
            "it with {{max_per: {}, count: N}} instead",
            Where(objectives, line), owner, name, ColumnKindName(f->kind), name);
      }
    }
    return e.Bind(
        [&](std::string_view name) -> std::optional<uint32_t> {
          auto it = std::find(outputs.begin(), outputs.end(), name);
          if (it != outputs.end()) return static_cast<uint32_t>(it - outputs.begin());
          return use_field(*find_field(name));
        },
        // A literal becomes its index in the field's list of literals; Score() turns each
        // row's category into the same index (or -1), so no text is compared per candidate.
        [&](std::string_view name, std::string_view literal) -> std::optional<double> {
          const uint32_t slot = use_field(*find_field(name));
          const size_t i = slot - outputs.size();
          plan->used_text_[i] = 1;
          auto& lits = plan->used_literals_[i];
          auto it = std::find(lits.begin(), lits.end(), literal);
          if (it == lits.end()) {
            lits.emplace_back(literal);
            it = lits.end() - 1;
          }
          return static_cast<double>(it - lits.begin());
        });
  };

  size_t scratch = 0;
  for (auto& o : plan->objectives_.objectives) {
    const std::string owner = fmt::format("objective \"{}\"", o.name);
    KEEL_RETURN_IF_ERROR(bind(o.value, o.line, owner));
    scratch = std::max(scratch, o.value.scratch_size());
    if (options.outcomes && o.outcome) {
      KEEL_RETURN_IF_ERROR(bind(*o.outcome, o.line, owner + " outcome"));
      scratch = std::max(scratch, o.outcome->scratch_size());
    }
  }
  for (auto& c : plan->objectives_.constraints) {
    if (c.kind == ConstraintSpec::Kind::kCondition) {
      KEEL_RETURN_IF_ERROR(
          bind(c.condition, c.line, fmt::format("constraint \"{}\"", c.condition.text())));
      scratch = std::max(scratch, c.condition.scratch_size());
    } else {
      const FieldInfo* f = find_field(c.field);
      if (f == nullptr) {
        return Status::NotFound("{}: constraint max_per: unknown field '{}' (candidate fields: {})",
                                Where(objectives, c.line), c.field, NameList(field_names));
      }
      use_field(*f);
    }
  }
  plan->scratch_size_ = scratch;
  return plan;
}

Result<ScoredCandidates> RankingPlan::Score(const Model& model, const Predictor& predictor,
                                            const Table& table, const Context& ctx,
                                            bool allow_absent_features) const {
  const int threads = ctx.threads();
  const size_t rows = table.num_rows();
  const size_t nobj = objectives_.objectives.size();
  const size_t nout = output_names_.size();
  ScoredCandidates s;
  s.rows = rows;
  s.num_objectives = nobj;
  for (const auto& o : objectives_.objectives) s.normalize.push_back(o.normalize);

  // Model outputs, one column per output slot.
  EncodeOptions eo;
  eo.allow_absent_columns = allow_absent_features;
  eo.threads = threads;
  KEEL_ASSIGN_OR_RETURN(FeatureMatrix x, EncodeFeatures(model, table, eo));
  const int k = predictor.num_outputs();
  std::vector<double> pred(rows * static_cast<size_t>(k));
  KEEL_RETURN_IF_ERROR(predictor.PredictBatch(x, pred, /*raw=*/false, threads));
  s.model_outputs.resize(nout * rows);
  double* mo = s.model_outputs.data();
  if (model.task == Task::kBinary) {
    for (size_t r = 0; r < rows; ++r) {
      const double p = pred[r];
      mo[r] = p;
      mo[rows + r] = 1 - p;
      mo[2 * rows + r] = p;
    }
  } else {
    for (size_t r = 0; r < rows; ++r) {
      for (int j = 0; j < k; ++j) mo[static_cast<size_t>(j) * rows + r] = pred[r * k + j];
    }
  }

  // Variable columns: model outputs, then the used fields (numbers read in place; booleans
  // and timestamps converted once).
  std::vector<const double*> columns(nout + used_fields_.size(), nullptr);
  for (size_t j = 0; j < nout; ++j) columns[j] = mo + j * rows;
  std::vector<std::vector<double>> converted;
  std::vector<const Column*> field_columns(used_fields_.size(), nullptr);
  for (size_t i = 0; i < used_fields_.size(); ++i) {
    const Column* c = table.Find(used_fields_[i]);
    if (c == nullptr) {
      return Status::NotFound("the candidates have no field '{}', which the objectives read",
                              used_fields_[i]);
    }
    field_columns[i] = c;
    if (used_text_[i]) {
      // Compared with text literals: each row's value becomes the index of its text among
      // the field's literals (-1: none, NaN: missing). The dictionary is looked up once per
      // table, so the per-row work is one array read.
      const bool categorical = c->kind() == ColumnKind::kCategorical;
      if (!categorical && c->kind() != ColumnKind::kString) {
        return Status::InvalidArgument(
            "field '{}' is {} in these candidates, but the objectives compare it with text",
            used_fields_[i], ColumnKindName(c->kind()));
      }
      const auto& lits = used_literals_[i];
      auto literal_index = [&](std::string_view text) {
        auto it = std::find(lits.begin(), lits.end(), text);
        return it == lits.end() ? -1.0 : static_cast<double>(it - lits.begin());
      };
      std::vector<double>& v = converted.emplace_back(rows);
      if (categorical) {
        std::vector<double> translate;
        translate.reserve(c->dictionary().size());
        for (const std::string& d : c->dictionary()) translate.push_back(literal_index(d));
        const auto codes = c->codes();
        for (size_t r = 0; r < rows; ++r) {
          v[r] = codes[r] < 0 || static_cast<size_t>(codes[r]) >= translate.size()
                     ? std::nan("")
                     : translate[codes[r]];
        }
      } else {
        // Free text has no dictionary: the rare path, one lookup among the few literals.
        const auto& strs = c->strings();
        for (size_t r = 0; r < rows; ++r) {
          v[r] = c->IsMissing(r) ? std::nan("") : literal_index(strs[r]);
        }
      }
      columns[nout + i] = v.data();
    } else if (c->kind() == ColumnKind::kNumeric) {
      columns[nout + i] = c->numeric().data();
    } else if (IsNumberKind(c->kind())) {
      std::vector<double>& v = converted.emplace_back(rows);
      for (size_t r = 0; r < rows; ++r) v[r] = c->AsDouble(r);
      columns[nout + i] = v.data();
    } else {
      // Only max_per reads non-numeric fields; expressions were checked at Create, but the
      // table may differ from the fields the plan was made for.
      for (const auto& o : objectives_.objectives) {
        for (const auto& n : o.value.names()) {
          if (n == used_fields_[i]) {
            return Status::InvalidArgument(
                "field '{}' is {}, but objective \"{}\" reads it as "
                "a number",
                n, ColumnKindName(c->kind()), o.name);
          }
        }
      }
    }
  }
  // A used field of a non-number kind whose slot an expression reads would be null; Create
  // rules that out for the fields it was given, and the loop above for this table, except for
  // outcomes and conditions, checked here.
  auto check_columns = [&](const Expression& e) -> Status {
    for (size_t i = 0; i < e.names().size(); ++i) {
      if (columns[e.slot(i)] == nullptr) {
        return Status::InvalidArgument("field '{}' is not a number in these candidates",
                                       e.names()[i]);
      }
    }
    return Status::OK();
  };

  std::vector<double> scratch(std::max<size_t>(scratch_size_, kEvalBlock));
  s.values.resize(nobj * rows);
  for (size_t j = 0; j < nobj; ++j) {
    const auto& o = objectives_.objectives[j];
    KEEL_RETURN_IF_ERROR(check_columns(o.value));
    o.value.Evaluate(columns, 0, rows, s.values.data() + j * rows, scratch);
  }
  if (options_.outcomes) {
    s.outcomes.assign(nobj * rows, std::nan(""));
    for (size_t j = 0; j < nobj; ++j) {
      const auto& o = objectives_.objectives[j];
      if (!o.outcome) continue;
      KEEL_RETURN_IF_ERROR(check_columns(*o.outcome));
      o.outcome->Evaluate(columns, 0, rows, s.outcomes.data() + j * rows, scratch);
    }
  }
  s.eligible.assign(rows, 1);
  std::vector<double> test(rows);
  for (const auto& c : objectives_.constraints) {
    if (c.kind == ConstraintSpec::Kind::kCondition) {
      KEEL_RETURN_IF_ERROR(check_columns(c.condition));
      c.condition.Evaluate(columns, 0, rows, test.data(), scratch);
      for (size_t r = 0; r < rows; ++r) {
        if (!(test[r] != 0) || std::isnan(test[r])) s.eligible[r] = 0;
      }
    } else {
      const Column* col = table.Find(c.field);
      if (col == nullptr) {
        return Status::NotFound("the candidates have no field '{}' (constraint max_per)", c.field);
      }
      const size_t at = s.cap_keys.size();
      s.cap_keys.resize(at + rows);
      s.cap_cardinality.push_back(CapKeys(*col, s.cap_keys.data() + at));
      s.cap_limits.push_back(static_cast<uint32_t>(c.max_count));
    }
  }
  return s;
}

}  // namespace keel::rank
