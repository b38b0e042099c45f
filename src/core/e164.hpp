#pragma once
// E.164 phone numbers: what consult and transfer dial (DESIGN.md: a Teams expert's business
// phone, or a number an agent types). Pure string work, no numbering-plan database.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ccteams {

enum class Dialability : std::uint8_t {
  dialable,  // `number` holds the E.164 form
  missing,   // empty or only spaces: the user has no number
  not_e164,  // something is there but it is not an international number we can dial
};
std::string_view dialability_name(Dialability d);  // "dialable", "missing", "not_e164"

struct E164Check {
  Dialability status = Dialability::missing;
  std::string number;  // "+14255550100" when dialable, empty otherwise
};

// Normalises "+1 (425) 555-0100", "+44 20 7946 0958", "0044 20 7946 0958" to "+<digits>".
// Accepted separators: space, '-', '.', '(', ')', '/'. "00" as the leading international prefix
// counts as '+'. Without either, the number is dialable only when default_country_code ("1",
// "44"; 1-3 digits, no '+') is given: one leading national trunk '0' is dropped and the code put
// in front. The result has 8-15 digits, the first not 0. Letters, extensions ("x123", "ext") and
// anything else give not_e164.
E164Check check_e164(std::string_view raw, std::string_view default_country_code = {});

// A country calling code as default_country_code takes it: 1-3 digits, the first not 0.
bool valid_country_code(std::string_view cc);

// check_e164 as a Result: invalid_input naming the reason ("missing" or "not_e164").
Result<std::string> normalize_e164(std::string_view raw, std::string_view default_country_code = {});

}  // namespace ccteams
