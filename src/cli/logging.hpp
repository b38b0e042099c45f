#pragma once
#include <string>

namespace ccteams::cli {

// Sets up spdlog's default logger and the "access" logger on stderr: format "text" or "json"
// (one JSON object per line, message escaped), level trace..error. Idempotent.
void setup_logging(const std::string& format, const std::string& level);

}  // namespace ccteams::cli
