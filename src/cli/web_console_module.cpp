#include "cli/web_console_module.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>

#include "adapters/http/api/openapi_api.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/static_files.hpp"

namespace ccteams::cli {

WebConsoleModule::WebConsoleModule(http::Router& router) {
  std::optional<std::string> openapi;
  if (auto web = http::StaticFiles::load(http::resolve_web_root(CCTEAMS_WEB_ROOT))) {
    if (const auto* doc = web->find("/" + std::string(http::kOpenApiFile))) openapi = doc->body;
    http::register_static_routes(router, std::make_shared<const http::StaticFiles>(std::move(*web)),
                                 "/sign-in.html");
  } else {
    spdlog::warn("web console not served: {}", web.error().message);
  }
  if (!openapi) {
    spdlog::warn("GET {} answers 503: no {} in the web root", http::kOpenApiPath,
                 http::kOpenApiFile);
  }
  http::register_openapi_route(router, std::move(openapi));
}

}  // namespace ccteams::cli
