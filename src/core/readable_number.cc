#include "core/readable_number.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace keel {
namespace {

// Inserts ',' every three digits into the integer part of a plain decimal text.
std::string GroupThousands(std::string text) {
  const size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  size_t end = text.find('.');
  if (end == std::string::npos) end = text.size();
  for (size_t at = end; at > start + 3;) {
    at -= 3;
    text.insert(at, 1, ',');
  }
  return text;
}

const char* NonFinite(double v) {
  if (std::isnan(v)) return "nan";
  return v > 0 ? "inf" : "-inf";
}

}  // namespace

std::string ReadableNumber(double v, int significant) {
  if (!std::isfinite(v)) return NonFinite(v);
  if (v == 0) return "0";
  significant = std::max(significant, 1);
  const double mag = std::abs(v);
  if (mag < 1e-4 || mag >= 1e15) return fmt::format("{:.{}g}", v, significant);
  // Digits after the point so that `significant` digits remain, none for large values.
  const int exponent = static_cast<int>(std::floor(std::log10(mag)));
  const int decimals = std::max(0, significant - 1 - exponent);
  std::string text = fmt::format("{:.{}f}", v, decimals);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return GroupThousands(std::move(text));
}

std::string ReadableCount(uint64_t n) {
  return GroupThousands(std::to_string(n));
}

std::string ReadablePercent(double fraction, int decimals) {
  if (!std::isfinite(fraction)) return NonFinite(fraction);
  return GroupThousands(fmt::format("{:.{}f}", 100 * fraction, std::max(decimals, 0))) + "%";
}

namespace {

void AppendReadable(const nlohmann::json& j, std::string* out) {
  switch (j.type()) {
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      *out += j.dump();
      break;
    case nlohmann::json::value_t::number_float:
      *out += ReadableNumber(j.get<double>());
      break;
    case nlohmann::json::value_t::string:
      *out += j.get<std::string>();
      break;
    case nlohmann::json::value_t::null:
      *out += "-";
      break;
    case nlohmann::json::value_t::array: {
      *out += "[";
      const char* sep = "";
      for (const auto& item : j) {
        *out += sep;
        AppendReadable(item, out);
        sep = ", ";
      }
      *out += "]";
      break;
    }
    case nlohmann::json::value_t::object: {
      const char* sep = "";
      for (const auto& [name, value] : j.items()) {
        *out += sep + name + " ";
        if (value.is_object()) *out += "(";
        AppendReadable(value, out);
        if (value.is_object()) *out += ")";
        sep = ", ";
      }
      break;
    }
    default:
      *out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

}  // namespace

std::string ReadableJson(const nlohmann::json& j, size_t max_chars) {
  std::string out;
  AppendReadable(j, &out);
  if (max_chars > 3 && out.size() > max_chars) out = out.substr(0, max_chars - 3) + "...";
  return out;
}

}  // namespace keel
