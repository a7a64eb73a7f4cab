#include "data/pii_detector.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "core/number_format.h"

namespace keel {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAlnum(char c) {
  return IsDigit(c) || IsAlpha(c);
}
char Upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
}

// Digits of `text` after removing spaces and dashes; empty if anything else appears.
std::string DigitsOnly(std::string_view text) {
  std::string d;
  for (char c : text) {
    if (IsDigit(c)) {
      d.push_back(c);
    } else if (c != ' ' && c != '-') {
      return {};
    }
  }
  return d;
}

bool ValidSsn(std::string_view t) {
  if (t.size() != 11 || t[3] != '-' || t[6] != '-') return false;
  for (size_t i : {0u, 1u, 2u, 4u, 5u, 7u, 8u, 9u, 10u}) {
    if (!IsDigit(t[i])) return false;
  }
  const std::string_view area = t.substr(0, 3), group = t.substr(4, 2), serial = t.substr(7);
  if (area == "000" || area == "666" || area[0] == '9') return false;
  return group != "00" && serial != "0000";
}

bool ValidNino(std::string_view t) {
  if (t.size() < 9 || t.size() > 13) return false;
  std::string s;
  for (char c : t) {
    if (c != ' ') s.push_back(Upper(c));
  }
  if (s.size() != 9 || !IsAlpha(s[0]) || !IsAlpha(s[1]) || s[8] < 'A' || s[8] > 'D') return false;
  for (int i = 2; i < 8; ++i) {
    if (!IsDigit(s[i])) return false;
  }
  const std::string_view bad_first = "DFIQUV", bad_second = "DFIOQUV";
  return bad_first.find(s[0]) == std::string_view::npos &&
         bad_second.find(s[1]) == std::string_view::npos;
}

bool ValidIban(std::string_view t) {
  if (t.size() < 15 || t.size() > 42) return false;
  std::string s;
  for (char c : t) {
    if (c != ' ') s.push_back(Upper(c));
  }
  if (s.size() < 15 || s.size() > 34 || !IsAlpha(s[0]) || !IsAlpha(s[1]) || !IsDigit(s[2]) ||
      !IsDigit(s[3])) {
    return false;
  }
  // Move the first four characters to the end, letters as 10..35, and take mod 97.
  const std::string r = s.substr(4) + s.substr(0, 4);
  int mod = 0;
  for (char c : r) {
    if (IsDigit(c)) {
      mod = (mod * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      const int v = c - 'A' + 10;
      mod = (mod * 100 + v) % 97;
    } else {
      return false;
    }
  }
  return mod == 1;
}

std::string NormalizedName(std::string_view name) {
  std::string n;
  for (char c : name) {
    if (IsAlnum(c)) n.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  return n;
}

// Per-kind match counts of one column.
struct Counts {
  uint64_t checked = 0;
  std::array<uint64_t, 5> by_kind{};  // email, phone, card, ip, national id
};
constexpr std::array<PiiKind, 5> kValueKinds = {PiiKind::kEmail, PiiKind::kPhone,
                                                PiiKind::kCardNumber, PiiKind::kIpAddress,
                                                PiiKind::kNationalId};

void Classify(std::string_view raw, uint64_t weight, Counts* counts) {
  while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
  if (raw.empty()) return;
  counts->checked += weight;
  if (raw.size() > 320) return;  // longer than any identifier we look for
  if (LooksLikeEmail(raw)) counts->by_kind[0] += weight;
  if (LooksLikePhone(raw)) counts->by_kind[1] += weight;
  if (LooksLikeCardNumber(raw)) counts->by_kind[2] += weight;
  if (LooksLikeIpAddress(raw)) counts->by_kind[3] += weight;
  if (LooksLikeNationalId(raw)) counts->by_kind[4] += weight;
}

std::string_view ValueKindPhrase(PiiKind kind) {
  switch (kind) {
    case PiiKind::kEmail:
      return "e-mail addresses";
    case PiiKind::kPhone:
      return "phone numbers";
    case PiiKind::kCardNumber:
      return "payment card numbers (Luhn check passed)";
    case PiiKind::kIpAddress:
      return "IP addresses";
    case PiiKind::kNationalId:
      return "national identifiers (SSN, National Insurance number "
             "or IBAN)";
    default:
      return "personal data";
  }
}

std::string_view NameKindPhrase(PiiKind kind) {
  switch (kind) {
    case PiiKind::kPersonName:
      return "a person's name";
    case PiiKind::kEmail:
      return "an e-mail address";
    case PiiKind::kPhone:
      return "a phone number";
    case PiiKind::kCardNumber:
      return "a payment card number";
    case PiiKind::kIpAddress:
      return "an IP address";
    case PiiKind::kNationalId:
      return "a national identifier";
    case PiiKind::kDateOfBirth:
      return "a date of birth";
    case PiiKind::kPostalAddress:
      return "a postal address";
    default:
      return "personal data";
  }
}

Counts CountColumn(const Column& col, size_t max_values) {
  Counts counts;
  const size_t n = col.size();
  const size_t step = n > max_values && max_values > 0 ? (n + max_values - 1) / max_values : 1;
  switch (col.kind()) {
    case ColumnKind::kString: {
      const auto& v = col.strings();
      for (size_t i = 0; i < n; i += step) {
        if (!col.IsMissing(i)) Classify(v[i], 1, &counts);
      }
      break;
    }
    case ColumnKind::kCategorical: {
      // Each category is classified once and weighted by its rows.
      std::vector<uint64_t> rows(col.dictionary().size(), 0);
      for (int32_t code : col.codes()) {
        if (code >= 0 && static_cast<size_t>(code) < rows.size()) ++rows[code];
      }
      for (size_t c = 0; c < rows.size(); ++c) {
        if (rows[c] > 0) Classify(col.dictionary()[c], rows[c], &counts);
      }
      break;
    }
    case ColumnKind::kNumeric: {
      // Card numbers read as numbers: integral values of 13+ digits as digit strings. No
      // other kind can be a bare number (phones need a '+' or separators), so the common
      // case costs one comparison per value.
      char buf[32];
      const auto v = col.numeric();
      for (size_t i = 0; i < n; i += step) {
        const double x = v[i];
        if (std::isnan(x)) continue;
        ++counts.checked;
        if (!(x >= 1e12 && x < 9.2e18) || x != std::floor(x)) continue;
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(x));
        if (LooksLikeCardNumber(std::string_view(buf, static_cast<size_t>(end - buf)))) {
          ++counts.by_kind[2];
        }
      }
      break;
    }
    default:
      break;
  }
  return counts;
}

}  // namespace

std::string_view PiiKindName(PiiKind kind) {
  switch (kind) {
    case PiiKind::kDeclared:
      return "declared";
    case PiiKind::kPersonName:
      return "person_name";
    case PiiKind::kEmail:
      return "email";
    case PiiKind::kPhone:
      return "phone";
    case PiiKind::kCardNumber:
      return "card_number";
    case PiiKind::kIpAddress:
      return "ip_address";
    case PiiKind::kNationalId:
      return "national_id";
    case PiiKind::kDateOfBirth:
      return "date_of_birth";
    case PiiKind::kPostalAddress:
      return "postal_address";
  }
  return "declared";
}

bool LuhnValid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    if (!IsDigit(digits[i])) return false;
    int d = digits[i] - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool LooksLikeEmail(std::string_view t) {
  const size_t at = t.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || t.find('@', at + 1) != t.npos) {
    return false;
  }
  static constexpr std::string_view kLocalExtra = ".!#$%&'*+/=?^_`{|}~-";
  for (char c : t.substr(0, at)) {
    if (!IsAlnum(c) && kLocalExtra.find(c) == std::string_view::npos) return false;
  }
  const std::string_view domain = t.substr(at + 1);
  size_t labels = 0, start = 0;
  std::string_view last;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    if (dot == std::string_view::npos) dot = domain.size();
    const std::string_view label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!IsAlnum(c) && c != '-') return false;
    }
    ++labels;
    last = label;
    start = dot + 1;
  }
  if (labels < 2 || last.size() < 2) return false;
  return std::all_of(last.begin(), last.end(), IsAlpha);
}

bool LooksLikePhone(std::string_view t) {
  size_t digits = 0;
  bool separator = false, plus = false;
  int open_parens = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (IsDigit(c)) {
      ++digits;
    } else if (c == '+') {
      if (i != 0) return false;
      plus = true;
    } else if (c == ' ' || c == '-' || c == '.') {
      separator = true;
    } else if (c == '(') {
      ++open_parens;
      separator = true;
    } else if (c == ')') {
      if (--open_parens < 0) return false;
    } else {
      return false;
    }
  }
  if (open_parens != 0 || digits < 10 || digits > 15 || !IsDigit(t.back())) return false;
  if (!IsDigit(t.front()) && t.front() != '+' && t.front() != '(') return false;
  if (!plus && !separator) return false;  // a bare digit run is an id, not evidence of a phone
  // A decimal number (one '.', digits otherwise) is not a phone number.
  if (!plus && std::count(t.begin(), t.end(), '.') == 1 &&
      std::count_if(t.begin(), t.end(), IsDigit) + 1 == static_cast<long>(t.size())) {
    return false;
  }
  return true;
}

bool LooksLikeCardNumber(std::string_view t) {
  const std::string d = DigitsOnly(t);
  if (d.size() < 13 || d.size() > 19 || d[0] < '2' || d[0] > '6') return false;
  if (std::all_of(d.begin(), d.end(), [&](char c) { return c == d[0]; })) return false;
  return LuhnValid(d);
}

bool LooksLikeIpAddress(std::string_view t) {
  if (t.size() < 2 || t.size() > 45) return false;
  if (t.find('.') == std::string_view::npos && t.find(':') == std::string_view::npos) return false;
  const std::string s(t);
  unsigned char buf[16];
  if (s.find(':') != std::string::npos) return inet_pton(AF_INET6, s.c_str(), buf) == 1;
  // Strict dotted quad: inet_pton(AF_INET) already refuses shorthand forms and leading zeros.
  return inet_pton(AF_INET, s.c_str(), buf) == 1;
}

bool LooksLikeNationalId(std::string_view t) {
  return ValidSsn(t) || ValidNino(t) || ValidIban(t);
}

bool PiiKindFromColumnName(std::string_view name, PiiKind* kind) {
  struct Entry {
    std::string_view name;
    PiiKind kind;
  };
  static constexpr Entry kNames[] = {
      {"name", PiiKind::kPersonName},
      {"fullname", PiiKind::kPersonName},
      {"firstname", PiiKind::kPersonName},
      {"lastname", PiiKind::kPersonName},
      {"surname", PiiKind::kPersonName},
      {"givenname", PiiKind::kPersonName},
      {"familyname", PiiKind::kPersonName},
      {"forename", PiiKind::kPersonName},
      {"middlename", PiiKind::kPersonName},
      {"maidenname", PiiKind::kPersonName},
      {"customername", PiiKind::kPersonName},
      {"clientname", PiiKind::kPersonName},
      {"patientname", PiiKind::kPersonName},
      {"personname", PiiKind::kPersonName},
      {"contactname", PiiKind::kPersonName},
      {"employeename", PiiKind::kPersonName},
      {"cardholder", PiiKind::kPersonName},
      {"cardholdername", PiiKind::kPersonName},
      {"accountholder", PiiKind::kPersonName},
      {"username", PiiKind::kPersonName},
      {"email", PiiKind::kEmail},
      {"emailaddress", PiiKind::kEmail},
      {"mail", PiiKind::kEmail},
      {"phone", PiiKind::kPhone},
      {"phonenumber", PiiKind::kPhone},
      {"telephone", PiiKind::kPhone},
      {"mobile", PiiKind::kPhone},
      {"mobilenumber", PiiKind::kPhone},
      {"cellphone", PiiKind::kPhone},
      {"ssn", PiiKind::kNationalId},
      {"socialsecuritynumber", PiiKind::kNationalId},
      {"nationalid", PiiKind::kNationalId},
      {"nino", PiiKind::kNationalId},
      {"passport", PiiKind::kNationalId},
      {"passportnumber", PiiKind::kNationalId},
      {"taxid", PiiKind::kNationalId},
      {"iban", PiiKind::kNationalId},
      {"ip", PiiKind::kIpAddress},
      {"ipaddress", PiiKind::kIpAddress},
      {"creditcard", PiiKind::kCardNumber},
      {"creditcardnumber", PiiKind::kCardNumber},
      {"cardnumber", PiiKind::kCardNumber},
      {"ccnumber", PiiKind::kCardNumber},
      {"dob", PiiKind::kDateOfBirth},
      {"dateofbirth", PiiKind::kDateOfBirth},
      {"birthdate", PiiKind::kDateOfBirth},
      {"address", PiiKind::kPostalAddress},
      {"streetaddress", PiiKind::kPostalAddress},
      {"homeaddress", PiiKind::kPostalAddress},
      {"postaladdress", PiiKind::kPostalAddress},
  };
  const std::string n = NormalizedName(name);
  for (const Entry& e : kNames) {
    if (n == e.name) {
      *kind = e.kind;
      return true;
    }
  }
  return false;
}

std::vector<PiiFinding> DetectPii(const Table& table, const Schema* schema,
                                  const PiiDetectorOptions& options) {
  std::vector<PiiFinding> out;
  for (const Column& col : table.columns()) {
    if (std::find(options.not_pii.begin(), options.not_pii.end(), col.name()) !=
        options.not_pii.end()) {
      continue;
    }
    PiiFinding f;
    f.column = col.name();
    const ColumnSchema* cs = schema != nullptr ? schema->Find(col.name()) : nullptr;
    if (cs != nullptr && cs->role == Role::kPii) {
      f.kind = PiiKind::kDeclared;
      f.reason = "declared with role pii in the schema";
      out.push_back(std::move(f));
      continue;
    }
    if (cs != nullptr && options.schema_is_declaration) continue;
    const Counts counts = CountColumn(col, options.max_values);
    size_t best = 0;
    for (size_t k = 1; k < kValueKinds.size(); ++k) {
      if (counts.by_kind[k] > counts.by_kind[best]) best = k;
    }
    if (counts.checked > 0 &&
        static_cast<double>(counts.by_kind[best]) >=
            options.min_match_rate * static_cast<double>(counts.checked) &&
        counts.by_kind[best] > 0) {
      f.kind = kValueKinds[best];
      f.checked = counts.checked;
      f.matched = counts.by_kind[best];
      f.reason = fmt::format("{} of {} values ({}%) are {}", f.matched, f.checked,
                             FormatDouble(std::round(1000.0 * f.matched / f.checked) / 10),
                             ValueKindPhrase(f.kind));
      out.push_back(std::move(f));
      continue;
    }
    PiiKind by_name;
    if (PiiKindFromColumnName(col.name(), &by_name)) {
      f.kind = by_name;
      f.checked = counts.checked;
      f.reason =
          fmt::format("the column name \"{}\" is used for {}", col.name(), NameKindPhrase(by_name));
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace keel
