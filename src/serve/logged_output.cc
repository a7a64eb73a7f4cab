#include "serve/logged_output.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace keel::serve {

bool ReadLoggedOutput(const std::string& text, OutputShape* shape, std::vector<double>* p) {
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (!j.is_object()) return false;
  p->clear();
  std::vector<std::string> classes;
  for (const auto& [key, value] : j.items()) {
    if (key.starts_with("prob_") && value.is_number()) {
      classes.push_back(key.substr(5));
      p->push_back(value.get<double>());
    }
  }
  if (classes.empty()) {
    if (!j.contains("prediction") || !j["prediction"].is_number()) return false;
    p->push_back(j["prediction"].get<double>());
  }
  if (!shape->known) {
    shape->known = true;
    shape->classes = classes;
    shape->task = classes.empty() ? Task::kRegression
                                  : (classes.size() == 2 ? Task::kBinary : Task::kMulticlass);
  }
  return shape->classes == classes;
}

int32_t ClassOfLabel(const std::string& label, const std::vector<std::string>& classes) {
  for (size_t k = 0; k < classes.size(); ++k) {
    if (classes[k] == label) return static_cast<int32_t>(k);
  }
  for (size_t k = 0; k < classes.size(); ++k) {
    if (classes[k].size() == label.size() &&
        std::equal(label.begin(), label.end(), classes[k].begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return static_cast<int32_t>(k);
    }
  }
  return -1;
}

}  // namespace keel::serve
