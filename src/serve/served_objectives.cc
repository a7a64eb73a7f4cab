#include "serve/served_objectives.h"

#include <algorithm>

#include "core/log.h"

namespace keel::serve {

std::vector<rank::FieldInfo> ModelRequestFields(const Model& model,
                                                const rank::Objectives& objectives) {
  std::vector<rank::FieldInfo> fields;
  auto add = [&](const std::string& name, ColumnKind kind) {
    if (kind == ColumnKind::kString) kind = ColumnKind::kCategorical;
    for (const auto& f : fields) {
      if (f.name == name) return;
    }
    fields.push_back({name, kind});
  };
  for (const auto& c : model.schema.columns) add(c.name, c.kind);
  for (const auto& f : model.features) {
    add(f.name,
        f.kind == FeatureSpec::Kind::kCategorical ? ColumnKind::kCategorical : f.source_kind);
  }
  for (const auto& [name, kind] : objectives.fields) add(name, kind);
  return fields;
}

Status CheckObjectivesForModel(const rank::Objectives& objectives, const Model& model) {
  const std::vector<rank::FieldInfo> fields = ModelRequestFields(model, objectives);
  return rank::RankingPlan::Create(objectives, model, fields).status();
}

Result<std::shared_ptr<const rank::Objectives>> ServedObjectives::Read(const std::string& path,
                                                                       const Model& model) {
  KEEL_ASSIGN_OR_RETURN(rank::Objectives o, rank::LoadObjectivesYaml(path));
  KEEL_RETURN_IF_ERROR(CheckObjectivesForModel(o, model));
  return std::make_shared<const rank::Objectives>(std::move(o));
}

Status ServedObjectives::Add(const std::string& name, const std::string& path,
                             const ServedModel& model) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.count(name) > 0) {
      return Status::AlreadyExists("model '{}' already has objectives ({})", name,
                                   entries_[name].path);
    }
  }
  auto read = Read(path, model.model());
  if (!read.ok()) {
    return read.status().WithContext(fmt::format("objectives of model '{}'", name));
  }
  std::lock_guard<std::mutex> lock(mu_);
  entries_[name] = Entry{path, std::move(*read), model.serial(), Status::OK()};
  return Status::OK();
}

Result<std::shared_ptr<const rank::Objectives>> ServedObjectives::For(const ServedModel& model) {
  std::string path;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(model.name());
    if (it == entries_.end()) return std::shared_ptr<const rank::Objectives>();
    if (it->second.serial == model.serial()) {
      if (!it->second.error.ok()) return it->second.error;
      return it->second.objectives;
    }
    path = it->second.path;
  }
  // A reload swapped the model: read the file again (outside the lock: it does I/O), so an
  // edited file follows the model, and check it against the new model.
  auto read = Read(path, model.model());
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_[model.name()];
  if (e.serial == model.serial()) {  // another request re-read it meanwhile
    if (!e.error.ok()) return e.error;
    return e.objectives;
  }
  e.serial = model.serial();
  if (read.ok()) {
    e.objectives = std::move(*read);
    e.error = Status::OK();
    log::Info("model '{}': objectives re-read from {} after a reload", model.name(), path);
    return e.objectives;
  }
  e.objectives.reset();
  e.error = Status::FailedPrecondition(
      "the server's objectives for model '{}' ({}) no longer load after the model was "
      "reloaded: {}",
      model.name(), path, read.status().message());
  log::Warn("{}", e.error.message());
  return e.error;
}

std::vector<std::pair<std::string, std::string>> ServedObjectives::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, e] : entries_) out.emplace_back(name, e.path);
  return out;
}

}  // namespace keel::serve
