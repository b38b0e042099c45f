#pragma once
// Word lists for the generated organisation: realistic, international, with accented names
// ("José", "Zoë", "Björn") so that clients meet non-ASCII UTF-8 from the first run.

#include <span>
#include <string_view>

namespace ccteams::emulator {

std::span<const std::string_view> given_names();
std::span<const std::string_view> surnames();
std::span<const std::string_view> departments();
// Job titles that fit department d (index into departments()).
std::span<const std::string_view> job_titles(std::size_t department_index);
std::span<const std::string_view> office_locations();

// The local part of a mail address for a name: ASCII letters only ("Zoë" -> "zoe",
// "O'Brien" -> "obrien"), lower-case.
std::string mail_local_part(std::string_view name);

}  // namespace ccteams::emulator
