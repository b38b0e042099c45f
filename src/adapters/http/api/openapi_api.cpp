// GET /api/v1/openapi.json (see openapi_api.hpp).
#include "adapters/http/api/openapi_api.hpp"

#include "adapters/http/router.hpp"
#include "adapters/http/sync_handler.hpp"

namespace ccteams::http {

void register_openapi_route(Router& router, std::optional<std::string> document) {
  router.add("GET", kOpenApiPath, sync_handler([document = std::move(document)](Request&) {
               if (!document) {
                 return error_response(make_error(
                     Errc::unavailable,
                     "the OpenAPI document is not installed: the server found no " +
                         std::string(kOpenApiFile) +
                         " in its web root (the source tree's web/, or $CCTEAMS_WEB_ROOT); "
                         "reinstall the package or point CCTEAMS_WEB_ROOT at a web/ folder "
                         "that holds it"));
               }
               Response r = text_response(200, "application/json", *document);
               r.set_header("Cache-Control", "no-cache");
               return r;
             }));
}

}  // namespace ccteams::http
