// GET /healthz (the process answers), /readyz (it can serve: store reachable, not draining),
// /metrics (Prometheus text format).
#include <boost/json.hpp>

#include "adapters/http/api/api_context.hpp"
#include "adapters/http/json_io.hpp"
#include "adapters/http/sync_handler.hpp"

namespace ccteams::http {

namespace json = boost::json;

void register_ops_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/healthz", sync_handler([](Request&) {
               return json_response(200, json::object{{"status", "ok"}});
             }));
  router.add("GET", "/readyz", sync_handler([&ctx](Request&) {
               if (ctx.shutting_down.load()) {
                 return json_response(503, json::object{{"status", "draining"}});
               }
               if (auto r = ctx.store.ping(); !r) {
                 return json_response(503, json::object{{"status", "unavailable"},
                                                        {"store", r.error().message}});
               }
               return json_response(200, json::object{{"status", "ready"},
                                                      {"schemaVersion", ctx.store.schema_version()}});
             }));
  router.add("GET", "/metrics", sync_handler([&ctx](Request&) {
               return text_response(200, "text/plain; version=0.0.4; charset=utf-8",
                                    ctx.metrics.render());
             }));
}

}  // namespace ccteams::http
