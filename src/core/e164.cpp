#include "core/e164.hpp"

namespace ccteams {
namespace {

constexpr std::size_t kMinDigits = 8;
constexpr std::size_t kMaxDigits = 15;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_separator(char c) {
  return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/';
}

E164Check not_e164() { return E164Check{Dialability::not_e164, {}}; }

}  // namespace

bool valid_country_code(std::string_view cc) {
  if (cc.empty() || cc.size() > 3 || cc[0] == '0') return false;
  for (char c : cc) {
    if (!is_digit(c)) return false;
  }
  return true;
}

std::string_view dialability_name(Dialability d) {
  switch (d) {
    case Dialability::dialable: return "dialable";
    case Dialability::missing: return "missing";
    case Dialability::not_e164: return "not_e164";
  }
  return "not_e164";
}

E164Check check_e164(std::string_view raw, std::string_view default_country_code) {
  const auto first = raw.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return E164Check{Dialability::missing, {}};
  const auto last = raw.find_last_not_of(" \t\r\n");
  std::string_view text = raw.substr(first, last - first + 1);

  bool international = false;
  if (text.front() == '+') {
    international = true;
    text.remove_prefix(1);
  }
  std::string digits;
  digits.reserve(text.size());
  for (char c : text) {
    if (is_digit(c)) {
      digits.push_back(c);
    } else if (!is_separator(c)) {
      return not_e164();  // letters, '+' in the middle, extensions
    }
  }
  if (digits.empty()) return not_e164();
  if (!international && digits.size() > 2 && digits.starts_with("00")) {
    international = true;
    digits.erase(0, 2);
  }
  if (!international) {
    if (!valid_country_code(default_country_code)) return not_e164();
    if (digits.front() == '0') digits.erase(0, 1);  // national trunk prefix
    digits.insert(0, default_country_code);
  }
  if (digits.front() == '0' || digits.size() < kMinDigits || digits.size() > kMaxDigits) {
    return not_e164();
  }
  return E164Check{Dialability::dialable, "+" + digits};
}

Result<std::string> normalize_e164(std::string_view raw, std::string_view default_country_code) {
  E164Check c = check_e164(raw, default_country_code);
  switch (c.status) {
    case Dialability::dialable: return std::move(c.number);
    case Dialability::missing:
      return make_error(Errc::invalid_input, "missing: no phone number given");
    case Dialability::not_e164:
      break;
  }
  return make_error(Errc::invalid_input,
                    "not_e164: the phone number must be international, like +14255550100 "
                    "(8 to 15 digits after the +)");
}

}  // namespace ccteams
