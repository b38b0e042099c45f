#pragma once
// GET /api/v1/openapi.json (public): the OpenAPI 3.1 document of this API, web/openapi.json,
// read once at startup with the console's files (the web root: the source tree's web/ or
// $CCTEAMS_WEB_ROOT; the Debian package ships it under /usr/share/ccteams/web). It holds no
// secrets. Kept true by openapi_api_test.cpp (its shape, $refs and examples) and
// tests/openapi_test.cpp (every route documented, live answers validated against it).

#include <optional>
#include <string>
#include <string_view>

namespace ccteams::http {

class Router;

inline constexpr std::string_view kOpenApiPath = "/api/v1/openapi.json";
// The document's file under the web root.
inline constexpr std::string_view kOpenApiFile = "openapi.json";

// Registers GET kOpenApiPath answering document (application/json). Without a document (the web
// root or its openapi.json missing) the server still serves the API, and this route answers
// 503 unavailable naming the file and the fix: the API is usable without its description.
void register_openapi_route(Router& router, std::optional<std::string> document);

}  // namespace ccteams::http
