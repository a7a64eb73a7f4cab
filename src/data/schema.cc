#include "data/schema.h"

namespace keel {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kFeature: return "feature";
    case Role::kTarget: return "target";
    case Role::kSensitive: return "sensitive";
    case Role::kPii: return "pii";
    case Role::kId: return "id";
    case Role::kTime: return "time";
    case Role::kWeight: return "weight";
    case Role::kIgnore: return "ignore";
  }
  return "unknown";
}

bool ParseRole(std::string_view text, Role* role) {
  static constexpr Role kAll[] = {Role::kFeature, Role::kTarget, Role::kSensitive, Role::kPii,
                                  Role::kId,      Role::kTime,   Role::kWeight,    Role::kIgnore};
  for (Role r : kAll) {
    if (RoleName(r) == text) {
      *role = r;
      return true;
    }
  }
  return false;
}

const ColumnSchema* Schema::Find(std::string_view name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

ColumnSchema* Schema::Find(std::string_view name) {
  for (auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string Schema::FirstWithRole(Role role) const {
  for (const auto& c : columns) {
    if (c.role == role) return c.name;
  }
  return {};
}

}  // namespace keel
