// The Teams directory REST API (see directory_api.hpp).
#include "adapters/http/api/directory_api.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "adapters/http/api/directory_json.hpp"
#include "adapters/http/api/request_auth.hpp"
#include "adapters/http/json_io.hpp"
#include "adapters/http/router.hpp"
#include "app/directory_service.hpp"

namespace ccteams::http {

using boost::asio::awaitable;

namespace {

Result<DirectoryQuery> query_from_request(const Request& req) {
  DirectoryQuery q;
  q.text = req.query_param("q").value_or("");
  q.department = req.query_param("department").value_or("");
  q.job_title = req.query_param("jobTitle").value_or("");
  q.cursor = req.query_param("cursor").value_or("");
  if (auto limit = req.query_param("limit")) {
    std::size_t v = 0;
    const char* end = limit->data() + limit->size();
    auto [p, ec] = std::from_chars(limit->data(), end, v);
    if (ec != std::errc() || p != end || v < 1 || v > kDirectoryMaxLimit) {
      return make_error(Errc::invalid_input, "limit must be an integer from 1 to " +
                                                 std::to_string(kDirectoryMaxLimit));
    }
    q.limit = v;
  }
  return q;
}

}  // namespace

void register_directory_routes(Router& router, DirectoryApiContext& ctx) {
  router.add("GET", "/api/v1/directory/teams-users",
             with_caller_async(ctx.auth, {Role::agent, Role::supervisor, Role::admin},
                               [&ctx](const Caller& caller, Request& req) -> awaitable<Response> {
                                 auto query = query_from_request(req);
                                 if (!query) co_return error_response(query.error());
                                 auto result =
                                     co_await ctx.directory.search(caller, std::move(*query));
                                 if (!result) co_return error_response(result.error());
                                 co_return json_response(200, directory_page_to_json(*result));
                               }));
  router.add("POST", "/api/v1/directory/teams-users/sync",
             with_caller_async(ctx.auth, {Role::admin},
                               [&ctx](const Caller& caller, Request&) -> awaitable<Response> {
                                 auto report = co_await ctx.directory.sync_for(caller);
                                 if (!report) co_return error_response(report.error());
                                 co_return json_response(200, sync_report_to_json(*report));
                               }));
}

}  // namespace ccteams::http
