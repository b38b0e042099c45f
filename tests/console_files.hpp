#pragma once
// The console's files (web/): public, and listed by the router one by one. The tests that
// compare the router's routes with a list (the authorization matrix, the OpenAPI document)
// leave them out by this rule, so that adding a page needs no change there. Never under /api/
// (static_files refuses those).

#include <string>

#include "adapters/http/router.hpp"

namespace ccteams::testing {

inline bool is_console_file(const http::RouteInfo& r) {
  if (r.method != "GET" && r.method != "HEAD") return false;
  if (r.pattern.starts_with("/api/") || r.pattern.find('{') != std::string::npos) return false;
  for (const char* ext : {".html", ".js", ".css", ".svg", ".png", ".ico", ".json", ".md"}) {
    if (r.pattern.ends_with(ext)) return true;
  }
  return false;
}

}  // namespace ccteams::testing
