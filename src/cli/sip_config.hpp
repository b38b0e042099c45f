#pragma once
// The [sip] section (docs/ccteams.example.toml): listen, advertise, [[sip.trunks]] and
// [[sip.numbers]], read and checked here so that config.cpp only calls it.

#include <toml++/toml.h>

#include <string>

#include "cli/config.hpp"

namespace ccteams::cli {

// Errors (invalid_input) name the file and the key: "ccteams.toml: sip.numbers[2].number
// '+14255550100' is mapped twice (each number goes to one queue)". Numbers are normalised to
// E.164 in place. A number mapped to a queue that does not exist is not known here: the first
// call to it is refused 404 and logged (docs/telephony.md).
Result<void> parse_sip_config(const toml::table& root, const std::string& source, SipConfig& out);

}  // namespace ccteams::cli
